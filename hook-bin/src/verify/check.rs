//! One database and replica, checked end to end: list the replica, restore its newest backup
//! into the private folder, run the integrity check, compare with the live database, prove the
//! sentinel when one was written, and judge freshness.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use super::binary::Binary;
use super::classify::Problem;
use super::clock;
use super::commands::Failure;
use super::compare::{self, Diff};
use super::config::{Skip, Target};
use super::freshness::{self, Against, Verdict};
use super::listing::Point;
use super::messages::{failed, nothing_there};
use super::progress::Progress;
use super::report::{BackupPoint, DbReport, Live, SentinelReport, State, TableRows};
use super::scrub::Secrets;
use super::signal;
use super::sqlite::{self, Sentinel, Stats};
use super::tempdir::Private;
use crate::version::Line;

/// Restores repeated while waiting for a sentinel row.
const SENTINEL_RESTORES: usize = 6;

pub struct Ctx<'a> {
    pub bin: &'a Binary,
    /// A binary of the other release line, if one is at hand (to recognise its backups); looked
    /// for the first time it is needed.
    pub other: std::cell::OnceCell<Option<Binary>>,
    pub cwd: &'a Path,
    pub config: &'a Path,
    pub private: &'a Private,
    pub secrets: &'a Secrets,
    pub timeout: Duration,
    pub max_age: Option<Duration>,
    /// Every target's name (to recognise another database's backup).
    pub names: Vec<String>,
    /// Replica location → the databases that use it.
    pub sharing: HashMap<String, Vec<String>>,
}

/// Problems already met on a storage and credential set, with the database that met them.
pub type Memo = HashMap<String, (Problem, String)>;

fn tenths(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

fn backup_point(p: Option<&Point>) -> Option<BackupPoint> {
    p.map(|pt| BackupPoint {
        time: clock::format_rfc3339(pt.time),
        position: pt.position.clone(),
        age_seconds: tenths((clock::now() - pt.time).max(0.0)),
    })
}

fn new_report(t: &Target, state: State, reason: String) -> DbReport {
    DbReport {
        database: t.name.clone(),
        replica: t.replica_name.clone(),
        location: t.location.clone(),
        state,
        reason,
        backup: None,
        integrity: None,
        live: None,
        limit: None,
        sentinel: None,
        restore_seconds: None,
        restored_bytes: None,
        idle_or_stopped: None,
    }
}

fn live_stats(t: &Target) -> Option<Result<(Stats, f64), String>> {
    if !t.local.is_file() {
        return None;
    }
    if !t.in_app {
        return Some(Err(format!(
            "{} is outside the app's folder, so it is not read (pass that folder as APP_DIR)",
            t.local.display()
        )));
    }
    let c = match sqlite::open_live(&t.local) {
        Ok(c) => c,
        Err(e) => return Some(Err(e)),
    };
    let s = sqlite::stats(&c);
    let wal = PathBuf::from(format!("{}-wal", t.local.display()));
    let changed = [clock::mtime(&t.local), clock::mtime(&wal)]
        .into_iter()
        .flatten()
        .fold(0.0, f64::max);
    Some(s.map(|s| (s, changed)))
}

fn live_report(d: &Diff, last_change: f64, point: Option<&Point>) -> Live {
    let behind = (!d.caught_up).then(|| tenths(point.map_or(0.0, |p| (last_change - p.time).max(0.0))));
    Live {
        caught_up: d.caught_up,
        last_change: Some(clock::format_rfc3339(last_change)),
        behind_seconds: behind,
        schema_differences: d.schema.clone(),
        tables: d
            .tables
            .iter()
            .map(|(n, l, b)| TableRows {
                table: n.clone(),
                live: *l,
                backup: *b,
            })
            .collect(),
    }
}

/// Checks one target. `sentinel` is the row written into its live database, if any.
pub fn check(
    ctx: &Ctx,
    t: &Target,
    n: usize,
    memo: &mut Memo,
    sentinel: Option<&Sentinel>,
    p: &mut Progress,
) -> DbReport {
    match &t.skip {
        Some(Skip::NotBackedUp(why)) => return new_report(t, State::Missing, why.clone()),
        Some(Skip::CannotCheck(why)) => return new_report(t, State::Error, why.clone()),
        None => {}
    }
    let others: Vec<&String> = ctx
        .sharing
        .get(&t.location_key)
        .into_iter()
        .flatten()
        .filter(|o| **o != t.name)
        .collect();
    if !others.is_empty() {
        let names: Vec<&str> = others.iter().map(|s| s.as_str()).collect();
        return new_report(
            t,
            State::Broken,
            format!(
                "{} uses the same replica location ({}): the backups mix and overwrite each other",
                names.join(" and "),
                t.location
            ),
        );
    }
    if let Some((problem, first)) = memo.get(&t.storage_key) {
        let f = Failure {
            problem: problem.clone(),
            timed_out: false,
            interrupted: false,
        };
        let (state, reason) = failed(ctx, t, &f);
        return new_report(t, state, format!("{reason} (as for {first}; not tried again)"));
    }
    let mut r = new_report(t, State::Ok, String::new());
    let limit = freshness::limit(t, ctx.max_age);
    r.limit = Some(limit.clone());
    let fail = |memo: &mut Memo, r: &mut DbReport, f: Failure| {
        if f.problem.shared() || f.timed_out {
            let problem = if f.timed_out {
                Problem::Unreachable("no answer".into())
            } else {
                f.problem.clone()
            };
            memo.insert(t.storage_key.clone(), (problem, t.name.clone()));
        }
        let (state, reason) = failed(ctx, t, &f);
        r.state = state;
        r.reason = reason;
    };
    let (mut point, files) = match ctx.list(t, ctx.bin, p) {
        Ok(x) => x,
        Err(f) => {
            fail(memo, &mut r, f);
            return r;
        }
    };
    r.backup = backup_point(point.as_ref());
    let old_v05_listing = ctx.bin.version.line == Line::V05 && ctx.bin.version.patch.is_some_and(|p| p < 8);
    if files == 0 && ctx.bin.version.line == Line::V03 {
        r.state = State::Missing;
        r.reason = other_line_note(ctx, t, p).unwrap_or_else(|| nothing_there(t));
        return r;
    }
    let (mut slot, mut out, secs, bytes) = match ctx.restore(t, n, p) {
        Ok(x) => x,
        Err(f) => {
            fail(memo, &mut r, f);
            return r;
        }
    };
    r.restore_seconds = Some((secs * 1000.0).round() / 1000.0);
    r.restored_bytes = Some(bytes);
    if files == 0 && !old_v05_listing {
        ctx.private.clear(&slot);
        r.state = State::Missing;
        r.reason = format!(
            "{} holds only a Litestream 0.3 backup (no LTX files): Litestream 0.5 has never written there, so nothing newer is backed up",
            t.location
        );
        return r;
    }
    // The sentinel: the row must show up in a restore within its deadline.
    if let Some(s) = sentinel {
        let deadline = s.written_at + (2 * t.sync + Duration::from_secs(30)).as_secs_f64();
        let mut arrived = sqlite::open_copy(&out).is_ok_and(|c| sqlite::has_nonce(&c, &s.nonce));
        let mut attempts = 1;
        while !arrived && clock::now() < deadline && attempts < SENTINEL_RESTORES && !signal::stopped() {
            let start = clock::now();
            while clock::now() < deadline && !signal::stopped() {
                p.tick(
                    &format!("waiting for the sentinel row in the backup of {}", t.name),
                    Duration::from_secs_f64(clock::now() - s.written_at),
                    0,
                );
                signal::sleep(Duration::from_secs(1));
                match ctx.list(t, ctx.bin, p) {
                    Ok((Some(np), _))
                        if np.time >= s.written_at.floor()
                            && (point.as_ref() != Some(&np) || clock::now() - start > 5.0) =>
                    {
                        point = Some(np);
                        break;
                    }
                    _ => {}
                }
            }
            if clock::now() >= deadline {
                break;
            }
            ctx.private.clear(&slot);
            match ctx.restore(t, n, p) {
                Ok((s2, o2, _, b2)) => {
                    (slot, out) = (s2, o2);
                    r.restored_bytes = Some(b2);
                }
                Err(f) => {
                    fail(memo, &mut r, f);
                    return r;
                }
            }
            attempts += 1;
            arrived = sqlite::open_copy(&out).is_ok_and(|c| sqlite::has_nonce(&c, &s.nonce));
        }
        p.clear();
        let waited = clock::now() - s.written_at;
        r.sentinel = Some(SentinelReport {
            arrived,
            seconds: waited.round(),
            note: if arrived {
                format!("a row written {} ago is in the restored copy", clock::span(waited))
            } else {
                format!(
                    "a row written at {} was not in a restore {} later",
                    clock::format_rfc3339(s.written_at),
                    clock::span(waited)
                )
            },
        });
    }
    let now = clock::now();
    r.backup = backup_point(point.as_ref());
    let restored = match sqlite::open_copy(&out).and_then(|c| {
        let i = sqlite::integrity(&c)?;
        let s = if i == "ok" { Some(sqlite::stats(&c)?) } else { None };
        Ok((i, s))
    }) {
        Ok(x) => x,
        Err(e) => {
            ctx.private.clear(&slot);
            r.state = State::Broken;
            r.reason = format!("the restored copy is not a readable SQLite database: {e}");
            return r;
        }
    };
    ctx.private.clear(&slot);
    r.integrity = Some(restored.0.clone());
    let Some(backup) = restored.1 else {
        r.state = State::Broken;
        r.reason = format!(
            "PRAGMA integrity_check on the restored copy: {}",
            super::classify::short(&restored.0, 200)
        );
        return r;
    };
    let others: Vec<&str> = ctx.names.iter().map(String::as_str).filter(|o| *o != t.name).collect();
    if let Some(why) = compare::foreign(&t.name, &backup, &others) {
        r.state = State::Broken;
        r.reason = format!("{why} (replica location {})", t.location);
        return r;
    }
    let mut against = Against::Unknown;
    let mut live_note = String::new();
    match live_stats(t) {
        None => {}
        Some(Err(e)) => live_note = format!("; the live database is not readable here ({e})"),
        Some(Ok((live, changed))) => {
            let d = compare::diff(&live, &backup);
            r.live = Some(live_report(&d, changed, point.as_ref()));
            if d.disjoint {
                r.state = State::Broken;
                r.reason = format!(
                    "the backup at {} is another database: its tables ({}) share none with the live database's ({})",
                    t.location,
                    list(backup.tables.keys()),
                    list(live.tables.keys())
                );
                return r;
            }
            against = if d.caught_up {
                Against::CaughtUp
            } else {
                Against::Behind { last_change: changed }
            };
        }
    }
    let summary = describe(&backup, r.live.as_ref(), point.as_ref());
    if let Some(s) = &r.sentinel {
        r.state = if s.arrived { State::Ok } else { State::Stale };
        r.reason = if s.arrived {
            format!("integrity ok, {summary}; sentinel: {}", s.note)
        } else {
            format!("sentinel: {}: replication is not delivering now; {summary}", s.note)
        };
        return r;
    }
    let age = r.backup.as_ref().map(|b| b.age_seconds);
    let mut verdict = freshness::judge(t, ctx.max_age.is_some(), &limit, age, against, now);
    if let Verdict::WaitFor { until, last_change } = verdict {
        while clock::now() < until && !signal::stopped() {
            p.tick(
                &format!("waiting for {} to receive the live database's last change", t.name),
                Duration::from_secs_f64((clock::now() - now).max(0.0)),
                0,
            );
            signal::sleep(Duration::from_millis(500));
        }
        p.clear();
        verdict = match ctx.list(t, ctx.bin, p) {
            Ok((np, _)) => freshness::after_wait(point.as_ref(), np.as_ref(), last_change, t),
            Err(f) => {
                fail(memo, &mut r, f);
                return r;
            }
        };
    }
    // The age as of the verdict (waiting may have taken a while).
    r.backup = backup_point(point.as_ref());
    match verdict {
        Verdict::IdleOrStopped(why) => {
            r.state = State::Stale;
            r.reason = format!("{why}; {summary}{live_note}");
            r.idle_or_stopped = Some((why, format!("integrity ok, {summary}{live_note}")));
        }
        Verdict::Fresh(_) | Verdict::WaitFor { .. } => {
            r.state = State::Ok;
            r.reason = format!("integrity ok, {summary}{live_note}");
        }
        Verdict::Stale(why) => {
            r.state = State::Stale;
            r.reason = format!("{why}; {summary}{live_note}");
        }
    }
    r
}

fn list<'a>(names: impl Iterator<Item = &'a String>) -> String {
    let v: Vec<&str> = names.map(String::as_str).take(5).collect();
    v.join(", ")
}

/// `2 tables, 770 rows, same as the live database` / `…, 8s behind the live database (items: …)`.
fn describe(backup: &Stats, live: Option<&Live>, point: Option<&Point>) -> String {
    let at = point.map_or_else(String::new, |p| format!("reaches {}, ", clock::format_rfc3339(p.time)));
    let size = format!(
        "{} table{}, {} row{}",
        backup.tables.len(),
        if backup.tables.len() == 1 { "" } else { "s" },
        backup.rows(),
        if backup.rows() == 1 { "" } else { "s" }
    );
    match live {
        None => format!("{at}{size}"),
        Some(l) if l.caught_up => format!("{at}{size}, same as the live database"),
        Some(l) => {
            let d = Diff {
                tables: l.tables.iter().map(|t| (t.table.clone(), t.live, t.backup)).collect(),
                ..Diff::default()
            };
            let rows = d.row_summary(3);
            let mut parts = Vec::new();
            if !rows.is_empty() {
                parts.push(rows);
            }
            parts.extend(l.schema_differences.iter().take(3).cloned());
            format!(
                "{at}{size}, {} behind the live database ({})",
                match l.behind_seconds.unwrap_or(0.0) {
                    s if s < 1.0 => "less than a second".to_string(),
                    s => clock::span(s),
                },
                parts.join("; ")
            )
        }
    }
}

/// On 0.3, nothing listed: a 0.5 backup there would be invisible; say so when a 0.5 binary
/// at hand finds one.
fn other_line_note(ctx: &Ctx, t: &Target, p: &mut Progress) -> Option<String> {
    let other = ctx
        .other
        .get_or_init(|| super::other_line(ctx.cwd, ctx.bin.version.line))
        .as_ref()?;
    let (_, files) = ctx.list(t, other, p).ok()?;
    (files > 0).then(|| {
        format!(
            "{} holds a Litestream {} backup ({files} LTX files), which Litestream {} cannot read: the replica was written by the other release line",
            t.location, other.version, ctx.bin.version
        )
    })
}
