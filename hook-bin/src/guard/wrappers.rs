//! Prefix wrappers (`sudo`, `env`, `nohup`, `timeout 10`, …) and the commands that run other
//! commands somewhere else (`bash -c`, `ssh`, `kamal … exec`, `docker run|exec`): argv in, what
//! runs and where out. No judgement here.

use super::layout::{clean, Mount};
use super::ops::base;
use super::words::Arg;
use crate::kamal::deploy::Volume;

/// What a prefix wrapper leaves.
#[derive(Debug, PartialEq, Eq)]
pub enum Strip {
    /// Not a wrapper.
    No,
    /// The wrapped command starts at this index.
    At(usize),
    /// The same, after changing directory (`sudo -D DIR`, `env -C DIR`).
    Chdir(usize, String),
    /// The wrapper runs a shell string (`su -c`, `flock -c`, `watch`, `env -S`).
    Text(String),
    /// Nothing runs (`command -v x`, `sudo -l`, a bare `sudo -i`).
    Nothing,
}

/// Options of `wrapper` that take a value.
fn takes(wrapper: &str) -> &'static [&'static str] {
    match wrapper {
        "sudo" => &[
            "-u",
            "--user",
            "-g",
            "--group",
            "-h",
            "--host",
            "-C",
            "--close-from",
            "-p",
            "--prompt",
            "-r",
            "--role",
            "-t",
            "--type",
            "-U",
            "--other-user",
            "-T",
            "--command-timeout",
            "-D",
            "--chdir",
            "-R",
            "--chroot",
        ],
        "doas" => &["-u", "-C"],
        "env" => &["-u", "--unset", "-C", "--chdir", "-S", "--split-string"],
        "nice" => &["-n", "--adjustment"],
        "ionice" => &["-c", "--class", "-n", "--classdata", "-p", "--pid"],
        "timeout" => &["-s", "--signal", "-k", "--kill-after"],
        "stdbuf" => &["-i", "--input", "-o", "--output", "-e", "--error"],
        "exec" => &["-a"],
        "strace" | "ltrace" => &["-o", "-e", "-p", "-s", "-u", "-E", "-P", "-I", "-b", "-a", "-X"],
        "flock" => &["-w", "--timeout", "-E", "--conflict-exit-code"],
        "watch" => &["-n", "--interval", "-d", "--differences", "-q", "--equexit"],
        "chroot" => &["--userspec", "--groups"],
        "runuser" | "su" => &[
            "-u",
            "--user",
            "-g",
            "--group",
            "-G",
            "--supp-group",
            "-s",
            "--shell",
            "-w",
            "--whitelist-environment",
        ],
        _ => &[],
    }
}

/// Skips the options of a wrapper; returns the index of the first word after them.
fn skip_options(argv: &[Arg], from: usize, wrapper: &str) -> usize {
    let takes = takes(wrapper);
    let mut i = from;
    while i < argv.len() {
        let t = argv[i].text.as_str();
        if t == "--" {
            return i + 1;
        }
        if !t.starts_with('-') || t == "-" {
            break;
        }
        let name = t.split('=').next().unwrap_or(t);
        if !t.contains('=') && takes.contains(&name) {
            i += 1;
        }
        i += 1;
    }
    i.min(argv.len())
}

fn value_of<'a>(argv: &'a [Arg], end: usize, names: &[&str]) -> Option<&'a str> {
    let mut i = 1;
    while i < end.min(argv.len()) {
        let t = argv[i].text.as_str();
        if names.contains(&t) {
            return argv.get(i + 1).map(|a| a.text.as_str());
        }
        for n in names {
            if let Some(v) = t.strip_prefix(&format!("{n}=")) {
                return Some(v);
            }
        }
        i += 1;
    }
    None
}

/// Recognises a prefix wrapper at the start of `argv`.
pub fn strip(argv: &[Arg]) -> Strip {
    let Some(first) = argv.first() else {
        return Strip::Nothing;
    };
    let name = base(first);
    match name {
        "sudo" | "doas" => {
            let i = skip_options(argv, 1, name);
            if argv[1..i]
                .iter()
                .any(|a| a.is("-l") || a.is("--list") || a.is("-v") || a.is("-k") || a.is("-K"))
                && i >= argv.len()
            {
                return Strip::Nothing;
            }
            if i >= argv.len() {
                return Strip::Nothing;
            }
            match value_of(argv, i, &["-D", "--chdir"]) {
                Some(d) => Strip::Chdir(i, d.to_string()),
                None => Strip::At(i),
            }
        }
        "env" => {
            let mut i = skip_options(argv, 1, "env");
            if let Some(s) = value_of(argv, i, &["-S", "--split-string"]) {
                let rest: Vec<String> = argv[i..].iter().map(|a| a.text.clone()).collect();
                return Strip::Text(format!("{s} {}", rest.join(" ")));
            }
            while i < argv.len() && is_assignment(&argv[i].text) {
                i += 1;
            }
            if i >= argv.len() {
                return Strip::Nothing;
            }
            match value_of(argv, i, &["-C", "--chdir"]) {
                Some(d) => Strip::Chdir(i, d.to_string()),
                None => Strip::At(i),
            }
        }
        "command" => {
            let mut i = 1;
            while i < argv.len() && argv[i].text.starts_with('-') {
                if argv[i].is("-v") || argv[i].is("-V") {
                    return Strip::Nothing;
                }
                i += 1;
            }
            at_or_nothing(argv, i)
        }
        "builtin" | "nohup" | "unbuffer" | "eatmydata" | "fakeroot" | "chronic" | "setsid" | "time" | "exec"
        | "nice" | "ionice" | "stdbuf" | "strace" | "ltrace" => {
            let i = skip_options(argv, 1, name);
            at_or_nothing(argv, i)
        }
        // Multi-call binaries: `busybox rm x` is `rm x`.
        "busybox" | "toybox" => match argv.get(1) {
            Some(a) if !a.text.starts_with('-') => Strip::At(1),
            _ => Strip::Nothing,
        },
        "bundle" if argv.get(1).is_some_and(|a| a.is("exec")) => at_or_nothing(argv, 2),
        "timeout" => {
            let i = skip_options(argv, 1, "timeout");
            // The duration.
            at_or_nothing(argv, i + 1)
        }
        "chroot" => {
            let i = skip_options(argv, 1, "chroot");
            at_or_nothing(argv, i + 1)
        }
        "flock" => {
            let i = skip_options(argv, 1, "flock");
            if let Some(c) = value_of(argv, argv.len(), &["-c", "--command"]) {
                return Strip::Text(c.to_string());
            }
            at_or_nothing(argv, i + 1)
        }
        "watch" => {
            let i = skip_options(argv, 1, "watch");
            let rest: Vec<String> = argv[i.min(argv.len())..].iter().map(|a| a.text.clone()).collect();
            if rest.is_empty() {
                Strip::Nothing
            } else {
                Strip::Text(rest.join(" "))
            }
        }
        "su" | "runuser" => {
            if let Some(c) = value_of(argv, argv.len(), &["-c", "--command"]) {
                return Strip::Text(c.to_string());
            }
            if name == "runuser" {
                if let Some(pos) = argv.iter().position(|a| a.is("--")) {
                    return at_or_nothing(argv, pos + 1);
                }
            }
            Strip::Nothing
        }
        _ => Strip::No,
    }
}

fn at_or_nothing(argv: &[Arg], i: usize) -> Strip {
    if i < argv.len() {
        Strip::At(i)
    } else {
        Strip::Nothing
    }
}

fn is_assignment(s: &str) -> bool {
    match s.split_once('=') {
        Some((k, _)) => {
            !k.is_empty()
                && k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                && !k.starts_with(|c: char| c.is_ascii_digit())
        }
        None => false,
    }
}

/// The inline code of an interpreter one-liner: `python3 -c CODE`, `ruby -e CODE`, `perl -e`,
/// `node -e`, `php -r`, `bin/rails runner CODE`.
pub fn inline_code(argv: &[Arg]) -> Option<String> {
    let name = base(argv.first()?);
    let flag: &[&str] = match name {
        n if n.starts_with("python") => &["-c"],
        "ruby" | "perl" | "node" | "deno" | "bun" => &["-e", "-E", "--eval"],
        "php" => &["-r"],
        "rails" | "rake" => {
            let i = argv.iter().position(|a| a.is("runner") || a.is("r"))?;
            return argv.get(i + 1).map(|a| a.text.clone());
        }
        _ => return None,
    };
    let i = argv.iter().position(|a| flag.contains(&a.text.as_str()))?;
    argv.get(i + 1).map(|a| a.text.clone())
}

pub const SHELLS: [&str; 7] = ["bash", "sh", "zsh", "dash", "ksh", "ash", "mksh"];

/// A shell invocation: the `-c` string, or that it reads its script from stdin.
#[derive(Debug, PartialEq, Eq)]
pub enum ShellRun {
    Text {
        text: Arg,
        errexit: bool,
    },
    Stdin {
        errexit: bool,
    },
    /// A script file (not followed).
    File,
}

pub fn shell(argv: &[Arg]) -> ShellRun {
    let mut i = 1;
    let mut command = false;
    let mut stdin = false;
    let mut errexit = false;
    while i < argv.len() {
        let t = argv[i].text.as_str();
        if t == "--" || t == "-" {
            i += 1;
            break;
        }
        if let Some(long) = t.strip_prefix("--") {
            if matches!(long, "rcfile" | "init-file") {
                i += 1;
            }
            i += 1;
            continue;
        }
        if let Some(flags) = t.strip_prefix('-').or_else(|| t.strip_prefix('+')) {
            if flags.is_empty() {
                break;
            }
            command |= flags.contains('c');
            stdin |= flags.contains('s');
            errexit |= t.starts_with('-') && flags.contains('e');
            if flags.ends_with('o') || flags.ends_with('O') {
                if argv.get(i + 1).is_some_and(|a| a.is("errexit")) {
                    errexit = true;
                }
                i += 1;
            }
            i += 1;
            continue;
        }
        break;
    }
    if command {
        return match argv.get(i) {
            Some(t) => ShellRun::Text {
                text: t.clone(),
                errexit,
            },
            None => ShellRun::File,
        };
    }
    if stdin || i >= argv.len() {
        return ShellRun::Stdin { errexit };
    }
    ShellRun::File
}

/// `ssh [opts] DEST [CMD…]`.
pub struct Ssh {
    pub host: String,
    /// The remote command (words joined by spaces, as ssh sends them); `None` reads stdin.
    pub command: Option<Vec<Arg>>,
}

pub fn ssh(argv: &[Arg]) -> Option<Ssh> {
    const TAKES: &str = "BbcDEeFIiJLlmOoPpQRSWw";
    let mut i = 1;
    while i < argv.len() {
        let t = argv[i].text.as_str();
        if t == "--" {
            i += 1;
            break;
        }
        let Some(flags) = t.strip_prefix('-') else { break };
        if flags.is_empty() {
            break;
        }
        // The first option letter that takes a value ends the cluster; the value is the rest of
        // the word or the next word.
        if let Some(pos) = flags.find(|c| TAKES.contains(c)) {
            if pos + 1 == flags.len() {
                i += 1;
            }
        }
        i += 1;
    }
    let dest = argv.get(i)?;
    let host = dest.text.rsplit('@').next().unwrap_or(&dest.text).to_string();
    let rest = &argv[i + 1..];
    Some(Ssh {
        host,
        command: (!rest.is_empty()).then(|| rest.to_vec()),
    })
}

/// `docker run` / `docker exec` / `docker compose exec|run`.
#[derive(Debug, PartialEq, Eq)]
pub enum Docker {
    Run {
        image: String,
        entrypoint: Option<String>,
        mounts: Vec<Mount>,
        workdir: Option<String>,
        cmd: Vec<Arg>,
    },
    Exec {
        container: String,
        workdir: Option<String>,
        cmd: Vec<Arg>,
        /// A `docker compose` service (usually development), not a Kamal container.
        compose: bool,
    },
}

const RUN_TAKES: [&str; 62] = [
    "-v",
    "--volume",
    "--mount",
    "-e",
    "--env",
    "--env-file",
    "-w",
    "--workdir",
    "--name",
    "--network",
    "--net",
    "-u",
    "--user",
    "-p",
    "--publish",
    "-l",
    "--label",
    "--entrypoint",
    "--restart",
    "-h",
    "--hostname",
    "--add-host",
    "--cap-add",
    "--cap-drop",
    "--platform",
    "--log-driver",
    "--log-opt",
    "-m",
    "--memory",
    "--cpus",
    "--device",
    "--dns",
    "--pull",
    "--volumes-from",
    "--tmpfs",
    "--ulimit",
    "--security-opt",
    "--health-cmd",
    "--shm-size",
    "--ipc",
    "--pid",
    "--userns",
    "--cidfile",
    "--gpus",
    "--label-file",
    "--stop-signal",
    "--stop-timeout",
    "--link",
    "--expose",
    "--group-add",
    "--runtime",
    "--uts",
    "--cgroupns",
    "--cgroup-parent",
    "--storage-opt",
    "--sysctl",
    "--memory-swap",
    "-c",
    "--cpu-shares",
    "--cpuset-cpus",
    "--detach-keys",
    "-a",
];
const EXEC_TAKES: [&str; 9] = [
    "-e",
    "--env",
    "--env-file",
    "-u",
    "--user",
    "-w",
    "--workdir",
    "--detach-keys",
    "--index",
];

pub fn docker(argv: &[Arg]) -> Option<Docker> {
    let w: Vec<&str> = argv.iter().map(|a| a.text.as_str()).collect();
    let (kind, from) = match w.get(1..) {
        Some(["run", ..]) => ("run", 2),
        Some(["container", "run", ..]) => ("run", 3),
        Some(["exec", ..]) => ("exec", 2),
        Some(["container", "exec", ..]) => ("exec", 3),
        Some(["compose", ..]) => {
            // docker compose [-f F] exec|run [opts] SERVICE CMD…
            let mut i = 2;
            while i < argv.len() && argv[i].text.starts_with('-') {
                if matches!(
                    argv[i].text.as_str(),
                    "-f" | "--file" | "-p" | "--project-name" | "--env-file" | "--profile"
                ) {
                    i += 1;
                }
                i += 1;
            }
            return match argv.get(i).map(|a| a.text.as_str()) {
                Some("exec") | Some("run") => {
                    let j = skip(argv, i + 1, &EXEC_TAKES);
                    argv.get(j).map(|svc| Docker::Exec {
                        container: svc.text.clone(),
                        workdir: None,
                        cmd: argv[j + 1..].to_vec(),
                        compose: true,
                    })
                }
                _ => None,
            };
        }
        _ => return None,
    };
    let takes: &[&str] = if kind == "run" { &RUN_TAKES } else { &EXEC_TAKES };
    let mut mounts = Vec::new();
    let mut entrypoint = None;
    let mut workdir = None;
    let mut i = from;
    while i < argv.len() {
        let t = argv[i].text.as_str();
        if t == "--" {
            i += 1;
            break;
        }
        if !t.starts_with('-') {
            break;
        }
        let (name, inline) = match t.split_once('=') {
            Some((n, v)) => (n, Some(v.to_string())),
            None => (t, None),
        };
        let value = if inline.is_none() && takes.contains(&name) {
            i += 1;
            argv.get(i).map(|a| a.text.clone())
        } else {
            inline
        };
        match (name, value) {
            ("-v" | "--volume", Some(v)) => {
                if let Some(vol) = Volume::parse(&v) {
                    mounts.push(Mount::from_volume(&vol));
                }
            }
            ("--mount", Some(v)) => {
                if let Some(m) = mount_flag(&v) {
                    mounts.push(m);
                }
            }
            ("--entrypoint", Some(v)) => entrypoint = Some(v),
            ("-w" | "--workdir", Some(v)) => workdir = Some(clean(&v)),
            _ => {}
        }
        i += 1;
    }
    let target = argv.get(i)?.text.clone();
    let cmd = argv[i + 1..].to_vec();
    Some(if kind == "run" {
        Docker::Run {
            image: target,
            entrypoint,
            mounts,
            workdir,
            cmd,
        }
    } else {
        Docker::Exec {
            container: target,
            workdir,
            cmd,
            compose: false,
        }
    })
}

fn skip(argv: &[Arg], from: usize, takes: &[&str]) -> usize {
    let mut i = from;
    while i < argv.len() && argv[i].text.starts_with('-') {
        if !argv[i].text.contains('=') && takes.contains(&argv[i].text.as_str()) {
            i += 1;
        }
        i += 1;
    }
    i
}

/// `--mount type=volume,source=x,target=/y` → a mount.
fn mount_flag(v: &str) -> Option<Mount> {
    let mut src = None;
    let mut dst = None;
    let mut kind = "volume";
    for kv in v.split(',') {
        let (k, val) = kv.split_once('=').unwrap_or((kv, ""));
        match k {
            "type" => kind = if val == "bind" { "bind" } else { "volume" },
            "source" | "src" => src = Some(val.to_string()),
            "target" | "destination" | "dst" => dst = Some(val.to_string()),
            _ => {}
        }
    }
    let v = Volume::parse(&format!("{}:{}", src?, dst?))?;
    let mut m = Mount::from_volume(&v);
    if kind == "bind" && m.prefix.is_empty() {
        if let super::layout::Root::Vol(s) = &m.src {
            m.src = super::layout::Root::Bind(s.clone());
        }
    }
    Some(m)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn argv(s: &str) -> Vec<Arg> {
        s.split_whitespace().map(Arg::lit).collect()
    }

    #[test]
    fn prefixes() {
        assert_eq!(strip(&argv("sudo -u deploy -E rm x")), Strip::At(4));
        assert_eq!(strip(&argv("env -i A=1 B=2 rm x")), Strip::At(4));
        assert_eq!(strip(&argv("timeout -s KILL 10 rm x")), Strip::At(4));
        assert_eq!(strip(&argv("command -v rm")), Strip::Nothing);
        assert_eq!(strip(&argv("nohup nice -n 5 rm x")), Strip::At(1));
        assert_eq!(strip(&argv("sudo -D /rails rm x")), Strip::Chdir(3, "/rails".into()));
        assert_eq!(strip(&argv("rm x")), Strip::No);
        assert_eq!(strip(&argv("/bin/busybox rm x")), Strip::At(1));
        assert_eq!(strip(&argv("bundle exec rake db:drop")), Strip::At(2));
    }

    #[test]
    fn shells() {
        assert!(matches!(shell(&argv("bash -lc x")), ShellRun::Text { .. }));
        assert!(matches!(
            shell(&argv("sh -euc x")),
            ShellRun::Text { errexit: true, .. }
        ));
        assert!(matches!(
            shell(&argv("bash -o pipefail -c x")),
            ShellRun::Text { errexit: false, .. }
        ));
        assert_eq!(shell(&argv("bash")), ShellRun::Stdin { errexit: false });
        assert_eq!(shell(&argv("bash script.sh")), ShellRun::File);
    }

    #[test]
    fn remote() {
        let s = ssh(&argv("ssh -p 22 -t deploy@host rm x")).unwrap();
        assert_eq!(s.host, "host");
        assert_eq!(s.command.unwrap().len(), 2);
        match docker(&argv(
            "docker run --rm -it -v shop_storage:/data litestream/litestream:0.5.17 restore x",
        ))
        .unwrap()
        {
            Docker::Run { image, mounts, cmd, .. } => {
                assert_eq!(image, "litestream/litestream:0.5.17");
                assert_eq!(mounts.len(), 1);
                assert_eq!(cmd.len(), 2);
            }
            other => panic!("{other:?}"),
        }
    }
}
