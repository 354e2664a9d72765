//! A restored copy next to the live database (schema and row counts), and the signs that a
//! replica path holds some other database's backup.

use super::sqlite::Stats;

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Diff {
    /// Same schema and the same row count in every table.
    pub caught_up: bool,
    /// Both have tables and none in common: not the same database at all.
    pub disjoint: bool,
    /// Schema differences, for people (`table x only in the live database`).
    pub schema: Vec<String>,
    /// Every table in either: (name, live rows, backup rows).
    pub tables: Vec<(String, Option<u64>, Option<u64>)>,
}

pub fn diff(live: &Stats, backup: &Stats) -> Diff {
    let mut d = Diff::default();
    let mut names: Vec<&String> = live.tables.keys().chain(backup.tables.keys()).collect();
    names.sort();
    names.dedup();
    let mut same_rows = true;
    for n in names {
        let (l, b) = (live.tables.get(n), backup.tables.get(n));
        match (l, b) {
            (Some(_), None) => d.schema.push(format!("table {n} only in the live database")),
            (None, Some(_)) => d.schema.push(format!("table {n} only in the backup")),
            (Some(l), Some(b)) if l.0 != b.0 => d.schema.push(format!("table {n} is defined differently")),
            _ => {}
        }
        let (lr, br) = (l.and_then(|t| t.1), b.and_then(|t| t.1));
        same_rows &= lr == br;
        d.tables.push((n.clone(), lr, br));
    }
    let mut objs: Vec<&String> = live.objects.keys().chain(backup.objects.keys()).collect();
    objs.sort();
    objs.dedup();
    for o in objs {
        match (live.objects.get(o), backup.objects.get(o)) {
            (Some(_), None) => d.schema.push(format!("{o} only in the live database")),
            (None, Some(_)) => d.schema.push(format!("{o} only in the backup")),
            (Some(a), Some(b)) if a != b => d.schema.push(format!("{o} is defined differently")),
            _ => {}
        }
    }
    d.disjoint = !live.tables.is_empty()
        && !backup.tables.is_empty()
        && live.tables.keys().all(|k| !backup.tables.contains_key(k));
    d.caught_up = d.schema.is_empty() && same_rows;
    d
}

impl Diff {
    /// `items: 770 live, 650 in the backup; …` for the tables whose counts differ.
    pub fn row_summary(&self, max: usize) -> String {
        let differing: Vec<String> = self
            .tables
            .iter()
            .filter(|t| t.1 != t.2)
            .map(|(n, l, b)| {
                let c = |x: &Option<u64>| x.map_or_else(|| "none".to_string(), |v| v.to_string());
                format!("{n}: {} live, {} in the backup", c(l), c(b))
            })
            .collect();
        let more = differing.len().saturating_sub(max);
        let mut s = differing.into_iter().take(max).collect::<Vec<_>>().join("; ");
        if more > 0 {
            s.push_str(&format!("; {more} more"));
        }
        s
    }
}

/// The Solid Queue, Solid Cache and Solid Cable databases of a Rails 8 app, by the table each
/// always has.
const ROLES: [(&str, &str); 3] = [
    ("queue", "solid_queue_jobs"),
    ("cache", "solid_cache_entries"),
    ("cable", "solid_cable_messages"),
];

/// Tables every Rails database has, whatever it holds.
fn rails_bookkeeping(t: &str) -> bool {
    t == "ar_internal_metadata" || t == "schema_migrations"
}

fn role_of_name(name: &str) -> Option<&'static str> {
    let stem = std::path::Path::new(name).file_stem()?.to_str()?.to_ascii_lowercase();
    let words: Vec<&str> = stem.split(['_', '-', '.']).collect();
    ROLES.iter().map(|r| r.0).find(|r| words.contains(r))
}

fn role_of_tables(s: &Stats) -> Option<(&'static str, &'static str)> {
    ROLES.iter().copied().find(|(_, sig)| s.tables.contains_key(*sig))
}

/// When the restored copy of `name` is plainly another of the app's databases: a `_queue`
/// database whose backup has Solid Cache's table and not Solid Queue's, or a primary database
/// whose backup holds nothing but another role's tables while the config has that database too.
pub fn foreign(name: &str, backup: &Stats, others: &[&str]) -> Option<String> {
    let (found, sig) = role_of_tables(backup)?;
    let expected = role_of_name(name);
    if expected == Some(found) {
        return None;
    }
    if let Some(e) = expected {
        let own = ROLES.iter().find(|r| r.0 == e).map_or("", |r| r.1);
        if backup.tables.contains_key(own) {
            return None;
        }
        return Some(format!(
            "the backup holds a {found} database (it has {sig} and no {own}), not this {e} database"
        ));
    }
    let only_that_role = backup
        .tables
        .keys()
        .all(|t| rails_bookkeeping(t) || t.starts_with(&format!("solid_{found}_")));
    let other = others.iter().find(|o| role_of_name(o) == Some(found))?;
    only_that_role.then(|| {
        format!("the backup holds only the tables of a {found} database ({sig}), like {other}: not this database")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stats(tables: &[(&str, u64)]) -> Stats {
        let mut s = Stats::default();
        for (n, r) in tables {
            s.tables
                .insert(n.to_string(), (format!("CREATE TABLE {n}(x)"), Some(*r)));
        }
        s
    }

    #[test]
    fn caught_up_behind_and_disjoint() {
        let live = stats(&[("items", 10), ("users", 2)]);
        assert!(diff(&live, &live).caught_up);
        let d = diff(&live, &stats(&[("items", 7), ("users", 2)]));
        assert!(!d.caught_up && !d.disjoint);
        assert_eq!(d.row_summary(3), "items: 10 live, 7 in the backup");
        let d = diff(&live, &stats(&[("items", 10)]));
        assert_eq!(d.schema, vec!["table users only in the live database"]);
        assert!(diff(&live, &stats(&[("solid_cache_entries", 1)])).disjoint);
    }

    #[test]
    fn another_rails_database() {
        let cache = stats(&[
            ("solid_cache_entries", 5),
            ("ar_internal_metadata", 1),
            ("schema_migrations", 0),
        ]);
        let queue = stats(&[("solid_queue_jobs", 5), ("solid_cache_entries", 1)]);
        let others = ["storage/production.sqlite3", "storage/production_cache.sqlite3"];
        assert!(foreign("storage/production_queue.sqlite3", &cache, &others)
            .unwrap()
            .contains("holds a cache database"));
        assert_eq!(foreign("storage/production_queue.sqlite3", &queue, &others), None);
        assert_eq!(foreign("storage/production_cache.sqlite3", &cache, &others), None);
        assert!(foreign("storage/production.sqlite3", &cache, &others).is_some());
        // A primary database with its own tables next to Solid Queue's is not flagged.
        let primary = stats(&[("users", 3), ("solid_queue_jobs", 1)]);
        assert_eq!(
            foreign(
                "storage/production.sqlite3",
                &primary,
                &["storage/production_queue.sqlite3"]
            ),
            None
        );
    }
}
