//! The configurations Kamal can deploy (one per destination) with the secrets files each reads,
//! and the Litestream accessory's mounts, env and command as Kamal builds them.
//!
//! Kamal facts used here (basecamp/kamal `configuration/accessory.rb`, `configuration/env.rb`,
//! `validator/accessory.rb`): `env` is `{clear, secret}` or a plain hash (all clear);
//! `secret` items are `NAME` or `NAME:SECRET` (the container gets NAME, the value is looked up as
//! SECRET); `files` and `directories` are `local:remote[:options]` strings or hashes; a relative
//! `directories` host path lives under `$PWD/<service>`; `volumes` are raw `docker --volume`
//! strings; `cmd` is appended after the image, whose entrypoint is `litestream`.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use crate::kamal::deploy::{accessory_files, app_volumes, litestream_accessories, Accessory, Volume};
use crate::litestream::dbs;
use crate::project::{Project, SecretsFile};
use crate::rails::database::{env_dbs, RailsDb, Resolved};
use crate::rails::erb::Context;
use crate::version::Version;
use crate::yaml::{has_erb, unmask_for_display, Node};

/// One configuration Kamal can deploy: `deploy.yml` alone, or merged with `deploy.<dest>.yml`.
pub struct View<'p> {
    pub dest: Option<&'p str>,
    pub root: &'p Node,
    /// The secrets files Kamal reads for this view, in load order: `.kamal/secrets-common`, then
    /// `.kamal/secrets` (no destination) or `.kamal/secrets.<dest>`. Only those that exist.
    pub secrets: Vec<&'p SecretsFile>,
    /// The names of the files Kamal would read, whether or not they exist (for messages).
    pub secrets_names: Vec<String>,
}

impl View<'_> {
    pub fn accessories(&self) -> Vec<Accessory<'_>> {
        litestream_accessories(self.root)
    }

    /// How findings made only in this view are qualified.
    pub fn label(&self) -> String {
        match self.dest {
            Some(d) => format!("with destination `{d}`"),
            None => "without a destination".to_string(),
        }
    }
}

/// The views Kamal can deploy. The base file alone counts when there are no destinations, or
/// when it names `servers` itself and the app keeps the secrets file a deploy without `-d` reads
/// (`.kamal/secrets`): otherwise it is only a template the destinations complete, and checking it
/// alone would report what every destination supplies. The Rails generator's untouched
/// deploy.yml (see [`super::placeholder`]) describes no deployment at all.
pub fn views(p: &Project) -> Vec<View<'_>> {
    if p.deploy
        .as_ref()
        .and_then(|d| d.root.as_ref())
        .is_some_and(super::placeholder)
    {
        return Vec::new();
    }
    let has_dests = p.deploy_views().iter().any(|(dest, _)| dest.is_some());
    let plain_secrets = p.secrets.is_empty()
        || p.secrets
            .iter()
            .any(|s| file_name(&p.file(s.src).path) == Some("secrets"));
    p.deploy_views()
        .into_iter()
        .filter(|(dest, root)| dest.is_some() || !has_dests || (root.get("servers").is_some() && plain_secrets))
        .map(|(dest, root)| {
            let wanted = |name: &str| match dest {
                None => name == "secrets-common" || name == "secrets",
                Some(d) => name == "secrets-common" || name.strip_prefix("secrets.") == Some(d),
            };
            let mut secrets: Vec<&SecretsFile> = p
                .secrets
                .iter()
                .filter(|s| file_name(&p.file(s.src).path).is_some_and(wanted))
                .collect();
            // secrets-common first: later files override earlier ones.
            secrets.sort_by_key(|s| file_name(&p.file(s.src).path) != Some("secrets-common"));
            let secrets_names = vec![
                ".kamal/secrets-common".to_string(),
                match dest {
                    None => ".kamal/secrets".to_string(),
                    Some(d) => format!(".kamal/secrets.{d}"),
                },
            ];
            View {
                dest,
                root,
                secrets,
                secrets_names,
            }
        })
        .collect()
}

fn file_name(path: &Path) -> Option<&str> {
    path.file_name()?.to_str()
}

/// Text that came from an ERB tag (or holds a shell variable) cannot be compared.
pub fn opaque(s: &str) -> bool {
    has_erb(s) || s.contains('$')
}

/// A value for a message: ERB shown as `<%= … %>`.
pub fn shown(s: &str) -> String {
    unmask_for_display(s)
}

/// Where a mount comes from in the accessory config.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MountKind {
    /// `volumes:`: a named volume or a host path, passed to `docker --volume` as written.
    Volume,
    /// `directories:`: a host directory Kamal creates; a relative one lives under `$PWD/<service>/`.
    Directory { relative: bool },
    /// `files:`: one uploaded file.
    File,
}

/// One thing mounted into the accessory container.
#[derive(Debug, Clone)]
pub struct Mount<'a> {
    pub node: &'a Node,
    pub source: String,
    pub target: String,
    pub options: Vec<String>,
    pub kind: MountKind,
}

impl Mount<'_> {
    pub fn read_only(&self) -> bool {
        self.options.iter().any(|o| o == "ro" || o == "readonly")
    }

    /// True when `path` (absolute, in the container) lies at or under this mount's target.
    pub fn contains(&self, path: &str) -> bool {
        let t = self.target.trim_end_matches('/');
        path == t
            || path
                .strip_prefix(t)
                .is_some_and(|rest| rest.starts_with('/') || t.is_empty())
    }

    /// A directory-like mount (a volume or a directory), which can hold databases.
    pub fn holds_dirs(&self) -> bool {
        !matches!(self.kind, MountKind::File)
    }

    /// The same storage as an app volume: the same named volume or the same host path.
    pub fn same_source(&self, v: &Volume) -> bool {
        norm_source(&self.source) == norm_source(&v.source)
    }

    /// The mount as written, for messages.
    pub fn written(&self) -> String {
        let mut s = format!("{}:{}", self.source, self.target);
        if !self.options.is_empty() {
            s.push(':');
            s.push_str(&self.options.join(","));
        }
        shown(&s)
    }
}

fn norm_source(s: &str) -> &str {
    if s.len() > 1 {
        s.trim_end_matches('/')
    } else {
        s
    }
}

/// Everything the accessory mounts: `volumes`, `directories` and `files`, in that order.
pub fn mounts(acc: &Node) -> Vec<Mount<'_>> {
    let mut out = Vec::new();
    for n in acc.get("volumes").and_then(Node::items).unwrap_or(&[]) {
        if let Some(v) = n.as_str().and_then(Volume::parse) {
            out.push(Mount {
                node: n,
                source: v.source,
                target: v.target,
                options: v.options,
                kind: MountKind::Volume,
            });
        }
    }
    for n in acc.get("directories").and_then(Node::items).unwrap_or(&[]) {
        let parts = match n.as_str() {
            Some(s) => {
                let mut p = s.splitn(3, ':');
                match (p.next(), p.next()) {
                    (Some(l), Some(r)) => Some((l.to_string(), r.to_string(), p.next().map(str::to_string))),
                    _ => None,
                }
            }
            None => match (
                n.get("local").and_then(Node::as_str),
                n.get("remote").and_then(Node::as_str),
            ) {
                (Some(l), Some(r)) => Some((
                    l.to_string(),
                    r.to_string(),
                    n.get("options").and_then(Node::as_str).map(str::to_string),
                )),
                _ => None,
            },
        };
        if let Some((source, target, opts)) = parts {
            let relative = !source.starts_with('/') && !opaque(&source);
            out.push(Mount {
                node: n,
                source,
                target,
                options: split_options(opts.as_deref()),
                kind: MountKind::Directory { relative },
            });
        }
    }
    for (n, local, remote, opts) in accessory_files(acc) {
        out.push(Mount {
            node: n,
            source: local,
            target: remote,
            options: split_options(opts.as_deref()),
            kind: MountKind::File,
        });
    }
    out
}

fn split_options(o: Option<&str>) -> Vec<String> {
    o.map(|o| {
        o.split(',')
            .map(|x| x.trim().to_string())
            .filter(|x| !x.is_empty())
            .collect()
    })
    .unwrap_or_default()
}

/// One `env.secret` item: the container gets `name`, Kamal looks the value up as `lookup`.
#[derive(Debug, Clone)]
pub struct SecretRef<'a> {
    pub node: &'a Node,
    pub name: String,
    pub lookup: String,
}

/// The accessory's environment as Kamal builds it.
#[derive(Debug, Default)]
pub struct Env<'a> {
    /// `(key node, value node)` of every clear variable.
    pub clear: Vec<(&'a Node, &'a Node)>,
    pub secret: Vec<SecretRef<'a>>,
    /// `options` pass extra env the checker cannot see (`env`, `env-file`).
    pub opaque: bool,
}

impl Env<'_> {
    pub fn provides(&self, name: &str) -> bool {
        self.clear.iter().any(|(k, _)| k.as_str() == Some(name)) || self.secret.iter().any(|s| s.name == name)
    }

    pub fn clear_value(&self, name: &str) -> Option<&Node> {
        self.clear
            .iter()
            .rev()
            .find(|(k, _)| k.as_str() == Some(name))
            .map(|(_, v)| *v)
    }
}

pub fn env(acc: &Node) -> Env<'_> {
    let mut out = Env::default();
    if let Some(e) = acc.get("env") {
        let clear = match e.get("clear") {
            Some(c) => Some(c),
            None if e.get("secret").is_some() || e.get("tags").is_some() => None,
            None => Some(e),
        };
        for entry in clear.and_then(Node::entries).unwrap_or(&[]) {
            out.clear.push((&entry.key, &entry.value));
        }
        for n in e.get("secret").and_then(Node::items).unwrap_or(&[]) {
            if let Some(s) = n.as_str() {
                let (name, lookup) = s.split_once(':').unwrap_or((s, s));
                out.secret.push(SecretRef {
                    node: n,
                    name: name.trim().to_string(),
                    lookup: lookup.trim().to_string(),
                });
            }
        }
    }
    out.opaque = acc
        .get("options")
        .and_then(Node::entries)
        .unwrap_or(&[])
        .iter()
        .any(|e| matches!(e.key.as_str(), Some("env" | "env-file" | "e")));
    out
}

/// The words of `cmd:` (shell-like splitting, quotes removed). `None` when there is no `cmd` or
/// it is not plain text (ERB).
pub fn cmd_words(acc: &Node) -> Option<(&Node, Vec<String>)> {
    let n = acc.get("cmd")?;
    let s = n.as_str()?;
    if has_erb(s) {
        return None;
    }
    Some((n, crate::shell_words::split(s, false)))
}

/// The value of a Go flag (`-name v`, `--name v`, `-name=v`) among command words.
pub fn flag_value<'w>(words: &'w [String], name: &str) -> Option<&'w str> {
    let mut it = words.iter();
    while let Some(w) = it.next() {
        let Some(bare) = w.strip_prefix("--").or_else(|| w.strip_prefix('-')) else {
            continue;
        };
        if bare == name {
            return it.next().map(String::as_str);
        }
        if let Some(v) = bare.strip_prefix(name).and_then(|r| r.strip_prefix('=')) {
            return Some(v);
        }
    }
    None
}

pub fn has_flag(words: &[String], name: &str) -> bool {
    words.iter().any(|w| {
        let bare = w.strip_prefix("--").or_else(|| w.strip_prefix('-'));
        bare.is_some_and(|b| b == name || b.strip_prefix(name).is_some_and(|r| r.starts_with('=')))
    })
}

/// `replicate DB_PATH REPLICA_URL…`: the command names its replicas and reads no config file.
pub fn replicates_urls(words: &[String]) -> bool {
    words.first().map(String::as_str) == Some("replicate") && words.iter().skip(1).any(|w| w.contains("://"))
}

/// Where Litestream in this accessory reads its config: `-config` in `cmd`, else
/// `LITESTREAM_CONFIG` in the clear env, else `/etc/litestream.yml` (Litestream `DefaultConfigPath`, `-config`).
pub fn config_path(acc: &Node) -> (String, &'static str) {
    if let Some((_, words)) = cmd_words(acc) {
        if let Some(v) = flag_value(&words, "config") {
            return (v.to_string(), "the `-config` flag in `cmd`");
        }
    }
    if let Some(v) = env(acc).clear_value("LITESTREAM_CONFIG").and_then(Node::as_str) {
        if !v.is_empty() {
            return (v.to_string(), "LITESTREAM_CONFIG in the accessory's env");
        }
    }
    (
        "/etc/litestream.yml".to_string(),
        "the default, as `cmd` has no `-config`",
    )
}

/// The image is the official `litestream/litestream` one, whose entrypoint is `litestream`.
pub fn official_image(acc: &Accessory) -> bool {
    let Some(img) = acc.image().and_then(Node::as_str) else {
        return false;
    };
    let repo = img.split('@').next().unwrap_or(img);
    let repo = match repo.rfind(':') {
        Some(i) if !repo[i..].contains('/') => &repo[..i],
        _ => repo,
    };
    let repo = repo
        .strip_prefix("docker.io/")
        .or_else(|| repo.strip_prefix("index.docker.io/"))
        .unwrap_or(repo);
    repo == "litestream/litestream"
}

/// `options: entrypoint:` replaces the image's entrypoint, so `cmd` no longer follows `litestream`.
pub fn entrypoint_overridden(acc: &Node) -> bool {
    acc.get("options").and_then(|o| o.get("entrypoint")).is_some()
}

/// The Litestream version this accessory runs: its image tag, else the project's choice.
pub fn accessory_version(p: &Project, acc: &Accessory) -> Version {
    acc.image()
        .and_then(Node::as_str)
        .and_then(Version::from_image_tag)
        .unwrap_or_else(|| p.chosen_version())
}

/// The service name Kamal gives the accessory (`service:` or `<service>-<name>`).
pub fn service_name(root: &Node, acc: &Accessory) -> String {
    if let Some(s) = acc.node.get("service").and_then(Node::as_str) {
        return shown(s);
    }
    let service = root.get("service").and_then(Node::as_str).unwrap_or("<service>");
    shown(&format!("{service}-{}", acc.name.as_str().unwrap_or("litestream")))
}

/// A database Litestream replicates, with the node of its `path` (or `dir`).
pub struct LsPath<'a> {
    pub node: &'a Node,
    /// Absolute path as Litestream sees it (`sqlite://` prefixes removed).
    pub path: String,
    /// `dir` + `pattern` (directory mode, 0.5.3+).
    pub pattern: Option<String>,
}

/// The `dbs[].path` / `dir` values of litestream.yml as absolute paths where Litestream opens
/// them: relative values resolve against the working directory of a runner inside the app
/// container (the Rails root); with an accessory or no known runner, only absolute values count
/// (a relative one is L022's finding). Values built from unknown variables are left out.
pub fn litestream_paths(p: &Project) -> Vec<LsPath<'_>> {
    let Some(root) = p.litestream_root() else {
        return Vec::new();
    };
    let cwd = p
        .model
        .primary()
        .filter(|r| r.in_app_container())
        .map(|r| r.cwd.clone());
    let mut out = Vec::new();
    for db in dbs(root) {
        let (node, pattern) = match (db.path, db.node.get("dir")) {
            (Some(n), _) => (n, None),
            (None, Some(d)) => (
                d,
                Some(db.node.get("pattern").and_then(Node::as_str).unwrap_or("*").to_string()),
            ),
            (None, None) => continue,
        };
        let Some(raw) = node.as_str() else { continue };
        if node.is_opaque() || opaque(raw) || raw.is_empty() {
            continue;
        }
        let path = raw
            .strip_prefix("sqlite3://")
            .or_else(|| raw.strip_prefix("sqlite://"))
            .unwrap_or(raw);
        let path = match (&cwd, path.starts_with('/')) {
            (_, true) => path.to_string(),
            (Some(c), false) if !path.starts_with('~') => clean(&format!("{c}/{path}")),
            _ => continue,
        };
        out.push(LsPath { node, path, pattern });
    }
    out
}

impl LsPath<'_> {
    /// True when this entry replicates the file at `path`.
    pub fn covers(&self, path: &str) -> bool {
        match &self.pattern {
            None => same_path(&self.path, path),
            Some(pat) => {
                let dir = self.path.trim_end_matches('/');
                path.strip_prefix(dir)
                    .and_then(|r| r.strip_prefix('/'))
                    .is_some_and(|rest| !rest.contains('/') && glob(pat, rest))
            }
        }
    }
}

pub fn same_path(a: &str, b: &str) -> bool {
    clean(a) == clean(b)
}

/// Removes `.` segments, repeated and trailing slashes (no `..` resolution: the paths are
/// in another container and symlinks are unknown).
pub fn clean(p: &str) -> String {
    let parts: Vec<&str> = p.split('/').filter(|s| !s.is_empty() && *s != ".").collect();
    let joined = parts.join("/");
    if p.starts_with('/') {
        format!("/{joined}")
    } else {
        joined
    }
}

/// `*` and `?` globbing on one file name (Go's `filepath.Match` without classes).
pub fn glob(pat: &str, name: &str) -> bool {
    let p: Vec<char> = pat.chars().collect();
    let n: Vec<char> = name.chars().collect();
    let (mut pi, mut ni, mut star, mut mark) = (0, 0, None, 0);
    while ni < n.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == n[ni]) {
            pi += 1;
            ni += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some(pi);
            mark = ni;
            pi += 1;
        } else if let Some(s) = star {
            pi = s + 1;
            mark += 1;
            ni = mark;
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|c| *c == '*')
}

/// A production SQLite database of the Rails app, where the app container opens it.
pub struct RailsDbPath<'a> {
    pub name: &'a str,
    /// The `database:` value node (or the entry, when it has none).
    pub node: &'a Node,
    /// The database's whole entry (`migrations_paths` and the other keys).
    pub entry: &'a Node,
    /// As written in database.yml.
    pub written: String,
    /// In the app container (`/rails/…`).
    pub path: String,
}

pub fn rails_paths(p: &Project) -> Vec<RailsDbPath<'_>> {
    rails_dbs(p)
        .into_iter()
        .filter_map(|(d, r)| match r {
            Resolved::Path(path) => {
                // A `url:` with a value wins over `database:`: name the one that gave the path.
                let from_database = d.database.and_then(Node::as_str).is_some_and(|db| {
                    !has_erb(db) && same_path(&crate::rails::database::under_root(&p.model.rails_root, db), &path)
                });
                let (node, key) = match d.node.get("url") {
                    Some(u) if !from_database || d.database.is_none() => (u, "url: "),
                    _ => (d.database?, ""),
                };
                Some(RailsDbPath {
                    name: d.name,
                    node,
                    entry: d.node,
                    written: format!("{key}{}", shown(node.as_str()?)),
                    path: clean(&path),
                })
            }
            Resolved::Unknown(_) => None,
        })
        .collect()
}

/// The SQLite databases of the deployments' Rails environment, with their paths as Rails
/// evaluates them (or the ERB that cannot be evaluated here).
pub fn rails_dbs(p: &Project) -> Vec<(RailsDb<'_>, Resolved)> {
    rails_dbs_with(p, &p.app_env)
}

/// The same, for one deployment's app environment (its `RAILS_ENV` picks the section).
pub fn rails_dbs_with<'p>(p: &'p Project, env: &crate::runner::env::Env) -> Vec<(RailsDb<'p>, Resolved)> {
    let Some(root) = p.database_root() else {
        return Vec::new();
    };
    let rails_env = match env.lookup("RAILS_ENV") {
        crate::litestream::expand::Var::Known(e) if !e.is_empty() => e.into_owned(),
        _ => "production".to_string(),
    };
    let lookup = |n: &str| env.lookup(n);
    let cx = Context {
        rails_env: &rails_env,
        rails_root: &p.model.rails_root,
        env: &lookup,
    };
    let tags = p.database.as_ref().map_or(&[][..], |l| &l.erb_tags[..]);
    env_dbs(root, &rails_env)
        .into_iter()
        .filter(|d| d.is_sqlite())
        .filter_map(|d| {
            let r = d.resolve(&cx, tags)?;
            Some((d, r))
        })
        .collect()
}

/// The Rails paths to locate the app's storage with: database.yml's, or the Rails 8 default.
pub fn storage_probe_paths(p: &Project) -> Vec<String> {
    let paths: Vec<String> = rails_paths(p).into_iter().map(|r| r.path).collect();
    if paths.is_empty() {
        vec!["/rails/storage/production.sqlite3".to_string()]
    } else {
        paths
    }
}

/// The app's volumes that hold its databases.
pub fn storage_volumes<'v>(root: &'v Node, probes: &[String]) -> Vec<(&'v Node, Volume)> {
    app_volumes(root)
        .into_iter()
        .filter(|(_, v)| probes.iter().any(|p| v.contains(p)))
        .collect()
}

/// Where the accessory sees the app's file `app_path`: through each accessory mount that shares
/// the source of the app volume holding it. Empty when no mount shares it.
pub fn accessory_paths_for(root: &Node, mounts: &[Mount], app_path: &str) -> Vec<String> {
    let mut out = Vec::new();
    for (_, av) in app_volumes(root) {
        if !av.contains(app_path) {
            continue;
        }
        let rel = app_path.strip_prefix(av.target.trim_end_matches('/')).unwrap_or("");
        for m in mounts.iter().filter(|m| m.holds_dirs() && m.same_source(&av)) {
            out.push(clean(&format!("{}{}", m.target.trim_end_matches('/'), rel)));
        }
    }
    let mut seen = HashSet::new();
    out.retain(|p| seen.insert(p.clone()));
    out
}

/// The app root, also when single files were given (`<root>/config/deploy.yml`).
pub fn app_root(p: &Project) -> Option<PathBuf> {
    if let Some(r) = &p.root {
        return Some(r.clone());
    }
    let src = p.deploy.as_ref()?.src;
    let config = p.file(src).path.parent()?;
    (config.file_name()? == "config")
        .then(|| config.parent().map(Path::to_path_buf))
        .flatten()
}

/// True when the app has this file (on disk, or as the hook's pending edit).
pub fn app_file_exists(p: &Project, root: &Path, rel: &str) -> bool {
    let path = root.join(rel);
    path.is_file() || p.files.iter().any(|f| f.path == path)
}

/// Environment variable names that hold credentials: the redaction layer's list, so that what
/// the rules call a credential is what the output hides.
pub use crate::redact::is_credential_name;

/// A value shaped like an AWS access key ID (`AKIA…`/`ASIA…` + 16 upper-case letters or digits).
pub fn looks_like_aws_key(v: &str) -> bool {
    let v = v.trim();
    v.len() == 20
        && (v.starts_with("AKIA") || v.starts_with("ASIA"))
        && v.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_and_flags() {
        let w = crate::shell_words::split("replicate -config \"/config/litestream.yml\"", false);
        assert_eq!(w, vec!["replicate", "-config", "/config/litestream.yml"]);
        assert_eq!(flag_value(&w, "config"), Some("/config/litestream.yml"));
        let w = crate::shell_words::split("replicate --config=/x.yml -no-expand-env", false);
        assert_eq!(flag_value(&w, "config"), Some("/x.yml"));
        assert!(has_flag(&w, "no-expand-env"));
        assert!(!has_flag(&w, "exec"));
        assert!(replicates_urls(&crate::shell_words::split(
            "replicate /rails/storage/p.sqlite3 s3://b/p",
            false
        )));
    }

    #[test]
    fn globbing_and_paths() {
        assert!(glob("*.sqlite3", "production_queue.sqlite3"));
        assert!(!glob("*.sqlite3", "production.sqlite3-wal"));
        assert!(glob("prod?ction*", "production.sqlite3"));
        assert_eq!(clean("/rails//storage/./x.sqlite3"), "/rails/storage/x.sqlite3");
        assert!(same_path("/data/", "/data"));
    }

    #[test]
    fn credential_names() {
        for n in [
            "LITESTREAM_ACCESS_KEY_ID",
            "AWS_SECRET_ACCESS_KEY",
            "RAILS_MASTER_KEY",
            "DB_PASSWORD",
            "SSE_CUSTOMER_KEY",
        ] {
            assert!(is_credential_name(n), "{n}");
        }
        for n in ["LITESTREAM_BUCKET", "AWS_REGION", "KEYBOARD", "LITESTREAM_ENDPOINT"] {
            assert!(!is_credential_name(n), "{n}");
        }
        assert!(looks_like_aws_key("AKIAIOSFODNN7EXAMPLE"));
        assert!(!looks_like_aws_key("AKIA-not-a-key"));
    }
}
