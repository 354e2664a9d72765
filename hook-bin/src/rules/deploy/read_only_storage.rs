use crate::diag::{Severity, Sink};
use crate::project::Project;
use crate::rules::deploy::view::{litestream_paths, mounts, report_views, storage_probe_paths, storage_volumes, Issue};
use crate::rules::{Area, Rule};

pub static RULE: Rule = Rule {
    id: "K005",
    name: "read-only-database-mount",
    severity: Severity::Error,
    area: Area::Deploy,
    summary: "The Litestream accessory mounts the databases' volume read-only (`:ro`).",
    what: "Finds the accessory's volume or directory mounts that hold a `dbs[].path` of litestream.yml (or, without one, that share the app's storage volume) and reports `ro`/`readonly` in their options. A read-only mount of the config file (`files:`) is fine.",
    why: "Litestream is not a read-only reader. It creates the `_litestream_seq` and `_litestream_lock` tables in the database, writes the `-shm` file and its `.<db>-litestream` directory beside it, and runs checkpoints that write the database file. On a read-only mount both 0.3.13 and 0.5.17 log `sync error … readonly database` (or `unable to open database file`) every second and keep running: the container looks healthy while no backup is ever uploaded (measured with both binaries on a read-only bind mount).",
    bad: "accessories:\n  litestream:\n    volumes:\n      - \"shopfront_storage:/rails/storage:ro\"\n",
    good: "accessories:\n  litestream:\n    volumes:\n      - \"shopfront_storage:/rails/storage\"\n    files:\n      - config/litestream.yml:/etc/litestream.yml:ro   # read-only is fine here\n",
    fix: "Remove `:ro` from the database volume. Only the config file may be mounted read-only.",
    check: Some(check),
};

fn check(p: &Project, out: &mut Sink) {
    let ls = litestream_paths(p);
    let probes = storage_probe_paths(p);
    report_views(p, out, |v, issues| {
        let storage = storage_volumes(v.root, &probes);
        for acc in v.accessories() {
            for m in mounts(acc.node).into_iter().filter(|m| m.holds_dirs() && m.read_only()) {
                let holds_db = if ls.is_empty() {
                    storage.iter().any(|(_, sv)| m.same_source(sv))
                } else {
                    ls.iter().any(|l| m.contains(&l.path))
                };
                if !holds_db {
                    continue;
                }
                let rw: Vec<&str> = m
                    .options
                    .iter()
                    .map(String::as_str)
                    .filter(|o| *o != "ro" && *o != "readonly")
                    .collect();
                let fixed = if rw.is_empty() {
                    format!("{}:{}", m.source, m.target)
                } else {
                    format!("{}:{}:{}", m.source, m.target, rw.join(","))
                };
                issues.push(Issue::new(
                    m.node.loc(),
                    "",
                    format!("the databases' volume `{}` is mounted read-only: Litestream must write the `-shm` file, its `.<db>-litestream` directory and `_litestream_seq` table, and run checkpoints; it logs sync errors forever while the container looks healthy, and nothing is backed up", m.written()),
                    format!("Mount it read-write: `{fixed}`. Only the config file may be `:ro`."),
                ));
            }
        }
    });
}
