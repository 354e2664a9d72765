//! Writing the planned files all or nothing: each new text goes to a temporary file in the same
//! directory (same filesystem, so the rename is atomic), is synced, and only when every
//! temporary file is ready are they renamed over the originals. If a rename fails, the files
//! already renamed get their old text back.

use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use super::error::InitError;

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

fn temp_path(path: &Path) -> PathBuf {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("file");
    path.with_file_name(format!(".{name}.litestream-guard-{}.tmp", std::process::id()))
}

fn stage(c: &Change) -> std::io::Result<PathBuf> {
    let tmp = temp_path(&c.path);
    let _ = fs::remove_file(&tmp);
    let mut f = fs::OpenOptions::new().write(true).create_new(true).open(&tmp)?;
    let result = (|| {
        f.write_all(c.new.as_bytes())?;
        if let Ok(meta) = fs::metadata(&c.path) {
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

/// Writes every change, or none.
pub fn write_all(changes: &[Change]) -> Result<(), InitError> {
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
    for c in changes {
        let dir = c.path.parent().unwrap_or(Path::new("."));
        if !dir.exists() {
            if let Err(e) = fs::create_dir_all(dir) {
                undo_stage(&staged, &created_dirs);
                return Err(InitError::Write {
                    file: c.rel.clone(),
                    why: format!("cannot create {}: {e}", dir.display()),
                });
            }
            created_dirs.push(dir.to_path_buf());
        }
        match stage(c) {
            Ok(t) => staged.push(t),
            Err(e) => {
                undo_stage(&staged, &created_dirs);
                return Err(InitError::Write {
                    file: c.rel.clone(),
                    why: e.to_string(),
                });
            }
        }
    }
    for (i, (c, tmp)) in changes.iter().zip(&staged).enumerate() {
        if let Err(e) = fs::rename(tmp, &c.path) {
            // Put back what was already replaced, then drop the rest of the staged files.
            for done in &changes[..i] {
                match &done.old {
                    Some(old) => {
                        let back = Change {
                            new: old.clone(),
                            ..done.clone()
                        };
                        if let Ok(t) = stage(&back) {
                            let _ = fs::rename(&t, &done.path);
                        }
                    }
                    None => {
                        let _ = fs::remove_file(&done.path);
                    }
                }
            }
            undo_stage(&staged[i..], &created_dirs);
            return Err(InitError::Write {
                file: c.rel.clone(),
                why: e.to_string(),
            });
        }
        sync_dir(c.path.parent().unwrap_or(Path::new(".")));
    }
    Ok(())
}
