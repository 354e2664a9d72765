//! Everything `check` looks at: the app's files, loaded once, with a file table that every node
//! and finding points into.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::app::{self, AppFiles};
use crate::diag::{Finding, Severity};
use crate::kamal::deploy::deep_merge;
use crate::kamal::secrets::{self, SecretLine};
use crate::limits::MAX_APP_BYTES;
use crate::policy::Policy;
use crate::runner::env::Env;
use crate::runner::{self as runner_model, Model};
use crate::source::{reach_for, read_text, Loc, Pos, ReadProblem, Source, MAX_CONFIG_BYTES};
use crate::version::{Chosen, Origin, Version};
use crate::yaml::{self, mask_erb_tags, LoadErrorKind, Node};

/// A YAML file that was read. `root` is `None` when it was empty or could not be parsed (a
/// finding says why).
#[derive(Debug, Clone)]
pub struct Loaded {
    pub src: u16,
    pub root: Option<Node>,
    /// The file's ERB output tags, in order (their placeholders in `root` index into this).
    pub erb_tags: Vec<yaml::Tag>,
}

#[derive(Debug, Clone)]
pub struct SecretsFile {
    pub src: u16,
    pub lines: Vec<SecretLine>,
}

/// What kind of file a path is, judged by its name alone (cheap: the hook calls this first).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileKind {
    Litestream,
    Deploy { destination: Option<String> },
    Secrets,
    Database,
    Policy,
}

pub const POLICY_FILE: &str = "config/litestream-guard.yml";

impl FileKind {
    pub fn of(path: &Path) -> Option<FileKind> {
        let name = path.file_name()?.to_str()?;
        let parent = path
            .parent()
            .and_then(Path::file_name)
            .and_then(|p| p.to_str())
            .unwrap_or("");
        if parent == ".kamal" && (name == "secrets" || name.starts_with("secrets-") || name.starts_with("secrets.")) {
            return Some(FileKind::Secrets);
        }
        match name {
            "litestream.yml" | "litestream.yaml" => Some(FileKind::Litestream),
            "database.yml" => Some(FileKind::Database),
            "litestream-guard.yml" => Some(FileKind::Policy),
            "deploy.yml" => Some(FileKind::Deploy { destination: None }),
            _ => {
                let dest = name.strip_prefix("deploy.")?.strip_suffix(".yml")?;
                (!dest.is_empty() && !dest.contains('.')).then(|| FileKind::Deploy {
                    destination: Some(dest.to_string()),
                })
            }
        }
    }
}

/// Text that replaces a file's content on disk (the hook's view of a file after an edit).
pub type Overrides = HashMap<PathBuf, String>;

#[derive(Debug, Default)]
pub struct Project {
    /// The app root, or `None` when single files were given.
    pub root: Option<PathBuf>,
    pub files: Vec<Source>,
    pub litestream: Option<Loaded>,
    pub deploy: Option<Loaded>,
    pub destinations: Vec<(String, Loaded)>,
    pub secrets: Vec<SecretsFile>,
    pub database: Option<Loaded>,
    pub policy: Policy,
    pub version: Option<Chosen>,
    /// The app's other files that say how it runs (Gemfile, Dockerfile, Puma config, …).
    pub app: AppFiles,
    /// How Litestream runs here (see `crate::runner`), set by [`Project::finish`].
    pub model: Model,
    /// The environment of the runner whose view of litestream.yml the rules take, over all
    /// deployments (see `crate::runner::env::merged`).
    pub ls_env: Env,
    /// The app container's environment over all deployments (for database.yml's ERB).
    pub app_env: Env,
    /// The Rails environment the deployments run (`RAILS_ENV`; `production` unless they say otherwise).
    pub rails_env: String,
    /// Findings made while reading (unreadable files, YAML errors).
    pub load_findings: Vec<Finding>,
    /// [`Project::deploy_views`], merged once when the files are read (a dozen rules and the
    /// runner model ask for them). Each destination's tree moves into its merged view, so a
    /// large destination file is held once, not twice.
    merged: Vec<(Option<String>, Node)>,
}

impl Project {
    /// Loads an app root: the files Litestream, Kamal and Rails read.
    pub fn load_app(root: &Path, display_root: &str, overrides: &Overrides) -> Project {
        let mut p = Project {
            root: Some(root.to_path_buf()),
            ..Project::default()
        };
        let shown = |rel: &str| {
            if display_root.is_empty() || display_root == "." || display_root == "./" {
                rel.to_string()
            } else {
                format!("{}/{}", display_root.trim_end_matches('/'), rel)
            }
        };
        let mut rels: Vec<String> = vec![
            "config/litestream.yml".into(),
            "config/deploy.yml".into(),
            "config/database.yml".into(),
            POLICY_FILE.into(),
        ];
        rels.extend(list_dir(root, overrides, "config", |n| {
            n.starts_with("deploy.") && n.ends_with(".yml") && n != "deploy.yml"
        }));
        rels.extend(list_dir(root, overrides, ".kamal", |n| {
            n == "secrets" || n.starts_with("secrets-") || n.starts_with("secrets.")
        }));
        for rel in rels {
            let path = root.join(&rel);
            // Anything at the path is reported, a FIFO or a dangling link too: never skipped silently.
            if overrides.contains_key(&path) || path.symlink_metadata().is_ok() {
                p.add_file(&path, shown(&rel), overrides);
            }
        }
        p.merge_deploy();
        p.load_app_files(root, &shown);
        p
    }

    /// Reads the files that say how the app runs. They are evidence, not checked themselves: a
    /// file that cannot be read is simply not evidence.
    fn load_app_files(&mut self, root: &Path, shown: &dyn Fn(&str) -> String) {
        let one = |p: &mut Project, rel: &str| -> Option<u16> {
            let path = root.join(rel);
            if !path.is_file() {
                return None;
            }
            let src = Source::read(&path, shown(rel)).ok()?;
            p.files.push(src);
            Some((p.files.len() - 1) as u16)
        };
        self.app.gemfile = one(self, "Gemfile");
        self.app.gemfile_lock = one(self, "Gemfile.lock");
        self.app.puma = one(self, "config/puma.rb");
        for rel in app::ruby_config_files(root) {
            if let Some(src) = one(self, &rel) {
                if self.file(src).text.contains("itestream") {
                    self.app.ruby.push(src);
                }
            }
        }
        let dockerfile = self
            .deploy_views()
            .iter()
            .find_map(|(_, v)| v.get("builder")?.get("dockerfile")?.as_str().map(str::to_string))
            .filter(|d| !yaml::has_erb(d) && !d.contains(".."))
            .unwrap_or_else(|| "Dockerfile".to_string());
        self.app.dockerfile = one(self, dockerfile.trim_start_matches("./"));
        let mut scripts: Vec<String> = vec!["bin/docker-entrypoint".into()];
        if let Some(src) = self.app.dockerfile {
            let d = crate::app::dockerfile::Dockerfile::parse(&self.file(src).text);
            let workdir = d
                .final_stage()
                .and_then(|s| s.workdir.as_ref().map(|w| w.0.clone()))
                .unwrap_or_else(|| runner_model::DEFAULT_RAILS_ROOT.into());
            let (ep, cmd) = d.entrypoint_and_cmd();
            for (words, _) in [ep, cmd].into_iter().flatten() {
                for w in words.iter().take(3) {
                    if let Some(rel) = d.copied_from(w).or_else(|| app::repo_path(w, &workdir)) {
                        if !scripts.contains(&rel) && !rel.ends_with(".rb") {
                            scripts.push(rel);
                        }
                    }
                }
            }
        }
        for rel in scripts {
            if let Some(src) = one(self, &rel) {
                self.app.scripts.push(src);
            }
        }
        for rel in app::procfile_names(root) {
            if let Some(src) = one(self, &rel) {
                self.app.procfiles.push(src);
            }
        }
        self.app.env_erb = one(self, ".env.erb");
    }

    /// Loads single files, each by the kind its name says.
    pub fn load_files(paths: &[(PathBuf, String)], overrides: &Overrides) -> Project {
        let mut p = Project::default();
        for (path, shown) in paths {
            p.add_file(path, shown.clone(), overrides);
        }
        p.merge_deploy();
        p
    }

    /// Reads one file (or its override) and files it under its kind. Unknown names are read as
    /// litestream.yml, since that is what a user checking a single odd-named file means.
    fn add_file(&mut self, path: &Path, shown: String, overrides: &Overrides) {
        let kind = FileKind::of(path).unwrap_or(FileKind::Litestream);
        let src = self.files.len() as u16;
        // One size limit for every way in: a file on disk and the text an edit would leave.
        let text = match overrides.get(path) {
            Some(t) if t.len() as u64 > MAX_CONFIG_BYTES => Err(ReadProblem::TooLarge {
                limit: MAX_CONFIG_BYTES,
            }),
            Some(t) => Ok(t.clone()),
            None => read_text(path, reach_for(self.root.as_deref(), path, kind == FileKind::Secrets)),
        };
        let text = match text.and_then(|t| self.within_budget(&kind, t)) {
            Ok(t) => t,
            Err(problem) => {
                self.files.push(Source::new(path, shown, String::new()));
                let pos = match &problem {
                    ReadProblem::Binary { pos } | ReadProblem::NotUtf8 { pos } => *pos,
                    _ => Pos::START,
                };
                self.load_findings.push(input_finding(
                    crate::rules::input::UNREADABLE.id,
                    Loc { src, pos },
                    problem.to_string(),
                    "Save the file as UTF-8 text (config files are small YAML or dotenv text).",
                ));
                return;
            }
        };
        self.files.push(Source::new(path, shown, text));
        if kind == FileKind::Secrets {
            let lines = secrets::parse(&self.files[src as usize].text);
            self.secrets.push(SecretsFile { src, lines });
            return;
        }
        let loaded = self.parse_yaml(src, matches!(kind, FileKind::Deploy { .. } | FileKind::Database));
        match kind {
            FileKind::Litestream => self.litestream = Some(loaded),
            FileKind::Deploy { destination: None } => self.deploy = Some(loaded),
            FileKind::Deploy { destination: Some(d) } => self.destinations.push((d, loaded)),
            FileKind::Database => self.database = Some(loaded),
            FileKind::Policy => {
                let (policy, findings) = Policy::from_tree(loaded.root.as_ref());
                self.policy = policy;
                self.load_findings.extend(findings);
            }
            FileKind::Secrets => unreachable!("handled above"),
        }
    }

    /// Refuses a file once the app's files together would pass [`MAX_APP_BYTES`]; a destination
    /// costs its deploy.yml again (the checker holds each merge).
    fn within_budget(&self, kind: &FileKind, text: String) -> Result<String, ReadProblem> {
        let base = self
            .deploy
            .as_ref()
            .map_or(0, |l| self.files[l.src as usize].text.len() as u64);
        let merge = |k: &FileKind| match k {
            FileKind::Deploy { destination: Some(_) } => base,
            _ => 0,
        };
        let used: u64 =
            self.files.iter().map(|f| f.text.len() as u64).sum::<u64>() + self.destinations.len() as u64 * base;
        match used + text.len() as u64 + merge(kind) > MAX_APP_BYTES {
            true => Err(ReadProblem::AppTooLarge { limit: MAX_APP_BYTES }),
            false => Ok(text),
        }
    }

    fn parse_yaml(&mut self, src: u16, erb: bool) -> Loaded {
        let text = &self.files[src as usize].text;
        let (masked, erb_tags) = match if erb { mask_erb_tags(text) } else { None } {
            Some((m, t)) => (Some(m), t),
            None => (None, Vec::new()),
        };
        let opts = yaml::Options {
            src,
            ..yaml::Options::default()
        };
        match yaml::load(masked.as_deref().unwrap_or(text), &opts) {
            Ok(Some(root)) if root.entries().is_some() => Loaded {
                src,
                root: Some(root),
                erb_tags,
            },
            Ok(Some(root)) => {
                let what = root.describe();
                self.load_findings.push(input_finding(
                    crate::rules::input::NOT_A_MAPPING.id,
                    root.loc(),
                    format!("the top level is {what}, but this file must be a mapping of keys"),
                    "Start the file with top-level keys, e.g. `dbs:` in litestream.yml or `service:` in deploy.yml.",
                ));
                Loaded {
                    src,
                    root: None,
                    erb_tags: Vec::new(),
                }
            }
            Ok(None) => {
                self.load_findings.push(input_finding(
                    crate::rules::input::NOT_A_MAPPING.id,
                    Loc { src, pos: Pos::START },
                    "the file is empty: it holds no YAML document",
                    "Write the configuration into it, or delete the file.",
                ));
                Loaded {
                    src,
                    root: None,
                    erb_tags: Vec::new(),
                }
            }
            Err(e) => {
                let help = match e.kind {
                    LoadErrorKind::Syntax => "Fix the YAML at this position; indentation and unclosed quotes or brackets are the usual causes.",
                    LoadErrorKind::TooDeep => "Flatten the document: no real configuration nests this deep.",
                    LoadErrorKind::TooManyNodes => "Remove the chain of aliases: it expands into an enormous document (an alias bomb).",
                };
                self.load_findings.push(input_finding(
                    crate::rules::input::YAML_SYNTAX.id,
                    Loc { src, pos: e.pos },
                    format!("invalid YAML: {}", e.message),
                    help,
                ));
                Loaded {
                    src,
                    root: None,
                    erb_tags: Vec::new(),
                }
            }
        }
    }

    pub fn file(&self, src: u16) -> &Source {
        &self.files[src as usize]
    }

    pub fn litestream_root(&self) -> Option<&Node> {
        self.litestream.as_ref()?.root.as_ref()
    }

    pub fn database_root(&self) -> Option<&Node> {
        self.database.as_ref()?.root.as_ref()
    }

    /// The deploy configurations Kamal would see: `deploy.yml` alone, and merged with each
    /// destination file. A destination without a readable base is checked on its own.
    pub fn deploy_views(&self) -> Vec<(Option<&str>, &Node)> {
        self.merged.iter().map(|(name, node)| (name.as_deref(), node)).collect()
    }

    /// Builds [`Project::deploy_views`] once every file is read. The destinations' `root`s are
    /// moved into their views (only their `src` and names are read afterwards).
    fn merge_deploy(&mut self) {
        let base = self.deploy.as_ref().and_then(|l| l.root.as_ref());
        self.merged = base.map(|b| (None, b.clone())).into_iter().collect();
        for (name, l) in &mut self.destinations {
            if let Some(d) = l.root.take() {
                let view = match base {
                    Some(b) => deep_merge(b, d),
                    None => d,
                };
                self.merged.push((Some(name.clone()), view));
            }
        }
    }

    /// Works out how Litestream runs (the runner model), decides which Litestream the config is
    /// checked against, and expands litestream.yml's `$VAR`s as that Litestream will.
    pub fn finish(&mut self, flag: Option<Version>) {
        self.model = runner_model::detect(self);
        let primary = self.model.primary().cloned();
        self.version = Some(match (flag, &primary) {
            (Some(v), _) => Chosen {
                version: v,
                origin: Origin::Flag,
            },
            (None, Some(r)) => match &r.version {
                Some((v, f)) => Chosen {
                    version: *v,
                    origin: Origin::Found {
                        loc: f.loc,
                        text: f.text.clone(),
                        via: match r.kind {
                            crate::runner::Kind::Accessory => "accessory",
                            crate::runner::Kind::Gem => "gem",
                            crate::runner::Kind::Image => "dockerfile",
                        },
                    },
                },
                None => Chosen {
                    // Every release of the gem known so far bundles 0.3.13: assume its line.
                    version: match r.kind {
                        runner_model::Kind::Gem => Version::parse("0.3").expect("a version"),
                        _ => Version::DEFAULT,
                    },
                    origin: Origin::Assumed {
                        why: runner_model::unknown_version_reason(self, r),
                    },
                },
            },
            (None, None) => Chosen {
                version: Version::DEFAULT,
                origin: Origin::Assumed {
                    why: "nothing in the app's files runs Litestream (no accessory, no litestream gem, no binary in the Dockerfile)".into(),
                },
            },
        });
        let v = self.chosen_version();
        let app_runner = runner_model::Runner {
            kind: runner_model::Kind::Image,
            ..primary
                .clone()
                .unwrap_or_else(|| runner_model::Runner::placeholder(&self.model))
        };
        self.app_env = crate::runner::env::merged(&crate::runner::env::per_deployment(self, &app_runner, v));
        self.rails_env = match self.app_env.lookup("RAILS_ENV") {
            crate::litestream::expand::Var::Known(e) if !e.is_empty() => e.into_owned(),
            _ => "production".to_string(),
        };
        self.ls_env = match &primary {
            Some(r) => crate::runner::env::merged(&crate::runner::env::per_deployment(self, r, v)),
            None => Env::default(),
        };
        if primary.as_ref().is_some_and(|r| r.no_expand_env) {
            return;
        }
        let env = self.ls_env.clone();
        if let Some(root) = self.litestream.as_mut().and_then(|l| l.root.as_mut()) {
            crate::litestream::expand::expand_tree(root, &|name| env.lookup(name));
        }
    }

    pub fn chosen_version(&self) -> Version {
        self.version.as_ref().map_or(Version::DEFAULT, |c| c.version)
    }
}

fn list_dir(root: &Path, overrides: &Overrides, dir: &str, keep: impl Fn(&str) -> bool) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(root.join(dir))
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| e.file_name().to_str().map(str::to_string))
        .chain(
            overrides
                .keys()
                .filter(|p| p.parent() == Some(&root.join(dir)))
                .filter_map(|p| p.file_name()?.to_str().map(str::to_string)),
        )
        .filter(|n| keep(n))
        .collect();
    names.sort();
    names.dedup();
    names.into_iter().map(|n| format!("{dir}/{n}")).collect()
}

fn input_finding(rule: &'static str, loc: Loc, message: impl Into<String>, help: impl Into<String>) -> Finding {
    Finding {
        rule,
        severity: Severity::Error,
        loc,
        message: message.into(),
        help: help.into(),
    }
}
