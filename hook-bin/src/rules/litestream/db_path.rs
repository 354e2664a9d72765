use crate::diag::Sink;
use crate::litestream::dbs;
use crate::project::Project;
use crate::rules::{Area, Rule};
use crate::runner::{is_relative, Kind};

pub static RULE: Rule = Rule {
    id: "L022",
    name: "db-path-missing-or-relative",
    severity: crate::diag::Severity::Error,
    area: Area::Litestream,
    summary: "A database entry without `path` (or `dir`), or a relative path where Litestream does not run from the Rails root.",
    what: "Requires every `dbs` entry to name its database with a `path` (or, on 0.5.3+, a `dir`). A relative path is resolved against the working directory of the Litestream process, so it is judged by the runner: with the litestream-ruby gem or a binary in the app image, Litestream runs from the Rails root and `storage/production.sqlite3` is right; a Kamal accessory runs in `/`, where the same path names `/storage/production.sqlite3` (an error).",
    why: "Without a path 0.5 refuses to start, and 0.3 takes its working directory for the database, failing every sync. A relative path in an accessory's config points at a file that does not exist in the litestream container: Litestream watches nothing and backs up nothing, while the container looks healthy.",
    bad: "# accessory runner\ndbs:\n  - path: storage/production.sqlite3\n    replicas: [{url: s3://backups/production}]\n",
    good: "dbs:\n  - path: /rails/storage/production.sqlite3\n    replicas: [{url: s3://backups/production}]\n",
    fix: "With an accessory, write the absolute path at which the accessory sees the database (e.g. `/rails/storage/production.sqlite3`); with the gem, relative paths from the Rails root are fine.",
    check: Some(check),
};

fn check(p: &Project, out: &mut Sink) {
    let Some(root) = p.litestream_root() else { return };
    let accessory = p.model.primary().filter(|r| r.kind == Kind::Accessory);
    for db in dbs(root) {
        match db.path {
            None if db.node.get("dir").is_none() => out.report(
                db.node.loc(),
                if p.chosen_version().line == crate::version::Line::V03 {
                    "this database entry has no `path`: Litestream 0.3 takes its working directory for the database and replicates nothing (it logs `sync error … is a directory` every second)"
                } else {
                    "this database entry has no `path`; Litestream refuses to start"
                },
                "Add `path: /rails/storage/<name>.sqlite3`.",
            ),
            Some(n) if n.is_opaque() => {}
            Some(n) if is_relative(n) => {
                let Some(acc) = accessory else { continue };
                let path = n.as_str().unwrap_or("");
                let rel = path.trim_start_matches("./");
                out.report(
                    n.loc(),
                    format!("`{path}` is relative, and the `{}` accessory runs Litestream in `/`: it looks for `/{rel}`, which is not the app's database", acc.accessory.as_deref().unwrap_or("litestream")),
                    format!("Write the absolute path at which the accessory sees the database, e.g. `{}/{rel}`.", p.model.rails_root),
                );
            }
            _ => {}
        }
    }
}
