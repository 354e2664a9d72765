//! The Bash guard (work in progress).

pub mod glob;
pub mod shell;
pub mod words;
