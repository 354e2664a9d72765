//! Helpers for the `init` tests: copies of the example apps, running the binary, snapshots of
//! every file's bytes, and `check --format json` summaries.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use crate::support::real::{guard_bin, repo_root, run, Outcome, TempDir};

pub mod session;

/// A fresh copy of `examples/<name>` in its own temporary directory; the app is at `.path()`.
pub fn example(name: &str, label: &str) -> TempDir {
    let tmp = TempDir::new(label);
    copy_dir(&repo_root().join("examples").join(name), tmp.path());
    tmp
}

pub fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for e in fs::read_dir(from).unwrap_or_else(|e| panic!("read {}: {e}", from.display())) {
        let e = e.unwrap();
        let dst = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &dst);
        } else {
            fs::copy(e.path(), &dst).unwrap();
        }
    }
}

/// Every file under `dir` (relative path → bytes), to prove that nothing changed.
pub fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    fn walk(base: &Path, dir: &Path, out: &mut BTreeMap<PathBuf, Vec<u8>>) {
        let Ok(rd) = fs::read_dir(dir) else { return };
        for e in rd.flatten() {
            let p = e.path();
            if e.file_type().map(|t| t.is_dir()).unwrap_or(false) {
                out.insert(p.strip_prefix(base).unwrap().join(""), Vec::new());
                walk(base, &p, out);
            } else {
                out.insert(
                    p.strip_prefix(base).unwrap().to_path_buf(),
                    fs::read(&p).unwrap_or_default(),
                );
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

/// `litestream-guard <args>` with a 60 s limit.
pub fn guard(args: &[&str]) -> Outcome {
    let mut c = Command::new(guard_bin());
    c.args(args).env("NO_COLOR", "1");
    run(&mut c, Duration::from_secs(60))
}

/// `litestream-guard init APP <args>`.
pub fn init(app: &Path, args: &[&str]) -> Outcome {
    let mut all = vec!["init", app.to_str().unwrap()];
    all.extend_from_slice(args);
    guard(&all)
}

/// Counts of a `check --format json` run: (errors, warnings, infos) and the raw output.
pub struct Checked {
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
    pub json: serde_json::Value,
    pub raw: String,
}

pub fn check(app: &Path) -> Checked {
    let o = guard(&["check", "--format", "json", app.to_str().unwrap()]);
    let json: serde_json::Value =
        serde_json::from_str(&o.stdout).unwrap_or_else(|e| panic!("check output is not JSON ({e}): {}", o.combined()));
    let count = |sev: &str| {
        json["findings"]
            .as_array()
            .map(|a| a.iter().filter(|f| f["severity"] == sev).count())
            .unwrap_or(0)
    };
    Checked {
        errors: count("error"),
        warnings: count("warning"),
        infos: count("info"),
        json: json.clone(),
        raw: o.stdout.clone(),
    }
}

pub fn read(app: &Path, rel: &str) -> String {
    fs::read_to_string(app.join(rel)).unwrap_or_else(|e| panic!("read {rel}: {e}"))
}

/// Asserts that every line of `old` appears in `new`, in the same order.
pub fn assert_lines_kept(old: &str, new: &str, what: &str) {
    let new_lines: Vec<&str> = new.lines().collect();
    let mut j = 0;
    for (i, l) in old.lines().enumerate() {
        while j < new_lines.len() && new_lines[j] != l {
            j += 1;
        }
        assert!(
            j < new_lines.len(),
            "{what}: original line {} ({l:?}) is missing or out of order in:\n{new}",
            i + 1
        );
        j += 1;
    }
}

// ---------------------------------------------------------------------------------------------
// Real-component setups: what init generates, pointed at a local folder.

/// An app that `init` set up for the S3 server on loopback, and the generated litestream.yml
/// with only the `/rails/storage` prefix rewritten to a local folder.
pub struct Generated {
    pub tmp: TempDir,
    pub app: PathBuf,
    /// Where the databases live (what `/rails/storage` became).
    pub storage: PathBuf,
    /// The rewritten config (next to the app, not inside it).
    pub config: PathBuf,
    /// (database file, replica path in the bucket) per `dbs` entry, in order.
    pub dbs: Vec<(PathBuf, String)>,
}

pub const BUCKET: &str = "fresh-backups";

/// The endpoint `init` is given: `check` rightly refuses a loopback endpoint for an app that
/// Kamal deploys (in its containers nothing serves S3 on localhost), so the test generates for
/// this name and points the generated config at the server on loopback afterwards.
pub const STAND_IN_ENDPOINT: &str = "http://s3.storage.test:9000";

/// `init --provider custom --endpoint <stand-in> --litestream <v>` on a copy of examples/fresh,
/// then the generated config with `/rails/storage` replaced by `<tmp>/<folder>` and the
/// stand-in endpoint by `endpoint` (the S3 server on loopback).
pub fn generate(v: crate::support::real::Version, endpoint: &str, label: &str, folder: &str) -> Generated {
    let tmp = TempDir::new(&format!("{label}-{}", v.full()));
    let app = tmp.join("app");
    copy_dir(&repo_root().join("examples/fresh"), &app);
    let o = init(
        &app,
        &[
            "--provider",
            "custom",
            "--endpoint",
            STAND_IN_ENDPOINT,
            "--bucket",
            BUCKET,
            "--litestream",
            v.short(),
        ],
    );
    assert!(o.success(), "init: {}", o.combined());
    let c = check(&app);
    assert_eq!(c.errors, 0, "check after init:\n{}", c.raw);
    let generated = read(&app, "config/litestream.yml");
    let storage = tmp.join(folder);
    let rewritten = generated
        .replace("/rails/storage/", &format!("{}/", storage.display()))
        .replace(STAND_IN_ENDPOINT, endpoint);
    // Only the four `- path:` lines and the endpoint lines change.
    let changed: Vec<(&str, &str)> = generated
        .lines()
        .zip(rewritten.lines())
        .filter(|(a, b)| a != b)
        .collect();
    let paths = changed
        .iter()
        .filter(|(a, _)| a.starts_with("  - path: /rails/storage/"))
        .count();
    assert_eq!(paths, 4, "expected 4 rewritten paths: {changed:?}");
    assert!(
        changed
            .iter()
            .all(|(a, _)| a.starts_with("  - path: /rails/storage/") || a.trim_start().starts_with("endpoint: ")),
        "{changed:?}"
    );
    let config = tmp.join("litestream.yml");
    fs::write(&config, &rewritten).unwrap();
    let mut dbs: Vec<(PathBuf, String)> = Vec::new();
    for l in rewritten.lines() {
        let t = l.trim_start();
        if let Some(p) = t.strip_prefix("- path: ") {
            dbs.push((PathBuf::from(p), String::new()));
        } else if let Some(p) = t.strip_prefix("path: ") {
            dbs.last_mut().expect("replica after db").1 = p.to_string();
        }
    }
    assert_eq!(dbs.len(), 4, "{rewritten}");
    assert!(dbs.iter().all(|(_, r)| !r.is_empty()), "{dbs:?}");
    Generated {
        tmp,
        app,
        storage,
        config,
        dbs,
    }
}

impl Generated {
    /// `production`, `production_cache`, … (the file stem), used as row labels.
    pub fn label(i: &(PathBuf, String)) -> String {
        i.0.file_stem().unwrap().to_string_lossy().into_owned()
    }
}

/// The log line each version prints once per database when its first snapshot is uploaded.
pub fn snapshot_marker(v: crate::support::real::Version) -> &'static str {
    match v {
        crate::support::real::Version::V03 => "snapshot written",
        crate::support::real::Version::V05 => "snapshot complete",
    }
}

/// Objects that carry WAL changes (not snapshots): 0.3 `…/wal/…`, 0.5 level-0 LTX `…/0000/…`.
pub fn change_objects(v: crate::support::real::Version, keys: &[String]) -> usize {
    let marker = match v {
        crate::support::real::Version::V03 => "/wal/",
        crate::support::real::Version::V05 => "/0000/",
    };
    keys.iter().filter(|k| k.contains(marker)).count()
}

/// The app as it runs before a restore: every database of `g` open in WAL mode with 100 rows
/// (batch 0), `litestream replicate -config config` snapshotting all of them, then 50 more rows
/// (batch 1) in the first database, uploaded. The connections are the app holding the files.
pub fn running_app(
    g: &Generated,
    v: crate::support::real::Version,
    config: &Path,
    moto: &crate::support::real::Moto,
    log: PathBuf,
) -> (Vec<rusqlite::Connection>, crate::support::real::Replicator) {
    use crate::support::real::{create_items, insert_batch, open_wal, Replicator};
    let mut conns: Vec<rusqlite::Connection> = g
        .dbs
        .iter()
        .map(|d| {
            let mut c = open_wal(&d.0);
            create_items(&c);
            insert_batch(&mut c, &Generated::label(d), 0, 100);
            c
        })
        .collect();
    let mut rep = Replicator::start(v, config, &g.app, log);
    assert!(
        rep.wait_log(snapshot_marker(v), g.dbs.len(), Duration::from_secs(60)),
        "Litestream {}: no snapshots:\n{}",
        v.full(),
        rep.log_text()
    );
    write_uploaded(g, v, moto, &mut conns[0], 1);
    (conns, rep)
}

/// Writes batch `batch` (50 rows) into the first database through `conn` and waits until a new
/// change object of it is in the bucket.
pub fn write_uploaded(
    g: &Generated,
    v: crate::support::real::Version,
    moto: &crate::support::real::Moto,
    conn: &mut rusqlite::Connection,
    batch: i64,
) {
    let prefix = format!("{}/", g.dbs[0].1);
    let base = change_objects(v, &moto.list_keys(BUCKET, &prefix));
    crate::support::real::insert_batch(conn, &Generated::label(&g.dbs[0]), batch, 50);
    crate::support::real::wait_for(Duration::from_secs(30), Duration::from_millis(200), || {
        (change_objects(v, &moto.list_keys(BUCKET, &prefix)) > base).then_some(())
    })
    .unwrap_or_else(|| panic!("Litestream {}: batch {batch} not uploaded", v.full()));
}
