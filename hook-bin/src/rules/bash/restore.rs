//! Restores: over a live database, with `-force`, and beside stale `-wal`/`-shm` files.

use crate::diag::Severity;
use crate::rules::{Area, Rule};

pub static RESTORE_OVER_LIVE: Rule = Rule {
    id: "G001",
    name: "restore-over-live-database",
    severity: Severity::Error,
    area: Area::Bash,
    summary: "`litestream restore` whose output is a live database while the app is not known to be stopped.",
    what: "Finds `litestream restore` (directly, through `kamal accessory exec litestream`, `docker run litestream/litestream`, `ssh`, `bash -c`, `sudo`, …) whose output — the `-o` path, or the database path itself when there is no `-o` — is a live database: a `dbs[].path` of config/litestream.yml, a production database of config/database.yml, the same file through the Docker volume's host path, or a local file that a running process holds open. It denies unless the app and the Litestream accessory are known to be stopped: stopped earlier on the same command line (`kamal app stop && kamal accessory stop litestream && …`), or earlier in the session, or, for a local file, held open by no process.",
    why: "Restoring under a running app or a running `litestream replicate` replaces a file that other processes still have open: the app keeps writing to the old inode or to a `-wal` that no longer matches, and Litestream keeps replicating a history that no longer exists. The result is lost writes, a corrupt database, or a backup history that restores the wrong data. Litestream's own docs say to stop it before restoring.",
    bad: "kamal accessory exec litestream \"restore /rails/storage/production.sqlite3\"\n",
    good: "kamal app stop && kamal accessory stop litestream\nkamal accessory exec litestream \"restore -o /rails/storage/production.sqlite3.restored /rails/storage/production.sqlite3\"\n# check it, move the old file with its -wal and -shm aside, move the restored file into place,\n# remove /rails/storage/.production.sqlite3-litestream, then:\nkamal accessory start litestream && kamal app boot\n",
    fix: "Stop the app and the Litestream accessory; restore with `-o` to a new path (`-timestamp` for a point in time); check the restored file with `PRAGMA integrity_check`; move the old database together with its `-wal` and `-shm` aside; move the restored file into place; remove the stale `.<db>-litestream` directory; start the accessory; boot the app.",
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
    good: "mkdir -p /rails/storage/pre-restore && \\\n  mv /rails/storage/production.sqlite3 /rails/storage/production.sqlite3-wal /rails/storage/production.sqlite3-shm /rails/storage/pre-restore/ && \\\n  mv /rails/storage/production.sqlite3.restored /rails/storage/production.sqlite3\n",
    fix: "Move the old database together with its `-wal`, `-shm` (and `-journal`) aside, then restore or move the new file into place.",
    check: None,
};
