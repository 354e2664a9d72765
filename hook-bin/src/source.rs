//! Source files as the checker sees them: a display path, the text, and 1-based positions.
//!
//! Positions are produced by the parsers (YAML, dotenv) and stored on their trees; rules only
//! pass them along.

use std::fmt;
use std::path::{Path, PathBuf};

/// A 1-based line and column (columns count characters, not bytes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct Pos {
    pub line: usize,
    pub col: usize,
}

impl Pos {
    pub const START: Pos = Pos { line: 1, col: 1 };

    pub fn new(line: usize, col: usize) -> Pos {
        Pos { line, col }
    }
}

impl fmt::Display for Pos {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.line, self.col)
    }
}

/// A position in one of the project's files (`src` indexes the file table).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct Loc {
    pub src: u16,
    pub pos: Pos,
}

/// One input file. `display` is how findings name it (relative to where the user pointed us).
#[derive(Debug, Clone)]
pub struct Source {
    pub path: PathBuf,
    pub display: String,
    pub text: String,
}

/// Why a file could not be turned into text. Each carries a position where one makes sense.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReadProblem {
    Io(String),
    TooLarge {
        limit: u64,
    },
    Binary {
        pos: Pos,
    },
    NotUtf8 {
        pos: Pos,
    },
    /// A FIFO, device, socket, directory, or a file of /proc, /sys or /dev: reading it could
    /// block forever or never end.
    NotRegular {
        what: &'static str,
    },
    /// A symbolic link to nothing.
    DanglingLink {
        target: PathBuf,
    },
    /// The app's config files together are larger than this: the rest are not read.
    AppTooLarge {
        limit: u64,
    },
    /// A symbolic link that leads out of the app: its target is not read, so no message can
    /// quote it.
    Outside {
        target: PathBuf,
    },
}

pub use crate::limits::MAX_CONFIG_BYTES;

/// Which files a read may reach through symbolic links.
#[derive(Debug, Clone, Copy)]
pub enum Reach<'a> {
    /// Only files whose real path lies in this folder (the app root).
    Within(&'a Path),
    /// Any regular file (a secrets file the user keeps outside the repository on purpose).
    Anywhere,
}

/// Reads a config file's bytes without ever blocking or reading without bound: the type is
/// checked with `stat` before opening, the file is opened non-blocking and checked again on the
/// open descriptor, and at most [`MAX_CONFIG_BYTES`] + 1 bytes are read.
pub fn read_bytes(path: &Path, reach: Reach) -> Result<Vec<u8>, ReadProblem> {
    let io = |e: std::io::Error| ReadProblem::Io(e.to_string());
    let real = std::fs::canonicalize(path).map_err(|e| match std::fs::read_link(path) {
        Ok(to) if e.kind() == std::io::ErrorKind::NotFound => ReadProblem::DanglingLink { target: to },
        _ => io(e),
    })?;
    if let Reach::Within(root) = reach {
        let root = std::fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf());
        if !real.starts_with(&root) {
            return Err(ReadProblem::Outside { target: real });
        }
    }
    if ["/proc", "/sys", "/dev"].iter().any(|p| real.starts_with(p)) {
        return Err(ReadProblem::NotRegular {
            what: "a file of the kernel's /proc, /sys or /dev",
        });
    }
    // The path may be swapped for a FIFO between `stat` and `open`: what was opened is judged too.
    let file = open_regular(&real)?;
    let len = file.metadata().map_err(io)?.len();
    if len > MAX_CONFIG_BYTES {
        return Err(ReadProblem::TooLarge {
            limit: MAX_CONFIG_BYTES,
        });
    }
    let mut bytes = Vec::with_capacity(len as usize);
    use std::io::Read as _;
    file.take(MAX_CONFIG_BYTES + 1).read_to_end(&mut bytes).map_err(io)?;
    if bytes.len() as u64 > MAX_CONFIG_BYTES {
        return Err(ReadProblem::TooLarge {
            limit: MAX_CONFIG_BYTES,
        });
    }
    Ok(bytes)
}

/// Reads a config file as text ([`read_bytes`], then [`Source::decode`]).
pub fn read_text(path: &Path, reach: Reach) -> Result<String, ReadProblem> {
    Source::decode(read_bytes(path, reach)?)
}

/// Where a config file may lead through symbolic links: inside the app root (with no app, the
/// folder it was named in). A secrets file may lead anywhere: keeping it outside the repository
/// behind a link is how people keep secrets out of git, and only its variable names are shown.
pub fn reach_for<'a>(root: Option<&'a Path>, path: &'a Path, secrets: bool) -> Reach<'a> {
    if secrets {
        return Reach::Anywhere;
    }
    let folder = || {
        path.parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."))
    };
    Reach::Within(root.unwrap_or_else(folder))
}

fn regular(meta: &std::fs::Metadata) -> Result<(), ReadProblem> {
    use std::os::unix::fs::FileTypeExt as _;
    let t = meta.file_type();
    let what = if t.is_file() {
        return Ok(());
    } else if t.is_dir() {
        "a directory"
    } else if t.is_fifo() {
        "a named pipe (FIFO)"
    } else if t.is_socket() {
        "a socket"
    } else if t.is_char_device() || t.is_block_device() {
        "a device"
    } else {
        "not a regular file"
    };
    Err(ReadProblem::NotRegular { what })
}

fn open_nonblocking(path: &Path) -> std::io::Result<std::fs::File> {
    use std::os::unix::fs::OpenOptionsExt as _;
    std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY | libc::O_NOFOLLOW)
        .open(path)
}

/// Opens a regular file for reading without ever blocking (a FIFO, a device or a socket is an
/// error, not a hang). For any reader of a path it did not choose (a transcript, a state file).
pub fn open_regular(path: &Path) -> Result<std::fs::File, ReadProblem> {
    let io = |e: std::io::Error| ReadProblem::Io(e.to_string());
    let real = std::fs::canonicalize(path).map_err(io)?;
    regular(&std::fs::metadata(&real).map_err(io)?)?;
    let file = open_nonblocking(&real).map_err(io)?;
    regular(&file.metadata().map_err(io)?)?;
    Ok(file)
}

impl Source {
    pub fn new(path: impl Into<PathBuf>, display: impl Into<String>, text: String) -> Source {
        Source {
            path: path.into(),
            display: display.into(),
            text,
        }
    }

    /// Reads a file, refusing oversized, binary and non-UTF-8 content with a precise position,
    /// and anything that is not a regular file inside the folder the file was named in.
    pub fn read(path: &Path, display: String) -> Result<Source, (String, ReadProblem)> {
        match read_text(path, reach_for(None, path, false)) {
            Ok(text) => Ok(Source::new(path, display, text)),
            Err(p) => Err((display, p)),
        }
    }

    /// Turns bytes into text, or says where they stop being text.
    pub fn decode(bytes: Vec<u8>) -> Result<String, ReadProblem> {
        if bytes.len() as u64 > MAX_CONFIG_BYTES {
            return Err(ReadProblem::TooLarge {
                limit: MAX_CONFIG_BYTES,
            });
        }
        if let Some(i) = memchr::memchr(0, &bytes) {
            return Err(ReadProblem::Binary {
                pos: pos_of_byte(&bytes, i),
            });
        }
        String::from_utf8(bytes).map_err(|e| {
            let i = e.utf8_error().valid_up_to();
            ReadProblem::NotUtf8 {
                pos: pos_of_byte(e.as_bytes(), i),
            }
        })
    }
}

/// Line and column of a byte offset, counting columns in characters of the valid prefix.
fn pos_of_byte(bytes: &[u8], offset: usize) -> Pos {
    let before = &bytes[..offset];
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let line_start = before.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
    let col = String::from_utf8_lossy(&before[line_start..]).chars().count() + 1;
    Pos { line, col }
}

impl fmt::Display for ReadProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReadProblem::Io(e) => write!(f, "cannot read the file: {e}"),
            // No byte count: the message must read the same before and after an edit of a big file.
            ReadProblem::TooLarge { limit } => write!(
                f,
                "the file is larger than {limit} bytes: config files this large are not checked"
            ),
            ReadProblem::DanglingLink { target } => write!(
                f,
                "this is a symbolic link to {}, which does not exist",
                target.display()
            ),
            ReadProblem::AppTooLarge { limit } => write!(
                f,
                "the app's config files together pass {limit} bytes here (a destination file counts with the deploy.yml it is merged over): this one is not checked"
            ),
            ReadProblem::NotRegular { what } => write!(
                f,
                "this is {what}, not a regular file: it is not read (reading it could block or never end)"
            ),
            ReadProblem::Outside { target } => write!(
                f,
                "this leads through a symbolic link to {}, outside the app: it is not read, so that no message quotes a file that is not the app's",
                target.display()
            ),
            ReadProblem::Binary { .. } => write!(f, "the file contains a NUL byte: it is binary, not YAML text"),
            ReadProblem::NotUtf8 { .. } => write!(f, "the file is not valid UTF-8 from here on"),
        }
    }
}
