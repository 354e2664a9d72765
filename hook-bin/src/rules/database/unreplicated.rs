use super::{expected_paths, file_name, ls_paths, replicated};
use crate::diag::{Severity, Sink};
use crate::project::Project;
use crate::rules::deploy::view::{rails_paths, report_each, Issue};
use crate::rules::{Area, Rule};

pub static RULE: Rule = Rule {
    id: "R001",
    name: "unreplicated-database",
    severity: Severity::Warning,
    area: Area::Database,
    summary: "A production SQLite database of config/database.yml has no entry in litestream.yml.",
    what: "Takes each production database with a `sqlite3` adapter from config/database.yml (`primary`, `cache`, `queue`, `cable`, or a single-database `production:`), works out where the Litestream accessory sees it (`storage/x.sqlite3` is `/rails/storage/x.sqlite3` in the app container, and the accessory sees it wherever it mounts the same volume), and requires a `dbs` entry at that path (or a `dir` + `pattern` that matches it). Other adapters are ignored.",
    why: "Litestream backs up only what litestream.yml lists. Rails 8 keeps Solid Queue, Solid Cache and Solid Cable in their own files; a restore without the queue database loses every enqueued and scheduled job, and one without the primary loses the data itself. Cache and cable databases can often be left out on purpose.",
    bad: "# database.yml: production: {primary: storage/production.sqlite3, queue: storage/production_queue.sqlite3}\ndbs:\n  - path: /rails/storage/production.sqlite3\n    replica: {url: s3://backups/production}\n",
    good: "dbs:\n  - path: /rails/storage/production.sqlite3\n    replica: {url: s3://backups/production}\n  - path: /rails/storage/production_queue.sqlite3\n    replica: {url: s3://backups/production_queue}\n",
    fix: "Add a `dbs` entry with the path the message gives and its own replica path. If leaving a cache or cable database out is deliberate, add `R001` to `ignore:` in config/litestream-guard.yml.",
    check: Some(check),
};

fn check(p: &Project, out: &mut Sink) {
    if p.litestream_root().is_none() {
        return;
    }
    let rails = rails_paths(p);
    let ls = ls_paths(p);
    report_each(p, out, |v, issues| {
        for db in &rails {
            let expected = expected_paths(v, db);
            if replicated(p, &ls, &expected, db) {
                continue;
            }
            // A same-named entry at another path is a path mismatch (R002), not a missing entry.
            if ls
                .iter()
                .any(|l| l.pattern.is_none() && file_name(&l.path) == file_name(&db.path))
            {
                continue;
            }
            let Some(want) = expected.first() else { continue };
            issues.push(Issue::new(
                db.node.loc(),
                want.clone(),
                format!(
                    "production database `{}` (`{}`) is not replicated: no `dbs` entry in litestream.yml has `{want}`; {}",
                    db.name,
                    db.written,
                    consequence(db.name, &db.path)
                ),
                format!("Add `- path: {want}` with its own replica path to `dbs` in litestream.yml."),
            ));
        }
    });
}

fn consequence(name: &str, path: &str) -> &'static str {
    let file = super::file_name(path);
    if name == "queue" || file.contains("_queue") {
        "a restore loses every enqueued and scheduled job"
    } else if name == "cache" || file.contains("_cache") {
        "the cache starts empty after a restore (often acceptable)"
    } else if name == "cable" || file.contains("_cable") {
        "undelivered Action Cable messages are lost on a restore (usually acceptable)"
    } else {
        "its data is not backed up at all"
    }
}
