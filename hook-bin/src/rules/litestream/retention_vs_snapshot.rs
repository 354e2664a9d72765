use super::tiers::effective;
use crate::diag::Sink;
use crate::duration::human;
use crate::project::Project;
use crate::rules::{Area, Rule};

pub static RULE: Rule = Rule {
    id: "L021",
    name: "retention-shorter-than-snapshot-interval",
    severity: crate::diag::Severity::Error,
    area: Area::Litestream,
    summary: "Retention shorter than the snapshot interval: backups are pruned before the next snapshot exists.",
    what: "Compares the retention in force with the snapshot interval in force (per replica on 0.3, the global `snapshot:` block on 0.5).",
    why: "A restore needs a snapshot plus the WAL after it. When retention is shorter than the snapshot interval, retention deletes the only snapshot before the next one is taken, so for part of every cycle there is nothing to restore from.",
    bad: "snapshot:\n  interval: 24h\n  retention: 6h\n",
    good: "snapshot:\n  interval: 1h\n  retention: 72h\n",
    fix: "Make retention at least as long as the snapshot interval (usually many times longer).",
    check: Some(check),
};

fn check(p: &Project, out: &mut Sink) {
    let mut reported = false;
    for row in effective(p) {
        let (Some(snap), Some(retention)) = (row.snapshot, row.retention) else {
            continue;
        };
        if snap.ns > 0.0 && retention.ns < snap.ns {
            let loc = retention.at.or(snap.at).unwrap_or(row.loc);
            // On 0.5 every row shares the global values: report them once.
            if reported && p.chosen_version().line == crate::version::Line::V05 {
                continue;
            }
            reported = true;
            out.report(
                loc,
                format!("retention ({}) is shorter than the snapshot interval ({}) for `{}`: no snapshot survives to restore from", human(retention.ns), human(snap.ns), row.path),
                format!("Raise retention to at least {} or shorten the snapshot interval.", human(snap.ns)),
            );
        }
    }
}
