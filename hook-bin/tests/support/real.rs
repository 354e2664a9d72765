//! Real components for integration tests: the Litestream binaries installed by
//! `scripts/install-test-deps`, an S3 server (moto) on 127.0.0.1, SQLite databases.
//!
//! Nothing here skips silently: a missing component is a test failure that says how to
//! install it. Every child process runs with a timeout and is killed when its guard drops.

use std::collections::BTreeMap;
use std::fs;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::thread;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

pub const INSTALL_HINT: &str =
    "run scripts/install-test-deps (it installs Litestream 0.3.13/0.5.17 and moto into .deps/)";

/// The repository root (the workspace, one level above this crate).
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("crate has a parent dir")
        .to_path_buf()
}

pub fn deps_dir() -> PathBuf {
    repo_root().join(".deps")
}

/// The `litestream-guard` binary built for this test run.
pub fn guard_bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_litestream-guard"))
}

// ---------------------------------------------------------------------------------------------
// Litestream versions

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Version {
    V03,
    V05,
}

pub const VERSIONS: [Version; 2] = [Version::V03, Version::V05];

impl Version {
    /// The exact release the tests run.
    pub fn full(self) -> &'static str {
        match self {
            Version::V03 => "0.3.13",
            Version::V05 => "0.5.17",
        }
    }

    /// The value of `litestream-guard --litestream-version`.
    pub fn short(self) -> &'static str {
        match self {
            Version::V03 => "0.3",
            Version::V05 => "0.5",
        }
    }

    /// Path of the real binary; panics with the install hint when it is missing.
    pub fn bin(self) -> PathBuf {
        let p = deps_dir().join("bin").join(format!("litestream-{}", self.full()));
        if !p.exists() {
            panic!(
                "Litestream {} not found at {}: {}",
                self.full(),
                p.display(),
                INSTALL_HINT
            );
        }
        p
    }

    /// A `litestream` command with a clean, loopback-safe environment:
    /// `AWS_CA_BUNDLE` removed (0.5 refuses plain-http endpoints with it), other AWS
    /// settings that could redirect requests removed, dummy credentials, no IMDS lookups.
    pub fn command(self) -> Command {
        let mut c = Command::new(self.bin());
        scrub_aws_env(&mut c);
        c.stdin(Stdio::null());
        c
    }
}

/// Environment for any process that may talk S3: never the real AWS, never IMDS.
pub fn scrub_aws_env(c: &mut Command) {
    for k in [
        "AWS_CA_BUNDLE",
        "AWS_PROFILE",
        "AWS_DEFAULT_PROFILE",
        "AWS_CONFIG_FILE",
        "AWS_SHARED_CREDENTIALS_FILE",
        "AWS_SESSION_TOKEN",
        "AWS_SECURITY_TOKEN",
        "AWS_ENDPOINT_URL",
        "AWS_ENDPOINT_URL_S3",
        "AWS_ROLE_ARN",
        "AWS_WEB_IDENTITY_TOKEN_FILE",
        "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
        "AWS_CONTAINER_CREDENTIALS_FULL_URI",
        "LITESTREAM_CONFIG",
        "LOG_LEVEL",
    ] {
        c.env_remove(k);
    }
    c.env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("LITESTREAM_ACCESS_KEY_ID", "testing")
        .env("LITESTREAM_SECRET_ACCESS_KEY", "testing")
        .env("AWS_REGION", "us-east-1")
        .env("AWS_EC2_METADATA_DISABLED", "true");
}

// ---------------------------------------------------------------------------------------------
// Temporary directories

static COUNTER: AtomicU64 = AtomicU64::new(0);

/// A fresh directory, removed on drop unless `KEEP_TEST_TMP` is set (then its path is printed).
pub struct TempDir {
    path: PathBuf,
}

impl TempDir {
    pub fn new(label: &str) -> TempDir {
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0);
        let n = COUNTER.fetch_add(1, Ordering::SeqCst);
        let path = std::env::temp_dir().join(format!(
            "lsg-{}-{}-{}-{}",
            label,
            std::process::id(),
            n,
            nanos % 1_000_000_000
        ));
        fs::create_dir_all(&path).unwrap_or_else(|e| panic!("create {}: {e}", path.display()));
        TempDir { path }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn join(&self, p: impl AsRef<Path>) -> PathBuf {
        self.path.join(p)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        if std::env::var_os("KEEP_TEST_TMP").is_some() {
            eprintln!("kept {}", self.path.display());
        } else {
            let _ = fs::remove_dir_all(&self.path);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Running processes with a timeout

#[derive(Debug)]
pub struct Outcome {
    pub status: Option<ExitStatus>,
    pub stdout: String,
    pub stderr: String,
    pub timed_out: bool,
    pub elapsed: Duration,
}

impl Outcome {
    pub fn code(&self) -> Option<i32> {
        self.status.and_then(|s| s.code())
    }

    pub fn success(&self) -> bool {
        !self.timed_out && self.status.map(|s| s.success()).unwrap_or(false)
    }

    /// stdout and stderr together, for messages.
    pub fn combined(&self) -> String {
        format!("{}{}", self.stdout, self.stderr)
    }
}

/// Runs `cmd` to completion with stdin closed and output captured; kills it after `timeout`.
pub fn run(cmd: &mut Command, timeout: Duration) -> Outcome {
    let start = Instant::now();
    cmd.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = cmd.spawn().unwrap_or_else(|e| panic!("spawn {:?}: {e}", cmd));
    let mut out = child.stdout.take().expect("stdout piped");
    let mut err = child.stderr.take().expect("stderr piped");
    let t_out = thread::spawn(move || {
        let mut b = Vec::new();
        let _ = out.read_to_end(&mut b);
        b
    });
    let t_err = thread::spawn(move || {
        let mut b = Vec::new();
        let _ = err.read_to_end(&mut b);
        b
    });
    let mut timed_out = false;
    let status = loop {
        match child.try_wait() {
            Ok(Some(s)) => break Some(s),
            Ok(None) if start.elapsed() >= timeout => {
                timed_out = true;
                let _ = child.kill();
                break child.wait().ok();
            }
            Ok(None) => thread::sleep(Duration::from_millis(5)),
            Err(e) => panic!("wait {:?}: {e}", cmd),
        }
    };
    let stdout = String::from_utf8_lossy(&t_out.join().unwrap_or_default()).into_owned();
    let stderr = String::from_utf8_lossy(&t_err.join().unwrap_or_default()).into_owned();
    Outcome {
        status,
        stdout,
        stderr,
        timed_out,
        elapsed: start.elapsed(),
    }
}

/// Polls `f` every `every` until it returns `Some` or `timeout` passes.
pub fn wait_for<T>(timeout: Duration, every: Duration, mut f: impl FnMut() -> Option<T>) -> Option<T> {
    let start = Instant::now();
    loop {
        if let Some(v) = f() {
            return Some(v);
        }
        if start.elapsed() >= timeout {
            return None;
        }
        thread::sleep(every);
    }
}

fn send_signal(pid: u32, sig: &str) {
    let _ = run(
        Command::new("kill").arg(format!("-{sig}")).arg(pid.to_string()),
        Duration::from_secs(5),
    );
}

/// A long-running child that is killed (SIGKILL) and reaped when dropped.
pub struct Daemon {
    child: Option<Child>,
    pub log: PathBuf,
    name: String,
}

impl Daemon {
    /// Starts `cmd` with stdout and stderr appended to `log` (a file, so a chatty child never blocks).
    pub fn spawn(name: &str, mut cmd: Command, log: PathBuf) -> Daemon {
        let f = fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&log)
            .unwrap_or_else(|e| panic!("open {}: {e}", log.display()));
        let f2 = f.try_clone().expect("clone log handle");
        cmd.stdin(Stdio::null()).stdout(f).stderr(f2);
        let child = cmd.spawn().unwrap_or_else(|e| panic!("spawn {name} {:?}: {e}", cmd));
        Daemon {
            child: Some(child),
            log,
            name: name.to_string(),
        }
    }

    pub fn pid(&self) -> u32 {
        self.child.as_ref().map(|c| c.id()).unwrap_or(0)
    }

    /// `Some(status)` once the process has exited.
    pub fn exited(&mut self) -> Option<ExitStatus> {
        self.child.as_mut().and_then(|c| c.try_wait().ok().flatten())
    }

    pub fn log_text(&self) -> String {
        fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// SIGTERM, then wait up to `grace`; SIGKILL after that. Returns the exit status and
    /// whether the process stopped on SIGTERM alone.
    pub fn stop(&mut self, grace: Duration) -> (Option<ExitStatus>, bool) {
        let Some(mut child) = self.child.take() else {
            return (None, true);
        };
        if let Ok(Some(s)) = child.try_wait() {
            return (Some(s), true);
        }
        send_signal(child.id(), "TERM");
        let start = Instant::now();
        loop {
            if let Ok(Some(s)) = child.try_wait() {
                return (Some(s), true);
            }
            if start.elapsed() >= grace {
                let _ = child.kill();
                return (child.wait().ok(), false);
            }
            thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
        let _ = &self.name;
    }
}

// ---------------------------------------------------------------------------------------------
// moto (S3) on loopback

/// A moto S3 server on 127.0.0.1 with a free port; killed on drop.
pub struct Moto {
    daemon: Daemon,
    pub port: u16,
    _dir: TempDir,
}

pub fn moto_bin() -> PathBuf {
    let p = deps_dir().join("bin").join("moto_server");
    if !p.exists() {
        panic!("moto_server not found at {}: {}", p.display(), INSTALL_HINT);
    }
    p
}

fn free_port() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
    l.local_addr().expect("local addr").port()
}

impl Moto {
    /// Starts moto and waits until it answers `GET /` (up to 30 s). Retries on another port
    /// if the chosen one was taken meanwhile.
    pub fn start() -> Moto {
        let bin = moto_bin();
        let mut last_log = String::new();
        for _attempt in 0..4 {
            let dir = TempDir::new("moto");
            let port = free_port();
            let mut cmd = Command::new(&bin);
            cmd.arg("-H").arg("127.0.0.1").arg("-p").arg(port.to_string());
            scrub_aws_env(&mut cmd);
            cmd.env("PYTHONUNBUFFERED", "1");
            let mut daemon = Daemon::spawn("moto_server", cmd, dir.join("moto.log"));
            let ready = wait_for(Duration::from_secs(30), Duration::from_millis(50), || {
                if daemon.exited().is_some() {
                    return Some(false);
                }
                match http("127.0.0.1", port, "GET", "/", Duration::from_secs(2)) {
                    Ok(r) if r.status == 200 => Some(true),
                    _ => None,
                }
            });
            if ready == Some(true) {
                return Moto {
                    daemon,
                    port,
                    _dir: dir,
                };
            }
            last_log = daemon.log_text();
            drop(daemon);
        }
        panic!("moto_server did not become ready on 127.0.0.1; last log:\n{last_log}");
    }

    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Creates a bucket with an unsigned `PUT /<bucket>` (moto's server mode accepts it).
    pub fn create_bucket(&self, bucket: &str) {
        let r = http(
            "127.0.0.1",
            self.port,
            "PUT",
            &format!("/{bucket}"),
            Duration::from_secs(10),
        )
        .unwrap_or_else(|e| panic!("PUT /{bucket}: {e}"));
        assert_eq!(r.status, 200, "create bucket {bucket}: {}", r.body);
        let list = http("127.0.0.1", self.port, "GET", "/", Duration::from_secs(10)).expect("list buckets");
        assert!(
            list.body.contains(&format!("<Name>{bucket}</Name>")),
            "bucket {bucket} not listed: {}",
            list.body
        );
    }

    /// All object keys under `prefix` in `bucket`, sorted, following continuation tokens.
    pub fn list_keys(&self, bucket: &str, prefix: &str) -> Vec<String> {
        let mut keys = Vec::new();
        let mut token: Option<String> = None;
        for _page in 0..1000 {
            let mut q = format!("/{bucket}?list-type=2&prefix={}", url_encode(prefix));
            if let Some(t) = &token {
                q.push_str(&format!("&continuation-token={}", url_encode(t)));
            }
            let r = http("127.0.0.1", self.port, "GET", &q, Duration::from_secs(10))
                .unwrap_or_else(|e| panic!("list {bucket}/{prefix}: {e}"));
            assert_eq!(r.status, 200, "list {bucket}: {}", r.body);
            keys.extend(xml_values(&r.body, "Key"));
            let truncated = xml_values(&r.body, "IsTruncated")
                .first()
                .map(|s| s == "true")
                .unwrap_or(false);
            if !truncated {
                keys.sort();
                return keys;
            }
            token = xml_values(&r.body, "NextContinuationToken").into_iter().next();
            assert!(token.is_some(), "truncated listing without a continuation token");
        }
        panic!("listing {bucket}/{prefix} did not end after 1000 pages");
    }

    pub fn log_text(&self) -> String {
        self.daemon.log_text()
    }

    pub fn pid(&self) -> u32 {
        self.daemon.pid()
    }
}

fn url_encode(s: &str) -> String {
    let mut o = String::new();
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => o.push(b as char),
            _ => o.push_str(&format!("%{b:02X}")),
        }
    }
    o
}

/// The text of every `<tag>…</tag>` element, in order (no nesting needed for S3 listings).
pub fn xml_values(xml: &str, tag: &str) -> Vec<String> {
    let open = format!("<{tag}>");
    let close = format!("</{tag}>");
    let mut out = Vec::new();
    let mut rest = xml;
    while let Some(i) = rest.find(&open) {
        let after = &rest[i + open.len()..];
        let Some(j) = after.find(&close) else { break };
        out.push(
            after[..j]
                .replace("&amp;", "&")
                .replace("&lt;", "<")
                .replace("&gt;", ">"),
        );
        rest = &after[j + close.len()..];
    }
    out
}

pub struct HttpResponse {
    pub status: u16,
    pub body: String,
}

/// A minimal HTTP/1.1 client for loopback only (`Connection: close`, identity or chunked body).
pub fn http(host: &str, port: u16, method: &str, path: &str, timeout: Duration) -> Result<HttpResponse, String> {
    assert!(host == "127.0.0.1", "test HTTP goes to loopback only, not {host}");
    let addr: SocketAddr = format!("{host}:{port}").parse().map_err(|e| format!("{e}"))?;
    let mut s = TcpStream::connect_timeout(&addr, timeout).map_err(|e| format!("connect: {e}"))?;
    s.set_read_timeout(Some(timeout)).map_err(|e| e.to_string())?;
    s.set_write_timeout(Some(timeout)).map_err(|e| e.to_string())?;
    let req = format!(
        "{method} {path} HTTP/1.1\r\nHost: {host}:{port}\r\nContent-Length: 0\r\nConnection: close\r\nUser-Agent: litestream-guard-tests\r\n\r\n"
    );
    s.write_all(req.as_bytes()).map_err(|e| format!("write: {e}"))?;
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).map_err(|e| format!("read: {e}"))?;
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = text
        .split_once("\r\n\r\n")
        .ok_or_else(|| format!("no header end in {text:?}"))?;
    let status: u16 = head
        .lines()
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|c| c.parse().ok())
        .ok_or_else(|| format!("bad status line in {head:?}"))?;
    let chunked = head.lines().any(|l| {
        let l = l.to_ascii_lowercase();
        l.starts_with("transfer-encoding:") && l.contains("chunked")
    });
    let body = if chunked { dechunk(body)? } else { body.to_string() };
    Ok(HttpResponse { status, body })
}

fn dechunk(mut s: &str) -> Result<String, String> {
    let mut out = String::new();
    for _ in 0..100_000 {
        let (size_line, rest) = s.split_once("\r\n").ok_or("chunk size line")?;
        let size = usize::from_str_radix(size_line.split(';').next().unwrap_or("").trim(), 16)
            .map_err(|e| format!("chunk size {size_line:?}: {e}"))?;
        if size == 0 {
            return Ok(out);
        }
        if rest.len() < size {
            return Err("short chunk".into());
        }
        out.push_str(&rest[..size]);
        s = rest[size..].trim_start_matches("\r\n");
    }
    Err("too many chunks".into())
}

// ---------------------------------------------------------------------------------------------
// Litestream replicate as a daemon

/// `litestream replicate -config FILE`, logging to `<log>`; killed on drop.
pub struct Replicator {
    pub daemon: Daemon,
    pub version: Version,
}

impl Replicator {
    pub fn start(version: Version, config: &Path, cwd: &Path, log: PathBuf) -> Replicator {
        let mut cmd = version.command();
        cmd.arg("replicate").arg("-config").arg(config).current_dir(cwd);
        let daemon = Daemon::spawn(&format!("litestream-{}", version.full()), cmd, log);
        Replicator { daemon, version }
    }

    /// Waits until the log contains `needle` `count` times (or the process dies / time runs out).
    pub fn wait_log(&mut self, needle: &str, count: usize, timeout: Duration) -> bool {
        let ok = wait_for(timeout, Duration::from_millis(100), || {
            if self.daemon.exited().is_some() {
                return Some(false);
            }
            if self.daemon.log_text().matches(needle).count() >= count {
                Some(true)
            } else {
                None
            }
        });
        ok == Some(true)
    }

    /// Graceful stop (SIGTERM; SIGKILL after 20 s). Returns true when SIGTERM sufficed.
    pub fn stop(&mut self) -> bool {
        self.daemon.stop(Duration::from_secs(20)).1
    }

    pub fn log_text(&self) -> String {
        self.daemon.log_text()
    }
}

/// `litestream restore [extra flags] -config CONFIG -o OUT DB` with a timeout.
pub fn restore(version: Version, config: &Path, db: &Path, out: &Path, extra: &[&str], cwd: &Path) -> Outcome {
    let mut cmd = version.command();
    cmd.arg("restore").arg("-config").arg(config);
    for e in extra {
        cmd.arg(e);
    }
    cmd.arg("-o").arg(out).arg(db).current_dir(cwd);
    run(&mut cmd, Duration::from_secs(120))
}

// ---------------------------------------------------------------------------------------------
// SQLite

pub use rusqlite::Connection;

/// Opens (creating) a database the way Rails does: WAL, synchronous NORMAL, busy timeout 5 s.
pub fn open_wal(path: &Path) -> Connection {
    let c = Connection::open(path).unwrap_or_else(|e| panic!("open {}: {e}", path.display()));
    c.busy_timeout(Duration::from_secs(5)).expect("busy_timeout");
    let mode: String = c
        .query_row("PRAGMA journal_mode=WAL", [], |r| r.get(0))
        .expect("journal_mode");
    assert_eq!(mode.to_ascii_lowercase(), "wal", "{} not in WAL mode", path.display());
    c.execute_batch("PRAGMA synchronous=NORMAL;").expect("synchronous");
    c
}

/// Creates table `items(id INTEGER PRIMARY KEY, batch INTEGER, body TEXT)` if missing.
pub fn create_items(c: &Connection) {
    c.execute_batch(
        "CREATE TABLE IF NOT EXISTS items(id INTEGER PRIMARY KEY, batch INTEGER NOT NULL, body TEXT NOT NULL);",
    )
    .expect("create items");
}

/// Inserts `n` rows of batch `batch` in one transaction; bodies are derived from the db label,
/// batch and index so each database's content is distinct and checkable.
pub fn insert_batch(c: &mut Connection, label: &str, batch: i64, n: usize) {
    let tx = c.transaction().expect("begin");
    {
        let mut st = tx
            .prepare("INSERT INTO items(batch, body) VALUES (?1, ?2)")
            .expect("prepare");
        for i in 0..n {
            st.execute(rusqlite::params![
                batch,
                format!("{label}-{batch}-{i}-{}", "x".repeat(i % 50))
            ])
            .expect("insert");
        }
    }
    tx.commit().expect("commit");
}

/// Every row of `items`, ordered by id.
pub fn items(path: &Path) -> Vec<(i64, i64, String)> {
    let c = Connection::open_with_flags(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
        .unwrap_or_else(|e| panic!("open {}: {e}", path.display()));
    let mut st = c
        .prepare("SELECT id, batch, body FROM items ORDER BY id")
        .expect("select");
    let rows = st
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .expect("query")
        .collect::<Result<Vec<_>, _>>()
        .expect("rows");
    rows
}

/// `PRAGMA integrity_check` result (expects `ok`).
pub fn integrity(path: &Path) -> String {
    let c = Connection::open_with_flags(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
        .unwrap_or_else(|e| panic!("open {}: {e}", path.display()));
    c.query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .expect("integrity_check")
}

/// Count of rows per batch, for point-in-time assertions.
pub fn batches(path: &Path) -> BTreeMap<i64, usize> {
    let mut m = BTreeMap::new();
    for (_, b, _) in items(path) {
        *m.entry(b).or_insert(0) += 1;
    }
    m
}

/// Current UTC time as RFC 3339 with whole seconds (what `restore -timestamp` takes).
pub fn rfc3339_now() -> String {
    let secs = SystemTime::now().duration_since(UNIX_EPOCH).expect("clock").as_secs() as i64;
    rfc3339(secs)
}

/// Formats Unix seconds as `YYYY-MM-DDTHH:MM:SSZ` (civil-from-days, no external crate).
pub fn rfc3339(secs: i64) -> String {
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let (h, m, s) = (rem / 3600, (rem % 3600) / 60, rem % 60);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let mo = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + if mo <= 2 { 1 } else { 0 };
    format!("{y:04}-{mo:02}-{d:02}T{h:02}:{m:02}:{s:02}Z")
}
