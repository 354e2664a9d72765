//! litestream-guard: checks Litestream + Kamal 2 setups of Rails 8 SQLite apps, and guards the
//! shell commands that can destroy their data.

pub mod app;
pub mod check;
pub mod diag;
pub mod duration;
pub mod explain;
pub mod guard;
pub mod hook;
pub mod init;
pub mod kamal;
pub mod limits;
pub mod litestream;
pub mod policy;
pub mod project;
pub mod rails;
pub mod redact;
pub mod render;
pub mod restore;
pub mod rules;
pub mod runner;
pub mod shell_words;
pub mod source;
pub mod suggest;
pub mod verify;
pub mod version;
pub mod yaml;
