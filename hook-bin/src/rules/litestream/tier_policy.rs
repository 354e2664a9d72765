use super::tiers::{effective, DbTiers, Setting};
use crate::diag::{Severity, Sink};
use crate::duration::human;
use crate::policy::{Targets, Tier};
use crate::project::Project;
use crate::rules::{Area, Rule};
use crate::source::Loc;
use crate::version::Line;

pub static RULE: Rule = Rule {
    id: "L020",
    name: "tier-policy-deviation",
    severity: Severity::Info,
    area: Area::Litestream,
    summary: "A database protected less than its tier's policy asks: backups kept for a shorter time, changes uploaded less often, or snapshots taken more rarely.",
    what: "Classifies each database (by its database.yml entry, `queue`/`cache`/`cable`, else by file name) and compares the values in force, Litestream's defaults included, with the tier policy: primary 5s / 1h / 720h, queue 5s / 1h / 72h, cache 10s / 6h / 24h, cable 10s / 6h / 24h (upload interval / snapshot interval / how long backups are kept). Only less protection is reported: syncing more often or keeping backups longer than the policy is never a finding. On 0.5, where snapshots and retention are one global setting, it compares that setting once with the most demanding tier present. The built-in policy is a suggestion, so its findings are infos; a policy the project writes in config/litestream-guard.yml makes them warnings.",
    why: "How long backups are kept is how far back a restore can go: with Litestream's default of 24h, a bad migration noticed on Monday cannot be undone from Friday's state. Slow uploads widen the window of writes a lost server takes with it; rare snapshots make restores replay more WAL.",
    bad: "dbs:\n  - path: /rails/storage/production.sqlite3\n    replicas:\n      - url: s3://backups/production\n        retention: 24h\n",
    good: "dbs:\n  - path: /rails/storage/production.sqlite3\n    replicas:\n      - url: s3://backups/production\n        sync-interval: 5s\n        snapshot-interval: 1h\n        retention: 720h\n",
    fix: "Set the values the message names, or write the policy the app really needs in config/litestream-guard.yml (see docs/policy.md).",
    check: Some(check),
};

fn severity(p: &Project) -> Severity {
    if p.policy.custom {
        Severity::Warning
    } else {
        Severity::Info
    }
}

fn shown(s: &Setting) -> String {
    if s.at.is_some() {
        human(s.ns)
    } else {
        format!("{} (Litestream's default)", human(s.ns))
    }
}

fn tier_words(t: Tier) -> &'static str {
    match t {
        Tier::Primary => "the primary database",
        Tier::Queue => "the Solid Queue database",
        Tier::Cache => "the Solid Cache database",
        Tier::Cable => "the Solid Cable database",
    }
}

/// What falls short of `want`, in words, with the key to set.
fn shortfalls(row: &DbTiers, want: &Targets, per_db_snapshots: bool) -> (Vec<String>, Vec<String>, Option<Loc>) {
    let mut said = Vec::new();
    let mut keys = Vec::new();
    let mut at = None;
    if let Some(s) = &row.retention.filter(|_| per_db_snapshots) {
        if s.ns < want.retention.1 {
            said.push(format!(
                "keeps backups for {}; the policy asks for {}",
                shown(s),
                want.retention.0
            ));
            keys.push(format!("`retention: {}`", want.retention.0));
            at = at.or(s.at);
        }
    }
    if let Some(s) = &row.sync {
        if s.ns > want.sync_interval.1 {
            said.push(format!(
                "uploads changes every {}; the policy asks for every {} at most",
                shown(s),
                want.sync_interval.0
            ));
            keys.push(format!("`sync-interval: {}`", want.sync_interval.0));
            at = at.or(s.at);
        }
    }
    if let Some(s) = &row.snapshot.filter(|_| per_db_snapshots) {
        if s.ns > want.snapshot_interval.1 && s.ns > 0.0 {
            said.push(format!(
                "takes a snapshot every {}; the policy asks for every {} at most",
                shown(s),
                want.snapshot_interval.0
            ));
            keys.push(format!("`snapshot-interval: {}`", want.snapshot_interval.0));
            at = at.or(s.at);
        }
    }
    (said, keys, at)
}

/// Where a shortfall is written, the tier, what falls short, the keys to set, and the databases.
type Group<'a> = (Loc, Tier, Vec<String>, Vec<String>, Vec<&'a str>);

fn check(p: &Project, out: &mut Sink) {
    let rows = effective(p);
    if rows.is_empty() {
        return;
    }
    let sev = severity(p);
    let v03 = p.chosen_version().line == Line::V03;
    // Entries sharing one written setting (a YAML anchor over 37 tenant databases) are said once.
    let mut groups: Vec<Group> = Vec::new();
    for row in rows.iter().filter(|r| r.production) {
        let want = p.policy.targets(row.tier);
        let (said, keys, at) = shortfalls(row, want, v03);
        if said.is_empty() {
            continue;
        }
        let loc = at.unwrap_or(row.loc);
        match groups.iter_mut().find(|g| g.0 == loc && g.1 == row.tier && g.2 == said) {
            Some(g) => g.4.push(&row.path),
            None => groups.push((loc, row.tier, said, keys, vec![&row.path])),
        }
    }
    for (loc, tier, said, keys, paths) in groups {
        let who = match paths.as_slice() {
            [one] => format!("`{one}` ({})", tier_words(tier)),
            [first, rest @ ..] => format!(
                "`{first}` and {} more databases set here ({})",
                rest.len(),
                tier_words(tier)
            ),
            [] => continue,
        };
        out.report_as(
            sev,
            loc,
            format!("{who} {}", said.join(", and ")),
            format!(
                "Set {} on {}, or write the policy this app needs in config/litestream-guard.yml.",
                keys.join(" and "),
                if paths.len() == 1 {
                    "its replica"
                } else {
                    "these replicas"
                }
            ),
        );
    }
    if !v03 {
        global(p, &rows, sev, out);
    }
}

/// 0.5: one snapshot interval and one retention for all databases, compared once with the most
/// demanding tier present.
fn global(p: &Project, rows: &[DbTiers], sev: Severity, out: &mut Sink) {
    let row = &rows[0];
    let (Some(snap), Some(ret)) = (row.snapshot, row.retention) else {
        return;
    };
    let tiers: Vec<Tier> = Tier::ALL
        .into_iter()
        .filter(|t| rows.iter().any(|r| r.tier == *t))
        .collect();
    let need_ret = tiers
        .iter()
        .map(|t| (*t, p.policy.targets(*t).retention.clone()))
        .max_by(|a, b| a.1 .1.total_cmp(&b.1 .1))
        .expect("rows is not empty");
    let need_snap = tiers
        .iter()
        .map(|t| p.policy.targets(*t).snapshot_interval.clone())
        .min_by(|a, b| a.1.total_cmp(&b.1))
        .expect("rows is not empty");
    let mut said = Vec::new();
    let mut loc = None;
    if ret.ns < need_ret.1 .1 {
        loc = loc.or(ret.at);
        said.push(format!(
            "every database keeps backups for {}; the policy asks for {} for {}",
            shown(&ret),
            need_ret.1 .0,
            tier_words(need_ret.0)
        ));
    }
    if snap.ns > need_snap.1 {
        loc = loc.or(snap.at);
        said.push(format!(
            "snapshots are taken every {}; the policy asks for every {} at most",
            shown(&snap),
            need_snap.0
        ));
    }
    if said.is_empty() {
        return;
    }
    // Where the first shortfall is written, else the top of the file (defaults are written nowhere).
    let loc = loc.unwrap_or_else(|| p.litestream_root().map_or(row.loc, |r| r.loc()));
    out.report_as(
        sev,
        loc,
        format!("on Litestream 0.5 snapshots and retention are one setting for all databases: {}", said.join(", and ")),
        format!(
            "Set the top-level `snapshot: {{interval: {}, retention: {}}}`, or write the policy this app needs in config/litestream-guard.yml.",
            need_snap.0, need_ret.1 .0
        ),
    );
}
