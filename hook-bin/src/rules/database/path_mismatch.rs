use super::{expected_paths, file_name, ls_paths, replicated};
use crate::diag::{Severity, Sink};
use crate::project::Project;
use crate::rules::deploy::view::{mounts, rails_paths, report_each, Issue};
use crate::rules::{Area, Rule};

pub static RULE: Rule = Rule {
    id: "R002",
    name: "database-path-mismatch",
    severity: Severity::Error,
    area: Area::Database,
    summary: "litestream.yml replicates a database file by the right name at the wrong path: not where the app writes it.",
    what: "For each production SQLite database of config/database.yml that litestream.yml does not replicate at the expected path, looks for a `dbs[].path` with the same file name elsewhere and reports it with the path it should have. The expected path maps database.yml's relative path into the app container (`storage/x.sqlite3` → `/rails/storage/x.sqlite3`) and then through the accessory's mount of the same volume (`shopfront_storage:/data` → `/data/x.sqlite3`). Paths outside every accessory mount are left to K007.",
    why: "Litestream replicates the file at the path it is given. At the wrong path it watches a file that does not exist (or a stale copy), and the database the app writes is never backed up, while the config looks complete.",
    bad: "# database.yml: database: storage/production.sqlite3; the accessory mounts shopfront_storage:/rails/storage\ndbs:\n  - path: /rails/db/production.sqlite3\n",
    good: "dbs:\n  - path: /rails/storage/production.sqlite3\n",
    fix: "Change `path` to the one the message gives.",
    check: Some(check),
};

fn check(p: &Project, out: &mut Sink) {
    if p.litestream_root().is_none() {
        return;
    }
    let rails = rails_paths(p);
    let ls = ls_paths(p);
    report_each(p, out, |v, issues| {
        let acc_mounts: Option<Vec<_>> = v.map(|v| {
            v.accessories()
                .iter()
                .flat_map(|a| mounts(a.node))
                .filter(|m| m.holds_dirs())
                .collect()
        });
        for db in &rails {
            let expected = expected_paths(v, db);
            if replicated(p, &ls, &expected, db) {
                continue;
            }
            let Some(want) = expected.first() else { continue };
            for l in ls
                .iter()
                .filter(|l| l.pattern.is_none() && file_name(&l.path) == file_name(&db.path))
            {
                if let Some(ms) = &acc_mounts {
                    if !ms.is_empty() && !ms.iter().any(|m| m.contains(&l.path)) {
                        continue; // outside every mount: K007 reports it
                    }
                }
                let seen = match v {
                    Some(v) if !v.accessories().is_empty() && *want != db.path => {
                        format!("which the Litestream accessory sees at `{want}`")
                    }
                    _ => format!("which is `{want}` in the app container"),
                };
                issues.push(Issue::new(
                    l.node.loc(),
                    db.name,
                    format!(
                        "`{}` is not where the app writes its `{}` database: database.yml has `{}`, {seen}; Litestream would back up a file the app never writes",
                        l.path, db.name, db.written
                    ),
                    format!("Change the path to `{want}`."),
                ));
            }
        }
    });
}
