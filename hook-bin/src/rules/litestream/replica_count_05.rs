use crate::diag::Sink;
use crate::litestream::dbs;
use crate::project::Project;
use crate::rules::{Area, Rule};
use crate::version::Line;

pub static RULE: Rule = Rule {
    id: "L004",
    name: "replica-count-v05",
    severity: crate::diag::Severity::Error,
    area: Area::Litestream,
    summary: "On Litestream 0.5 a database needs exactly one replica: several `replicas`, both `replica` and `replicas`, or none.",
    what: "On 0.5, counts each database's replicas: more than one entry in `replicas`, `replica` together with `replicas`, or no replica at all is reported.",
    why: "Litestream 0.5 supports a single replica per database and refuses to start otherwise (`multiple replicas on a single database are no longer supported`, `cannot specify 'replica' and 'replicas' on a database`, `must specify replica for database`).",
    bad: "dbs:\n  - path: /rails/storage/production.sqlite3\n    replicas:\n      - url: s3://backups/production\n      - path: /backups/production\n",
    good: "dbs:\n  - path: /rails/storage/production.sqlite3\n    replica:\n      url: s3://backups/production\n",
    fix: "Keep one replica per database and write it as `replica:` (a mapping). For a second copy, replicate the bucket on the storage side.",
    check: Some(check),
};

fn check(p: &Project, out: &mut Sink) {
    if p.chosen_version().line != Line::V05 {
        return;
    }
    let Some(root) = p.litestream_root() else { return };
    for db in dbs(root) {
        let one = db.node.entry("replica");
        let many = db.node.entry("replicas");
        let listed = many.and_then(|e| e.value.items()).map_or(0, <[_]>::len);
        match (one, many) {
            (Some(_), Some(m)) => out.report(
                m.key.loc(),
                "this database has both `replica` and `replicas`; Litestream 0.5 refuses to start",
                "Keep only `replica:` (one mapping).",
            ),
            (None, Some(m)) if listed > 1 => out.report(
                m.key.loc(),
                format!(
                    "`replicas` lists {listed} replicas; Litestream 0.5 supports one per database and refuses to start"
                ),
                "Keep one, written as `replica:` (a mapping).",
            ),
            (None, None) => out.report(
                db.node.loc(),
                "this database has no replica; Litestream 0.5 refuses to start (`must specify replica for database`)",
                "Add `replica:` with `url: s3://bucket/path` (or `type`, `bucket`, `path`).",
            ),
            _ => {}
        }
    }
}
