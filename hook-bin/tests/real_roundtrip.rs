//! Real backups and restores: Litestream 0.3.13 and 0.5.17 replicate the four Rails 8
//! production databases (WAL, under writes) to moto S3 on 127.0.0.1, then each database is
//! restored with `-o` and compared row for row. Also point-in-time restore with `-timestamp`.
//!
//! Needs `scripts/install-test-deps`; fails (never skips) without it.

mod support;

use std::fs;
use std::path::{Path, PathBuf};
use std::thread;
use std::time::Duration;
use support::real::*;

/// (file name, tier label, sync-interval, snapshot-interval, retention): the default tier policy.
const DBS: [(&str, &str, &str, &str, &str); 4] = [
    ("production.sqlite3", "primary", "5s", "1h", "720h"),
    ("production_cache.sqlite3", "cache", "10s", "6h", "24h"),
    ("production_queue.sqlite3", "queue", "5s", "1h", "72h"),
    ("production_cable.sqlite3", "cable", "10s", "6h", "24h"),
];

const BUCKET: &str = "shopfront-backups";

/// The tiered config as a 0.3 user writes it: `replicas:` lists with per-replica retention.
fn config_v03(storage: &Path, endpoint: &str) -> String {
    let mut s = String::from("dbs:\n");
    for (file, tier, sync, snap, ret) in DBS {
        s.push_str(&format!(
            "  - path: {db}\n    replicas:\n      - type: s3\n        bucket: {BUCKET}\n        path: shopfront/{tier}\n        endpoint: {endpoint}\n        region: us-east-1\n        force-path-style: true\n        access-key-id: ${{LITESTREAM_ACCESS_KEY_ID}}\n        secret-access-key: ${{LITESTREAM_SECRET_ACCESS_KEY}}\n        sync-interval: {sync}\n        snapshot-interval: {snap}\n        retention: {ret}\n",
            db = storage.join(file).display()
        ));
    }
    s
}

/// The 0.5 shape: one `replica:` per database, retention as the global `snapshot:` block.
fn config_v05(storage: &Path, endpoint: &str) -> String {
    let mut s = String::from("snapshot:\n  interval: 1h\n  retention: 720h\ndbs:\n");
    for (file, tier, sync, _snap, _ret) in DBS {
        s.push_str(&format!(
            "  - path: {db}\n    replica:\n      type: s3\n      bucket: {BUCKET}\n      path: shopfront/{tier}\n      endpoint: {endpoint}\n      region: us-east-1\n      force-path-style: true\n      access-key-id: ${{LITESTREAM_ACCESS_KEY_ID}}\n      secret-access-key: ${{LITESTREAM_SECRET_ACCESS_KEY}}\n      sync-interval: {sync}\n",
            db = storage.join(file).display()
        ));
    }
    s
}

fn config_for(v: Version, storage: &Path, endpoint: &str) -> String {
    match v {
        Version::V03 => config_v03(storage, endpoint),
        Version::V05 => config_v05(storage, endpoint),
    }
}

/// One database with one S3 replica at `path` in the bucket, in each version's own shape.
fn single_db_config(v: Version, db: &Path, path: &str, endpoint: &str, sync: &str) -> String {
    let db = db.display();
    match v {
        Version::V03 => format!(
            "dbs:\n  - path: {db}\n    replicas:\n      - type: s3\n        bucket: {BUCKET}\n        path: {path}\n        endpoint: {endpoint}\n        sync-interval: {sync}\n"
        ),
        Version::V05 => format!(
            "dbs:\n  - path: {db}\n    replica:\n      type: s3\n      bucket: {BUCKET}\n      path: {path}\n      endpoint: {endpoint}\n      sync-interval: {sync}\n"
        ),
    }
}

/// The log line each version prints once per database when its first snapshot is uploaded.
fn snapshot_marker(v: Version) -> &'static str {
    match v {
        Version::V03 => "snapshot written",
        Version::V05 => "snapshot complete",
    }
}

fn roundtrip_four_databases(v: Version) {
    let tmp = TempDir::new(&format!("roundtrip-{}", v.full()));
    let storage = tmp.join("storage");
    fs::create_dir_all(&storage).unwrap();
    let moto = Moto::start();
    moto.create_bucket(BUCKET);

    // The app's databases exist before Litestream starts (as after `db:prepare`).
    let mut conns: Vec<(String, PathBuf, Connection)> = DBS
        .iter()
        .map(|(file, tier, ..)| {
            let p = storage.join(file);
            let mut c = open_wal(&p);
            create_items(&c);
            insert_batch(&mut c, tier, 0, 50);
            (tier.to_string(), p, c)
        })
        .collect();

    let config = tmp.join("litestream.yml");
    fs::write(&config, config_for(v, &storage, &moto.endpoint())).unwrap();
    let mut rep = Replicator::start(v, &config, tmp.path(), tmp.join("replicate.log"));
    assert!(
        rep.wait_log(snapshot_marker(v), DBS.len(), Duration::from_secs(60)),
        "Litestream {} did not snapshot all {} databases:\n{}",
        v.full(),
        DBS.len(),
        rep.log_text()
    );

    // Writes under replication: 6 batches into every database, spread over ~3 s.
    for batch in 1..=6 {
        for (tier, _, c) in conns.iter_mut() {
            insert_batch(c, tier, batch, 120);
        }
        thread::sleep(Duration::from_millis(500));
    }
    // The app stops first, then Litestream (SIGTERM, as `docker stop` does). No extra wait:
    // Litestream's shutdown sync must carry the last batch.
    drop(conns.drain(..).map(|(t, p, c)| (t, p, c.close())).collect::<Vec<_>>());
    let graceful = rep.stop();
    let log = rep.log_text();
    assert!(graceful, "Litestream {} ignored SIGTERM for 20 s:\n{log}", v.full());
    assert!(
        !log.contains("level=ERROR"),
        "Litestream {} logged errors:\n{log}",
        v.full()
    );

    for (file, tier, ..) in DBS {
        let keys = moto.list_keys(BUCKET, &format!("shopfront/{tier}/"));
        assert!(!keys.is_empty(), "no objects under shopfront/{tier}/ for {}", v.full());

        let src = storage.join(file);
        let out = tmp.join(format!("restored-{file}"));
        let r = restore(v, &config, &src, &out, &[], tmp.path());
        assert!(r.success(), "restore {file} with {}: {r:?}", v.full());
        assert_eq!(integrity(&out), "ok", "{file}");
        let want = items(&src);
        let got = items(&out);
        assert_eq!(want.len(), 50 + 6 * 120, "source {file} row count");
        assert_eq!(
            got.len(),
            want.len(),
            "{file}: restored {} of {} rows ({})",
            got.len(),
            want.len(),
            v.full()
        );
        assert!(
            got == want,
            "{file}: restored rows differ from the source ({})",
            v.full()
        );
    }
}

#[test]
fn v03_replicates_four_databases_and_restores_every_row() {
    roundtrip_four_databases(Version::V03);
}

#[test]
fn v05_replicates_four_databases_and_restores_every_row() {
    roundtrip_four_databases(Version::V05);
}

/// Batch 1, a gap, timestamp T, a gap, batch 2; restore at T must hold exactly batch 1.
fn point_in_time(v: Version) {
    let tmp = TempDir::new(&format!("pitr-{}", v.full()));
    let moto = Moto::start();
    moto.create_bucket(BUCKET);
    let db = tmp.join("production.sqlite3");
    let mut c = open_wal(&db);
    create_items(&c);

    let yml = single_db_config(v, &db, "pitr", &moto.endpoint(), "1s");
    let config = tmp.join("litestream.yml");
    fs::write(&config, yml).unwrap();
    let mut rep = Replicator::start(v, &config, tmp.path(), tmp.join("replicate.log"));
    assert!(
        rep.wait_log(snapshot_marker(v), 1, Duration::from_secs(60)),
        "no snapshot:\n{}",
        rep.log_text()
    );

    insert_batch(&mut c, "primary", 1, 100);
    // S3 object times have whole-second resolution: keep ≥ 2.5 s on both sides of T.
    thread::sleep(Duration::from_millis(2500));
    let t = rfc3339_now();
    thread::sleep(Duration::from_millis(2500));
    insert_batch(&mut c, "primary", 2, 100);
    thread::sleep(Duration::from_millis(2500));
    drop(c);
    assert!(rep.stop(), "Litestream {} ignored SIGTERM", v.full());

    let at_t = tmp.join("at-t.sqlite3");
    let r = restore(v, &config, &db, &at_t, &["-timestamp", &t], tmp.path());
    assert!(r.success(), "restore -timestamp {t} ({}): {r:?}", v.full());
    assert_eq!(integrity(&at_t), "ok");
    assert_eq!(
        batches(&at_t).into_iter().collect::<Vec<_>>(),
        vec![(1, 100)],
        "restore at {t} ({})",
        v.full()
    );

    let latest = tmp.join("latest.sqlite3");
    let r = restore(v, &config, &db, &latest, &[], tmp.path());
    assert!(r.success(), "restore latest ({}): {r:?}", v.full());
    assert_eq!(
        batches(&latest).into_iter().collect::<Vec<_>>(),
        vec![(1, 100), (2, 100)]
    );
    assert!(items(&latest) == items(&db), "latest restore differs from the source");
}

#[test]
fn v03_point_in_time_restore_returns_exactly_the_earlier_batch() {
    point_in_time(Version::V03);
}

#[test]
fn v05_point_in_time_restore_returns_exactly_the_earlier_batch() {
    point_in_time(Version::V05);
}

/// With a 1 h sync-interval nothing after the first snapshot is uploaded on the timer, so this
/// isolates the shutdown sync: SIGTERM must carry every committed row, SIGKILL carries none of
/// the later ones (which also shows the comparison above can detect loss).
fn shutdown_sync(v: Version, hard_kill: bool) {
    let tmp = TempDir::new(&format!("shutdown-{}", v.full()));
    let moto = Moto::start();
    moto.create_bucket(BUCKET);
    let db = tmp.join("production.sqlite3");
    let mut c = open_wal(&db);
    create_items(&c);
    insert_batch(&mut c, "primary", 0, 10);
    let yml = single_db_config(v, &db, "sd", &moto.endpoint(), "1h");
    let config = tmp.join("litestream.yml");
    fs::write(&config, yml).unwrap();
    let mut rep = Replicator::start(v, &config, tmp.path(), tmp.join("replicate.log"));
    assert!(
        rep.wait_log(snapshot_marker(v), 1, Duration::from_secs(60)),
        "no snapshot:\n{}",
        rep.log_text()
    );
    thread::sleep(Duration::from_millis(1500));
    insert_batch(&mut c, "primary", 1, 200);
    thread::sleep(Duration::from_millis(1500));
    drop(c);
    if hard_kill {
        drop(rep); // SIGKILL
    } else {
        assert!(rep.stop(), "Litestream {} ignored SIGTERM", v.full());
    }
    let out = tmp.join("restored.sqlite3");
    let r = restore(v, &config, &db, &out, &[], tmp.path());
    assert!(r.success(), "restore ({}): {r:?}", v.full());
    let got: Vec<_> = batches(&out).into_iter().collect();
    if hard_kill {
        assert_eq!(got, vec![(0, 10)], "after SIGKILL ({})", v.full());
    } else {
        assert_eq!(got, vec![(0, 10), (1, 200)], "after SIGTERM ({})", v.full());
    }
}

#[test]
fn v03_sigterm_flushes_unsynced_writes_sigkill_loses_them() {
    shutdown_sync(Version::V03, false);
    shutdown_sync(Version::V03, true);
}

#[test]
fn v05_sigterm_flushes_unsynced_writes_sigkill_loses_them() {
    shutdown_sync(Version::V05, false);
    shutdown_sync(Version::V05, true);
}
