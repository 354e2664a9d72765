//! litestream.yml as Litestream will read it on this machine: the raw text expanded from the
//! process environment (`litestream::expand`, the one expander), parsed by our YAML loader, and
//! turned into one [`Target`] per database and replica that a restore can be asked for.

use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::litestream::expand::{self, Var};
use crate::litestream::{self as ls, keys};
use crate::source::Source;
use crate::version::{Line, Version};
use crate::yaml::{self, Node};

/// One database and one of its replicas.
#[derive(Debug, Clone)]
pub struct Target {
    /// The database path as the config gives it (after expansion): how the user names it.
    pub name: String,
    /// What to pass to `litestream restore`; Litestream resolves it as it resolves the config.
    pub db_arg: String,
    /// Where the live database is on this machine, if it is.
    pub local: PathBuf,
    /// `local` lies inside the app's folder. Only such a database is read for comparison or
    /// gets a sentinel row: a config from an untrusted repository must not make `verify` read
    /// or write any other SQLite file on the machine.
    pub in_app: bool,
    /// `-replica NAME` (0.3, when a database has several replicas).
    pub replica_name: Option<String>,
    pub kind: String,
    /// Where the backup lives, for messages (never credentials).
    pub location: String,
    /// `host[:port]` of the endpoint (empty for the provider's default).
    pub endpoint: String,
    /// Two targets with the same key write into the same place.
    pub location_key: String,
    /// Targets with the same key share storage and credentials (and their failures).
    pub storage_key: String,
    /// The replica has no path: its files sit at the root of the bucket (or folder).
    pub root_path: bool,
    pub sync: Duration,
    pub snapshot: Snapshot,
    /// Variables the entry reads that are not set here (Litestream reads them as empty).
    pub unset: Vec<String>,
    /// Variables read into credential keys.
    pub cred_vars: Vec<String>,
    /// Why this entry is not restored, when it is not.
    pub skip: Option<Skip>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Skip {
    /// The config gives this database no backup Litestream would make.
    NotBackedUp(String),
    /// `verify` cannot check this kind of entry.
    CannotCheck(String),
}

/// The longest an idle database's replica goes without a new restorable position, as the
/// config makes Litestream behave.
#[derive(Debug, Clone)]
pub struct Snapshot {
    pub period: Duration,
    pub why: String,
    /// 0.3 writes snapshots of idle databases; 0.5 writes nothing while nothing changes.
    pub refreshes_idle: bool,
}

#[derive(Debug)]
pub struct Config {
    pub targets: Vec<Target>,
    /// Credential values after expansion (to keep them out of every message).
    pub secrets: Vec<String>,
}

#[derive(Debug)]
pub enum ConfigError {
    Missing(PathBuf),
    Unreadable(String),
    Yaml(String),
    NoDbs(String),
}

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ConfigError::Missing(p) => write!(
                f,
                "no Litestream config at {} (pass --config FILE, or run in the app's root)",
                p.display()
            ),
            ConfigError::Unreadable(m) | ConfigError::Yaml(m) | ConfigError::NoDbs(m) => f.write_str(m),
        }
    }
}

/// The config file's text, unexpanded.
pub fn read(path: &Path, shown: &str) -> Result<String, ConfigError> {
    if !path.exists() {
        return Err(ConfigError::Missing(path.to_path_buf()));
    }
    Source::read(path, shown.to_string())
        .map(|s| s.text)
        .map_err(|(d, p)| ConfigError::Unreadable(format!("{d}: {p}")))
}

fn parse(text: &str, shown: &str) -> Result<Node, ConfigError> {
    match yaml::load(text, &yaml::Options::default()) {
        Ok(Some(root)) if root.entries().is_some() => Ok(root),
        Ok(_) => Err(ConfigError::NoDbs(format!("{shown}: the file holds no `dbs:` mapping"))),
        Err(e) => Err(ConfigError::Yaml(format!("{shown}:{e}"))),
    }
}

/// Which line the file is written for, when its shape says so (used when nothing pins a version).
pub fn line_hint(text: &str) -> Option<(Line, String)> {
    let root = yaml::load(text, &yaml::Options::default()).ok()??;
    for k in ["snapshot", "levels", "l0-retention"] {
        if root.get(k).is_some() {
            return Some((
                Line::V05,
                format!("the config has a top-level `{k}:`, which only 0.5 reads"),
            ));
        }
    }
    let dbs = ls::dbs(&root);
    if !dbs.is_empty()
        && dbs
            .iter()
            .all(|d| d.replicas.iter().all(|r| r.singular) && !d.replicas.is_empty())
    {
        return Some((Line::V05, "the config uses `replica:`, which only 0.5 reads".into()));
    }
    if dbs
        .iter()
        .any(|d| d.replicas.iter().any(|r| r.node.get("age").is_some()))
    {
        return Some((Line::V03, "the config uses `age:` encryption, which 0.5 refuses".into()));
    }
    None
}

/// Looks a variable up the way Litestream `v` does: the process environment, and `$PID` as its
/// own process id on 0.5.7+ (here: ours).
pub fn lookup(v: Version) -> impl FnMut(&str) -> Var<'static> {
    move |name: &str| {
        if name == "PID" && v.v05_at_least(7) {
            return Var::Known(std::process::id().to_string().into());
        }
        match std::env::var_os(name) {
            Some(s) => Var::Known(s.to_string_lossy().into_owned().into()),
            None => Var::Unset,
        }
    }
}

fn scalars<'a>(n: &'a Node, out: &mut Vec<(&'a str, &'a str)>, key: &'a str) {
    if let Some(e) = n.entries() {
        for e in e {
            let k = e.key.as_str().unwrap_or("");
            if k == "dbs" {
                continue;
            }
            scalars(&e.value, out, k);
        }
    } else if let Some(items) = n.items() {
        for i in items {
            scalars(i, out, key);
        }
    } else if let Some(s) = n.as_str() {
        out.push((key, s));
    }
}

/// Variables named by the raw scalars of a database entry, its replica and the top level.
fn vars_of(raw_root: &Node, raw_db: Option<&Node>, raw_replica: Option<&Node>) -> (Vec<String>, Vec<String>) {
    let mut vals = Vec::new();
    scalars(raw_root, &mut vals, "");
    if let Some(d) = raw_db {
        for e in d.entries().unwrap_or(&[]) {
            let k = e.key.as_str().unwrap_or("");
            if k != "replica" && k != "replicas" {
                scalars(&e.value, &mut vals, k);
            }
        }
    }
    if let Some(r) = raw_replica {
        scalars(r, &mut vals, "");
    }
    let (mut all, mut cred) = (Vec::new(), Vec::new());
    for (k, v) in vals {
        for r in expand::references(v) {
            if r.kind == expand::RefKind::Name {
                if keys::is_credential_key(k) && !cred.contains(&r.name) {
                    cred.push(r.name.clone());
                }
                if !all.contains(&r.name) {
                    all.push(r.name);
                }
            }
        }
    }
    (all, cred)
}

fn duration(n: Option<&Node>) -> Option<Duration> {
    let s = n?.as_str()?;
    let ns = crate::duration::parse_go(s).ok()?;
    (ns > 0.0).then(|| Duration::from_nanos(ns as u64))
}

fn show(d: Duration) -> String {
    super::clock::go(d)
}

fn snapshot_of(root: &Node, db: &Node, rep: &ls::Replica, v: Version) -> Snapshot {
    match v.line {
        Line::V03 => {
            let retention = duration(rep.node.get("retention")).unwrap_or(Duration::from_secs(24 * 3600));
            let check = duration(rep.node.get("retention-check-interval"))
                .unwrap_or(Duration::from_secs(3600))
                .min(retention);
            let by_retention = retention + check;
            match duration(rep.node.get("snapshot-interval")) {
                Some(s) if s <= by_retention => Snapshot {
                    period: s,
                    why: format!("snapshot-interval {}", show(s)),
                    refreshes_idle: true,
                },
                _ => Snapshot {
                    period: by_retention,
                    why: format!(
                        "retention {} + retention-check-interval {} (0.3 snapshots when no snapshot is retained)",
                        show(retention),
                        show(check)
                    ),
                    refreshes_idle: true,
                },
            }
        }
        Line::V05 => {
            let own = db.get("snapshot").and_then(|s| s.get("interval"));
            let top = root.get("snapshot").and_then(|s| s.get("interval"));
            match duration(own).or(duration(top)) {
                Some(s) => Snapshot {
                    period: s,
                    why: format!("snapshot interval {}", show(s)),
                    refreshes_idle: false,
                },
                None => Snapshot {
                    period: Duration::from_secs(24 * 3600),
                    why: "the default snapshot interval 24h".into(),
                    refreshes_idle: false,
                },
            }
        }
    }
}

/// `host[:port]` of an endpoint, without scheme, userinfo or path.
fn endpoint_host(e: &str) -> String {
    let rest = e.split_once("://").map_or(e, |(_, r)| r);
    let auth = rest.split(['/', '?', '#']).next().unwrap_or("");
    auth.rsplit_once('@').map_or(auth, |(_, h)| h).to_string()
}

struct Place {
    kind: String,
    bucket: String,
    path: String,
    endpoint: String,
}

fn place(root: &Node, rep: &ls::Replica, v: Version) -> Place {
    let kind = rep.kind();
    let get = |k: &str| rep.setting(root, k, v).and_then(Node::as_str).unwrap_or("").to_string();
    let (mut bucket, mut path) = (get("bucket"), get("path"));
    if let Some(url) = rep.node.get("url").and_then(Node::as_str) {
        if let Some((host, p)) = ls::s3::url_parts(url) {
            let host = host.rsplit_once('@').map_or(host, |(_, h)| h);
            if bucket.is_empty() {
                bucket = host.to_string();
            }
            if path.is_empty() {
                path = p.to_string();
            }
        }
    }
    if kind == "file" && path.is_empty() {
        path = get("path");
    }
    let endpoint = endpoint_host(&get("endpoint"));
    Place {
        kind,
        bucket,
        path: path.trim_matches('/').to_string(),
        endpoint,
    }
}

impl Place {
    fn display(&self) -> String {
        let at = if self.endpoint.is_empty() {
            String::new()
        } else {
            format!(" at {}", self.endpoint)
        };
        match self.kind.as_str() {
            "file" => format!("file {}", if self.path.is_empty() { "(no path)" } else { &self.path }),
            k => format!("{k}://{}/{}{at}", self.bucket, self.path),
        }
    }
}

/// Resolves a database path as Litestream does (`~/`, relative to the working folder).
fn local_path(app: &Path, p: &str, v: Version) -> PathBuf {
    let mut p = p;
    if v.line == Line::V05 {
        p = p
            .strip_prefix("sqlite3://")
            .or_else(|| p.strip_prefix("sqlite://"))
            .unwrap_or(p);
    }
    if let Some(rest) = p.strip_prefix("~/") {
        if let Some(home) = std::env::var_os("HOME") {
            return PathBuf::from(home).join(rest);
        }
    }
    app.join(p)
}

fn inside(app: &Path, p: &Path) -> bool {
    let canon = |p: &Path| std::fs::canonicalize(p).ok();
    match (canon(app), p.parent().and_then(canon)) {
        (Some(a), Some(dir)) => dir.starts_with(a) && p.file_name().is_some(),
        _ => false,
    }
}

/// Expands and parses the config for Litestream `v`, run in the folder `app`.
pub fn load(text: &str, shown: &str, app: &Path, v: Version) -> Result<Config, ConfigError> {
    let expanded = expand::expand(text, lookup(v)).value.unwrap_or_default();
    let root = parse(&expanded, shown)?;
    let raw = yaml::load(text, &yaml::Options::default()).ok().flatten();
    let raw_dbs = raw.as_ref().map(ls::dbs).unwrap_or_default();
    let dbs = ls::dbs(&root);
    if dbs.is_empty() {
        return Err(ConfigError::NoDbs(format!("{shown}: `dbs:` lists no database")));
    }
    let mut targets = Vec::new();
    let mut secrets = Vec::new();
    for (i, db) in dbs.iter().enumerate() {
        let raw_db = raw_dbs.get(i).filter(|r| r.replicas.len() == db.replicas.len());
        let path = db.path.and_then(Node::as_str).unwrap_or("").to_string();
        let replicas: Vec<&ls::Replica> = db.replicas.iter().filter(|r| r.read_by(v)).collect();
        let several = replicas.len() > 1;
        let base = |skip: Option<Skip>| Target {
            name: if path.is_empty() {
                format!("dbs[{i}]")
            } else {
                path.clone()
            },
            db_arg: path.clone(),
            local: local_path(app, &path, v),
            in_app: inside(app, &local_path(app, &path, v)),
            replica_name: None,
            kind: String::new(),
            location: String::new(),
            endpoint: String::new(),
            location_key: format!("none-{i}"),
            storage_key: format!("none-{i}"),
            root_path: false,
            sync: Duration::from_secs(1),
            snapshot: Snapshot {
                period: Duration::from_secs(24 * 3600),
                why: String::new(),
                refreshes_idle: false,
            },
            unset: Vec::new(),
            cred_vars: Vec::new(),
            skip,
        };
        if db.node.get("dir").is_some() && path.is_empty() {
            targets.push(base(Some(Skip::CannotCheck(
                "this entry replicates a folder (`dir:`); name each database with its own `path:` to verify it".into(),
            ))));
            continue;
        }
        if path.is_empty() {
            targets.push(base(Some(Skip::CannotCheck("this entry has no `path:`".into()))));
            continue;
        }
        if replicas.is_empty() {
            let why = if v.line == Line::V03 && db.replicas.iter().any(|r| r.singular) {
                "Litestream 0.3 reads only `replicas:` (a list) and ignores `replica:`, so this database is not backed up"
            } else {
                "this database has no replica, so it is not backed up"
            };
            targets.push(base(Some(Skip::NotBackedUp(why.into()))));
            continue;
        }
        for (j, rep) in replicas.iter().enumerate() {
            let raw_rep = raw_db
                .and_then(|r| r.replicas.iter().filter(|r| r.read_by(v)).nth(j))
                .map(|r| r.node);
            let (vars, cred_vars) = vars_of(raw.as_ref().unwrap_or(&root), raw_db.map(|d| d.node), raw_rep);
            let mut look = lookup(v);
            let unset: Vec<String> = vars.into_iter().filter(|n| matches!(look(n), Var::Unset)).collect();
            for k in keys::CREDENTIAL_KEYS {
                if let Some(s) = rep.setting(&root, k, v).and_then(Node::as_str) {
                    secrets.push(s.to_string());
                }
            }
            let pl = place(&root, rep, v);
            let name_of = |r: &ls::Replica| {
                r.node
                    .get("name")
                    .and_then(Node::as_str)
                    .filter(|s| !s.is_empty())
                    .map_or_else(|| r.kind(), str::to_string)
            };
            let mut t = base(None);
            t.replica_name = several.then(|| name_of(rep));
            t.kind = pl.kind.clone();
            t.location = pl.display();
            t.endpoint = pl.endpoint.clone();
            t.location_key = format!("{}|{}|{}|{}", pl.kind, pl.endpoint, pl.bucket, pl.path);
            t.storage_key = format!("{}|{}|{}|{}", pl.kind, pl.endpoint, pl.bucket, cred_vars.join(","));
            t.root_path = pl.path.is_empty();
            t.sync = duration(rep.setting(&root, "sync-interval", v)).unwrap_or(Duration::from_secs(1));
            t.snapshot = snapshot_of(&root, db.node, rep, v);
            t.unset = unset;
            t.cred_vars = cred_vars;
            targets.push(t);
        }
    }
    Ok(Config { targets, secrets })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> Version {
        Version::parse(s).unwrap()
    }

    #[test]
    fn gem_style_config_resolves_like_litestream() {
        let text = "dbs:\n  - path: storage/production.sqlite3\n    replicas:\n      - type: s3\n        bucket: $LSG_TEST_BUCKET\n        path: storage/production.sqlite3\n        endpoint: http://user:pw@127.0.0.1:9000\n        access-key-id: $LSG_TEST_KEY\n        secret-access-key: ${LSG_TEST_UNSET_SECRET}\n        sync-interval: 5s\n        snapshot-interval: 1h\n";
        std::env::set_var("LSG_TEST_BUCKET", "b1");
        std::env::set_var("LSG_TEST_KEY", "AKIAEXAMPLE");
        let c = load(text, "litestream.yml", Path::new("/app"), v("0.3.13")).unwrap();
        let t = &c.targets[0];
        assert_eq!(t.db_arg, "storage/production.sqlite3");
        assert_eq!(t.local, PathBuf::from("/app/storage/production.sqlite3"));
        assert_eq!(t.location, "s3://b1/storage/production.sqlite3 at 127.0.0.1:9000");
        assert_eq!(t.cred_vars, vec!["LSG_TEST_KEY", "LSG_TEST_UNSET_SECRET"]);
        assert_eq!(t.unset, vec!["LSG_TEST_UNSET_SECRET"]);
        assert_eq!(t.sync, Duration::from_secs(5));
        assert_eq!(t.snapshot.period, Duration::from_secs(3600));
        assert!(c.secrets.contains(&"AKIAEXAMPLE".to_string()));
    }

    #[test]
    fn v05_shapes_and_snapshot_defaults() {
        let text = "snapshot:\n  interval: 1h\ndbs:\n  - path: /rails/storage/a.sqlite3\n    replica:\n      url: s3://bkt/a\n  - path: /rails/storage/b.sqlite3\n    replica:\n      type: s3\n      bucket: bkt\n";
        assert_eq!(line_hint(text).map(|h| h.0), Some(Line::V05));
        let c = load(text, "x", Path::new("/"), v("0.5.17")).unwrap();
        assert_eq!(c.targets[0].location, "s3://bkt/a");
        assert!(c.targets[1].root_path);
        assert_eq!(c.targets[0].snapshot.period, Duration::from_secs(3600));
        assert!(!c.targets[0].snapshot.refreshes_idle);
        // 0.3 ignores `replica:`.
        let c3 = load(text, "x", Path::new("/"), v("0.3.13")).unwrap();
        assert!(matches!(&c3.targets[0].skip, Some(Skip::NotBackedUp(w)) if w.contains("ignores `replica:`")));
    }

    #[test]
    fn pid_is_the_process_id_on_0_5_7_and_later() {
        let text = "dbs:\n  - path: /x/db_$PID.sqlite3\n    replica:\n      url: s3://b/p\n";
        let c = load(text, "x", Path::new("/"), v("0.5.7")).unwrap();
        assert_eq!(c.targets[0].name, format!("/x/db_{}.sqlite3", std::process::id()));
        let text3 = "dbs:\n  - path: /x/db_$PID.sqlite3\n    replicas:\n      - url: s3://b/p\n";
        std::env::remove_var("PID");
        let c3 = load(text3, "x", Path::new("/"), v("0.3.13")).unwrap();
        assert_eq!(c3.targets[0].name, "/x/db_.sqlite3");
    }
}
