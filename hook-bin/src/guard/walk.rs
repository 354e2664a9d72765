//! Walks a parsed command line in execution order, keeping track of what is known at each
//! command: where it runs (here, a server, a container), its working directory and variables,
//! and whether the app and Litestream have been stopped by an earlier command that must have
//! succeeded for this one to run (`&&`, `set -e`). Each plain command's operations go to the
//! judge (PreToolUse) or are only recorded (PostToolUse and the transcript).

use super::layout::{clean, Ctx, Place};
use super::ops::{base, FileOp, Op, Runner, Verb};
use super::session::{Event, Unit};
use super::shell::{self, AndOr, Conn, Node, Redir, RedirKind, Script, Simple};
use super::words::{Arg, Expander, Found, Vars, DYN};
use super::{Env, Finding};

use crate::limits::{MAX_ARGV, MAX_FINDINGS, MAX_WALK_STEPS};
pub(super) use crate::limits::{MAX_LOOP_VALUES, MAX_NEST};

/// A stop or start earlier on the command line: the unit, what happened, and the command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    pub unit: Unit,
    pub event: Event,
    pub cmd: String,
}

impl Step {
    pub fn starts(&self) -> bool {
        matches!(self.event, Event::Start | Event::Seen { running: true, .. })
    }
}

/// What is known before a command runs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct State {
    /// Stops and starts earlier on this line (the last one per unit); units not here are as
    /// the session left them.
    pub units: Vec<Step>,
    /// Paths known to be gone (deleted or moved away earlier on the line).
    pub gone: Vec<Place>,
    /// Local paths known to be gone.
    pub local_gone: Vec<String>,
    /// Paths created or replaced earlier on the line.
    pub made: Vec<Place>,
}

impl State {
    fn meet(a: &State, b: &State) -> State {
        // A start on either path may have happened; a stop counts only when both paths stopped.
        let mut units: Vec<Step> = Vec::new();
        for x in a.units.iter().chain(&b.units) {
            if units.iter().any(|u| u.unit == x.unit) {
                continue;
            }
            let other = if a.units.contains(x) { &b.units } else { &a.units };
            let same = other.iter().find(|o| o.unit == x.unit);
            if x.starts() {
                units.push(x.clone());
            } else if let Some(o) = same {
                units.push(if o.starts() { o.clone() } else { x.clone() });
            }
        }
        State {
            units,
            gone: a.gone.iter().filter(|p| b.gone.contains(p)).cloned().collect(),
            local_gone: a
                .local_gone
                .iter()
                .filter(|p| b.local_gone.contains(p))
                .cloned()
                .collect(),
            made: a
                .made
                .iter()
                .chain(b.made.iter().filter(|p| !a.made.contains(p)))
                .cloned()
                .collect(),
        }
    }

    /// Carries starts from `other` (a start may have happened whatever the outcome).
    fn absorb_starts(&mut self, other: &State) {
        for s in other.units.iter().filter(|s| s.starts()) {
            self.set(s.clone());
        }
    }

    /// Records a stop or start (a start also undoes every broader stop it overlaps, and what
    /// was moved aside may be back).
    pub(super) fn set(&mut self, step: Step) {
        if step.starts() {
            for u in &mut self.units {
                if u.unit.overlaps(&step.unit) && !u.starts() {
                    u.event = Event::Start;
                    u.cmd = step.cmd.clone();
                }
            }
            self.gone.clear();
        }
        self.units.retain(|u| u.unit != step.unit);
        self.units.push(step);
    }

    /// The step that decides `unit` on this line: a start that overlaps it, else a stop that
    /// covers it.
    pub fn step(&self, unit: &Unit) -> Option<&Step> {
        self.units
            .iter()
            .rev()
            .find(|s| s.starts() && s.unit.overlaps(unit))
            .or_else(|| self.units.iter().rev().find(|s| !s.starts() && s.unit.covers(unit)))
    }
}

/// Which destination's databases a command touches.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Target {
    /// Not known (a local command, `docker` on an unnamed machine): every destination.
    #[default]
    Unknown,
    /// `kamal -d D …` (`None`: no `-d`).
    Dest(Option<String>),
    /// `ssh HOST …`: the destinations that have that server.
    Host(String),
}

/// The states after a command: when it succeeded, and when it failed.
#[derive(Debug, Clone)]
pub struct Out {
    pub ok: State,
    pub fail: State,
}

impl Out {
    pub(super) fn same(st: &State) -> Out {
        Out {
            ok: st.clone(),
            fail: st.clone(),
        }
    }
}

/// Where and how a command runs.
#[derive(Debug, Clone)]
pub struct Flow {
    pub ctx: Ctx,
    pub cwd: Option<String>,
    pub vars: Vars,
    pub errexit: bool,
    pub runner: Runner,
    /// The image's entrypoint, prepended to the first command (`docker run litestream/…`).
    pub entry: Option<String>,
    /// `docker exec` into the Litestream container: the first command must start with
    /// `litestream` (there is no entrypoint).
    pub needs_prefix: bool,
    /// Standard input handed to a remote command (`kamal app exec -i … <<EOF`): the first
    /// command reads it.
    pub stdin: Option<String>,
    /// Whose databases these are.
    pub target: Target,
    /// The host's shell reading a `kamal … exec` line: its first command's words run in this
    /// container, the rest on the host.
    pub into: Option<Box<Flow>>,
    /// On the host as the rest of a `kamal … exec` line (after the container's command).
    pub host_tail: bool,
    /// `RAILS_ENV` where the place sets it: the app's image sets `production`.
    pub rails_env: Option<&'static str>,
}

/// The word that stands for `docker run … IMAGE` in a `kamal … exec` line (see [`Flow::into`]).
pub(super) const CONTAINER_CMD: &str = "__litestream_guard_container_command__";

impl Flow {
    pub fn local(cwd: Option<String>) -> Flow {
        Flow {
            ctx: Ctx::Local,
            cwd,
            vars: Vars::new(),
            errexit: false,
            runner: Runner::default(),
            entry: None,
            needs_prefix: false,
            stdin: None,
            target: Target::Unknown,
            into: None,
            host_tail: false,
            rails_env: None,
        }
    }

    pub(super) fn remote(ctx: Ctx, cwd: Option<String>) -> Flow {
        let rails_env = matches!(ctx, Ctx::App | Ctx::Accessory(_) | Ctx::Run { .. }).then_some("production");
        Flow {
            ctx,
            cwd,
            rails_env,
            ..Flow::local(None)
        }
    }

    /// A flow for a nested command (substitution, pipeline element): same place, no entrypoint.
    pub(super) fn nested(&self) -> Flow {
        Flow {
            entry: None,
            needs_prefix: false,
            stdin: None,
            into: None,
            ..self.clone()
        }
    }

    /// Resolves a path argument to an absolute pattern; `certain` is false when part of it is
    /// unknown (a variable, an unknown working directory).
    pub fn resolve(&self, a: &Arg) -> (String, bool) {
        let certain = !a.dynamic();
        let pat = &a.pat;
        if a.text.starts_with('/') {
            return (clean(pat), certain);
        }
        if a.text.starts_with(DYN) {
            // `$DIR/x`: absolute or relative, the pattern already starts with `*`.
            return (pat.clone(), false);
        }
        match &self.cwd {
            Some(c) => (clean(&format!("{}/{pat}", super::glob::escape(c))), certain),
            None => (format!("*/{}", clean(pat)), false),
        }
    }
}

/// Remembers a variable, up to `MAX_VARS` of them: past that, new ones stay unknown (which
/// makes the guard more careful, never less).
pub(super) fn set_var(vars: &mut Vars, k: String, v: String) {
    if vars.len() < crate::limits::MAX_VARS || vars.contains_key(&k) {
        vars.insert(k, v);
    }
}

/// Where standard input comes from, when the guard can tell.
#[derive(Debug, Clone)]
pub enum Stdin {
    None,
    Text(String),
    /// File names (for `xargs`).
    Paths(Vec<Arg>),
}

pub struct Walker<'e> {
    pub env: &'e Env,
    /// False for PostToolUse and the transcript: only record what commands change.
    pub judging: bool,
    pub findings: Vec<Finding>,
    pub(super) nest: usize,
    /// Commands followed into other commands (`sudo`, `docker exec c …`), against `2 × MAX_NEST`.
    pub(super) hops: usize,
    /// Shell functions defined so far on the line: called, their bodies run with `$1…`.
    pub(super) functions: Vec<(String, Node)>,
    /// What the command printed (PostToolUse, the transcript): proof of a stop, or of its failure.
    pub output: Option<String>,
    /// Work done so far (simple commands and words expanded), against `MAX_WALK_STEPS`.
    steps: usize,
    /// The walk stopped early (too much work): what was not seen cannot be vouched for.
    pub exhausted: bool,
}

impl<'e> Walker<'e> {
    pub fn new(env: &'e Env, judging: bool) -> Walker<'e> {
        Walker {
            env,
            judging,
            findings: Vec::new(),
            nest: 0,
            hops: 0,
            functions: Vec::new(),
            output: None,
            steps: 0,
            exhausted: false,
        }
    }

    /// Counts `n` units of work; false once the budget is spent.
    pub(super) fn spend(&mut self, n: usize) -> bool {
        self.steps = self.steps.saturating_add(n);
        if self.steps > MAX_WALK_STEPS {
            self.exhausted = true;
        }
        !self.exhausted
    }

    /// Keeps an objection (a bounded number: the answer needs the worst and the names of the rest).
    pub(super) fn push(&mut self, f: Finding) {
        let new_rule = !self.findings.iter().any(|x| x.rule.id == f.rule.id);
        let worse = self.findings.iter().all(|x| x.verdict < f.verdict);
        if self.findings.len() < MAX_FINDINGS || new_rule || worse {
            self.findings.push(f);
        }
    }

    /// Parses and walks a command text (a command line or a payload run by another shell).
    pub fn text(&mut self, text: &str, flow: &mut Flow, st: &State) -> Out {
        if self.nest >= MAX_NEST || !self.spend(1) {
            self.unresolved(text, flow, st);
            return Out::same(st);
        }
        match shell::parse(text) {
            Ok(script) => {
                self.nest += 1;
                let out = self.script(&script, flow, st);
                self.nest -= 1;
                out
            }
            Err(_) => {
                self.unresolved(text, flow, st);
                Out::same(st)
            }
        }
    }

    pub(super) fn unresolved(&mut self, text: &str, flow: &Flow, st: &State) {
        if self.judging {
            self.judge(&Op::Unresolved(text.to_string()), text, flow, st);
        }
    }

    pub fn script(&mut self, s: &Script, flow: &mut Flow, st: &State) -> Out {
        let mut cur = st.clone();
        let mut last = Out::same(st);
        for item in &s.0 {
            if self.exhausted {
                break;
            }
            let out = self.and_or(&item.list, flow, &cur);
            cur = if item.background {
                let mut c = cur.clone();
                c.absorb_starts(&out.ok);
                c
            } else if flow.errexit {
                out.ok.clone()
            } else {
                State::meet(&out.ok, &out.fail)
            };
            last = out;
        }
        if flow.errexit {
            last.ok = cur;
        }
        last
    }

    fn and_or(&mut self, l: &AndOr, flow: &mut Flow, st: &State) -> Out {
        let mut acc = self.pipeline(&l.first, flow, st);
        for (conn, p) in &l.rest {
            match conn {
                Conn::And => {
                    let o = self.pipeline(p, flow, &acc.ok);
                    acc = Out {
                        fail: State::meet(&acc.fail, &o.fail),
                        ok: o.ok,
                    };
                }
                Conn::Or => {
                    let o = self.pipeline(p, flow, &acc.fail);
                    acc = Out {
                        ok: State::meet(&acc.ok, &o.ok),
                        fail: o.fail,
                    };
                }
            }
        }
        acc
    }

    fn pipeline(&mut self, p: &shell::Pipeline, flow: &mut Flow, st: &State) -> Out {
        if p.0.len() == 1 {
            return self.node(&p.0[0], flow, st, Stdin::None);
        }
        let mut outs = Vec::new();
        for (i, n) in p.0.iter().enumerate() {
            let stdin = if i == 0 {
                Stdin::None
            } else {
                self.stdout_of(&p.0[i - 1], flow)
            };
            let mut f = flow.clone();
            if i > 0 {
                f.entry = None;
            }
            outs.push(self.node(n, &mut f, st, stdin));
        }
        let mut last = outs.pop().unwrap_or_else(|| Out::same(st));
        for o in &outs {
            last.ok.absorb_starts(&o.ok);
            last.fail.absorb_starts(&o.ok);
        }
        last
    }

    /// What a pipeline element writes, when it is literal text (`echo …`, `printf …`) or a list
    /// of files (`ls …`, `find …`).
    fn stdout_of(&self, n: &Node, flow: &Flow) -> Stdin {
        let Node::Simple(s) = n else {
            return Stdin::None;
        };
        let ex = self.expander(flow);
        let mut found = Found::default();
        let argv: Vec<Arg> = s.words.iter().flat_map(|w| ex.expand(w, &mut found)).collect();
        let Some(first) = argv.first() else {
            return Stdin::None;
        };
        let rest: Vec<&Arg> = argv[1..].iter().filter(|a| !a.text.starts_with('-')).collect();
        match base(first) {
            "echo" => Stdin::Text(rest.iter().map(|a| a.text.as_str()).collect::<Vec<_>>().join(" ")),
            "printf" => Stdin::Text(
                rest.iter()
                    .map(|a| a.text.replace("\\n", "\n"))
                    .collect::<Vec<_>>()
                    .join(" "),
            ),
            // `ls DIR` prints the names in DIR (unknown here); `ls *-wal` and `ls -d DIR` print
            // the paths as given.
            "ls" => {
                let listed = argv[1..]
                    .iter()
                    .any(|a| a.text.starts_with('-') && a.text.contains('d'));
                Stdin::Paths(
                    rest.into_iter()
                        .map(|a| {
                            let file = flow.ctx.is_local() && std::path::Path::new(&a.text).is_file();
                            if a.wild() || listed || file {
                                a.clone()
                            } else {
                                Arg {
                                    text: DYN.to_string(),
                                    pat: "*".into(),
                                }
                            }
                        })
                        .collect(),
                )
            }
            "find" => {
                let roots: Vec<&Arg> = argv[1..].iter().take_while(|a| !a.text.starts_with('-')).collect();
                let name = argv
                    .windows(2)
                    .find(|w| w[0].is("-name") || w[0].is("-iname"))
                    // find reads the pattern itself: quoted or not, its wildcards are active.
                    .map(|w| w[1].text.clone())
                    .unwrap_or_else(|| "*".into());
                let mut paths = Vec::new();
                for r in roots {
                    let root = r.pat.trim_end_matches('/');
                    for pat in [format!("{root}/{name}"), format!("{root}/*/{name}")] {
                        paths.push(Arg {
                            text: super::glob::unescape(&pat),
                            pat,
                        });
                    }
                }
                Stdin::Paths(paths)
            }
            _ => Stdin::None,
        }
    }

    pub(super) fn expander<'a>(&'a self, flow: &'a Flow) -> Expander<'a> {
        Expander {
            vars: &flow.vars,
            home: if flow.ctx.is_local() {
                self.env.home.as_deref()
            } else {
                None
            },
        }
    }

    pub(super) fn node(&mut self, n: &Node, flow: &mut Flow, st: &State, stdin: Stdin) -> Out {
        match n {
            Node::Simple(s) => self.simple(s, flow, st, stdin),
            Node::Group { body, subshell, redirs } => {
                let out = if *subshell {
                    self.script(body, &mut flow.clone(), st)
                } else {
                    self.script(body, flow, st)
                };
                self.redirections(redirs, flow, st);
                out
            }
            Node::If {
                arms,
                otherwise,
                redirs,
            } => {
                let mut cur = st.clone();
                let mut oks: Vec<State> = Vec::new();
                let mut fails: Vec<State> = Vec::new();
                for (cond, body) in arms {
                    let c = self.script(cond, flow, &cur);
                    let b = self.script(body, flow, &c.ok);
                    oks.push(b.ok);
                    fails.push(b.fail);
                    cur = c.fail;
                }
                match otherwise {
                    Some(e) => {
                        let b = self.script(e, flow, &cur);
                        oks.push(b.ok);
                        fails.push(b.fail);
                    }
                    None => oks.push(cur.clone()),
                }
                self.redirections(redirs, flow, st);
                let ok = oks.iter().skip(1).fold(oks[0].clone(), |a, b| State::meet(&a, b));
                let fail = fails.iter().fold(cur, |a, b| State::meet(&a, b));
                Out { ok, fail }
            }
            Node::Loop {
                var,
                values,
                cond,
                body,
                redirs,
            } => {
                let mut cur = st.clone();
                if let Some(c) = cond {
                    cur = self.script(c, flow, st).ok;
                }
                let mut outs = Vec::new();
                match (var, values) {
                    (Some(v), Some(vals)) => {
                        let ex_vals: Vec<Arg> = {
                            let ex = self.expander(flow);
                            let mut found = Found::default();
                            vals.iter().flat_map(|w| ex.expand(w, &mut found)).collect()
                        };
                        let mut vals = Vec::new();
                        for a in ex_vals {
                            if a.wild() && flow.ctx.is_local() && !a.dynamic() {
                                let (abs, _) = flow.resolve(&a);
                                let found = super::local::expand(&abs);
                                if !found.is_empty() {
                                    vals.extend(found);
                                    continue;
                                }
                            }
                            vals.push(if a.wild() {
                                a.pat.replace('*', &DYN.to_string())
                            } else {
                                a.text
                            });
                        }
                        vals.truncate(MAX_LOOP_VALUES);
                        if vals.is_empty() {
                            vals.push(DYN.to_string());
                        }
                        for val in vals {
                            if self.exhausted {
                                break;
                            }
                            let mut f = flow.clone();
                            f.vars.insert(v.clone(), val);
                            outs.push(self.script(body, &mut f, &cur));
                        }
                    }
                    (Some(v), None) => {
                        let mut f = flow.clone();
                        f.vars.insert(v.clone(), DYN.to_string());
                        outs.push(self.script(body, &mut f, &cur));
                    }
                    _ => outs.push(self.script(body, &mut flow.clone(), &cur)),
                }
                self.redirections(redirs, flow, st);
                let mut ok = cur.clone();
                let mut fail = cur.clone();
                for o in &outs {
                    ok = State::meet(&ok, &o.ok);
                    fail = State::meet(&fail, &o.fail);
                }
                Out { ok, fail }
            }
            Node::Case { arms, redirs, .. } => {
                let mut ok = st.clone();
                let mut fail = st.clone();
                for a in arms {
                    let o = self.script(a, &mut flow.clone(), st);
                    ok = State::meet(&ok, &o.ok);
                    fail = State::meet(&fail, &o.fail);
                }
                self.redirections(redirs, flow, st);
                Out { ok, fail }
            }
            Node::Function { name, body } => {
                // Checked where it is defined (it may be called anywhere after), and again
                // where it is called, with its arguments.
                self.node(body, &mut flow.nested(), st, Stdin::None);
                self.functions.retain(|(n, _)| n != name);
                self.functions.push((name.clone(), (**body).clone()));
                Out::same(st)
            }
            Node::Inert => Out::same(st),
        }
    }

    /// Redirections that write to files (`> file`, `>> file`).
    fn redirections(&mut self, redirs: &[Redir], flow: &Flow, st: &State) -> State {
        let mut cur = st.clone();
        for r in redirs {
            match r {
                Redir::File {
                    kind: RedirKind::Write | RedirKind::Append,
                    target,
                    ..
                } => {
                    let mut found = Found::default();
                    let arg = self.expander(flow).one(target, &mut found);
                    if arg.text.starts_with("/dev/") {
                        continue;
                    }
                    let mut f = FileOp::new(Verb::Write, arg.clone(), ">");
                    f.into_dir = Some(false);
                    let op = Op::File(f);
                    cur = self.apply(vec![op], &format!("> {}", arg.show()), flow, &cur).ok;
                }
                Redir::ProcSub(s) => {
                    self.script(s, &mut flow.nested(), st);
                }
                _ => {}
            }
        }
        cur
    }

    fn simple(&mut self, s: &Simple, flow: &mut Flow, st: &State, stdin: Stdin) -> Out {
        if !self.spend(1 + s.words.len() / 8) {
            return Out::same(st);
        }
        if s.words.len() > MAX_ARGV {
            // Too many words to read: what it does is not known.
            self.unresolved(&s.words.join(" "), flow, st);
            return Out::same(st);
        }
        let mut found = Found::default();
        let (argv, assigns) = {
            let ex = self.expander(flow);
            let argv: Vec<Arg> = s.words.iter().flat_map(|w| ex.expand(w, &mut found)).collect();
            let assigns: Vec<(String, Arg)> = s
                .assigns
                .iter()
                .map(|(k, v)| (k.clone(), ex.one(v, &mut found)))
                .collect();
            (argv, assigns)
        };
        // Command substitutions and process substitutions run before the command.
        for sub in std::mem::take(&mut found.substs) {
            self.text(&sub, &mut flow.nested(), st);
        }
        for p in &s.procsubs {
            self.script(p, &mut flow.nested(), st);
        }
        let mut stdin = stdin;
        for r in &s.redirs {
            match r {
                Redir::HereDoc { body, expand } => {
                    stdin = Stdin::Text(if *expand {
                        self.heredoc(body, flow, st)
                    } else {
                        body.clone()
                    });
                }
                Redir::HereString { word } => {
                    let mut f = Found::default();
                    let t = self.expander(flow).one(word, &mut f).text;
                    for sub in f.substs {
                        self.text(&sub, &mut flow.nested(), st);
                    }
                    stdin = Stdin::Text(t);
                }
                _ => {}
            }
        }
        let cur = self.redirections(&s.redirs, flow, st);
        if argv.is_empty() {
            for (k, v) in assigns {
                set_var(&mut flow.vars, k, v.text);
            }
            return Out::same(&cur);
        }
        let mut f = flow.clone();
        for (k, v) in &assigns {
            // `X=1 cmd`: in cmd's environment (a `bash -c` payload sees it).
            f.vars.insert(k.clone(), v.text.clone());
        }
        let out = self.command(argv, &mut f, &cur, stdin);
        // `cd`, `set -e` and assignments by `export` persist in this shell.
        flow.cwd = f.cwd;
        flow.errexit = f.errexit;
        for (k, v) in f.vars {
            if !assigns.iter().any(|(a, _)| *a == k) {
                set_var(&mut flow.vars, k, v);
            }
        }
        flow.entry = f.entry;
        flow.needs_prefix = f.needs_prefix;
        flow.into = f.into;
        out
    }

    /// A here-document with expansion: its `$(…)` run, its variables expand.
    fn heredoc(&mut self, body: &str, flow: &Flow, st: &State) -> String {
        let mut out = String::new();
        match brush_parser::word::parse_heredoc(body, &shell::options()) {
            Ok(pieces) => {
                for p in pieces {
                    use brush_parser::word::WordPiece as W;
                    match &p.piece {
                        W::Text(t) => out.push_str(t),
                        W::CommandSubstitution(c) | W::BackquotedCommandSubstitution(c) => {
                            self.text(c, &mut flow.nested(), st);
                            out.push(DYN);
                        }
                        W::EscapeSequence(e) => out.push_str(e.strip_prefix('\\').unwrap_or(e)),
                        W::ParameterExpansion(_) => {
                            let mut f = Found::default();
                            let raw = body.get(p.start_index..p.end_index).unwrap_or("");
                            out.push_str(&self.expander(flow).one(raw, &mut f).text);
                        }
                        _ => out.push(DYN),
                    }
                }
            }
            Err(_) => out.push_str(body),
        }
        out
    }

    /// Judges (when judging) and records the operations of one command.
    pub(super) fn apply(&mut self, ops: Vec<Op>, shown: &str, flow: &Flow, st: &State) -> Out {
        let mut ok = st.clone();
        let mut fail = st.clone();
        let mut seen: std::collections::HashSet<String> = std::collections::HashSet::new();
        for op in &ops {
            // The same operation twice (`rm x x`, `xargs` of a repeated list) is judged once.
            if ops.len() > 1 && !seen.insert(format!("{op:?}")) {
                continue;
            }
            // Judging an operation matches its path against every live file: a few steps.
            if !self.spend(4) {
                break;
            }
            if self.judging {
                self.judge(op, shown, flow, &ok);
            }
            match op {
                Op::Kamal { effect, holder, scope } => {
                    for (unit, event) in self.kamal_events(*effect, holder, scope) {
                        let step = Step {
                            unit,
                            event,
                            cmd: shown.to_string(),
                        };
                        if step.starts() {
                            // A start may have happened even when the command failed.
                            fail.set(step.clone());
                        }
                        ok.set(step);
                    }
                }
                Op::File(f) => match &f.remote {
                    Some(r) => {
                        let there = self.remote_flow(r);
                        self.record_file(f, &there, &mut ok)
                    }
                    None => self.record_file(f, flow, &mut ok),
                },
                Op::Restore(r) => {
                    if let Some(o) = &r.output {
                        if !r.dry_run {
                            let (abs, _) = flow.resolve(o);
                            let place = self.env.layout().place(&flow.ctx, &abs);
                            ok.gone.retain(|g| *g != place);
                            ok.made.push(place);
                        }
                    }
                }
                _ => {}
            }
        }
        Out { ok, fail }
    }

    /// Remembers which paths a file operation removed or created.
    fn record_file(&self, f: &FileOp, flow: &Flow, st: &mut State) {
        if f.path.dynamic() {
            return;
        }
        let (abs, _) = flow.resolve(&f.path);
        let target = match (&f.verb, f.into_dir, &f.name) {
            (Verb::Onto, Some(true), Some(n)) => format!("{abs}/{}", super::glob::escape(n)),
            _ => abs,
        };
        let layout = self.env.layout();
        let place = layout.place(&flow.ctx, &target);
        if f.verb.removes() {
            if flow.ctx.is_local() {
                st.local_gone.push(target.clone());
            }
            st.gone.retain(|g| *g != place);
            st.gone.push(place);
        } else if matches!(f.verb, Verb::Onto | Verb::Write) {
            st.gone.retain(|g| *g != place);
            st.local_gone.retain(|g| *g != target);
            st.made.push(place);
        }
    }
}
