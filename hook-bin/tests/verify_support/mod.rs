//! Helpers for the `verify` tests: apps whose databases Litestream really replicates to moto on
//! 127.0.0.1 (the config `init` writes, and a litestream-ruby-style config), object surgery in
//! the bucket (delete, corrupt), a moto that checks credentials, and running `verify`.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::fs;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use crate::init_support;
use crate::support::real::*;

pub const BUCKET: &str = init_support::BUCKET;

/// A request to moto with a body and an Authorization header. moto without IAM checks accepts
/// any signature, but an object request without one is refused as anonymous.
pub fn s3(port: u16, method: &str, path: &str, body: &[u8]) -> (u16, Vec<u8>) {
    let addr: SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
    let mut s = TcpStream::connect_timeout(&addr, Duration::from_secs(10)).expect("connect moto");
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    let head = format!(
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Length: {}\r\nContent-Type: application/octet-stream\r\nAuthorization: AWS4-HMAC-SHA256 Credential=testing/20260101/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=0\r\nConnection: close\r\n\r\n",
        body.len()
    );
    s.write_all(head.as_bytes()).unwrap();
    s.write_all(body).unwrap();
    let mut raw = Vec::new();
    let _ = s.read_to_end(&mut raw);
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n").expect("http head");
    let status = String::from_utf8_lossy(&raw[..split])
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let head_text = String::from_utf8_lossy(&raw[..split]).to_ascii_lowercase();
    let mut body = raw[split + 4..].to_vec();
    if head_text.contains("transfer-encoding: chunked") {
        body = dechunk(&body);
    }
    (status, body)
}

fn dechunk(mut b: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(i) = b.windows(2).position(|w| w == b"\r\n") {
        let size = usize::from_str_radix(String::from_utf8_lossy(&b[..i]).trim(), 16).unwrap_or(0);
        if size == 0 || b.len() < i + 2 + size {
            break;
        }
        out.extend_from_slice(&b[i + 2..i + 2 + size]);
        b = b.get(i + 2 + size + 2..).unwrap_or(&[]);
    }
    out
}

pub fn delete_prefix(moto: &Moto, prefix: &str) -> usize {
    let keys = moto.list_keys(BUCKET, prefix);
    for k in &keys {
        let (st, _) = s3(moto.port, "DELETE", &format!("/{BUCKET}/{k}"), b"");
        assert!(st == 204 || st == 200, "delete {k}: {st}");
    }
    assert!(moto.list_keys(BUCKET, prefix).is_empty(), "objects left under {prefix}");
    keys.len()
}

/// Flips 16 bytes in the middle of an object.
pub fn corrupt(moto: &Moto, key: &str) {
    let (st, mut body) = s3(moto.port, "GET", &format!("/{BUCKET}/{key}"), b"");
    assert_eq!(st, 200, "get {key}");
    assert!(body.len() > 64, "{key} is {} bytes", body.len());
    let mid = body.len() / 2;
    for b in &mut body[mid..mid + 16] {
        *b ^= 0xff;
    }
    let (st, _) = s3(moto.port, "PUT", &format!("/{BUCKET}/{key}"), &body);
    assert_eq!(st, 200, "put {key}");
}

/// The object a restore of the replica at `prefix` reads first: the newest snapshot (0.3: the
/// newest generation's highest snapshot; 0.5: the level-9 file with the highest TXID range).
pub fn newest_snapshot(moto: &Moto, v: Version, prefix: &str) -> String {
    let keys = moto.list_keys(BUCKET, prefix);
    let snaps: Vec<&String> = keys
        .iter()
        .filter(|k| match v {
            Version::V03 => k.contains("/snapshots/"),
            Version::V05 => k.contains("/0009/"),
        })
        .collect();
    snaps
        .iter()
        .max_by_key(|k| k.rsplit('/').next().unwrap_or("").to_string())
        .map(|k| k.to_string())
        .unwrap_or_else(|| panic!("no snapshot under {prefix}: {keys:?}"))
}

// ---------------------------------------------------------------------------------------------
// Apps with four databases under replication.

/// Which kind of config the app has.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// What `litestream-guard init` writes (absolute paths, Kamal accessory pinned).
    Init,
    /// What the litestream-ruby gem's generator writes, plus endpoint and region variables:
    /// relative paths, `$LITESTREAM_REPLICA_BUCKET`-style variables, run from the app root.
    Gem,
}

pub struct Db {
    /// `production`, `production_cache`, …
    pub label: String,
    pub path: PathBuf,
    /// The replica path in the bucket.
    pub prefix: String,
    /// The name `verify` reports (the config's `path:`).
    pub name: String,
    pub conn: Option<Connection>,
    pub batch: i64,
}

pub struct Lab {
    pub v: Version,
    pub kind: Kind,
    pub moto: Moto,
    pub tmp: TempDir,
    pub app: PathBuf,
    /// The config `verify --config` is given (None: the app's own config/litestream.yml).
    pub config: Option<PathBuf>,
    /// Where Litestream replicate runs.
    pub cwd: PathBuf,
    pub dbs: Vec<Db>,
    pub rep: Option<Replicator>,
    /// Extra environment for both Litestream and verify.
    pub env: Vec<(String, String)>,
}

/// The Solid tables of Rails 8's extra databases (a minimal form of each).
fn role_table(label: &str) -> Option<&'static str> {
    if label.ends_with("_cache") {
        Some("CREATE TABLE IF NOT EXISTS solid_cache_entries(id INTEGER PRIMARY KEY, key BLOB NOT NULL, value BLOB NOT NULL);")
    } else if label.ends_with("_queue") {
        Some("CREATE TABLE IF NOT EXISTS solid_queue_jobs(id INTEGER PRIMARY KEY, queue_name TEXT NOT NULL, class_name TEXT NOT NULL);")
    } else if label.ends_with("_cable") {
        Some("CREATE TABLE IF NOT EXISTS solid_cable_messages(id INTEGER PRIMARY KEY, channel BLOB NOT NULL, payload BLOB NOT NULL);")
    } else {
        None
    }
}

const GEM_DBS: [&str; 4] = ["production", "production_cache", "production_queue", "production_cable"];

/// The gem's template (`replicas:` list, `path:` as database.yml has it) with the region and
/// endpoint variables the gem exports since 0.13.
pub fn gem_config() -> String {
    let mut s = String::from("dbs:\n");
    for d in GEM_DBS {
        s.push_str(&format!(
            "  - path: storage/{d}.sqlite3\n    replicas:\n      - type: s3\n        bucket: $LITESTREAM_REPLICA_BUCKET\n        path: storage/{d}.sqlite3\n        endpoint: $LITESTREAM_REPLICA_ENDPOINT\n        region: $LITESTREAM_REPLICA_REGION\n        access-key-id: $LITESTREAM_ACCESS_KEY_ID\n        secret-access-key: $LITESTREAM_SECRET_ACCESS_KEY\n        sync-interval: 1s\n"
        ));
    }
    s
}

/// rubygems' name for this machine's platform.
fn platform() -> &'static str {
    match (std::env::consts::ARCH, std::env::consts::OS) {
        ("x86_64", "linux") => "x86_64-linux",
        ("aarch64", "linux") => "aarch64-linux",
        ("aarch64", "macos") => "arm64-darwin",
        ("x86_64", "macos") => "x86_64-darwin",
        other => panic!("no litestream-ruby platform gem for {other:?}"),
    }
}

/// The gem app as installed: Gemfile.lock locks litestream-ruby, and the gem's binary sits in
/// an installed gem outside the app (0.3, the binary every gem release bundles), or the app
/// points the gem at its own binary with LITESTREAM_INSTALL_DIR (0.5).
fn install_gem_binary(v: Version, tmp: &TempDir, app: &Path) {
    let plat = platform();
    fs::write(
        app.join("Gemfile.lock"),
        format!("GEM\n  remote: https://rubygems.org/\n  specs:\n    litestream (0.14.0-{plat})\n      logfmt (>= 0.0.10)\n      sqlite3\n\nPLATFORMS\n  {plat}\n\nDEPENDENCIES\n  litestream\n"),
    )
    .unwrap();
    let dir = match v {
        Version::V03 => tmp.join(format!("gemhome/gems/litestream-0.14.0-{plat}/exe/{plat}")),
        Version::V05 => tmp.join("litestream-install"),
    };
    fs::create_dir_all(&dir).unwrap();
    std::os::unix::fs::symlink(v.bin(), dir.join("litestream")).unwrap();
}

fn gem_env(v: Version, tmp: &TempDir) -> Vec<(String, String)> {
    let mut e = vec![("PATH".to_string(), "/usr/bin:/bin".to_string())];
    match v {
        Version::V03 => e.push(("GEM_PATH".into(), tmp.join("gemhome").display().to_string())),
        Version::V05 => e.push((
            "LITESTREAM_INSTALL_DIR".into(),
            tmp.join("litestream-install").display().to_string(),
        )),
    }
    e
}

impl Lab {
    pub fn new(v: Version, kind: Kind) -> Lab {
        let moto = Moto::start();
        moto.create_bucket(BUCKET);
        let (tmp, app, config, cwd, dbs) = match kind {
            Kind::Init => {
                let g = init_support::generate(v, &moto.endpoint(), "verify", "app/storage");
                fs::create_dir_all(&g.storage).unwrap();
                let dbs = g
                    .dbs
                    .iter()
                    .map(|(p, prefix)| Db {
                        label: p.file_stem().unwrap().to_string_lossy().into_owned(),
                        path: p.clone(),
                        prefix: prefix.clone(),
                        name: p.display().to_string(),
                        conn: None,
                        batch: 0,
                    })
                    .collect();
                let cwd = g.tmp.path().to_path_buf();
                (g.tmp, g.app, Some(g.config), cwd, dbs)
            }
            Kind::Gem => {
                let tmp = TempDir::new(&format!("verify-gem-{}", v.full()));
                let app = tmp.join("app");
                fs::create_dir_all(app.join("config")).unwrap();
                fs::create_dir_all(app.join("storage")).unwrap();
                fs::write(app.join("config/litestream.yml"), gem_config()).unwrap();
                install_gem_binary(v, &tmp, &app);
                let dbs = GEM_DBS
                    .iter()
                    .map(|d| Db {
                        label: d.to_string(),
                        path: app.join(format!("storage/{d}.sqlite3")),
                        prefix: format!("storage/{d}.sqlite3"),
                        name: format!("storage/{d}.sqlite3"),
                        conn: None,
                        batch: 0,
                    })
                    .collect();
                (tmp, app.clone(), None, app, dbs)
            }
        };
        let mut env = vec![
            ("LITESTREAM_REPLICA_BUCKET".to_string(), BUCKET.to_string()),
            ("LITESTREAM_REPLICA_ENDPOINT".to_string(), moto.endpoint()),
            ("LITESTREAM_REPLICA_REGION".to_string(), "us-east-1".to_string()),
        ];
        if kind == Kind::Gem {
            env.extend(gem_env(v, &tmp));
        }
        let mut lab = Lab {
            v,
            kind,
            moto,
            tmp,
            app,
            config,
            cwd,
            dbs,
            rep: None,
            env,
        };
        for d in &mut lab.dbs {
            let mut c = open_wal(&d.path);
            create_items(&c);
            if let Some(sql) = role_table(&d.label) {
                c.execute_batch(sql).unwrap();
            }
            insert_batch(&mut c, &d.label, 0, 50);
            d.conn = Some(c);
        }
        lab
    }

    pub fn config_path(&self) -> PathBuf {
        self.config
            .clone()
            .unwrap_or_else(|| self.app.join("config/litestream.yml"))
    }

    pub fn start(&mut self) {
        let mut cmd = self.v.command();
        cmd.arg("replicate")
            .arg("-config")
            .arg(self.config_path())
            .current_dir(&self.cwd);
        for (k, val) in &self.env {
            cmd.env(k, val);
        }
        let log = self.tmp.join("replicate.log");
        let daemon = Daemon::spawn(&format!("litestream-{}", self.v.full()), cmd, log);
        let mut rep = Replicator {
            daemon,
            version: self.v,
        };
        assert!(
            rep.wait_log(
                init_support::snapshot_marker(self.v),
                self.dbs.len(),
                Duration::from_secs(60)
            ),
            "Litestream {} did not snapshot all databases:\n{}",
            self.v.full(),
            rep.log_text()
        );
        self.rep = Some(rep);
    }

    pub fn stop(&mut self) {
        let mut rep = self.rep.take().expect("replicating");
        assert!(rep.stop(), "Litestream {} ignored SIGTERM", self.v.full());
    }

    /// Inserts a batch of `n` rows into the `items` table of the databases at `idx`.
    pub fn write(&mut self, idx: &[usize], n: usize) {
        for &i in idx {
            let d = &mut self.dbs[i];
            d.batch += 1;
            let c = d.conn.as_mut().expect("open");
            insert_batch(c, &d.label, d.batch, n);
        }
    }

    pub fn rows(&self, i: usize) -> usize {
        items(&self.dbs[i].path).len()
    }

    /// `litestream-guard verify` as a user runs it: the gem app from its root with no
    /// arguments but the flags, the init app with its folder and the rewritten config.
    pub fn verify(&self, args: &[&str]) -> Verified {
        self.verify_with(args, &[])
    }

    pub fn verify_with(&self, args: &[&str], env: &[(&str, &str)]) -> Verified {
        let mut c = Command::new(guard_bin());
        scrub_aws_env(&mut c);
        c.arg("verify").env("NO_COLOR", "1");
        match self.kind {
            Kind::Init => {
                c.arg(&self.app)
                    .arg("--config")
                    .arg(self.config_path())
                    .current_dir(self.tmp.path());
            }
            Kind::Gem => {
                c.current_dir(&self.app);
            }
        }
        if !args.contains(&"--litestream") && self.kind == Kind::Init {
            c.arg("--litestream").arg(self.v.bin());
        }
        c.args(args);
        for (k, val) in &self.env {
            c.env(k, val);
        }
        for (k, val) in env {
            c.env(k, val);
        }
        Verified::from(run(&mut c, Duration::from_secs(240)))
    }
}

pub struct Verified {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
    pub elapsed: Duration,
}

impl Verified {
    fn from(o: Outcome) -> Verified {
        assert!(!o.timed_out, "verify did not finish: {}", o.combined());
        Verified {
            code: o.code(),
            stdout: o.stdout,
            stderr: o.stderr,
            elapsed: o.elapsed,
        }
    }

    pub fn all(&self) -> String {
        format!("{}{}", self.stdout, self.stderr)
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| panic!("not JSON ({e}):\n{}", self.all()))
    }

    /// database name → (state, reason) from `--format json` output.
    pub fn states(&self) -> BTreeMap<String, (String, String)> {
        let j = self.json();
        j["databases"]
            .as_array()
            .unwrap_or_else(|| panic!("no databases: {}", self.all()))
            .iter()
            .map(|d| {
                (
                    d["database"].as_str().unwrap().to_string(),
                    (
                        d["state"].as_str().unwrap().to_string(),
                        d["reason"].as_str().unwrap().to_string(),
                    ),
                )
            })
            .collect()
    }

    pub fn db(&self, name: &str) -> serde_json::Value {
        self.json()["databases"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["database"] == name)
            .cloned()
            .unwrap_or_else(|| panic!("{name} not in {}", self.all()))
    }
}

/// Polls `verify --format json` until every database is ok and caught up (replication has
/// delivered the last writes), then returns that run.
pub fn until_caught_up(lab: &Lab, extra: &[&str], within: Duration) -> Verified {
    let mut args = vec!["--format", "json", "--max-age", "1h"];
    args.extend_from_slice(extra);
    let mut last = None;
    let done = wait_for(within, Duration::from_secs(1), || {
        let r = lab.verify(&args);
        let ok = r.code == Some(0)
            && r.json()["databases"]
                .as_array()
                .is_some_and(|a| a.iter().all(|d| d["live"]["caught_up"] == true));
        if ok {
            Some(r)
        } else {
            last = Some(r);
            None
        }
    });
    done.unwrap_or_else(|| {
        panic!(
            "verify never reported every database caught up within {within:?}; last run:\n{}",
            last.map(|r| r.all()).unwrap_or_default()
        )
    })
}

/// A moto that checks credentials, with one IAM user allowed everything on S3.
pub struct AuthMoto {
    pub moto_daemon: Daemon,
    pub port: u16,
    pub key_id: String,
    pub secret: String,
    _dir: TempDir,
}

fn iam(port: u16, form: &str) -> String {
    let addr: SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
    let mut s = TcpStream::connect_timeout(&addr, Duration::from_secs(10)).expect("connect moto");
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    // moto routes by the credential scope's service name; the first requests are not checked.
    let req = format!(
        "POST / HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\nAuthorization: AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20260101/us-east-1/iam/aws4_request, SignedHeaders=host, Signature=0\r\nConnection: close\r\n\r\n{form}",
        form.len()
    );
    s.write_all(req.as_bytes()).unwrap();
    let mut out = String::new();
    let _ = s.read_to_string(&mut out);
    out
}

fn form_escape(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

impl AuthMoto {
    pub fn start() -> AuthMoto {
        let dir = TempDir::new("moto-auth");
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let mut cmd = Command::new(moto_bin());
        cmd.arg("-H").arg("127.0.0.1").arg("-p").arg(port.to_string());
        scrub_aws_env(&mut cmd);
        // Four requests pass unchecked: create the user, its policy, its key, and the bucket.
        cmd.env("INITIAL_NO_AUTH_ACTION_COUNT", "4")
            .env("PYTHONUNBUFFERED", "1");
        let mut daemon = Daemon::spawn("moto_server (auth)", cmd, dir.join("moto.log"));
        let ready = wait_for(Duration::from_secs(30), Duration::from_millis(100), || {
            if daemon.exited().is_some() {
                return Some(false);
            }
            TcpStream::connect(("127.0.0.1", port)).ok().map(|_| true)
        });
        assert_eq!(ready, Some(true), "moto (auth) did not start: {}", daemon.log_text());
        thread_sleep(500);
        let v = "Version=2010-05-08";
        let r = iam(port, &format!("Action=CreateUser&UserName=lsg&{v}"));
        assert!(r.contains("CreateUserResponse"), "{r}");
        let policy = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}"#;
        let r = iam(
            port,
            &format!(
                "Action=PutUserPolicy&UserName=lsg&PolicyName=all&PolicyDocument={}&{v}",
                form_escape(policy)
            ),
        );
        assert!(r.contains("PutUserPolicyResponse"), "{r}");
        let r = iam(port, &format!("Action=CreateAccessKey&UserName=lsg&{v}"));
        let key_id = xml_values(&r, "AccessKeyId").into_iter().next().expect("key id");
        let secret = xml_values(&r, "SecretAccessKey").into_iter().next().expect("secret");
        let (st, _) = s3(port, "PUT", &format!("/{BUCKET}"), b"");
        assert_eq!(st, 200, "create bucket");
        AuthMoto {
            moto_daemon: daemon,
            port,
            key_id,
            secret,
            _dir: dir,
        }
    }

    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }
}

pub fn thread_sleep(ms: u64) {
    std::thread::sleep(Duration::from_millis(ms));
}

/// Writes `text` to `path` and returns the path.
pub fn write(path: &Path, text: &str) -> PathBuf {
    fs::write(path, text).unwrap();
    path.to_path_buf()
}
