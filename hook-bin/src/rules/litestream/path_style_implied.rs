use crate::diag::Sink;
use crate::litestream::{dbs, s3};
use crate::project::Project;
use crate::rules::{Area, Rule};

pub static RULE: Rule = Rule {
    id: "L013",
    name: "path-style-implied-by-endpoint",
    severity: crate::diag::Severity::Info,
    area: Area::Litestream,
    summary: "An S3 endpoint without `force-path-style`: Litestream turns path style on because an endpoint is set.",
    what: "Reports S3 replicas with a custom endpoint and no `force-path-style`, to make the implied setting visible.",
    why: "Since 2021 Litestream defaults `force-path-style` to true whenever `endpoint` is set, in 0.3 and 0.5 alike. Nothing is wrong; but people often copy a config to a host where they then add `force-path-style: false` to \"match\" AWS, which breaks it. Writing `true` states what already happens.",
    bad: "dbs:\n  - path: /rails/storage/production.sqlite3\n    replicas:\n      - type: s3\n        bucket: backups\n        endpoint: https://s3.eu-central-003.backblazeb2.com\n",
    good: "dbs:\n  - path: /rails/storage/production.sqlite3\n    replicas:\n      - type: s3\n        bucket: backups\n        endpoint: https://s3.eu-central-003.backblazeb2.com\n        force-path-style: true\n",
    fix: "Optionally write `force-path-style: true` to make the default explicit.",
    check: Some(check),
};

fn check(p: &Project, out: &mut Sink) {
    let Some(root) = p.litestream_root() else { return };
    let v = p.chosen_version();
    for db in dbs(root) {
        for r in db.replicas.iter().filter(|r| r.read_by(v) && r.kind() == "s3") {
            let Some(ep) = r.setting(root, "endpoint", v) else {
                continue;
            };
            let Some(endpoint) = ep.as_str().filter(|e| !e.is_empty()) else {
                continue;
            };
            if r.setting(root, "force-path-style", v).is_none() && !s3::is_aws(endpoint) {
                out.report(
                    ep.loc(),
                    format!("endpoint `{endpoint}` is set, so Litestream uses path-style addressing even though `force-path-style` is not written"),
                    "Nothing to fix; add `force-path-style: true` to make this explicit.",
                );
            }
        }
    }
}
