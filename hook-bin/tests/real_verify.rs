//! `litestream-guard verify` against real backups: Litestream 0.3.13 and 0.5.17 replicate four
//! Rails databases (WAL, under writes) to moto S3 on 127.0.0.1, for the config `init` writes and
//! for a litestream-ruby-style config (relative paths, `$LITESTREAM_REPLICA_*` variables, run
//! from the app root, the binary found where the gem installs it). Each lifecycle then breaks
//! the backups one way after another and checks what `verify` says.
//!
//! Needs `scripts/install-test-deps`; fails (never skips) without it.

mod init_support;
mod support;
mod verify_support;

use std::net::TcpListener;
use std::thread;
use std::time::{Duration, Instant};

use support::real::{self as real, Version};
use verify_support::*;

fn table<'a>(db: &'a serde_json::Value, name: &str) -> &'a serde_json::Value {
    db["live"]["tables"]
        .as_array()
        .and_then(|a| a.iter().find(|t| t["table"] == name))
        .unwrap_or_else(|| panic!("no table {name} in {db}"))
}

fn sentinel_tables(lab: &Lab) -> Vec<String> {
    lab.dbs
        .iter()
        .filter_map(|d| {
            let c = real::Connection::open_with_flags(&d.path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap();
            let n: i64 = c
                .query_row(
                    "SELECT count(*) FROM sqlite_schema WHERE name LIKE '%sentinel%'",
                    [],
                    |r| r.get(0),
                )
                .unwrap();
            (n > 0).then(|| d.name.clone())
        })
        .collect()
}

fn schema(lab: &Lab) -> Vec<Vec<(String, String)>> {
    lab.dbs
        .iter()
        .map(|d| {
            let c = real::Connection::open_with_flags(&d.path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap();
            let mut st = c
                .prepare("SELECT name, coalesce(sql, '') FROM sqlite_schema ORDER BY name")
                .unwrap();
            let rows = st.query_map([], |r| Ok((r.get(0)?, r.get(1)?))).unwrap();
            rows.collect::<Result<_, _>>().unwrap()
        })
        .collect()
}

fn lifecycle(v: Version, kind: Kind) {
    let start = Instant::now();
    let mut lab = Lab::new(v, kind);
    lab.start();
    // Writes while Litestream replicates, as the app makes them.
    for _ in 0..4 {
        lab.write(&[0, 1, 2, 3], 60);
        thread::sleep(Duration::from_millis(400));
    }
    let what = format!("{} {kind:?}", v.full());

    // 1. Every database restores intact and, once replication caught up, holds every row.
    let r = until_caught_up(&lab, &[], Duration::from_secs(90));
    for (i, d) in lab.dbs.iter().enumerate() {
        let j = r.db(&d.name);
        assert_eq!(j["state"], "ok", "{what} {}: {j}", d.name);
        assert_eq!(j["integrity"], "ok", "{what}");
        let items = table(&j, "items");
        assert_eq!(items["backup"], items["live"], "{what} {}", d.name);
        assert_eq!(items["backup"].as_u64(), Some(lab.rows(i) as u64), "{what} {}", d.name);
        assert_eq!(lab.rows(i), 50 + 4 * 60);
        assert!(j["backup"]["time"].as_str().is_some_and(|t| t.ends_with('Z')), "{j}");
        assert!(j["backup"]["age_seconds"].as_f64().is_some_and(|a| a < 120.0), "{j}");
    }
    if kind == Kind::Gem {
        // No --litestream and nothing on PATH: the binary is the one the gem setup provides.
        let found = r.json()["litestream"]["found_by"].as_str().unwrap().to_string();
        match v {
            Version::V03 => assert_eq!(found, "the litestream-ruby gem 0.14.0"),
            Version::V05 => assert!(found.starts_with("LITESTREAM_INSTALL_DIR"), "{found}"),
        }
    }
    let text = lab.verify(&["--max-age", "1h"]);
    assert_eq!(text.code, Some(0), "{what}: {}", text.all());
    let lines: Vec<&str> = text.stdout.lines().collect();
    assert_eq!(lines.len(), 1 + 4 + 1, "{}", text.stdout);
    for d in &lab.dbs {
        assert!(
            lines
                .iter()
                .any(|l| l.starts_with("ok ") && l.contains(&format!("  {}  ", d.name))),
            "{what}: no ok line for {}:\n{}",
            d.name,
            text.stdout
        );
    }
    assert!(
        lines[5].starts_with("4 databases: 4 ok; max age: 1h"),
        "{}",
        text.stdout
    );

    // 2. --sentinel: a nonce reaches every backup, and nothing of it stays behind.
    let before = schema(&lab);
    let counts: Vec<usize> = (0..4).map(|i| lab.rows(i)).collect();
    let s = lab.verify(&["--sentinel", "--format", "json"]);
    assert_eq!(s.code, Some(0), "{what}: {}", s.all());
    for d in &lab.dbs {
        let j = s.db(&d.name);
        assert_eq!(j["sentinel"]["arrived"], true, "{what}: {j}");
    }
    assert_eq!(
        sentinel_tables(&lab),
        Vec::<String>::new(),
        "{what}: sentinel table left behind"
    );
    assert_eq!(schema(&lab), before, "{what}: the sentinel changed the schema");
    assert_eq!((0..4).map(|i| lab.rows(i)).collect::<Vec<_>>(), counts);

    // 3. Replication stops; the app keeps writing to two databases.
    lab.stop();
    // The last upload (at the stop) and the new writes are more than a second apart, so the
    // delay shows in listings that have whole seconds.
    thread::sleep(Duration::from_millis(1500));
    lab.write(&[0, 2], 40);
    let r = lab.verify(&["--format", "json", "--max-age", "1h"]);
    assert_eq!(r.code, Some(0), "{what}: {}", r.all());
    for i in [0, 2] {
        let j = r.db(&lab.dbs[i].name);
        assert_eq!(j["live"]["caught_up"], false, "{what}: {j}");
        assert!(
            j["live"]["behind_seconds"].as_f64().is_some_and(|b| b >= 1.0),
            "{what}: {j}"
        );
        let items = table(&j, "items");
        assert_eq!(items["live"].as_u64(), Some(lab.rows(i) as u64));
        assert_eq!(items["backup"].as_u64(), Some(lab.rows(i) as u64 - 40), "{what}: {j}");
        assert!(
            j["reason"].as_str().unwrap().contains("behind the live database"),
            "{j}"
        );
    }
    for i in [1, 3] {
        assert_eq!(r.db(&lab.dbs[i].name)["live"]["caught_up"], true, "{what}");
    }
    let r = lab.verify(&["--format", "json", "--max-age", "1s"]);
    assert_eq!(r.code, Some(1), "{what}: {}", r.all());
    let st = r.states();
    for i in [0, 2] {
        let (state, reason) = &st[&lab.dbs[i].name];
        assert_eq!(state, "stale", "{what}: {reason}");
        assert!(reason.contains("more than 1s (--max-age 1s)"), "{reason}");
    }
    for i in [1, 3] {
        assert_eq!(
            st[&lab.dbs[i].name].0, "ok",
            "{what}: a caught-up backup is fresh: {:?}",
            st
        );
    }
    if kind == Kind::Gem {
        // Without --max-age: the change must reach the backup within 2 × sync-interval + 15s.
        let r = lab.verify(&["--format", "json"]);
        assert_eq!(r.code, Some(1), "{what}: {}", r.all());
        let st = r.states();
        for i in [0, 2] {
            let (state, reason) = &st[&lab.dbs[i].name];
            assert_eq!(state, "stale", "{what}: {reason}");
            assert!(reason.contains("replication is not delivering"), "{reason}");
        }
        assert!(r.elapsed < Duration::from_secs(60), "{:?}", r.elapsed);

        // 3b. A replica path holding another database's backup (the queue pointed at the cache's).
        let text = std::fs::read_to_string(lab.config_path()).unwrap();
        let crossed = text.replacen(
            "path: storage/production_queue.sqlite3\n        endpoint",
            "path: storage/production_cache.sqlite3\n        endpoint",
            1,
        );
        assert_ne!(crossed, text);
        let cfg = write(&lab.tmp.join("crossed.yml"), &crossed);
        let r = lab.verify(&[
            "--config",
            cfg.to_str().unwrap(),
            "--db",
            "production_queue",
            "--format",
            "json",
        ]);
        assert_eq!(r.code, Some(1), "{}", r.all());
        let st = r.states();
        assert_eq!(st.len(), 1);
        let (state, reason) = &st["storage/production_queue.sqlite3"];
        assert_eq!(state, "broken", "{reason}");
        assert!(reason.contains("holds a cache database"), "{reason}");

        // 3c. Two databases writing to one replica path: both named, neither restored.
        let shared = text.replacen(
            "path: storage/production_cable.sqlite3\n        endpoint",
            "path: storage/production_cache.sqlite3\n        endpoint",
            1,
        );
        let cfg = write(&lab.tmp.join("shared.yml"), &shared);
        let r = lab.verify(&["--config", cfg.to_str().unwrap(), "--max-age", "1h", "--format", "json"]);
        assert_eq!(r.code, Some(1), "{}", r.all());
        let st = r.states();
        let (cache, cable) = (
            &st["storage/production_cache.sqlite3"],
            &st["storage/production_cable.sqlite3"],
        );
        assert_eq!((cache.0.as_str(), cable.0.as_str()), ("broken", "broken"), "{st:?}");
        assert!(
            cache
                .1
                .starts_with("storage/production_cable.sqlite3 uses the same replica location"),
            "{}",
            cache.1
        );
        assert!(
            cable
                .1
                .starts_with("storage/production_cache.sqlite3 uses the same replica location"),
            "{}",
            cable.1
        );
        assert_eq!(st["storage/production.sqlite3"].0, "ok");

        // 3d. An empty replica path (its variable is not set here).
        let empty = text.replacen(
            "path: storage/production.sqlite3\n        endpoint",
            "path: $LSG_TEST_REPLICA_PATH\n        endpoint",
            1,
        );
        let cfg = write(&lab.tmp.join("empty-path.yml"), &empty);
        let r = lab.verify(&["--config", cfg.to_str().unwrap(), "--db", "storage/production.sqlite3"]);
        assert_eq!(r.code, Some(1), "{}", r.all());
        assert!(r.stdout.contains("missing  storage/production.sqlite3"), "{}", r.stdout);
        assert!(r.stdout.contains("the replica path is empty"), "{}", r.stdout);
        assert!(r.stdout.contains("$LSG_TEST_REPLICA_PATH"), "{}", r.stdout);
    }

    // 4. One database's objects are deleted: exactly that one fails, by name.
    let gone = lab.dbs[1].name.clone();
    assert!(delete_prefix(&lab.moto, &format!("{}/", lab.dbs[1].prefix)) > 0);
    let r = lab.verify(&["--format", "json", "--max-age", "1h"]);
    assert_eq!(r.code, Some(1), "{what}: {}", r.all());
    let st = r.states();
    assert_eq!(st[&gone].0, "missing", "{what}: {:?}", st[&gone]);
    assert!(st[&gone].1.contains("no backup at"), "{}", st[&gone].1);
    assert!(st[&gone].1.contains(&lab.dbs[1].prefix), "{}", st[&gone].1);
    let others: Vec<_> = st.iter().filter(|(n, _)| **n != gone).collect();
    assert!(others.iter().all(|(_, (s, _))| s == "ok"), "{what}: {others:?}");
    let text = lab.verify(&["--max-age", "1h"]);
    let failing: Vec<&str> = text.stdout.lines().filter(|l| !l.starts_with("ok ")).collect();
    assert_eq!(failing.len(), 3, "header, one failing line, summary:\n{}", text.stdout);
    assert!(
        failing[1].starts_with("missing  ") && failing[1].contains(&gone),
        "{}",
        text.stdout
    );
    assert!(failing[2].contains("3 ok, 1 missing"), "{}", text.stdout);

    // 5. One object is damaged: a clear failure for that database.
    let key = newest_snapshot(&lab.moto, v, &format!("{}/", lab.dbs[3].prefix));
    corrupt(&lab.moto, &key);
    let r = lab.verify(&["--format", "json", "--max-age", "1h"]);
    assert_eq!(r.code, Some(1), "{what}: {}", r.all());
    let st = r.states();
    let (state, reason) = &st[&lab.dbs[3].name];
    assert_eq!(state, "broken", "{what}: {reason}");
    assert!(reason.contains("damaged backup object"), "{reason}");
    assert_eq!(st[&lab.dbs[0].name].0, "ok");
    assert_eq!(st[&lab.dbs[2].name].0, "ok");
    eprintln!("verify lifecycle {what}: {:?}", start.elapsed());
}

#[test]
fn v03_init_config_lifecycle() {
    lifecycle(Version::V03, Kind::Init);
}

#[test]
fn v05_init_config_lifecycle() {
    lifecycle(Version::V05, Kind::Init);
}

#[test]
fn v03_gem_config_lifecycle() {
    lifecycle(Version::V03, Kind::Gem);
}

#[test]
fn v05_gem_config_lifecycle() {
    lifecycle(Version::V05, Kind::Gem);
}

/// A single-database config for `v`, replica at `path` in the bucket of `endpoint`.
fn one_db(v: Version, db: &std::path::Path, path: &str, endpoint: &str) -> String {
    let db = db.display();
    let creds =
        "access-key-id: ${LITESTREAM_ACCESS_KEY_ID}\n        secret-access-key: ${LITESTREAM_SECRET_ACCESS_KEY}";
    match v {
        Version::V03 => format!(
            "dbs:\n  - path: {db}\n    replicas:\n      - type: s3\n        bucket: {BUCKET}\n        path: {path}\n        endpoint: {endpoint}\n        region: us-east-1\n        {creds}\n        sync-interval: 1s\n"
        ),
        Version::V05 => format!(
            "dbs:\n  - path: {db}\n    replica:\n      type: s3\n      bucket: {BUCKET}\n      path: {path}\n      endpoint: {endpoint}\n      region: us-east-1\n      {}\n      sync-interval: 1s\n",
            creds.replace("\n        ", "\n      ")
        ),
    }
}

fn verify_cmd(args: &[&str], env: &[(&str, &str)]) -> Verified {
    let mut c = std::process::Command::new(real::guard_bin());
    real::scrub_aws_env(&mut c);
    c.arg("verify").args(args).env("NO_COLOR", "1");
    for (k, v) in env {
        c.env(k, v);
    }
    let o = real::run(&mut c, Duration::from_secs(120));
    assert!(!o.timed_out, "{}", o.combined());
    Verified {
        code: o.code(),
        stdout: o.stdout,
        stderr: o.stderr,
        elapsed: o.elapsed,
    }
}

/// A replica path written by the other release line: 0.5 sees only 0.3's generations (it could
/// restore them, but 0.5 never wrote there), and 0.3 sees nothing where 0.5 wrote — which a 0.5
/// binary on PATH recognises.
#[test]
fn replica_paths_written_by_the_other_line() {
    let moto = real::Moto::start();
    moto.create_bucket(BUCKET);
    let tmp = real::TempDir::new("verify-lines");
    for v in real::VERSIONS {
        let db = tmp.join(format!("{}.sqlite3", v.short()));
        let mut c = real::open_wal(&db);
        real::create_items(&c);
        real::insert_batch(&mut c, v.short(), 0, 30);
        let cfg = write(
            &tmp.join(format!("own-{}.yml", v.short())),
            &one_db(v, &db, &format!("by-{}", v.short()), &moto.endpoint()),
        );
        let mut rep = real::Replicator::start(v, &cfg, tmp.path(), tmp.join(format!("rep-{}.log", v.short())));
        assert!(
            rep.wait_log(init_support::snapshot_marker(v), 1, Duration::from_secs(60)),
            "{}",
            rep.log_text()
        );
        thread::sleep(Duration::from_secs(2));
        assert!(rep.stop());
    }
    let path_dir = tmp.join("path");
    std::fs::create_dir_all(&path_dir).unwrap();
    std::os::unix::fs::symlink(Version::V05.bin(), path_dir.join("litestream")).unwrap();
    let path = format!("{}:/usr/bin:/bin", path_dir.display());
    // 0.3 config, 0.5 objects.
    let db3 = tmp.join("0.3.sqlite3");
    let cfg = write(
        &tmp.join("x03.yml"),
        &one_db(Version::V03, &db3, "by-0.5", &moto.endpoint()),
    );
    let bin3 = Version::V03.bin();
    let args = [
        "--config",
        cfg.to_str().unwrap(),
        "--litestream",
        bin3.to_str().unwrap(),
    ];
    let mut a = args.to_vec();
    a.insert(0, tmp.path().to_str().unwrap());
    let r = verify_cmd(&a, &[("PATH", &path)]);
    assert_eq!(r.code, Some(1), "{}", r.all());
    assert!(r.stdout.contains("missing  "), "{}", r.stdout);
    assert!(r.stdout.contains("holds a Litestream 0.5.17 backup"), "{}", r.stdout);
    // Without a 0.5 binary at hand it is simply not there for 0.3.
    let r = verify_cmd(&a, &[("PATH", "/usr/bin:/bin")]);
    assert!(
        r.stdout.contains("no backup at s3://fresh-backups/by-0.5"),
        "{}",
        r.stdout
    );
    // 0.5 config, 0.3 objects.
    let db5 = tmp.join("0.5.sqlite3");
    let cfg = write(
        &tmp.join("x05.yml"),
        &one_db(Version::V05, &db5, "by-0.3", &moto.endpoint()),
    );
    let r = verify_cmd(
        &[
            tmp.path().to_str().unwrap(),
            "--config",
            cfg.to_str().unwrap(),
            "--litestream",
            Version::V05.bin().to_str().unwrap(),
        ],
        &[("PATH", "/usr/bin:/bin")],
    );
    assert_eq!(r.code, Some(1), "{}", r.all());
    assert!(r.stdout.contains("holds only a Litestream 0.3 backup"), "{}", r.stdout);
}

/// Wrong credentials: exit 2, the reason says so, and no credential appears anywhere in the
/// output. Right credentials on an empty bucket: the backup is missing (exit 1). No
/// credentials: exit 2 naming the variables.
#[test]
fn credentials() {
    let auth = AuthMoto::start();
    let tmp = real::TempDir::new("verify-creds");
    for v in real::VERSIONS {
        let db = tmp.join(format!("{}.sqlite3", v.short()));
        let c = real::open_wal(&db);
        real::create_items(&c);
        let mut text = one_db(v, &db, &format!("{}-a", v.short()), &auth.endpoint());
        // Two databases on the same storage: the second is not tried again.
        let second = one_db(
            v,
            &tmp.join(format!("{}-b.sqlite3", v.short())),
            &format!("{}-b", v.short()),
            &auth.endpoint(),
        );
        text.push_str(second.trim_start_matches("dbs:\n"));
        let cfg = write(&tmp.join(format!("creds-{}.yml", v.short())), &text);
        let base = [
            tmp.path().to_str().unwrap().to_string(),
            "--config".into(),
            cfg.display().to_string(),
            "--litestream".into(),
            v.bin().display().to_string(),
        ];
        let args = |extra: &[&str]| -> Vec<String> {
            base.iter()
                .cloned()
                .chain(extra.iter().map(|s| s.to_string()))
                .collect()
        };
        let run = |extra: &[&str], env: &[(&str, &str)]| {
            let a = args(extra);
            let a: Vec<&str> = a.iter().map(String::as_str).collect();
            verify_cmd(&a, env)
        };
        let good = [
            ("LITESTREAM_ACCESS_KEY_ID", auth.key_id.as_str()),
            ("LITESTREAM_SECRET_ACCESS_KEY", auth.secret.as_str()),
        ];
        let r = run(&[], &good);
        assert_eq!(r.code, Some(1), "{} with the right key: {}", v.full(), r.all());
        assert!(r.stdout.contains("missing  "), "{}", r.stdout);

        let wrong_secret = "wrongSecretValue/ABCDEFGHIJKLMNOPQRST0123";
        let bad = [
            ("LITESTREAM_ACCESS_KEY_ID", auth.key_id.as_str()),
            ("LITESTREAM_SECRET_ACCESS_KEY", wrong_secret),
        ];
        for fmt in ["text", "json"] {
            let r = run(&["--format", fmt], &bad);
            assert_eq!(r.code, Some(2), "{} wrong secret: {}", v.full(), r.all());
            let all = r.all();
            assert!(all.contains("the storage refused the credentials"), "{all}");
            assert!(all.contains("$LITESTREAM_SECRET_ACCESS_KEY"), "{all}");
            assert!(all.contains("not tried again"), "{all}");
            for secret in [wrong_secret, auth.key_id.as_str(), auth.secret.as_str()] {
                assert!(!all.contains(secret), "{} printed a credential: {all}", v.full());
            }
        }
        let r = run(
            &[],
            &[
                ("LITESTREAM_ACCESS_KEY_ID", "AKIAWRONGWRONGWRONG0"),
                ("LITESTREAM_SECRET_ACCESS_KEY", auth.secret.as_str()),
            ],
        );
        assert_eq!(r.code, Some(2), "{}", r.all());
        assert!(
            !r.all().contains("AKIAWRONGWRONGWRONG0") && !r.all().contains(&auth.secret),
            "{}",
            r.all()
        );

        // The same with the config `init` writes and with a gem-style one (4 databases each).
        let g = init_support::generate(v, &auth.endpoint(), "verify-creds", "app/storage");
        let gem_app = tmp.join(format!("gem-{}", v.short()));
        std::fs::create_dir_all(gem_app.join("config")).unwrap();
        write(&gem_app.join("config/litestream.yml"), &gem_config());
        let gem_env = [
            ("LITESTREAM_REPLICA_BUCKET", BUCKET),
            ("LITESTREAM_REPLICA_ENDPOINT", &auth.endpoint()),
            ("LITESTREAM_REPLICA_REGION", "us-east-1"),
        ];
        let bin = v.bin();
        let bin = bin.to_str().unwrap();
        for (label, args) in [
            (
                "init",
                vec![
                    g.app.to_str().unwrap(),
                    "--config",
                    g.config.to_str().unwrap(),
                    "--litestream",
                    bin,
                ],
            ),
            ("gem", vec![gem_app.to_str().unwrap(), "--litestream", bin]),
        ] {
            let mut env: Vec<(&str, &str)> = bad.to_vec();
            env.extend(gem_env.iter().map(|(k, val)| (*k, *val)));
            let r = verify_cmd(&args, &env);
            assert_eq!(r.code, Some(2), "{} {label}: {}", v.full(), r.all());
            let all = r.all();
            assert_eq!(all.matches("the storage refused the credentials").count(), 4, "{all}");
            for secret in [wrong_secret, auth.key_id.as_str(), auth.secret.as_str()] {
                assert!(
                    !all.contains(secret),
                    "{} {label} printed a credential: {all}",
                    v.full()
                );
            }
        }

        // No credentials at all (the variables unset, the instance-metadata lookup disabled).
        let mut a = args(&[]);
        a.insert(0, "verify".into());
        let mut c = std::process::Command::new(real::guard_bin());
        real::scrub_aws_env(&mut c);
        c.args(&a)
            .env_remove("LITESTREAM_ACCESS_KEY_ID")
            .env_remove("LITESTREAM_SECRET_ACCESS_KEY")
            .env_remove("AWS_ACCESS_KEY_ID")
            .env_remove("AWS_SECRET_ACCESS_KEY");
        let o = real::run(&mut c, Duration::from_secs(120));
        assert_eq!(o.code(), Some(2), "{} no credentials: {}", v.full(), o.combined());
        assert!(o.stdout.contains("no credentials"), "{}", o.stdout);
        assert!(o.stdout.contains("$LITESTREAM_ACCESS_KEY_ID"), "{}", o.stdout);
    }
}

/// An endpoint that refuses connections, and one that accepts and never answers: both end in
/// exit 2 within the timeout, and the second database is not tried again.
#[test]
fn unreachable_endpoints() {
    let tmp = real::TempDir::new("verify-unreachable");
    let closed = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let silent = TcpListener::bind("127.0.0.1:0").unwrap();
    let silent_port = silent.local_addr().unwrap().port();
    let holder = thread::spawn(move || {
        let mut held = Vec::new();
        for s in silent.incoming().take(64) {
            match s {
                Ok(s) => held.push(s),
                Err(_) => break,
            }
        }
    });
    for v in real::VERSIONS {
        for (port, what) in [(closed, "refused"), (silent_port, "silent")] {
            let endpoint = format!("http://127.0.0.1:{port}");
            let mut text = one_db(v, &tmp.join("a.sqlite3"), "a", &endpoint);
            text.push_str(one_db(v, &tmp.join("b.sqlite3"), "b", &endpoint).trim_start_matches("dbs:\n"));
            let cfg = write(&tmp.join(format!("{what}-{}.yml", v.short())), &text);
            let r = verify_cmd(
                &[
                    tmp.path().to_str().unwrap(),
                    "--config",
                    cfg.to_str().unwrap(),
                    "--litestream",
                    v.bin().to_str().unwrap(),
                    "--timeout",
                    "4s",
                ],
                &[],
            );
            assert_eq!(r.code, Some(2), "{} {what}: {}", v.full(), r.all());
            assert!(
                r.stdout.contains("cannot reach the storage") || r.stdout.contains("showed no progress for 4s"),
                "{} {what}: {}",
                v.full(),
                r.stdout
            );
            assert!(r.stdout.contains("not tried again"), "{}", r.stdout);
            assert!(
                r.elapsed < Duration::from_secs(30),
                "{} {what} took {:?}",
                v.full(),
                r.elapsed
            );
        }
    }
    drop(holder);
}

/// Exit 2 when it cannot run: no config, no binary, a binary of the wrong line.
#[test]
fn cannot_run() {
    let tmp = real::TempDir::new("verify-cannot");
    let r = verify_cmd(&[tmp.path().to_str().unwrap()], &[]);
    assert_eq!(r.code, Some(2), "{}", r.all());
    assert!(r.stderr.contains("no Litestream config at"), "{}", r.stderr);
    let r = verify_cmd(&[tmp.path().to_str().unwrap(), "--format", "json"], &[]);
    assert_eq!(r.code, Some(2));
    assert_eq!(r.json()["exit"], 2, "{}", r.stdout);

    let app = init_support::example("fresh", "verify-mismatch");
    let o = init_support::init(app.path(), &["--provider", "hetzner", "--bucket", "fresh-backups"]);
    assert!(o.success(), "{}", o.combined());
    let r = verify_cmd(
        &[
            app.path().to_str().unwrap(),
            "--litestream",
            Version::V03.bin().to_str().unwrap(),
        ],
        &[],
    );
    assert_eq!(r.code, Some(2), "{}", r.all());
    assert!(
        r.stderr
            .contains("is Litestream 0.3.13, but the config is for Litestream 0.5"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("litestream/litestream:0.5.17"), "{}", r.stderr);
    let r = verify_cmd(&[app.path().to_str().unwrap()], &[("PATH", "/usr/bin:/bin")]);
    assert_eq!(r.code, Some(2), "{}", r.all());
    assert!(r.stderr.contains("no Litestream 0.5 binary"), "{}", r.stderr);
    let r = verify_cmd(
        &[
            app.path().to_str().unwrap(),
            "--litestream",
            Version::V05.bin().to_str().unwrap(),
            "--db",
            "nope",
        ],
        &[],
    );
    assert_eq!(r.code, Some(2), "{}", r.all());
    assert!(
        r.stderr
            .contains("no database `nope` in config/litestream.yml (it has: /rails/storage/production.sqlite3"),
        "{}",
        r.stderr
    );
}

/// Where the live databases are not on this machine (CI with the bucket's credentials), an old
/// backup means different things: 0.3 snapshots idle databases, so it is stale; 0.5 writes
/// nothing for an idle database, so it is idle while another database of the same Litestream
/// has a fresh backup, and stale when none has.
#[test]
fn idle_databases_seen_from_elsewhere() {
    let moto = real::Moto::start();
    moto.create_bucket(BUCKET);
    let tmp = real::TempDir::new("verify-idle");
    let mut reps = Vec::new();
    let mut busy = Vec::new();
    let mut views = Vec::new();
    for v in real::VERSIONS {
        let dir = tmp.join(v.short());
        std::fs::create_dir_all(&dir).unwrap();
        let mut text = String::new();
        for name in ["busy", "idle"] {
            let db = dir.join(format!("{name}.sqlite3"));
            let mut c = real::open_wal(&db);
            real::create_items(&c);
            real::insert_batch(&mut c, name, 0, 20);
            let mut one = one_db(v, &db, &format!("idle-test/{}/{name}", v.short()), &moto.endpoint());
            if v == Version::V03 {
                one.push_str("        snapshot-interval: 2s\n");
            }
            text.push_str(if text.is_empty() {
                &one
            } else {
                one.trim_start_matches("dbs:\n")
            });
            if name == "busy" {
                busy.push((v, c));
            }
        }
        if v == Version::V05 {
            text = format!("snapshot:\n  interval: 2s\n{text}");
        }
        let cfg = write(&dir.join("litestream.yml"), &text);
        // The same config as CI sees it: the databases' folder does not exist there.
        let elsewhere = text.replace(&dir.display().to_string(), "/nonexistent-lsg-storage");
        views.push((v, write(&dir.join("ci.yml"), &elsewhere)));
        let mut rep = real::Replicator::start(v, &cfg, &dir, dir.join("replicate.log"));
        assert!(
            rep.wait_log(init_support::snapshot_marker(v), 2, Duration::from_secs(60)),
            "{}",
            rep.log_text()
        );
        reps.push(rep);
    }
    let ci = |v: Version, cfg: &std::path::Path| {
        verify_cmd(
            &[
                tmp.path().to_str().unwrap(),
                "--config",
                cfg.to_str().unwrap(),
                "--litestream",
                v.bin().to_str().unwrap(),
                "--format",
                "json",
            ],
            &[],
        )
    };
    // The default limit here is 2s + 2 × 1s + 15s = 19s: write to `busy` for longer than that.
    let until = Instant::now() + Duration::from_secs(22);
    let mut batch = 1;
    while Instant::now() < until {
        for (_, c) in busy.iter_mut() {
            real::insert_batch(c, "busy", batch, 5);
        }
        batch += 1;
        thread::sleep(Duration::from_millis(500));
    }
    for (v, cfg) in &views {
        let r = ci(*v, cfg);
        assert_eq!(r.code, Some(0), "{} while replicating: {}", v.full(), r.all());
        let idle = r.db("/nonexistent-lsg-storage/idle.sqlite3");
        assert!(idle["live"].is_null(), "{idle}");
        match v {
            Version::V05 => {
                assert!(idle["backup"]["age_seconds"].as_f64().unwrap() > 19.0, "{idle}");
                assert!(
                    idle["reason"]
                        .as_str()
                        .unwrap()
                        .contains("idle: Litestream 0.5 writes nothing"),
                    "{idle}"
                );
                assert!(
                    idle["reason"]
                        .as_str()
                        .unwrap()
                        .contains("backup of /nonexistent-lsg-storage/busy.sqlite3"),
                    "{idle}"
                );
            }
            Version::V03 => assert!(
                idle["backup"]["age_seconds"].as_f64().unwrap() < 19.0,
                "0.3 snapshots it: {idle}"
            ),
        }
    }
    for mut rep in reps {
        assert!(rep.stop());
    }
    drop(busy);
    thread::sleep(Duration::from_secs(20));
    for (v, cfg) in &views {
        let r = ci(*v, cfg);
        assert_eq!(r.code, Some(1), "{} stopped: {}", v.full(), r.all());
        for (name, (state, reason)) in r.states() {
            assert_eq!(state, "stale", "{} {name}: {reason}", v.full());
            assert!(reason.contains("more than 19s"), "{reason}");
            if *v == Version::V05 {
                assert!(
                    reason.contains("Litestream is not running, or nothing wrote to any of them"),
                    "{reason}"
                );
            }
        }
    }
}

/// A config from an untrusted repository can name any SQLite file on the machine: `verify`
/// reads or writes only databases inside the app's folder.
#[test]
fn sentinel_never_writes_outside_the_app() {
    let outside = real::TempDir::new("verify-outside");
    let victim = outside.join("someone-elses.sqlite3");
    let c = real::open_wal(&victim);
    real::create_items(&c);
    drop(c);
    let before = std::fs::read(&victim).unwrap();
    let app = real::TempDir::new("verify-hostile-app");
    let closed = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let cfg = write(
        &app.join("litestream.yml"),
        &one_db(Version::V05, &victim, "x", &format!("http://127.0.0.1:{closed}")),
    );
    let r = verify_cmd(
        &[
            app.path().to_str().unwrap(),
            "--config",
            cfg.to_str().unwrap(),
            "--litestream",
            Version::V05.bin().to_str().unwrap(),
            "--sentinel",
            "--timeout",
            "3s",
        ],
        &[],
    );
    assert_eq!(r.code, Some(2), "{}", r.all());
    assert!(
        std::fs::read(&victim).unwrap() == before,
        "the file outside the app changed"
    );
    let names: Vec<String> = {
        let c = real::Connection::open_with_flags(&victim, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap();
        let mut st = c.prepare("SELECT name FROM sqlite_schema").unwrap();
        let rows = st.query_map([], |r| r.get(0)).unwrap();
        rows.collect::<Result<_, _>>().unwrap()
    };
    assert_eq!(names, vec!["items".to_string()]);
}
