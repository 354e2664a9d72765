//! Rules about config/database.yml: the app's production SQLite databases and their backups.

pub mod not_sqlite;
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
    &not_sqlite::RULE,
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
            out.extend(accessory_paths_for(v.root, &mounts(acc.node), &db.path));
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

/// A production database whose path is built with ERB this checker cannot evaluate, as a
/// pattern: each tag's output may be any text. `None` when nothing literal is left to compare
/// (a `url:` that may point anywhere, or a file name that is all ERB).
pub(crate) fn erb_pattern<'p>(p: &'p Project, d: &crate::rails::database::RailsDb<'p>) -> Option<RailsDbPath<'p>> {
    if d.node.get("url").is_some() {
        return None;
    }
    let node = d.database?;
    let text = node.as_str()?;
    // Masked tags are one private-use character each; shown tags read `<%= … %>`.
    let mut pat = String::new();
    let mut rest = text;
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix("<%") {
            let end = after.find("%>")?;
            rest = &after[end + 2..];
            if !pat.ends_with('*') {
                pat.push('*');
            }
            continue;
        }
        let c = rest.chars().next().expect("rest is not empty");
        rest = &rest[c.len_utf8()..];
        if crate::yaml::is_erb_char(c) {
            if !pat.ends_with('*') {
                pat.push('*');
            }
        } else {
            pat.push(c);
        }
    }
    let file = pat.rsplit('/').next().unwrap_or(&pat);
    if file.trim_matches('*').is_empty() || !pat.contains('*') {
        return None;
    }
    // A leading tag may be an absolute directory: then the pattern is not under the Rails root.
    let path = if pat.starts_with('*') {
        pat.clone()
    } else {
        crate::rails::database::under_root(&p.model.rails_root, &pat)
    };
    Some(RailsDbPath {
        name: d.name,
        node,
        entry: d.node,
        written: crate::kamal::view::shown(text),
        path,
    })
}

/// True when some `dbs` entry may be the file `pattern` names, seen from this deployment.
pub(crate) fn pattern_replicated(ls: &[LsPath], view: Option<&View>, pattern: &RailsDbPath) -> bool {
    let wanted = expected_paths(view, pattern);
    ls.iter()
        .any(|l| l.pattern.is_some() || wanted.iter().any(|w| crate::kamal::view::glob(w, &clean(&l.path))))
}

/// The databases with unevaluable paths that no `dbs` entry can be, whatever their ERB yields.
pub(crate) fn unmatched_patterns<'p>(p: &'p Project, view: Option<&View>) -> Vec<RailsDbPath<'p>> {
    let ls = ls_paths(p);
    let listed = p.litestream_root().map_or(0, |r| crate::litestream::dbs(r).len());
    if ls.len() < listed {
        return Vec::new();
    }
    crate::kamal::view::rails_dbs(p)
        .iter()
        .filter(|(_, r)| matches!(r, crate::rails::database::Resolved::Unknown(_)))
        .filter_map(|(d, _)| erb_pattern(p, d))
        .filter(|pat| !pattern_replicated(&ls, view, pat))
        .collect()
}
