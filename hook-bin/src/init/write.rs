//! Writing the planned files as one transaction.
//!
//! 1. Each file is resolved: a symbolic link is written through to its target (never replaced
//!    by a copy); a dangling link, a hard-linked file or anything but a regular file is refused.
//! 2. Each file must still hold the text the plan was computed from: an edit made while init
//!    ran is never overwritten.
//! 3. Each new text goes to a temporary file next to its target (same filesystem, so the rename
//!    is atomic) and is synced.
//! 4. With SIGINT, SIGTERM, SIGHUP and SIGQUIT held back, a journal naming every staged file is
//!    written and synced; the files are checked once more, renamed over their targets, and the
//!    journal is removed. A signal that arrives meanwhile takes effect after the last rename.
//!
//! Only SIGKILL (or a crash) can stop step 4 part way: every file is then either its old text
//! or its new one, and the next run of init ([`recover`]) finds the journal and finishes the
//! renames, or, with no journal, removes the temporary files the interrupted run left.

use std::fs;
use std::io::Write as _;
use std::os::unix::fs::MetadataExt as _;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::error::InitError;
use crate::source::{read_text, Reach};

/// One file to write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// Relative to the app root, for messages and diffs.
    pub rel: String,
    pub path: PathBuf,
    /// `None` when the file does not exist yet.
    pub old: Option<String>,
    pub new: String,
}

/// The journal of a commit in progress, in the app's `config/` folder.
pub const JOURNAL: &str = "config/.litestream-guard-init.journal";
const TEMP_MARK: &str = ".litestream-guard-";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
struct Identity {
    dev: u64,
    ino: u64,
    size: u64,
    mtime_ns: i64,
}

impl Identity {
    fn of(path: &Path) -> Option<Identity> {
        let m = fs::symlink_metadata(path).ok()?;
        Some(Identity {
            dev: m.dev(),
            ino: m.ino(),
            size: m.size(),
            mtime_ns: m.mtime() * 1_000_000_000 + m.mtime_nsec(),
        })
    }

    fn same_file(&self, other: &Identity) -> bool {
        self.dev == other.dev && self.ino == other.ino
    }
}

#[derive(Debug, Serialize, Deserialize)]
struct Entry {
    rel: String,
    /// The real file (a link's target).
    target: PathBuf,
    temp: PathBuf,
    /// The target as it was when the journal was written (`None`: it did not exist).
    before: Option<Identity>,
    staged: Identity,
}

#[derive(Debug, Serialize, Deserialize)]
struct Journal {
    pid: u32,
    entries: Vec<Entry>,
}

fn temp_path(target: &Path) -> PathBuf {
    let name = target.file_name().and_then(|n| n.to_str()).unwrap_or("file");
    target.with_file_name(format!(".{name}{TEMP_MARK}{}.tmp", std::process::id()))
}

/// Where a change really goes, and how it is shown.
struct Resolved<'a> {
    change: &'a Change,
    target: PathBuf,
    /// Set when `change.path` is a symbolic link.
    link: bool,
}

fn resolve(c: &Change) -> Result<Resolved<'_>, InitError> {
    let refuse = |why: String| InitError::Write {
        file: c.rel.clone(),
        why,
    };
    let meta = match fs::symlink_metadata(&c.path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            // A new file; its folder may itself be reached through a link, which is fine.
            return Ok(Resolved {
                change: c,
                target: c.path.clone(),
                link: false,
            });
        }
        Err(e) => return Err(refuse(e.to_string())),
    };
    let link = meta.file_type().is_symlink();
    let target = if link {
        fs::canonicalize(&c.path).map_err(|_| {
            let to = fs::read_link(&c.path).map(|t| t.display().to_string()).unwrap_or_default();
            refuse(format!(
                "it is a symbolic link to `{to}`, which does not exist; init writes through links but does not create their targets: create the file there, or replace the link by a file"
            ))
        })?
    } else {
        c.path.clone()
    };
    let real = fs::metadata(&target).map_err(|e| refuse(e.to_string()))?;
    if !real.is_file() {
        return Err(refuse(format!("{} is not a regular file", target.display())));
    }
    if real.nlink() > 1 {
        return Err(refuse(format!(
            "it has {} hard links: replacing it would leave the other names with the old text; make it a single file (or a symbolic link) and run init again",
            real.nlink()
        )));
    }
    Ok(Resolved {
        change: c,
        target,
        link,
    })
}

/// The text a file holds now, as init would compare it with what it read.
fn current(target: &Path) -> Option<String> {
    read_text(target, Reach::Anywhere).ok()
}

fn unchanged(r: &Resolved) -> Result<(), InitError> {
    let now = if r.target.symlink_metadata().is_ok() {
        Some(current(&r.target))
    } else {
        None
    };
    let same = match (&r.change.old, now) {
        (None, None) => true,
        // A file the plan could not read as text (replaced with --force) is judged by that.
        (None, Some(None)) => true,
        (Some(old), Some(Some(now))) => *old == now,
        _ => false,
    };
    if same {
        Ok(())
    } else {
        Err(InitError::Changed {
            file: r.change.rel.clone(),
        })
    }
}

fn stage(target: &Path, text: &str) -> std::io::Result<PathBuf> {
    let tmp = temp_path(target);
    let _ = fs::remove_file(&tmp);
    let mut f = fs::OpenOptions::new().write(true).create_new(true).open(&tmp)?;
    let result = (|| {
        f.write_all(text.as_bytes())?;
        if let Ok(meta) = fs::metadata(target) {
            fs::set_permissions(&tmp, meta.permissions())?;
        }
        f.sync_all()
    })();
    if let Err(e) = result {
        let _ = fs::remove_file(&tmp);
        return Err(e);
    }
    Ok(tmp)
}

fn sync_dir(dir: &Path) {
    if let Ok(d) = fs::File::open(dir) {
        let _ = d.sync_all();
    }
}

fn parent(p: &Path) -> &Path {
    p.parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
}

/// Writes a small file atomically (the journal itself).
fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let tmp = temp_path(path);
    {
        let mut f = fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
    }
    fs::rename(&tmp, path)?;
    sync_dir(parent(path));
    Ok(())
}

/// Holds SIGINT, SIGTERM, SIGHUP and SIGQUIT back while alive; on drop, any that arrived is
/// delivered (and ends the process, as it would have, after the commit).
struct HeldSignals(libc::sigset_t);

impl HeldSignals {
    fn hold() -> HeldSignals {
        // SAFETY: plain libc calls on a zeroed sigset_t that we own.
        unsafe {
            let mut set: libc::sigset_t = std::mem::zeroed();
            let mut old: libc::sigset_t = std::mem::zeroed();
            libc::sigemptyset(&mut set);
            for s in [libc::SIGINT, libc::SIGTERM, libc::SIGHUP, libc::SIGQUIT] {
                libc::sigaddset(&mut set, s);
            }
            libc::pthread_sigmask(libc::SIG_BLOCK, &set, &mut old);
            HeldSignals(old)
        }
    }
}

impl Drop for HeldSignals {
    fn drop(&mut self) {
        // SAFETY: restores the mask saved by `hold`.
        unsafe {
            libc::pthread_sigmask(libc::SIG_SETMASK, &self.0, std::ptr::null_mut());
        }
    }
}

/// An exclusive lock on the app's `config/` folder, so two inits never interleave. Released
/// by the kernel when the process ends, however it ends.
struct AppLock(#[allow(dead_code)] fs::File);

impl AppLock {
    fn take(root: &Path) -> Result<AppLock, InitError> {
        use std::os::fd::AsRawFd as _;
        let dir = root.join("config");
        let f = fs::File::open(&dir).map_err(|e| InitError::Write {
            file: "config/".into(),
            why: e.to_string(),
        })?;
        // SAFETY: flock on a descriptor we own.
        if unsafe { libc::flock(f.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) } != 0 {
            return Err(InitError::Busy);
        }
        Ok(AppLock(f))
    }
}

/// What a write did, beyond the plan's own account (links written through).
pub type Notes = Vec<String>;

/// Writes every change, or none.
pub fn write_all(root: &Path, changes: &[Change]) -> Result<Notes, InitError> {
    let _lock = AppLock::take(root)?;
    let resolved: Vec<Resolved> = changes.iter().map(resolve).collect::<Result<_, _>>()?;
    for r in &resolved {
        unchanged(r)?;
    }
    let mut created_dirs: Vec<PathBuf> = Vec::new();
    let mut staged: Vec<PathBuf> = Vec::new();
    let undo_stage = |staged: &[PathBuf], dirs: &[PathBuf]| {
        for t in staged {
            let _ = fs::remove_file(t);
        }
        for d in dirs.iter().rev() {
            let _ = fs::remove_dir(d);
        }
    };
    for r in &resolved {
        let dir = parent(&r.target);
        if !dir.exists() {
            if let Err(e) = fs::create_dir_all(dir) {
                undo_stage(&staged, &created_dirs);
                return Err(InitError::Write {
                    file: r.change.rel.clone(),
                    why: format!("cannot create {}: {e}", dir.display()),
                });
            }
            created_dirs.push(dir.to_path_buf());
        }
        match stage(&r.target, &r.change.new) {
            Ok(t) => staged.push(t),
            Err(e) => {
                undo_stage(&staged, &created_dirs);
                return Err(InitError::Write {
                    file: r.change.rel.clone(),
                    why: e.to_string(),
                });
            }
        }
    }

    let held = HeldSignals::hold();
    let journal_path = root.join(JOURNAL);
    let journal = Journal {
        pid: std::process::id(),
        entries: resolved
            .iter()
            .zip(&staged)
            .map(|(r, t)| Entry {
                rel: r.change.rel.clone(),
                target: r.target.clone(),
                temp: t.clone(),
                before: Identity::of(&r.target),
                staged: Identity::of(t).unwrap_or(Identity {
                    dev: 0,
                    ino: 0,
                    size: 0,
                    mtime_ns: 0,
                }),
            })
            .collect(),
    };
    let bytes = serde_json::to_vec(&journal).expect("plain data serializes");
    if let Err(e) = write_atomic(&journal_path, &bytes) {
        undo_stage(&staged, &created_dirs);
        return Err(InitError::Write {
            file: JOURNAL.into(),
            why: e.to_string(),
        });
    }
    // The last look before the renames: an edit made while the files were staged wins.
    if let Some(e) = resolved.iter().find_map(|r| unchanged(r).err()) {
        undo_stage(&staged, &created_dirs);
        let _ = fs::remove_file(&journal_path);
        return Err(e);
    }
    for (i, (r, tmp)) in resolved.iter().zip(&staged).enumerate() {
        if let Err(e) = fs::rename(tmp, &r.target) {
            // Put back what was already replaced, then drop the rest of the staged files.
            for done in &resolved[..i] {
                match &done.change.old {
                    Some(old) => {
                        if let Ok(t) = stage(&done.target, old) {
                            let _ = fs::rename(&t, &done.target);
                        }
                    }
                    None => {
                        let _ = fs::remove_file(&done.target);
                    }
                }
            }
            undo_stage(&staged[i..], &created_dirs);
            let _ = fs::remove_file(&journal_path);
            return Err(InitError::Write {
                file: r.change.rel.clone(),
                why: e.to_string(),
            });
        }
        sync_dir(parent(&r.target));
    }
    let _ = fs::remove_file(&journal_path);
    sync_dir(parent(&journal_path));
    drop(held);
    Ok(resolved
        .iter()
        .filter(|r| r.link)
        .map(|r| {
            format!(
                "{} is a symbolic link: wrote its target {}",
                r.change.rel,
                r.target.display()
            )
        })
        .collect())
}

/// Finishes or cleans up after an init that was killed. Returns what it did, for the user.
/// With `dry_run`, changes nothing and only says what the real run would do.
pub fn recover(root: &Path, candidates: &[PathBuf], dry_run: bool) -> Result<Notes, InitError> {
    let _lock = AppLock::take(root)?;
    let mut notes = Vec::new();
    let journal_path = root.join(JOURNAL);
    let mut journaled: Vec<PathBuf> = Vec::new();
    if let Ok(bytes) = fs::read(&journal_path) {
        let journal: Option<Journal> = serde_json::from_slice(&bytes).ok();
        match journal {
            Some(j) if dry_run => notes.push(format!(
                "an earlier init (process {}) was interrupted while it renamed its files into place; run init without --dry-run to finish it",
                j.pid
            )),
            Some(j) => {
                let (mut finished, mut left) = (Vec::new(), Vec::new());
                for e in &j.entries {
                    journaled.push(e.temp.clone());
                    let now = Identity::of(&e.target);
                    if now.is_some_and(|n| n.same_file(&e.staged)) {
                        continue; // renamed before the interruption
                    }
                    if Identity::of(&e.temp).is_none() {
                        continue;
                    }
                    if now == e.before && fs::rename(&e.temp, &e.target).is_ok() {
                        sync_dir(parent(&e.target));
                        finished.push(e.rel.clone());
                    } else {
                        let _ = fs::remove_file(&e.temp);
                        left.push(e.rel.clone());
                    }
                }
                let _ = fs::remove_file(&journal_path);
                sync_dir(parent(&journal_path));
                let mut s = format!(
                    "an earlier init (process {}) was interrupted while it renamed its files into place",
                    j.pid
                );
                if finished.is_empty() {
                    s.push_str("; every file had been written");
                } else {
                    s.push_str(&format!("; finished writing {}", finished.join(", ")));
                }
                if !left.is_empty() {
                    s.push_str(&format!(
                        "; left {} as it is now, since it changed after the interruption",
                        left.join(", ")
                    ));
                }
                notes.push(s);
            }
            None if dry_run => notes.push(format!("{JOURNAL} is unreadable; run init without --dry-run to remove it")),
            None => {
                let _ = fs::remove_file(&journal_path);
                notes.push(format!("removed an unreadable {JOURNAL} left by an interrupted init"));
            }
        }
    }
    // Temporary files of runs that died before their journal: the old files are intact.
    let mut dirs: Vec<PathBuf> = vec![root.join("config"), root.join(".kamal")];
    for c in candidates {
        if let Ok(real) = fs::canonicalize(c) {
            dirs.push(parent(&real).to_path_buf());
        }
    }
    dirs.sort();
    dirs.dedup();
    let mut removed = Vec::new();
    for d in dirs {
        for e in fs::read_dir(&d).into_iter().flatten().flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            let Some(pid) = stale_temp_pid(&name) else { continue };
            let path = e.path();
            if journaled.contains(&path) || alive(pid) {
                continue;
            }
            if !dry_run {
                let _ = fs::remove_file(&path);
            }
            removed.push(path.display().to_string());
        }
    }
    if !removed.is_empty() {
        notes.push(format!(
            "{} {} temporary file{} an interrupted init left ({}); the files it was writing are as they were",
            if dry_run { "would remove" } else { "removed" },
            removed.len(),
            if removed.len() == 1 { "" } else { "s" },
            removed.join(", ")
        ));
    }
    Ok(notes)
}

/// `.<name>.litestream-guard-<pid>.tmp` → the pid.
fn stale_temp_pid(name: &str) -> Option<i32> {
    let body = name.strip_prefix('.')?.strip_suffix(".tmp")?;
    let (_, pid) = body.rsplit_once(TEMP_MARK)?;
    pid.parse().ok().filter(|p: &i32| *p > 0)
}

fn alive(pid: i32) -> bool {
    if pid as u32 == std::process::id() {
        return false;
    }
    // SAFETY: signal 0 only asks whether the process exists.
    let r = unsafe { libc::kill(pid, 0) };
    r == 0 || std::io::Error::last_os_error().raw_os_error() == Some(libc::EPERM)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn app(label: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("lg-write-{label}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&d);
        fs::create_dir_all(d.join("config")).unwrap();
        d
    }

    /// The state SIGKILL leaves between two renames: one file already new, one staged, the
    /// journal naming both.
    fn interrupted(root: &Path) -> (PathBuf, PathBuf) {
        let (a, b) = (root.join("config/a.yml"), root.join("config/b.yml"));
        fs::write(&a, "old a").unwrap();
        fs::write(&b, "old b").unwrap();
        let (ta, tb) = (stage(&a, "new a").unwrap(), stage(&b, "new b").unwrap());
        let entries = [(&a, &ta, "config/a.yml"), (&b, &tb, "config/b.yml")]
            .iter()
            .map(|(t, s, rel)| Entry {
                rel: rel.to_string(),
                target: t.to_path_buf(),
                temp: s.to_path_buf(),
                before: Identity::of(t),
                staged: Identity::of(s).unwrap(),
            })
            .collect();
        let j = Journal { pid: 1, entries };
        write_atomic(&root.join(JOURNAL), &serde_json::to_vec(&j).unwrap()).unwrap();
        fs::rename(&ta, &a).unwrap();
        (a, b)
    }

    #[test]
    fn recovery_finishes_an_interrupted_commit() {
        let root = app("finish");
        let (a, b) = interrupted(&root);
        let dry = recover(&root, &[], true).unwrap();
        assert!(dry[0].contains("run init without --dry-run"), "{dry:?}");
        assert_eq!(fs::read_to_string(&b).unwrap(), "old b", "--dry-run changed a file");
        let notes = recover(&root, &[], false).unwrap();
        assert_eq!(fs::read_to_string(&a).unwrap(), "new a");
        assert_eq!(fs::read_to_string(&b).unwrap(), "new b");
        assert!(notes[0].contains("finished writing config/b.yml"), "{notes:?}");
        assert!(!root.join(JOURNAL).exists());
        assert_eq!(
            fs::read_dir(root.join("config")).unwrap().count(),
            2,
            "temporary files left"
        );
        let _ = fs::remove_dir_all(&root);
    }

    #[test]
    fn recovery_keeps_an_edit_made_after_the_interruption() {
        let root = app("keep");
        let (_, b) = interrupted(&root);
        std::thread::sleep(std::time::Duration::from_millis(5));
        fs::write(&b, "the user's edit, longer").unwrap();
        let notes = recover(&root, &[], false).unwrap();
        assert_eq!(fs::read_to_string(&b).unwrap(), "the user's edit, longer");
        assert!(notes[0].contains("left config/b.yml as it is now"), "{notes:?}");
        assert_eq!(
            fs::read_dir(root.join("config")).unwrap().count(),
            2,
            "temporary files left"
        );
        let _ = fs::remove_dir_all(&root);
    }

    #[test]
    fn a_file_changed_since_it_was_read_is_not_overwritten() {
        let root = app("changed");
        let path = root.join("config/deploy.yml");
        fs::write(&path, "service: edited meanwhile\n").unwrap();
        let c = Change {
            rel: "config/deploy.yml".into(),
            path: path.clone(),
            old: Some("service: as read\n".into()),
            new: "service: from init\n".into(),
        };
        let fresh = Change {
            rel: "config/litestream.yml".into(),
            path: root.join("config/litestream.yml"),
            old: None,
            new: "dbs: []\n".into(),
        };
        assert_eq!(
            write_all(&root, &[fresh, c]),
            Err(InitError::Changed {
                file: "config/deploy.yml".into()
            })
        );
        assert_eq!(fs::read_to_string(&path).unwrap(), "service: edited meanwhile\n");
        assert!(!root.join("config/litestream.yml").exists());
        assert_eq!(fs::read_dir(root.join("config")).unwrap().count(), 1);
        let _ = fs::remove_dir_all(&root);
    }

    #[test]
    fn temp_names() {
        assert_eq!(stale_temp_pid(".deploy.yml.litestream-guard-123.tmp"), Some(123));
        assert_eq!(stale_temp_pid(".secrets.litestream-guard-9.tmp"), Some(9));
        assert_eq!(stale_temp_pid("deploy.yml"), None);
        assert_eq!(stale_temp_pid(".x.litestream-guard-abc.tmp"), None);
    }
}
