use std::collections::HashMap;

use crate::diag::Sink;
use crate::litestream::dbs;
use crate::project::Project;
use crate::rules::{Area, Rule};

pub static RULE: Rule = Rule {
    id: "L018",
    name: "duplicate-db-path",
    severity: crate::diag::Severity::Error,
    area: Area::Litestream,
    summary: "The same database path listed twice in `dbs`.",
    what: "Compares the `path` of every database entry.",
    why: "Two entries for one file mean two replicators fighting over its WAL and Litestream's own tables; 0.5 refuses to start, 0.3 starts and corrupts its tracking state.",
    bad: "dbs:\n  - path: /rails/storage/production.sqlite3\n    replicas: [{url: s3://backups/a}]\n  - path: /rails/storage/production.sqlite3\n    replicas: [{url: s3://backups/b}]\n",
    good: "dbs:\n  - path: /rails/storage/production.sqlite3\n    replicas: [{url: s3://backups/a}]\n",
    fix: "Keep one entry per database file.",
    check: Some(check),
};

fn check(p: &Project, out: &mut Sink) {
    let Some(root) = p.litestream_root() else { return };
    let mut seen: HashMap<String, usize> = HashMap::new();
    for db in dbs(root) {
        let Some(path) = db.path.and_then(|n| n.as_str().map(|s| (n, s))) else {
            continue;
        };
        let key = path.1.trim_end_matches('/').to_string();
        if let Some(first) = seen.get(&key) {
            out.report(
                path.0.loc(),
                format!("`{}` is already listed at line {first}", path.1),
                "Remove this entry, or merge its settings into the first one.",
            );
        } else {
            seen.insert(key, path.0.pos.line);
        }
    }
}
