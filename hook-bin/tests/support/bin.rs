//! Running the binary under test. Integration tests that drive `litestream-guard` go through
//! here: arguments, working folder, environment and stdin in; exit status and output out, within
//! a deadline, so that a hang fails the test instead of stalling the suite.

use std::io::{Read, Write};
use std::path::Path;
use std::process::{Command, ExitStatus, Stdio};
use std::thread;
use std::time::{Duration, Instant};

/// Far above any real run (a few milliseconds); only a hang reaches it.
pub const DEADLINE: Duration = Duration::from_secs(30);

pub struct Run {
    pub status: ExitStatus,
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
}

impl Run {
    pub fn code(&self) -> Option<i32> {
        self.status.code()
    }

    pub fn stdout_text(&self) -> String {
        String::from_utf8_lossy(&self.stdout).into_owned()
    }

    pub fn stderr_text(&self) -> String {
        String::from_utf8_lossy(&self.stderr).into_owned()
    }
}

/// `litestream-guard ARGS…`, colour off; add a folder, variables and stdin, then `run`.
pub struct Call {
    cmd: Command,
    stdin: Vec<u8>,
    shown: String,
}

pub fn guard(args: &[&str]) -> Call {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_litestream-guard"));
    cmd.args(args).env("NO_COLOR", "1");
    Call {
        cmd,
        stdin: Vec::new(),
        shown: args.join(" "),
    }
}

impl Call {
    pub fn cwd(mut self, dir: &Path) -> Call {
        self.cmd.current_dir(dir);
        self
    }

    pub fn env(mut self, key: &str, value: impl AsRef<std::ffi::OsStr>) -> Call {
        self.cmd.env(key, value);
        self
    }

    pub fn stdin(mut self, bytes: impl Into<Vec<u8>>) -> Call {
        self.stdin = bytes.into();
        self
    }

    pub fn run(mut self) -> Run {
        let mut child = self
            .cmd
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("spawn litestream-guard {}: {e}", self.shown));
        // Writer and readers run beside the wait, so a full pipe can never deadlock the test.
        let mut input = child.stdin.take().expect("stdin is piped");
        let data = std::mem::take(&mut self.stdin);
        let writer = thread::spawn(move || {
            // The binary may stop reading early (e.g. an oversized event): that is not an error.
            let _ = input.write_all(&data);
        });
        let reader = |mut r: Box<dyn Read + Send>| {
            thread::spawn(move || {
                let mut buf = Vec::new();
                let _ = r.read_to_end(&mut buf);
                buf
            })
        };
        let out = reader(Box::new(child.stdout.take().expect("stdout is piped")));
        let err = reader(Box::new(child.stderr.take().expect("stderr is piped")));
        let start = Instant::now();
        let status = loop {
            if let Some(status) = child.try_wait().expect("wait") {
                break status;
            }
            if start.elapsed() > DEADLINE {
                let _ = child.kill();
                panic!("litestream-guard {} did not finish within {DEADLINE:?}", self.shown);
            }
            thread::sleep(Duration::from_millis(5));
        };
        writer.join().expect("stdin writer");
        Run {
            status,
            stdout: out.join().expect("stdout reader"),
            stderr: err.join().expect("stderr reader"),
        }
    }
}
