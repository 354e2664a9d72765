use crate::diag::Sink;
use crate::litestream::{dbs, Replica};
use crate::project::Project;
use crate::rules::{Area, Rule};
use crate::version::Version;
use crate::yaml::Node;

pub static RULE: Rule = Rule {
    id: "L010",
    name: "replica-destination-missing",
    severity: crate::diag::Severity::Error,
    area: Area::Litestream,
    summary: "A replica with nowhere to write: an s3/gs/abs/oss replica without a bucket, a file replica without a path, an sftp replica without host or user.",
    what: "Works out each replica's type and checks that it names its destination: a `bucket` (or a URL with one) for bucket stores, a `path` for file replicas, `host` and `user` for sftp.",
    why: "Litestream refuses to start (`bucket required for s3 replica`, `file replica path required`, `host required for sftp replica`). A replica written with only `type: s3` and credentials is the usual result of a half-edited config.",
    bad: "dbs:\n  - path: /rails/storage/production.sqlite3\n    replicas:\n      - type: s3\n        path: production\n",
    good: "dbs:\n  - path: /rails/storage/production.sqlite3\n    replicas:\n      - type: s3\n        bucket: shopfront-backups\n        path: production\n",
    fix: "Add the missing key, or write the replica as one URL (`url: s3://bucket/path`).",
    check: Some(check),
};

fn check(p: &Project, out: &mut Sink) {
    let Some(root) = p.litestream_root() else { return };
    let v = p.chosen_version();
    for db in dbs(root) {
        for r in db.replicas.iter().filter(|r| r.read_by(v)) {
            if r.node.get("url").is_some() {
                continue; // the URL carries the destination; L011 checks mixing
            }
            let kind = r.kind();
            let missing: Vec<&str> = match kind.as_str() {
                "s3" | "gs" | "gcs" | "abs" | "oss" => need(r, root, v, &["bucket"]),
                "file" => need(r, root, v, &["path"]),
                "sftp" => need(r, root, v, &["host", "user"]),
                _ => Vec::new(),
            };
            for key in missing {
                let says = if kind == "file" {
                    "file replica path required".to_string()
                } else {
                    format!("{key} required for {kind} replica")
                };
                out.report(
                    r.node.loc(),
                    format!("this {kind} replica has no `{key}`; Litestream refuses to start (`{says}`)"),
                    format!("Add `{key}:` to the replica, or write it as one URL such as `url: {kind}://…`."),
                );
            }
        }
    }
}

fn need<'a>(r: &Replica, root: &Node, v: Version, keys: &[&'a str]) -> Vec<&'a str> {
    keys.iter()
        .copied()
        // A value that a variable emptied is K010's finding, with its cause.
        .filter(|k| {
            let n = r.setting(root, k, v);
            n.is_none_or(|n| n.as_str().is_none_or(str::is_empty) && !n.written().is_some_and(|w| w.contains('$')))
        })
        .collect()
}
