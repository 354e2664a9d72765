//! The private folder restores go to: created fresh with mode 0700 in the system's temporary
//! folder, never beside a live database or inside its storage folder (a restored copy there
//! could be mistaken for, or replayed into, the real one), and removed when `verify` ends.

use std::io;
use std::path::{Path, PathBuf};

#[derive(Debug)]
pub struct Private {
    path: PathBuf,
}

#[derive(Debug)]
pub enum TempError {
    /// The temporary folder lies inside a folder that holds a live database.
    InsideStorage {
        temp: PathBuf,
        storage: PathBuf,
    },
    Io(PathBuf, io::Error),
}

impl std::fmt::Display for TempError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TempError::InsideStorage { temp, storage } => write!(
                f,
                "the temporary folder {} is inside {}, which holds a live database; set TMPDIR to a folder outside it",
                temp.display(),
                storage.display()
            ),
            TempError::Io(p, e) => write!(f, "cannot create a private folder in {}: {e}", p.display()),
        }
    }
}

fn canonical(p: &Path) -> PathBuf {
    std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf())
}

impl Private {
    /// Creates `<TMPDIR>/litestream-guard-verify-<pid>-<n>` (0700). `storage` are the folders of
    /// the live databases; the new folder must not be inside any of them.
    pub fn create(storage: &[PathBuf]) -> Result<Private, TempError> {
        let base = canonical(&std::env::temp_dir());
        for s in storage {
            let s = canonical(s);
            if base.starts_with(&s) {
                return Err(TempError::InsideStorage { temp: base, storage: s });
            }
        }
        let mut builder = std::fs::DirBuilder::new();
        #[cfg(unix)]
        {
            use std::os::unix::fs::DirBuilderExt;
            builder.mode(0o700);
        }
        for n in 0..1000u32 {
            let path = base.join(format!("litestream-guard-verify-{}-{n}", std::process::id()));
            match builder.create(&path) {
                Ok(()) => return Ok(Private { path }),
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
                Err(e) => return Err(TempError::Io(base, e)),
            }
        }
        Err(TempError::Io(
            base,
            io::Error::new(io::ErrorKind::AlreadyExists, "no free name"),
        ))
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// A fresh, empty subfolder for one restore (removed with [`Private::clear`]).
    pub fn slot(&self, n: usize) -> Result<PathBuf, TempError> {
        let p = self.path.join(n.to_string());
        let _ = std::fs::remove_dir_all(&p);
        std::fs::create_dir(&p).map_err(|e| TempError::Io(self.path.clone(), e))?;
        Ok(p)
    }

    /// Removes one restore's files as soon as they have been checked (databases can be large).
    pub fn clear(&self, slot: &Path) {
        let _ = std::fs::remove_dir_all(slot);
    }
}

impl Drop for Private {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.path);
    }
}

/// Total bytes of the files directly in `dir` (what a restore has written so far).
pub fn bytes_in(dir: &Path) -> u64 {
    std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| e.metadata().ok())
        .filter(|m| m.is_file())
        .map(|m| m.len())
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_and_removed() {
        let p = Private::create(&[]).unwrap();
        let dir = p.path().to_path_buf();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(std::fs::metadata(&dir).unwrap().permissions().mode() & 0o777, 0o700);
        }
        let slot = p.slot(0).unwrap();
        std::fs::write(slot.join("x"), b"abc").unwrap();
        assert_eq!(bytes_in(&slot), 3);
        drop(p);
        assert!(!dir.exists());
    }

    #[test]
    fn refuses_a_temp_folder_inside_storage() {
        let tmp = std::env::temp_dir();
        let err = Private::create(std::slice::from_ref(&tmp)).unwrap_err();
        assert!(matches!(err, TempError::InsideStorage { .. }), "{err}");
    }
}
