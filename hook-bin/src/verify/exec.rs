//! Running Litestream: a child process with its output read as it comes, killed when it shows
//! no progress for the run's timeout (an unreachable endpoint makes 0.5 retry for minutes, a
//! silent one can hang forever) or when the user interrupts `verify`.
//!
//! Progress is new output or new bytes in the folder a restore writes to. Listings print
//! nothing until they are done, so for them the timeout bounds the whole command.

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use super::signal;
use super::tempdir::bytes_in;

/// Most of stderr a failing command can print that is kept (the end holds the error).
const STDERR_KEEP: usize = 64 * 1024;

pub struct Job<'a> {
    pub bin: &'a Path,
    pub args: Vec<String>,
    pub cwd: &'a Path,
    /// A folder whose growth counts as progress (the restore's output folder).
    pub watch: Option<PathBuf>,
    pub timeout: Duration,
}

#[derive(Debug, Default)]
pub struct Done {
    pub code: Option<i32>,
    pub stderr: String,
    pub timed_out: bool,
    pub interrupted: bool,
    pub spawn_error: Option<String>,
}

impl Done {
    pub fn ok(&self) -> bool {
        self.code == Some(0) && !self.timed_out && !self.interrupted
    }
}

/// Runs `job`, handing every stdout line to `line` (listings can be millions of lines, so they
/// are parsed as they arrive rather than kept), and calling `tick(elapsed, bytes_written)`
/// about five times a second.
pub fn run(job: &Job, line: &mut (dyn FnMut(&str) + Send), tick: &mut dyn FnMut(Duration, u64)) -> Done {
    let start = Instant::now();
    let mut cmd = Command::new(job.bin);
    cmd.args(&job.args)
        .current_dir(job.cwd)
        // Go's os.Getwd trusts PWD when it names the same folder: keep it consistent with cwd,
        // so that relative database paths resolve as they do for the app.
        .env("PWD", job.cwd)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = match cmd.spawn() {
        Ok(c) => c,
        Err(e) => {
            return Done {
                spawn_error: Some(format!("cannot run {}: {e}", job.bin.display())),
                ..Done::default()
            }
        }
    };
    let seen = Arc::new(AtomicU64::new(0));
    let stdout = child.stdout.take().expect("stdout is piped");
    let stderr = child.stderr.take().expect("stderr is piped");
    let err_buf = Arc::new(Mutex::new(Vec::<u8>::new()));
    let (seen_e, buf_e) = (Arc::clone(&seen), Arc::clone(&err_buf));
    let err_reader = thread::spawn(move || {
        let mut r = stderr;
        let mut chunk = [0u8; 8192];
        while let Ok(n) = r.read(&mut chunk) {
            if n == 0 {
                break;
            }
            seen_e.fetch_add(n as u64, Ordering::Relaxed);
            let mut b = buf_e.lock().unwrap_or_else(|p| p.into_inner());
            b.extend_from_slice(&chunk[..n]);
            if b.len() > 2 * STDERR_KEEP {
                let cut = b.len() - STDERR_KEEP;
                b.drain(..cut);
            }
        }
    });
    let outcome = thread::scope(|s| {
        let seen_o = Arc::clone(&seen);
        let buf_o = Arc::clone(&err_buf);
        let out_reader = s.spawn(move || {
            let mut r = BufReader::new(stdout);
            let mut l = Vec::new();
            loop {
                l.clear();
                match r.read_until(b'\n', &mut l) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => {
                        seen_o.fetch_add(n as u64, Ordering::Relaxed);
                        let text = String::from_utf8_lossy(&l);
                        let text = text.trim_end_matches(['\n', '\r']);
                        // 0.3 logs to stdout: its errors belong with stderr's.
                        if text.starts_with("time=") || text.starts_with("Error:") {
                            let mut b = buf_o.lock().unwrap_or_else(|p| p.into_inner());
                            if b.len() < 2 * STDERR_KEEP {
                                b.extend_from_slice(text.as_bytes());
                                b.push(b'\n');
                            }
                        }
                        line(text);
                    }
                }
            }
        });
        let mut last_seen = 0u64;
        let mut last_bytes = 0u64;
        let mut last_progress = Instant::now();
        let mut last_tick = Instant::now() - Duration::from_secs(1);
        let (mut timed_out, mut interrupted) = (false, false);
        let status = loop {
            if let Ok(Some(st)) = child.try_wait() {
                break Some(st);
            }
            let now_seen = seen.load(Ordering::Relaxed);
            let bytes = job.watch.as_deref().map_or(0, bytes_in);
            if now_seen != last_seen || bytes != last_bytes {
                (last_seen, last_bytes, last_progress) = (now_seen, bytes, Instant::now());
            }
            if last_tick.elapsed() >= Duration::from_millis(200) {
                tick(start.elapsed(), bytes);
                last_tick = Instant::now();
            }
            if signal::stopped() {
                interrupted = true;
            } else if last_progress.elapsed() > job.timeout {
                timed_out = true;
            }
            if timed_out || interrupted {
                let _ = child.kill();
                break child.wait().ok();
            }
            thread::sleep(Duration::from_millis(50));
        };
        let _ = out_reader.join();
        (status, timed_out, interrupted)
    });
    let _ = err_reader.join();
    let (status, timed_out, interrupted) = outcome;
    let stderr = String::from_utf8_lossy(&err_buf.lock().unwrap_or_else(|p| p.into_inner())).into_owned();
    Done {
        code: status.and_then(|s| s.code()),
        stderr,
        timed_out,
        interrupted,
        spawn_error: None,
    }
}

/// Runs `job` and returns stdout whole (for the short `version` output).
pub fn capture(job: &Job) -> (Done, String) {
    let out = Mutex::new(String::new());
    let done = run(
        job,
        &mut |l: &str| {
            let mut o = out.lock().unwrap_or_else(|p| p.into_inner());
            if o.len() < 64 * 1024 {
                o.push_str(l);
                o.push('\n');
            }
        },
        &mut |_, _| {},
    );
    (done, out.into_inner().unwrap_or_else(|p| p.into_inner()))
}
