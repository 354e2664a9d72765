//! One command after expansion: prefix wrappers removed, and the commands that run other
//! commands followed to where those run — a shell's `-c` text or standard input, `eval`, shell
//! functions, `ssh`, `kamal … exec`, `docker run|exec`, `xargs`. Plain commands go to
//! [`super::ops`].

use super::kamal::{self, Exec};
use super::layout::{clean, Ctx};
use super::ops::{self, base, Effect, FileOp, Holder, Op, Remote, Runner, Verb};
use super::walk::{Flow, Out, State, Stdin, Target, Walker, CONTAINER_CMD, MAX_LOOP_VALUES, MAX_NEST};
use super::words::{Arg, DYN};
use super::wrappers::{self, Docker, ShellRun, Strip, SHELLS};
use super::{Finding, Verdict};
use crate::kamal::deploy::is_litestream_image;
use crate::version::Version;

/// Commands that only filter the output they are given: harmless on the host after a
/// `kamal … exec` (`… "ltx /x | grep 0000"`).
const HOST_FILTERS: &[&str] = &[
    "grep", "head", "tail", "wc", "sort", "uniq", "cut", "tr", "true", "echo", "printf",
];

impl Walker<'_> {
    /// A command after expansion: wrappers removed, payloads followed, operations judged.
    pub(super) fn command(&mut self, argv: Vec<Arg>, flow: &mut Flow, st: &State, stdin: Stdin) -> Out {
        // Each hop (a wrapper's payload, `docker exec c …`) is one level: `docker exec c `
        // repeated thousands of times must not recurse thousands of times.
        if self.hops >= 2 * MAX_NEST || !self.spend(1) {
            self.unresolved(&show(&argv), flow, st);
            return Out::same(st);
        }
        self.hops += 1;
        let out = self.command_in(argv, flow, st, stdin);
        self.hops -= 1;
        out
    }

    fn command_in(&mut self, mut argv: Vec<Arg>, flow: &mut Flow, st: &State, stdin: Stdin) -> Out {
        let stdin = match (stdin, flow.stdin.take()) {
            (Stdin::None, Some(t)) => Stdin::Text(t),
            (s, _) => s,
        };
        // The first command of a `kamal … exec` line: its words are the container's command.
        if argv.first().is_some_and(|a| a.is(CONTAINER_CMD)) {
            if let Some(inner) = flow.into.take() {
                argv.remove(0);
                let mut f = *inner;
                // `VAR=1 cmd` here is a word to `docker run`, not an assignment: Rails'
                // entrypoint would `exec` it and fail, but an image whose entrypoint goes
                // through a shell runs it with VAR set. Judge it as the second.
                while argv.first().is_some_and(|a| is_assignment(&a.text)) {
                    let a = argv.remove(0);
                    if let Some((k, v)) = a.text.split_once('=') {
                        f.vars.insert(k.to_string(), v.to_string());
                    }
                }
                if argv.is_empty() {
                    return Out::same(st);
                }
                return self.command(argv, &mut f, st, stdin);
            }
        }
        // A later command of a `kamal … exec` line runs on the host, though the line reads as
        // container commands: unless it only filters output, the user must confirm it (a prefix
        // the user pre-approved, such as `kamal accessory exec litestream "ltx`, must not carry
        // host commands through). What it does there is judged too (`judge::on_host`).
        if flow.host_tail && argv.first().is_some_and(|a| !HOST_FILTERS.contains(&base(a))) {
            self.push(Finding {
                rule: &crate::rules::bash::EXEC_PART_ON_HOST,
                verdict: Verdict::Ask,
                reason: super::reason::on_host(&show(&argv), "", &flow.ctx),
            });
        }
        if let Some(entry) = flow.entry.take() {
            if argv.first().is_some_and(|a| base(a) == "litestream") && entry == "litestream" {
                let shown = show(&argv);
                let corrected = show(&argv[1..]);
                self.apply(
                    vec![Op::Entrypoint {
                        shown: shown.clone(),
                        corrected,
                        doubled: true,
                    }],
                    &shown,
                    flow,
                    st,
                );
                // Judge the rest as if it were written right.
                argv.remove(0);
            }
            argv.insert(0, Arg::lit(&entry));
        } else if std::mem::take(&mut flow.needs_prefix)
            && argv.first().is_some_and(|a| is_litestream_subcommand(&a.text))
        {
            {
                let shown = show(&argv);
                self.apply(
                    vec![Op::Entrypoint {
                        shown: shown.clone(),
                        corrected: format!("litestream {shown}"),
                        doubled: false,
                    }],
                    &shown,
                    flow,
                    st,
                );
                argv.insert(0, Arg::lit("litestream"));
            }
        }
        // Wrappers are skipped by moving a start index (one drain at the end, not one per
        // wrapper: `sudo sudo sudo …` stays linear).
        let mut from = 0;
        loop {
            match wrappers::strip(&argv[from..]) {
                Strip::No => break,
                Strip::At(i) => from += i,
                Strip::Chdir(i, dir) => {
                    flow.cwd = Some(self.cd_target(&dir, flow));
                    from += i;
                }
                Strip::Text(t) => return self.text(&t, &mut flow.nested(), st),
                Strip::Nothing => return Out::same(st),
            }
            if from >= argv.len() {
                return Out::same(st);
            }
        }
        argv.drain(..from);
        let shown = show(&argv);
        let name = base(&argv[0]).to_string();
        if let Some(body) = self
            .functions
            .iter()
            .find(|(n, _)| *n == argv[0].text)
            .map(|(_, b)| b.clone())
        {
            if self.nest >= MAX_NEST {
                return Out::same(st);
            }
            let mut f = flow.nested();
            for (i, a) in argv.iter().enumerate().skip(1).take(9) {
                f.vars.insert(i.to_string(), a.text.clone());
            }
            self.nest += 1;
            let out = self.node(&body, &mut f, st, stdin);
            self.nest -= 1;
            return out;
        }
        let console_code = match (&stdin, base(&argv[0])) {
            (Stdin::Text(t), "rails") if argv.get(1).is_some_and(|a| a.is("console") || a.is("c")) => Some(t.clone()),
            _ => None,
        };
        if let Some(code) = wrappers::inline_code(&argv).or(console_code) {
            if ops::code_writes_database(&code) {
                let text = if shown.contains(code.as_str()) {
                    shown.clone()
                } else {
                    format!("{shown} <<< {code}")
                };
                self.unresolved(&text, flow, st);
            }
            return Out::same(st);
        }
        if SHELLS.contains(&name.as_str()) {
            return match wrappers::shell(&argv) {
                ShellRun::Text { text, errexit } => {
                    if text.dynamic() {
                        // What it runs is partly unknown: a person looks when it mentions a
                        // database, and what can be read is still judged.
                        self.unresolved(&shown, flow, st);
                    }
                    let mut f = flow.nested();
                    f.errexit = errexit;
                    self.text(&text.text, &mut f, st)
                }
                ShellRun::Stdin { errexit } => match stdin {
                    Stdin::Text(t) => {
                        let mut f = flow.nested();
                        f.errexit = errexit;
                        self.text(&t, &mut f, st)
                    }
                    _ => Out::same(st),
                },
                ShellRun::File => Out::same(st),
            };
        }
        match name.as_str() {
            "eval" => {
                let text = argv[1..].iter().map(|a| a.text.as_str()).collect::<Vec<_>>().join(" ");
                // `eval` that mentions a restore or a database file is for a person to confirm
                // even when its text is literal (and denied when that text is dangerous).
                self.unresolved(&shown, flow, st);
                if text.contains(DYN) {
                    return Out::same(st);
                }
                return self.text(&text, &mut flow.nested(), st);
            }
            "cd" | "pushd" => {
                let dir = argv.iter().skip(1).find(|a| !a.text.starts_with('-'));
                flow.cwd = match dir {
                    Some(d) if !d.dynamic() => Some(self.cd_target(&d.text, flow)),
                    _ => None,
                };
                return Out::same(st);
            }
            "set" => {
                let on = argv
                    .iter()
                    .any(|a| a.text.starts_with('-') && !a.text.starts_with("--") && a.text.contains('e'))
                    || argv.windows(2).any(|w| w[0].is("-o") && w[1].is("errexit"));
                if on {
                    flow.errexit = true;
                }
                return Out::same(st);
            }
            "export" | "declare" | "typeset" | "local" | "readonly" => {
                for a in &argv[1..] {
                    if let Some((k, v)) = a.text.split_once('=') {
                        super::walk::set_var(&mut flow.vars, k.to_string(), v.to_string());
                    }
                }
                return Out::same(st);
            }
            "ssh" => {
                if let Some(s) = wrappers::ssh(&argv) {
                    let mut f = Flow::remote(Ctx::Host(s.host.clone()), None);
                    f.target = Target::Host(s.host.clone());
                    if let (Some(_), Stdin::Text(t)) = (&s.command, &stdin) {
                        f.stdin = Some(t.clone());
                    }
                    return match s.command {
                        Some(words) => {
                            let text = words.iter().map(|a| a.text.as_str()).collect::<Vec<_>>().join(" ");
                            if text.contains(DYN) {
                                self.unresolved(&shown, flow, st);
                            }
                            self.text(&text, &mut f, st)
                        }
                        None => match stdin {
                            Stdin::Text(t) => self.text(&t, &mut f, st),
                            _ => Out::same(st),
                        },
                    };
                }
                return Out::same(st);
            }
            "kamal" => return self.kamal(argv, flow, st, stdin),
            "docker" | "podman" | "docker-compose" => {
                let mut v = argv.clone();
                if name == "docker-compose" {
                    v.insert(1, Arg::lit("compose"));
                }
                if let Some(op) = docker_cp(&v) {
                    return self.apply(vec![op], &shown, flow, st);
                }
                if let Some(d) = wrappers::docker(&v) {
                    return self.docker(d, st, stdin);
                }
            }
            "git" => {
                let (chdir, ops) = super::writers::git(&argv[1..]);
                let mut f = flow.clone();
                if let Some(d) = chdir {
                    f.cwd = Some(self.cd_target(&d, flow));
                }
                return self.apply(ops, &shown, &f, st);
            }
            "xargs" => return self.xargs(&argv, flow, st, stdin),
            "sqlite3" | "sqlite" => {
                let text = match &stdin {
                    Stdin::Text(t) => Some(t.as_str()),
                    _ => None,
                };
                let ops = ops::sqlite_with(&argv[1..], text);
                return self.apply(ops, &shown, flow, st);
            }
            "rails" => {
                // `bin/rails dbconsole` runs the SQL it reads on the database it opens.
                if let (Some((db, env)), Stdin::Text(t)) = (super::rails_task::dbconsole(&argv), &stdin) {
                    let mut ops = Vec::new();
                    for path in self.rails_paths(Some(&db), env.as_deref(), flow) {
                        ops.extend(ops::sqlite_with(&[Arg::lit(&path)], Some(t)));
                    }
                    return self.apply(ops, &shown, flow, st);
                }
            }
            _ => {}
        }
        let ops = ops::interpret(&argv, &flow.runner);
        self.apply(ops, &shown, flow, st)
    }

    fn cd_target(&self, dir: &str, flow: &Flow) -> String {
        if dir.starts_with('/') {
            clean(dir)
        } else {
            match &flow.cwd {
                Some(c) => clean(&format!("{c}/{dir}")),
                None => format!("{DYN}/{dir}"),
            }
        }
    }

    /// `kamal …`: aliases expanded, `exec` followed to where each part really runs, stops and
    /// starts recorded.
    fn kamal(&mut self, mut argv: Vec<Arg>, flow: &mut Flow, st: &State, stdin: Stdin) -> Out {
        if let Some(expanded) = kamal::expand_alias(&argv, &self.env.layout().aliases) {
            argv = expanded;
        }
        let shown = show(&argv);
        let call = kamal::parse(&argv);
        let Some((exec, text)) = call.exec() else {
            let ops = super::tools::kamal(&call);
            return self.apply(ops, &shown, flow, st);
        };
        if text.trim().is_empty() {
            return Out::same(st);
        }
        if text.contains(DYN) {
            self.unresolved(&shown, flow, st);
        }
        let dest = call.scope.dest.clone();
        let mut host = Flow::remote(Ctx::Host(self.host_of(&call, &exec)), None);
        host.target = Target::Dest(dest.clone());
        let line = match &exec {
            Exec::Server => text,
            Exec::App | Exec::Accessory(_) => {
                // The host's shell reads `docker run … IMAGE <text>`: the first command's words
                // run in the container, everything after it on the host.
                let mut c = match &exec {
                    Exec::Accessory(name) => self.accessory_flow(name, call.reuse, None),
                    _ => Flow::remote(Ctx::App, Some("/rails".into())),
                };
                c.target = Target::Dest(dest.clone());
                for (k, v) in &call.env {
                    c.vars.insert(k.clone(), v.clone());
                }
                host.into = Some(Box::new(c));
                host.host_tail = true;
                format!("{CONTAINER_CMD} {text}")
            }
        };
        if let Stdin::Text(t) = stdin {
            host.stdin = Some(t);
        }
        let out = self.text(&line, &mut host, st);
        if call.detach && exec == Exec::App {
            // A detached exec container keeps running with the databases open.
            let op = Op::Kamal {
                effect: Effect::Start,
                holder: Holder::App,
                scope: call.scope.clone(),
            };
            let mut after = self.apply(vec![op], &shown, flow, &out.ok);
            after.fail = out.fail;
            return after;
        }
        out
    }

    /// A host to name in messages for a `kamal … exec`.
    fn host_of(&self, call: &kamal::Call, exec: &Exec) -> String {
        if let Some(h) = call.scope.hosts.as_ref().and_then(|h| h.first()) {
            return h.clone();
        }
        let layout = self.env.layout();
        let d = layout.dest(call.scope.dest.as_deref());
        let first = match (d, exec) {
            (Some(d), Exec::Accessory(name)) => d
                .accessories
                .iter()
                .find(|(n, _)| n == name)
                .and_then(|(_, h)| h.first().cloned()),
            (Some(d), _) => d.hosts().next().cloned(),
            _ => None,
        };
        first.unwrap_or_else(|| "the server".into())
    }

    /// Where a command in the accessory `name` runs: a new container of its image (with its
    /// entrypoint) or, with `--reuse`, the running one.
    fn accessory_flow(&self, name: &str, reuse: bool, workdir: Option<String>) -> Flow {
        let mut f = Flow::remote(Ctx::Accessory(name.to_string()), workdir);
        let layout = self.env.layout();
        let acc = layout.accessory(name);
        if acc.is_some() || name == "litestream" {
            let version = acc.and_then(|a| a.version);
            let r = if reuse { "--reuse " } else { "" };
            f.runner = Runner {
                version,
                wrap: Some((format!("kamal accessory exec {r}{name} \""), "\"".into())),
            };
            if reuse {
                f.needs_prefix = true;
            } else {
                f.entry = Some("litestream".into());
            }
        }
        f
    }

    /// Where a command in the container `container` runs (`docker exec`, `docker cp`).
    fn container_flow(&self, container: &str, workdir: Option<String>) -> Flow {
        let layout = self.env.layout();
        let acc = layout.accessory(container).cloned().or_else(|| {
            layout
                .accessories
                .iter()
                .find(|a| container.contains(&a.container))
                .cloned()
        });
        let mut f = if acc.is_some() || container.contains("litestream") {
            let name = acc.as_ref().map_or("litestream".to_string(), |a| a.name.clone());
            let mut f = Flow::remote(Ctx::Accessory(name), workdir);
            f.needs_prefix = true;
            f.runner = Runner {
                version: acc.and_then(|a| a.version),
                wrap: Some((format!("docker exec {container} "), String::new())),
            };
            f
        } else {
            Flow::remote(Ctx::App, workdir.or_else(|| Some("/rails".into())))
        };
        f.target = layout
            .dest_of_container(container)
            .map_or(Target::Unknown, Target::Dest);
        f
    }

    /// The flow a file operation's path belongs to, when it is elsewhere (`host:path`,
    /// `container:path`).
    pub(super) fn remote_flow(&self, r: &Remote) -> Flow {
        match r {
            Remote::Host(h) => {
                let mut f = Flow::remote(Ctx::Host(h.clone()), None);
                f.target = Target::Host(h.clone());
                f
            }
            Remote::Container(c) => {
                let mut f = self.container_flow(c, None);
                f.needs_prefix = false;
                f
            }
        }
    }

    /// The files of Rails databases (`name`, or all) in `env` (`None`: the default where the
    /// command runs: `production` in the app's container, `development` here).
    pub(super) fn rails_paths(&self, name: Option<&str>, env: Option<&str>, flow: &Flow) -> Vec<String> {
        let layout = self.env.layout();
        let wanted = |n: Option<&str>| name.is_none() || n == name;
        match &flow.ctx {
            Ctx::App | Ctx::Accessory(_) | Ctx::Run { .. } => {
                // The app's image sets RAILS_ENV=production; a compose service does not say.
                if env.or(flow.rails_env) != Some("production") {
                    return Vec::new();
                }
                let named: Vec<String> = layout
                    .dbs
                    .iter()
                    .filter(|d| wanted(d.name.as_deref()))
                    .map(|d| d.path.clone())
                    .collect();
                if named.is_empty() && name.is_some() {
                    // A name the config does not know: it may still be one of the files.
                    return layout.dbs.iter().map(|d| d.path.clone()).collect();
                }
                named
            }
            Ctx::Local => {
                let env = env.unwrap_or("development");
                layout
                    .rails_dbs
                    .iter()
                    .filter(|(e, n, _)| e == env && wanted(Some(n)))
                    .filter_map(|(_, _, p)| layout.here(p))
                    .collect()
            }
            Ctx::Host(_) => Vec::new(),
        }
    }

    fn docker(&mut self, d: Docker, st: &State, stdin: Stdin) -> Out {
        match d {
            Docker::Run {
                image,
                entrypoint,
                mounts,
                workdir,
                mut cmd,
            } => {
                let mut f = Flow::remote(Ctx::Run { mounts }, workdir);
                let litestream = is_litestream_image(&image);
                match entrypoint {
                    Some(e) => cmd.insert(0, Arg::lit(&e)),
                    None if litestream => {
                        f.entry = Some("litestream".into());
                        f.runner = Runner {
                            version: Version::from_image_tag(&image),
                            wrap: Some((format!("docker run … {image} "), String::new())),
                        };
                    }
                    None => {}
                }
                if litestream {
                    f.runner.version = Version::from_image_tag(&image);
                }
                if cmd.is_empty() && f.entry.is_none() {
                    return Out::same(st);
                }
                if cmd.is_empty() {
                    return Out::same(st);
                }
                self.command(cmd, &mut f, st, stdin)
            }
            Docker::Exec {
                container,
                workdir,
                cmd,
                compose,
            } => {
                if cmd.is_empty() {
                    return Out::same(st);
                }
                let mut f = self.container_flow(&container, workdir);
                if compose {
                    f.rails_env = None;
                }
                self.command(cmd, &mut f, st, stdin)
            }
        }
    }

    fn xargs(&mut self, argv: &[Arg], flow: &mut Flow, st: &State, stdin: Stdin) -> Out {
        // Options that take a value as the next word (or attached: `-n1`, `-I{}`).
        const TAKES: [&str; 14] = [
            "-n",
            "-L",
            "-I",
            "-d",
            "-P",
            "-a",
            "-E",
            "-e",
            "-s",
            "--max-args",
            "--delimiter",
            "--arg-file",
            "--max-procs",
            "--max-lines",
        ];
        let mut i = 1;
        let mut replace: Option<String> = None;
        let mut from_file = false;
        while i < argv.len() && argv[i].text.starts_with('-') && argv[i].text != "-" {
            let t = argv[i].text.as_str();
            if t == "--" {
                i += 1;
                break;
            }
            if t == "-I" {
                replace = argv.get(i + 1).map(|a| a.text.clone());
            } else if let Some(r) = t.strip_prefix("-I") {
                replace = Some(r.to_string());
            } else if let Some(r) = t.strip_prefix("--replace") {
                replace = Some(r.strip_prefix('=').unwrap_or("{}").to_string());
            } else if t.starts_with("-i") && !t.starts_with("--") {
                replace = Some(
                    t.strip_prefix("-i")
                        .filter(|r| !r.is_empty())
                        .unwrap_or("{}")
                        .to_string(),
                );
            }
            if t == "-a" || t == "--arg-file" || t.starts_with("--arg-file=") || (t.starts_with("-a") && t.len() > 2) {
                from_file = true;
            }
            if TAKES.contains(&t) {
                i += 1;
            }
            i += 1;
        }
        let mut cmd: Vec<Arg> = argv[i.min(argv.len())..].to_vec();
        if cmd.is_empty() {
            cmd.push(Arg::lit("echo"));
        }
        let unknown = || {
            vec![Arg {
                text: DYN.to_string(),
                pat: "*".into(),
            }]
        };
        let items: Vec<Arg> = match stdin {
            _ if from_file => unknown(),
            Stdin::Paths(p) => p,
            Stdin::Text(t) => t.split_whitespace().map(Arg::lit).collect(),
            Stdin::None => unknown(),
        };
        match replace {
            Some(r) if !r.is_empty() => {
                let mut out = Out::same(st);
                for item in items.iter().take(MAX_LOOP_VALUES) {
                    let c: Vec<Arg> = cmd
                        .iter()
                        .map(|a| {
                            if a.text.contains(&r) {
                                Arg {
                                    text: a.text.replace(&r, &item.text),
                                    pat: a
                                        .pat
                                        .replace(&super::glob::escape(&r), &item.pat)
                                        .replace(&r, &item.pat),
                                }
                            } else {
                                a.clone()
                            }
                        })
                        .collect();
                    out = self.command(c, &mut flow.nested(), st, Stdin::None);
                }
                out
            }
            _ => {
                cmd.extend(items.into_iter().take(crate::limits::MAX_ARGV));
                self.command(cmd, &mut flow.nested(), st, Stdin::None)
            }
        }
    }
}

/// A command as shown in reasons: quoted where needed, and short.
pub(super) fn show(argv: &[Arg]) -> String {
    let mut out = String::new();
    for a in argv {
        if out.chars().count() > crate::limits::MAX_SHOWN {
            out.push_str(" …");
            break;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(&ops::quote(&a.show()));
    }
    out
}

/// `docker cp SRC CONTAINER:PATH` writes PATH in that container; `docker cp CONTAINER:PATH DEST`
/// writes DEST here.
fn docker_cp(argv: &[Arg]) -> Option<Op> {
    let from = match argv.get(1..3).map(|w| (w[0].text.as_str(), w[1].text.as_str())) {
        Some(("cp", _)) => 2,
        Some(("container", "cp")) => 3,
        _ => return None,
    };
    let (paths, _) = ops::operands(&argv[from.min(argv.len())..], &[]);
    let [src, dest] = paths.as_slice() else {
        return None;
    };
    let container = |t: &str| {
        let (c, p) = t.split_once(':')?;
        (!c.is_empty() && !c.contains('/')).then(|| (c.to_string(), p.to_string()))
    };
    let mut op = FileOp::new(Verb::Onto, (*dest).clone(), "docker cp");
    op.recursive = true;
    op.name = Some(base(src).rsplit(':').next().unwrap_or("").to_string());
    if let Some((c, p)) = container(&dest.text) {
        op.path = Arg::lit(&p);
        op.remote = Some(Remote::Container(c));
    }
    Some(Op::File(op))
}

fn is_assignment(s: &str) -> bool {
    s.split_once('=').is_some_and(|(k, _)| {
        !k.is_empty()
            && k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
            && !k.starts_with(|c: char| c.is_ascii_digit())
    })
}

fn is_litestream_subcommand(s: &str) -> bool {
    matches!(
        s,
        "restore"
            | "replicate"
            | "databases"
            | "generations"
            | "snapshots"
            | "wal"
            | "ltx"
            | "reset"
            | "status"
            | "sync"
            | "version"
            | "info"
            | "list"
    )
}
