use super::{expected_paths, file_name, ls_paths, replicated};
use crate::diag::{Severity, Sink};
use crate::kamal::view::{accessory_paths_for, mounts, View};
use crate::policy::Tier;
use crate::project::Project;
use crate::rules::deploy::view::{rails_paths, report_each, Issue, RailsDbPath};
use crate::rules::{Area, Rule};
use crate::yaml::Node;

pub static RULE: Rule = Rule {
    id: "R001",
    name: "unreplicated-database",
    severity: Severity::Error,
    area: Area::Database,
    summary: "A production SQLite database of config/database.yml has no entry in litestream.yml (an error for the primary database, a warning for the queue and other databases, an info for cache, cable, a Solid Errors log, and a database litestream.yml says it leaves out or another backup accessory holds).",
    what: "Takes each SQLite database of config/database.yml for the deployment's `RAILS_ENV` (production unless deploy.yml or the Dockerfile say otherwise), its path evaluated as Rails does (ERB such as `<%= Rails.env %>` or `ENV.fetch(…)` included) and made absolute against the Rails root (the Dockerfile's `WORKDIR`). It works out where Litestream opens that file: in the app container for the litestream-ruby gem or a binary in the image (relative `dbs[].path` values resolve against the Rails root), through the accessory's mount of the same volume for a Kamal accessory. Requires a `dbs` entry at that path (or a `dir` + `pattern` that matches it). Says nothing when a `dbs` path cannot be known (a variable with no known value). Other adapters are ignored.",
    why: "Litestream backs up only what litestream.yml lists. Rails 8 keeps Solid Queue, Solid Cache and Solid Cable in their own files; a restore without the queue database loses every enqueued and scheduled job, and one without the primary loses the data itself. Cache and cable databases can often be left out on purpose. When a prose comment in litestream.yml names the database or its kind (`# queue, cache and cable are ephemeral`), or an accessory whose image is a backup tool (restic, kamal-backup) mounts its volume, the omission is deliberate and the finding is only an info; a commented-out `dbs` entry is not such a comment.",
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
        too_few_entries(p, &ls, out);
        return;
    }
    report_each(p, out, |v, issues| {
        for db in super::unmatched_patterns(p, v) {
            let tier = p.policy.classify_with(&db.path, Some(db.name));
            let (what, severity) = judge(p, v, &db, tier);
            issues.push(
                Issue::new(
                    db.node.loc(),
                    db.path.clone(),
                    format!(
                        "production database `{}` (`{}`) is not replicated: whatever its ERB gives, no `dbs` entry in litestream.yml matches `{}`; {what}",
                        db.name, db.written, db.path,
                    ),
                    "Add a `dbs` entry with the path this database has in production, with its own replica path.",
                )
                .with_severity(severity),
            );
        }
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
            let (what, severity) = judge(p, v, db, tier);
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

/// What a restore loses without this database, and how much that matters. The primary's data
/// is the backup's whole point; the queue's jobs matter unless the app says it leaves them out or
/// another backup holds the file; cache, cable and an exception log are often left out on purpose.
fn judge(p: &Project, v: Option<&View>, db: &RailsDbPath, tier: Tier) -> (String, Severity) {
    if tier == Tier::Primary && db.name != "primary" {
        if exception_log(db) {
            return (
                "its exception log (Solid Errors) starts empty after a restore (usually acceptable)".into(),
                Severity::Info,
            );
        }
        // Only the app's main database makes this an error: another named database is judged
        // by its owner.
        return ("its data is not backed up".into(), Severity::Warning);
    }
    if tier != Tier::Primary {
        if let Some(line) = said_on_purpose(p, db, tier) {
            return (
                format!("litestream.yml says it is left out on purpose (line {line}), so a restore starts it empty"),
                Severity::Info,
            );
        }
        if let Some(name) = v.and_then(|v| other_backup(v, db)) {
            return (
                format!("Litestream does not replicate it, though the `{name}` accessory backs up the volume it is on"),
                Severity::Info,
            );
        }
    }
    let (what, severity) = consequence(tier);
    (what.to_string(), severity)
}

fn consequence(tier: Tier) -> (&'static str, Severity) {
    match tier {
        Tier::Primary => ("the app's data is not backed up at all", Severity::Error),
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

/// Solid Errors keeps its exception log in a database of its own (`errors`, migrations in
/// `db/errors_migrate`): losing it on a restore loses no app data.
fn exception_log(db: &RailsDbPath) -> bool {
    let migrations = db.entry.get("migrations_paths").and_then(Node::as_str).unwrap_or("");
    db.name.contains("errors") || migrations.contains("errors_migrate")
}

/// The line of a prose comment in litestream.yml that names this database or its kind (`# queue,
/// cache and cable are ephemeral`). A commented-out entry (`# - path: …`) is not such a comment:
/// it is a backup someone switched off.
fn said_on_purpose(p: &Project, db: &RailsDbPath, tier: Tier) -> Option<usize> {
    let src = p.litestream.as_ref()?.src;
    let text = &p.file(src).text;
    let base = file_name(&db.path);
    for (i, line) in text.lines().enumerate() {
        let Some(comment) = line.trim_start().strip_prefix('#') else {
            continue;
        };
        if looks_like_yaml(comment) {
            continue;
        }
        let lower = comment.to_lowercase();
        if lower.contains(tier.name()) || lower.contains(&db.name.to_lowercase()) || comment.contains(base) {
            return Some(i + 1);
        }
    }
    None
}

fn looks_like_yaml(comment: &str) -> bool {
    let c = comment.trim_start().trim_start_matches("- ");
    let key: String = c
        .chars()
        .take_while(|ch| ch.is_ascii_alphanumeric() || *ch == '-' || *ch == '_')
        .collect();
    !key.is_empty() && c[key.len()..].starts_with(':')
}

/// Another accessory that mounts the volume holding the database and is, by its image's name, a
/// backup tool (restic, kamal-backup, …).
fn other_backup<'v>(v: &'v View, db: &RailsDbPath) -> Option<&'v str> {
    let accessories = v.root.get("accessories").and_then(Node::entries)?;
    accessories.iter().find_map(|e| {
        let image = e.value.get("image").and_then(Node::as_str)?;
        let name = image.rsplit('/').next().unwrap_or(image).to_lowercase();
        let backup = ["backup", "restic", "borg", "kopia"].iter().any(|w| name.contains(w));
        let mounted = !accessory_paths_for(v.root, &mounts(&e.value), &db.path).is_empty();
        (backup && mounted && !crate::kamal::deploy::is_litestream_image(image))
            .then(|| e.key.as_str())
            .flatten()
    })
}

/// With some `dbs` paths unknown, which database is missing cannot be said; that one is, can be
/// when there are fewer entries than databases left to cover.
fn too_few_entries(p: &Project, ls: &[crate::kamal::view::LsPath], out: &mut Sink) {
    let Some(root) = p.litestream_root() else { return };
    let entries = crate::litestream::dbs(root);
    if ls.iter().any(|l| l.pattern.is_some()) || entries.iter().any(|d| d.path.is_none()) {
        return;
    }
    let unknown = entries.len() - ls.len();
    let all = crate::kamal::view::rails_dbs(p);
    let known = rails_paths(p);
    // The databases no known entry covers; those built from ERB count as uncovered.
    let mut left: Vec<(&str, Tier)> = Vec::new();
    for (d, r) in &all {
        let covered = match r {
            crate::rails::database::Resolved::Path(_) => known
                .iter()
                .find(|k| k.name == d.name)
                .is_some_and(|k| ls.iter().any(|l| l.covers(&k.path))),
            crate::rails::database::Resolved::Unknown(_) => false,
        };
        if !covered {
            let path = known.iter().find(|k| k.name == d.name).map_or("", |k| k.path.as_str());
            left.push((d.name, p.policy.classify_with(path, Some(d.name))));
        }
    }
    if left.len() <= unknown {
        return;
    }
    let missing = left.len() - unknown;
    // The mildest consequence among the candidates is the one that is certain.
    let severity = left
        .iter()
        .map(|(n, t)| {
            if *t == Tier::Primary && *n != "primary" {
                Severity::Warning
            } else {
                consequence(*t).1
            }
        })
        .max()
        .unwrap_or(Severity::Info);
    let names: Vec<String> = left.iter().map(|(n, _)| format!("`{n}`")).collect();
    let vars: Vec<String> = entries
        .iter()
        .filter_map(|d| d.path)
        .filter(|n| !ls.iter().any(|l| std::ptr::eq(l.node, *n)))
        .filter_map(|n| n.written().map(|w| format!("`{w}`")))
        .collect();
    let at = entries.first().and_then(|d| d.path).map_or(root.loc(), Node::loc);
    out.report_as(
        severity,
        at,
        format!(
            "litestream.yml has {} `dbs` {} for {} production {} not otherwise listed ({}): whatever {} holds, {} of them {} not backed up",
            unknown,
            if unknown == 1 { "entry" } else { "entries" },
            left.len(),
            if left.len() == 1 { "database" } else { "databases" },
            names.join(", "),
            vars.join(" and "),
            missing,
            if missing == 1 { "is" } else { "are" },
        ),
        "Give every production database its own `dbs` entry, with its own replica path.",
    );
}
