//! Which `litestream` restores: `--litestream`, else the one on PATH, else the one the runner
//! ships; its release line must be the one the config is written for (the two lines store
//! backups in different formats and read the same file differently).

use std::path::{Path, PathBuf};
use std::time::Duration;

use super::exec::{self, Job};
use super::runner;
use crate::version::{Line, Version};

#[derive(Debug, Clone)]
pub struct Binary {
    pub path: PathBuf,
    pub version: Version,
    /// How it was chosen: `--litestream`, `PATH`, or the runner's note.
    pub source: String,
}

/// The line the config is written for, and how that is known.
#[derive(Debug, Clone)]
pub struct Expected {
    pub line: Line,
    pub why: String,
}

/// Runs `BIN version` (0.3 prints `v0.3.13`, 0.5 prints `0.5.17`).
pub fn probe(path: &Path, cwd: &Path) -> Result<Version, String> {
    let job = Job {
        bin: path,
        args: vec!["version".into()],
        cwd,
        watch: None,
        timeout: Duration::from_secs(10),
    };
    let (done, out) = exec::capture(&job);
    if let Some(e) = done.spawn_error {
        return Err(e);
    }
    let printed = out.lines().map(str::trim).find(|l| !l.is_empty()).unwrap_or("");
    match Version::parse(printed) {
        Some(v) if done.ok() && v.patch.is_some() => Ok(v),
        _ => Err(format!(
            "`{} version` printed {:?}, which is no Litestream 0.3 or 0.5 version",
            path.display(),
            super::classify::short(printed, 60)
        )),
    }
}

/// `litestream` on PATH.
pub fn on_path() -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|d| d.join("litestream"))
        .find(|p| is_executable(p))
}

fn is_executable(p: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::metadata(p).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
    }
    #[cfg(not(unix))]
    {
        p.is_file()
    }
}

/// Picks the binary. `Err` says what was found and why none fits (exit 2).
pub fn choose(flag: Option<&Path>, app: &Path, expected: Option<&Expected>) -> Result<Binary, String> {
    let fits = |v: Version| expected.is_none_or(|e| e.line == v.line);
    let want = |e: Option<&Expected>| match e {
        Some(e) => format!("the config is for Litestream {} ({})", e.line, e.why),
        None => String::new(),
    };
    if let Some(p) = flag {
        let v = probe(p, app)?;
        if !fits(v) {
            return Err(format!(
                "--litestream {} is Litestream {v}, but {}; its backups have another format, so pass a {} binary",
                p.display(),
                want(expected),
                expected.map_or(Line::V05, |e| e.line)
            ));
        }
        return Ok(Binary {
            path: p.to_path_buf(),
            version: v,
            source: "--litestream".into(),
        });
    }
    let mut seen = Vec::new();
    let shipped = runner::shipped_by_runner(app);
    let candidates = on_path().map(|p| (p, "PATH".to_string())).into_iter().chain(
        shipped
            .path
            .clone()
            .map(|p| (p, shipped.note.clone().unwrap_or_default())),
    );
    for (p, source) in candidates {
        match probe(&p, app) {
            Ok(v) if fits(v) => {
                return Ok(Binary {
                    path: p,
                    version: v,
                    source,
                })
            }
            Ok(v) => seen.push(format!("{} is Litestream {v}", p.display())),
            Err(e) => seen.push(e),
        }
    }
    if let (None, Some(n)) = (&shipped.path, &shipped.note) {
        seen.push(n.clone());
    }
    let found = if seen.is_empty() {
        "no `litestream` on PATH".to_string()
    } else {
        seen.join("; ")
    };
    let line = expected.map_or_else(|| "0.3 or 0.5".to_string(), |e| e.line.to_string());
    Err(format!(
        "no Litestream {line} binary to restore with ({found}){}; pass one with --litestream",
        if expected.is_some() {
            format!("; {}", want(expected))
        } else {
            String::new()
        }
    ))
}
