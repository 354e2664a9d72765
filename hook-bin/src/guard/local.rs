//! What this machine can tell about local files: which processes hold them open (Linux
//! `/proc/*/fd`, elsewhere `lsof`), which `litestream replicate` processes watch them, whether
//! they exist and are SQLite files. Nothing here runs unless a command names a local file that
//! could be a database.

use std::io::Read;
use std::path::Path;
use std::process::Command;

use super::glob;

/// A process holding a file open.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Holder {
    pub pid: u32,
    pub path: String,
}

#[derive(Debug, Default)]
pub struct Procs {
    /// Open files (absolute paths) and who holds them.
    pub held: Vec<Holder>,
    /// Processes whose open files could not be read (another user's), with their command lines.
    pub hidden: Vec<(u32, String)>,
    /// `litestream replicate` processes: pid, command line, working directory.
    pub replicators: Vec<(u32, Vec<String>, Option<String>)>,
    /// False when neither `/proc` nor `lsof` could be used: nothing is known.
    pub available: bool,
    /// `held` by path.
    index: std::sync::OnceLock<std::collections::HashMap<String, Vec<usize>>>,
}

impl Procs {
    pub fn scan() -> Procs {
        if Path::new("/proc/self/fd").is_dir() {
            scan_proc()
        } else {
            scan_lsof()
        }
    }

    /// Who holds `path`, or (for a directory, when `inside`) any file under it.
    pub fn holding(&self, path: &str, inside: bool) -> Vec<&Holder> {
        if !inside && !glob::is_pattern(path) {
            // The common question, asked for every part of every database a command names:
            // answered from an index built once.
            let index = self.index.get_or_init(|| {
                let mut m: std::collections::HashMap<String, Vec<usize>> = std::collections::HashMap::new();
                for (i, h) in self.held.iter().enumerate() {
                    m.entry(h.path.clone()).or_default().push(i);
                }
                m
            });
            return index
                .get(path)
                .map(|v| v.iter().map(|&i| &self.held[i]).collect())
                .unwrap_or_default();
        }
        self.held
            .iter()
            .filter(|h| {
                h.path == path
                    || (inside && h.path.strip_prefix(path).is_some_and(|r| r.starts_with('/')))
                    || (glob::is_pattern(path) && glob::matches(path, &h.path))
            })
            .collect()
    }

    /// `litestream replicate` processes that name `db` on their command line or in their config.
    pub fn replicating(&self, db: &str) -> Vec<u32> {
        let mut out = Vec::new();
        for (pid, args, cwd) in &self.replicators {
            if args.iter().any(|a| a == db) {
                out.push(*pid);
                continue;
            }
            let config = args
                .iter()
                .position(|a| a == "-config" || a == "--config")
                .and_then(|i| args.get(i + 1).cloned())
                .or_else(|| {
                    args.iter().find_map(|a| {
                        a.strip_prefix("-config=")
                            .or_else(|| a.strip_prefix("--config="))
                            .map(str::to_string)
                    })
                })
                .unwrap_or_else(|| "/etc/litestream.yml".to_string());
            let config = match (config.starts_with('/'), cwd) {
                (false, Some(c)) => format!("{c}/{config}"),
                _ => config,
            };
            let text = super::regular::read(Path::new(&config), crate::limits::MAX_CONFIG_BYTES);
            if text.is_some_and(|t| String::from_utf8_lossy(&t).contains(db)) {
                out.push(*pid);
            }
        }
        out
    }

    /// Processes whose files are hidden from us but whose command line mentions `needle`.
    pub fn hidden_mentioning(&self, needle: &str) -> Vec<u32> {
        self.hidden
            .iter()
            .filter(|(_, cmd)| cmd.contains(needle))
            .map(|(p, _)| *p)
            .collect()
    }
}

/// The command line of a process, for messages (`python3 writer.py`).
pub fn command_of(pid: u32) -> String {
    let raw = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
    let s: Vec<String> = raw
        .split(|b| *b == 0)
        .filter(|p| !p.is_empty())
        .map(|p| String::from_utf8_lossy(p).into_owned())
        .collect();
    let s = s.join(" ");
    if s.is_empty() {
        std::fs::read_to_string(format!("/proc/{pid}/comm"))
            .map(|c| c.trim().to_string())
            .unwrap_or_else(|_| "?".into())
    } else if s.chars().count() > 80 {
        format!("{}…", s.chars().take(80).collect::<String>())
    } else {
        s
    }
}

fn cmdline(pid: &str) -> Vec<String> {
    std::fs::read(format!("/proc/{pid}/cmdline"))
        .unwrap_or_default()
        .split(|b| *b == 0)
        .filter(|p| !p.is_empty())
        .map(|p| String::from_utf8_lossy(p).into_owned())
        .collect()
}

fn scan_proc() -> Procs {
    let mut procs = Procs {
        available: true,
        ..Procs::default()
    };
    let me = std::process::id().to_string();
    let Ok(entries) = std::fs::read_dir("/proc") else {
        procs.available = false;
        return procs;
    };
    for e in entries.flatten() {
        let name = e.file_name();
        let Some(pid) = name.to_str() else { continue };
        if pid == me || !pid.bytes().all(|b| b.is_ascii_digit()) {
            continue;
        }
        let Ok(pid_n) = pid.parse::<u32>() else {
            continue;
        };
        let args = cmdline(pid);
        // `litestream replicate …`, also when started through an interpreter line
        // (`/bin/sh /usr/local/bin/litestream replicate …`).
        let is_litestream = args.iter().take(2).any(|a| a.rsplit('/').next() == Some("litestream"));
        if is_litestream && args.iter().any(|a| a == "replicate") {
            let cwd = std::fs::read_link(format!("/proc/{pid}/cwd"))
                .ok()
                .and_then(|p| p.to_str().map(str::to_string));
            procs.replicators.push((pid_n, args.clone(), cwd));
        }
        match std::fs::read_dir(format!("/proc/{pid}/fd")) {
            Ok(fds) => {
                for fd in fds.flatten() {
                    let Ok(target) = std::fs::read_link(fd.path()) else {
                        continue;
                    };
                    let Some(t) = target.to_str() else { continue };
                    if !t.starts_with('/')
                        || t.starts_with("/dev/")
                        || t.starts_with("/proc/")
                        || t.starts_with("/sys/")
                        || t.ends_with(" (deleted)")
                    {
                        continue;
                    }
                    procs.held.push(Holder {
                        pid: pid_n,
                        path: t.to_string(),
                    });
                }
            }
            Err(_) => {
                if !args.is_empty() {
                    procs.hidden.push((pid_n, args.join(" ")));
                }
            }
        }
    }
    procs
}

fn scan_lsof() -> Procs {
    let mut procs = Procs::default();
    let Ok(out) = Command::new("lsof").args(["-n", "-P", "-F", "pn"]).output() else {
        return procs;
    };
    procs.available = true;
    let me = std::process::id();
    let mut pid = 0u32;
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        if let Some(p) = line.strip_prefix('p') {
            pid = p.parse().unwrap_or(0);
        } else if let Some(n) = line.strip_prefix('n') {
            if pid != me && n.starts_with('/') && !n.starts_with("/dev/") {
                procs.held.push(Holder {
                    pid,
                    path: n.to_string(),
                });
            }
        }
    }
    procs
}

pub fn exists(path: &str) -> bool {
    std::fs::symlink_metadata(path).is_ok()
}

/// True when the file starts with the SQLite header.
pub fn is_sqlite(path: &str) -> bool {
    let mut buf = [0u8; 16];
    super::regular::open(Path::new(path))
        .and_then(|mut f| f.read_exact(&mut buf))
        .is_ok()
        && &buf == b"SQLite format 3\0"
}

/// Local files matching a pattern whose wildcards are all in the last path segment.
pub fn expand(pat: &str) -> Vec<String> {
    let (dir, name) = match pat.rfind('/') {
        Some(0) => ("/", &pat[1..]),
        Some(i) => (&pat[..i], &pat[i + 1..]),
        None => return Vec::new(),
    };
    if glob::is_pattern(dir) {
        return Vec::new();
    }
    let dir = glob::unescape(dir);
    let mut out: Vec<String> = std::fs::read_dir(&dir)
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| e.file_name().to_str().map(str::to_string))
        .filter(|n| glob::matches(name, n) && (!n.starts_with('.') || name.starts_with('.')))
        .map(|n| format!("{}/{n}", dir.trim_end_matches('/')))
        .take(crate::limits::MAX_GLOB_MATCHES)
        .collect();
    out.sort();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sees_its_own_open_file() {
        let dir = std::env::temp_dir().join(format!("lg-local-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("held.sqlite3");
        std::fs::write(&file, b"SQLite format 3\0rest").unwrap();
        let path = file.to_str().unwrap().to_string();
        // A child holds the file open (the scan skips the guard's own process).
        let mut child = Command::new("sh")
            .arg("-c")
            .arg(format!("exec 3<'{path}'; sleep 5"))
            .spawn()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(150));
        let procs = Procs::scan();
        let held = procs.holding(&path, false);
        let inside = procs.holding(dir.to_str().unwrap(), true);
        let _ = child.kill();
        let _ = child.wait();
        assert!(is_sqlite(&path));
        if procs.available {
            assert!(!held.is_empty(), "{:?}", procs.held);
            assert_eq!(inside.len(), held.len());
        }
        assert_eq!(expand(&format!("{}/*.sqlite3", dir.display())), [path]);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
