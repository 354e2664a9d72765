use crate::diag::{Severity, Sink};
use crate::litestream::keys::On05;
use crate::litestream::walk;
use crate::project::Project;
use crate::rules::{Area, Rule};
use crate::version::Line;

pub static RULE: Rule = Rule {
    id: "L005",
    name: "setting-without-effect-v05",
    severity: crate::diag::Severity::Warning,
    area: Area::Litestream,
    summary: "A key that Litestream 0.5 reads but never applies: per-replica retention, snapshot and validation intervals, and (0.5.3+) `max-checkpoint-page-count`; or a key newer than the pinned 0.5 release.",
    what: "On 0.5, reports per-replica `retention`, `retention-check-interval`, `snapshot-interval` and `validation-interval`, and db `max-checkpoint-page-count`, and points to the setting that replaced each. With a pinned patch release, also reports keys that only a later 0.5 release reads.",
    why: "0.5 moved retention and snapshots to one global `snapshot:` block. The old per-replica keys still parse, so the file looks right, but the defaults (24h snapshot interval, 24h retention) apply: a `retention: 720h` you counted on is really one day.",
    bad: "dbs:\n  - path: /rails/storage/production.sqlite3\n    replica:\n      url: s3://backups/production\n      retention: 720h\n",
    good: "snapshot:\n  interval: 1h\n  retention: 720h\ndbs:\n  - path: /rails/storage/production.sqlite3\n    replica:\n      url: s3://backups/production\n",
    fix: "Move the value to the top-level block named in the message (`snapshot:` or `validation:`), and remove the per-replica key.",
    check: Some(check),
};

fn check(p: &Project, out: &mut Sink) {
    let v = p.chosen_version();
    let assumed = matches!(
        p.version.as_ref().map(|c| &c.origin),
        Some(crate::version::Origin::Assumed { .. })
    );
    if v.line != Line::V05 {
        return;
    }
    let Some(root) = p.litestream_root() else { return };
    walk(root, &mut |level, map| {
        for e in map.entries().unwrap_or(&[]) {
            let Some(key) = e.key.as_str().and_then(|k| crate::litestream::keys::lookup(level, k)) else {
                continue;
            };
            match key.v05 {
                // With no pinned version, 0.5 is only assumed: say it as a note, not a warning.
                On05::NoEffect(instead) if assumed => out.report_as(
                    Severity::Info,
                    e.key.loc(),
                    format!(
                        "`{}` {} has no effect if this runs Litestream 0.5 (the version is not pinned, see the `version:` line)",
                        key.name,
                        level.describe()
                    ),
                    format!("Pin the version; on 0.5, use {instead} instead."),
                ),
                On05::NoEffect(instead) => out.report(
                    e.key.loc(),
                    format!(
                        "`{}` {} has no effect on Litestream 0.5; the default applies",
                        key.name,
                        level.describe()
                    ),
                    format!("Use {instead} instead, and remove this key."),
                ),
                On05::Until(patch) if !v.v05_before(patch) => out.report(
                    e.key.loc(),
                    format!("`{}` is ignored from Litestream 0.5.{patch} on", key.name),
                    "Remove it; on 0.5 the WAL is capped with `truncate-page-n`.",
                ),
                On05::Since(patch) if v.v05_before(patch) => out.report_as(
                    Severity::Warning,
                    e.key.loc(),
                    format!(
                        "`{}` needs Litestream 0.5.{patch} or later, but the accessory pins {v}; it is ignored",
                        key.name
                    ),
                    format!("Pin the accessory image to 0.5.{patch} or later, or remove the key."),
                ),
                _ => {}
            }
        }
    });
}
