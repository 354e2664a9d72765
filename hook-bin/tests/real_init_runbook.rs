//! The guard on a restore typed by hand where the files are (a host or laptop that runs
//! `litestream` itself, no Kamal in between), on Litestream 0.3.13 and 0.5.17 with moto S3 on
//! 127.0.0.1. `tests/real_plan_restore.rs` runs the generated plan; this one runs the commands
//! people type instead (`restore` onto the live path, a swap with `mv … && cp …`, `-force`,
//! flags after the path, deleting the tracking folder) and checks the guard judges each by
//! what is open and running, not by what the session claims.
//!
//! The app is examples/fresh set up by `init --provider custom` (endpoint pointed at moto
//! afterwards); its config/litestream.yml has only the `/rails/storage` prefix rewritten to a
//! local folder, so the guard (`--cwd <app>`) and the commands see the same live databases. The
//! app is this test process holding the four databases open; "the accessory" is `litestream
//! replicate`. Kamal's stop/start are judged by the guard and carried out locally; every other
//! command is run exactly as the guard judged it (`bash -c`, `litestream` on PATH).

mod init_support;
mod support;

use std::fs;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

use init_support::session::{Session, ALLOW, ASK, DENY};
use init_support::*;
use support::real::*;

/// Asks the guard (must allow), runs `cmd` with bash in the app folder, records it.
fn run_step(s: &mut Session, path_env: &str, cmd: &str, why: &str) -> Outcome {
    s.expect(ALLOW, cmd, why);
    let mut c = Command::new("bash");
    c.arg("-c").arg(cmd).current_dir(&s.app).env("PATH", path_env);
    scrub_aws_env(&mut c);
    let o = run(&mut c, Duration::from_secs(120));
    assert!(o.success(), "{}: {why}: `{cmd}` failed:\n{}", s.label, o.combined());
    s.record(cmd, &o.stdout);
    o
}

/// A kamal command the guard must allow; the caller carries it out locally.
fn kamal(s: &mut Session, cmd: &str, why: &str) {
    s.expect(ALLOW, cmd, why);
    s.record(cmd, "");
}

fn sh(p: &Path) -> String {
    p.display().to_string()
}

/// The runbook's swap (step 4), naming exactly the files that exist now.
fn swap_command(storage: &Path, restored: &Path) -> String {
    let s = sh(storage);
    let mut aside = vec![format!("{s}/production.sqlite3")];
    for extra in [
        "production.sqlite3-wal",
        "production.sqlite3-shm",
        ".production.sqlite3-litestream",
    ] {
        if storage.join(extra).exists() {
            aside.push(format!("{s}/{extra}"));
        }
    }
    format!(
        "mkdir -p {s}/pre-restore && mv {} {s}/pre-restore/ && cp {} {s}/production.sqlite3",
        aside.join(" "),
        sh(restored)
    )
}

fn runbook(v: Version) {
    let moto = Moto::start();
    moto.create_bucket(BUCKET);
    let g = generate(v, &moto.endpoint(), "init-runbook", "storage");
    fs::create_dir_all(&g.storage).unwrap();
    fs::copy(&g.config, g.app.join("config/litestream.yml")).unwrap();
    let config = g.app.join("config/litestream.yml");
    let bin_dir = g.tmp.join("bin");
    fs::create_dir_all(&bin_dir).unwrap();
    std::os::unix::fs::symlink(v.bin(), bin_dir.join("litestream")).unwrap();
    let path_env = format!("{}:{}", bin_dir.display(), std::env::var("PATH").unwrap_or_default());
    let mut s = Session::new(
        &g.app,
        g.tmp.join("transcript.jsonl"),
        &format!("Litestream {}", v.full()),
    );
    let storage = g.storage.clone();
    let db = g.dbs[0].0.clone();
    assert!(db.ends_with("production.sqlite3"));
    let restored = storage.join("production.sqlite3.restored");
    let restore_cmd = format!(
        "litestream restore -config config/litestream.yml -o {} {}",
        sh(&restored),
        sh(&db)
    );

    // The app runs: it holds all four databases open and writes; Litestream replicates.
    let (mut conns, mut rep) = running_app(&g, v, &config, &moto, g.tmp.join("replicate-1.log"));

    // While everything runs: restoring onto the live file, swapping it, or deleting Litestream's
    // tracking folder must be refused; restoring to a new path is harmless.
    s.expect(
        DENY,
        &format!("litestream restore -config config/litestream.yml {}", sh(&db)),
        "restore onto the live database",
    );
    s.expect(
        DENY,
        &swap_command(&storage, &restored),
        "swap while the app holds the file",
    );
    // A session that says both were stopped does not change that: the open file means running.
    let mut claims = Session::new(&g.app, g.tmp.join("claims-stopped.jsonl"), "claims");
    claims.record("kamal app stop", "");
    claims.record("kamal accessory stop litestream", "");
    s.expect_with(
        &claims.transcript,
        DENY,
        &swap_command(&storage, &restored),
        "swap while the app holds the file, though the session says it stopped it",
    );
    s.expect(
        DENY,
        &format!("rm -rf {}/.production.sqlite3-litestream", sh(&storage)),
        "delete the tracking folder of a live database",
    );
    s.expect(ALLOW, &restore_cmd, "restore to a new path");

    // Step 1: stop the app, then Litestream.
    kamal(&mut s, "kamal app stop", "step 1");
    conns.clear();
    s.expect(
        DENY,
        &swap_command(&storage, &restored),
        "swap while litestream replicate still has the database",
    );
    kamal(&mut s, "kamal accessory stop litestream", "step 1");
    assert!(rep.stop(), "Litestream {} ignored SIGTERM", v.full());

    // Step 2: restore to a new file. Flags after the path and -force are refused.
    s.expect(
        DENY,
        &format!(
            "litestream restore -config config/litestream.yml {} -o {}",
            sh(&db),
            sh(&restored)
        ),
        "flags after the database path",
    );
    s.expect(
        ASK,
        &format!(
            "litestream restore -force -config config/litestream.yml -o {} {}",
            sh(&db),
            sh(&db)
        ),
        "-force deletes the database and its sidecars",
    );
    run_step(&mut s, &path_env, &restore_cmd, "step 2: restore to a new path");
    assert!(restored.exists());

    // Step 3: look before swapping.
    s.expect(
        ALLOW,
        &format!("sqlite3 {} 'PRAGMA integrity_check'", sh(&restored)),
        "step 3",
    );
    assert_eq!(integrity(&restored), "ok");
    assert!(
        items(&restored) == items(&db),
        "the restored file differs from the stopped database"
    );
    run_step(
        &mut s,
        &path_env,
        &format!("ls -la {}", sh(&storage)),
        "step 3: list the folder",
    );

    // Step 4: the swap, in one command; the tracking folder goes aside with the old file.
    let swap = swap_command(&storage, &restored);
    run_step(&mut s, &path_env, &swap, "step 4: swap");
    assert!(storage.join("pre-restore/production.sqlite3").exists());
    for gone in [
        "production.sqlite3-wal",
        "production.sqlite3-shm",
        ".production.sqlite3-litestream",
    ] {
        assert!(!storage.join(gone).exists(), "{gone} still beside the database");
    }
    assert!(items(&db) == items(&restored));

    // Step 6: start Litestream, then the app; the next backup continues.
    kamal(&mut s, "kamal accessory start litestream", "step 6");
    let mut rep = Replicator::start(v, &config, &g.app, g.tmp.join("replicate-2.log"));
    kamal(&mut s, "kamal app start --version 0123abc", "step 6");
    let mut app = open_wal(&db);
    s.expect(
        DENY,
        &format!("litestream restore -config config/litestream.yml {}", sh(&db)),
        "restore onto the live database after the restart",
    );
    // 0.3 starts a new generation with a snapshot. 0.5 (no local state after the swap) logs
    // `detected database behind replica` and continues the replica's history from there.
    let (marker, n) = match v {
        Version::V03 => (snapshot_marker(v), 1),
        Version::V05 => ("initialized db", g.dbs.len()),
    };
    assert!(
        rep.wait_log(marker, n, Duration::from_secs(60)),
        "Litestream {} did not start on the swapped-in database:\n{}",
        v.full(),
        rep.log_text()
    );
    std::thread::sleep(Duration::from_millis(1500));
    write_uploaded(&g, v, &moto, &mut app, 2);
    drop(app);
    assert!(rep.stop(), "Litestream {} ignored SIGTERM", v.full());
    let log = rep.log_text();
    assert!(
        !log.contains("level=ERROR"),
        "Litestream {} after the swap:\n{log}",
        v.full()
    );

    let after = storage.join("after-restore-check.sqlite3");
    run_step(
        &mut s,
        &path_env,
        &format!(
            "litestream restore -config config/litestream.yml -o {} {}",
            sh(&after),
            sh(&db)
        ),
        "a later restore",
    );
    assert!(
        items(&after) == items(&db),
        "the backup after the restore is not the database"
    );
    assert_eq!(
        batches(&after).into_iter().collect::<Vec<_>>(),
        vec![(0, 100), (1, 50), (2, 50)],
        "Litestream {}",
        v.full()
    );
}

#[test]
fn v03_safe_restore_runbook_with_the_guard() {
    runbook(Version::V03);
}

#[test]
fn v05_safe_restore_runbook_with_the_guard() {
    runbook(Version::V05);
}
