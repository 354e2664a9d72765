//! The Bash guard (work in progress).

pub mod glob;
pub mod layout;
pub mod local;
pub mod ops;
pub mod session;
pub mod shell;
pub mod transcript;
pub mod words;
