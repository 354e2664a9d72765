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
//! backup behind it must receive the missing change within the allowance. Where it is not, an
//! old 0.5 backup counts as idle only while another database of the same config (the same
//! Litestream process) has a fresh one; `--max-age` applies as given.

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
    /// 0.5, no live database to compare, older than the default limit: idle or stopped. One
    /// Litestream serves every database of the config, so a fresh backup of another one means
    /// it runs and this one was not written ([`idle_or_stopped`]); the text is the stale reason.
    IdleOrStopped(String),
}

/// Settles [`Verdict::IdleOrStopped`] for a database with limit `max`, given the freshest other
/// database of the config that is fresh on its own: `(name, age)`.
pub fn idle_or_stopped(max: f64, freshest_other: Option<(&str, f64)>) -> Option<String> {
    let (other, age) = freshest_other?;
    (age <= max).then(|| {
        format!(
            "idle: Litestream 0.5 writes nothing while a database is not written, and the same Litestream delivered a backup of {other} {} ago",
            clock::span(age)
        )
    })
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
            Some(a) if old && !explicit && !t.snapshot.refreshes_idle => Verdict::IdleOrStopped(format!(
                "{}, and no other database of this config has a fresh backup: Litestream is not running, or nothing wrote to any of them (0.5 writes nothing for an idle database; run where the live database is readable, or with --sentinel, to tell)",
                over(a)
            )),
            Some(a) if old => Verdict::Stale(over(a)),
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::verify::config::Snapshot;

    fn target(refreshes_idle: bool) -> Target {
        Target {
            name: "db".into(),
            db_arg: "db".into(),
            local: "/x/db".into(),
            in_app: false,
            replica_name: None,
            kind: "s3".into(),
            location: "s3://b/db".into(),
            endpoint: String::new(),
            location_key: "k".into(),
            storage_key: "s".into(),
            root_path: false,
            sync: Duration::from_secs(5),
            snapshot: Snapshot {
                period: Duration::from_secs(3600),
                why: "snapshot interval 1h".into(),
                refreshes_idle,
            },
            unset: Vec::new(),
            cred_vars: Vec::new(),
            skip: None,
        }
    }

    #[test]
    fn default_limit_says_where_it_comes_from() {
        let l = limit(&target(false), None);
        assert_eq!(l.max_age_seconds, 3625.0);
        assert_eq!(l.source, "snapshot interval 1h + 2 × sync-interval 5s + 15s");
        assert_eq!(
            limit(&target(false), Some(Duration::from_secs(90))).source,
            "--max-age 1m30s"
        );
    }

    #[test]
    fn verdicts_per_line_and_evidence() {
        let (v03, v05) = (target(true), target(false));
        let l = limit(&v05, None);
        let old = Some(7200.0);
        // Caught up: 0.5 is fresh at any age; 0.3 should have snapshotted meanwhile.
        assert!(matches!(
            judge(&v05, false, &l, old, Against::CaughtUp, 0.0),
            Verdict::Fresh(_)
        ));
        assert!(
            matches!(judge(&v03, false, &l, old, Against::CaughtUp, 0.0), Verdict::Stale(s) if s.contains("replication has stopped"))
        );
        // No live database: 0.5 waits for the other databases' evidence, 0.3 is stale.
        assert!(matches!(
            judge(&v05, false, &l, old, Against::Unknown, 0.0),
            Verdict::IdleOrStopped(_)
        ));
        assert!(matches!(
            judge(&v03, false, &l, old, Against::Unknown, 0.0),
            Verdict::Stale(_)
        ));
        assert!(matches!(
            judge(&v05, false, &l, Some(60.0), Against::Unknown, 0.0),
            Verdict::Fresh(_)
        ));
        // --max-age is literal where nothing shows the backup complete.
        let x = limit(&v05, Some(Duration::from_secs(10)));
        assert!(matches!(
            judge(&v05, true, &x, Some(60.0), Against::Unknown, 0.0),
            Verdict::Stale(_)
        ));
        assert!(matches!(
            judge(&v05, true, &x, Some(60.0), Against::CaughtUp, 0.0),
            Verdict::Fresh(_)
        ));
        // Behind: wait until the change could have arrived.
        assert_eq!(
            judge(
                &v05,
                false,
                &l,
                Some(60.0),
                Against::Behind { last_change: 100.0 },
                90.0
            ),
            Verdict::WaitFor {
                until: 125.0,
                last_change: 100.0
            }
        );
        assert_eq!(idle_or_stopped(3625.0, None), None);
        assert_eq!(idle_or_stopped(3625.0, Some(("q", 4000.0))), None);
        assert!(idle_or_stopped(3625.0, Some(("q", 30.0)))
            .unwrap()
            .contains("backup of q 30s ago"));
    }

    #[test]
    fn a_new_position_is_needed_to_count_as_delivered() {
        let t = target(false);
        let p = |time: f64, token: &str| Point {
            time,
            position: String::new(),
            token: token.into(),
        };
        // Same second, same position: the old upload, not the change.
        assert!(matches!(
            after_wait(Some(&p(100.0, "a")), Some(&p(100.0, "a")), 100.4, &t),
            Verdict::Stale(_)
        ));
        assert!(matches!(
            after_wait(Some(&p(100.0, "a")), Some(&p(100.0, "b")), 100.4, &t),
            Verdict::Fresh(_)
        ));
        assert!(matches!(
            after_wait(Some(&p(90.0, "a")), Some(&p(95.0, "b")), 100.4, &t),
            Verdict::Stale(_)
        ));
    }
}
