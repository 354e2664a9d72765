//! Rules about how Litestream runs in the app (the runner model of `crate::runner`): whether
//! anything runs it, whether replication really starts in production, and whether two
//! Litestreams replicate the same database.

pub mod background;
pub mod credential_fallback;
pub mod exec_split;
pub mod never_started;
pub mod nothing_runs;
pub mod restore_args;
pub mod restore_failure;
pub mod restore_sidecars;
pub mod two_runners;

use super::Rule;

pub static RULES: &[&Rule] = &[
    &nothing_runs::RULE,
    &never_started::RULE,
    &two_runners::RULE,
    &background::RULE,
    &exec_split::RULE,
    &restore_args::RULE,
    &restore_failure::RULE,
    &restore_sidecars::RULE,
    &credential_fallback::RULE,
];
