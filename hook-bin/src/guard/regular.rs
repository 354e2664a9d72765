//! Opening the files the guard reads (the transcript, the session state, files in storage, a
//! `litestream replicate` config): regular files only. A FIFO would block `open` until a writer
//! comes (and a hook that hangs lets the command through when Claude Code times it out); a device
//! or a `/proc` file is not data the guard should read. The file is opened without blocking and
//! checked after opening, so a path swapped between a check and the open cannot slip through.

use std::fs::File;
use std::io::{self, Read};
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

/// Opens `path` for reading when it is a regular file (symlinks followed), never blocking.
pub fn open(path: &Path) -> io::Result<File> {
    // `/proc` and `/sys` files look regular: refuse them by where they really are.
    let real = std::fs::canonicalize(path)?;
    if ["/proc", "/sys", "/dev"].iter().any(|p| real.starts_with(p)) {
        return Err(io::Error::other("not a regular file"));
    }
    let file = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY)
        .open(&real)?;
    if !file.metadata()?.file_type().is_file() {
        return Err(io::Error::other("not a regular file"));
    }
    Ok(file)
}

/// Reads at most `max` bytes of a regular file; `None` when it is not one or is larger.
pub fn read(path: &Path, max: u64) -> Option<Vec<u8>> {
    let file = open(path).ok()?;
    let mut buf = Vec::new();
    file.take(max + 1).read_to_end(&mut buf).ok()?;
    (buf.len() as u64 <= max).then_some(buf)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_regular_files() {
        let dir = std::env::temp_dir().join(format!("lg-regular-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let fifo = dir.join("fifo");
        let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
        // Without a writer, a blocking open would hang here.
        assert!(open(&fifo).is_err());
        assert!(open(&dir).is_err());
        assert!(open(Path::new("/dev/null")).is_err());
        assert!(open(Path::new("/proc/self/environ")).is_err());
        let link = dir.join("environ");
        std::os::unix::fs::symlink("/proc/self/environ", &link).unwrap();
        assert!(open(&link).is_err());
        let f = dir.join("f");
        std::fs::write(&f, b"abc").unwrap();
        assert_eq!(read(&f, 3).as_deref(), Some(&b"abc"[..]));
        assert_eq!(read(&f, 2), None);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
