use super::{expected_paths, file_name, ls_paths, replicated};
use crate::diag::{Severity, Sink};
use crate::policy::Tier;
use crate::project::Project;
use crate::rules::deploy::view::{rails_paths, report_each, Issue};
use crate::rules::{Area, Rule};

pub static RULE: Rule = Rule {
    id: "R001",
    name: "unreplicated-database",
    severity: Severity::Error,
    area: Area::Database,
    summary: "A production SQLite database of config/database.yml has no entry in litestream.yml (an error for the primary database, a warning for the queue, an info for cache and cable).",
    what: "Takes each SQLite database of config/database.yml for the deployment's `RAILS_ENV` (production unless deploy.yml or the Dockerfile say otherwise), its path evaluated as Rails does (ERB such as `<%= Rails.env %>` or `ENV.fetch(…)` included) and made absolute against the Rails root (the Dockerfile's `WORKDIR`). It works out where Litestream opens that file: in the app container for the litestream-ruby gem or a binary in the image (relative `dbs[].path` values resolve against the Rails root), through the accessory's mount of the same volume for a Kamal accessory. Requires a `dbs` entry at that path (or a `dir` + `pattern` that matches it). Says nothing when a `dbs` path cannot be known (a variable with no known value). Other adapters are ignored.",
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
    // An entry whose path is not known here (a variable, a relative path in an accessory) may be
    // any of the databases: then nothing can be said about which one is missing.
    let listed = p.litestream_root().map_or(0, |r| crate::litestream::dbs(r).len());
    if ls.len() < listed {
        return;
    }
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
            let tier = p.policy.classify_with(&db.path, Some(db.name));
            let (what, severity) = consequence(tier);
            issues.push(
                Issue::new(
                    db.node.loc(),
                    want.clone(),
                    format!(
                        "production database `{}` (`{}`) is not replicated: no `dbs` entry in litestream.yml has `{want}`; {what}",
                        db.name, db.written,
                    ),
                    format!("Add `- path: {want}` with its own replica path to `dbs` in litestream.yml."),
                )
                .with_severity(severity),
            );
        }
    });
}

/// What a restore loses without this database, and how much that matters: the primary's data is
/// the backup's whole point; the queue's jobs matter; cache and cable contents are often left out
/// on purpose.
fn consequence(tier: Tier) -> (&'static str, Severity) {
    match tier {
        Tier::Primary => ("its data is not backed up at all", Severity::Error),
        Tier::Queue => ("a restore loses every enqueued and scheduled job", Severity::Warning),
        Tier::Cache => (
            "the cache starts empty after a restore (often what you want)",
            Severity::Info,
        ),
        Tier::Cable => (
            "undelivered Action Cable messages are lost on a restore (usually acceptable)",
            Severity::Info,
        ),
    }
}
