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
    TooLarge { bytes: u64, limit: u64 },
    Binary { pos: Pos },
    NotUtf8 { pos: Pos },
}

pub use crate::limits::MAX_CONFIG_BYTES;

impl Source {
    pub fn new(path: impl Into<PathBuf>, display: impl Into<String>, text: String) -> Source {
        Source {
            path: path.into(),
            display: display.into(),
            text,
        }
    }

    /// Reads a file, refusing oversized, binary and non-UTF-8 content with a precise position.
    pub fn read(path: &Path, display: String) -> Result<Source, (String, ReadProblem)> {
        let meta = std::fs::metadata(path).map_err(|e| (display.clone(), ReadProblem::Io(e.to_string())))?;
        if meta.len() > MAX_CONFIG_BYTES {
            return Err((
                display,
                ReadProblem::TooLarge {
                    bytes: meta.len(),
                    limit: MAX_CONFIG_BYTES,
                },
            ));
        }
        let bytes = std::fs::read(path).map_err(|e| (display.clone(), ReadProblem::Io(e.to_string())))?;
        match Source::decode(bytes) {
            Ok(text) => Ok(Source::new(path, display, text)),
            Err(p) => Err((display, p)),
        }
    }

    /// Turns bytes into text, or says where they stop being text.
    pub fn decode(bytes: Vec<u8>) -> Result<String, ReadProblem> {
        if bytes.len() as u64 > MAX_CONFIG_BYTES {
            return Err(ReadProblem::TooLarge {
                bytes: bytes.len() as u64,
                limit: MAX_CONFIG_BYTES,
            });
        }
        if let Some(i) = bytes.iter().position(|&b| b == 0) {
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
            ReadProblem::TooLarge { bytes, limit } => {
                write!(
                    f,
                    "the file is {bytes} bytes; config files over {limit} bytes are not checked"
                )
            }
            ReadProblem::Binary { .. } => write!(f, "the file contains a NUL byte: it is binary, not YAML text"),
            ReadProblem::NotUtf8 { .. } => write!(f, "the file is not valid UTF-8 from here on"),
        }
    }
}
