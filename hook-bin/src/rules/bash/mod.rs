//! Rules of the Bash guard (`litestream-guard hook` on a PreToolUse Bash event, and
//! `litestream-guard guard -- CMD`). The guard in `crate::guard` evaluates them itself, so each
//! rule here is documentation and identity only (`check: None`).

pub mod backups;
pub mod data;
pub mod files;
pub mod invocation;
pub mod restore;
pub mod unparsed;

pub use backups::DESTROY_BACKUPS;
pub use data::DESTROY_LIVE_DATA;
pub use files::LIVE_FILE_CLOBBERED;
pub use invocation::{ENTRYPOINT_MISMATCH, EXEC_PART_ON_HOST, FLAG_AFTER_PATH, FLAG_WRONG_VERSION};
pub use restore::{RESTORE_FORCE, RESTORE_OVER_LIVE, STALE_SIDECARS};
pub use unparsed::UNPARSED_MENTIONS_DB;

use super::Rule;

pub static RULES: &[&Rule] = &[
    &restore::RESTORE_OVER_LIVE,
    &restore::RESTORE_FORCE,
    &restore::STALE_SIDECARS,
    &files::LIVE_FILE_CLOBBERED,
    &backups::DESTROY_BACKUPS,
    &invocation::ENTRYPOINT_MISMATCH,
    &invocation::FLAG_AFTER_PATH,
    &invocation::FLAG_WRONG_VERSION,
    &unparsed::UNPARSED_MENTIONS_DB,
    &data::DESTROY_LIVE_DATA,
    &invocation::EXEC_PART_ON_HOST,
];
