//! The Litestream commands `verify` runs for one target: the listings that give the newest
//! position, and the restore into the private folder. Failures come back classified.

use std::path::PathBuf;

use super::binary::Binary;
use super::check::Ctx;
use super::classify::{self, Problem};
use super::config::Target;
use super::exec::{self, Job};
use super::listing::{self, Point};
use super::progress::Progress;
use crate::version::Line;

/// A failed command: what it means, or that it was stopped.
pub struct Failure {
    pub problem: Problem,
    pub timed_out: bool,
    pub interrupted: bool,
}

fn db_arg(t: &Target) -> String {
    // A path that starts with `-` would be read as a flag.
    if t.db_arg.starts_with('-') {
        format!("./{}", t.db_arg)
    } else {
        t.db_arg.clone()
    }
}

impl Ctx<'_> {
    fn base_args(&self, cmd: &str, t: &Target, bin: &Binary) -> Vec<String> {
        let mut a = vec![cmd.to_string(), "-config".into(), self.config.display().to_string()];
        if let (Some(r), Line::V03) = (&t.replica_name, bin.version.line) {
            a.push("-replica".into());
            a.push(r.clone());
        }
        a
    }

    fn run(
        &self,
        bin: &Binary,
        args: Vec<String>,
        watch: Option<PathBuf>,
        what: &str,
        p: &mut Progress,
        line: &mut (dyn FnMut(&str) + Send),
    ) -> Result<(), Failure> {
        let job = Job {
            bin: &bin.path,
            args,
            cwd: self.cwd,
            watch,
            timeout: self.timeout,
        };
        let done = exec::run(&job, line, &mut |e, b| p.tick(what, e, b));
        p.clear();
        if let Some(e) = done.spawn_error {
            return Err(Failure {
                problem: Problem::Other(e),
                timed_out: false,
                interrupted: false,
            });
        }
        // 0.3's listings log errors and still exit 0.
        let logged_error = bin.version.line == Line::V03 && done.stderr.contains("level=ERROR");
        if done.ok() && !logged_error {
            return Ok(());
        }
        Err(Failure {
            problem: classify::classify(&done.stderr),
            timed_out: done.timed_out,
            interrupted: done.interrupted,
        })
    }

    /// The newest position (and how many files the listing showed) with `bin`'s line.
    pub fn list(&self, t: &Target, bin: &Binary, p: &mut Progress) -> Result<(Option<Point>, usize), Failure> {
        let what = format!("listing the backup of {}", t.name);
        match bin.version.line {
            Line::V03 => {
                let reader = std::sync::Mutex::new(listing::V03::default());
                for cmd in ["snapshots", "wal"] {
                    let mut args = self.base_args(cmd, t, bin);
                    args.push(db_arg(t));
                    self.run(bin, args, None, &what, p, &mut |l: &str| {
                        reader.lock().unwrap_or_else(|e| e.into_inner()).feed(l)
                    })?;
                    reader.lock().unwrap_or_else(|e| e.into_inner()).next_command();
                }
                let r = reader.into_inner().unwrap_or_else(|e| e.into_inner());
                Ok((r.point(), r.files))
            }
            Line::V05 => {
                let mut args = self.base_args("ltx", t, bin);
                if bin.version.patch.is_none_or(|p| p >= 8) {
                    args.push("-level".into());
                    args.push("all".into());
                }
                args.push(db_arg(t));
                let reader = std::sync::Mutex::new(listing::V05::default());
                self.run(bin, args, None, &what, p, &mut |l: &str| {
                    reader.lock().unwrap_or_else(|e| e.into_inner()).feed(l)
                })?;
                let r = reader.into_inner().unwrap_or_else(|e| e.into_inner());
                Ok((r.point(), r.files))
            }
        }
    }

    /// Restores into a fresh slot; returns (slot, restored file, seconds, bytes).
    pub fn restore(&self, t: &Target, n: usize, p: &mut Progress) -> Result<(PathBuf, PathBuf, f64, u64), Failure> {
        let slot = self.private.slot(n).map_err(|e| Failure {
            problem: Problem::Other(e.to_string()),
            timed_out: false,
            interrupted: false,
        })?;
        let out = slot.join("restored.sqlite3");
        let mut args = self.base_args("restore", t, self.bin);
        args.push("-o".into());
        args.push(out.display().to_string());
        args.push(db_arg(t));
        let start = std::time::Instant::now();
        let what = format!("restoring {}", t.name);
        if let Err(f) = self.run(self.bin, args, Some(slot.clone()), &what, p, &mut |_: &str| {}) {
            self.private.clear(&slot);
            return Err(f);
        }
        let bytes = std::fs::metadata(&out).map_or(0, |m| m.len());
        Ok((slot, out, start.elapsed().as_secs_f64(), bytes))
    }
}
