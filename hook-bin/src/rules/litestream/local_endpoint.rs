use crate::diag::Sink;
use crate::litestream::{dbs, s3};
use crate::project::Project;
use crate::rules::{Area, Rule};

pub static RULE: Rule = Rule {
    id: "L026",
    name: "endpoint-on-localhost",
    severity: crate::diag::Severity::Error,
    area: Area::Litestream,
    summary: "A replica endpoint on `localhost` (or 127.0.0.1): in a container that is the container itself, where no S3 service runs.",
    what: "Reports replicas whose endpoint (or URL `?endpoint=`), after variable expansion, is `localhost`, a `127.x` address, `::1` or `0.0.0.0`, when Litestream runs in a container (a Kamal accessory, or the app container for the litestream-ruby gem and a binary in the image). An error when Kamal deploys the app (its containers serve no S3 on localhost); an info when nothing here says where the app runs.",
    why: "A local MinIO endpoint copied from a development setup into the production config points each container at itself. Every upload fails with `connection refused`; Litestream keeps running and logs errors, and nothing is backed up.",
    bad: "dbs:\n  - path: storage/production.sqlite3\n    replicas:\n      - type: s3\n        bucket: backups\n        endpoint: http://localhost:9000\n",
    good: "dbs:\n  - path: storage/production.sqlite3\n    replicas:\n      - type: s3\n        bucket: backups\n        endpoint: $LITESTREAM_REPLICA_ENDPOINT\n",
    fix: "Use the storage service's real endpoint in production (a variable set per environment keeps the local MinIO for development).",
    check: Some(check),
};

pub fn local_host(h: &str) -> bool {
    let h = h.trim_matches(['[', ']']);
    h == "localhost" || h.ends_with(".localhost") || h.starts_with("127.") || h == "::1" || h == "0.0.0.0"
}

fn check(p: &Project, out: &mut Sink) {
    let Some(root) = p.litestream_root() else { return };
    if p.model.primary().is_none() {
        return;
    }
    let v = p.chosen_version();
    for db in dbs(root) {
        for r in db.replicas.iter().filter(|r| r.read_by(v) && r.kind() == "s3") {
            let Some(ep) = r.setting(root, "endpoint", v).filter(|n| !n.is_opaque()) else {
                continue;
            };
            let Some(endpoint) = ep.as_str().filter(|e| !e.is_empty()) else {
                continue;
            };
            if local_host(s3::host(endpoint)) {
                // Without a deployment config the app may run on a machine that does serve it.
                if crate::kamal::view::views(p).is_empty() {
                    out.report_as(
                        crate::diag::Severity::Info,
                        ep.loc(),
                        format!("the endpoint `{endpoint}` is the machine Litestream runs on: right for a local MinIO, but in a production container nothing serves S3 there"),
                        "Use the storage service's real endpoint in production.",
                    );
                } else {
                    out.report(
                        ep.loc(),
                        format!("the endpoint `{endpoint}` is this machine; in the container Litestream runs in, nothing serves S3 there, so every upload fails"),
                        "Use the storage service's real endpoint in production.",
                    );
                }
            }
        }
    }
}
