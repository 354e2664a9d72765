//! Builds the plan from the app's files: the runner, the deployment, the databases and the
//! Litestream version decide every command.

use std::fmt;

use super::{Kind, Plan, PlanDb, Step, Where};
use crate::kamal::deploy::{litestream_accessories, roles};
use crate::kamal::view::{accessory_paths_for, clean, config_path, mounts, rails_paths, views, View};
use crate::litestream::dbs;
use crate::project::Project;
use crate::runner::gem::RestoreTask;
use crate::runner::{Kind as Runner, Runner as RunnerInfo};
use crate::version::{Line, Version};

#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Databases to restore: database.yml names (`primary`, `queue`), file names or paths. Empty: all.
    pub databases: Vec<String>,
    /// Restore to this time (RFC 3339), instead of the newest state.
    pub timestamp: Option<String>,
    /// The Kamal destination (`-d`).
    pub destination: Option<String>,
    /// Restore onto a new, empty host before the app's first boot.
    pub new_host: bool,
    /// The folder (beside each database) the old files move into. Default: `pre-restore-<UTC time>`.
    pub aside: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PlanError {
    NoConfig,
    NoRunner,
    NoDatabase,
    UnknownDatabase {
        wanted: String,
        known: Vec<String>,
    },
    UnknownDestination {
        wanted: String,
        known: Vec<String>,
    },
    NeedDestination {
        known: Vec<String>,
    },
    BadTimestamp(String),
    BadAside(String),
    UnknownPath(String),
    /// The image's entrypoint starts Litestream: every `kamal app exec` container would run it.
    EntrypointStartsLitestream {
        at: String,
    },
}

impl fmt::Display for PlanError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PlanError::NoConfig => write!(f, "no config/litestream.yml (or it cannot be read): there is nothing to restore from"),
            PlanError::NoRunner => write!(f, "nothing in the app's files runs Litestream (no Kamal accessory, no litestream gem, no Litestream binary in the Dockerfile); `litestream-guard check` says what it found"),
            PlanError::NoDatabase => write!(f, "config/litestream.yml lists no database"),
            PlanError::UnknownDatabase { wanted, known } => write!(f, "no database `{wanted}` in config/litestream.yml; it lists {}", known.join(", ")),
            PlanError::UnknownDestination { wanted, known } => write!(f, "no Kamal destination `{wanted}` (config/deploy.{wanted}.yml); the app has {}", if known.is_empty() { "none".to_string() } else { known.join(", ") }),
            PlanError::NeedDestination { known } => write!(f, "this app deploys to several destinations ({}): name one with --destination", known.join(", ")),
            PlanError::BadTimestamp(t) => write!(f, "`{t}` is not an RFC 3339 time such as 2026-05-01T12:00:00Z (what `restore -timestamp` takes)"),
            PlanError::BadAside(a) => write!(f, "`{a}` is not a plain folder name (letters, digits, `-`, `_`, `.`)"),
            PlanError::UnknownPath(p) => write!(f, "the path `{p}` in config/litestream.yml is only known at run time (a variable), so the plan cannot name the files"),
            PlanError::EntrypointStartsLitestream { at } => write!(f, "the image's entrypoint starts `litestream replicate` ({at}), so every `kamal app exec` container would start replicating the databases while they are restored and swapped; no safe plan can be made from Kamal commands. Start Litestream from the image's CMD or a Procfile instead (`kamal app exec` replaces those), or restore by hand with the app's storage volume mounted in a container whose entrypoint is `sh`"),
        }
    }
}

impl std::error::Error for PlanError {}

/// Safe inside `kamal … exec "…"`, `sh -c '…'` and the host's shell: nothing any of them expands.
fn plain(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '/' | '.' | '-' | '_' | ':' | '+' | '@' | '%' | ','))
}

fn rfc3339(t: &str) -> bool {
    let b = t.as_bytes();
    let digits = |r: std::ops::Range<usize>| r.clone().all(|i| b.get(i).is_some_and(u8::is_ascii_digit));
    b.len() >= 20
        && digits(0..4)
        && b[4] == b'-'
        && digits(5..7)
        && b[7] == b'-'
        && digits(8..10)
        && (b[10] == b'T' || b[10] == b't')
        && digits(11..13)
        && b[13] == b':'
        && digits(14..16)
        && b[16] == b':'
        && digits(17..19)
        && plain(t)
        && (t.ends_with('Z') || t.ends_with('z') || t[19..].contains(['+', '-']))
}

fn now_stamp() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    // Civil date from days since 1970-01-01 (proleptic Gregorian).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = if m <= 2 { y + 1 } else { y };
    format!(
        "{y:04}{m:02}{d:02}T{:02}{:02}{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

fn dir_of(p: &str) -> &str {
    p.rsplit_once('/')
        .map_or(".", |(d, _)| if d.is_empty() { "/" } else { d })
}

fn file_of(p: &str) -> &str {
    p.rsplit('/').next().unwrap_or(p)
}

/// How the kamal commands of this plan are addressed.
struct Kamal {
    /// ` -d DEST`, or empty.
    dest: String,
    /// The role whose containers hold the databases, for `app exec`.
    role: String,
    /// False when the app has no Kamal config: commands are then the container commands alone.
    present: bool,
}

impl Kamal {
    fn app_exec(&self, cmd: &str) -> String {
        if self.present {
            format!("kamal app exec{} --roles {} --primary \"{cmd}\"", self.dest, self.role)
        } else {
            cmd.to_string()
        }
    }

    fn accessory_exec(&self, name: &str, cmd: &str) -> String {
        format!("kamal accessory exec{} {name} \"{cmd}\"", self.dest)
    }

    fn app(&self, sub: &str) -> String {
        format!("kamal app {sub}{}", self.dest)
    }

    fn accessory(&self, sub: &str, name: &str) -> String {
        format!("kamal accessory {sub}{} {name}", self.dest)
    }
}

/// The deployment the plan is for.
fn pick_view<'p>(p: &'p Project, vs: &'p [View<'p>], wanted: Option<&str>) -> Result<Option<&'p View<'p>>, PlanError> {
    let known: Vec<String> = p.destinations.iter().map(|(d, _)| d.clone()).collect();
    match wanted {
        Some(w) => vs
            .iter()
            .find(|v| v.dest == Some(w))
            .map(Some)
            .ok_or(PlanError::UnknownDestination {
                wanted: w.to_string(),
                known,
            }),
        None if vs.is_empty() => Ok(None),
        None => match vs.iter().find(|v| v.dest.is_none()) {
            Some(v) => Ok(Some(v)),
            None if vs.len() == 1 => Ok(vs.first()),
            None => Err(PlanError::NeedDestination { known }),
        },
    }
}

/// Where the image's ENTRYPOINT script starts Litestream, if it does (`file:line`).
fn entrypoint_start(p: &Project, r: &RunnerInfo) -> Option<String> {
    let start = r.start.as_ref()?;
    if r.kind == Runner::Accessory || !p.app.scripts.contains(&start.loc.src) {
        return None;
    }
    let src = p.app.dockerfile?;
    let d = crate::app::dockerfile::Dockerfile::parse(&p.file(src).text);
    let (ep, _) = d.entrypoint_and_cmd();
    let script = &p.file(start.loc.src).display;
    let workdir = d
        .final_stage()
        .and_then(|s| s.workdir.as_ref().map(|w| w.0.clone()))
        .unwrap_or_else(|| p.model.rails_root.clone());
    let is_entrypoint = ep?.0.iter().take(3).any(|w| {
        d.copied_from(w)
            .or_else(|| crate::app::repo_path(w, &workdir))
            .is_some_and(|rel| script.ends_with(&rel))
    });
    is_entrypoint.then(|| crate::runner::at(p, start))
}

/// The config file the runner's Litestream reads, in its container.
fn config_in(p: &Project, r: &RunnerInfo, view: Option<&View>) -> String {
    match r.kind {
        Runner::Accessory => view
            .and_then(|v| {
                litestream_accessories(v.root)
                    .into_iter()
                    .find(|a| a.name.as_str() == r.accessory.as_deref())
                    .map(|a| config_path(a.node).0)
            })
            .unwrap_or_else(|| "/etc/litestream.yml".into()),
        Runner::Gem => format!("{}/{}", p.model.rails_root, crate::runner::gem::DEFAULT_CONFIG),
        Runner::Image => r
            .start
            .as_ref()
            .and_then(|s| {
                let w: Vec<String> = s
                    .text
                    .split_whitespace()
                    .map(|x| x.trim_matches(['"', '\'']).to_string())
                    .collect();
                crate::kamal::view::flag_value(&w, "config").map(str::to_string)
            })
            .unwrap_or_else(|| "/etc/litestream.yml".into()),
    }
}

/// Builds the plan. The project must have been `finish`ed.
pub fn plan(p: &Project, opts: &Options) -> Result<Plan, PlanError> {
    let root = p.litestream_root().ok_or(PlanError::NoConfig)?;
    let runner = p.model.primary().cloned().ok_or(PlanError::NoRunner)?;
    if let Some(t) = &opts.timestamp {
        if !rfc3339(t) {
            return Err(PlanError::BadTimestamp(t.clone()));
        }
    }
    let aside = opts
        .aside
        .clone()
        .unwrap_or_else(|| format!("pre-restore-{}", now_stamp()));
    if !plain(&aside) || aside.contains('/') {
        return Err(PlanError::BadAside(aside));
    }
    let vs = views(p);
    let view = pick_view(p, &vs, opts.destination.as_deref())?;
    let version: Version = p.chosen_version();
    let role = view
        .and_then(|v| roles(v.root).first().map(|r| r.name.to_string()))
        .unwrap_or_else(|| "web".into());
    let k = Kamal {
        dest: view.and_then(|v| v.dest).map_or(String::new(), |d| format!(" -d {d}")),
        role: role.clone(),
        present: view.is_some(),
    };
    let in_app = runner.in_app_container();
    if let Some(at) = entrypoint_start(p, &runner) {
        return Err(PlanError::EntrypointStartsLitestream { at });
    }

    // The databases: as litestream.yml names them, where the app opens them, and where the
    // restored copy goes.
    let rails = rails_paths(p);
    let acc_mounts = view.and_then(|v| {
        litestream_accessories(v.root)
            .into_iter()
            .find(|a| a.name.as_str() == runner.accessory.as_deref())
            .map(|a| (v, mounts(a.node)))
    });
    let mut all: Vec<PlanDb> = Vec::new();
    for db in dbs(root) {
        let Some(path_node) = db.path else { continue };
        let written = path_node.as_str().unwrap_or("");
        if path_node.is_opaque() || written.is_empty() || written.contains('$') {
            return Err(PlanError::UnknownPath(
                path_node.written().unwrap_or(written).to_string(),
            ));
        }
        let ls_abs = if written.starts_with('/') {
            clean(written)
        } else {
            clean(&format!("{}/{written}", runner.cwd))
        };
        let (name, app_path) = match (&acc_mounts, in_app) {
            (_, true) => (
                rails.iter().find(|r| r.path == ls_abs).map(|r| r.name.to_string()),
                ls_abs.clone(),
            ),
            (Some((v, m)), false) => match rails
                .iter()
                .find(|r| accessory_paths_for(v.root, m, &r.path).contains(&ls_abs))
            {
                Some(r) => (Some(r.name.to_string()), r.path.clone()),
                None => (None, ls_abs.clone()),
            },
            (None, false) => (
                rails.iter().find(|r| r.path == ls_abs).map(|r| r.name.to_string()),
                ls_abs.clone(),
            ),
        };
        for path in [&ls_abs, &app_path] {
            if !plain(path) {
                return Err(PlanError::UnknownPath(path.clone()));
            }
        }
        let file = file_of(&ls_abs);
        all.push(PlanDb {
            name,
            litestream_path: if runner.kind == Runner::Gem {
                written.to_string()
            } else {
                ls_abs.clone()
            },
            restored: format!("{}/restored-{file}", dir_of(&ls_abs)),
            restored_in_app: format!("{}/restored-{}", dir_of(&app_path), file_of(&app_path)),
            app_path,
        });
    }
    if all.is_empty() {
        return Err(PlanError::NoDatabase);
    }
    let chosen: Vec<PlanDb> = if opts.databases.is_empty() {
        all.clone()
    } else {
        let mut out = Vec::new();
        for w in &opts.databases {
            let hit = all.iter().find(|d| {
                d.name.as_deref() == Some(w.as_str())
                    || file_of(&d.app_path) == w
                    || d.app_path == *w
                    || d.litestream_path == *w
            });
            match hit {
                Some(d) if !out.contains(d) => out.push(d.clone()),
                Some(_) => {}
                None => {
                    return Err(PlanError::UnknownDatabase {
                        wanted: w.clone(),
                        known: all
                            .iter()
                            .map(|d| d.name.clone().unwrap_or_else(|| file_of(&d.app_path).to_string()))
                            .collect(),
                    })
                }
            }
        }
        out
    };

    let config = config_in(p, &runner, view);
    let acc = runner.accessory.clone().unwrap_or_else(|| "litestream".into());
    let mut steps: Vec<Step> = Vec::new();
    let mut push = |kind: Kind,
                    title: String,
                    command: String,
                    runs: Where,
                    inner: Option<String>,
                    expect: &str,
                    db: Option<&PlanDb>| {
        steps.push(Step {
            n: 0,
            kind,
            title,
            command,
            runs,
            in_container: inner,
            expect: expect.to_string(),
            database: db.map(|d| d.app_path.clone()),
        });
    };
    let litestream_cmd = |sub: &str, args: &str| -> (String, String, Where) {
        match runner.kind {
            Runner::Accessory => {
                let inner = format!("{sub} -config {config} {args}");
                (k.accessory_exec(&acc, &inner), inner, Where::LitestreamContainer)
            }
            Runner::Image => {
                let inner = format!("litestream {sub} -config {config} {args}");
                (k.app_exec(&inner), inner, Where::AppContainer)
            }
            Runner::Gem => {
                // The gem's rake task sets the variables from its settings before it runs Litestream.
                let inner = format!("bin/rails litestream:{sub} -- {args}");
                (k.app_exec(&inner), inner, Where::AppContainer)
            }
        }
    };

    // 1. Look first.
    push(
        Kind::Inspect,
        "Check the setup this plan was made for".into(),
        "litestream-guard check".into(),
        Where::Local,
        None,
        "its `runner:` line names the same runner as this plan; fix its errors about litestream.yml first",
        None,
    );
    // On a new host, what the restore runs in must exist first: the accessory (booting it uploads
    // its config; with no database file yet it replicates nothing), or the app's image.
    if opts.new_host && k.present {
        if runner.kind == Runner::Accessory {
            push(
                Kind::StartLitestream,
                "Boot Litestream on the new host (it uploads the config; there is no database to replicate yet)".into(),
                k.accessory("boot", &acc),
                Where::Local,
                None,
                "exit 0",
                None,
            );
        } else {
            push(
                Kind::Inspect,
                "Build and push the app's image, so that `kamal app exec` can run it on the new host".into(),
                format!("kamal build push{}", k.dest),
                Where::Local,
                None,
                "exit 0",
                None,
            );
        }
    }
    for d in &chosen {
        let list = match (runner.kind, version.line) {
            (Runner::Gem, _) => format!("--database={}", d.litestream_path),
            (_, Line::V05) if !version.v05_before(8) && version.patch.is_some() => {
                format!("-level all {}", d.litestream_path)
            }
            _ => d.litestream_path.clone(),
        };
        let sub = if version.line == Line::V05 {
            "ltx"
        } else {
            "generations"
        };
        let (cmd, inner, runs) = litestream_cmd(sub, &list);
        push(
            Kind::Inspect,
            format!("See what the backup of {} holds", shown(d)),
            cmd,
            runs,
            Some(inner),
            "the newest entry's time is how recent the backup is; a point in time must lie between the oldest and the newest",
            Some(d),
        );
    }

    // 2. Stop everything that holds the databases.
    if !opts.new_host && k.present {
        push(
            Kind::StopApp,
            "Stop the app (every role)".into(),
            k.app("stop"),
            Where::Local,
            None,
            "Kamal exits 0 even when a stop fails: the next step proves it",
            None,
        );
        push(
            Kind::ProveStopped,
            "Prove the app is stopped".into(),
            k.app("details"),
            Where::Local,
            None,
            "no container of any role is listed; close any `kamal app exec -i` console too (its container keeps the databases open)",
            None,
        );
        if runner.kind == Runner::Accessory {
            push(
                Kind::StopLitestream,
                "Stop Litestream".into(),
                k.accessory("stop", &acc),
                Where::Local,
                None,
                "Kamal exits 0 even when a stop fails: the next step proves it",
                None,
            );
            push(
                Kind::ProveStopped,
                "Prove Litestream is stopped".into(),
                k.accessory("details", &acc),
                Where::Local,
                None,
                "its container is not listed as `Up`",
                None,
            );
        }
    }

    // 3. Per database: restore to a new file, check it, move the old set aside, put the new one in.
    let gem_version = crate::runner::gem::locked(p).map(|(v, _)| v);
    let gem_task = crate::runner::gem::restore_task(gem_version.as_deref());
    let integrity_flag =
        version.line == Line::V05 && version.patch.is_some_and(|p| p >= 10) && runner.kind != Runner::Gem;
    for d in &chosen {
        let mut flags = String::new();
        if let Some(t) = &opts.timestamp {
            flags.push_str(&match runner.kind {
                Runner::Gem => format!("-timestamp={t} "),
                _ => format!("-timestamp {t} "),
            });
        }
        if opts.new_host {
            flags.push_str("-if-replica-exists ");
        }
        if integrity_flag {
            flags.push_str("-integrity-check full ");
        }
        let args = match runner.kind {
            Runner::Gem => format!("--database={} -o={} {flags}", d.litestream_path, d.restored),
            _ => format!("{flags}-o {} {}", d.restored, d.litestream_path),
        };
        let (cmd, inner, runs) = litestream_cmd("restore", args.trim_end());
        // The gem's task says nothing reliable about the restore (runner::gem::RestoreTask): the
        // next step's check is what tells.
        let expect = match (runner.kind, gem_task) {
            (Runner::Gem, Some(RestoreTask::Detached)) => format!(
                "litestream-ruby {} returns at once and restores in the background: go on only when the next step finds the file (Litestream writes it under a `.tmp` name and renames it when it is complete)",
                gem_version.as_deref().unwrap_or("")
            ),
            (Runner::Gem, _) => "the task exits 0 even when the restore fails (the gem does not check Litestream's exit status): read its output, and let the next step decide".to_string(),
            _ => "no error; the file does not exist yet, so Litestream writes it (all flags come before the database path)".to_string(),
        };
        push(
            Kind::Restore,
            format!("Restore {} to a new file", shown(d)),
            cmd,
            runs,
            Some(inner),
            &expect,
            Some(d),
        );
        let check = format!("sqlite3 {} 'PRAGMA integrity_check'", d.restored_in_app);
        push(
            Kind::IntegrityCheck,
            format!("Check the restored copy of {}", shown(d)),
            k.app_exec(&check),
            Where::AppContainer,
            Some(check),
            "`ok` (an error, or no such file, means the restore failed: stop here, nothing has changed yet)",
            Some(d),
        );
        let dir = dir_of(&d.app_path);
        let file = file_of(&d.app_path);
        let script = format!(
            "cd {dir} && mkdir -p {aside} && mv {file} {aside}/ && {{ mv {file}-wal {aside}/ 2>/dev/null; mv {file}-shm {aside}/ 2>/dev/null; mv .{file}-litestream {aside}/ 2>/dev/null; true; }} && test ! -e {file}-wal && test ! -e {file}-shm"
        );
        let inner = format!("sh -c '{script}'");
        if !opts.new_host {
            push(
                Kind::MoveAside,
                format!(
                    "Move the old {} aside, with its -wal, -shm and tracking folder",
                    shown(d)
                ),
                k.app_exec(&inner),
                Where::AppContainer,
                Some(inner),
                &format!(
                    "exit 0; the old files are in {dir}/{aside}/ (kept for rolling back). A failure means a file stayed beside the database: stop, and look with `{}`",
                    k.app_exec(&format!("ls -la {dir}"))
                ),
                Some(d),
            );
        }
        // A copy made by the app's user is the app's: the accessory writes as its own user.
        let put = if in_app {
            format!("mv {} {}", d.restored_in_app, d.app_path)
        } else {
            format!("cp {} {}", d.restored_in_app, d.app_path)
        };
        push(
            Kind::PutInPlace,
            format!("Put the restored {} in place", shown(d)),
            k.app_exec(&put),
            Where::AppContainer,
            Some(put),
            "exit 0",
            Some(d),
        );
    }

    // 4. Start again, Litestream first, and prove it.
    if runner.kind == Runner::Accessory && !opts.new_host {
        push(
            Kind::StartLitestream,
            "Start Litestream".into(),
            k.accessory(if opts.new_host { "boot" } else { "start" }, &acc),
            Where::Local,
            None,
            "exit 0",
            None,
        );
        push(
            Kind::ProveStarted,
            "Prove Litestream runs".into(),
            k.accessory("details", &acc),
            Where::Local,
            None,
            "its container is `Up`",
            None,
        );
    }
    if k.present {
        push(
            Kind::StartApp,
            if opts.new_host {
                "Deploy the app".into()
            } else {
                "Boot the app".into()
            },
            if opts.new_host {
                format!("kamal deploy{}", k.dest)
            } else {
                k.app("boot")
            },
            Where::Local,
            None,
            if opts.new_host {
                "exit 0; the entrypoint's `db:prepare` finds the restored files and only migrates them"
            } else {
                "exit 0 (`kamal app boot` starts the image deployed last, for every role)"
            },
            None,
        );
        push(
            Kind::ProveStarted,
            "Prove the app runs".into(),
            k.app("details"),
            Where::Local,
            None,
            "a running container for every role",
            None,
        );
    }
    push(
        Kind::Verify,
        "Prove the backups run again".into(),
        "litestream-guard verify".into(),
        Where::Local,
        None,
        "every restored database `ok`, with a backup age of minutes (with the bucket's credentials in the environment)",
        None,
    );
    for (i, s) in steps.iter_mut().enumerate() {
        s.n = i + 1;
    }

    let mut notes = Vec::new();
    if let Some(t) = &opts.timestamp {
        let has = |n: &str| {
            chosen
                .iter()
                .any(|d| d.name.as_deref() == Some(n) || file_of(&d.app_path).contains(n))
        };
        let listed = |n: &str| {
            all.iter()
                .any(|d| d.name.as_deref() == Some(n) || file_of(&d.app_path).contains(n))
                || rails.iter().any(|r| r.name == n)
        };
        if has("queue") {
            notes.push(format!("The Solid Queue database goes back to {t} too: jobs that ran after that time run again, and jobs enqueued after it are gone."));
        } else if listed("queue") && (has("primary") || chosen.iter().any(|d| d.name.is_none())) {
            notes.push(format!("The queue database stays as it is while the data goes back to {t}: queued jobs may name records that no longer exist. Restore the queue to the same time (add it to the databases), or accept failing jobs."));
        }
        if has("cache") {
            notes.push("The Solid Cache database goes back too; its entries were computed from data that may have changed since. Clearing it after the boot is safe: `kamal app exec --roles web --primary \"bin/rails runner Rails.cache.clear\"`.".into());
        } else if listed("cache") {
            notes.push("Solid Cache still holds entries computed from the newer data: clear it after the boot (`kamal app exec --roles web --primary \"bin/rails runner Rails.cache.clear\"`).".into());
        }
    } else if version.line == Line::V03 {
        notes.push("On Litestream 0.3 a restore takes the newest generation. If an empty database was created and replicated after the loss (e.g. the app booted without it), pass --timestamp with a time before that.".into());
    }
    if let Some(v) = view {
        let hosts = crate::kamal::hosts(v.root);
        if hosts.len() > 1 {
            notes.push(format!("The app runs on {} hosts ({}), each with its own databases: this plan restores the primary host's (`--primary`). For another host, replace `--primary` with `--hosts HOST` in the app commands.", hosts.len(), hosts.join(", ")));
        }
    }
    if !in_app {
        notes.push("The accessory writes the restored copy as its own user; `cp` in the app container makes the database the app user's, as before.".into());
    }
    if opts.new_host {
        notes.push("New host: nothing may create the database files before this plan ends (the Rails entrypoint's `db:prepare` creates empty ones), so the app is not booted until the last steps. With no backup at all, `-if-replica-exists` makes the restore a no-op and the check step then fails: start fresh instead.".into());
    }
    notes.push(format!("Old files stay in `{aside}` beside each database; delete them once the restore is confirmed. To roll back before the app starts: move the restored file aside the same way and move the `{aside}` files back."));

    Ok(Plan {
        runner: runner.kind.id(),
        litestream_version: version.to_string(),
        destination: view.and_then(|v| v.dest).map(str::to_string),
        timestamp: opts.timestamp.clone(),
        new_host: opts.new_host,
        databases: chosen,
        aside,
        steps,
        notes,
    })
}

fn shown(d: &PlanDb) -> String {
    match &d.name {
        Some(n) => format!("`{n}` ({})", file_of(&d.app_path)),
        None => format!("`{}`", file_of(&d.app_path)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_and_names() {
        assert!(rfc3339("2026-05-01T12:00:00Z"));
        assert!(rfc3339("2026-05-01T12:00:00+02:00"));
        assert!(!rfc3339("2026-05-01 12:00"));
        assert!(!rfc3339("yesterday"));
        assert!(!rfc3339("2026-05-01T12:00:00Z; rm -rf /"));
        assert!(plain("/rails/storage/production.sqlite3"));
        assert!(!plain("/rails/storage/$DB"));
        assert_eq!(now_stamp().len(), 16);
    }
}
