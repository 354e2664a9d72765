//! Proofs 1 and 2 of `init`: the configuration it generates really backs up and really
//! restores, on Litestream 0.3.13 and 0.5.17, against moto S3 on 127.0.0.1.
//!
//! `init --provider custom --endpoint http://127.0.0.1:PORT` sets up examples/fresh; only the
//! `/rails/storage` prefix of the generated litestream.yml is rewritten to a temporary folder.
//! Needs `scripts/install-test-deps`; fails (never skips) without it.

mod init_support;
mod support;

use std::path::PathBuf;
use std::thread;
use std::time::Duration;

use init_support::*;
use support::real::*;

/// Four WAL databases written while `litestream replicate` runs with the generated config;
/// after stopping, every database restored with `-o` equals its source row for row.
fn roundtrip(v: Version) {
    let moto = Moto::start();
    moto.create_bucket(BUCKET);
    let g = generate(v, &moto.endpoint(), "init-roundtrip", "storage");
    std::fs::create_dir_all(&g.storage).unwrap();

    let mut conns: Vec<(String, PathBuf, Connection)> = g
        .dbs
        .iter()
        .map(|d| {
            let mut c = open_wal(&d.0);
            create_items(&c);
            insert_batch(&mut c, &Generated::label(d), 0, 50);
            (Generated::label(d), d.0.clone(), c)
        })
        .collect();

    let mut rep = Replicator::start(v, &g.config, g.tmp.path(), g.tmp.join("replicate.log"));
    assert!(
        rep.wait_log(snapshot_marker(v), g.dbs.len(), Duration::from_secs(60)),
        "Litestream {} did not snapshot all databases with the generated config:\n{}",
        v.full(),
        rep.log_text()
    );
    // A writer in its own thread, as the app would be: 6 batches into all four databases.
    let writer = thread::spawn(move || {
        for batch in 1..=6 {
            for (label, _, c) in conns.iter_mut() {
                insert_batch(c, label, batch, 120);
            }
            thread::sleep(Duration::from_millis(500));
        }
        // The app stops (its connections close) before Litestream does.
        for (_, _, c) in conns {
            c.close().expect("close");
        }
    });
    writer.join().expect("writer");
    assert!(rep.stop(), "Litestream {} ignored SIGTERM", v.full());
    let log = rep.log_text();
    assert!(
        !log.contains("level=ERROR"),
        "Litestream {} logged errors:\n{log}",
        v.full()
    );

    let mut prefixes = Vec::new();
    for d in &g.dbs {
        let keys = moto.list_keys(BUCKET, &format!("{}/", d.1));
        assert!(!keys.is_empty(), "nothing under {}/ ({})", d.1, v.full());
        prefixes.push(d.1.clone());
        let out = g.tmp.join(format!("restored-{}.sqlite3", Generated::label(d)));
        let r = restore(v, &g.config, &d.0, &out, &[], g.tmp.path());
        assert!(r.success(), "restore {} ({}): {r:?}", d.0.display(), v.full());
        assert_eq!(integrity(&out), "ok");
        let want = items(&d.0);
        let got = items(&out);
        assert_eq!(want.len(), 50 + 6 * 120);
        assert_eq!(
            got.len(),
            want.len(),
            "{}: restored {} of {} rows ({})",
            d.1,
            got.len(),
            want.len(),
            v.full()
        );
        assert!(got == want, "{}: restored rows differ ({})", d.1, v.full());
    }
    prefixes.sort();
    prefixes.dedup();
    assert_eq!(prefixes.len(), 4, "each database has its own replica path");
}

#[test]
fn v03_generated_config_backs_up_and_restores_every_row() {
    roundtrip(Version::V03);
}

#[test]
fn v05_generated_config_backs_up_and_restores_every_row() {
    roundtrip(Version::V05);
}

/// Waits until the primary's replica holds more change objects than `before`.
fn wait_uploaded(moto: &Moto, v: Version, prefix: &str, before: usize) -> usize {
    wait_for(Duration::from_secs(30), Duration::from_millis(200), || {
        let n = change_objects(v, &moto.list_keys(BUCKET, prefix));
        (n > before).then_some(n)
    })
    .unwrap_or_else(|| panic!("no new upload under {prefix} within 30 s ({})", v.full()))
}

/// With the generated tier values (primary syncs every 5 s): batch 1, uploaded; time T;
/// batch 2, uploaded. `restore -timestamp T` gives exactly batch 1, a plain restore both.
fn point_in_time(v: Version) {
    let moto = Moto::start();
    moto.create_bucket(BUCKET);
    let g = generate(v, &moto.endpoint(), "init-pitr", "storage");
    std::fs::create_dir_all(&g.storage).unwrap();
    let mut conns: Vec<Connection> = g
        .dbs
        .iter()
        .map(|d| {
            let c = open_wal(&d.0);
            create_items(&c);
            c
        })
        .collect();
    let (primary, prefix) = (g.dbs[0].0.clone(), format!("{}/", g.dbs[0].1));
    assert!(primary.ends_with("production.sqlite3"), "{}", primary.display());

    let mut rep = Replicator::start(v, &g.config, g.tmp.path(), g.tmp.join("replicate.log"));
    assert!(
        rep.wait_log(snapshot_marker(v), g.dbs.len(), Duration::from_secs(60)),
        "no snapshots:\n{}",
        rep.log_text()
    );
    thread::sleep(Duration::from_millis(1500));
    let base = change_objects(v, &moto.list_keys(BUCKET, &prefix));

    insert_batch(&mut conns[0], "primary", 1, 100);
    let after1 = wait_uploaded(&moto, v, &prefix, base);
    // Object times have whole-second resolution: keep ≥ 1.5 s on both sides of T.
    thread::sleep(Duration::from_millis(1500));
    let t = rfc3339_now();
    thread::sleep(Duration::from_millis(2500));
    insert_batch(&mut conns[0], "primary", 2, 100);
    wait_uploaded(&moto, v, &prefix, after1);
    drop(conns);
    assert!(rep.stop(), "Litestream {} ignored SIGTERM", v.full());

    let at_t = g.tmp.join("at-t.sqlite3");
    let r = restore(v, &g.config, &primary, &at_t, &["-timestamp", &t], g.tmp.path());
    assert!(r.success(), "restore -timestamp {t} ({}): {r:?}", v.full());
    assert_eq!(integrity(&at_t), "ok");
    assert_eq!(
        batches(&at_t).into_iter().collect::<Vec<_>>(),
        vec![(1, 100)],
        "at {t} ({})",
        v.full()
    );

    let latest = g.tmp.join("latest.sqlite3");
    let r = restore(v, &g.config, &primary, &latest, &[], g.tmp.path());
    assert!(r.success(), "restore latest ({}): {r:?}", v.full());
    assert!(
        items(&latest) == items(&primary),
        "latest restore differs from the source ({})",
        v.full()
    );
    assert_eq!(
        batches(&latest).into_iter().collect::<Vec<_>>(),
        vec![(1, 100), (2, 100)]
    );
}

#[test]
fn v03_generated_config_restores_to_a_point_in_time() {
    point_in_time(Version::V03);
}

#[test]
fn v05_generated_config_restores_to_a_point_in_time() {
    point_in_time(Version::V05);
}
