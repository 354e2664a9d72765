//! `litestream-guard plan-restore`: the one restore procedure, generated for this app. The skill's
//! runbook, the `/litestream-restore` command and the Bash guard's deny reasons all point here;
//! nothing else spells the steps out.
//!
//! The plan follows how Litestream runs (`crate::runner`): through a Kamal accessory, the restore
//! runs in a new accessory container and the swap in a new app container; with the litestream-ruby
//! gem or a binary in the image, both run in a new app container. Each step is one command that
//! the user types locally, and what it runs where:
//! - Kamal joins `app exec`/`accessory exec` words into the `docker run … IMAGE CMD` line the
//!   host's shell reads, so a step's container command is a single command or `sh -c '…'`, with no
//!   `$`, `"` or backquote a shell on the way could expand (`kamal app exec "a && b"` would run `b`
//!   on the host);
//! - `app exec` runs once per role and host: steps name one role (`--roles`) and one host
//!   (`--primary`);
//! - a stop is proven by `details` (Kamal's stops exit 0 even when they fail);
//! - the old database leaves together with its `-wal`, `-shm` and `.<db>-litestream` folder, into a
//!   folder beside it, and nothing is deleted.

mod build;
mod render;

pub use build::{plan, Options, PlanError};
pub use render::{json, text};

use serde::Serialize;

/// Where a step's command runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Where {
    /// On the machine Kamal runs on (read-only checks, kamal stop/start).
    Local,
    /// In a new container of the app's image (`kamal app exec`).
    AppContainer,
    /// In a new container of the Litestream accessory's image (`kamal accessory exec`).
    LitestreamContainer,
}

/// What a step does, for tools that follow a plan (the tests, the guard).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Inspect,
    StopApp,
    StopLitestream,
    ProveStopped,
    Restore,
    IntegrityCheck,
    MoveAside,
    PutInPlace,
    StartLitestream,
    StartApp,
    ProveStarted,
    Verify,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Step {
    pub n: usize,
    pub kind: Kind,
    pub title: String,
    /// What to type (a kamal command, or the command itself where there is no Kamal).
    pub command: String,
    pub runs: Where,
    /// The command as it runs in the container (`None` for local commands).
    pub in_container: Option<String>,
    /// What the output must show before the next step.
    pub expect: String,
    /// The database this step is about (its path in the app container), if one.
    pub database: Option<String>,
}

/// One database of the plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlanDb {
    /// The database.yml entry (`primary`, `queue`, …), when one matches.
    pub name: Option<String>,
    /// The path in litestream.yml, as Litestream names the database to restore.
    pub litestream_path: String,
    /// Where the app opens it, in the app container.
    pub app_path: String,
    /// Where the restored copy is written, in the container that restores.
    pub restored: String,
    /// The same file, in the app container.
    pub restored_in_app: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Plan {
    /// `accessory`, `gem` or `image`.
    pub runner: &'static str,
    pub litestream_version: String,
    pub destination: Option<String>,
    pub timestamp: Option<String>,
    pub new_host: bool,
    pub databases: Vec<PlanDb>,
    /// Where the old files go, beside each database.
    pub aside: String,
    pub steps: Vec<Step>,
    /// What follows from the choices (point in time and Solid Queue/Cache, several hosts, …).
    pub notes: Vec<String>,
}
