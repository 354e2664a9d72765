use crate::diag::Sink;
use crate::litestream::keys::{Level, On05};
use crate::litestream::{dbs, walk};
use crate::project::Project;
use crate::rules::{Area, Rule};
use crate::version::Line;

pub static RULE: Rule = Rule {
    id: "L003",
    name: "key-ignored-by-v03",
    severity: crate::diag::Severity::Error,
    area: Area::Litestream,
    summary: "A 0.5-only key (`replica:`, a top-level `snapshot:`, global replica settings…) in a config that runs on Litestream 0.3, which ignores it.",
    what: "On Litestream 0.3, reports every key that only 0.5 reads. The singular `replica:` is reported with what it means: the database is opened with no replica at all.",
    why: "Litestream 0.3 ignores unknown keys without a word. A 0.5-style `replica:` under a database leaves that database with zero replicas: it starts, logs nothing alarming, and backs up nothing. A top-level `snapshot:` or `sync-interval:` silently keeps the defaults.",
    bad: "# accessory image: litestream/litestream:0.3.13\ndbs:\n  - path: /rails/storage/production.sqlite3\n    replica:\n      url: s3://backups/production\n",
    good: "# accessory image: litestream/litestream:0.3.13\ndbs:\n  - path: /rails/storage/production.sqlite3\n    replicas:\n      - url: s3://backups/production\n",
    fix: "On 0.3, use `replicas:` (a list) and per-replica settings; or pin the accessory to a 0.5 image if you meant to write a 0.5 config.",
    check: Some(check),
};

fn check(p: &Project, out: &mut Sink) {
    if p.chosen_version().line != Line::V03 {
        return;
    }
    let Some(root) = p.litestream_root() else { return };
    for db in dbs(root) {
        let Some(e) = db.node.entry("replica") else { continue };
        let none_left = db.replicas.iter().all(|r| r.singular);
        let tail = if none_left {
            "this database gets no replica at all and nothing is backed up"
        } else {
            "this replica is not used"
        };
        out.report(
            e.key.loc(),
            format!("Litestream 0.3 ignores `replica:` (singular): {tail}"),
            "Write it as a list: `replicas:` with the replica as its first item (`- url: …`).",
        );
    }
    walk(root, &mut |level, map| {
        for e in map.entries().unwrap_or(&[]) {
            let Some(name) = e.key.as_str() else { continue };
            // Keys inside a 0.5-only block are covered by the report on the block itself.
            if (level == Level::Db && name == "replica")
                || matches!(
                    level,
                    Level::Snapshot | Level::Validation | Level::CompactionLevel | Level::Socket | Level::Retention
                )
            {
                continue;
            }
            let Some(key) = crate::litestream::keys::lookup(level, name) else {
                continue;
            };
            if key.v03 || matches!(key.v05, On05::Absent) {
                continue;
            }
            let instead = match (level, name) {
                (Level::Top, "snapshot") => "On 0.3, set `snapshot-interval` and `retention` on each replica.",
                (Level::Top, _) => "On 0.3, set it on each replica instead.",
                _ => "Remove it, or pin the accessory to a 0.5 image.",
            };
            out.report(
                e.key.loc(),
                format!(
                    "`{name}` {} is a Litestream 0.5 setting; 0.3 ignores it silently",
                    level.describe()
                ),
                instead,
            );
        }
    });
}
