use crate::diag::Sink;
use crate::litestream::{dbs, s3};
use crate::project::Project;
use crate::rules::{Area, Rule};

pub static RULE: Rule = Rule {
    id: "L012",
    name: "path-style-disabled-for-custom-endpoint",
    severity: crate::diag::Severity::Error,
    area: Area::Litestream,
    summary: "`force-path-style: false` with a non-AWS endpoint, which makes Litestream address `bucket.endpoint-host`.",
    what: "Reports S3 replicas (or top-level defaults) that set an endpoint outside AWS and turn path-style addressing off.",
    why: "Litestream turns path style on by itself whenever `endpoint` is set; writing `false` switches that off, and the client then sends requests to `<bucket>.<endpoint host>`, which most S3-compatible services (MinIO, Hetzner, B2's S3 API behind some proxies) do not serve. Uploads fail with DNS or signature errors.",
    bad: "dbs:\n  - path: /rails/storage/production.sqlite3\n    replicas:\n      - type: s3\n        bucket: backups\n        endpoint: https://fsn1.your-objectstorage.com\n        force-path-style: false\n",
    good: "dbs:\n  - path: /rails/storage/production.sqlite3\n    replicas:\n      - type: s3\n        bucket: backups\n        endpoint: https://fsn1.your-objectstorage.com\n        force-path-style: true\n",
    fix: "Remove `force-path-style: false` (an endpoint implies path style) or set it to `true`.",
    check: Some(check),
};

fn check(p: &Project, out: &mut Sink) {
    let Some(root) = p.litestream_root() else { return };
    let v = p.chosen_version();
    for db in dbs(root) {
        for r in db.replicas.iter().filter(|r| r.read_by(v) && r.kind() == "s3") {
            let (Some(ep), Some(fps)) = (r.setting(root, "endpoint", v), r.setting(root, "force-path-style", v)) else {
                continue;
            };
            let Some(endpoint) = ep.as_str().filter(|e| !e.is_empty() && !ep.is_erb()) else {
                continue;
            };
            if fps.as_bool() == Some(false) && !s3::is_aws(endpoint) && !endpoint.contains('$') {
                out.report(
                    fps.loc(),
                    format!("`force-path-style: false` with the non-AWS endpoint `{endpoint}`: requests go to `<bucket>.{}`", s3::host(endpoint)),
                    "Remove `force-path-style: false` (an endpoint turns path style on), or write `force-path-style: true`.",
                );
            }
        }
    }
}
