//! Retention shorter than the snapshot interval still leaves a restorable backup, on both
//! Litestream lines (why rule L021 was retired): a database is replicated to a local `file`
//! replica for several retention periods while rows are written, then restored with `-o` and
//! compared with the live database row for row.
//!
//! Needs `scripts/install-test-deps`; fails (never skips) without it.

mod support;

use std::fs;
use std::thread;
use std::time::{Duration, Instant};
use support::real::*;

fn config(v: Version, db: &std::path::Path, replica: &std::path::Path) -> String {
    match v {
        // Retention (1s) shorter than the snapshot interval (2s), checked every second.
        Version::V03 => format!(
            "dbs:\n  - path: {}\n    replicas:\n      - type: file\n        path: {}\n        sync-interval: 200ms\n        snapshot-interval: 2s\n        retention: 1s\n        retention-check-interval: 1s\n",
            db.display(),
            replica.display()
        ),
        // The same on 0.5's global snapshot settings, with a fast compaction level.
        Version::V05 => format!(
            "snapshot:\n  interval: 2s\n  retention: 1s\nlevels:\n  - interval: 1s\ndbs:\n  - path: {}\n    replica:\n      type: file\n      path: {}\n      sync-interval: 200ms\n",
            db.display(),
            replica.display()
        ),
    }
}

/// The snapshot files in a file replica: 0.3's `generations/*/snapshots/*`, 0.5's level 9.
fn snapshot_files(v: Version, replica: &std::path::Path) -> Vec<String> {
    let mut out = Vec::new();
    let dirs: Vec<std::path::PathBuf> = match v {
        Version::V03 => fs::read_dir(replica.join("generations"))
            .map(|rd| rd.flatten().map(|e| e.path().join("snapshots")).collect())
            .unwrap_or_default(),
        Version::V05 => vec![replica.join("ltx/9"), replica.join("0009")],
    };
    for d in dirs {
        for e in fs::read_dir(&d).into_iter().flatten().flatten() {
            out.push(e.file_name().to_string_lossy().into_owned());
        }
    }
    out.sort();
    out
}

#[test]
fn retention_shorter_than_snapshot_interval_still_restores() {
    for v in VERSIONS {
        let dir = TempDir::new(&format!("retention-{}", v.short()));
        let db = dir.join("app.sqlite3");
        let replica = dir.join("replica");
        let cfg = dir.join("litestream.yml");
        fs::write(&cfg, config(v, &db, &replica)).unwrap();
        let mut c = open_wal(&db);
        create_items(&c);
        insert_batch(&mut c, "app", 0, 5);
        let mut rep = Replicator::start(v, &cfg, dir.path(), dir.join("litestream.log"));
        // Several retention periods and snapshot intervals pass under writes.
        let start = Instant::now();
        let mut batch = 1;
        while start.elapsed() < Duration::from_secs(9) {
            insert_batch(&mut c, "app", batch, 5);
            batch += 1;
            thread::sleep(Duration::from_millis(500));
        }
        // Let the last writes reach the replica.
        thread::sleep(Duration::from_secs(2));
        assert!(
            rep.stop(),
            "{}: Litestream did not stop on SIGTERM:\n{}",
            v.full(),
            rep.log_text()
        );
        // Retention really ran: several snapshots were taken, and at most the newest two remain.
        let taken = rep
            .log_text()
            .matches(match v {
                Version::V03 => "snapshot written",
                Version::V05 => "snapshot complete",
            })
            .count();
        assert!(
            taken >= 3,
            "{}: only {taken} snapshot(s) taken:\n{}",
            v.full(),
            rep.log_text()
        );
        let snapshots = snapshot_files(v, &replica);
        eprintln!("{}: {} snapshot file(s) left: {snapshots:?}", v.full(), snapshots.len());
        assert!(
            !snapshots.is_empty() && snapshots.len() <= 2,
            "{}: snapshots left: {snapshots:?}",
            v.full()
        );
        drop(c);
        let out = dir.join("restored.sqlite3");
        let o = restore(v, &cfg, &db, &out, &[], dir.path());
        assert!(
            o.success(),
            "{}: restore failed: {}\n{}",
            v.full(),
            o.combined(),
            rep.log_text()
        );
        assert_eq!(integrity(&out), "ok", "{}", v.full());
        assert_eq!(
            items(&out),
            items(&db),
            "{}: the restored rows differ from the live ones",
            v.full()
        );
    }
}
