//! Every key Litestream reads from its config file, per level and per release line.
//!
//! This table is the single source for the unknown-key, version, type and duration rules and for
//! the JSON Schema. Facts: `cmd/litestream/main.go` at v0.3.13 and v0.5.16/17 (see
//! docs/rules.md, and docs/measured.md for what we ran).

/// The mapping a key lives in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Level {
    Top,
    Db,
    Replica,
    Logging,
    Snapshot,
    Validation,
    CompactionLevel,
    Socket,
    Retention,
    Age,
}

/// What a key's value must be, as yaml.v2 decodes it into Litestream's Go structs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ty {
    /// A Go `time.Duration`: a string such as `10s`; a bare integer is read as nanoseconds.
    Duration {
        positive: bool,
    },
    Bool,
    Int,
    /// Any scalar (yaml.v2 stores the text of numbers and booleans into string fields).
    Str,
    StrList,
    Map(Level),
    MapList(Level),
}

/// Whether a key does anything on the 0.5 line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum On05 {
    /// Read since this 0.5 patch release.
    Since(u32),
    /// Read on 0.5.0 up to (not including) this patch, then ignored.
    Until(u32),
    /// Parsed or ignored, but has no effect; the text says what to use instead.
    NoEffect(&'static str),
    /// Makes 0.5 refuse to start (handled by its own rule).
    Rejected,
    /// Not a 0.5 key at all.
    Absent,
}

#[derive(Debug, Clone, Copy)]
pub struct Key {
    pub level: Level,
    pub name: &'static str,
    pub ty: Ty,
    /// Read by 0.3.13.
    pub v03: bool,
    pub v05: On05,
    pub doc: &'static str,
}

const fn k(level: Level, name: &'static str, ty: Ty, v03: bool, v05: On05, doc: &'static str) -> Key {
    Key {
        level,
        name,
        ty,
        v03,
        v05,
        doc,
    }
}

use Level::*;
use On05::*;

const DUR: Ty = Ty::Duration { positive: false };
const POS: Ty = Ty::Duration { positive: true };

pub static KEYS: &[Key] = &[
    // top level
    k(Top, "dbs", Ty::MapList(Db), true, Since(0), "Databases to replicate."),
    k(
        Top,
        "addr",
        Ty::Str,
        true,
        Since(0),
        "Bind address (host:port) of the Prometheus metrics server.",
    ),
    k(
        Top,
        "exec",
        Ty::Str,
        true,
        Since(0),
        "A subprocess to run; Litestream exits when it exits.",
    ),
    k(
        Top,
        "access-key-id",
        Ty::Str,
        true,
        Since(0),
        "Global S3 access key id. Use ${LITESTREAM_ACCESS_KEY_ID}.",
    ),
    k(
        Top,
        "secret-access-key",
        Ty::Str,
        true,
        Since(0),
        "Global S3 secret key. Use ${LITESTREAM_SECRET_ACCESS_KEY}.",
    ),
    k(
        Top,
        "logging",
        Ty::Map(Logging),
        true,
        Since(0),
        "Log level, format and stream.",
    ),
    k(
        Top,
        "mcp-addr",
        Ty::Str,
        false,
        Since(0),
        "Bind address of the MCP server.",
    ),
    k(
        Top,
        "levels",
        Ty::MapList(CompactionLevel),
        false,
        Since(0),
        "Compaction levels; a list replaces the defaults.",
    ),
    k(
        Top,
        "snapshot",
        Ty::Map(Snapshot),
        false,
        Since(0),
        "Snapshot interval and retention for every database (0.5: retention is global).",
    ),
    k(
        Top,
        "l0-retention",
        POS,
        false,
        Since(3),
        "How long L0 files are kept after compaction.",
    ),
    k(
        Top,
        "l0-retention-check-interval",
        POS,
        false,
        Since(3),
        "How often L0 retention is enforced.",
    ),
    k(
        Top,
        "heartbeat-url",
        Ty::Str,
        false,
        Since(6),
        "URL pinged after successful syncs.",
    ),
    k(
        Top,
        "heartbeat-interval",
        POS,
        false,
        Since(6),
        "Interval between heartbeat pings (at least 1m).",
    ),
    k(
        Top,
        "shutdown-sync-timeout",
        DUR,
        false,
        Since(6),
        "How long shutdown waits for a final sync.",
    ),
    k(
        Top,
        "shutdown-sync-interval",
        POS,
        false,
        Since(6),
        "Interval between sync attempts during shutdown.",
    ),
    k(
        Top,
        "socket",
        Ty::Map(Socket),
        false,
        Since(7),
        "Control socket for start/stop/register.",
    ),
    k(
        Top,
        "validation",
        Ty::Map(Validation),
        false,
        Since(7),
        "Periodic restore-and-compare validation.",
    ),
    k(
        Top,
        "verify-compaction",
        Ty::Bool,
        false,
        Since(7),
        "Verify compacted files.",
    ),
    k(
        Top,
        "retention",
        Ty::Map(Retention),
        false,
        Since(8),
        "Turns retention enforcement on or off.",
    ),
    // logging
    k(Logging, "level", Ty::Str, true, Since(0), "debug, info, warn or error."),
    k(
        Logging,
        "type",
        Ty::Str,
        true,
        Since(0),
        "text or json (0.5.11+: pretty).",
    ),
    k(
        Logging,
        "stderr",
        Ty::Bool,
        true,
        Since(0),
        "Log to stderr instead of stdout.",
    ),
    k(
        Logging,
        "source",
        Ty::Bool,
        false,
        Since(11),
        "Add source locations to log lines.",
    ),
    // snapshot / validation / levels / socket / retention
    k(
        Snapshot,
        "interval",
        POS,
        false,
        Since(0),
        "How often a full snapshot is taken (default 24h).",
    ),
    k(
        Snapshot,
        "retention",
        POS,
        false,
        Since(0),
        "How long snapshots are kept (default 24h): the restore window.",
    ),
    k(
        Validation,
        "interval",
        POS,
        false,
        Since(7),
        "How often a replica is restored and compared.",
    ),
    k(
        CompactionLevel,
        "interval",
        POS,
        false,
        Since(0),
        "Compaction interval of this level.",
    ),
    k(
        Socket,
        "enabled",
        Ty::Bool,
        false,
        Since(7),
        "Turn the control socket on.",
    ),
    k(Socket, "path", Ty::Str, false, Since(7), "Socket path."),
    k(Socket, "permissions", Ty::Int, false, Since(7), "Socket file mode."),
    k(
        Retention,
        "enabled",
        Ty::Bool,
        false,
        Since(8),
        "Enforce retention (default true).",
    ),
    // database
    k(
        Db,
        "path",
        Ty::Str,
        true,
        Since(0),
        "Absolute path of the SQLite database.",
    ),
    k(
        Db,
        "meta-path",
        Ty::Str,
        true,
        Since(0),
        "Where Litestream keeps its state (default .<db>-litestream beside the db).",
    ),
    k(
        Db,
        "monitor-interval",
        DUR,
        true,
        Since(0),
        "How often the WAL is checked (default 1s).",
    ),
    k(
        Db,
        "checkpoint-interval",
        DUR,
        true,
        Since(0),
        "How often a PASSIVE checkpoint runs (default 1m).",
    ),
    k(
        Db,
        "min-checkpoint-page-count",
        Ty::Int,
        true,
        Since(0),
        "WAL pages before a checkpoint (default 1000).",
    ),
    k(
        Db,
        "max-checkpoint-page-count",
        Ty::Int,
        true,
        Until(3),
        "WAL pages before a blocking checkpoint (0.3; gone in 0.5.3, use truncate-page-n).",
    ),
    k(
        Db,
        "replicas",
        Ty::MapList(Replica),
        true,
        Since(0),
        "Replicas of this database (0.5: at most one).",
    ),
    k(
        Db,
        "replica",
        Ty::Map(Replica),
        false,
        Since(0),
        "The replica of this database (0.5).",
    ),
    k(
        Db,
        "busy-timeout",
        DUR,
        false,
        Since(0),
        "SQLite busy timeout of Litestream's connection (default 1s).",
    ),
    k(
        Db,
        "dir",
        Ty::Str,
        false,
        Since(3),
        "Replicate every database in a directory.",
    ),
    k(Db, "pattern", Ty::Str, false, Since(3), "File pattern for dir mode."),
    k(Db, "recursive", Ty::Bool, false, Since(3), "Recurse in dir mode."),
    k(
        Db,
        "watch",
        Ty::Bool,
        false,
        Since(4),
        "Watch a directory for new databases.",
    ),
    k(
        Db,
        "meta-dir",
        Ty::Str,
        false,
        Since(13),
        "State directory in dir mode.",
    ),
    k(
        Db,
        "truncate-page-n",
        Ty::Int,
        false,
        Since(3),
        "WAL pages before a TRUNCATE checkpoint (0 turns it off).",
    ),
    k(
        Db,
        "max-sync-wal-bytes",
        Ty::Int,
        false,
        Since(15),
        "Cap on WAL bytes read per sync.",
    ),
    k(
        Db,
        "restore-if-db-not-exists",
        Ty::Bool,
        false,
        Since(6),
        "Restore before replicating when the file is missing.",
    ),
    k(
        Db,
        "snapshot",
        Ty::Map(Snapshot),
        false,
        Since(12),
        "Per-db snapshot settings (promoted to the global setting).",
    ),
    // replica
    k(
        Replica,
        "type",
        Ty::Str,
        true,
        Since(0),
        "s3, file, abs, sftp; gcs on 0.3, gs on 0.5; webdav, nats, oss on 0.5.",
    ),
    k(
        Replica,
        "name",
        Ty::Str,
        true,
        Since(0),
        "Replica name (0.3; unused on 0.5).",
    ),
    k(
        Replica,
        "path",
        Ty::Str,
        true,
        Since(0),
        "Path inside the bucket (s3) or directory (file).",
    ),
    k(
        Replica,
        "url",
        Ty::Str,
        true,
        Since(0),
        "The whole replica as a URL, e.g. s3://bucket/path.",
    ),
    k(
        Replica,
        "retention",
        DUR,
        true,
        NoEffect("the top-level `snapshot: {retention: …}`"),
        "How long backups are kept (0.3).",
    ),
    k(
        Replica,
        "retention-check-interval",
        DUR,
        true,
        NoEffect("the top-level `snapshot:` and `l0-retention-check-interval`"),
        "How often retention is enforced (0.3).",
    ),
    k(
        Replica,
        "snapshot-interval",
        DUR,
        true,
        NoEffect("the top-level `snapshot: {interval: …}`"),
        "How often a snapshot is taken (0.3).",
    ),
    k(
        Replica,
        "validation-interval",
        DUR,
        true,
        NoEffect("the top-level `validation: {interval: …}`"),
        "Restore-and-compare interval (0.3).",
    ),
    k(
        Replica,
        "sync-interval",
        POS,
        true,
        Since(0),
        "How often WAL changes are uploaded (default 1s).",
    ),
    k(
        Replica,
        "access-key-id",
        Ty::Str,
        true,
        Since(0),
        "S3 access key id. Use ${LITESTREAM_ACCESS_KEY_ID}.",
    ),
    k(
        Replica,
        "secret-access-key",
        Ty::Str,
        true,
        Since(0),
        "S3 secret key. Use ${LITESTREAM_SECRET_ACCESS_KEY}.",
    ),
    k(Replica, "region", Ty::Str, true, Since(0), "S3 region."),
    k(Replica, "bucket", Ty::Str, true, Since(0), "S3 bucket."),
    k(
        Replica,
        "endpoint",
        Ty::Str,
        true,
        Since(0),
        "S3-compatible endpoint URL (turns path style on).",
    ),
    k(
        Replica,
        "force-path-style",
        Ty::Bool,
        true,
        Since(0),
        "Path-style S3 addressing (default: on when endpoint is set).",
    ),
    k(
        Replica,
        "skip-verify",
        Ty::Bool,
        true,
        Since(0),
        "Skip TLS verification.",
    ),
    k(
        Replica,
        "account-name",
        Ty::Str,
        true,
        Since(0),
        "Azure Blob account name.",
    ),
    k(
        Replica,
        "account-key",
        Ty::Str,
        true,
        Since(0),
        "Azure Blob account key.",
    ),
    k(Replica, "host", Ty::Str, true, Since(0), "SFTP host:port."),
    k(Replica, "user", Ty::Str, true, Since(0), "SFTP user."),
    k(Replica, "password", Ty::Str, true, Since(0), "SFTP password."),
    k(Replica, "key-path", Ty::Str, true, Since(0), "SFTP private key path."),
    k(
        Replica,
        "age",
        Ty::Map(Age),
        true,
        Rejected,
        "Client-side age encryption (0.3 only).",
    ),
    k(
        Replica,
        "sign-payload",
        Ty::Bool,
        false,
        Since(3),
        "Sign S3 payloads (default true since 0.5.5).",
    ),
    k(
        Replica,
        "require-content-md5",
        Ty::Bool,
        false,
        Since(3),
        "Send Content-MD5 (default true).",
    ),
    k(
        Replica,
        "part-size",
        Ty::Str,
        false,
        Since(3),
        "Multipart part size, e.g. 5MB.",
    ),
    k(
        Replica,
        "concurrency",
        Ty::Int,
        false,
        Since(3),
        "Multipart upload concurrency.",
    ),
    k(Replica, "storage-class", Ty::Str, false, Since(14), "S3 storage class."),
    k(
        Replica,
        "sse-customer-algorithm",
        Ty::Str,
        false,
        Since(6),
        "SSE-C algorithm.",
    ),
    k(Replica, "sse-customer-key", Ty::Str, false, Since(6), "SSE-C key."),
    k(
        Replica,
        "sse-customer-key-path",
        Ty::Str,
        false,
        Since(6),
        "SSE-C key file.",
    ),
    k(Replica, "sse-kms-key-id", Ty::Str, false, Since(6), "SSE-KMS key id."),
    k(Replica, "sas-token", Ty::Str, false, Since(7), "Azure SAS token."),
    k(Replica, "host-key", Ty::Str, false, Since(3), "SFTP host key."),
    k(
        Replica,
        "concurrent-writes",
        Ty::Bool,
        false,
        Since(3),
        "SFTP concurrent writes.",
    ),
    k(Replica, "webdav-url", Ty::Str, false, Since(3), "WebDAV URL."),
    k(Replica, "webdav-username", Ty::Str, false, Since(3), "WebDAV user."),
    k(Replica, "webdav-password", Ty::Str, false, Since(3), "WebDAV password."),
    k(Replica, "jwt", Ty::Str, false, Since(3), "NATS JWT."),
    k(Replica, "seed", Ty::Str, false, Since(3), "NATS seed."),
    k(Replica, "creds", Ty::Str, false, Since(3), "NATS credentials file."),
    k(Replica, "nkey", Ty::Str, false, Since(3), "NATS nkey."),
    k(Replica, "username", Ty::Str, false, Since(3), "NATS user."),
    k(Replica, "token", Ty::Str, false, Since(3), "NATS token."),
    k(Replica, "tls", Ty::Bool, false, Since(3), "NATS TLS."),
    k(Replica, "root-cas", Ty::StrList, false, Since(3), "NATS root CAs."),
    k(
        Replica,
        "client-cert",
        Ty::Str,
        false,
        Since(3),
        "NATS client certificate.",
    ),
    k(Replica, "client-key", Ty::Str, false, Since(3), "NATS client key."),
    k(
        Replica,
        "max-reconnects",
        Ty::Int,
        false,
        Since(3),
        "NATS reconnect attempts.",
    ),
    k(Replica, "reconnect-wait", DUR, false, Since(3), "NATS reconnect wait."),
    k(Replica, "timeout", DUR, false, Since(3), "NATS timeout."),
    k(
        Replica,
        "max-sync-ltx-files",
        Ty::Int,
        false,
        Since(15),
        "Cap on LTX files per sync.",
    ),
    k(
        Replica,
        "auto-recover",
        Ty::Bool,
        false,
        Since(7),
        "Recover automatically from replica errors.",
    ),
    // age
    k(
        Age,
        "identities",
        Ty::StrList,
        true,
        Rejected,
        "age identities (key text on 0.3.13).",
    ),
    k(Age, "recipients", Ty::StrList, true, Rejected, "age recipients."),
];

impl Key {
    /// True when the version certainly decodes this key into Litestream's config structs, so that
    /// a value of the wrong shape makes it refuse to start. Keys a version ignores never do; on an
    /// unpinned 0.5, a key that only some 0.5 releases read is not certain.
    pub fn certainly_read(&self, v: crate::version::Version) -> bool {
        match v.line {
            crate::version::Line::V03 => self.v03,
            crate::version::Line::V05 => match self.v05 {
                Since(0) | Rejected => true,
                Since(p) => v.patch.is_some_and(|x| x >= p),
                Until(p) => v.patch.is_some_and(|x| x < p),
                // Still in the structs (decoded), but applied nowhere.
                NoEffect(_) => self.name == "validation-interval" || TOP_NOT_COPIED.contains(&self.name),
                Absent => false,
            },
        }
    }
}

/// Keys whose values are credentials: they must be `${VAR}` references, and no output may show
/// their values.
pub const CREDENTIAL_KEYS: &[&str] = &[
    "access-key-id",
    "secret-access-key",
    "account-key",
    "password",
    "webdav-password",
    "sas-token",
    "sse-customer-key",
    "token",
    "seed",
];

pub fn is_credential_key(name: &str) -> bool {
    CREDENTIAL_KEYS.contains(&name)
}

/// Replica settings that Litestream 0.5.3+ accepts at the top level but does not copy into the
/// replicas (`SetDefaults` skips them): they parse and do nothing there.
const TOP_NOT_COPIED: &[&str] = &[
    "part-size",
    "concurrency",
    "host-key",
    "webdav-url",
    "webdav-username",
    "webdav-password",
];

/// [`KEYS`], plus every replica setting at the top level: 0.5.3 inlines `ReplicaSettings` in the
/// top-level config and copies each into replicas that leave it unset (`cmd/litestream/main.go`,
/// `propagateGlobalSettings`). Derived here so that a replica key is declared once.
static ALL: std::sync::LazyLock<Vec<Key>> = std::sync::LazyLock::new(|| {
    let mut all: Vec<Key> = KEYS.to_vec();
    for r in KEYS.iter().filter(|k| k.level == Replica) {
        if matches!(r.name, "type" | "name" | "path" | "url") || KEYS.iter().any(|k| k.level == Top && k.name == r.name)
        {
            continue;
        }
        let On05::Since(since) = r.v05 else { continue };
        let v05 = if TOP_NOT_COPIED.contains(&r.name) {
            NoEffect("the same key on each replica (Litestream does not copy it from the top level)")
        } else {
            Since(since.max(3))
        };
        all.push(Key {
            level: Top,
            v03: false,
            v05,
            ..*r
        });
    }
    all
});

pub fn keys_at(level: Level) -> impl Iterator<Item = &'static Key> {
    ALL.iter().filter(move |k| k.level == level)
}

pub fn lookup(level: Level, name: &str) -> Option<&'static Key> {
    ALL.iter().find(|k| k.level == level && k.name == name)
}

impl Level {
    /// How findings name the place a key sits in.
    pub fn describe(self) -> &'static str {
        match self {
            Top => "at the top level",
            Db => "in a database entry",
            Replica => "in a replica",
            Logging => "under `logging`",
            Snapshot => "under `snapshot`",
            Validation => "under `validation`",
            CompactionLevel => "in a `levels` entry",
            Socket => "under `socket`",
            Retention => "under `retention`",
            Age => "under `age`",
        }
    }
}
