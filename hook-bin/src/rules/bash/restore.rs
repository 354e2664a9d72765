//! Restores: over a live database, with `-force`, and beside stale `-wal`/`-shm` files.

use crate::diag::Severity;
use crate::rules::{Area, Rule};

pub static RESTORE_OVER_LIVE: Rule = Rule {
    id: "G001",
    name: "restore-over-live-database",
    severity: Severity::Error,
    area: Area::Bash,
    summary: "`litestream restore` whose output is a live database while the app is not known to be stopped.",
    what: "Finds `litestream restore` (directly, through `kamal accessory exec litestream`, `docker run litestream/litestream`, `ssh`, `bash -c`, `sudo`, …) whose output — the `-o` path, or the database path itself when there is no `-o` — is a live database: a `dbs[].path` of config/litestream.yml, a production database of config/database.yml, the same file through the Docker volume's host path, or a local file that a running process holds open. It denies unless everything that holds the database is known to be stopped in the destination the command acts on (`-d`): every app role (a job role holds the queue database and the primary), and the Litestream accessory unless Litestream runs inside the app container. Stopped means: earlier on the same command line (`kamal app stop && kamal accessory stop litestream && …`), or earlier in the session with nothing contradicting it (a failure in the stop's output, a later start, `kamal … details` showing it running), or, for a local file, held open by no process.",
    why: "Restoring under a running app or a running `litestream replicate` replaces a file that other processes still have open: the app keeps writing to the old inode or to a `-wal` that no longer matches, and Litestream keeps replicating a history that no longer exists. The result is lost writes, a corrupt database, or a backup history that restores the wrong data. Litestream's own docs say to stop it before restoring.",
    bad: "kamal accessory exec litestream \"restore /rails/storage/production.sqlite3\"\n",
    good: "kamal app stop\nkamal accessory stop litestream\nkamal app details\nkamal accessory details litestream\nkamal accessory exec litestream \"restore -o /rails/storage/production.sqlite3.restored /rails/storage/production.sqlite3\"\n",
    fix: "Stop every role of the app and the Litestream accessory in the destination you restore, and check that they stopped (`kamal app details`, `kamal accessory details litestream`: Kamal's stops exit 0 even when they fail). Then restore with `-o` to a new path and swap it in as the app's restore plan says: `litestream-guard plan-restore` prints it.",
    check: None,
};

pub static RESTORE_FORCE: Rule = Rule {
    id: "G002",
    name: "restore-force",
    severity: Severity::Warning,
    area: Area::Bash,
    summary: "`litestream restore -force`: deletes the existing database and its `-wal`, `-shm` and `-journal` first.",
    what: "Finds `litestream restore` with `-force` (Litestream 0.5.12+). Denies it while the app is not known to be stopped, and asks for confirmation when it is stopped.",
    why: "`-force` makes Litestream delete the output database and all three sidecar files before it restores. Against a live path that is the whole database gone, including transactions still in the `-wal`; even against a stopped app it destroys the only copy of whatever the backup does not hold.",
    bad: "kamal accessory exec litestream \"restore -force /rails/storage/production.sqlite3\"\n",
    good: "kamal accessory exec litestream \"restore -o /rails/storage/production.sqlite3.restored /rails/storage/production.sqlite3\"\n",
    fix: "Restore to a new path with `-o` instead, check it, then swap it in with the app stopped. Use `-force` only when you mean to throw the current file away, and confirm it.",
    check: None,
};

pub static STALE_SIDECARS: Rule = Rule {
    id: "G003",
    name: "stale-wal-beside-target",
    severity: Severity::Error,
    area: Area::Bash,
    summary: "A restore, or a move of a restored file, onto a path whose `-wal`, `-shm` or `-journal` is still there.",
    what: "Checks the output of `litestream restore`, and the destination of `mv`/`cp` onto a database path, for a `-wal`, `-shm` or `-journal` file beside it. Local files are looked at; it denies when one exists. For a path on a server or in a container, which the guard cannot see, it asks — unless the same command line or an earlier command of the session moved those files aside.",
    why: "SQLite replays any valid `-wal` it finds next to a database file, even one left by another database. Measured with Litestream 0.5.17: `restore -o out.sqlite3` with an old `out.sqlite3-wal` beside it exits 0, and opening the restored file shows the other database's rows (`PRAGMA integrity_check` says ok). The restore silently becomes the old data.",
    bad: "mv /rails/storage/production.sqlite3 /rails/storage/production.sqlite3.old\nmv /rails/storage/production.sqlite3.restored /rails/storage/production.sqlite3   # -wal and -shm still there\n",
    good: "kamal app exec \"sh -c 'mkdir -p /rails/storage/pre-restore && mv /rails/storage/production.sqlite3 /rails/storage/production.sqlite3-wal /rails/storage/production.sqlite3-shm /rails/storage/pre-restore/ && mv /rails/storage/production.sqlite3.restored /rails/storage/production.sqlite3'\"\n",
    fix: "Move the old database together with its `-wal`, `-shm` (and `-journal`) aside, then restore or move the new file into place.",
    check: None,
};
