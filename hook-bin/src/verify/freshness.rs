//! How old a backup may be, and what a given age means.
//!
//! Litestream guarantees different things on its two lines:
//! - 0.3 writes a WAL segment within `sync-interval` of a change and a new snapshot every
//!   `snapshot-interval` (or, without one, when retention leaves no snapshot), even while the
//!   database is idle. A healthy replica's newest position is never older than that period.
//! - 0.5 writes an LTX file within `sync-interval` of a change and nothing while the database is
//!   idle (no snapshot without a new transaction), so age alone cannot tell idle from dead.
//!
//! So the default limit is the snapshot period plus an upload allowance; where the live
//! database is readable, a backup that matches it is fresh on 0.5 whatever its age, and a
//! backup behind it must receive the missing change within the allowance.

use std::time::Duration;

use super::clock;
use super::config::Target;
use super::listing::Point;
use super::report::Limit;

/// How long a change may take to reach the replica: two sync intervals and 15 s for the upload.
pub fn allowance(t: &Target) -> Duration {
    2 * t.sync + Duration::from_secs(15)
}

pub fn limit(t: &Target, flag: Option<Duration>) -> Limit {
    match flag {
        Some(d) => Limit {
            max_age_seconds: d.as_secs_f64(),
            source: format!("--max-age {}", clock::go(d)),
        },
        None => Limit {
            max_age_seconds: (t.snapshot.period + allowance(t)).as_secs_f64(),
            source: format!("{} + 2 × sync-interval {} + 15s", t.snapshot.why, clock::go(t.sync)),
        },
    }
}

/// What the live database said about the backup.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Against {
    /// Not readable here.
    Unknown,
    CaughtUp,
    /// Behind; the live database last changed at this time (Unix seconds).
    Behind {
        last_change: f64,
    },
}

/// The verdict on freshness alone.
#[derive(Debug, Clone, PartialEq)]
pub enum Verdict {
    Fresh(String),
    Stale(String),
    /// Behind, within the limit so far: wait until this time, list again, and see whether the
    /// backup reached `last_change` (via [`after_wait`]).
    WaitFor {
        until: f64,
        last_change: f64,
    },
}

pub fn judge(t: &Target, explicit: bool, limit: &Limit, age: Option<f64>, against: Against, now: f64) -> Verdict {
    let max = limit.max_age_seconds;
    let old = age.is_some_and(|a| a > max);
    let over = |a: f64| {
        format!(
            "the newest backup is {} old, more than {} ({})",
            clock::span(a),
            clock::span(max),
            limit.source
        )
    };
    match against {
        Against::CaughtUp => {
            if !explicit && t.snapshot.refreshes_idle && old {
                let a = age.unwrap_or(0.0);
                return Verdict::Stale(format!(
                    "{}: Litestream 0.3 snapshots even an idle database, so replication has stopped (the backup still matches the live database)",
                    over(a)
                ));
            }
            Verdict::Fresh("matches the live database".into())
        }
        Against::Behind { last_change } => {
            if explicit {
                return match age {
                    Some(a) if old => Verdict::Stale(over(a)),
                    _ => Verdict::Fresh("within --max-age".into()),
                };
            }
            Verdict::WaitFor {
                until: (last_change + allowance(t).as_secs_f64()).max(now),
                last_change,
            }
        }
        Against::Unknown => match age {
            Some(a) if old => {
                let idle = if t.snapshot.refreshes_idle {
                    ""
                } else {
                    "; Litestream 0.5 writes nothing while a database is idle, so this is expected only if nothing wrote to it since (run where the live database is readable, or with --sentinel, to tell)"
                };
                Verdict::Stale(format!("{}{idle}", over(a)))
            }
            Some(_) => Verdict::Fresh("within the limit".into()),
            None => Verdict::Fresh("its age is unknown".into()),
        },
    }
}

/// After waiting for a change seen at `last_change`: did the backup reach it? `before` is the
/// position the backup had when it was found behind, `newest` the one it has now.
pub fn after_wait(before: Option<&Point>, newest: Option<&Point>, last_change: f64, t: &Target) -> Verdict {
    // Listings have whole seconds, so the time alone cannot tell a new upload from the old one
    // made in the same second; a new position can. An upload is never older than its change.
    let moved = newest.is_some_and(|n| before.is_none_or(|b| b.token != n.token));
    let newest = newest.map(|n| n.time);
    match newest {
        Some(p) if moved && p >= last_change.floor() => Verdict::Fresh("receives the live database's changes".into()),
        _ => Verdict::Stale(format!(
            "the live database changed at {}, and {} later the backup still ends {}: replication is not delivering",
            clock::format_rfc3339(last_change),
            clock::span(clock::now() - last_change),
            newest.map_or_else(|| "nowhere".to_string(), |p| format!("at {}", clock::format_rfc3339(p)))
        ))
        .with_allowance(t),
    }
}

impl Verdict {
    fn with_allowance(self, t: &Target) -> Verdict {
        match self {
            Verdict::Stale(s) => Verdict::Stale(format!(
                "{s} (a change should arrive within {})",
                clock::go(allowance(t))
            )),
            v => v,
        }
    }
}
