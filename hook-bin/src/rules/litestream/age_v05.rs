use crate::diag::Sink;
use crate::litestream::dbs;
use crate::project::Project;
use crate::rules::{Area, Rule};
use crate::version::Line;

pub static RULE: Rule = Rule {
    id: "L009",
    name: "age-encryption-v05",
    severity: crate::diag::Severity::Error,
    area: Area::Litestream,
    summary: "`age:` encryption on Litestream 0.5, which refuses it (0.5.1+) or silently does not encrypt (0.5.0).",
    what: "On 0.5, reports any replica with an `age:` block.",
    why: "0.5.1 and later exit with `age encryption is not currently supported`; 0.5.0 accepts the block and uploads unencrypted backups. 0.5 also cannot restore age-encrypted 0.3 backups.",
    bad: "dbs:\n  - path: /rails/storage/production.sqlite3\n    replica:\n      url: s3://backups/production\n      age:\n        recipients: [age1...]\n",
    good: "dbs:\n  - path: /rails/storage/production.sqlite3\n    replica:\n      url: s3://backups/production\n      sse-kms-key-id: ${LITESTREAM_KMS_KEY_ID}\n",
    fix: "Remove `age:` and use server-side encryption (SSE-KMS or SSE-C on 0.5.6+), or stay on a 0.3 image.",
    check: Some(check),
};

fn check(p: &Project, out: &mut Sink) {
    let v = p.chosen_version();
    if v.line != Line::V05 {
        return;
    }
    let Some(root) = p.litestream_root() else { return };
    for db in dbs(root) {
        for r in &db.replicas {
            if let Some(e) = r.node.entry("age") {
                let what = if v.patch == Some(0) {
                    "Litestream 0.5.0 accepts it but uploads unencrypted backups"
                } else {
                    "Litestream 0.5 refuses to start with it"
                };
                out.report(e.key.loc(), format!("`age` encryption is not supported on 0.5: {what}"), "Remove `age:`; use server-side encryption (`sse-kms-key-id`, or `sse-customer-key` on 0.5.6+), or stay on 0.3.");
            }
        }
    }
}
