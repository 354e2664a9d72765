use std::collections::HashMap;

use crate::diag::Sink;
use crate::litestream::dbs;
use crate::project::Project;
use crate::rules::{Area, Rule};
use crate::yaml::Node;

pub static RULE: Rule = Rule {
    id: "L019",
    name: "shared-replica-path",
    severity: crate::diag::Severity::Error,
    area: Area::Litestream,
    summary: "Two databases replicating to the same bucket and path, where each overwrites the other's backups.",
    what: "Works out each replica's destination (type, endpoint, bucket and path, from the URL or the keys, with top-level defaults) and reports destinations shared by different databases.",
    why: "Litestream assumes it owns a replica path. Two databases writing there mix snapshots and WAL segments: retention deletes the other database's files, and a restore brings back the wrong database or fails. Copying the primary's replica block to cache and queue without changing `path` is the classic cause.",
    bad: "dbs:\n  - path: /rails/storage/production.sqlite3\n    replicas: [{url: s3://backups/production}]\n  - path: /rails/storage/production_queue.sqlite3\n    replicas: [{url: s3://backups/production}]\n",
    good: "dbs:\n  - path: /rails/storage/production.sqlite3\n    replicas: [{url: s3://backups/production}]\n  - path: /rails/storage/production_queue.sqlite3\n    replicas: [{url: s3://backups/production_queue}]\n",
    fix: "Give every database its own replica path, e.g. named after the database file.",
    check: Some(check),
};

fn check(p: &Project, out: &mut Sink) {
    let Some(root) = p.litestream_root() else { return };
    let v = p.chosen_version();
    let mut owners: HashMap<String, (String, usize)> = HashMap::new();
    for db in dbs(root) {
        let name = db.path.and_then(Node::as_str).unwrap_or("?").to_string();
        for r in db.replicas.iter().filter(|r| r.read_by(v)) {
            // A destination built from variables whose values are not known here is still
            // shared when two replicas write it with the same text: one process expands both.
            let Some(dest) = r.target(root, v).or_else(|| as_written(r, root, v)) else {
                continue;
            };
            match owners.get(&dest) {
                Some((other, line)) if *other != name => {
                    let at = r.node.get("path").or_else(|| r.node.get("url")).unwrap_or(r.node);
                    out.report(
                        at.loc(),
                        format!("this replica writes to the same place as the replica of `{other}` (line {line}); the two databases overwrite each other's backups"),
                        format!("Give it its own path, e.g. `{}`.", suggested(r, &name)),
                    );
                }
                Some(_) => {}
                None => {
                    owners.insert(dest, (name.clone(), r.node.pos.line));
                }
            }
        }
    }
}

/// The destination as written, when it uses a variable (`url: $LITESTREAM_REPLICA_BUCKET`).
fn as_written(r: &crate::litestream::Replica, root: &Node, v: crate::version::Version) -> Option<String> {
    let text = r.target_with(root, v, &|n: &Node| n.written().map(str::to_string));
    let raw = r
        .node
        .get("url")
        .and_then(Node::written)
        .map(str::to_string)
        .or(text.clone())?;
    raw.contains('$')
        .then(|| format!("as written: {}", text.unwrap_or(raw)))
}

fn suggested(r: &crate::litestream::Replica, db_path: &str) -> String {
    let file = db_path.rsplit('/').next().unwrap_or(db_path);
    let name = file.strip_suffix(".sqlite3").unwrap_or(file);
    match r.node.get("url").and_then(Node::written) {
        Some(url) => format!("url: {}/{name}", url.trim_end_matches('/')),
        None => format!("path: {name}"),
    }
}
