use crate::diag::Sink;
use crate::litestream::{dbs, s3};
use crate::project::Project;
use crate::rules::{Area, Rule};

pub static RULE: Rule = Rule {
    id: "L015",
    name: "custom-endpoint-on-early-v05",
    severity: crate::diag::Severity::Warning,
    area: Area::Litestream,
    summary: "A custom S3 endpoint with Litestream 0.5.0–0.5.5, whose uploads fail on most S3-compatible services.",
    what: "When the accessory pins a 0.5 release before 0.5.6, reports every S3 replica with a non-AWS endpoint.",
    why: "0.5.0–0.5.5 sent AWS SDK v2 trailing checksums and (until 0.5.5) unsigned payloads, which Backblaze, R2, Scaleway, Hetzner and DigitalOcean reject (`MalformedTrailerError`, `SignatureDoesNotMatch`, `MissingContentLength`). 0.5.6 fixed it.",
    bad: "# image: litestream/litestream:0.5.3\ndbs:\n  - path: /rails/storage/production.sqlite3\n    replica:\n      type: s3\n      bucket: backups\n      endpoint: https://fsn1.your-objectstorage.com\n",
    good: "# image: litestream/litestream:0.5.17\ndbs:\n  - path: /rails/storage/production.sqlite3\n    replica:\n      type: s3\n      bucket: backups\n      endpoint: https://fsn1.your-objectstorage.com\n",
    fix: "Pin the accessory image to litestream/litestream:0.5.6 or later (0.5.17 at the time of writing).",
    check: Some(check),
};

fn check(p: &Project, out: &mut Sink) {
    let v = p.chosen_version();
    if !v.v05_before(6) {
        return;
    }
    let Some(root) = p.litestream_root() else { return };
    for db in dbs(root) {
        for r in db.replicas.iter().filter(|r| r.kind() == "s3") {
            let Some(ep) = r.setting(root, "endpoint", v) else {
                continue;
            };
            if ep.as_str().is_some_and(|e| !e.is_empty() && !s3::is_aws(e)) {
                out.report(
                    ep.loc(),
                    format!("Litestream {v} has known upload failures with custom S3 endpoints (fixed in 0.5.6)"),
                    match p.model.primary().map(|r| r.kind) {
                        Some(crate::runner::Kind::Accessory) | None => {
                            "Pin the accessory image to litestream/litestream:0.5.6 or later."
                        }
                        _ => "Install Litestream 0.5.6 or later in the image.",
                    },
                );
            }
        }
    }
}
