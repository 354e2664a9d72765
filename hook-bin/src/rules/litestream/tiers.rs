//! Shared by the tier rules: the effective sync interval, snapshot interval and retention of each
//! database, as the running version applies them.

use crate::duration::parse_go;
use crate::kamal::view::{litestream_paths, rails_paths};
use crate::litestream::{dbs, Replica};
use crate::policy::Tier;
use crate::project::Project;
use crate::source::Loc;
use crate::version::Line;
use crate::yaml::Node;

/// One setting's effective value, and where it was written (or `None` when the default applies).
#[derive(Debug, Clone, Copy)]
pub struct Setting {
    pub ns: f64,
    pub at: Option<Loc>,
}

pub struct DbTiers {
    pub path: String,
    pub loc: Loc,
    pub tier: Tier,
    /// `None` when the written value cannot be read (other rules report it).
    pub sync: Option<Setting>,
    /// 0.3: per replica (unset: snapshots only when retention runs). 0.5: global.
    pub snapshot: Option<Setting>,
    pub retention: Option<Setting>,
    /// False when the entry's path is known, every production database's path is known, and it
    /// is none of them (a development database listed beside them, say).
    pub production: bool,
}

fn setting(n: Option<&Node>, default: f64) -> Option<Setting> {
    match n {
        None => Some(Setting { ns: default, at: None }),
        Some(n) => {
            let s = n.as_str()?;
            if n.as_int().is_some() {
                return None; // bare integers are L007's business
            }
            Some(Setting {
                ns: parse_go(s).ok()?,
                at: Some(n.loc()),
            })
        }
    }
}

const H: f64 = 3600e9;

/// The values in force per database; `None` for a database whose values cannot be read (other
/// rules report why).
pub fn effective(p: &Project) -> Vec<DbTiers> {
    let Some(root) = p.litestream_root() else {
        return Vec::new();
    };
    let v = p.chosen_version();
    let mut out = Vec::new();
    let rails = rails_paths(p);
    let ls_paths = litestream_paths(p);
    let prod = production_paths(p, &rails);
    for db in dbs(root) {
        let Some(path_node) = db.path else { continue };
        let Some(path) = path_node.as_str() else {
            continue;
        };
        let Some(r) = db.replicas.iter().find(|r| r.read_by(v)) else {
            continue;
        };
        let rails_name = ls_paths
            .iter()
            .find(|l| std::ptr::eq(l.node, path_node))
            .and_then(|l| rails.iter().find(|r| l.covers(&r.path)))
            .map(|r| r.name);
        let tier = p.policy.classify_with(path, rails_name);
        let production = match (&prod, ls_paths.iter().find(|l| std::ptr::eq(l.node, path_node))) {
            (Some(prod), Some(l)) => prod.iter().any(|x| l.covers(x)),
            _ => true,
        };
        let sync = setting(r.setting(root, "sync-interval", v), 1e9);
        let (snapshot, retention) = match v.line {
            Line::V03 => (
                per_replica(r, "snapshot-interval"),
                setting(r.node.get("retention"), 24.0 * H),
            ),
            Line::V05 => {
                let snap = root.get("snapshot");
                (
                    setting(snap.and_then(|s| s.get("interval")), 24.0 * H),
                    setting(snap.and_then(|s| s.get("retention")), 24.0 * H),
                )
            }
        };
        out.push(DbTiers {
            path: path.to_string(),
            loc: db.path.map_or(db.node.loc(), Node::loc),
            tier,
            sync,
            snapshot,
            retention,
            production,
        });
    }
    out
}

/// Every path where Litestream would open one of the production databases, over the Kamal
/// deployments; `None` when some database's path cannot be evaluated.
fn production_paths(p: &Project, rails: &[crate::kamal::view::RailsDbPath]) -> Option<Vec<String>> {
    if crate::rules::database::not_sqlite::other_adapter(p).is_some() {
        return Some(Vec::new());
    }
    let all = crate::kamal::view::rails_dbs(p);
    if rails.is_empty()
        || all
            .iter()
            .any(|(_, r)| matches!(r, crate::rails::database::Resolved::Unknown(_)))
    {
        return None;
    }
    let views = crate::kamal::view::views(p);
    let mut out = Vec::new();
    for db in rails {
        if views.is_empty() {
            out.extend(crate::rules::database::expected_paths(None, db));
        }
        for v in &views {
            out.extend(crate::rules::database::expected_paths(Some(v), db));
        }
    }
    Some(out)
}

/// 0.3's `snapshot-interval` has no default: unset means "only when retention is enforced".
fn per_replica(r: &Replica, key: &str) -> Option<Setting> {
    let n = r.node.get(key)?;
    setting(Some(n), 0.0)
}
