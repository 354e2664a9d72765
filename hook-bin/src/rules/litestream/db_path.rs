use crate::diag::Sink;
use crate::litestream::dbs;
use crate::project::Project;
use crate::rules::{Area, Rule};
use crate::yaml::Node;

pub static RULE: Rule = Rule {
    id: "L022",
    name: "db-path-missing-or-relative",
    severity: crate::diag::Severity::Error,
    area: Area::Litestream,
    summary: "A database entry without `path` (or `dir`), or with a relative path.",
    what: "Requires every `dbs` entry to name its database with an absolute `path` (or, on 0.5.3+, a `dir`). A relative path is a warning.",
    why: "Without a path 0.5 refuses to start and 0.3 fails on the entry. A relative path is resolved against the Litestream process's working directory, not the config file's: in the litestream container that is `/`, so `storage/production.sqlite3` becomes `/storage/production.sqlite3`, a file that does not exist.",
    bad: "dbs:\n  - path: storage/production.sqlite3\n    replicas: [{url: s3://backups/production}]\n",
    good: "dbs:\n  - path: /rails/storage/production.sqlite3\n    replicas: [{url: s3://backups/production}]\n",
    fix: "Write the absolute path at which the accessory sees the database, e.g. `/rails/storage/production.sqlite3`.",
    check: Some(check),
};

fn check(p: &Project, out: &mut Sink) {
    let Some(root) = p.litestream_root() else { return };
    for db in dbs(root) {
        match db.path.and_then(Node::as_str) {
            None if db.node.get("dir").is_none() => {
                out.report(db.node.loc(), "this database entry has no `path`; Litestream refuses to start", "Add `path: /rails/storage/<name>.sqlite3`.")
            }
            Some(path) if !path.starts_with('/') && !path.starts_with('~') && !path.starts_with('$') && !path.contains("://") && !path.is_empty() => {
                out.report_as(
                    crate::diag::Severity::Warning,
                    db.path.map_or(db.node.loc(), Node::loc),
                    format!("`{path}` is relative: Litestream resolves it against its working directory (`/` in the litestream container), not against the config file"),
                    format!("Write the absolute path, e.g. `/rails/{}`.", path.trim_start_matches("./")),
                )
            }
            _ => {}
        }
    }
}
