//! Kamal 2's command line as its CLI (Thor) reads it, and what each command does where.
//!
//! Facts, read at Kamal's tags (v2.0–v2.12, `lib/kamal/cli/*.rb`, `lib/kamal/commands/*.rb`):
//! - Options are read anywhere among the words; `-d`, `-r/--roles`, `-h/--hosts`, `-c`,
//!   `--version` take a value, `-p/--primary` limits to the primary host; `app exec -e` is a hash
//!   (it takes every following `key:value` word).
//! - `app exec`, `accessory exec` and `server exec` join their words with spaces
//!   (`Utils.join_commands`). For `app`/`accessory exec` the result is appended, unquoted, to
//!   `docker run … IMAGE` (`docker exec … CONTAINER` with `--reuse`), and that line is run by the
//!   host's shell (SSHKit; over `ssh -t … '…'` with `-i`). So only the first command of the text
//!   runs in the container; `&&`, `;`, `|` and redirections go to the host. `server exec` runs
//!   the text on the host.
//! - `app stop` and `accessory stop` run with `raise_on_non_zero_exit: false`: they exit 0 when
//!   the stop failed. `accessory stop|start|restart all` stops nothing: `all` exists only for
//!   `boot`, `reboot`, `details` and `remove` (elsewhere it is "No accessory by the name of
//!   'all'", and Kamal still exits 0).
//! - `app details` is `docker ps` filtered by service, destination and role: running containers
//!   only, one block per host and role; `accessory details` is `docker ps` by the accessory's
//!   service name. Containers of `app exec` carry no role label and are not listed.
//! - `app exec --detach` leaves a container running.

use super::words::Arg;

/// Where a Kamal command acts: a destination, and optionally some roles and hosts.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Scope {
    pub dest: Option<String>,
    /// `--roles` patterns (`*` wildcards, comma-separated in Kamal).
    pub roles: Option<Vec<String>>,
    /// `--hosts` patterns.
    pub hosts: Option<Vec<String>>,
    pub primary: bool,
}

impl Scope {
    /// The flags that select this scope, as a user would type them (for messages).
    pub fn flags(&self) -> String {
        let mut out = String::new();
        if let Some(d) = &self.dest {
            out.push_str(&format!(" -d {d}"));
        }
        if let Some(r) = &self.roles {
            out.push_str(&format!(" --roles {}", r.join(",")));
        }
        if let Some(h) = &self.hosts {
            out.push_str(&format!(" --hosts {}", h.join(",")));
        }
        if self.primary {
            out.push_str(" --primary");
        }
        out
    }
}

/// One `kamal …` invocation.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Call {
    pub scope: Scope,
    /// The words that are not options: the subcommand, its arguments, the exec payload.
    pub words: Vec<Arg>,
    pub interactive: bool,
    pub reuse: bool,
    pub detach: bool,
    pub quiet: bool,
    /// `-e KEY:VALUE` of `app exec`.
    pub env: Vec<(String, String)>,
}

/// Options that take the next word as their value.
const VALUED: [&str; 21] = [
    "-d",
    "--destination",
    "-c",
    "--config-file",
    "--config_file",
    "-h",
    "--hosts",
    "-r",
    "--roles",
    "--version",
    "--lock-wait-timeout",
    "--lock_wait_timeout",
    "--lock-wait-interval",
    "--lock_wait_interval",
    "-s",
    "--since",
    "-n",
    "--lines",
    "-g",
    "--grep",
    "--container-id",
];

/// Switches (no value) Kamal knows; other words starting with `-` belong to the payload.
const SWITCHES: [&str; 26] = [
    "-v",
    "--verbose",
    "-q",
    "--quiet",
    "-p",
    "--primary",
    "-H",
    "--skip-hooks",
    "--skip_hooks",
    "--lock-wait",
    "--lock_wait",
    "-i",
    "--interactive",
    "--reuse",
    "--detach",
    "--raw",
    "-y",
    "--confirmed",
    "-f",
    "--follow",
    "-T",
    "--skip-timestamps",
    "-P",
    "--skip-push",
    "--no-cache",
    "--no-interactive",
];

fn split_list(v: &str) -> Vec<String> {
    v.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

/// Reads `kamal ARGS…` (`argv[0]` is `kamal`).
pub fn parse(argv: &[Arg]) -> Call {
    let mut c = Call::default();
    let mut i = 1;
    let mut ended = false;
    while i < argv.len() {
        let a = &argv[i];
        let t = a.text.as_str();
        i += 1;
        if ended || !t.starts_with('-') || t == "-" {
            c.words.push(a.clone());
            continue;
        }
        if t == "--" {
            ended = true;
            continue;
        }
        let (name, inline) = match t.split_once('=') {
            Some((n, v)) if n.starts_with("--") => (n, Some(v.to_string())),
            _ => (t, None),
        };
        if VALUED.contains(&name) {
            let value = inline.or_else(|| {
                let v = argv.get(i).map(|a| a.text.clone());
                i += 1;
                v
            });
            let Some(v) = value else { continue };
            match name {
                "-d" | "--destination" => c.scope.dest = Some(v),
                "-r" | "--roles" => c.scope.roles = Some(split_list(&v)),
                "-h" | "--hosts" => c.scope.hosts = Some(split_list(&v)),
                _ => {}
            }
            continue;
        }
        if matches!(name, "-e" | "--env") {
            // A Thor hash: every following `key:value` word.
            if let Some(v) = inline {
                if let Some((k, val)) = v.split_once(':') {
                    c.env.push((k.to_string(), val.to_string()));
                }
            }
            while let Some((k, v)) = argv
                .get(i)
                .and_then(|a| (!a.text.starts_with('-')).then(|| a.text.split_once(':')).flatten())
            {
                c.env.push((k.to_string(), v.to_string()));
                i += 1;
            }
            continue;
        }
        // `-iq`: a cluster of known one-letter switches.
        let cluster: Vec<String> = if !t.starts_with("--") && t.len() > 2 {
            t[1..].chars().map(|ch| format!("-{ch}")).collect()
        } else {
            vec![t.to_string()]
        };
        if cluster.iter().all(|s| SWITCHES.contains(&s.as_str())) {
            for s in &cluster {
                match s.as_str() {
                    "-i" | "--interactive" => c.interactive = true,
                    "--reuse" => c.reuse = true,
                    "--detach" => c.detach = true,
                    "-p" | "--primary" => c.scope.primary = true,
                    "-q" | "--quiet" => c.quiet = true,
                    _ => {}
                }
            }
            continue;
        }
        // Unknown to Kamal: Thor leaves it among the arguments (`kamal app exec rm -rf x`).
        c.words.push(a.clone());
    }
    c
}

/// What runs where for an `exec`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Exec {
    /// In a new app container, or (`--reuse`) the running one.
    App,
    /// In a new container of the accessory's image, or (`--reuse`) the running one.
    Accessory(String),
    /// On the servers themselves.
    Server,
}

impl Call {
    fn word(&self, i: usize) -> Option<&str> {
        self.words.get(i).map(|a| a.text.as_str())
    }

    /// `app exec`, `accessory exec NAME`, `server exec`: what runs where, and the joined text.
    pub fn exec(&self) -> Option<(Exec, String)> {
        let (kind, from) = match (self.word(0)?, self.word(1)) {
            ("app", Some("exec")) => (Exec::App, 2),
            ("server", Some("exec")) => (Exec::Server, 2),
            ("accessory", Some("exec")) => (Exec::Accessory(self.word(2)?.to_string()), 3),
            _ => return None,
        };
        let text = self.words[from.min(self.words.len())..]
            .iter()
            .map(|a| a.text.trim())
            .collect::<Vec<_>>()
            .join(" ");
        Some((kind, text))
    }
}

/// Expands a deploy.yml alias (`aliases: console: app exec -i --reuse "bin/rails console"`):
/// `kamal console` runs those words, followed by the rest.
pub fn expand_alias(argv: &[Arg], aliases: &[(String, String)]) -> Option<Vec<Arg>> {
    let call = parse(argv);
    let first = call.words.first()?;
    let (_, body) = aliases.iter().find(|(n, _)| *n == first.text)?;
    let mut out = vec![argv[0].clone()];
    out.extend(shell_words(body).iter().map(|w| Arg::lit(w)));
    let pos = argv.iter().position(|a| a == first)?;
    out.extend(argv[..pos].iter().skip(1).cloned());
    out.extend(argv[pos + 1..].iter().cloned());
    Some(out)
}

/// Splits an alias the way Kamal does (Ruby's `Shellwords.split`): quotes and backslashes.
fn shell_words(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut have = false;
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        match c {
            '\'' => {
                have = true;
                for q in chars.by_ref() {
                    if q == '\'' {
                        break;
                    }
                    cur.push(q);
                }
            }
            '"' => {
                have = true;
                while let Some(q) = chars.next() {
                    match q {
                        '"' => break,
                        '\\' => {
                            if let Some(n) = chars.next() {
                                cur.push(n);
                            }
                        }
                        _ => cur.push(q),
                    }
                }
            }
            '\\' => {
                have = true;
                if let Some(n) = chars.next() {
                    cur.push(n);
                }
            }
            c if c.is_whitespace() => {
                if have {
                    out.push(std::mem::take(&mut cur));
                    have = false;
                }
            }
            c => {
                have = true;
                cur.push(c);
            }
        }
    }
    if have {
        out.push(cur);
    }
    out
}

/// Kamal's host and role filters (`File.fnmatch` with `*`).
pub fn fnmatch(pattern: &str, name: &str) -> bool {
    super::glob::matches(&pattern.replace(['[', ']', '?', '\\'], ""), name)
}

/// What the output of a stop says about it: the failure it shows, if any. Kamal logs every
/// remote command's end as `Finished in … with exit status N (failed).`
pub fn stop_failure(output: &str) -> Option<String> {
    const SIGNS: [&str; 5] = [
        "(failed)",
        "Error response from daemon",
        "No accessory by the name of",
        "requires at least 1 argument",
        "ERROR (",
    ];
    output
        .lines()
        .find(|l| SIGNS.iter().any(|s| l.contains(s)))
        .map(|l| l.trim().chars().take(crate::limits::MAX_SHOWN).collect())
}

/// The container names listed by `docker ps` output (`kamal … details`), or `None` when the
/// output has no `docker ps` table at all (then it proves nothing).
pub fn listed_containers(output: &str) -> Option<Vec<String>> {
    let mut tables = 0;
    let mut names = Vec::new();
    let mut in_table = false;
    for line in output.lines() {
        if line.starts_with("CONTAINER ID") {
            tables += 1;
            in_table = true;
            continue;
        }
        let t = line.trim();
        if t.is_empty() || line.contains(" Host: ") || line.starts_with("App Host:") {
            in_table = false;
            continue;
        }
        if in_table {
            if let Some(name) = t.split_whitespace().last() {
                names.push(name.to_string());
            }
        }
    }
    (tables > 0).then_some(names)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn argv(s: &str) -> Vec<Arg> {
        shell_words(s).iter().map(|w| Arg::lit(w)).collect()
    }

    #[test]
    fn options_anywhere() {
        let c = parse(&argv("kamal app exec -d staging --roles web,job \"rm x\" -p"));
        assert_eq!(c.scope.dest.as_deref(), Some("staging"));
        assert_eq!(c.scope.roles, Some(vec!["web".to_string(), "job".to_string()]));
        assert!(c.scope.primary);
        assert_eq!(c.exec(), Some((Exec::App, "rm x".to_string())));
        // Thor takes `-r` for --roles even inside an unquoted payload.
        let c = parse(&argv("kamal app exec rm -r /rails/storage"));
        assert_eq!(c.exec().unwrap().1, "rm");
        let c = parse(&argv("kamal app exec rm -rf /rails/storage"));
        assert_eq!(c.exec().unwrap().1, "rm -rf /rails/storage");
        let c = parse(&argv(
            "kamal accessory exec --reuse -i litestream \"litestream databases\"",
        ));
        assert!(c.reuse && c.interactive);
        assert_eq!(c.exec().unwrap().0, Exec::Accessory("litestream".into()));
        let c = parse(&argv(
            "kamal app exec -e DISABLE_DATABASE_ENVIRONMENT_CHECK:1 A:b \"bin/rails db:drop\"",
        ));
        assert_eq!(c.env.len(), 3, "the payload has a colon too: {:?}", c.env);
        let c = parse(&argv(
            "kamal app exec \"bin/rails db:drop\" -e DISABLE_DATABASE_ENVIRONMENT_CHECK:1",
        ));
        assert_eq!(c.env.len(), 1);
        assert_eq!(c.exec().unwrap().1, "bin/rails db:drop");
        let c = parse(&argv("kamal server exec --hosts 10.0.0.1 'ls /var/lib/docker'"));
        assert_eq!(c.exec().unwrap().0, Exec::Server);
    }

    #[test]
    fn aliases() {
        let aliases = vec![(
            "console".to_string(),
            "app exec -i --reuse \"bin/rails console\"".to_string(),
        )];
        let out = expand_alias(&argv("kamal -d production console"), &aliases).unwrap();
        let c = parse(&out);
        assert_eq!(c.scope.dest.as_deref(), Some("production"));
        assert_eq!(c.exec().unwrap().1, "bin/rails console");
    }

    #[test]
    fn outputs() {
        let ok = "  INFO [1a2b] Running docker container stop shop-litestream on 1.2.3.4\n  INFO [1a2b] Finished in 0.4 seconds with exit status 0 (successful).\n";
        assert_eq!(stop_failure(ok), None);
        let bad = "  INFO [1a2b] Finished in 0.4 seconds with exit status 1 (failed).\n";
        assert!(stop_failure(bad).unwrap().contains("exit status 1"));
        let details = "App Host: 1.2.3.4\nCONTAINER ID   IMAGE   COMMAND   CREATED   STATUS   PORTS   NAMES\nabc   acme/shop:1   \"x\"   2 hours ago   Up 2 hours   3000/tcp   shop-web-abc123\n\nApp Host: 1.2.3.4\nCONTAINER ID   IMAGE   COMMAND   CREATED   STATUS   PORTS   NAMES\n\n";
        assert_eq!(listed_containers(details), Some(vec!["shop-web-abc123".to_string()]));
        assert_eq!(listed_containers("Nothing here"), None);
    }
}
