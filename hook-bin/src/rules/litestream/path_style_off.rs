use crate::diag::Sink;
use crate::litestream::{dbs, s3};
use crate::project::Project;
use crate::rules::{Area, Rule};

pub static RULE: Rule = Rule {
    id: "L012",
    name: "path-style-disabled-for-custom-endpoint",
    severity: crate::diag::Severity::Warning,
    area: Area::Litestream,
    summary: "`force-path-style: false` with a non-AWS endpoint, which makes Litestream address `bucket.endpoint-host`.",
    what: "Reports S3 replicas (or top-level defaults) that set an endpoint outside AWS and turn path-style addressing off.",
    why: "Litestream turns path style on by itself whenever `endpoint` is set (0.3 and 0.5 alike); writing `false` switches that off, and the client then sends requests to `<bucket>.<endpoint host>`. That works only where the service serves buckets as subdomains of that host: MinIO does not unless it is configured with a domain, a host:port endpoint never does, and for other providers it depends on their DNS. Litestream's own provider notes recommend path style for S3-compatible services. A warning, not an error: some providers do serve virtual-hosted buckets.",
    bad: "dbs:\n  - path: /rails/storage/production.sqlite3\n    replicas:\n      - type: s3\n        bucket: backups\n        endpoint: https://minio.internal:9000\n        force-path-style: false\n",
    good: "dbs:\n  - path: /rails/storage/production.sqlite3\n    replicas:\n      - type: s3\n        bucket: backups\n        endpoint: https://minio.internal:9000\n",
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
            let Some(endpoint) = ep.as_str().filter(|e| !e.is_empty() && !ep.is_opaque()) else {
                continue;
            };
            if fps.as_bool() == Some(false) && !s3::is_aws(endpoint) && !endpoint.contains('$') {
                out.report(
                    fps.loc(),
                    format!("`force-path-style: false` with the non-AWS endpoint `{endpoint}`: requests go to `<bucket>.{}`, which S3-compatible services often do not serve", s3::host(endpoint)),
                    "Remove `force-path-style: false` (an endpoint turns path style on), or write `force-path-style: true`.",
                );
            }
        }
    }
}
