//! How Litestream runs in this app, told from the app's own files. This is the one place that
//! decides the runner, the Litestream version, the working directory Litestream runs in and the
//! Rails root in the container; every rule that depends on them states its premise through it.
//!
//! Three runners exist in real Rails apps:
//! - a **Kamal accessory** running the `litestream/litestream` image (deploy.yml `accessories:`);
//!   Litestream's working directory is the image's, `/`;
//! - the **litestream-ruby gem** (`gem "litestream"`): its Puma plugin or its
//!   `litestream:replicate` task runs the Litestream binary bundled in the gem, from the Rails root,
//!   inside the app container;
//! - the **binary in the app image** (the Dockerfile copies it from the official image or downloads a
//!   release), started by the entrypoint script, a Procfile, the image's `CMD`, or a Kamal role's
//!   `cmd:`, from the image's `WORKDIR`.

pub mod env;

/// The three runners for people and for Claude: how to tell them apart and what each needs
/// (`litestream-guard explain runners`, and the skill's references/runners.md).
pub const GUIDE: &str = include_str!("guide.md");

/// How `check` decides the runner, for docs/rules.md and the README.
pub const DOC: &str = "## How Litestream runs: the premise of every rule\n\n\
`check` first works out how Litestream runs in the app, from the app's own files, and prints it on its first lines \
(`runner:`) with the Litestream version (`version:`) and where each came from. Rules state which runner and version \
they apply to.\n\n\
- **Kamal accessory**: an entry of `accessories:` in config/deploy.yml whose image is `litestream/litestream` (any \
registry). Its version is the image tag. Litestream runs in its own container, in `/`, with the accessory's own `env` \
(it does not inherit the app's).\n\
- **litestream-ruby gem**: `gem \"litestream\"` in the Gemfile. It is started by `plugin :litestream` in \
config/puma.rb (possibly behind a condition, which `check` evaluates where it can) or by `bin/rails \
litestream:replicate` in a Procfile, the entrypoint or a Kamal role's `cmd`. Its version is the Litestream release \
the locked gem bundles (0.3.13 for every release so far). Litestream runs inside the app container, from the Rails \
root (the Dockerfile's `WORKDIR`), so relative `dbs[].path` values such as `storage/production.sqlite3` are right; \
its environment is the app container's plus the `LITESTREAM_*` variables the gem exports from its settings.\n\
- **Binary in the app image**: the Dockerfile copies `litestream` from the official image or downloads a release, \
and the entrypoint script, a Procfile, the image's `CMD` or a role's `cmd` runs `litestream replicate`. Its version is \
the one the Dockerfile names. It runs in the app container from its `WORKDIR`.\n\n\
Values of litestream.yml are expanded as Litestream expands them (`$VAR`, `${VAR}`) with what the app's files say the \
runner's environment holds; a value that depends on a variable whose value is not written down is not judged. When \
the version is not pinned, `check` says what it assumed and reads the config the way that invents no error.\n";
pub mod gem;

use std::fmt;

use crate::app::commands::{self, Start, Via};
use crate::app::dockerfile::Dockerfile;
use crate::app::{gems, ruby};
use crate::kamal::deploy::{litestream_accessories, roles};
use crate::kamal::view::{cmd_words, has_flag};
use crate::project::Project;
use crate::source::{Loc, Pos};
use crate::version::Version;
use crate::yaml::Node;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    Accessory,
    Gem,
    Image,
}

impl Kind {
    pub fn describe(self) -> &'static str {
        match self {
            Kind::Accessory => "a Kamal accessory",
            Kind::Gem => "the litestream-ruby gem",
            Kind::Image => "a Litestream binary in the app image",
        }
    }

    /// The stable name used in JSON output.
    pub fn id(self) -> &'static str {
        match self {
            Kind::Accessory => "accessory",
            Kind::Gem => "gem",
            Kind::Image => "image",
        }
    }
}

/// Something a file says, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fact {
    pub loc: Loc,
    pub text: String,
}

/// One way Litestream runs in the app.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Runner {
    pub kind: Kind,
    /// What shows this runner is there (the accessory's image, the Gemfile line, the COPY).
    pub found: Fact,
    /// What starts replication (`None`: installed, but nothing visible starts it).
    pub start: Option<Fact>,
    /// Conditions the start depends on (e.g. `if ENV["LITESTREAM"]` around the Puma plugin).
    pub conditions: Vec<Fact>,
    pub version: Option<(Version, Fact)>,
    /// Litestream's working directory, against which relative `dbs[].path` values resolve.
    pub cwd: String,
    pub cwd_fact: Option<Fact>,
    /// The accessory's name (accessory runners only).
    pub accessory: Option<String>,
    /// Started with `-no-expand-env`: `$VAR` stays as written.
    pub no_expand_env: bool,
    /// A second start of the same runner (the gem's Puma plugin, and a Procfile process running
    /// `litestream:replicate` beside the server).
    pub also_started: Option<Fact>,
}

impl Runner {
    /// A stand-in for the app container when no runner was found (to read the app's environment).
    pub fn placeholder(m: &Model) -> Runner {
        Runner {
            kind: Kind::Image,
            found: Fact {
                loc: Loc::default(),
                text: String::new(),
            },
            start: None,
            conditions: Vec::new(),
            version: None,
            cwd: m.rails_root.clone(),
            cwd_fact: m.rails_root_fact.clone(),
            accessory: None,
            no_expand_env: false,
            also_started: None,
        }
    }

    /// Replication is started, unconditionally as far as the files tell.
    pub fn starts(&self) -> bool {
        self.start.is_some() && self.conditions.is_empty()
    }

    /// Litestream runs inside the app container (the gem, or the binary in the image).
    pub fn in_app_container(&self) -> bool {
        self.kind != Kind::Accessory
    }
}

/// Everything `check` knows about how the app runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Model {
    pub runners: Vec<Runner>,
    /// The Rails root in the app container (the Dockerfile's final `WORKDIR`), and where it was set.
    pub rails_root: String,
    pub rails_root_fact: Option<Fact>,
}

impl Default for Model {
    fn default() -> Model {
        Model {
            runners: Vec::new(),
            rails_root: DEFAULT_RAILS_ROOT.to_string(),
            rails_root_fact: None,
        }
    }
}

impl Model {
    /// The runner whose view of litestream.yml the rules take: the first that starts replication,
    /// else the first found.
    pub fn primary(&self) -> Option<&Runner> {
        self.runners
            .iter()
            .find(|r| r.starts())
            .or_else(|| self.runners.iter().find(|r| r.start.is_some()))
            .or_else(|| self.runners.first())
    }

    pub fn has(&self, kind: Kind) -> bool {
        self.runners.iter().any(|r| r.kind == kind)
    }

    /// True when an accessory runs Litestream (the accessory rules' premise).
    pub fn accessory(&self) -> Option<&Runner> {
        self.runners.iter().find(|r| r.kind == Kind::Accessory)
    }
}

/// Rails 8's generated Dockerfile puts the app in `/rails`.
pub const DEFAULT_RAILS_ROOT: &str = "/rails";

impl fmt::Display for Runner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.kind.describe())?;
        if let Some(a) = &self.accessory {
            write!(f, " `{a}`")?;
        }
        Ok(())
    }
}

fn fact(src: u16, pos: Pos, text: impl Into<String>) -> Fact {
    Fact {
        loc: Loc { src, pos },
        text: text.into(),
    }
}

/// Reads the runners from a loaded project.
pub fn detect(p: &Project) -> Model {
    let dockerfile = p.app.dockerfile.map(|src| (src, Dockerfile::parse(&p.file(src).text)));
    let (rails_root, rails_root_fact) = match dockerfile
        .as_ref()
        .and_then(|(src, d)| Some((*src, d.final_stage()?.workdir.clone()?)))
    {
        Some((src, (dir, pos))) => (dir.clone(), Some(fact(src, pos, format!("WORKDIR {dir}")))),
        None => (DEFAULT_RAILS_ROOT.to_string(), None),
    };
    let mut runners = Vec::new();
    runners.extend(accessories(p));

    // Commands that start replication, wherever the app writes them.
    let mut starts: Vec<(u16, Start)> = Vec::new();
    for &src in p.app.procfiles.iter().chain(&p.app.scripts) {
        for s in commands::starts_in_text(&p.file(src).text) {
            starts.push((src, s));
        }
    }
    if let Some((src, d)) = &dockerfile {
        let (ep, cmd) = d.entrypoint_and_cmd();
        for (words, pos) in [ep, cmd].into_iter().flatten() {
            if let Some(s) = commands::start_in(&words.join(" "), pos) {
                starts.push((*src, s));
            }
        }
    }
    for (_, view) in p.deploy_views() {
        for role in roles(view) {
            if let Some(c) = role.cmd() {
                if let Some(s) = c.as_str().and_then(|t| commands::start_in(t, c.pos)) {
                    if !starts.iter().any(|(src, x)| *src == c.src && x.pos == s.pos) {
                        starts.push((c.src, s));
                    }
                }
            }
        }
    }
    let binary = dockerfile
        .as_ref()
        .and_then(|(src, d)| Some((*src, d.litestream_binary()?)));
    let gem = p.app.gemfile.and_then(|src| {
        let line = gems::gemfile_line(&p.file(src).text, "litestream")?;
        line.in_production().then_some((src, line))
    });

    if let Some((src, line)) = &gem {
        runners.push(gem_runner(
            p,
            *src,
            line.pos,
            &starts,
            binary.is_none(),
            &rails_root,
            &rails_root_fact,
        ));
    }
    if let Some((src, b)) = &binary {
        let start = starts.iter().find(|(_, s)| s.via == Via::Binary);
        let version = b
            .version
            .as_deref()
            .and_then(Version::parse)
            .map(|v| (v, fact(*src, b.pos, format!("{} names Litestream {v}", b.how))));
        runners.push(Runner {
            kind: Kind::Image,
            found: fact(*src, b.pos, b.how.clone()),
            start: start.map(|(s, st)| fact(*s, st.pos, st.text.clone())),
            conditions: Vec::new(),
            version,
            cwd: rails_root.clone(),
            cwd_fact: rails_root_fact.clone(),
            accessory: None,
            no_expand_env: start.is_some_and(|(_, s)| s.text.contains("-no-expand-env")),
            also_started: None,
        });
    }
    Model {
        runners,
        rails_root,
        rails_root_fact,
    }
}

fn accessories(p: &Project) -> Vec<Runner> {
    let mut out: Vec<Runner> = Vec::new();
    for (_, view) in p.deploy_views() {
        for acc in litestream_accessories(view) {
            let name = acc.name.as_str().unwrap_or("litestream").to_string();
            if out.iter().any(|r| r.accessory.as_deref() == Some(name.as_str())) {
                continue;
            }
            let image = acc.image();
            let found = match image {
                Some(i) => Fact {
                    loc: i.loc(),
                    text: format!("accessory `{name}` runs `{}`", i.as_str().unwrap_or("")),
                },
                None => Fact {
                    loc: acc.name.loc(),
                    text: format!("accessory `{name}`"),
                },
            };
            let version = image.and_then(|i| {
                let v = Version::from_image_tag(i.as_str()?)?;
                Some((
                    v,
                    Fact {
                        loc: i.loc(),
                        text: format!("the accessory's image tag `{}`", i.as_str().unwrap_or("")),
                    },
                ))
            });
            let cmd = cmd_words(acc.node);
            let start = cmd.as_ref().and_then(|(n, w)| {
                // `cmd: litestream replicate` is still meant to replicate (K009 says what is wrong with it).
                w.iter().take(2).any(|x| x == "replicate").then(|| Fact {
                    loc: n.loc(),
                    text: format!("cmd: {}", w.join(" ")),
                })
            });
            out.push(Runner {
                kind: Kind::Accessory,
                found,
                start,
                conditions: Vec::new(),
                version,
                // The official image sets no WORKDIR.
                cwd: "/".into(),
                cwd_fact: None,
                accessory: Some(name),
                no_expand_env: cmd.is_some_and(|(_, w)| has_flag(&w, "no-expand-env")),
                also_started: None,
            });
        }
    }
    out
}

fn gem_runner(
    p: &Project,
    gemfile: u16,
    pos: Pos,
    starts: &[(u16, Start)],
    no_image_binary: bool,
    rails_root: &str,
    rails_root_fact: &Option<Fact>,
) -> Runner {
    let mut start = None;
    let mut conditions = Vec::new();
    if let Some(src) = p.app.puma {
        if let Some(pl) = ruby::puma_plugin(&p.file(src).text) {
            start = Some(fact(src, pl.pos, "plugin :litestream"));
            conditions = pl
                .conditions
                .iter()
                .filter(|c| !env::production_condition(&c.text))
                .map(|c| fact(src, c.pos, c.text.clone()))
                .collect();
        }
    }
    if start.is_none() {
        // Ruby code of the app that runs the gem's task or command itself (e.g. an initializer
        // that spawns `rails litestream:replicate`).
        for &src in &p.app.ruby {
            let text = &p.file(src).text;
            let hit = text.lines().enumerate().find(|(_, l)| {
                let code = l.split('#').next().unwrap_or("");
                code.contains("litestream:replicate") || code.contains("Litestream::Commands.replicate")
            });
            if let Some((i, l)) = hit {
                start = Some(fact(
                    src,
                    Pos::new(i + 1, l.len() - l.trim_start().len() + 1),
                    "Ruby code that runs `litestream:replicate`",
                ));
                break;
            }
        }
    }
    if start.is_none() || !conditions.is_empty() {
        // The gem's task, or the gem's own `litestream` executable when the image has no other.
        if let Some((src, s)) = starts
            .iter()
            .find(|(_, s)| s.via == Via::GemTask || (no_image_binary && s.via == Via::Binary))
        {
            start = Some(fact(*src, s.pos, s.text.clone()));
            conditions.clear();
        }
    }
    // The plugin starts Litestream in every Puma; a Procfile that runs the server and
    // `litestream:replicate` as processes of their own starts it a second time.
    let mut also_started = None;
    if start.as_ref().is_some_and(|s| s.text == "plugin :litestream") && conditions.is_empty() {
        for &src in &p.app.procfiles {
            let procs = commands::procfile(&p.file(src).text);
            let server = procs.iter().any(|(_, cmd, _)| {
                cmd.contains("rails server")
                    || cmd.contains("rails s ")
                    || cmd.ends_with("rails s")
                    || cmd.contains("puma")
                    || cmd.contains("thrust")
            });
            let task = procs.iter().find(|(_, cmd, _)| cmd.contains("litestream:replicate"));
            if let (true, Some((_, cmd, pos))) = (server, task) {
                also_started = Some(fact(src, *pos, cmd.clone()));
            }
        }
    }
    let version = p.app.gemfile_lock.and_then(|src| {
        let (gv, at) = gems::locked_version(&p.file(src).text, "litestream")?;
        let v = gem::bundled(&gv)?;
        Some((v, fact(src, at, format!("litestream-ruby {gv} bundles Litestream {v}"))))
    });
    Runner {
        kind: Kind::Gem,
        found: fact(gemfile, pos, "gem \"litestream\""),
        start,
        conditions,
        version,
        cwd: rails_root.to_string(),
        cwd_fact: rails_root_fact.clone(),
        accessory: None,
        no_expand_env: false,
        also_started,
    }
}

/// Why a runner's Litestream version is not known, for the note that says what was assumed.
pub fn unknown_version_reason(p: &Project, r: &Runner) -> String {
    match r.kind {
        Kind::Accessory => {
            let image = p
                .deploy_views()
                .iter()
                .flat_map(|(_, v)| {
                    litestream_accessories(v)
                        .into_iter()
                        .filter(|a| a.name.as_str() == r.accessory.as_deref())
                        .filter_map(|a| a.image()?.as_str().map(str::to_string))
                        .collect::<Vec<_>>()
                })
                .next();
            match image {
                Some(i) => format!("the accessory's image `{i}` names no version"),
                None => "the accessory names no image".into(),
            }
        }
        Kind::Gem => match gem::locked(p) {
            Some((gv, _)) => format!(
                "which Litestream litestream-ruby {gv} bundles is not known to this version of litestream-guard"
            ),
            None => "Gemfile.lock does not lock the litestream gem".into(),
        },
        Kind::Image => "the Dockerfile does not say which Litestream release it installs".into(),
    }
}

/// `file:line` of a fact, for the report header.
pub fn at(p: &Project, f: &Fact) -> String {
    format!("{}:{}", p.file(f.loc.src).display, f.loc.pos.line)
}

/// One line per runner for the report header: what runs Litestream, what starts it, and where.
pub fn summary(p: &Project, m: &Model) -> Vec<String> {
    let mut out = Vec::new();
    for r in &m.runners {
        let mut s = format!("{r} ({})", at(p, &r.found));
        match (&r.start, r.conditions.is_empty()) {
            (Some(st), true) => s.push_str(&format!(", started by `{}` ({})", st.text, at(p, st))),
            (Some(st), false) => s.push_str(&format!(
                ", started by `{}` ({}) only when {}",
                st.text,
                at(p, st),
                r.conditions
                    .iter()
                    .map(|c| format!("`{}` ({})", c.text, at(p, c)))
                    .collect::<Vec<_>>()
                    .join(" and ")
            )),
            (None, _) => s.push_str(", but nothing in the app's files starts replication"),
        }
        match &r.cwd_fact {
            Some(f) => s.push_str(&format!(", working directory {} ({})", r.cwd, at(p, f))),
            None if r.kind == Kind::Accessory => s.push_str(&format!(", working directory {} (the image's)", r.cwd)),
            None => s.push_str(&format!(
                ", working directory {} (assumed: no Dockerfile WORKDIR)",
                r.cwd
            )),
        }
        out.push(s);
    }
    out
}

/// Whether a node of litestream.yml names a path relative to Litestream's working directory.
pub fn is_relative(path: &Node) -> bool {
    path.as_str()
        .is_some_and(|s| !s.is_empty() && !s.starts_with('/') && !s.starts_with('~') && !s.contains("://"))
}
