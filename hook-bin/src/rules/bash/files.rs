//! Deleting, moving, copying onto, truncating or redirecting over live database files.

use crate::diag::Severity;
use crate::rules::{Area, Rule};

pub static LIVE_FILE_CLOBBERED: Rule = Rule {
    id: "G004",
    name: "clobber-live-database-file",
    severity: Severity::Error,
    area: Area::Bash,
    summary: "Deleting, moving, overwriting, truncating or redirecting over a live database, its `-wal`/`-shm`/`-journal`, or its `.<db>-litestream` directory.",
    what: "Finds what writes or removes files, aimed at a live database file, its sidecars, its Litestream tracking directory, or a directory holding them: `rm`, `unlink`, `shred`, `find -delete`, `mv` (from or onto), `cp`/`install`/`ln -f` onto, `dd of=`, `truncate`, `tee`, `sed -i`, shell redirections (`>`, `>>`, `&>`), `sqlite3 DB \".restore …\"`, `.backup`/`VACUUM INTO` onto the same path, `litestream reset`; copies onto another machine or container (`scp`/`rsync … HOST:PATH`, `docker cp … CONTAINER:PATH`); archives unpacked over them (`tar -x`, `unzip`, `gunzip` beside its archive); `git clean -x` and `git stash --all` (they remove a development database a dev server holds). Paths are followed through the Docker volume's host path (`/var/lib/docker/volumes/<app>_storage/_data/…`), bind mounts, globs, and text built at run time (asked, not denied). Denies while what holds the database is not known to be stopped.",
    why: "The `-wal` holds committed transactions that are not yet in the main file: deleting it loses them, and deleting the main file while the app runs leaves the app writing to an unlinked inode. The `.<db>-litestream` directory is Litestream's position in the backup stream; removing it under a running Litestream breaks replication. Any of these while the app runs is data loss.",
    bad: "kamal app exec \"rm /rails/storage/production.sqlite3-wal\"\n",
    good: "kamal app stop && kamal accessory stop litestream && \\\n  kamal app exec \"mv /rails/storage/production.sqlite3 /rails/storage/production.sqlite3-wal /rails/storage/production.sqlite3-shm /rails/storage/pre-restore/\"\n",
    fix: "Stop every role of the app and the Litestream accessory first (in the destination you work on; check with `kamal app details`), and move the database, its `-wal` and its `-shm` together; never delete the `-wal` alone. `litestream-guard plan-restore` prints the whole restore for this app.",
    check: None,
};
