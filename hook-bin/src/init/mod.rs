//! `litestream-guard init`: writes config/litestream.yml, adds the `litestream` accessory to
//! config/deploy.yml and the two credential names to `.kamal/secrets`, deterministically.
//!
//! `plan` reads the app and computes every file's new text without writing anything; the plan
//! is checked with the same rules as `litestream-guard check` before `write` may touch a file.
//! Any problem is an [`InitError`], and then nothing is written.

mod app;
pub mod deploy_edit;
pub mod diff;
mod error;
pub mod litestream_yml;
pub mod provider;
pub mod secrets_edit;
pub mod write;

use std::path::{Path, PathBuf};

pub use app::{AppDb, Hosts, DATABASE_YML, DEPLOY_YML, LITESTREAM_YML};
pub use error::InitError;
pub use provider::Provider;
pub use write::Change;

use crate::check::check_project;
use crate::diag::Severity;
use crate::kamal::deploy::litestream_accessories;
use crate::project::{Overrides, Project};
use crate::rules::Selection;
use crate::version::{Line, Version};
use deploy_edit::{Desired, Outcome};
use litestream_yml::{image, line_name, Spec, MARKER};

/// What the user asked for (the command-line flags).
#[derive(Debug, Clone, Default)]
pub struct Options {
    pub root: PathBuf,
    pub provider: String,
    pub bucket: String,
    pub region: Option<String>,
    pub endpoint: Option<String>,
    /// `0.3` or `0.5`; `None`: the line of an existing accessory's image, else 0.5.
    pub litestream: Option<String>,
    pub path_prefix: Option<String>,
    /// Replace a config/litestream.yml that init did not write.
    pub force: bool,
}

/// Everything init would do, computed without writing.
#[derive(Debug, Clone)]
pub struct Plan {
    /// The app root the changes are relative to.
    pub root: PathBuf,
    pub line: Line,
    pub provider: Provider,
    pub bucket: String,
    /// Files whose text changes.
    pub changes: Vec<Change>,
    /// One line per file: what happens to it.
    pub actions: Vec<String>,
    /// Set when config/litestream.yml exists, was not written by init, and --force was not
    /// given: `write` refuses.
    pub blocked: bool,
    pub notes: Vec<String>,
}

/// The file's text, `None` when nothing is there. Read like `check` reads: bounded, regular
/// files only, never through a link that leaves the app.
fn read_text(root: &Path, path: &Path) -> Option<Result<String, String>> {
    path.symlink_metadata().ok()?;
    Some(crate::source::read_text(path, crate::source::Reach::Within(root)).map_err(|p| p.to_string()))
}

fn resolve_line(opt: Option<&str>, existing: Option<Line>) -> Result<(Line, Option<String>), InitError> {
    let Some(s) = opt else {
        return Ok(match existing {
            Some(l) => (
                l,
                Some(format!(
                    "Litestream {}: the line the existing accessory runs (pass --litestream to change it)",
                    line_name(l)
                )),
            ),
            None => (Line::V05, None),
        });
    };
    let bad = || InitError::BadOption {
        option: "--litestream",
        why: format!("`{s}` is not a release line init knows; use 0.3 or 0.5 (init pins 0.3.13 and 0.5.17)"),
    };
    let v = Version::parse(s.trim()).ok_or_else(bad)?;
    let pinned = match v.line {
        Line::V03 => 13,
        Line::V05 => 17,
    };
    if v.patch.is_some_and(|p| p != pinned) {
        return Err(bad());
    }
    Ok((v.line, None))
}

/// init sets Litestream up as a Kamal accessory; it never adds one next to the gem or a binary in
/// the image (see `crate::runner`).
fn refuse_other_runner(root: &Path) -> Result<(), InitError> {
    let mut p = Project::load_app(root, "", &Overrides::new());
    p.finish(None);
    let Some(r) = p.model.runners.iter().find(|r| r.in_app_container()) else {
        return Ok(());
    };
    let how = match r.kind {
        crate::runner::Kind::Gem => "With the gem, keep config/litestream.yml in the gem's form (relative paths such as `storage/production.sqlite3`, `bucket: $LITESTREAM_REPLICA_BUCKET`, `access-key-id: $LITESTREAM_ACCESS_KEY_ID`, `secret-access-key: $LITESTREAM_SECRET_ACCESS_KEY`), set `config.litestream.replica_bucket`, `replica_key_id` and `replica_access_key` in config/initializers/litestream.rb (or give those variables to the app in config/deploy.yml's `env`), start it with `plugin :litestream` in config/puma.rb, and run `litestream-guard check`.",
        _ => "Keep that setup: put the settings in the config file the image's `litestream replicate` reads, give its variables to the app in config/deploy.yml's `env`, and run `litestream-guard check`.",
    };
    Err(InitError::OtherRunner {
        runner: r.kind.describe().to_string(),
        at: crate::runner::at(&p, &r.found),
        how: how.to_string(),
    })
}

/// Finishes, or cleans up after, an earlier init that was killed while writing (see
/// [`write::recover`]). Run it before [`plan`]: the plan must read the files as they will be.
/// With `dry_run` it changes nothing and says what the real run would do.
pub fn recover(root: &Path, dry_run: bool) -> Result<write::Notes, InitError> {
    if !root.join("config").is_dir() {
        return Ok(Vec::new());
    }
    let mut files: Vec<PathBuf> = [LITESTREAM_YML, DEPLOY_YML, secrets_edit::SECRETS, secrets_edit::COMMON]
        .iter()
        .map(|r| root.join(r))
        .collect();
    for e in std::fs::read_dir(root.join(".kamal")).into_iter().flatten().flatten() {
        if e.file_name().to_string_lossy().starts_with("secrets") {
            files.push(e.path());
        }
    }
    write::recover(root, &files, dry_run)
}

/// Reads the app and computes every change. Writes nothing.
pub fn plan(opts: &Options) -> Result<Plan, InitError> {
    let provider = Provider::parse(&opts.provider)?;
    provider::check_bucket(&opts.bucket, provider)?;
    let prefix = opts.path_prefix.as_deref().map(provider::check_prefix).transpose()?;
    let target = provider::resolve(provider, opts.region.as_deref(), opts.endpoint.as_deref())?;
    let root = &opts.root;
    let (project, app) = app::load(root)?;
    refuse_other_runner(root)?;
    let deploy = project.deploy.as_ref().expect("app::load checked deploy.yml");
    let deploy_root = deploy.root.as_ref().expect("app::load checked deploy.yml");
    let deploy_text = project.file(deploy.src).text.clone();

    let existing_line = litestream_accessories(deploy_root)
        .first()
        .and_then(|a| a.image())
        .and_then(|i| i.as_str())
        .and_then(Version::from_image_tag)
        .map(|v| v.line);
    let (line, line_note) = resolve_line(opts.litestream.as_deref(), existing_line)?;
    let mut notes: Vec<String> = target.notes.clone();
    notes.extend(line_note);

    // config/litestream.yml
    let spec = Spec {
        line,
        target: &target,
        bucket: &opts.bucket,
        prefix: prefix.as_deref(),
        dbs: &app.dbs,
        policy: &app.policy,
    };
    let ls_text = litestream_yml::render(&spec);
    let ls_path = root.join(LITESTREAM_YML);
    // An existing file that init did not write is replaced only with --force; the plan still
    // shows the diff (so --dry-run can show what --force would do), and `write` refuses.
    let (ls_old, foreign) = match read_text(root, &ls_path) {
        None => (None, false),
        Some(Ok(t)) => {
            let foreign = t != ls_text && !t.starts_with(MARKER);
            (Some(t), foreign)
        }
        // Not text: shown as a new file; replacing it needs --force all the same.
        Some(Err(_)) => (None, true),
    };
    let blocked = foreign && !opts.force;

    // config/deploy.yml
    let desired = Desired {
        image: image(line).to_string(),
        hosts: app.hosts.clone(),
        volumes: app.volumes.clone(),
        roles: app.roles.clone(),
    };
    let outcome = deploy_edit::edit(&deploy_text, deploy_root, &desired)?;

    // .kamal/secrets*
    let mut secret_files = vec![secrets_edit::SecretsFile {
        rel: secrets_edit::SECRETS.into(),
        text: None,
    }];
    for s in &project.secrets {
        let rel = project.file(s.src).display.clone();
        let text = Some(project.file(s.src).text.clone());
        match secret_files.iter_mut().find(|f| f.rel == rel) {
            Some(f) => f.text = text,
            None => secret_files.push(secrets_edit::SecretsFile { rel, text }),
        }
    }
    if let Some(f) = secret_files
        .iter()
        .find(|f| f.text.is_none() && root.join(&f.rel).exists())
    {
        return Err(InitError::Unreadable {
            file: f.rel.clone(),
            why: "cannot be read as text".into(),
        });
    }
    let secret_edits = secrets_edit::edit(&secret_files);

    // Assemble.
    let mut changes = Vec::new();
    let mut actions = Vec::new();
    let names: Vec<&str> = app.dbs.iter().map(|d| d.name.as_str()).collect();
    let db_list = format!(
        "{} database{}: {}",
        names.len(),
        if names.len() == 1 { "" } else { "s" },
        names.join(", ")
    );
    if ls_old.as_deref() == Some(ls_text.as_str()) {
        actions.push(format!("{LITESTREAM_YML}: unchanged ({db_list})"));
    } else {
        actions.push(format!(
            "{LITESTREAM_YML}: {} ({db_list})",
            if ls_old.is_some() { "rewritten" } else { "written" }
        ));
        changes.push(Change {
            rel: LITESTREAM_YML.into(),
            path: ls_path,
            old: ls_old,
            new: ls_text,
        });
    }
    match outcome {
        Outcome::Unchanged { name } => actions.push(format!(
            "{DEPLOY_YML}: unchanged (the accessory `{name}` already runs {})",
            desired.image
        )),
        Outcome::Edited { text, name, what } => {
            actions.push(format!(
                "{DEPLOY_YML}: {what} the accessory `{name}` ({})",
                desired.image
            ));
            changes.push(Change {
                rel: DEPLOY_YML.into(),
                path: root.join(DEPLOY_YML),
                old: Some(deploy_text.clone()),
                new: text,
            });
        }
    }
    if secret_edits.is_empty() {
        actions.push(format!(
            "{}: unchanged (the two key names are already defined)",
            secrets_edit::SECRETS
        ));
    }
    for (rel, old, new) in secret_edits {
        actions.push(format!(
            "{rel}: {} the references {} and {}",
            if old.is_some() { "added" } else { "created with" },
            litestream_yml::ACCESS_KEY_VAR,
            litestream_yml::SECRET_KEY_VAR
        ));
        changes.push(Change {
            path: root.join(&rel),
            rel,
            old,
            new,
        });
    }
    if !project.destinations.is_empty() {
        let names: Vec<String> = project
            .destinations
            .iter()
            .map(|(d, _)| format!("config/deploy.{d}.yml"))
            .collect();
        notes.push(format!(
            "{} not edited: if a destination overrides servers, volumes or accessories, `litestream-guard check` shows what the accessory needs there",
            names.join(", ")
        ));
    }

    let mut plan = Plan {
        root: root.clone(),
        line,
        provider,
        bucket: opts.bucket.clone(),
        changes,
        actions,
        blocked,
        notes,
    };
    let theirs = plan.self_check(root)?;
    if !theirs.is_empty() {
        plan.notes.push(format!(
            "`litestream-guard check` reports {} error{} in parts init did not write; fix {}:\n    {}",
            theirs.len(),
            if theirs.len() == 1 { "" } else { "s" },
            if theirs.len() == 1 { "it" } else { "them" },
            theirs.join("\n    ")
        ));
    }
    Ok(plan)
}

impl Plan {
    /// Runs `check` on the app as it would be after writing. Errors in what init writes stop it;
    /// errors elsewhere become notes (they were there before).
    fn self_check(&self, root: &Path) -> Result<Vec<String>, InitError> {
        let mut overrides = Overrides::new();
        for c in &self.changes {
            overrides.insert(root.join(&c.rel), c.new.clone());
        }
        let checked = check_project(Project::load_app(root, "", &overrides), None, &Selection::default());
        let p = &checked.project;
        // Lines init wrote, per file: all of litestream.yml, the accessory block, appended secrets.
        let ours = |file: &str, line: usize| -> bool {
            if file == LITESTREAM_YML {
                return true;
            }
            if file == DEPLOY_YML {
                // An accessory init left as it was is the user's; its findings are notes.
                let edited = self.changes.iter().any(|c| c.rel == DEPLOY_YML);
                return edited && accessory_lines(p).is_some_and(|(s, e)| line >= s && line <= e);
            }
            self.changes
                .iter()
                .find(|c| c.rel == file)
                .is_some_and(|c| line > c.old.as_deref().map_or(0, |o| o.lines().count()))
        };
        let mut mine = Vec::new();
        let mut theirs = Vec::new();
        for f in checked.findings.iter().filter(|f| f.severity == Severity::Error) {
            let file = &p.file(f.loc.src).display;
            let shown = format!(
                "{file}:{}:{}: {}[{}]: {}",
                f.loc.pos.line, f.loc.pos.col, f.severity, f.rule, f.message
            );
            if ours(file, f.loc.pos.line) {
                mine.push(shown);
            } else {
                theirs.push(shown);
            }
        }
        if !mine.is_empty() {
            return Err(InitError::CheckFailed { findings: mine });
        }
        Ok(theirs)
    }

    /// The unified diff of every change.
    pub fn diff(&self) -> String {
        self.changes
            .iter()
            .map(|c| diff::unified(&c.rel, c.old.as_deref(), &c.new))
            .collect()
    }

    /// Writes every change as one transaction (see [`write`]); returns notes on what it did
    /// beyond the plan (files written through a symbolic link).
    pub fn write(&self) -> Result<write::Notes, InitError> {
        if self.blocked {
            return Err(InitError::ForeignLitestreamYml {
                file: LITESTREAM_YML.into(),
            });
        }
        write::write_all(&self.root, &self.changes)
    }

    /// A short account of the plan for people.
    pub fn summary(&self, dry_run: bool) -> String {
        let mut s = format!(
            "litestream-guard init{}: Litestream {} ({}), provider {}, bucket {}\n",
            if dry_run { " --dry-run" } else { "" },
            line_name(self.line),
            image(self.line),
            self.provider.name(),
            self.bucket
        );
        for a in &self.actions {
            s.push_str(&format!("  {a}\n"));
        }
        for n in &self.notes {
            s.push_str(&format!("note: {n}\n"));
        }
        if self.blocked {
            s.push_str(&format!(
                "note: {LITESTREAM_YML} exists and was not written by init: init replaces it only with --force\n"
            ));
        }
        if dry_run {
            s.push_str(if self.changes.is_empty() {
                "dry run: nothing to change\n"
            } else {
                "dry run: nothing was written; run again without --dry-run to write these changes\n"
            });
        } else if self.changes.is_empty() {
            s.push_str("nothing to change: the setup is already what init writes\n");
        } else {
            s.push_str(&format!(
                "next:\n  1. create the bucket `{}` (private) and an access key limited to it\n  2. export {} and {} in the shell that runs kamal (or point the two lines in .kamal/secrets at your password manager)\n  3. litestream-guard check\n  4. kamal accessory boot litestream (after later changes: kamal accessory reboot litestream)\n",
                self.bucket,
                litestream_yml::ACCESS_KEY_VAR,
                litestream_yml::SECRET_KEY_VAR
            ));
        }
        s
    }
}

/// First and last line (1-based) of the Litestream accessory's block in the loaded deploy.yml.
fn accessory_lines(p: &Project) -> Option<(usize, usize)> {
    let loaded = p.deploy.as_ref()?;
    let root = loaded.root.as_ref()?;
    let acc = litestream_accessories(root).into_iter().next()?;
    let text = &p.file(loaded.src).text;
    let start = acc.name.pos.line;
    let ind = acc.name.pos.col - 1;
    let mut end = start;
    for (i, l) in text.lines().enumerate().skip(start) {
        if l.trim().is_empty() {
            continue;
        }
        if l.chars().take_while(|c| *c == ' ').count() <= ind {
            break;
        }
        end = i + 1;
    }
    Some((start, end))
}
