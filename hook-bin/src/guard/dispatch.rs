//! One command after expansion: prefix wrappers removed, and the commands that run other
//! commands followed to where those run — a shell's `-c` text or standard input, `eval`, shell
//! functions, `ssh`, `kamal … exec`, `docker run|exec`, `xargs`. Plain commands go to
//! [`super::ops`].

use super::layout::{clean, Ctx};
use super::ops::{self, base, Op, Runner};
use super::walk::{Flow, Out, State, Stdin, Walker, MAX_LOOP_VALUES, MAX_NEST};
use super::words::{Arg, DYN};
use super::wrappers::{self, Docker, ShellRun, Strip, SHELLS};
use crate::kamal::deploy::is_litestream_image;
use crate::version::Version;

impl Walker<'_> {
    /// A command after expansion: wrappers removed, payloads followed, operations judged.
    pub(super) fn command(&mut self, mut argv: Vec<Arg>, flow: &mut Flow, st: &State, stdin: Stdin) -> Out {
        let stdin = match (stdin, flow.stdin.take()) {
            (Stdin::None, Some(t)) => Stdin::Text(t),
            (s, _) => s,
        };
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
        loop {
            match wrappers::strip(&argv) {
                Strip::No => break,
                Strip::At(i) => {
                    argv.drain(..i);
                }
                Strip::Chdir(i, dir) => {
                    flow.cwd = Some(self.cd_target(&dir, flow));
                    argv.drain(..i);
                }
                Strip::Text(t) => return self.text(&t, &mut flow.nested(), st),
                Strip::Nothing => return Out::same(st),
            }
            if argv.is_empty() {
                return Out::same(st);
            }
        }
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
        if let Some(code) = wrappers::inline_code(&argv) {
            if ops::code_writes_database(&code) {
                self.unresolved(&shown, flow, st);
            }
            return Out::same(st);
        }
        if SHELLS.contains(&name.as_str()) || (name == "busybox" && argv.get(1).is_some_and(|a| a.is("sh"))) {
            if name == "busybox" {
                argv.remove(0);
            }
            return match wrappers::shell(&argv) {
                ShellRun::Text { text, errexit } => {
                    if text.dynamic() {
                        self.unresolved(&shown, flow, st);
                        return Out::same(st);
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
                        flow.vars.insert(k.to_string(), v.to_string());
                    }
                }
                return Out::same(st);
            }
            "ssh" => {
                if let Some(s) = wrappers::ssh(&argv) {
                    let mut f = Flow::remote(Ctx::Host(s.host.clone()), None);
                    if let (Some(_), Stdin::Text(t)) = (&s.command, &stdin) {
                        f.stdin = Some(t.clone());
                    }
                    return match s.command {
                        Some(words) => {
                            let text = words.iter().map(|a| a.text.as_str()).collect::<Vec<_>>().join(" ");
                            if text.contains(DYN) && ops::mentions_database(&text) {
                                self.unresolved(&shown, flow, st);
                                return Out::same(st);
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
            "kamal" => {
                if let Some(k) = wrappers::kamal_exec(&argv) {
                    return self.kamal_exec(k, &shown, flow, st, stdin);
                }
            }
            "docker" | "podman" | "docker-compose" => {
                let mut v = argv.clone();
                if name == "docker-compose" {
                    v.insert(1, Arg::lit("compose"));
                }
                if let Some(d) = wrappers::docker(&v) {
                    return self.docker(d, st, stdin);
                }
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

    fn kamal_exec(&mut self, k: wrappers::KamalExec, shown: &str, flow: &Flow, st: &State, stdin: Stdin) -> Out {
        let text = k.payload.iter().map(|a| a.text.as_str()).collect::<Vec<_>>().join(" ");
        if text.trim().is_empty() {
            return Out::same(st);
        }
        if text.contains(DYN) && ops::mentions_database(&text) {
            self.unresolved(shown, flow, st);
            return Out::same(st);
        }
        let mut f = match &k.accessory {
            None => Flow::remote(Ctx::App, Some("/rails".into())),
            Some(name) => Flow::remote(Ctx::Accessory(name.clone()), None),
        };
        if let Some(name) = &k.accessory {
            let layout = self.env.layout();
            let acc = layout.accessory(name);
            let litestream = acc.is_some() || name == "litestream";
            if litestream {
                let version = acc.and_then(|a| a.version);
                let reuse = if k.reuse { "--reuse " } else { "" };
                f.runner = Runner {
                    version,
                    wrap: Some((format!("kamal accessory exec {reuse}{name} \""), "\"".into())),
                };
                if k.reuse {
                    f.needs_prefix = true;
                } else {
                    f.entry = Some("litestream".into());
                    f.runner.wrap = Some((format!("kamal accessory exec {name} \""), "\"".into()));
                }
            }
        }
        if let Stdin::Text(t) = stdin {
            f.stdin = Some(t);
        }
        self.text(&text, &mut f, st)
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
            } => {
                if cmd.is_empty() {
                    return Out::same(st);
                }
                let layout = self.env.layout();
                let acc = layout.accessory(&container).cloned().or_else(|| {
                    layout
                        .accessories
                        .iter()
                        .find(|a| container.contains(&a.container))
                        .cloned()
                });
                let is_ls = acc.is_some() || container.contains("litestream");
                let mut f = if is_ls {
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
                self.command(cmd, &mut f, st, stdin)
            }
        }
    }

    fn xargs(&mut self, argv: &[Arg], flow: &mut Flow, st: &State, stdin: Stdin) -> Out {
        const TAKES: [&str; 10] = [
            "-n",
            "-L",
            "-I",
            "-d",
            "-P",
            "-a",
            "-E",
            "-s",
            "--max-args",
            "--delimiter",
        ];
        let mut i = 1;
        let mut replace: Option<String> = None;
        while i < argv.len() && argv[i].text.starts_with('-') {
            let t = argv[i].text.as_str();
            if t == "-I" {
                replace = argv.get(i + 1).map(|a| a.text.clone());
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
        let items: Vec<Arg> = match stdin {
            Stdin::Paths(p) => p,
            Stdin::Text(t) => t.split_whitespace().map(Arg::lit).collect(),
            Stdin::None => vec![Arg {
                text: DYN.to_string(),
                pat: "*".into(),
            }],
        };
        match replace {
            Some(r) => {
                let mut out = Out::same(st);
                for item in items.iter().take(MAX_LOOP_VALUES) {
                    let c: Vec<Arg> = cmd
                        .iter()
                        .map(|a| {
                            if a.text.contains(&r) {
                                Arg {
                                    text: a.text.replace(&r, &item.text),
                                    pat: a.pat.replace(&r, &item.pat),
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
            None => {
                cmd.extend(items);
                self.command(cmd, &mut flow.nested(), st, Stdin::None)
            }
        }
    }
}

fn show(argv: &[Arg]) -> String {
    argv.iter().map(|a| ops::quote(&a.show())).collect::<Vec<_>>().join(" ")
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
