use crate::diag::{Severity, Sink};
use crate::litestream::dbs;
use crate::project::Project;
use crate::rules::deploy::view::{accessory_version, env, report_views, Issue};
use crate::rules::{Area, Rule};

pub static RULE: Rule = Rule {
    id: "K016",
    name: "missing-s3-credentials",
    severity: Severity::Warning,
    area: Area::Deploy,
    summary: "No S3 credentials reach Litestream: neither litestream.yml nor the accessory's env provides an access key.",
    what: "For the S3 replicas of litestream.yml that have no `access-key-id` / `secret-access-key` (on the replica, or at the top level where the version copies it in), requires the accessory's env to set `LITESTREAM_ACCESS_KEY_ID` / `LITESTREAM_SECRET_ACCESS_KEY` or `AWS_ACCESS_KEY_ID` / `AWS_SECRET_ACCESS_KEY` (or `AWS_PROFILE`, `AWS_WEB_IDENTITY_TOKEN_FILE`).",
    why: "Litestream reads LITESTREAM_ACCESS_KEY_ID/LITESTREAM_SECRET_ACCESS_KEY (copied to the AWS_* names when those are unset) and otherwise the AWS SDK's default chain, so leaving the keys out of litestream.yml is fine when the env carries them. With neither, only an EC2 instance role can sign the uploads; on any other host or provider every upload fails while the container keeps running.",
    bad: "# litestream.yml: replica {type: s3, bucket: shopfront-backups} without keys\naccessories:\n  litestream:\n    env:\n      clear:\n        LITESTREAM_BUCKET: shopfront-backups\n",
    good: "accessories:\n  litestream:\n    env:\n      secret:\n        - LITESTREAM_ACCESS_KEY_ID\n        - LITESTREAM_SECRET_ACCESS_KEY\n",
    fix: "Add `LITESTREAM_ACCESS_KEY_ID` and `LITESTREAM_SECRET_ACCESS_KEY` to the accessory's `env.secret` and define them in .kamal/secrets.",
    check: Some(check),
};

const CHAIN: &[&str] = &[
    "AWS_PROFILE",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
];

fn check(p: &Project, out: &mut Sink) {
    let Some(ls) = p.litestream_root() else { return };
    report_views(p, out, |v, issues| {
        for acc in v.accessories() {
            let e = env(acc.node);
            if e.opaque || CHAIN.iter().any(|n| e.provides(n)) {
                continue;
            }
            let ver = accessory_version(p, &acc);
            let id_env = e.provides("LITESTREAM_ACCESS_KEY_ID") || e.provides("AWS_ACCESS_KEY_ID");
            let secret_env = e.provides("LITESTREAM_SECRET_ACCESS_KEY") || e.provides("AWS_SECRET_ACCESS_KEY");
            let s3: Vec<_> = dbs(ls)
                .into_iter()
                .flat_map(|db| db.replicas)
                .filter(|r| r.read_by(ver) && r.kind() == "s3")
                .collect();
            let no_id = !id_env && s3.iter().any(|r| r.setting(ls, "access-key-id", ver).is_none());
            let no_secret = !secret_env && s3.iter().any(|r| r.setting(ls, "secret-access-key", ver).is_none());
            let (what, file_key, names) = match (no_id, no_secret) {
                (true, true) => (
                    "no S3 credentials reach Litestream",
                    "`access-key-id`/`secret-access-key`",
                    "LITESTREAM_ACCESS_KEY_ID/LITESTREAM_SECRET_ACCESS_KEY nor AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY",
                ),
                (true, false) => (
                    "no S3 access key ID reaches Litestream",
                    "`access-key-id`",
                    "LITESTREAM_ACCESS_KEY_ID nor AWS_ACCESS_KEY_ID",
                ),
                (false, true) => (
                    "no S3 secret key reaches Litestream",
                    "`secret-access-key`",
                    "LITESTREAM_SECRET_ACCESS_KEY nor AWS_SECRET_ACCESS_KEY",
                ),
                (false, false) => continue,
            };
            let add: Vec<&str> = [
                (no_id, "LITESTREAM_ACCESS_KEY_ID"),
                (no_secret, "LITESTREAM_SECRET_ACCESS_KEY"),
            ]
            .iter()
            .filter(|(missing, _)| *missing)
            .map(|(_, n)| *n)
            .collect();
            let at = acc.node.entry("env").map_or(acc.name.loc(), |e| e.key.loc());
            issues.push(Issue::new(
                at,
                "",
                format!("{what}: litestream.yml has no {file_key} for its S3 replicas, and the accessory's env sets neither {names}; only an EC2 instance role could sign the uploads"),
                format!("Add {} to the accessory's `env.secret` and define {} in .kamal/secrets.", add.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(" and "), if add.len() > 1 { "them" } else { "it" }),
            ));
        }
    });
}
