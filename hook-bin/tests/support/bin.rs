//! Running the binary under test. Integration tests that drive `litestream-guard` go through
//! here: arguments, working folder, environment and stdin in; exit status and output out, within
//! a deadline, so that a hang fails the test instead of stalling the suite. Each run also reports
//! its wall-clock time and the child's peak resident memory (from `wait4`'s rusage), so tests
//! can bound both.

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
    /// From spawn to exit.
    pub elapsed: Duration,
    /// The child's peak resident set size, in KiB (Linux reports `ru_maxrss` in KiB).
    pub peak_rss_kib: u64,
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

    /// Fails unless the run finished within `time` and stayed under `mib` MiB of memory.
    pub fn assert_bounded(&self, what: &str, time: Duration, mib: u64) -> &Run {
        assert!(
            self.elapsed <= time,
            "{what}: took {:?}, more than {time:?}\nstderr: {}",
            self.elapsed,
            self.stderr_text()
        );
        assert!(
            self.peak_rss_kib <= mib * 1024,
            "{what}: peak memory {} KiB, more than {mib} MiB",
            self.peak_rss_kib
        );
        self
    }
}

/// The bounds the issue sets for the hook on this machine (1 s, 100 MB), for the binary the
/// tests run. A debug build runs unoptimised code several times slower, so its time bound is
/// wider; `scripts/bench` holds the release binary to 1 s. Memory is the same either way.
pub fn hook_time_bound() -> Duration {
    if cfg!(debug_assertions) {
        Duration::from_secs(5)
    } else {
        Duration::from_secs(1)
    }
}

pub const HOOK_MEMORY_MIB: u64 = 95;

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
        trace_exit(&mut self.cmd);
        // Reaped by `wait4` below (std's wait would not report the child's memory).
        #[allow(clippy::zombie_processes)]
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
        let pid = child.id() as libc::pid_t;
        let mut peak_kib: Option<u64> = None;
        let (status, elapsed, rusage_kib) = loop {
            let mut raw = 0;
            // SAFETY: a zeroed rusage is valid; wait4 fills it for our own child.
            let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
            let r = unsafe { libc::wait4(pid, &mut raw, libc::WNOHANG | libc::__WALL, &mut usage) };
            if r == pid && libc::WIFSTOPPED(raw) {
                // Traced (see `trace_exit`): the exec stop, the exit stop, or a signal to pass on.
                let event = raw >> 16;
                let sig = libc::WSTOPSIG(raw);
                let pass = if event == libc::PTRACE_EVENT_EXIT {
                    peak_kib = vm_hwm_kib(pid);
                    0
                } else if sig == libc::SIGTRAP && event == 0 {
                    // SAFETY: our stopped tracee.
                    unsafe { libc::ptrace(libc::PTRACE_SETOPTIONS, pid, 0, libc::PTRACE_O_TRACEEXIT) };
                    0
                } else {
                    sig
                };
                // SAFETY: resumes our stopped tracee.
                unsafe { libc::ptrace(libc::PTRACE_CONT, pid, 0, pass) };
                continue;
            }
            if r == pid {
                use std::os::unix::process::ExitStatusExt as _;
                break (ExitStatus::from_raw(raw), start.elapsed(), usage.ru_maxrss as u64);
            }
            assert!(r == 0, "wait4: {}", std::io::Error::last_os_error());
            if start.elapsed() > DEADLINE {
                let _ = child.kill();
                let _ = child.wait();
                panic!("litestream-guard {} did not finish within {DEADLINE:?}", self.shown);
            }
            thread::sleep(Duration::from_millis(2));
        };
        // ru_maxrss keeps the high-water mark of the process this one was forked from (it is
        // carried across exec), so the test process's own memory would show; the tracee's VmHWM
        // read at its exit stop is its own. Without ptrace, ru_maxrss is an upper bound.
        let peak_rss_kib = peak_kib.unwrap_or(rusage_kib);
        writer.join().expect("stdin writer");
        Run {
            status,
            stdout: out.join().expect("stdout reader"),
            stderr: err.join().expect("stderr reader"),
            elapsed,
            peak_rss_kib,
        }
    }
}

/// Makes the child stop at its exit under ptrace, so that its own peak memory can be read before
/// the kernel drops its address space. Where ptrace is not allowed the request fails quietly and
/// the run is measured by rusage instead.
fn trace_exit(cmd: &mut Command) {
    use std::os::unix::process::CommandExt as _;
    // SAFETY: ptrace(PTRACE_TRACEME) is async-signal-safe; errors are ignored on purpose.
    unsafe {
        cmd.pre_exec(|| {
            libc::ptrace(libc::PTRACE_TRACEME, 0, 0, 0);
            Ok(())
        });
    }
}

/// The peak resident set of a live (stopped) process, from /proc.
fn vm_hwm_kib(pid: libc::pid_t) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}
