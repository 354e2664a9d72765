//! `litestream-guard verify`: proves or disproves each database's backup by restoring it with
//! the real Litestream, checking the copy, and saying how fresh it is.
//!
//! Flow: find the config and the Litestream it is written for → pick a matching binary →
//! expand and read the config as that Litestream will → (with `--sentinel`) write a nonce into
//! each local live database → check every database ([`check`]) → remove the sentinel rows and
//! the private folder → report. Nothing but the sentinel table of a live database is written.

mod binary;
mod check;
mod classify;
mod clock;
mod commands;
mod compare;
mod config;
mod exec;
mod freshness;
mod listing;
mod messages;
mod progress;
mod report;
pub mod runner;
mod scrub;
mod signal;
mod sqlite;
mod tempdir;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

pub use report::{Report, State};
pub use scrub::Secrets;

use crate::project::{Overrides, Project};
use crate::version::{Line, Origin};
use binary::Expected;

pub struct Options {
    pub app_dir: PathBuf,
    pub config: Option<PathBuf>,
    pub litestream: Option<PathBuf>,
    /// Databases to check: a config path, a file name or stem, or a database.yml name.
    pub dbs: Vec<String>,
    pub max_age: Option<Duration>,
    pub sentinel: bool,
    /// How long a Litestream command may show no progress.
    pub timeout: Duration,
    /// Show a progress line on stderr.
    pub progress: bool,
}

pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(120);

/// Why `verify` could not run at all (exit 2).
#[derive(Debug)]
pub struct Fatal(pub String);

/// The result, and the scrubber every byte of output must pass through.
pub struct Outcome {
    pub result: Result<Report, Fatal>,
    pub secrets: Secrets,
}

fn absolute(p: &Path) -> PathBuf {
    std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf())
}

/// The line the config is written for: the version the runner model finds in the app (an
/// accessory's pinned image, the gem's Gemfile.lock, a release the Dockerfile installs), else the
/// shape of the file. The gem runs the binary `LITESTREAM_INSTALL_DIR` names instead of its own.
fn expected_line(app: &Path, text: &str) -> Option<Expected> {
    let mut p = Project::load_app(app, ".", &Overrides::new());
    p.finish(None);
    if let Some(c) = &p.version {
        if let Origin::Found { text: why, .. } = &c.origin {
            let gem = p.model.primary().is_some_and(|r| r.kind == crate::runner::Kind::Gem);
            if !(gem && std::env::var_os("LITESTREAM_INSTALL_DIR").is_some()) {
                return Some(Expected {
                    line: c.version.line,
                    why: why.clone(),
                });
            }
        }
    }
    config::line_hint(text).map(|(line, why)| Expected { line, why })
}

/// A binary of the other line, found the same way (PATH, runner), for recognising its backups.
fn other_line(app: &Path, line: Line) -> Option<binary::Binary> {
    let want = match line {
        Line::V03 => Line::V05,
        Line::V05 => Line::V03,
    };
    let e = Expected {
        line: want,
        why: String::new(),
    };
    binary::choose(None, app, Some(&e)).ok()
}

fn matches(t: &config::Target, key: &str, rails: &HashMap<String, String>) -> bool {
    let key_path = Path::new(key);
    let file = Path::new(&t.name).file_name().and_then(|f| f.to_str()).unwrap_or("");
    let stem = Path::new(&t.name).file_stem().and_then(|f| f.to_str()).unwrap_or("");
    t.name == key
        || file == key
        || stem == key
        || t.local == absolute(key_path)
        || rails
            .get(key)
            .is_some_and(|p| Path::new(&t.name).ends_with(p) || t.name.ends_with(p.as_str()))
}

/// database.yml's production names → their `database:` paths (for `--db queue`).
fn rails_names(app: &Path) -> HashMap<String, String> {
    let mut out = HashMap::new();
    let path = app.join("config/database.yml");
    let Ok(text) = crate::source::read_text(&path, crate::source::reach_for(Some(app), &path, false)) else {
        return out;
    };
    let masked = crate::yaml::mask_erb(&text);
    let Ok(Some(root)) = crate::yaml::load(masked.as_deref().unwrap_or(&text), &crate::yaml::Options::default()) else {
        return out;
    };
    for d in crate::rails::database::production_dbs(&root) {
        if let Some(p) = d.database.and_then(crate::yaml::Node::as_str) {
            out.insert(d.name.to_string(), p.trim_start_matches("./").to_string());
        }
    }
    out
}

pub fn run(opts: &Options) -> Outcome {
    signal::install();
    let mut secrets = Secrets::from_env([]);
    let result = run_inner(opts, &mut secrets);
    Outcome { result, secrets }
}

fn run_inner(opts: &Options, secrets: &mut Secrets) -> Result<Report, Fatal> {
    let app = absolute(&opts.app_dir);
    if !app.is_dir() {
        return Err(Fatal(format!("{} is not a folder", opts.app_dir.display())));
    }
    let (config_path, shown) = match &opts.config {
        Some(c) => (absolute(c), c.display().to_string()),
        None => (app.join("config/litestream.yml"), "config/litestream.yml".to_string()),
    };
    let text = config::read(&config_path, &shown).map_err(|e| Fatal(e.to_string()))?;
    let expected = expected_line(&app, &text);
    let bin = binary::choose(opts.litestream.as_deref(), &app, expected.as_ref()).map_err(Fatal)?;
    let cfg = config::load(&text, &shown, &app, bin.version).map_err(|e| Fatal(e.to_string()))?;
    for s in &cfg.secrets {
        secrets.add(s);
    }
    let cred_vars: Vec<String> = cfg.targets.iter().flat_map(|t| t.cred_vars.clone()).collect();
    for v in &cred_vars {
        if let Ok(val) = std::env::var(v) {
            secrets.add(&val);
        }
    }
    let mut targets = cfg.targets;
    if !opts.dbs.is_empty() {
        let rails = rails_names(&app);
        for k in &opts.dbs {
            if !targets.iter().any(|t| matches(t, k, &rails)) {
                let have: Vec<&str> = targets.iter().map(|t| t.name.as_str()).collect();
                return Err(Fatal(format!(
                    "no database `{k}` in {shown} (it has: {})",
                    have.join(", ")
                )));
            }
        }
        targets.retain(|t| opts.dbs.iter().any(|k| matches(t, k, &rails)));
    }
    let storage: Vec<PathBuf> = targets
        .iter()
        .filter_map(|t| t.local.parent().map(Path::to_path_buf))
        .filter(|p| p.is_dir())
        .collect();
    let private = tempdir::Private::create(&storage).map_err(|e| Fatal(e.to_string()))?;
    let mut sharing: HashMap<String, Vec<String>> = HashMap::new();
    for t in targets.iter().filter(|t| t.skip.is_none()) {
        let v = sharing.entry(t.location_key.clone()).or_default();
        if !v.contains(&t.name) {
            v.push(t.name.clone());
        }
    }
    let ctx = check::Ctx {
        bin: &bin,
        other: std::cell::OnceCell::new(),
        cwd: &app,
        config: &config_path,
        private: &private,
        secrets,
        timeout: opts.timeout,
        max_age: opts.max_age,
        names: targets.iter().map(|t| t.name.clone()).collect(),
        sharing,
    };
    let scrub_secrets = secrets.clone();
    let mut progress = progress::Progress::new(opts.progress, Box::new(move |s| scrub_secrets.scrub(s)));
    // Every nonce first, so that the waits for them overlap.
    let mut sentinels: HashMap<String, Result<sqlite::Sentinel, String>> = HashMap::new();
    if opts.sentinel {
        for t in targets.iter().filter(|t| t.skip.is_none()) {
            if sentinels.contains_key(&t.name) {
                continue;
            }
            let s = if t.local.is_file() && !t.in_app {
                Err(format!(
                    "{} is outside the app's folder, so it is not written (pass that folder as APP_DIR)",
                    t.local.display()
                ))
            } else if t.local.is_file() {
                sqlite::plant(&t.local)
            } else {
                Err(format!(
                    "the live database is not on this machine ({})",
                    t.local.display()
                ))
            };
            sentinels.insert(t.name.clone(), s);
        }
    }
    let mut memo = check::Memo::new();
    let mut reports = Vec::new();
    for (n, t) in targets.iter().enumerate() {
        if signal::stopped() {
            break;
        }
        let planted = sentinels.get(&t.name).and_then(|s| s.as_ref().ok());
        let mut r = check::check(&ctx, t, n, &mut memo, planted, &mut progress);
        if let Some(Err(why)) = sentinels.get(&t.name) {
            if r.state == State::Ok {
                r.state = State::Error;
                r.reason = format!("--sentinel not possible: {why}; {}", r.reason);
            }
        }
        r.reason = ctx.secrets.clean(&r.reason);
        reports.push(r);
    }
    progress.clear();
    settle_idle(&mut reports);
    for (name, s) in sentinels.iter_mut() {
        if let Ok(s) = s {
            if let Err(e) = s.remove() {
                eprintln!(
                    "{}",
                    ctx.secrets.scrub(&format!(
                        "litestream-guard verify: could not remove the sentinel row from {name} ({e}); delete it from table {}",
                        sqlite::SENTINEL_TABLE
                    ))
                );
            }
        }
    }
    if signal::stopped() {
        return Err(Fatal(
            "interrupted; the sentinel rows and restored copies were removed".into(),
        ));
    }
    let tool = report::Tool {
        path: bin.path.display().to_string(),
        version: bin.version.to_string(),
        found_by: bin.source.clone(),
        config_line: expected.map(|e| format!("the config is for {} ({})", e.line, e.why)),
    };
    let max_age = match opts.max_age {
        Some(d) => format!("{} (--max-age)", clock::go(d)),
        None => "the default of each database (its snapshot period + 2 × sync-interval + 15s)".into(),
    };
    Ok(Report::new(tool, reports, max_age))
}

/// An old 0.5 backup with no live database to compare is idle while another database of the
/// config has a backup that is fresh on its own; otherwise it stays stale.
fn settle_idle(reports: &mut [report::DbReport]) {
    let fresh: Vec<(String, f64)> = reports
        .iter()
        .filter(|r| r.state == State::Ok)
        .filter_map(|r| Some((r.database.clone(), r.backup.as_ref()?.age_seconds)))
        .collect();
    for r in reports.iter_mut() {
        let Some((_, ok_text)) = r.idle_or_stopped.take() else {
            continue;
        };
        let max = r.limit.as_ref().map_or(0.0, |l| l.max_age_seconds);
        let other = fresh
            .iter()
            .filter(|(n, _)| *n != r.database)
            .min_by(|a, b| a.1.total_cmp(&b.1))
            .map(|(n, a)| (n.as_str(), *a));
        if let Some(idle) = freshness::idle_or_stopped(max, other) {
            r.state = State::Ok;
            r.reason = format!("{ok_text}; {idle}");
        }
    }
}

/// Parses `--max-age` and `--timeout` values (Go durations, as in litestream.yml).
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    match crate::duration::parse_go(s) {
        Ok(ns) if ns > 0.0 => Ok(Duration::from_nanos(ns as u64)),
        Ok(_) => Err(format!("`{s}` is not a positive duration")),
        Err(crate::duration::DurationError::UnknownUnit { hours: Some(h), .. }) => Err(format!(
            "`{s}` is not a duration (units go up to hours: write {})",
            crate::duration::hours_literal(h)
        )),
        Err(_) => Err(format!("`{s}` is not a duration (write e.g. 90s, 15m, 2h)")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn db_names_match_paths_files_stems_and_rails_names() {
        let text = "dbs:\n  - path: storage/production_queue.sqlite3\n    replicas:\n      - url: s3://b/q\n";
        let v = crate::version::Version::parse("0.3.13").unwrap();
        let c = config::load(text, "x", Path::new("/app"), v).unwrap();
        let t = &c.targets[0];
        let rails: HashMap<String, String> =
            [("queue".to_string(), "storage/production_queue.sqlite3".to_string())].into();
        for k in [
            "storage/production_queue.sqlite3",
            "production_queue.sqlite3",
            "production_queue",
            "/app/storage/production_queue.sqlite3",
            "queue",
        ] {
            assert!(matches(t, k, &rails), "{k}");
        }
        for k in ["production", "cache", "storage"] {
            assert!(!matches(t, k, &rails), "{k}");
        }
    }

    #[test]
    fn durations_for_flags() {
        assert_eq!(parse_duration("90s"), Ok(Duration::from_secs(90)));
        assert!(parse_duration("0").is_err());
        assert!(parse_duration("7d").unwrap_err().ends_with("write 168h)"));
        assert!(parse_duration("soon").unwrap_err().contains("not a duration"));
    }
}
