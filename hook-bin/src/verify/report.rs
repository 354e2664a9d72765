//! What `verify` found, as one line per database and a summary for people, or as JSON with the
//! same facts. Rendering returns a string; `main` prints it after one last pass through
//! [`super::scrub::Secrets::scrub`].

use std::fmt::Write as _;

use serde::Serialize;

use super::clock;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum State {
    /// The backup restores, is intact and is fresh.
    Ok,
    /// It restores, but it is older than allowed or does not receive new changes.
    Stale,
    /// It does not restore, is damaged, or holds something else.
    Broken,
    /// There is no backup.
    Missing,
    /// It could not be checked (credentials, endpoint, binary, config).
    Error,
}

impl State {
    pub fn as_str(self) -> &'static str {
        match self {
            State::Ok => "ok",
            State::Stale => "stale",
            State::Broken => "broken",
            State::Missing => "missing",
            State::Error => "error",
        }
    }
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct BackupPoint {
    /// RFC 3339, UTC.
    pub time: String,
    /// `generation …` (0.3) or `TXID …` (0.5).
    pub position: String,
    pub age_seconds: f64,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct TableRows {
    pub table: String,
    pub live: Option<u64>,
    pub backup: Option<u64>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Live {
    /// Same schema and row counts as the restored copy.
    pub caught_up: bool,
    /// When the live database last changed (its file or WAL), RFC 3339.
    pub last_change: Option<String>,
    /// How far the backup is behind that change, when it is behind.
    pub behind_seconds: Option<f64>,
    pub schema_differences: Vec<String>,
    pub tables: Vec<TableRows>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Limit {
    pub max_age_seconds: f64,
    /// `--max-age`, or what the default was derived from.
    pub source: String,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct SentinelReport {
    pub arrived: bool,
    /// Seconds from writing the row to the restore that held it, or waited in vain.
    pub seconds: f64,
    pub note: String,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct DbReport {
    pub database: String,
    pub replica: Option<String>,
    pub location: String,
    pub state: State,
    pub reason: String,
    pub backup: Option<BackupPoint>,
    pub integrity: Option<String>,
    /// `null` when the live database is not on this machine.
    pub live: Option<Live>,
    pub limit: Option<Limit>,
    pub sentinel: Option<SentinelReport>,
    pub restore_seconds: Option<f64>,
    pub restored_bytes: Option<u64>,
    /// Stale unless another database shows that Litestream runs (see `freshness`): the stale
    /// reason, and the text to start an ok reason with if one does.
    #[serde(skip)]
    pub idle_or_stopped: Option<(String, String)>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Tool {
    pub path: String,
    pub version: String,
    pub found_by: String,
    /// The line the config is for and how that is known (`None`: nothing says).
    pub config_line: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct Summary {
    pub ok: usize,
    pub stale: usize,
    pub broken: usize,
    pub missing: usize,
    pub error: usize,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Report {
    pub litestream: Tool,
    pub databases: Vec<DbReport>,
    pub summary: Summary,
    /// How the freshness limits were set.
    pub max_age: String,
    pub exit: u8,
}

impl Report {
    pub fn new(litestream: Tool, databases: Vec<DbReport>, max_age: String) -> Report {
        let mut s = Summary::default();
        for d in &databases {
            match d.state {
                State::Ok => s.ok += 1,
                State::Stale => s.stale += 1,
                State::Broken => s.broken += 1,
                State::Missing => s.missing += 1,
                State::Error => s.error += 1,
            }
        }
        // A backup known to be bad outranks one that could not be checked.
        let exit = if s.stale + s.broken + s.missing > 0 {
            1
        } else if s.error > 0 {
            2
        } else {
            0
        };
        Report {
            litestream,
            databases,
            summary: s,
            max_age,
            exit,
        }
    }

    pub fn json(&self) -> String {
        serde_json::to_string_pretty(self).expect("report serializes") + "\n"
    }

    pub fn text(&self, color: bool) -> String {
        let paint = |code: &str, t: &str| {
            if color {
                format!("\x1b[{code}m{t}\x1b[0m")
            } else {
                t.to_string()
            }
        };
        let mut out = String::new();
        let l = &self.litestream;
        let _ = writeln!(
            out,
            "Litestream {} ({}, found by {}){}",
            l.version,
            l.path,
            l.found_by,
            l.config_line.as_deref().map(|c| format!("; {c}")).unwrap_or_default()
        );
        let width = self
            .databases
            .iter()
            .map(|d| label(d).chars().count())
            .max()
            .unwrap_or(0);
        for d in &self.databases {
            let state = d.state.as_str();
            let code = match d.state {
                State::Ok => "1;32",
                State::Stale => "1;33",
                State::Error => "1;35",
                _ => "1;31",
            };
            let age = d
                .backup
                .as_ref()
                .map_or_else(|| "-".to_string(), |b| clock::span(b.age_seconds));
            let _ = writeln!(
                out,
                "{}{}  {:<width$}  {:>6}  {}",
                paint(code, state),
                " ".repeat(7 - state.len()),
                label(d),
                age,
                d.reason
            );
        }
        let s = &self.summary;
        let mut parts = Vec::new();
        for (n, w) in [
            (s.ok, "ok"),
            (s.stale, "stale"),
            (s.broken, "broken"),
            (s.missing, "missing"),
            (s.error, "not checked"),
        ] {
            if n > 0 {
                parts.push(format!("{n} {w}"));
            }
        }
        let n = self.databases.len();
        let _ = writeln!(
            out,
            "{n} database{}: {}; max age: {}",
            if n == 1 { "" } else { "s" },
            parts.join(", "),
            self.max_age
        );
        out
    }
}

fn label(d: &DbReport) -> String {
    match &d.replica {
        Some(r) => format!("{} ({r})", d.database),
        None => d.database.clone(),
    }
}
