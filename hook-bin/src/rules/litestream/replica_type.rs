use crate::diag::Sink;
use crate::litestream::dbs;
use crate::project::Project;
use crate::rules::{Area, Rule};
use crate::version::Line;

pub static RULE: Rule = Rule {
    id: "L006",
    name: "unknown-replica-type",
    severity: crate::diag::Severity::Error,
    area: Area::Litestream,
    summary: "A replica type (or URL scheme) the running Litestream does not have: `gcs` on 0.5, `gs` on 0.3, a typo.",
    what: "Works out each replica's type as Litestream does (`type`, else the URL scheme, else `file`) and checks it against the version's list: 0.3 has file, s3, gcs, abs, sftp; 0.5 has file, s3, gs, abs, sftp, webdav, nats, oss.",
    why: "Litestream refuses to start on an unknown type (`unknown replica type in config: \"gcs\"`). Google Cloud Storage was renamed from `gcs` to `gs` in 0.5, so a config copied across versions breaks; with only a `gcs://` URL, 0.5's message even prints an empty type.",
    bad: "# litestream/litestream:0.5.17\ndbs:\n  - path: /rails/storage/production.sqlite3\n    replica:\n      type: gcs\n      bucket: backups\n",
    good: "# litestream/litestream:0.5.17\ndbs:\n  - path: /rails/storage/production.sqlite3\n    replica:\n      type: gs\n      bucket: backups\n",
    fix: "Use a type the pinned version knows (`gs` on 0.5, `gcs` on 0.3), or fix the typo.",
    check: Some(check),
};

const V03: &[&str] = &["file", "s3", "gcs", "abs", "sftp"];
const V05: &[&str] = &["file", "s3", "gs", "abs", "sftp", "webdav", "webdavs", "nats", "oss"];

fn check(p: &Project, out: &mut Sink) {
    let Some(root) = p.litestream_root() else { return };
    let v = p.chosen_version();
    let known = if v.line == Line::V03 { V03 } else { V05 };
    for db in dbs(root) {
        for r in db.replicas.iter().filter(|r| r.read_by(v)) {
            let kind = r.kind();
            if known.contains(&kind.as_str()) {
                continue;
            }
            let at = r.node.get("type").or_else(|| r.node.get("url")).unwrap_or(r.node);
            let help = match (kind.as_str(), v.line) {
                ("gcs", Line::V05) => {
                    "Litestream 0.5 calls Google Cloud Storage `gs`: write `type: gs` (or a `gs://` URL).".to_string()
                }
                ("gs", Line::V03) => {
                    "Litestream 0.3 calls Google Cloud Storage `gcs`: write `type: gcs` (or a `gcs://` URL)."
                        .to_string()
                }
                _ => format!("Use one of: {}.", known.join(", ")),
            };
            out.report(
                at.loc(),
                format!(
                    "Litestream {} has no replica type `{kind}` and refuses to start",
                    v.line
                ),
                help,
            );
        }
    }
}
