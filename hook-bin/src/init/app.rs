//! What init needs to know about the Rails app: its production SQLite databases (from
//! config/database.yml), the volume that holds them and the hosts that run the app (from
//! config/deploy.yml).

use std::path::Path;

use super::error::InitError;
use crate::kamal::deploy::{app_volumes, Volume};
use crate::policy::{Policy, Tier};
use crate::project::Project;
use crate::rails::database::production_dbs;
use crate::yaml::Node;

pub const DATABASE_YML: &str = "config/database.yml";
pub const DEPLOY_YML: &str = "config/deploy.yml";
pub const LITESTREAM_YML: &str = "config/litestream.yml";

/// One production database, as Litestream will see it in the accessory container.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppDb {
    /// The Rails name (`primary`, `cache`, …).
    pub name: String,
    /// `/rails/storage/production.sqlite3`.
    pub container_path: String,
    /// The file name without its extension (`production`): the replica path's last segment.
    pub stem: String,
    pub tier: Tier,
}

/// Which hosts the accessory runs on: the app's hosts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Hosts {
    /// Every role runs on this one host.
    One(String),
    /// Hosts written with ERB: target the roles instead, which reach the same machines.
    Roles(Vec<String>),
}

#[derive(Debug, Clone)]
pub struct App {
    pub dbs: Vec<AppDb>,
    /// The app's volumes that hold the databases (usually one: `<service>_storage:/rails/storage`).
    pub volumes: Vec<Volume>,
    pub hosts: Hosts,
    /// Every role name of `servers` (for checking an existing accessory's `roles:`).
    pub roles: Vec<String>,
    pub policy: Policy,
}

/// Loads the app at `root` the way `check` does and refuses anything init cannot build on.
pub fn load(root: &Path) -> Result<(Project, App), InitError> {
    if !root.is_dir() {
        return Err(InitError::NoAppDir(root.to_path_buf()));
    }
    for (rel, hint) in [
        (
            DATABASE_YML,
            "init reads the production databases from it; run init in the root of the Rails app",
        ),
        (
            DEPLOY_YML,
            "init adds the Litestream accessory to the Kamal configuration; run `kamal init` first (Rails 8 apps ship one)",
        ),
    ] {
        let p = root.join(rel);
        if !p.exists() {
            return Err(InitError::Missing {
                file: rel.to_string(),
                hint: hint.to_string(),
            });
        }
        if !p.is_file() {
            return Err(InitError::Unreadable {
                file: rel.to_string(),
                why: "not a regular file".into(),
            });
        }
    }
    let project = Project::load_app(root, "", &Default::default());
    // A file init reads (or writes next to) that cannot be read or parsed stops it. Problems in
    // an existing litestream.yml do not: init replaces that file.
    for f in &project.load_findings {
        let file = &project.file(f.loc.src).display;
        let destination = file.starts_with("config/deploy.") && file != DEPLOY_YML;
        if file == LITESTREAM_YML || destination {
            continue;
        }
        return Err(InitError::Unreadable {
            file: file.clone(),
            why: format!("{}:{}: {}", f.loc.pos.line, f.loc.pos.col, f.message),
        });
    }
    let db_root = project.database_root().ok_or_else(|| InitError::Unreadable {
        file: DATABASE_YML.into(),
        why: "holds no YAML mapping".into(),
    })?;
    let deploy_root = project
        .deploy
        .as_ref()
        .and_then(|l| l.root.as_ref())
        .ok_or_else(|| InitError::Unreadable {
            file: DEPLOY_YML.into(),
            why: "holds no YAML mapping".into(),
        })?;

    let policy = project.policy.clone();
    let dbs = databases(db_root, &policy)?;
    let volumes = storage_volumes(deploy_root, &dbs)?;
    let (hosts, roles) = hosts(deploy_root)?;
    let app = App {
        dbs,
        volumes,
        hosts,
        roles,
        policy,
    };
    Ok((project, app))
}

fn databases(root: &Node, policy: &Policy) -> Result<Vec<AppDb>, InitError> {
    let entries = production_dbs(root);
    if entries.is_empty() {
        return Err(InitError::NoProduction {
            file: DATABASE_YML.into(),
        });
    }
    let mut out: Vec<AppDb> = Vec::new();
    for db in entries {
        let name = db.name.to_string();
        let bad = |why: String| InitError::BadDatabase {
            name: name.clone(),
            why,
        };
        match db.adapter {
            None => {
                return Err(bad(
                    "has no `adapter`; init backs up SQLite databases (`adapter: sqlite3`)".into(),
                ))
            }
            Some(a) if !db.is_sqlite() => {
                return Err(bad(format!(
                    "uses the adapter {} at {DATABASE_YML}:{}; Litestream backs up SQLite only, so init stops here",
                    a.describe(),
                    a.pos.line
                )))
            }
            Some(_) => {}
        }
        let Some(file) = db.database else {
            return Err(bad("has no `database:` file name".into()));
        };
        let Some(path) = db.container_path() else {
            return Err(bad(format!(
                "its `database:` at {DATABASE_YML}:{} is not a plain file name (ERB or not text); write it as e.g. storage/production.sqlite3",
                file.pos.line
            )));
        };
        let shown = file.as_str().unwrap_or("");
        if shown.contains(":memory:") || shown.is_empty() || path.ends_with('/') {
            return Err(bad(format!("`database: {shown}` is not a database file")));
        }
        let file_name = path.rsplit('/').next().unwrap_or(&path);
        let stem = Path::new(file_name)
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or(file_name)
            .to_string();
        if let Some(other) = out.iter().find(|o| o.container_path == path) {
            return Err(bad(format!(
                "uses the same file as `{}` ({path}); each database needs its own file",
                other.name
            )));
        }
        if let Some(other) = out.iter().find(|o| o.stem == stem) {
            return Err(bad(format!(
                "its file name `{stem}` is also the name of `{}` ({}); init names each backup after its file, so the two would overwrite each other's backups; rename one file",
                other.name, other.container_path
            )));
        }
        out.push(AppDb {
            name,
            tier: policy.classify(&path),
            container_path: path,
            stem,
        });
    }
    Ok(out)
}

fn storage_volumes(root: &Node, dbs: &[AppDb]) -> Result<Vec<Volume>, InitError> {
    let vols = app_volumes(root);
    let mut out: Vec<Volume> = Vec::new();
    for db in dbs {
        let Some((node, v)) = vols.iter().rev().find(|(_, v)| v.contains(&db.container_path)) else {
            return Err(InitError::BadDeploy {
                why: format!(
                    "no entry of the root `volumes:` holds {} (database `{}`), so the databases live inside the container and are lost on every deploy; add `volumes: [\"<service>_storage:/rails/storage\"]` (the Rails 8 default) and run init again",
                    db.container_path, db.name
                ),
            });
        };
        if node.is_erb() {
            return Err(InitError::BadDeploy {
                why: format!(
                    "the volume that holds {} is written with ERB (line {}); init copies it into the accessory and needs it as plain text",
                    db.container_path, node.pos.line
                ),
            });
        }
        let clean = Volume {
            source: v.source.clone(),
            target: v.target.clone(),
            options: Vec::new(),
        };
        if !out.contains(&clean) {
            out.push(clean);
        }
    }
    Ok(out)
}

/// The hosts of every role in `servers` (a list is the `web` role; a role is a list of hosts or
/// a mapping with `hosts:`; a host is a string or a one-key mapping `host: tags`).
fn hosts(root: &Node) -> Result<(Hosts, Vec<String>), InitError> {
    let Some(servers) = root.get("servers") else {
        return Err(InitError::BadDeploy {
            why: "no `servers:`; init runs the accessory on the app's host and needs to know it".into(),
        });
    };
    let mut roles: Vec<(String, &Node)> = Vec::new();
    if servers.items().is_some() {
        roles.push(("web".into(), servers));
    } else if let Some(entries) = servers.entries() {
        for e in entries {
            let Some(name) = e.key.as_str() else { continue };
            let list = if e.value.items().is_some() {
                &e.value
            } else if let Some(h) = e.value.get("hosts") {
                h
            } else {
                continue;
            };
            roles.push((name.to_string(), list));
        }
    }
    let mut literal: Vec<String> = Vec::new();
    let mut erb = false;
    for (_, list) in &roles {
        for h in list.items().unwrap_or(&[]) {
            let host = if let Some(s) = h.as_str() {
                Some((s, h.is_erb()))
            } else {
                h.entries()
                    .and_then(|e| e.first())
                    .and_then(|e| e.key.as_str().map(|s| (s, e.key.is_erb())))
            };
            match host {
                Some((_, true)) => erb = true,
                Some((s, false)) if !s.trim().is_empty() && !literal.iter().any(|x| x == s.trim()) => {
                    literal.push(s.trim().to_string());
                }
                _ => {}
            }
        }
    }
    let role_names: Vec<String> = roles.iter().map(|(n, _)| n.clone()).collect();
    if literal.len() > 1 {
        return Err(InitError::BadDeploy {
            why: format!(
                "the app runs on {} hosts ({}); each host would keep its own SQLite files, and Litestream needs one replica path per host. init sets up single-host apps; for several hosts, write the accessory with `roles:` and give each host its own replica path (e.g. `path: ${{KAMAL_HOST}}/production`), see the skill's kamal-accessory.md",
                literal.len(),
                literal.join(", ")
            ),
        });
    }
    if erb || literal.is_empty() {
        if role_names.is_empty() {
            return Err(InitError::BadDeploy {
                why: "`servers:` lists no host; init runs the accessory on the app's host and needs to know it".into(),
            });
        }
        return Ok((Hosts::Roles(role_names.clone()), role_names));
    }
    Ok((Hosts::One(literal.remove(0)), role_names))
}
