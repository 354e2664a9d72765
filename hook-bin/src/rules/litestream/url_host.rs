use crate::diag::Sink;
use crate::litestream::{dbs, s3};
use crate::project::Project;
use crate::rules::{Area, Rule};

pub static RULE: Rule = Rule {
    id: "L014",
    name: "unrecognised-url-host",
    severity: crate::diag::Severity::Warning,
    area: Area::Litestream,
    summary: "An `s3://bucket.host/path` URL whose host the running Litestream does not recognise, so it takes the whole host for an AWS bucket name.",
    what: "For URL-form S3 replicas without `?endpoint=`, checks whether Litestream's host parser knows the provider in the host (0.3: Backblaze, Filebase, DigitalOcean, Scaleway, Linode, *.localhost; 0.5: Backblaze, Filebase, DigitalOcean, Scaleway, host:port as MinIO).",
    why: "An unrecognised host is not an error to Litestream: it sends requests to AWS for a bucket named like the whole host, and replication fails with access or not-found errors at run time. Hetzner and R2 hosts, and Linode on 0.5, are read this way.",
    bad: "dbs:\n  - path: /rails/storage/production.sqlite3\n    replicas:\n      - url: s3://backups.fsn1.your-objectstorage.com/production\n",
    good: "dbs:\n  - path: /rails/storage/production.sqlite3\n    replicas:\n      - type: s3\n        bucket: backups\n        path: production\n        endpoint: https://fsn1.your-objectstorage.com\n",
    fix: "Write the replica with `type: s3`, `bucket`, `path` and `endpoint`, or add `?endpoint=https://…` to the URL.",
    check: Some(check),
};

fn check(p: &Project, out: &mut Sink) {
    let Some(root) = p.litestream_root() else { return };
    let v = p.chosen_version();
    for db in dbs(root) {
        for r in db.replicas.iter().filter(|r| r.read_by(v)) {
            let Some(urln) = r.node.get("url") else { continue };
            let Some(url) = urln
                .as_str()
                .filter(|u| u.starts_with("s3://") && !u.contains("endpoint=") && !u.contains('$'))
            else {
                continue;
            };
            if r.setting(root, "endpoint", v).is_some() {
                continue;
            }
            let Some((h, _)) = s3::url_parts(url) else { continue };
            if !s3::url_host_recognised(h, v.line) {
                out.report(
                    urln.loc(),
                    format!("Litestream {} does not recognise the host in `{url}` and will look for an AWS bucket named `{h}`", v.line),
                    "Use `type: s3` with `bucket`, `path` and `endpoint`, or append `?endpoint=https://<host>` to the URL.",
                );
            }
        }
    }
}
