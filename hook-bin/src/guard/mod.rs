//! The Bash guard: decides whether a shell command may run, must be confirmed, or must not run,
//! because it would restore over, delete or overwrite a live SQLite database (or its `-wal`,
//! `-shm`, `-journal`, or `.<db>-litestream` directory) while the app is not known to be stopped,
//! or would destroy the backups.
//!
//! Pipeline (data flows one way): command text → a cheap keyword gate ([`relevant`]) →
//! [`shell::parse`] → [`walk::Walker`] (`&&`/`||`/`;`, pipelines, groups, loops, and what each
//! step leaves known; [`words`] expands each word) → [`dispatch`] (prefix wrappers from
//! [`wrappers`]; the payloads of `bash -c`, `ssh`, `kamal … exec`, `docker run|exec`, `xargs`) →
//! [`ops`], [`litestream_cmd`], [`tools`] (what a plain command does) → [`judge`] (the G001–G009
//! rules of `crate::rules::bash`, using [`layout`] for where the live databases are, [`local`] for
//! local processes and files, and [`session`]/[`transcript`] for what the session already did) →
//! [`Decision`], with [`reason`] texts. The hook's JSON comes in as a [`BashCall`]; nothing here
//! reads hook types.
//!
//! # Why brush-parser
//!
//! The guard needs a real shell grammar: quoting and escapes (`bash -c "… \"x\" …"`), here-docs
//! whose bodies are data unless a shell reads them, `&&`/`||`/`;`, pipelines, subshells, line
//! continuations, assignments and redirections, comments. `brush-parser` (the parser of the brush
//! shell, pure Rust, MIT) parses bash into an AST with every word kept raw, and its word parser
//! splits a word into quoted/unquoted pieces, parameter expansions and command substitutions, which
//! is exactly what quote removal and "is this text data or code" need. tree-sitter-bash would
//! need a C toolchain at build time and hands back a concrete syntax tree that still needs the
//! same word-level work. When brush-parser cannot parse a command, the guard does not guess: if
//! the text mentions a restore or a database file it asks (G009), otherwise it has no opinion.
//! Only [`shell`] and [`words`] know the parser.

pub mod dispatch;
pub mod glob;
pub mod judge;
pub mod kamal;
pub mod layout;
pub mod litestream_cmd;
pub mod local;
pub mod ops;
pub mod rails_task;
pub mod reason;
pub mod regular;
pub mod session;
pub mod shell;
pub mod stopped;
pub mod tools;
pub mod transcript;
pub mod walk;
pub mod words;
pub mod wrappers;
pub mod writers;

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use serde_json::{json, Value};

use crate::rules::{bash, Rule};
use layout::Layout;
use local::Procs;
use session::{Change, Session};
use walk::{Flow, State, Walker};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Verdict {
    Allow,
    Ask,
    Deny,
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Verdict::Allow => "allow",
            Verdict::Ask => "ask",
            Verdict::Deny => "deny",
        })
    }
}

/// One rule's objection.
#[derive(Clone)]
pub struct Finding {
    pub rule: &'static Rule,
    pub verdict: Verdict,
    pub reason: String,
}

/// The guard's answer for one command.
#[derive(Clone)]
pub struct Decision {
    pub verdict: Verdict,
    pub rule: Option<&'static Rule>,
    /// Empty on allow.
    pub reason: String,
}

impl fmt::Debug for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}: {}", self.verdict, self.rule.id, self.reason)
    }
}

impl fmt::Debug for Decision {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {}: {}",
            self.verdict,
            self.rule.map_or("-", |r| r.id),
            self.reason
        )
    }
}

impl Decision {
    pub fn allow() -> Decision {
        Decision {
            verdict: Verdict::Allow,
            rule: None,
            reason: String::new(),
        }
    }
}

/// Words whose absence means the command cannot touch a database, a restore or the backups:
/// anything else is answered without parsing or reading a file.
const KEYWORDS: [&str; 25] = [
    "litestream",
    "restore",
    "sqlite",
    ".db",
    "-wal",
    "-shm",
    "-journal",
    "storage",
    "volume",
    "kamal",
    "docker",
    "podman",
    "rclone",
    "s3",
    "mc ",
    "gsutil",
    "gcloud",
    "eval",
    "vacuum",
    "/rails",
    // `bin/rails db:drop`, `git clean -fdx` / `git stash --all` (they delete a development
    // database), `drop table`.
    "db:",
    "clean",
    "stash",
    "drop",
    // Its input is run-time text.
    "xargs",
];

/// Characters that build a word's text at run time or by pattern (`$X`, `$(…)`, `` `…` ``,
/// `$'\057…'`, `/r*/s*`, `{a,b}`): a keyword may be hidden in them, so such a command is read.
const BUILDERS: [char; 6] = ['$', '`', '*', '?', '[', '{'];

/// The cheap gate: true when the command could matter to the guard. Quotes and backslashes
/// are dropped first (`/ra''ils`, `/ra\ils` are `/rails` to the shell).
pub fn relevant(command: &str) -> bool {
    if command.contains(BUILDERS) {
        return true;
    }
    let plain: String = command
        .chars()
        .filter(|c| !matches!(c, '\'' | '"' | '\\'))
        .map(|c| c.to_ascii_lowercase())
        .collect();
    KEYWORDS.iter().any(|k| plain.contains(k))
}

/// Words that make a finished command worth recording for the session.
const RECORD_KEYWORDS: [&str; 8] = [
    "kamal",
    "docker",
    "wal",
    "shm",
    "journal",
    "sqlite",
    "storage",
    "litestream",
];

/// Commands whose output says whether a stop worked (a failed stop, `kamal … details`).
fn wants_output(command: &str) -> bool {
    command.contains("kamal") && (command.contains("stop") || command.contains("details") || command.contains("remove"))
}

/// What a decision may look at, loaded on first use.
pub struct Env {
    pub cwd: Option<PathBuf>,
    pub home: Option<String>,
    pub transcript: Option<PathBuf>,
    pub session_file: Option<PathBuf>,
    layout: OnceLock<Layout>,
    procs: OnceLock<Procs>,
    session: OnceLock<Session>,
}

impl Env {
    pub fn new(cwd: Option<&Path>, transcript: Option<&Path>, session_id: Option<&str>) -> Env {
        Env {
            cwd: cwd.map(Path::to_path_buf),
            home: std::env::var("HOME").ok().filter(|h| !h.is_empty()),
            transcript: transcript.map(Path::to_path_buf),
            session_file: session_id.and_then(|id| session::file(&session::dir()?, id)),
            layout: OnceLock::new(),
            procs: OnceLock::new(),
            session: OnceLock::new(),
        }
    }

    pub fn layout(&self) -> &Layout {
        self.layout.get_or_init(|| Layout::load(self.cwd.as_deref()))
    }

    pub fn procs(&self) -> &Procs {
        self.procs.get_or_init(Procs::scan)
    }

    /// What the session did: the state file and the transcript, combined.
    pub fn session(&self) -> &Session {
        self.session.get_or_init(|| {
            let saved = self.session_file.as_deref().and_then(session::load).unwrap_or_default();
            let read = self
                .transcript
                .as_deref()
                .map(|t| self.read_transcript(t))
                .unwrap_or_default();
            Session::merge(&saved, &read)
        })
    }

    fn cwd_string(&self) -> Option<String> {
        self.cwd.as_deref().and_then(Path::to_str).map(layout::clean)
    }

    /// Reads the transcript back (the last `MAX_TRANSCRIPT_COMMANDS` relevant commands of its
    /// last 32 MB) and replays them, oldest first.
    fn read_transcript(&self, path: &Path) -> Session {
        let mut commands: Vec<transcript::Command> = Vec::new();
        let _ = transcript::scan_back(path, &RECORD_KEYWORDS, wants_output, |c| {
            commands.push(c);
            commands.len() < crate::limits::MAX_TRANSCRIPT_COMMANDS
        });
        let mut s = Session::default();
        for (i, c) in commands.iter().rev().enumerate() {
            let change = self.change_of(&c.command, c.cwd.as_deref(), c.output.as_deref());
            // Records without a timestamp keep their order.
            s.apply(&change, c.at.max(i as u64), &c.command);
        }
        s
    }

    /// What a command changes when it succeeds (for PostToolUse and the transcript), given what
    /// it printed.
    pub fn change_of(&self, command: &str, cwd: Option<&str>, output: Option<&str>) -> Change {
        if !RECORD_KEYWORDS.iter().any(|k| command.contains(k)) {
            return Change::default();
        }
        let mut w = Walker::new(self, false);
        w.output = output.map(str::to_string);
        let mut flow = Flow::local(cwd.map(layout::clean).or_else(|| self.cwd_string()));
        let Some(out) = with_stack(|| w.text(command, &mut flow, &State::default())) else {
            return Change::default();
        };
        Change {
            units: out.ok.units.into_iter().map(|s| (s.unit, s.event)).collect(),
            gone: out.ok.gone.iter().map(layout::Place::key).collect(),
            made: out.ok.made.iter().map(layout::Place::key).collect(),
        }
    }
}

/// Runs `f` on a thread with a large stack (the parser recurses). `None` when the thread could
/// not be started: the caller then has no opinion. A panic is passed on (release builds abort
/// on panic anyway; tests see it).
fn with_stack<T: Send>(f: impl FnOnce() -> T + Send) -> Option<T> {
    std::thread::scope(|s| {
        let handle = std::thread::Builder::new()
            .stack_size(64 << 20)
            .spawn_scoped(s, f)
            .ok()?;
        match handle.join() {
            Ok(v) => Some(v),
            Err(panic) => std::panic::resume_unwind(panic),
        }
    })
}

/// Decides about one command.
pub fn decide(command: &str, env: &Env) -> Decision {
    // Bash drops NUL bytes from the commands it reads.
    let command: std::borrow::Cow<str> = if command.contains('\0') {
        command.replace('\0', "").into()
    } else {
        command.into()
    };
    if !relevant(&command) {
        return Decision::allow();
    }
    let findings = with_stack(|| {
        let mut w = Walker::new(env, true);
        let mut flow = Flow::local(env.cwd_string());
        w.text(&command, &mut flow, &State::default());
        if w.exhausted {
            // Too much to follow to the end: what was not seen is for a person to look at.
            w.exhausted = false;
            w.unresolved(&command, &flow, &State::default());
        }
        w.findings
    });
    choose(findings.unwrap_or_default())
}

/// Deny beats ask; among denials, the dangers (G001–G004, G010, G011) come before the
/// invocation mistakes.
fn choose(findings: Vec<Finding>) -> Decision {
    let rank = |f: &Finding| {
        let danger = [
            &bash::RESTORE_OVER_LIVE,
            &bash::RESTORE_FORCE,
            &bash::STALE_SIDECARS,
            &bash::LIVE_FILE_CLOBBERED,
            &bash::DESTROY_LIVE_DATA,
            &bash::EXEC_PART_ON_HOST,
        ]
        .iter()
        .any(|r| std::ptr::eq(*r, f.rule));
        (std::cmp::Reverse(f.verdict), !danger)
    };
    let Some(best) = findings.iter().min_by_key(|f| rank(f)) else {
        return Decision::allow();
    };
    let mut reason = best.reason.clone();
    let mut others: Vec<String> = Vec::new();
    for f in &findings {
        if f.rule.id != best.rule.id && !others.iter().any(|o| o.starts_with(f.rule.id)) {
            others.push(format!("{} ({})", f.rule.id, f.rule.name));
        }
    }
    if !others.is_empty() {
        reason.push_str(&format!(" Also: {}.", others.join(", ")));
    }
    Decision {
        verdict: best.verdict,
        rule: Some(best.rule),
        reason,
    }
}

/// A Bash tool call as the hook sees it.
pub struct BashCall<'a> {
    /// PostToolUse (the command ran) rather than PreToolUse.
    pub post: bool,
    pub command: &'a str,
    pub cwd: Option<&'a Path>,
    pub session_id: Option<&'a str>,
    pub transcript: Option<&'a Path>,
    pub tool_response: Option<&'a Value>,
}

/// The hook's stdout for a Bash call (`None`: no opinion).
pub fn hook(call: &BashCall) -> Option<String> {
    if call.post {
        record(call);
        return None;
    }
    let env = Env::new(call.cwd, call.transcript, call.session_id);
    let d = decide(call.command, &env);
    if d.verdict == Verdict::Allow {
        return None;
    }
    Some(
        json!({"hookSpecificOutput": {
            "hookEventName": "PreToolUse",
            "permissionDecision": d.verdict.to_string(),
            "permissionDecisionReason": shown(&env, &d.reason),
        }})
        .to_string(),
    )
}

/// A reason as it leaves the process: it quotes the command, which may carry credentials
/// (`s3://KEY:SECRET@…`, `--password=…`, `-e SECRET=…`), so it goes through the redaction layer
/// with what the app's secrets files hold, and control characters are escaped.
fn shown(env: &Env, reason: &str) -> String {
    crate::redact::Redactor::for_app(env.layout().root.as_deref()).clean(reason)
}

/// PostToolUse: remembers stops, starts and moved-aside files of a successful command.
fn record(call: &BashCall) {
    if !RECORD_KEYWORDS.iter().any(|k| call.command.contains(k)) {
        return;
    }
    if let Some(r) = call.tool_response {
        let failed = r.get("interrupted").and_then(Value::as_bool) == Some(true)
            || ["exit_code", "exitCode", "returnCode", "code"]
                .iter()
                .any(|k| r.get(k).and_then(Value::as_i64).is_some_and(|c| c != 0))
            || r.get("is_error").and_then(Value::as_bool) == Some(true);
        if failed {
            return;
        }
    }
    let env = Env::new(call.cwd, None, call.session_id);
    let Some(file) = env.session_file.clone() else {
        return;
    };
    let output = call.tool_response.map(|r| {
        let mut out = String::new();
        for k in ["stdout", "stderr", "output"] {
            if let Some(t) = r.get(k).and_then(Value::as_str) {
                out.push_str(t);
                out.push('\n');
            }
        }
        if let Some(t) = r.as_str() {
            out.push_str(t);
        }
        out.truncate(out.floor_char_boundary(crate::limits::MAX_OUTPUT_BYTES));
        out
    });
    let change = env.change_of(call.command, None, output.as_deref());
    if change.is_empty() {
        return;
    }
    let mut s = session::load(&file).unwrap_or_default();
    s.apply(&change, session::now_ms(), call.command);
    let _ = session::save(&file, &s);
}

/// `litestream-guard guard [--cwd DIR] [--transcript FILE] [--session ID] -- COMMAND`: prints
/// the decision, the rule and the reason; exit 0 allow, 1 deny, 3 ask.
pub fn cli(
    cwd: Option<PathBuf>,
    transcript: Option<PathBuf>,
    session: Option<String>,
    command: &[String],
) -> std::process::ExitCode {
    use std::io::Write as _;
    let cwd = cwd
        .or_else(|| std::env::current_dir().ok())
        .map(|c| std::fs::canonicalize(&c).unwrap_or(c));
    let env = Env::new(cwd.as_deref(), transcript.as_deref(), session.as_deref());
    let d = decide(&command.join(" "), &env);
    let text = match d.rule {
        Some(r) => format!("{} {} {}\n{}\n", d.verdict, r.id, r.name, shown(&env, &d.reason)),
        None => format!("{}\n", d.verdict),
    };
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(text.as_bytes());
    let _ = out.flush();
    std::process::ExitCode::from(match d.verdict {
        Verdict::Allow => 0,
        Verdict::Deny => 1,
        Verdict::Ask => 3,
    })
}
