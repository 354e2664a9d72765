use crate::diag::Sink;
use crate::litestream::dbs;
use crate::project::Project;
use crate::rules::{Area, Rule};
use crate::version::Line;
use crate::yaml::Node;

pub static RULE: Rule = Rule {
    id: "L025",
    name: "duplicate-replica-name",
    severity: crate::diag::Severity::Error,
    area: Area::Litestream,
    summary: "On Litestream 0.3, two replicas of one database with the same name (by default, the same type).",
    what: "On 0.3, compares the names of each database's replicas; a replica without `name` is named after its type, so two `s3` replicas without names collide.",
    why: "`litestream replicate` refuses to start with `duplicate replica name: \"s3\"`. `litestream databases` does not notice, so a config can look fine until the accessory boots.",
    bad: "dbs:\n  - path: /rails/storage/production.sqlite3\n    replicas:\n      - url: s3://backups-eu/production\n      - url: s3://backups-us/production\n",
    good: "dbs:\n  - path: /rails/storage/production.sqlite3\n    replicas:\n      - name: eu\n        url: s3://backups-eu/production\n      - name: us\n        url: s3://backups-us/production\n",
    fix: "Give each replica of the database its own `name`.",
    check: Some(check),
};

fn check(p: &Project, out: &mut Sink) {
    if p.chosen_version().line != Line::V03 {
        return;
    }
    let Some(root) = p.litestream_root() else { return };
    for db in dbs(root) {
        let mut seen: Vec<String> = Vec::new();
        for r in db.replicas.iter().filter(|r| !r.singular) {
            let name = r
                .node
                .get("name")
                .and_then(Node::as_str)
                .map_or_else(|| r.kind(), str::to_string);
            if seen.contains(&name) {
                let at = r.node.get("name").unwrap_or(r.node);
                out.report(
                    at.loc(),
                    format!(
                        "a second replica named `{name}` on this database; `litestream replicate` refuses to start"
                    ),
                    "Give each replica a distinct `name:`.",
                );
            } else {
                seen.push(name);
            }
        }
    }
}
