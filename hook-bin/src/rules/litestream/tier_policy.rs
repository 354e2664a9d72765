use super::tiers::{effective, Setting};
use crate::diag::Sink;
use crate::duration::human;
use crate::policy::Tier;
use crate::project::Project;
use crate::rules::{Area, Rule};
use crate::source::Loc;
use crate::version::Line;

pub static RULE: Rule = Rule {
    id: "L020",
    name: "tier-policy-deviation",
    severity: crate::diag::Severity::Warning,
    area: Area::Litestream,
    summary: "A database whose sync interval, snapshot interval or retention differs from its tier's policy (primary, queue, cache, cable).",
    what: "Classifies each database by file name (`production.sqlite3` is primary; `*_cache`, `*_queue`, `*_cable`) and compares the values in force, defaults included, with the tier policy: primary 5s / 1h / 720h, queue 5s / 1h / 72h, cache 10s / 6h / 24h, cable 10s / 6h / 24h (sync / snapshot / retention). On 0.5, where snapshots and retention are one global setting, it compares that setting with what the tiers need, once.",
    why: "Retention is the restore window: with the default 24h, a bad migration noticed on Monday cannot be undone from Friday's state. The queue holds jobs that must survive a restore; cache and cable data do not need a month of history and cost storage.",
    bad: "dbs:\n  - path: /rails/storage/production.sqlite3\n    replicas:\n      - url: s3://backups/production\n        retention: 24h\n",
    good: "dbs:\n  - path: /rails/storage/production.sqlite3\n    replicas:\n      - url: s3://backups/production\n        sync-interval: 5s\n        snapshot-interval: 1h\n        retention: 720h\n",
    fix: "Set the values the message names, or change the policy in config/litestream-guard.yml (see docs/policy.md).",
    check: Some(check),
};

fn check(p: &Project, out: &mut Sink) {
    let rows = effective(p);
    if rows.is_empty() {
        return;
    }
    let v = p.chosen_version();
    for row in &rows {
        let want = p.policy.targets(row.tier);
        let mut parts: Vec<String> = Vec::new();
        let mut fixes: Vec<String> = Vec::new();
        let mut at: Option<Loc> = None;
        let mut compare = |label: &str, got: Option<&Setting>, want: &(String, f64)| match got {
            Some(got) if (got.ns - want.1).abs() > f64::EPSILON => {
                let shown = if got.at.is_some() {
                    human(got.ns)
                } else {
                    format!("{} (default)", human(got.ns))
                };
                parts.push(format!("{label} is {shown}, policy {}", want.0));
                fixes.push(format!("`{label}: {}`", want.0));
                at = at.or(got.at);
            }
            Some(_) => {}
            // 0.3's snapshot-interval has no default value.
            None if label == "snapshot-interval" => {
                parts.push(format!(
                    "{label} is unset (snapshots only when retention runs), policy {}",
                    want.0
                ));
                fixes.push(format!("`{label}: {}`", want.0));
            }
            None => {}
        };
        compare("sync-interval", row.sync.as_ref(), &want.sync_interval);
        if v.line == Line::V03 {
            compare("snapshot-interval", row.snapshot.as_ref(), &want.snapshot_interval);
            compare("retention", row.retention.as_ref(), &want.retention);
        }
        let diffs = parts.join("; ");
        if !diffs.is_empty() {
            out.report(
                at.unwrap_or(row.loc),
                format!("`{}` ({} tier): {diffs}", row.path, row.tier.name()),
                format!(
                    "Set {} on this database's replica, or adjust the tier in config/litestream-guard.yml.",
                    fixes.join(", ")
                ),
            );
        }
    }
    if v.line == Line::V05 {
        global(p, &rows, out);
    }
}

/// 0.5: one snapshot interval and one retention for all databases. Compare them with the most
/// demanding tier present, and say so once.
fn global(p: &Project, rows: &[super::tiers::DbTiers], out: &mut Sink) {
    let tiers: Vec<Tier> = Tier::ALL
        .into_iter()
        .filter(|t| rows.iter().any(|r| r.tier == *t))
        .collect();
    let need_ret = tiers
        .iter()
        .map(|t| p.policy.targets(*t).retention.clone())
        .max_by(|a, b| a.1.total_cmp(&b.1))
        .expect("rows is not empty");
    let need_snap = tiers
        .iter()
        .map(|t| p.policy.targets(*t).snapshot_interval.clone())
        .min_by(|a, b| a.1.total_cmp(&b.1))
        .expect("rows is not empty");
    let row = &rows[0];
    let (Some(snap), Some(ret)) = (row.snapshot, row.retention) else {
        return;
    };
    if (ret.ns - need_ret.1).abs() <= f64::EPSILON && (snap.ns - need_snap.1).abs() <= f64::EPSILON {
        return;
    }
    let per_tier: Vec<String> = tiers
        .iter()
        .map(|t| format!("{} {}", t.name(), p.policy.targets(*t).retention.0))
        .collect();
    let shown = |s: &Setting| {
        if s.at.is_some() {
            human(s.ns)
        } else {
            format!("{} (default)", human(s.ns))
        }
    };
    let loc = ret
        .at
        .or(snap.at)
        .unwrap_or_else(|| p.litestream_root().map_or(row.loc, |r| r.loc()));
    out.report(
        loc,
        format!(
            "on Litestream 0.5 snapshot interval and retention are global ({} / {}) for every database; the tiers here want retention {} and snapshots every {} at most",
            shown(&snap),
            shown(&ret),
            per_tier.join(", "),
            need_snap.0
        ),
        format!("Set the top-level `snapshot: {{interval: {}, retention: {}}}` to cover the most demanding tier.", need_snap.0, need_ret.0),
    );
}
