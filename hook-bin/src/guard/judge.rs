//! The rules: what each operation means for this app's live databases, given where it runs and
//! whether the app is known to be stopped. Each finding names its rule; `choose` in the module root picks
//! the answer.

use super::layout::{part_path, relate, split, Part, Place, Rel};
use super::local;
use super::ops::{mentions_database, Backup, DataOp, FileOp, Op, Restore, Verb};
use super::reason;
use super::stopped::{why_not, why_stopped};
use super::walk::{Flow, State, Walker};
use super::words::{Arg, DYN};
use super::{glob, Finding, Verdict};
use crate::rules::bash::{backups, data, files, invocation, restore, unparsed};

/// A live database file that an operation touches.
#[derive(Debug, Clone)]
pub struct Hit {
    /// The database (main file) as the config names it, or its local path.
    pub db: String,
    pub part: Part,
    pub rel: Rel,
    /// False when the operation's path is partly unknown (`$VAR`, unknown directory).
    pub certain: bool,
    /// Local paths of the database's main file, to look at (local commands only).
    pub local: Vec<String>,
    /// Why it counts as live.
    pub source: String,
    /// Live only because a local process holds it open (no config names it).
    pub held_only: bool,
}

impl Hit {
    pub fn file(&self) -> String {
        part_path(&self.db, self.part)
    }
}

/// Whether the app is stopped for a hit, and why the guard thinks so.
#[derive(Debug, Clone)]
pub enum Status {
    Stopped(String),
    /// Running, or not known to be stopped.
    NotStopped(String),
}

const DB_SUFFIXES: [&str; 4] = [".sqlite3", ".sqlite", ".db", ".sqlitedb"];

fn db_like(name: &str) -> bool {
    DB_SUFFIXES.iter().any(|s| name.ends_with(s)) || ["-wal", "-shm", "-journal"].iter().any(|s| name.ends_with(s))
}

/// The database main file a local path belongs to: `x.db-wal` → `x.db`, `.x.db-litestream` →
/// `x.db`.
fn base_db(path: &str) -> (String, Part) {
    for part in Part::SIDECARS {
        if let Some(b) = path.strip_suffix(part.suffix()) {
            return (b.to_string(), part);
        }
    }
    let (dir, name) = split(path);
    if let Some(n) = name.strip_prefix('.').and_then(|n| n.strip_suffix("-litestream")) {
        return (format!("{dir}/{n}"), Part::Meta);
    }
    (path.to_string(), Part::Main)
}

impl Walker<'_> {
    pub(super) fn judge(&mut self, op: &Op, shown: &str, flow: &Flow, st: &State) {
        if flow.host_tail {
            self.on_host(op, shown, flow);
        }
        match op {
            Op::Unresolved(text) => {
                if mentions_database(text) {
                    self.push(Finding {
                        rule: &unparsed::UNPARSED_MENTIONS_DB,
                        verdict: Verdict::Ask,
                        reason: reason::unparsed(text),
                    });
                }
            }
            Op::Entrypoint {
                shown,
                corrected,
                doubled,
            } => self.push(Finding {
                rule: &invocation::ENTRYPOINT_MISMATCH,
                verdict: Verdict::Deny,
                reason: reason::entrypoint(shown, corrected, *doubled, &flow.runner),
            }),
            Op::Restore(r) => self.judge_restore(r, shown, flow, st),
            // A check that a path is absent changes nothing; it only tells the session.
            Op::File(f) if f.verb == Verb::Absent => {}
            Op::File(f) => match &f.remote {
                Some(r) => {
                    let there = self.remote_flow(r);
                    self.judge_file(f, shown, &there, st)
                }
                None => self.judge_file(f, shown, flow, st),
            },
            Op::Data(d) => self.judge_data(d, flow, st),
            Op::RailsTask { task, env } => {
                let env = env.clone().or_else(|| flow.vars.get("RAILS_ENV").cloned());
                for path in self.rails_paths(task.db.as_deref(), env.as_deref(), flow) {
                    let d = DataOp {
                        path: Arg::lit(&path),
                        what: task.what.to_string(),
                        tool: shown.to_string(),
                    };
                    self.judge_data(&d, flow, st);
                }
            }
            Op::Backup(b) => self.judge_backup(b, shown),
            Op::Kamal { .. } => {}
        }
    }

    /// G011: after the first command of a `kamal … exec` line, commands run on the host. A file
    /// operation there on a path of the app's container is not what was meant.
    fn on_host(&mut self, op: &Op, shown: &str, flow: &Flow) {
        let path = match op {
            Op::File(f) if f.verb == Verb::Absent => return,
            Op::File(f) if f.remote.is_none() => &f.path,
            Op::Restore(r) => match &r.output {
                Some(o) => o,
                None => return,
            },
            Op::Data(d) => &d.path,
            Op::RailsTask { .. } => {
                self.push(Finding {
                    rule: &invocation::EXEC_PART_ON_HOST,
                    verdict: Verdict::Deny,
                    reason: reason::on_host(shown, "", &flow.ctx),
                });
                return;
            }
            _ => return,
        };
        let layout = self.env.layout();
        let container_path = !path.text.starts_with('/')
            || path.text.starts_with("/rails")
            || layout
                .app_mounts
                .iter()
                .any(|m| super::layout::under(&path.text, &m.target).is_some());
        if container_path && !path.text.starts_with(DYN) {
            self.push(Finding {
                rule: &invocation::EXEC_PART_ON_HOST,
                verdict: Verdict::Deny,
                reason: reason::on_host(shown, &path.show(), &flow.ctx),
            });
        }
    }

    /// The live database files `abs` (a pattern) names, and, for local commands, files a
    /// process holds open.
    pub(super) fn hits(
        &self,
        abs: &str,
        certain: bool,
        flow: &Flow,
        recursive: bool,
        filter: Option<&str>,
    ) -> Vec<Hit> {
        let layout = self.env.layout();
        let place = layout.place(&flow.ctx, abs);
        let mut out: Vec<Hit> = Vec::new();
        for db in &layout.dbs {
            for part in [Part::Main, Part::Wal, Part::Shm, Part::Journal, Part::Meta] {
                let live = Place {
                    root: db.place.root.clone(),
                    rel: part_path(&db.place.rel, part),
                };
                // Only the names the file has where the command runs.
                let shows = layout.names_in(&flow.ctx, db, part);
                let rel = match relate(&place, &live, &shows) {
                    Some(Rel::Exact) => Rel::Exact,
                    Some(Rel::Ancestor) if recursive => Rel::Ancestor,
                    _ => continue,
                };
                if let Some(f) = filter {
                    let name = split(&part_path(&db.path, part)).1.to_string();
                    if !glob::matches(f, &name) {
                        continue;
                    }
                }
                let mut local = Vec::new();
                if flow.ctx.is_local() {
                    local = layout.shows(db, Part::Main);
                    // The path the command names, when it names the file itself.
                    if rel == Rel::Exact && !glob::is_pattern(abs) {
                        let (b, _) = base_db(abs);
                        if !local.contains(&b) {
                            local.insert(0, b);
                        }
                    }
                }
                out.push(Hit {
                    db: db.path.clone(),
                    part,
                    rel,
                    certain,
                    local,
                    source: format!("from {}", db.source),
                    held_only: false,
                });
            }
        }
        if flow.ctx.is_local() && !certain && !mentions_database(abs) {
            // Here a path known only at run time, whose known part names no database, can
            // only reach the databases this machine has.
            out.retain(|h| h.local.iter().any(|p| local::exists(p)));
        }
        // A pattern of nothing but wildcards says nothing about which local file it names.
        let evidence = certain || abs.chars().any(|c| !matches!(c, '*' | '/' | '?'));
        if flow.ctx.is_local() && evidence {
            self.held_hits(abs, recursive, filter, &mut out);
        }
        out
    }

    /// Local files that are not configured databases but that a process holds open.
    fn held_hits(&self, abs: &str, recursive: bool, filter: Option<&str>, out: &mut Vec<Hit>) {
        let pattern = glob::is_pattern(abs);
        let (dir_like, name) = (recursive || pattern, split(abs).1);
        if !dir_like && !db_like(name) && !local::is_sqlite(abs) {
            return;
        }
        let procs = self.env.procs();
        if !procs.available {
            return;
        }
        let mut candidates: Vec<(String, Part)> = Vec::new();
        if pattern {
            for h in &procs.held {
                if glob::matches(abs, &h.path) {
                    candidates.push(base_db(&h.path));
                }
            }
        } else {
            candidates.push(base_db(abs));
            if recursive {
                for h in procs.holding(abs, true) {
                    candidates.push(base_db(&h.path));
                }
            }
        }
        for (db, part) in candidates {
            let name = split(&db).1.to_string();
            if let Some(f) = filter {
                if !glob::matches(f, split(&part_path(&db, part)).1) {
                    continue;
                }
            }
            if out.iter().any(|h| h.local.contains(&db) && h.part == part) {
                continue;
            }
            let held = !procs.holding(&db, false).is_empty()
                || Part::SIDECARS
                    .iter()
                    .any(|p| !procs.holding(&part_path(&db, *p), false).is_empty());
            if !held || !(db_like(&name) || local::is_sqlite(&db)) {
                continue;
            }
            out.push(Hit {
                rel: if part_path(&db, part) == abs || pattern {
                    Rel::Exact
                } else {
                    Rel::Ancestor
                },
                db: db.clone(),
                part,
                certain: true,
                local: vec![db],
                source: "held open by a running process".into(),
                held_only: true,
            });
        }
    }

    /// Whether the app (or the local process) is stopped for `hit`.
    pub(super) fn status(&self, hit: &Hit, flow: &Flow, st: &State) -> Status {
        if flow.ctx.is_local() && !hit.local.is_empty() {
            let procs = self.env.procs();
            let mut holders: Vec<u32> = Vec::new();
            for p in &hit.local {
                for part in [Part::Main, Part::Wal, Part::Shm] {
                    for h in procs.holding(&part_path(p, part), false) {
                        if !holders.contains(&h.pid) {
                            holders.push(h.pid);
                        }
                    }
                }
            }
            if !holders.is_empty() {
                return Status::NotStopped(reason::holders(&holders));
            }
            for p in &hit.local {
                let reps = procs.replicating(p);
                if let Some(pid) = reps.first() {
                    return Status::NotStopped(format!("`litestream replicate` (PID {pid}) is replicating it"));
                }
                let name = split(p).1;
                if let Some(pid) = procs
                    .hidden_mentioning(p)
                    .first()
                    .or(procs.hidden_mentioning(name).first())
                {
                    return Status::NotStopped(format!(
                        "PID {pid} (`{}`), whose open files this user cannot read, names it",
                        local::command_of(*pid)
                    ));
                }
            }
            // The file, or (once it was moved aside) its directory, is on this machine.
            let observable = hit.local.iter().any(|p| {
                super::layout::docker_volume_path(p).is_none()
                    && (local::exists(p) || std::path::Path::new(split(p).0).is_dir())
            });
            if procs.available && observable {
                return Status::Stopped("no process on this machine holds it open".into());
            }
        }
        self.session_status(flow, st)
    }

    fn session_status(&self, flow: &Flow, st: &State) -> Status {
        let h = self.holders(flow, st);
        if h.all_stopped() {
            Status::Stopped(why_stopped(&h))
        } else {
            Status::NotStopped(why_not(&h))
        }
    }

    /// True when `place` is known to be gone (moved aside or deleted), on this line or earlier
    /// in the session.
    fn known_gone(&self, place: &Place, st: &State) -> bool {
        if st.gone.iter().any(|g| relate(g, place, &[]) == Some(Rel::Exact)) {
            return true;
        }
        self.env
            .session()
            .gone
            .iter()
            .filter_map(|g| Place::from_key(&g.place))
            .any(|g| relate(&g, place, &[]) == Some(Rel::Exact))
    }

    fn local_gone(path: &str, st: &State) -> bool {
        st.local_gone
            .iter()
            .any(|g| glob::matches(g, &glob::escape(path)) || glob::matches(g, path))
    }

    fn judge_restore(&mut self, r: &Restore, shown: &str, flow: &Flow, st: &State) {
        if !r.late_flags.is_empty() {
            self.push(Finding {
                rule: &invocation::FLAG_AFTER_PATH,
                verdict: Verdict::Deny,
                reason: reason::late_flags(r),
            });
        }
        let mut force = r.force;
        if let Some(v) = r.runner.version {
            let wrong = super::litestream_cmd::wrong_version_flags(r, v);
            // A flag this version does not have does nothing (the command fails).
            if wrong.iter().any(|(f, _)| f == "force") {
                force = false;
            }
            if !wrong.is_empty() {
                self.push(Finding {
                    rule: &invocation::FLAG_WRONG_VERSION,
                    verdict: Verdict::Deny,
                    reason: reason::wrong_version(r, v, &wrong),
                });
            }
        }
        if r.dry_run {
            return;
        }
        let Some(out) = &r.output else { return };
        if r.if_not_exists && !force {
            // Skipped when the database exists: it only restores where there is no file.
            let (abs, certain) = flow.resolve(out);
            self.sidecars(&abs, certain, false, shown, "restore", flow, st);
            return;
        }
        let (abs, certain) = flow.resolve(out);
        let hits: Vec<Hit> = self
            .hits(&abs, certain, flow, false, None)
            .into_iter()
            .filter(|h| h.part == Part::Main)
            .collect();
        if force {
            let status = hits.first().map(|h| self.status(h, flow, st));
            let (verdict, why) = match &status {
                Some(Status::NotStopped(w)) => (Verdict::Deny, w.clone()),
                Some(Status::Stopped(w)) => (Verdict::Ask, w.clone()),
                None => match self.session_status(flow, st) {
                    Status::Stopped(w) => (Verdict::Ask, w),
                    Status::NotStopped(w) if flow.ctx.is_local() => (Verdict::Ask, w),
                    Status::NotStopped(w) => (Verdict::Deny, w),
                },
            };
            let verdict = if hits.iter().all(|h| !h.certain) && verdict == Verdict::Deny && !hits.is_empty() {
                Verdict::Ask
            } else {
                verdict
            };
            self.push(Finding {
                rule: &restore::RESTORE_FORCE,
                verdict,
                reason: reason::force(shown, &abs, hits.first(), &why, verdict, &flow.ctx, &self.dests(flow)),
            });
            return;
        }
        for h in &hits {
            if let Status::NotStopped(why) = self.status(h, flow, st) {
                let verdict = if h.certain { Verdict::Deny } else { Verdict::Ask };
                self.push(Finding {
                    rule: &restore::RESTORE_OVER_LIVE,
                    verdict,
                    reason: reason::over_live(shown, h, &why, verdict, &flow.ctx, &self.dests(flow)),
                });
                return;
            }
        }
        self.sidecars(&abs, certain, !hits.is_empty(), shown, "restore", flow, st);
    }

    /// G003: `-wal`/`-shm`/`-journal` beside a path a database is about to appear at.
    #[allow(clippy::too_many_arguments)]
    fn sidecars(&mut self, abs: &str, certain: bool, live: bool, shown: &str, what: &str, flow: &Flow, st: &State) {
        if !certain || glob::is_pattern(abs) {
            return;
        }
        // Local files are looked at where their directory is on this machine; a container path
        // seen from a laptop is as invisible as a server's.
        if flow.ctx.is_local() && std::path::Path::new(split(abs).0).is_dir() {
            let present: Vec<String> = Part::SIDECARS
                .iter()
                .map(|p| part_path(abs, *p))
                .filter(|p| local::exists(p) && !Self::local_gone(p, st))
                .collect();
            if !present.is_empty() {
                self.push(Finding {
                    rule: &restore::STALE_SIDECARS,
                    verdict: Verdict::Deny,
                    reason: reason::sidecars_present(shown, abs, &present, what),
                });
            }
            return;
        }
        if !live {
            return;
        }
        let layout = self.env.layout();
        let missing: Vec<String> = [Part::Wal, Part::Shm]
            .iter()
            .filter(|p| {
                let place = layout.place(&flow.ctx, &part_path(abs, **p));
                !self.known_gone(&place, st)
            })
            .map(|p| part_path(abs, *p))
            .collect();
        if !missing.is_empty() {
            self.push(Finding {
                rule: &restore::STALE_SIDECARS,
                verdict: Verdict::Ask,
                reason: reason::sidecars_unknown(shown, abs, &missing, what, &flow.ctx),
            });
        }
    }

    /// True when a finding of `rule` at `verdict` or worse is already kept: another one would
    /// not change the answer, and working it out (processes, the session) costs.
    fn covered(&self, rule: &crate::rules::Rule, verdict: Verdict) -> bool {
        self.findings
            .iter()
            .any(|f| f.rule.id == rule.id && f.verdict >= verdict)
    }

    fn judge_file(&mut self, f: &FileOp, shown: &str, flow: &Flow, st: &State) {
        if self.covered(&files::LIVE_FILE_CLOBBERED, Verdict::Deny) {
            return;
        }
        // A path built at run time is matched as a pattern: `$(…)` alone may name anything.
        let (mut abs, certain) = flow.resolve(&f.path);
        if f.verb == Verb::Onto {
            let into = match f.into_dir {
                Some(b) => b,
                None => {
                    if flow.ctx.is_local() {
                        std::path::Path::new(&glob::unescape(&abs)).is_dir()
                    } else {
                        self.hits(&abs, certain, flow, true, None)
                            .iter()
                            .any(|h| h.rel == Rel::Ancestor)
                            || self.env.layout().mounts(&flow.ctx).iter().any(|m| m.target == abs)
                    }
                }
            };
            if into {
                if let Some(n) = &f.name {
                    abs = format!("{}/{}", abs.trim_end_matches('/'), glob::escape(n));
                }
            }
        }
        // `rm -r`, `find -delete`, and `cp -r`/`rsync` into a directory that holds databases.
        let recursive = f.recursive && !(f.verb == Verb::Onto && f.tool == "mv");
        let filter = f.filter.as_deref();
        let mut hits = self.hits(&abs, certain, flow, recursive, filter);
        if f.verb == Verb::Reset {
            hits = self
                .hits(&abs, certain, flow, false, None)
                .into_iter()
                .filter(|h| h.part == Part::Main)
                .map(|mut h| {
                    h.part = Part::Meta;
                    h
                })
                .collect();
        }
        if !f.exclude.is_empty() {
            hits.retain(|h| !excluded(h, &abs, &f.exclude));
        }
        let main_target = hits.iter().any(|h| h.part == Part::Main && h.rel == Rel::Exact);
        for h in &hits {
            if let Status::NotStopped(why) = self.status(h, flow, st) {
                let verdict = if h.certain { Verdict::Deny } else { Verdict::Ask };
                self.push(Finding {
                    rule: &files::LIVE_FILE_CLOBBERED,
                    verdict,
                    reason: reason::clobber(shown, f, h, &why, verdict, &flow.ctx, &self.dests(flow)),
                });
                return;
            }
        }
        if f.verb == Verb::Onto && !f.tool.starts_with("sqlite3") {
            self.sidecars(&abs, certain, main_target, shown, &f.tool, flow, st);
        }
    }

    /// G010: a Rails task or SQL that drops or rewrites a live database: denied while anything
    /// that holds it runs, asked when everything is stopped (the data is gone either way).
    fn judge_data(&mut self, d: &DataOp, flow: &Flow, st: &State) {
        if self.covered(&data::DESTROY_LIVE_DATA, Verdict::Deny) {
            return;
        }
        let (abs, certain) = flow.resolve(&d.path);
        // A database that is live only because a local process holds it (a development server's)
        // may be reset on purpose: SQLite keeps it consistent, and nothing else would be lost.
        // Unless it is the app's production database run here (config/database.yml's path).
        let layout = self.env.layout();
        let production_here = layout
            .rails_dbs
            .iter()
            .any(|(e, _, p)| e == "production" && layout.here(p).as_deref() == Some(abs.as_str()));
        let hits: Vec<Hit> = self
            .hits(&abs, certain, flow, false, None)
            .into_iter()
            .filter(|h| h.part == Part::Main && h.rel == Rel::Exact && (!h.held_only || production_here))
            .collect();
        let Some(h) = hits.first() else { return };
        let (verdict, why) = match self.status(h, flow, st) {
            Status::NotStopped(w) if h.certain => (Verdict::Deny, w),
            Status::NotStopped(w) | Status::Stopped(w) => (Verdict::Ask, w),
        };
        self.push(Finding {
            rule: &data::DESTROY_LIVE_DATA,
            verdict,
            reason: reason::data(d, h, &why, verdict, &flow.ctx, &self.dests(flow)),
        });
    }

    /// G005: the backups, the Litestream accessory or the storage volume. Deleting what the
    /// config names (the replica's bucket and path, the storage volume) is denied; what only
    /// may be it (a name built at run time, a bucket named like backups, a prune) is asked.
    fn judge_backup(&mut self, b: &Backup, shown: &str) {
        let layout = self.env.layout();
        let (verdict, what) = match b {
            Backup::AccessoryRemove(name) if layout.is_litestream_accessory(name) => (
                Verdict::Ask,
                format!("`{shown}` removes the Litestream accessory's container, image and files on the server: backups stop until it is booted again"),
            ),
            Backup::KamalRemove => (
                Verdict::Ask,
                format!("`{shown}` removes the app and every accessory, Litestream included: backups stop"),
            ),
            Backup::VolumeRm(names) => {
                let vols = layout.volume_names();
                let named = names
                    .iter()
                    .find(|n| !n.dynamic() && vols.iter().any(|v| glob::matches(v, &n.text) || *v == n.text.as_str()));
                let maybe = names
                    .iter()
                    .find(|n| n.dynamic() && vols.iter().any(|v| glob::matches(&n.pat, v)));
                match (named, maybe) {
                    (Some(n), _) => (
                        Verdict::Deny,
                        format!("`{shown}` deletes the Docker volume `{}`, which holds the live databases", n.text),
                    ),
                    (None, Some(n)) => (
                        Verdict::Ask,
                        format!("`{shown}` deletes a Docker volume whose name is only known at run time (`{}`); it may be the one that holds the live databases", n.show()),
                    ),
                    _ => return,
                }
            }
            Backup::VolumePrune => (
                Verdict::Ask,
                format!("`{shown}` deletes every Docker volume no container uses; with the app stopped or removed that includes the volume that holds the databases"),
            ),
            Backup::Objects { target, .. } => match objects_hit(layout, target) {
                Some((r, true)) => (
                    Verdict::Deny,
                    format!("`{shown}` deletes objects under `{}`, where the Litestream replica lives ({r}): the backups a restore needs", target.replace(DYN, "…")),
                ),
                Some((r, false)) => (
                    Verdict::Ask,
                    format!("`{shown}` deletes objects under `{}`, which may be the Litestream replica ({r})", target.replace(DYN, "…")),
                ),
                None => return,
            },
            _ => return,
        };
        self.push(Finding {
            rule: &backups::DESTROY_BACKUPS,
            verdict,
            reason: reason::backups(&what, verdict),
        });
    }
}

/// True when `git clean -e PATTERN` leaves the hit alone: a pattern matches a segment of its
/// path below the directory being cleaned.
fn excluded(h: &Hit, root: &str, exclude: &[String]) -> bool {
    let file = h.local.first().cloned().unwrap_or_else(|| h.file());
    let rel = super::layout::under(&file, root).unwrap_or(file);
    exclude.iter().any(|e| {
        let e = e.trim_matches('/');
        glob::matches(e, &rel) || rel.split('/').any(|seg| glob::matches(e, seg))
    })
}

/// Which replica an object-storage target covers: `s3://bucket/prefix`, `gs://…`,
/// `remote:bucket/prefix` (rclone), `alias/bucket/prefix` (mc). The flag is false when that is
/// only a guess (a name built at run time, or no replica configured and a name like backups).
fn objects_hit(layout: &super::layout::Layout, target: &str) -> Option<(String, bool)> {
    let (bucket, prefix) = if let Some((_, rest)) = target.split_once("://") {
        let (b, p) = rest.split_once('/').unwrap_or((rest, ""));
        (b.to_string(), p.trim_matches('/').to_string())
    } else if let Some((_, rest)) = target.split_once(':') {
        let rest = rest.trim_start_matches('/');
        let (b, p) = rest.split_once('/').unwrap_or((rest, ""));
        (b.to_string(), p.trim_matches('/').to_string())
    } else {
        // mc: alias/bucket/prefix
        let mut parts = target.splitn(3, '/');
        let _alias = parts.next();
        (
            parts.next().unwrap_or("").to_string(),
            parts.next().unwrap_or("").trim_matches('/').to_string(),
        )
    };
    if layout.replicas.is_empty() {
        let t = target.to_ascii_lowercase();
        return (t.contains("litestream") || t.contains("backup"))
            .then(|| ("the name says so; no replica is configured here".to_string(), false));
    }
    let dynamic = bucket.contains(DYN) || prefix.contains(DYN);
    let pat = |s: &str| glob::escape(s).replace(DYN, "*");
    layout.replicas.iter().find_map(|r| {
        let same_bucket = r.bucket == bucket || (dynamic && glob::matches(&pat(&bucket), &r.bucket));
        let (p, rp) = (pat(&prefix), r.prefix.as_str());
        let covers = prefix.is_empty()
            || r.prefix == prefix
            || r.prefix.starts_with(&format!("{prefix}/"))
            || prefix.starts_with(&format!("{}/", r.prefix))
            || r.prefix.is_empty()
            || (dynamic && (glob::matches(&p, rp) || glob::matches(&format!("{p}/*"), rp)));
        (same_bucket && covers).then(|| {
            let desc = if r.prefix.is_empty() {
                format!("bucket `{}`", r.bucket)
            } else {
                format!("`{}/{}` in config/litestream.yml", r.bucket, r.prefix)
            };
            (desc, !dynamic)
        })
    })
}

impl Place {
    /// A stable text form, for the session file.
    pub fn key(&self) -> String {
        match &self.root {
            super::layout::Root::Vol(v) => format!("vol:{v}:{}", self.rel),
            super::layout::Root::Bind(b) => format!("bind:{b}:{}", self.rel),
            super::layout::Root::Abs => format!("abs::{}", self.rel),
        }
    }

    pub fn from_key(k: &str) -> Option<Place> {
        let mut it = k.splitn(3, ':');
        let (kind, a, rel) = (it.next()?, it.next()?, it.next()?);
        let root = match kind {
            "vol" => super::layout::Root::Vol(a.to_string()),
            "bind" => super::layout::Root::Bind(a.to_string()),
            "abs" => super::layout::Root::Abs,
            _ => return None,
        };
        Some(Place {
            root,
            rel: rel.to_string(),
        })
    }
}
