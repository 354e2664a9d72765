use crate::diag::Sink;
use crate::litestream::dbs;
use crate::project::Project;
use crate::rules::{Area, Rule};

pub static RULE: Rule = Rule {
    id: "L011",
    name: "url-mixed-with-bucket-or-path",
    severity: crate::diag::Severity::Error,
    area: Area::Litestream,
    summary: "A replica that gives both `url` and `bucket`/`path`, or a URL in `path`.",
    what: "Reports replicas that combine `url` with `bucket` or `path`, and `path` values that are URLs.",
    why: "Litestream refuses to start (`cannot specify url & bucket for s3 replica`, `replica path cannot be a url, please use the 'url' field instead`). Mixed forms usually come from merging two examples.",
    bad: "dbs:\n  - path: /rails/storage/production.sqlite3\n    replicas:\n      - url: s3://backups/production\n        bucket: backups\n",
    good: "dbs:\n  - path: /rails/storage/production.sqlite3\n    replicas:\n      - url: s3://backups/production\n",
    fix: "Use one form: either `url: s3://bucket/path`, or `type`, `bucket` and `path`.",
    check: Some(check),
};

fn check(p: &Project, out: &mut Sink) {
    let Some(root) = p.litestream_root() else { return };
    for db in dbs(root) {
        for r in &db.replicas {
            let url = r.node.get("url");
            for key in ["bucket", "path"] {
                let Some(e) = r.node.entry(key) else { continue };
                if url.is_some() {
                    out.report(
                        e.key.loc(),
                        format!("this replica has both `url` and `{key}`; Litestream refuses to start"),
                        format!("Remove `{key}` and keep the URL, or remove `url` and add `type`."),
                    );
                } else if key == "path" && e.value.as_str().is_some_and(|s| s.contains("://")) {
                    out.report(
                        e.value.loc(),
                        "`path` holds a URL; Litestream refuses to start (`replica path cannot be a url`)",
                        "Rename `path` to `url`.",
                    );
                }
            }
        }
    }
}
