//! Checks the real-component test support itself: the installed binaries are the pinned
//! versions, moto starts on loopback, accepts buckets and objects, and is gone after drop;
//! timeouts really kill.

mod support;

use std::process::Command;
use std::time::{Duration, Instant};
use support::real::*;

#[test]
fn installed_litestream_versions_are_the_pinned_ones() {
    for v in VERSIONS {
        let out = run(v.command().arg("version"), Duration::from_secs(20));
        assert!(out.success(), "litestream-{} version: {out:?}", v.full());
        assert_eq!(out.stdout.trim().trim_start_matches('v'), v.full(), "{out:?}");
    }
}

#[test]
fn moto_starts_creates_buckets_lists_keys_and_dies_on_drop() {
    let moto = Moto::start();
    let pid;
    {
        moto.create_bucket("support-check");
        assert!(moto.list_keys("support-check", "").is_empty());
        // An unsigned object PUT (moto accepts it) checks the listing parser, incl. URL-encoding.
        let r = http(
            "127.0.0.1",
            moto.port,
            "PUT",
            "/support-check/a/b%20c.txt",
            Duration::from_secs(10),
        )
        .unwrap();
        assert_eq!(r.status, 200, "{}", r.body);
        assert_eq!(moto.list_keys("support-check", "a/"), vec!["a/b c.txt".to_string()]);
        assert!(moto.list_keys("support-check", "zzz/").is_empty());
        pid = moto.pid();
    }
    let port = moto.port;
    drop(moto);
    // The process is gone and the port no longer answers.
    let alive = run(
        Command::new("kill").arg("-0").arg(pid.to_string()),
        Duration::from_secs(5),
    );
    assert!(!alive.success(), "moto pid {pid} still alive after drop");
    assert!(
        http("127.0.0.1", port, "GET", "/", Duration::from_secs(1)).is_err(),
        "port {port} still answers"
    );
}

#[test]
fn run_kills_a_child_at_its_timeout() {
    let t = Instant::now();
    let out = run(Command::new("sleep").arg("30"), Duration::from_millis(300));
    assert!(out.timed_out, "{out:?}");
    assert!(t.elapsed() < Duration::from_secs(10), "took {:?}", t.elapsed());
}

#[test]
fn litestream_env_has_no_ca_bundle() {
    // 0.5 refuses plain-http endpoints when AWS_CA_BUNDLE is set: the helper must remove it.
    let c = Version::V05.command();
    let removed = c.get_envs().any(|(k, v)| k == "AWS_CA_BUNDLE" && v.is_none());
    assert!(removed, "AWS_CA_BUNDLE not removed from the Litestream environment");
}

#[test]
fn rfc3339_known_values() {
    assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
    assert_eq!(rfc3339(951_782_400), "2000-02-29T00:00:00Z");
    assert_eq!(rfc3339(1_700_000_000), "2023-11-14T22:13:20Z");
}

#[test]
fn sqlite_helpers_round_trip() {
    let d = TempDir::new("sqlite");
    let p = d.join("x.sqlite3");
    let mut c = open_wal(&p);
    create_items(&c);
    insert_batch(&mut c, "x", 1, 3);
    insert_batch(&mut c, "x", 2, 2);
    assert!(d.join("x.sqlite3-wal").exists(), "WAL file missing");
    let rows = items(&p);
    assert_eq!(rows.len(), 5);
    assert_eq!(rows[0].2, "x-1-0-");
    assert_eq!(batches(&p).into_iter().collect::<Vec<_>>(), vec![(1, 3), (2, 2)]);
    assert_eq!(integrity(&p), "ok");
}
