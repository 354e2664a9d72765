//! Proof 4 of `init`: why the generated accessory mounts the storage volume read-write.
//!
//! The init-generated config replicates the live databases through a **read-only** view of
//! their folder, as an accessory with `"app_storage:/rails/storage:ro"` would: Litestream keeps
//! running, logs sync errors, and uploads nothing. The same config through the read-write
//! folder backs up at once (the control). This is the failure the checker's read-only-mount rule
//! (K005) prevents.
//!
//! How the read-only view is made, in order of preference:
//! - root with mount namespaces: `unshare -m` + `mount --bind` + `remount,bind,ro`, private to the
//!   Litestream process (nothing leaks if the test dies);
//! - root without them: the folder itself, with Litestream run as `nobody` (files are root's, 0644);
//! - not root: the folder made read-only (0555, files 0444) after the app has written.

mod init_support;
mod support;

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use init_support::*;
use support::real::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    BindMount,
    Nobody,
    ChmodReadOnly,
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

fn mode() -> Mode {
    // For trying the fallbacks by hand: LSG_RO_MODE=nobody (root only) or chmod (non-root only).
    match std::env::var("LSG_RO_MODE").as_deref() {
        Ok("nobody") => return Mode::Nobody,
        Ok("chmod") => return Mode::ChmodReadOnly,
        _ => {}
    }
    if !is_root() {
        return Mode::ChmodReadOnly;
    }
    let probe = TempDir::new("ro-probe");
    let (a, b) = (probe.join("a"), probe.join("b"));
    fs::create_dir_all(&a).unwrap();
    fs::create_dir_all(&b).unwrap();
    let script = format!(
        "mount --bind {a} {b} && mount -o remount,bind,ro {b} && ! touch {b}/x 2>/dev/null",
        a = a.display(),
        b = b.display()
    );
    let o = run(
        Command::new("unshare").arg("-m").arg("sh").arg("-c").arg(&script),
        Duration::from_secs(10),
    );
    if o.success() {
        Mode::BindMount
    } else {
        Mode::Nobody
    }
}

/// `litestream replicate -config CONFIG` whose view of `ro_view` is read-only, per `mode`.
fn start_read_only(v: Version, mode: Mode, storage: &Path, ro_view: &Path, config: &Path, log: PathBuf) -> Daemon {
    let bin = v.bin();
    let mut cmd = match mode {
        Mode::BindMount => {
            let mut c = Command::new("unshare");
            c.arg("-m").arg("sh").arg("-c").arg(format!(
                "mount --bind '{s}' '{r}' && mount -o remount,bind,ro '{r}' && exec '{bin}' replicate -config '{cfg}'",
                s = storage.display(),
                r = ro_view.display(),
                bin = bin.display(),
                cfg = config.display()
            ));
            c
        }
        Mode::Nobody => {
            let mut c = Command::new("setpriv");
            c.args(["--reuid", "65534", "--regid", "65534", "--clear-groups"])
                .arg(&bin)
                .arg("replicate")
                .arg("-config")
                .arg(config);
            c
        }
        Mode::ChmodReadOnly => {
            let mut c = Command::new(&bin);
            c.arg("replicate").arg("-config").arg(config);
            c
        }
    };
    scrub_aws_env(&mut cmd);
    cmd.current_dir(config.parent().unwrap());
    Daemon::spawn(&format!("litestream-{} (read-only)", v.full()), cmd, log)
}

fn read_only_mount_backs_up_nothing(v: Version) {
    let mode = mode();
    let moto = Moto::start();
    moto.create_bucket(BUCKET);
    // The config points at the read-only view; for the "nobody"/chmod modes that is the folder itself.
    let view = if mode == Mode::BindMount { "ro-view" } else { "storage" };
    let g = generate(v, &moto.endpoint(), "init-ro", view);
    let storage = g.tmp.join("storage");
    fs::create_dir_all(&storage).unwrap();
    fs::create_dir_all(&g.storage).unwrap();
    // The app: four WAL databases with rows, still open and written to.
    let mut conns: Vec<Connection> = g
        .dbs
        .iter()
        .map(|d| {
            let p = storage.join(d.0.file_name().unwrap());
            let mut c = open_wal(&p);
            create_items(&c);
            insert_batch(&mut c, "app", 0, 50);
            c
        })
        .collect();
    if mode == Mode::ChmodReadOnly {
        // Not root: the app cannot keep writing into a folder made read-only for everyone.
        conns.clear();
        for d in &g.dbs {
            fs::set_permissions(&d.0, fs::Permissions::from_mode(0o444)).unwrap();
        }
        fs::set_permissions(&storage, fs::Permissions::from_mode(0o555)).unwrap();
    }

    let log = g.tmp.join("replicate-ro.log");
    let mut d = start_read_only(v, mode, &storage, &g.storage, &g.config, log);
    // At least 6 s of writes (many sync intervals), and on a loaded machine until Litestream has
    // logged its first sync error, for at most 40 s.
    let mut batch = 0;
    while batch < 12 || (batch < 80 && !d.log_text().contains("sync error")) {
        batch += 1;
        for c in conns.iter_mut() {
            insert_batch(c, "app", batch, 20);
        }
        std::thread::sleep(Duration::from_millis(500));
    }
    let still_running = d.exited().is_none();
    let text = d.log_text();
    d.stop(Duration::from_secs(20));
    let keys = moto.list_keys(BUCKET, "");
    eprintln!(
        "Litestream {} replicating through a read-only view ({mode:?}), {} s: running={still_running}, objects uploaded={}, first error: {}",
        v.full(),
        batch / 2,
        keys.len(),
        text.lines().find(|l| l.contains("error")).unwrap_or("(none)")
    );
    assert!(
        still_running,
        "Litestream {} exited; the failure mode is that it keeps running:\n{text}",
        v.full()
    );
    assert!(
        keys.is_empty(),
        "Litestream {} uploaded through a read-only view: {keys:?}\n{text}",
        v.full()
    );
    assert!(
        text.contains("sync error"),
        "Litestream {} logged no sync error:\n{text}",
        v.full()
    );
    // The reason, in SQLite's words. Measured here with the app's connections open: both
    // versions fail at `create _litestream_seq table: attempt to write a readonly database`
    // (docs/measured.md saw 0.3.13 fail earlier, at `unable to open database file`, with the
    // writer's process gone).
    assert!(
        [
            "readonly database",
            "unable to open database file",
            "read-only file system"
        ]
        .iter()
        .any(|m| text.contains(m)),
        "Litestream {}: no read-only error in:\n{text}",
        v.full()
    );
    if mode == Mode::ChmodReadOnly {
        fs::set_permissions(&storage, fs::Permissions::from_mode(0o755)).unwrap();
        return;
    }

    // Control: the same generated config through the read-write folder backs up at once.
    let rw_config = g.tmp.join("litestream-rw.yml");
    let text = fs::read_to_string(&g.config).unwrap();
    fs::write(
        &rw_config,
        text.replace(&format!("{}/", g.storage.display()), &format!("{}/", storage.display())),
    )
    .unwrap();
    let mut rep = Replicator::start(v, &rw_config, g.tmp.path(), g.tmp.join("replicate-rw.log"));
    assert!(
        rep.wait_log(snapshot_marker(v), g.dbs.len(), Duration::from_secs(60)),
        "control run did not snapshot ({}):\n{}",
        v.full(),
        rep.log_text()
    );
    drop(conns);
    assert!(rep.stop());
    for d in &g.dbs {
        assert!(
            !moto.list_keys(BUCKET, &format!("{}/", d.1)).is_empty(),
            "control: nothing under {}/",
            d.1
        );
    }
}

#[test]
fn v03_read_only_storage_mount_backs_up_nothing() {
    read_only_mount_backs_up_nothing(Version::V03);
}

#[test]
fn v05_read_only_storage_mount_backs_up_nothing() {
    read_only_mount_backs_up_nothing(Version::V05);
}
