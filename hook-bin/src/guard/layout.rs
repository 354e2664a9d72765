//! Where the live databases are, in every coordinate system a command can name them in: the
//! container path (`/rails/storage/production.sqlite3`), the Docker named volume's host path
//! (`/var/lib/docker/volumes/<app>_storage/_data/production.sqlite3`), a bind mount's source, a
//! `docker run -v` mount. Built from config/litestream.yml, config/deploy.yml and
//! config/database.yml, loaded only when a command touches something that could be one.

use std::path::{Path, PathBuf};

use crate::kamal::deploy::{self, Volume};
use crate::litestream;
use crate::project::{Overrides, Project};
use crate::rails::database::{env_dbs, production_dbs};
use crate::version::Version;

use super::glob;
use super::session::Unit;

/// The storage behind a path: a named volume, a bind-mounted host directory, or a plain path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Root {
    /// A Docker named volume (the name may be a pattern, e.g. `*_storage` when unknown).
    Vol(String),
    /// A host directory bind-mounted into the containers.
    Bind(String),
    /// Not under any known storage: `rel` is the absolute path.
    Abs,
}

/// A path (or pattern) resolved to its storage: `rel` is relative to the root (a glob pattern).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Place {
    pub root: Root,
    pub rel: String,
}

/// A mount inside a container: `src` (from `prefix` within it) is mounted at `target`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mount {
    pub src: Root,
    /// The mounted directory within `src` (`""`: all of it).
    pub prefix: String,
    pub target: String,
}

impl Mount {
    pub fn from_volume(v: &Volume) -> Mount {
        let (src, prefix) = if v.is_named() {
            (Root::Vol(v.source.clone()), String::new())
        } else {
            let source = clean(&v.source);
            // A bind mount of a named volume's host directory is that volume.
            match docker_volume_path(&source) {
                Some((vol, rel)) => (Root::Vol(vol), rel),
                None => (Root::Bind(source), String::new()),
            }
        };
        Mount {
            src,
            prefix,
            target: clean(&v.target),
        }
    }

    fn rel(&self, rel: String) -> String {
        match (self.prefix.is_empty(), rel.is_empty()) {
            (true, _) => rel,
            (false, true) => self.prefix.clone(),
            (false, false) => format!("{}/{rel}", self.prefix),
        }
    }
}

#[derive(Debug, Clone)]
pub struct Accessory {
    pub name: String,
    /// The container name (`service:` or `<service>-<name>`).
    pub container: String,
    pub image: Option<String>,
    pub version: Option<Version>,
    pub mounts: Vec<Mount>,
}

/// What a file is to its database.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    Main,
    Wal,
    Shm,
    Journal,
    /// The `.<db>-litestream` directory.
    Meta,
}

impl Part {
    pub const SIDECARS: [Part; 3] = [Part::Wal, Part::Shm, Part::Journal];

    pub fn suffix(self) -> &'static str {
        match self {
            Part::Main | Part::Meta => "",
            Part::Wal => "-wal",
            Part::Shm => "-shm",
            Part::Journal => "-journal",
        }
    }

    pub fn describe(self) -> &'static str {
        match self {
            Part::Main => "the database file",
            Part::Wal => "its -wal (committed transactions not yet in the main file)",
            Part::Shm => "its -shm (the WAL index)",
            Part::Journal => "its -journal",
            Part::Meta => "its Litestream tracking directory",
        }
    }
}

/// The path of a database's file of kind `part`.
pub fn part_path(db: &str, part: Part) -> String {
    match part {
        Part::Meta => match split(db) {
            ("", name) if !db.starts_with('/') => format!(".{name}-litestream"),
            (dir, name) => format!("{dir}/.{name}-litestream"),
        },
        p => format!("{db}{}", p.suffix()),
    }
}

/// A live database, as configured (a container path unless the config says otherwise).
#[derive(Debug, Clone)]
pub struct LiveDb {
    pub path: String,
    /// Its name in config/database.yml (`primary`, `queue`, …), when it has one.
    pub name: Option<String>,
    pub place: Place,
    /// Where it came from, for messages: `config/litestream.yml`, `config/database.yml`, or the
    /// Rails default.
    pub source: &'static str,
}

/// A replica location in object storage: bucket and key prefix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Replica {
    pub bucket: String,
    pub prefix: String,
}

/// One Kamal destination (`None`: deploy.yml alone), as far as the guard needs it: which roles
/// run on which hosts, and which Litestream accessories it has.
#[derive(Debug, Clone, Default)]
pub struct Dest {
    pub name: Option<String>,
    pub service: Option<String>,
    /// Role names with their hosts (empty hosts: not known, e.g. ERB).
    pub roles: Vec<(String, Vec<String>)>,
    /// Litestream accessories with their hosts.
    pub accessories: Vec<(String, Vec<String>)>,
}

impl Dest {
    /// Every host of the destination.
    pub fn hosts(&self) -> impl Iterator<Item = &String> {
        self.roles.iter().chain(&self.accessories).flat_map(|(_, h)| h)
    }
}

#[derive(Debug, Clone, Default)]
pub struct Layout {
    pub root: Option<PathBuf>,
    pub service: Option<String>,
    /// The destinations Kamal would see; empty without a config/deploy.yml.
    pub dests: Vec<Dest>,
    /// `aliases:` of config/deploy.yml (name, the words it stands for).
    pub aliases: Vec<(String, String)>,
    /// SQLite databases of config/database.yml, every environment: (env, name, path as written).
    pub rails_dbs: Vec<(String, String, String)>,
    pub app_mounts: Vec<Mount>,
    pub accessories: Vec<Accessory>,
    pub dbs: Vec<LiveDb>,
    pub replicas: Vec<Replica>,
    /// Any config file was found.
    pub configured: bool,
    /// The runner model (`crate::runner`) found Litestream running inside the app container:
    /// the litestream-ruby gem's Puma plugin or task, or a binary the image starts.
    pub runs_in_app: bool,
}

/// The Rails 8 production databases (sqlite3.yml.tt), used when no config names any.
const RAILS_DEFAULT_DBS: [&str; 4] = [
    "/rails/storage/production.sqlite3",
    "/rails/storage/production_cache.sqlite3",
    "/rails/storage/production_queue.sqlite3",
    "/rails/storage/production_cable.sqlite3",
];

/// Finds the app root: the nearest directory at or above `cwd` with a config/litestream.yml or
/// config/deploy.yml.
pub fn find_root(cwd: &Path) -> Option<PathBuf> {
    let mut dir = Some(cwd);
    let mut steps = 0;
    while let Some(d) = dir {
        let config = d.join("config");
        if config.join("litestream.yml").is_file()
            || config.join("litestream.yaml").is_file()
            || config.join("deploy.yml").is_file()
        {
            return Some(d.to_path_buf());
        }
        steps += 1;
        if steps > crate::limits::MAX_ROOT_SEARCH {
            break;
        }
        dir = d.parent();
    }
    None
}

impl Layout {
    /// Loads the layout of the app around `cwd` (defaults when there is none).
    pub fn load(cwd: Option<&Path>) -> Layout {
        let root = cwd.and_then(find_root);
        let mut layout = Layout {
            root: root.clone(),
            ..Layout::default()
        };
        if let Some(root) = &root {
            let mut project = Project::load_app(root, "", &Overrides::new());
            project.finish(None);
            layout.runs_in_app = project.model.runners.iter().any(|r| r.in_app_container());
            layout.read(&project);
        }
        layout.defaults();
        layout
    }

    fn read(&mut self, p: &Project) {
        self.configured = p.litestream.is_some() || p.deploy.is_some() || p.database.is_some();
        let views = p.deploy_views();
        for (name, view) in &views {
            self.dests.push(dest_of(*name, view));
        }
        if let Some(aliases) = views
            .first()
            .and_then(|(_, v)| v.get("aliases"))
            .and_then(|n| n.entries())
        {
            self.aliases = aliases
                .iter()
                .filter_map(|e| Some((e.key.as_str()?.to_string(), e.value.as_str()?.to_string())))
                .collect();
        }
        if let Some((_, view)) = views.into_iter().next() {
            self.service = view.get("service").and_then(|n| n.as_str()).map(str::to_string);
            self.app_mounts = deploy::app_volumes(view)
                .iter()
                .map(|(_, v)| Mount::from_volume(v))
                .collect();
            for acc in deploy::litestream_accessories(view) {
                let name = acc.name.as_str().unwrap_or("litestream").to_string();
                let image = acc.image().and_then(|n| n.as_str()).map(str::to_string);
                let container = acc
                    .node
                    .get("service")
                    .and_then(|n| n.as_str())
                    .map(str::to_string)
                    .unwrap_or_else(|| match &self.service {
                        Some(s) => format!("{s}-{name}"),
                        None => name.clone(),
                    });
                self.accessories.push(Accessory {
                    version: image.as_deref().and_then(Version::from_image_tag),
                    image,
                    container,
                    mounts: deploy::volumes_of(acc.node)
                        .iter()
                        .map(|(_, v)| Mount::from_volume(v))
                        .collect(),
                    name,
                });
            }
        }
        let mut paths: Vec<(String, Option<String>, &'static str)> = Vec::new();
        if let Some(root) = p.litestream_root() {
            for db in litestream::dbs(root) {
                if let Some(path) = db.path.and_then(|n| n.as_str()).filter(|s| usable(s)) {
                    paths.push((clean(path), None, "config/litestream.yml"));
                }
                for r in &db.replicas {
                    if let Some(rep) = replica(r.node, root) {
                        if !self.replicas.contains(&rep) {
                            self.replicas.push(rep);
                        }
                    }
                }
            }
        }
        if let Some(root) = p.database_root() {
            for env in root.entries().unwrap_or(&[]).iter().filter_map(|e| e.key.as_str()) {
                for db in env_dbs(root, env) {
                    let path = db.database.filter(|n| !n.is_erb()).and_then(|n| n.as_str());
                    if let Some(path) = path.filter(|s| db.is_sqlite() && usable(s)) {
                        self.rails_dbs
                            .push((env.to_string(), db.name.to_string(), path.to_string()));
                    }
                }
            }
            for db in production_dbs(root) {
                if db.is_sqlite() {
                    if let Some(path) = db.container_path().filter(|s| usable(s)) {
                        paths.push((clean(&path), Some(db.name.to_string()), "config/database.yml"));
                    }
                }
            }
        }
        for (path, name, source) in paths {
            match self.dbs.iter_mut().find(|d| d.path == path) {
                Some(d) => {
                    if d.name.is_none() {
                        d.name = name;
                    }
                }
                None => {
                    let place = self.place(&Ctx::App, &path);
                    self.dbs.push(LiveDb {
                        path,
                        name,
                        place,
                        source,
                    });
                }
            }
        }
    }

    fn defaults(&mut self) {
        if self.app_mounts.is_empty() {
            let vol = match &self.service {
                Some(s) => format!("{s}_storage"),
                None => "*_storage".to_string(),
            };
            self.app_mounts.push(Mount {
                src: Root::Vol(vol),
                prefix: String::new(),
                target: "/rails/storage".to_string(),
            });
        }
        for acc in &mut self.accessories {
            if acc.mounts.is_empty() {
                acc.mounts = self.app_mounts.clone();
            }
        }
        if self.dbs.is_empty() {
            for (p, name) in RAILS_DEFAULT_DBS.iter().zip(["primary", "cache", "queue", "cable"]) {
                let place = self.place(&Ctx::App, p);
                self.dbs.push(LiveDb {
                    path: p.to_string(),
                    name: Some(name.to_string()),
                    place,
                    source: "the Rails 8 default",
                });
            }
        }
    }

    /// The storage volumes of the app (named volumes only), for `docker volume rm`.
    pub fn volume_names(&self) -> Vec<&str> {
        self.app_mounts
            .iter()
            .filter_map(|m| match &m.src {
                Root::Vol(v) => Some(v.as_str()),
                _ => None,
            })
            .collect()
    }

    pub fn accessory(&self, name: &str) -> Option<&Accessory> {
        self.accessories.iter().find(|a| a.name == name || a.container == name)
    }

    /// True when `name` names the Litestream accessory (`all` included).
    pub fn is_litestream_accessory(&self, name: &str) -> bool {
        name == "all" || name == "litestream" || self.accessory(name).is_some()
    }

    /// A path of config/database.yml as it is on this machine (relative to the app's root).
    pub fn here(&self, p: &str) -> Option<String> {
        if p.starts_with('/') {
            return Some(clean(p));
        }
        let root = self.root.as_deref()?.to_str()?;
        Some(clean(&format!("{root}/{p}")))
    }

    /// Does Litestream run inside the app container (the litestream-ruby gem's Puma plugin, or
    /// a binary in the app image), so that stopping the app stops it? The runner model says so;
    /// a config/deploy.yml without a Litestream accessory means the same (whatever runs it, it
    /// is not an accessory).
    pub fn litestream_in_app(&self) -> bool {
        self.runs_in_app || !self.dests.is_empty() && self.dests.iter().all(|d| d.accessories.is_empty())
    }

    pub fn dest(&self, name: Option<&str>) -> Option<&Dest> {
        self.dests.iter().find(|d| d.name.as_deref() == name)
    }

    /// Every destination (just "no `-d`" when there is no config/deploy.yml).
    pub fn dest_names(&self) -> Vec<Option<String>> {
        if self.dests.is_empty() {
            vec![None]
        } else {
            self.dests.iter().map(|d| d.name.clone()).collect()
        }
    }

    /// The roles of a destination (`*` for every role when the config does not say).
    pub fn roles(&self, dest: Option<&str>) -> Vec<(String, Vec<String>)> {
        match self.dest(dest).filter(|d| !d.roles.is_empty()) {
            Some(d) => d.roles.clone(),
            None => vec![("*".to_string(), Vec::new())],
        }
    }

    /// The Litestream accessories of a destination (`litestream` when there is no deploy.yml).
    pub fn litestream_accessories(&self, dest: Option<&str>) -> Vec<(String, Vec<String>)> {
        // In the app and no accessory: stopping the app stops it. In the app and an accessory
        // too (two Litestreams, A003): both must be stopped.
        if self.litestream_in_app() && self.dests.iter().all(|d| d.accessories.is_empty()) {
            return Vec::new();
        }
        match self.dest(dest) {
            Some(d) if !d.accessories.is_empty() => d.accessories.clone(),
            _ => match self.dests.iter().find(|d| !d.accessories.is_empty()) {
                Some(d) => d.accessories.clone(),
                None => vec![("litestream".to_string(), Vec::new())],
            },
        }
    }

    /// What must be stopped before a live database of `dest` may be replaced: every role of the
    /// app (each runs Rails with the storage volume mounted: the web role holds the primary
    /// database, the job role the queue database and the primary), and the Litestream accessory
    /// unless Litestream runs inside the app container.
    pub fn holders(&self, dest: Option<&str>) -> Vec<Unit> {
        let mut out: Vec<Unit> = self.roles(dest).iter().map(|(r, _)| Unit::role(dest, r)).collect();
        out.extend(
            self.litestream_accessories(dest)
                .iter()
                .map(|(a, _)| Unit::accessory(dest, a)),
        );
        out
    }

    /// The destinations a server belongs to (every destination when no config names it).
    pub fn dests_of_host(&self, host: &str) -> Vec<Option<String>> {
        let found: Vec<Option<String>> = self
            .dests
            .iter()
            .filter(|d| d.hosts().any(|h| h == host))
            .map(|d| d.name.clone())
            .collect();
        if found.is_empty() {
            self.dest_names()
        } else {
            found
        }
    }

    /// The destination a container name shows (`<service>-<role>-<destination>-<version>`).
    pub fn dest_of_container(&self, container: &str) -> Option<Option<String>> {
        self.dests
            .iter()
            .filter_map(|d| d.name.as_ref())
            .find(|n| container.contains(&format!("-{n}-")) || container.ends_with(&format!("-{n}")))
            .map(|n| Some(n.clone()))
    }

    /// The mounts a command in `ctx` sees.
    pub fn mounts<'a>(&'a self, ctx: &'a Ctx) -> &'a [Mount] {
        match ctx {
            Ctx::Run { mounts } => mounts,
            Ctx::Accessory(name) => self
                .accessory(name)
                .map_or(self.app_mounts.as_slice(), |a| a.mounts.as_slice()),
            _ => &self.app_mounts,
        }
    }

    /// Resolves an absolute path (or pattern) named in `ctx` to its storage.
    pub fn place(&self, ctx: &Ctx, abs: &str) -> Place {
        let abs = clean(abs);
        if matches!(ctx, Ctx::Local | Ctx::Host(_)) {
            if let Some((vol, rel)) = docker_volume_path(&abs) {
                return Place {
                    root: Root::Vol(vol),
                    rel,
                };
            }
            for m in &self.app_mounts {
                if let Root::Bind(src) = &m.src {
                    if let Some(rel) = under(&abs, src) {
                        return Place {
                            root: m.src.clone(),
                            rel,
                        };
                    }
                }
            }
        }
        for m in self.mounts(ctx) {
            if let Some(rel) = under(&abs, &m.target) {
                return Place {
                    root: m.src.clone(),
                    rel: m.rel(rel),
                };
            }
        }
        Place {
            root: Root::Abs,
            rel: abs,
        }
    }

    /// Every path a live file is known by (for matching patterns that span a mount point).
    pub fn shows(&self, db: &LiveDb, part: Part) -> Vec<String> {
        let mut out = vec![part_path(&db.path, part)];
        let rel = part_path(&db.place.rel, part);
        match &db.place.root {
            Root::Vol(v) if !v.contains('*') => {
                out.push(format!("/var/lib/docker/volumes/{v}/_data/{rel}"));
            }
            Root::Bind(src) => out.push(format!("{src}/{rel}")),
            _ => {}
        }
        out
    }
}

impl Layout {
    /// The paths by which a command in `ctx` may name a live file (for patterns and for
    /// directories above a mount point): here, every name (this may be the server or the
    /// container); on a server, the volume's and bind mounts' host paths; in a container, the
    /// paths its mounts give it.
    pub fn names_in(&self, ctx: &Ctx, db: &LiveDb, part: Part) -> Vec<String> {
        match ctx {
            Ctx::Local => self.shows(db, part),
            Ctx::Host(_) => self.shows(db, part).into_iter().skip(1).collect(),
            _ => {
                let rel = part_path(&db.place.rel, part);
                self.mounts(ctx)
                    .iter()
                    .filter(|m| roots_match(&m.src, &db.place.root))
                    .filter_map(|m| {
                        let inner = if m.prefix.is_empty() {
                            Some(rel.clone())
                        } else {
                            under(&rel, &m.prefix)
                        }?;
                        Some(if inner.is_empty() {
                            m.target.clone()
                        } else {
                            format!("{}/{inner}", m.target)
                        })
                    })
                    .collect()
            }
        }
    }
}

/// Where a command runs: this machine, a server over ssh, or a container.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ctx {
    Local,
    Host(String),
    /// The app's container (`kamal app exec`, `docker exec <service>-web-…`).
    App,
    /// A Kamal accessory's container (`kamal accessory exec NAME`).
    Accessory(String),
    /// `docker run` with these mounts.
    Run {
        mounts: Vec<Mount>,
    },
}

impl Ctx {
    /// True when the guard can look at the files itself.
    pub fn is_local(&self) -> bool {
        matches!(self, Ctx::Local)
    }

    pub fn describe(&self) -> String {
        match self {
            Ctx::Local => "on this machine".into(),
            Ctx::Host(h) => format!("on {h}"),
            Ctx::App => "in the app container".into(),
            Ctx::Accessory(a) => format!("in the {a} accessory container"),
            Ctx::Run { .. } => "in a docker run container".into(),
        }
    }
}

/// How a command's path relates to a live file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rel {
    /// It names the file (exactly, or by a pattern that matches it).
    Exact,
    /// It names a directory that holds the file.
    Ancestor,
}

fn roots_match(a: &Root, b: &Root) -> bool {
    match (a, b) {
        (Root::Vol(x), Root::Vol(y)) => x == y || glob::matches(x, y) || glob::matches(y, x),
        (Root::Bind(x), Root::Bind(y)) => x == y,
        (Root::Abs, Root::Abs) => true,
        _ => false,
    }
}

/// How the place `op` (a pattern) relates to the file at `live` (a concrete path) and its other
/// names `shows`.
pub fn relate(op: &Place, live: &Place, shows: &[String]) -> Option<Rel> {
    if roots_match(&op.root, &live.root) {
        if let Some(r) = relate_paths(&op.rel, &live.rel) {
            return Some(r);
        }
    }
    if op.root == Root::Abs {
        for s in shows {
            if let Some(r) = relate_paths(&op.rel, s) {
                return Some(r);
            }
        }
    }
    None
}

/// `pat` against the path `path`: the same file, or one of its directories.
pub fn relate_paths(pat: &str, path: &str) -> Option<Rel> {
    if glob::matches(pat, path) {
        return Some(Rel::Exact);
    }
    if pat.is_empty() || pat == "/" {
        return Some(Rel::Ancestor);
    }
    let mut p = path;
    while let Some(i) = p.rfind('/') {
        p = &p[..i];
        if p.is_empty() {
            break;
        }
        if glob::matches(pat, p) {
            return Some(Rel::Ancestor);
        }
    }
    None
}

/// Normalises a path: no `//`, no `.` segments, `..` applied, no trailing `/`.
pub fn clean(p: &str) -> String {
    let abs = p.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for seg in p.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                if parts.last().is_some_and(|l| *l != "..") {
                    parts.pop();
                } else if !abs {
                    parts.push("..");
                }
            }
            s => parts.push(s),
        }
    }
    let joined = parts.join("/");
    if abs {
        format!("/{joined}")
    } else {
        joined
    }
}

/// `path` relative to `dir` when it lies under it (`""` for `dir` itself).
pub fn under(path: &str, dir: &str) -> Option<String> {
    let dir = dir.trim_end_matches('/');
    if path == dir {
        return Some(String::new());
    }
    path.strip_prefix(dir)
        .and_then(|r| r.strip_prefix('/'))
        .map(str::to_string)
}

/// `(dir, file name)` of a path.
pub fn split(p: &str) -> (&str, &str) {
    match p.rfind('/') {
        Some(i) => (&p[..i], &p[i + 1..]),
        None => ("", p),
    }
}

/// `/var/lib/docker/volumes/<name>/_data/<rel>` (also rootless `…/docker/volumes/…`) →
/// `(name, rel)`; the volume directory itself gives `rel` `""`.
pub fn docker_volume_path(abs: &str) -> Option<(String, String)> {
    let i = abs.find("/docker/volumes/")?;
    let rest = &abs[i + "/docker/volumes/".len()..];
    let (name, after) = match rest.find('/') {
        Some(j) => (&rest[..j], &rest[j + 1..]),
        None => (rest, ""),
    };
    if name.is_empty() {
        return None;
    }
    let rel = match after {
        "" | "_data" => String::new(),
        a => a.strip_prefix("_data/")?.to_string(),
    };
    Some((name.to_string(), rel))
}

/// The roles and Litestream accessories of one deploy view.
fn dest_of(name: Option<&str>, view: &crate::yaml::Node) -> Dest {
    let host_list = |n: Option<&crate::yaml::Node>| -> Vec<String> {
        let Some(n) = n else { return Vec::new() };
        if n.is_erb() {
            return Vec::new();
        }
        if let Some(h) = n.as_str().filter(|s| usable(s)) {
            return vec![h.to_string()];
        }
        n.items()
            .unwrap_or(&[])
            .iter()
            .filter(|h| !h.is_erb())
            .filter_map(|h| {
                // `- 1.2.3.4` or `- 1.2.3.4: [tag]`.
                h.as_str()
                    .or_else(|| h.entries().and_then(|e| e.first()).and_then(|e| e.key.as_str()))
                    .filter(|s| usable(s))
                    .map(str::to_string)
            })
            .collect()
    };
    let mut roles: Vec<(String, Vec<String>)> = Vec::new();
    match view.get("servers") {
        Some(s) if s.items().is_some() => roles.push(("web".into(), host_list(Some(s)))),
        Some(s) => {
            for e in s.entries().unwrap_or(&[]) {
                let Some(role) = e.key.as_str() else { continue };
                let hosts = if e.value.items().is_some() {
                    host_list(Some(&e.value))
                } else {
                    host_list(e.value.get("hosts"))
                };
                roles.push((role.to_string(), hosts));
            }
        }
        None => {}
    }
    let mut accessories = Vec::new();
    for acc in deploy::litestream_accessories(view) {
        let Some(n) = acc.name.as_str() else { continue };
        let mut hosts = host_list(acc.node.get("host"));
        hosts.extend(host_list(acc.node.get("hosts")));
        for key in ["role", "roles"] {
            let wanted = host_list(acc.node.get(key));
            for (r, h) in &roles {
                if wanted.contains(r) {
                    hosts.extend(h.iter().cloned());
                }
            }
        }
        accessories.push((n.to_string(), hosts));
    }
    Dest {
        name: name.map(str::to_string),
        service: view.get("service").and_then(|n| n.as_str()).map(str::to_string),
        roles,
        accessories,
    }
}

/// A config value the guard can use as a path (no ERB, no `${VAR}`).
fn usable(s: &str) -> bool {
    !s.is_empty() && !s.contains("<%") && !s.contains('$')
}

fn replica(r: &crate::yaml::Node, _root: &crate::yaml::Node) -> Option<Replica> {
    let get = |k: &str| r.get(k).and_then(|n| n.as_str()).filter(|s| usable(s));
    if let Some(url) = get("url") {
        let (_, rest) = url.split_once("://")?;
        let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
        return Some(Replica {
            bucket: bucket.to_string(),
            prefix: prefix.trim_matches('/').to_string(),
        });
    }
    let bucket = get("bucket")?;
    Some(Replica {
        bucket: bucket.to_string(),
        prefix: get("path").unwrap_or("").trim_matches('/').to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shopfront() -> Layout {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/shopfront/config");
        Layout::load(Some(&dir))
    }

    #[test]
    fn paths() {
        assert_eq!(clean("/a//b/./c/../d/"), "/a/b/d");
        assert_eq!(clean("a/../../b"), "../b");
        assert_eq!(under("/rails/storage/x", "/rails/storage/"), Some("x".into()));
        assert_eq!(under("/rails/storagex", "/rails/storage"), None);
        assert_eq!(
            docker_volume_path("/var/lib/docker/volumes/shop_storage/_data/p.sqlite3"),
            Some(("shop_storage".into(), "p.sqlite3".into()))
        );
        assert_eq!(
            docker_volume_path("/var/lib/docker/volumes/shop_storage"),
            Some(("shop_storage".into(), "".into()))
        );
        assert_eq!(part_path("/s/p.sqlite3", Part::Meta), "/s/.p.sqlite3-litestream");
        assert_eq!(part_path("p.sqlite3", Part::Meta), ".p.sqlite3-litestream");
        assert_eq!(part_path("d/p.sqlite3", Part::Meta), "d/.p.sqlite3-litestream");
    }

    #[test]
    fn shopfront_layout() {
        let l = shopfront();
        assert_eq!(l.service.as_deref(), Some("shopfront"));
        assert_eq!(l.volume_names(), ["shopfront_storage"]);
        assert!(l.dbs.iter().any(|d| d.path == "/rails/storage/production.sqlite3"));
        let live = &l.dbs[0];
        let host = l.place(
            &Ctx::Host("h".into()),
            "/var/lib/docker/volumes/shopfront_storage/_data/production.sqlite3",
        );
        assert_eq!(relate(&host, &live.place, &[]), Some(Rel::Exact));
        let run = Ctx::Run {
            mounts: vec![Mount {
                src: Root::Vol("shopfront_storage".into()),
                prefix: String::new(),
                target: "/data".into(),
            }],
        };
        assert_eq!(
            relate(&l.place(&run, "/data/production.sqlite3"), &live.place, &[]),
            Some(Rel::Exact)
        );
        let rails = l.place(&Ctx::App, "/rails");
        assert_eq!(
            relate(&rails, &live.place, &l.shows(live, Part::Main)),
            Some(Rel::Ancestor)
        );
        assert!(l
            .replicas
            .iter()
            .any(|r| r.bucket == "shopfront-backups" && r.prefix == "production"));
        let roles: Vec<String> = l.roles(None).into_iter().map(|(r, _)| r).collect();
        assert_eq!(roles, ["web", "job"]);
        assert!(!l.litestream_in_app());
        assert_eq!(
            l.holders(None),
            [
                Unit::role(None, "web"),
                Unit::role(None, "job"),
                Unit::accessory(None, "litestream")
            ]
        );
    }
}
