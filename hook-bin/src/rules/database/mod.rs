//! Rules about config/database.yml: the app's production SQLite databases and their backups.

pub mod outside_volume;
pub mod path_mismatch;
pub mod unevaluated;
pub mod unreplicated;

use super::Rule;

pub static RULES: &[&Rule] = &[
    &unreplicated::RULE,
    &path_mismatch::RULE,
    &outside_volume::RULE,
    &unevaluated::RULE,
];

use crate::project::Project;
use crate::rules::deploy::view::{accessory_paths_for, clean, litestream_paths, mounts, LsPath, RailsDbPath, View};

/// Where Litestream must replicate a Rails database: the app's path, seen through the accessory's
/// mount of the same volume. Falls back to the app's own path when no accessory shares the
/// volume (the deploy rules report that).
pub(crate) fn expected_paths(view: Option<&View>, db: &RailsDbPath) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(v) = view {
        for acc in v.accessories() {
            out.extend(accessory_paths_for(&v.root, &mounts(acc.node), &db.path));
        }
    }
    if out.is_empty() {
        out.push(db.path.clone());
    }
    out
}

/// True when litestream.yml replicates the database: an entry at an expected path, or a relative
/// entry equal to database.yml's own (relative) path, which the relative-path rule reports.
pub(crate) fn replicated(p: &Project, ls: &[LsPath], expected: &[String], db: &RailsDbPath) -> bool {
    if ls.iter().any(|l| expected.iter().any(|e| l.covers(e))) {
        return true;
    }
    let Some(root) = p.litestream_root() else { return false };
    crate::litestream::dbs(root)
        .iter()
        .filter_map(|d| d.path.and_then(|n| n.as_str()))
        .any(|s| !s.starts_with('/') && (clean(s) == clean(&db.written) || clean(&format!("/rails/{s}")) == db.path))
}

pub(crate) fn file_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

pub(crate) fn ls_paths(p: &Project) -> Vec<LsPath<'_>> {
    litestream_paths(p)
}
