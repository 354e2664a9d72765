//! `litestream-guard plan-restore`, executed for real: the plan generated for an app is run step
//! by step against local files with the real Litestream 0.3.13 and 0.5.17 and moto S3 on
//! 127.0.0.1, `litestream-guard guard` is asked before every step and must allow it, and the
//! unsafe variants of the steps are denied at the points where they would do harm. At the end
//! every row of every database is back, and the backups continue after the restore.
//!
//! Two runners: the Kamal accessory `init` writes (examples/fresh), and a binary in the app image
//! (the same app with the accessory removed and a Dockerfile whose CMD runs `litestream
//! replicate`). The plan names the container's paths; this test runs each container command on
//! this machine with `/rails/storage` mapped to a local folder and `-config /etc/litestream.yml`
//! to the same config rewritten for that folder and moto (`init_support::generate`). The app is
//! this test process holding the databases open; Litestream is `litestream replicate`. Kamal's
//! own commands (stop, boot, details) are judged by the guard and carried out here; their output
//! goes into the session's transcript as Kamal prints it, which is what the guard reads.

mod init_support;
mod support;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use init_support::session::{Session, ALLOW, DENY};
use init_support::*;
use support::real::*;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Runner {
    Accessory,
    Image,
}

const HOST: &str = "192.0.2.10";

/// `docker ps` as `kamal app details` prints it, with these containers running.
fn app_details(running: &[&str]) -> String {
    let mut s = format!("App Host: {HOST}\nCONTAINER ID   IMAGE   COMMAND   CREATED   STATUS   PORTS   NAMES\n");
    for c in running {
        s.push_str(&format!("0a1b2c3d4e5f   acme/fresh:abc   \"/rails/bin/docker-entrypoint\"   1 minute ago   Up 1 minute   3000/tcp   {c}\n"));
    }
    s
}

fn accessory_details(running: bool) -> String {
    let mut s = format!(
        "Accessory litestream Host: {HOST}\nCONTAINER ID   IMAGE   COMMAND   CREATED   STATUS   PORTS   NAMES\n"
    );
    if running {
        s.push_str("9f8e7d6c5b4a   litestream/litestream   \"litestream replicate\"   1 minute ago   Up 1 minute      fresh-litestream\n");
    }
    s
}

/// Turns the app `init` set up into one that runs Litestream from its image.
fn make_image_app(app: &Path, v: Version) {
    let deploy = app.join("config/deploy.yml");
    let text = fs::read_to_string(&deploy).unwrap();
    let cut = text
        .find("# Continuous SQLite backups with Litestream")
        .or_else(|| text.find("\naccessories:"))
        .expect("init's accessory block");
    // The accessory carried the bucket's keys; in the image they reach Litestream through the
    // app's own env, as an app that runs the binary itself would declare them.
    let mut kept = text[..cut].replacen(
        "  secret:\n    - RAILS_MASTER_KEY\n",
        "  secret:\n    - RAILS_MASTER_KEY\n    - LITESTREAM_ACCESS_KEY_ID\n    - LITESTREAM_SECRET_ACCESS_KEY\n",
        1,
    );
    assert!(
        kept.contains("LITESTREAM_ACCESS_KEY_ID"),
        "env.secret of {}",
        deploy.display()
    );
    kept.push('\n');
    fs::write(&deploy, kept).unwrap();
    fs::write(
        app.join("Dockerfile"),
        format!(
            "FROM docker.io/library/ruby:3.3-slim\nWORKDIR /rails\nENV RAILS_ENV=\"production\"\nCOPY --from=litestream/litestream:{} /usr/local/bin/litestream /usr/local/bin/litestream\nCOPY . .\nCOPY config/litestream.yml /etc/litestream.yml\nCMD [\"litestream\", \"replicate\", \"-config\", \"/etc/litestream.yml\", \"-exec\", \"./bin/thrust ./bin/rails server\"]\n",
            v.full()
        ),
    )
    .unwrap();
}

struct Step {
    kind: String,
    command: String,
    runs: String,
    inner: Option<String>,
    database: Option<String>,
}

fn plan(app: &Path) -> Vec<Step> {
    let o = guard(&["plan-restore", "--app", app.to_str().unwrap(), "--format", "json"]);
    assert!(o.success(), "plan-restore: {}", o.combined());
    let v: serde_json::Value = serde_json::from_str(&o.stdout).unwrap();
    v["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| Step {
            kind: s["kind"].as_str().unwrap().to_string(),
            command: s["command"].as_str().unwrap().to_string(),
            runs: s["runs"].as_str().unwrap().to_string(),
            inner: s["in_container"].as_str().map(str::to_string),
            database: s["database"].as_str().map(str::to_string),
        })
        .collect()
}

/// Every row of a database's `items` table, as `items()` reads it.
type Rows = Vec<(i64, i64, String)>;

struct Local {
    storage: PathBuf,
    config: PathBuf,
    path_env: String,
    version: Version,
}

impl Local {
    /// A container's command as this machine runs it: the storage folder and the config mapped.
    fn map(&self, text: &str) -> String {
        text.replace(
            "-config /etc/litestream.yml",
            &format!("-config {}", self.config.display()),
        )
        .replace("/rails/storage", &self.storage.display().to_string())
    }

    fn container(&self, step: &Step) -> Outcome {
        let inner = step.inner.as_deref().expect("a container step has its command");
        let line = match step.runs.as_str() {
            // The accessory's entrypoint is `litestream`.
            "litestream_container" => format!("litestream {}", self.map(inner)),
            _ => self.map(inner),
        };
        let mut c = Command::new("bash");
        c.arg("-c")
            .arg(&line)
            .current_dir(&self.storage)
            .env("PATH", &self.path_env);
        scrub_aws_env(&mut c);
        let o = run(&mut c, Duration::from_secs(120));
        assert!(
            o.success(),
            "Litestream {}: `{line}` failed:\n{}",
            self.version.full(),
            o.combined()
        );
        o
    }
}

fn scenario(v: Version, runner: Runner) {
    let label = format!("plan-{}-{runner:?}", v.short()).to_lowercase();
    let moto = Moto::start();
    moto.create_bucket(BUCKET);
    let g = generate(v, &moto.endpoint(), &label, "storage");
    if runner == Runner::Image {
        make_image_app(&g.app, v);
    }
    fs::create_dir_all(&g.storage).unwrap();
    let bin_dir = g.tmp.join("bin");
    fs::create_dir_all(&bin_dir).unwrap();
    std::os::unix::fs::symlink(v.bin(), bin_dir.join("litestream")).unwrap();
    let local = Local {
        storage: g.storage.clone(),
        config: g.config.clone(),
        path_env: format!("{}:{}", bin_dir.display(), std::env::var("PATH").unwrap_or_default()),
        version: v,
    };
    let mut s = Session::new(
        &g.app,
        g.tmp.join("transcript.jsonl"),
        &format!("{} {runner:?}", v.full()),
    );
    let local_db = |container: &str| PathBuf::from(local.map(container));

    // The app runs: four databases open and written; Litestream replicates them.
    let (mut conns, rep) = running_app(&g, v, &g.config, &moto, g.tmp.join("replicate-1.log"));
    let mut rep = Some(rep);

    let steps = plan(&g.app);
    assert!(
        steps.iter().filter(|st| st.kind == "restore").count() == 4,
        "one restore per database"
    );
    if runner == Runner::Image {
        assert!(
            !steps.iter().any(|st| st.kind == "stop_litestream"),
            "stopping the app stops Litestream"
        );
        assert!(
            steps.iter().all(|st| !st.command.contains("kamal accessory")),
            "no accessory to use"
        );
    }
    let first_swap = steps
        .iter()
        .find(|st| st.kind == "put_in_place")
        .unwrap()
        .command
        .clone();
    let first_aside = steps.iter().find(|st| st.kind == "move_aside").unwrap().command.clone();

    // While everything runs: the swap steps, an in-place restore, and the host-side `&&` form of
    // the move are refused.
    s.expect(DENY, &first_aside, "move the live database aside while the app runs");
    s.expect(DENY, &first_swap, "put the copy in place while the app runs");
    let in_place = match runner {
        Runner::Accessory => "kamal accessory exec litestream \"restore -config /etc/litestream.yml /rails/storage/production.sqlite3\"".to_string(),
        Runner::Image => "kamal app exec --roles web --primary \"litestream restore -config /etc/litestream.yml /rails/storage/production.sqlite3\"".to_string(),
    };
    s.expect(DENY, &in_place, "restore onto the live database");

    let mut before: Vec<(PathBuf, Rows)> = Vec::new();
    for st in &steps {
        s.expect(ALLOW, &st.command, &format!("plan step `{}`", st.kind));
        let output = match (st.kind.as_str(), st.runs.as_str()) {
            (_, "local") if st.command.starts_with("litestream-guard check") => {
                let c = check(&g.app);
                assert_eq!(c.errors, 0, "check before the restore:\n{}", c.raw);
                c.raw
            }
            (_, "local") if st.command.starts_with("litestream-guard verify") => {
                let mut c = Command::new(guard_bin());
                c.args([
                    "verify",
                    "--config",
                    g.config.to_str().unwrap(),
                    g.app.to_str().unwrap(),
                ])
                .env("PATH", &local.path_env)
                .env("NO_COLOR", "1");
                scrub_aws_env(&mut c);
                let o = run(&mut c, Duration::from_secs(300));
                assert!(o.success(), "verify after the restore:\n{}", o.combined());
                o.stdout
            }
            ("stop_app", _) => {
                // Every database the app had open is final now.
                before = g.dbs.iter().map(|d| (d.0.clone(), Vec::new())).collect();
                conns.clear();
                if runner == Runner::Image {
                    assert!(rep.take().unwrap().stop(), "Litestream ignored SIGTERM");
                } else {
                    // The copy must not be swapped in while `litestream replicate` still runs.
                    s.record(&st.command, "");
                    s.expect(DENY, &first_swap, "put the copy in place while Litestream still runs");
                    continue;
                }
                String::new()
            }
            ("stop_litestream", _) => {
                assert!(rep.take().unwrap().stop(), "Litestream ignored SIGTERM");
                String::new()
            }
            ("prove_stopped", _) if st.command.starts_with("kamal app details") => app_details(&[]),
            ("prove_stopped", _) => accessory_details(false),
            ("restore", _) => {
                for b in &mut before {
                    if b.1.is_empty() {
                        b.1 = items(&b.0);
                    }
                }
                local.container(st).combined()
            }
            ("integrity_check", _) => {
                let o = local.container(st);
                assert_eq!(o.stdout.trim(), "ok", "integrity check of the restored copy");
                o.stdout
            }
            ("move_aside" | "put_in_place", _) => local.container(st).combined(),
            ("inspect", _) => local.container(st).combined(),
            ("start_litestream", _) => {
                rep = Some(Replicator::start(v, &g.config, &g.app, g.tmp.join("replicate-2.log")));
                String::new()
            }
            ("start_app", _) => {
                if runner == Runner::Image {
                    rep = Some(Replicator::start(v, &g.config, &g.app, g.tmp.join("replicate-2.log")));
                }
                conns = g.dbs.iter().map(|d| open_wal(&d.0)).collect();
                String::new()
            }
            ("prove_started", _) if st.command.starts_with("kamal app details") => app_details(&["fresh-web-abc"]),
            ("prove_started", _) => accessory_details(true),
            (kind, runs) => panic!("a plan step this test does not know: {kind} ({runs}): {}", st.command),
        };
        s.record(&st.command, &output);
        if st.kind == "put_in_place" {
            let db = local_db(st.database.as_deref().unwrap());
            // Before anything opens it (opening a WAL database creates its -wal and -shm).
            for sidecar in ["-wal", "-shm"] {
                assert!(
                    !Path::new(&format!("{}{sidecar}", db.display())).exists(),
                    "{sidecar} left beside {}",
                    db.display()
                );
            }
            let want = &before.iter().find(|b| b.0 == db).expect("a database of the app").1;
            assert_eq!(&items(&db), want, "{} after the swap", db.display());
        }
    }

    // Running again: in-place restores are refused; the backups continue from the restored data.
    s.expect(DENY, &in_place, "restore onto the live database after the boot");
    let marker = match v {
        Version::V03 => snapshot_marker(v),
        Version::V05 => "initialized db",
    };
    assert!(
        rep.as_mut().unwrap().wait_log(marker, 1, Duration::from_secs(60)),
        "Litestream {} did not start on the restored databases:\n{}",
        v.full(),
        rep.as_ref().unwrap().log_text()
    );
    std::thread::sleep(Duration::from_millis(1500));
    write_uploaded(&g, v, &moto, &mut conns[0], 2);
    conns.clear();
    assert!(rep.take().unwrap().stop(), "Litestream ignored SIGTERM");
    let after = g.tmp.join("after.sqlite3");
    let o = restore(v, &g.config, &g.dbs[0].0, &after, &[], &g.app);
    assert!(o.success(), "a later restore: {}", o.combined());
    assert_eq!(
        batches(&after).into_iter().collect::<Vec<_>>(),
        vec![(0, 100), (1, 50), (2, 50)],
        "Litestream {} {runner:?}: the backup after the restore",
        v.full()
    );
}

#[test]
fn v03_accessory_plan_restores_every_row_with_the_guard() {
    scenario(Version::V03, Runner::Accessory);
}

#[test]
fn v05_accessory_plan_restores_every_row_with_the_guard() {
    scenario(Version::V05, Runner::Accessory);
}

#[test]
fn v03_image_plan_restores_every_row_with_the_guard() {
    scenario(Version::V03, Runner::Image);
}

#[test]
fn v05_image_plan_restores_every_row_with_the_guard() {
    scenario(Version::V05, Runner::Image);
}
