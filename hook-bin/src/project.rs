//! Everything `check` looks at: the app's files, loaded once, with a file table that every node
//! and finding points into.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::diag::{Finding, Severity};
use crate::kamal::deploy::{self, deep_merge};
use crate::kamal::secrets::{self, SecretLine};
use crate::limits::MAX_APP_BYTES;
use crate::policy::Policy;
use crate::source::{reach_for, read_text, Loc, Pos, ReadProblem, Source, MAX_CONFIG_BYTES};
use crate::version::{Chosen, Origin, Version};
use crate::yaml::{self, mask_erb, LoadErrorKind, Node};

/// A YAML file that was read. `root` is `None` when it was empty or could not be parsed (a
/// finding says why).
#[derive(Debug, Clone)]
pub struct Loaded {
    pub src: u16,
    pub root: Option<Node>,
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
    /// Findings made while reading (unreadable files, YAML errors).
    pub load_findings: Vec<Finding>,
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
        p
    }

    /// Loads single files, each by the kind its name says.
    pub fn load_files(paths: &[(PathBuf, String)], overrides: &Overrides) -> Project {
        let mut p = Project::default();
        for (path, shown) in paths {
            p.add_file(path, shown.clone(), overrides);
        }
        p
    }

    /// Reads one file (or its override) and files it under its kind. Unknown names are read as
    /// litestream.yml, since that is what a user checking a single odd-named file means.
    pub fn add_file(&mut self, path: &Path, shown: String, overrides: &Overrides) {
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
        let masked = if erb { mask_erb(text) } else { None };
        let opts = yaml::Options {
            src,
            ..yaml::Options::default()
        };
        match yaml::load(masked.as_deref().unwrap_or(text), &opts) {
            Ok(Some(root)) if root.entries().is_some() => Loaded { src, root: Some(root) },
            Ok(Some(root)) => {
                let what = root.describe();
                self.load_findings.push(input_finding(
                    crate::rules::input::NOT_A_MAPPING.id,
                    root.loc(),
                    format!("the top level is {what}, but this file must be a mapping of keys"),
                    "Start the file with top-level keys, e.g. `dbs:` in litestream.yml or `service:` in deploy.yml.",
                ));
                Loaded { src, root: None }
            }
            Ok(None) => {
                self.load_findings.push(input_finding(
                    crate::rules::input::NOT_A_MAPPING.id,
                    Loc { src, pos: Pos::START },
                    "the file is empty: it holds no YAML document",
                    "Write the configuration into it, or delete the file.",
                ));
                Loaded { src, root: None }
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
                Loaded { src, root: None }
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
    pub fn deploy_views(&self) -> Vec<(Option<&str>, Node)> {
        let base = self.deploy.as_ref().and_then(|l| l.root.as_ref());
        let mut out = Vec::new();
        if let Some(b) = base {
            out.push((None, b.clone()));
        }
        for (name, l) in &self.destinations {
            if let Some(d) = &l.root {
                out.push((
                    Some(name.as_str()),
                    base.map_or_else(|| d.clone(), |b| deep_merge(b, d)),
                ));
            }
        }
        out
    }

    /// Decides which Litestream the config is checked against.
    pub fn choose_version(&mut self, flag: Option<Version>) {
        if let Some(v) = flag {
            self.version = Some(Chosen {
                version: v,
                origin: Origin::Flag,
            });
            return;
        }
        let mut found = None;
        for (_, view) in self.deploy_views() {
            if let Some(acc) = deploy::litestream_accessories(&view).first() {
                if let Some(img) = acc.image() {
                    found = Some((img.loc(), img.as_str().unwrap_or("").to_string()));
                    break;
                }
            }
        }
        self.version = Some(match found {
            Some((loc, image)) => match Version::from_image_tag(&image) {
                Some(v) => Chosen {
                    version: v,
                    origin: Origin::Image { loc, image },
                },
                None => Chosen {
                    version: Version::DEFAULT,
                    origin: Origin::Assumed {
                        why: format!("the accessory image `{image}` names no version"),
                    },
                },
            },
            None => Chosen {
                version: Version::DEFAULT,
                origin: Origin::Assumed {
                    why: "no Litestream accessory in config/deploy.yml".into(),
                },
            },
        });
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
