//! `litestream restore` and the gem's `litestream:restore` task where an app's boot scripts run
//! them, with what follows them on the line (`|| echo …`). Text only: nothing here runs a script.

use crate::source::Pos;

/// How a script restores.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Via {
    /// `litestream restore …` (the binary, also through `bundle exec`).
    Binary,
    /// `rails litestream:restore -- …` / `rake litestream:restore -- …` (litestream-ruby).
    GemTask,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Restore {
    pub via: Via,
    pub pos: Pos,
    /// The command as written, continuation lines joined.
    pub text: String,
    /// The words after the gem task's `--`.
    pub task_args: Vec<String>,
    /// What runs when the restore fails: the text after a top-level `||`.
    pub on_failure: Option<String>,
    pub if_replica_exists: bool,
    /// The file it writes: `-o PATH`, else the database path (`-database=PATH` for the task).
    pub target: Option<String>,
}

/// Every restore in a script (comments skipped; `\`-continued lines read as one).
pub fn restores_in_text(text: &str) -> Vec<Restore> {
    let mut out = Vec::new();
    let lines: Vec<&str> = text.lines().collect();
    let mut i = 0;
    while i < lines.len() {
        let start = i;
        let mut joined = String::new();
        loop {
            let l = lines[i];
            i += 1;
            match l.trim_end().strip_suffix('\\') {
                Some(head) if i < lines.len() => {
                    joined.push_str(head);
                    joined.push(' ');
                }
                _ => {
                    joined.push_str(l);
                    break;
                }
            }
        }
        let raw = lines[start];
        let t = joined.trim_start();
        if t.starts_with('#') || t.is_empty() {
            continue;
        }
        let col = raw.len() - raw.trim_start().len() + 1;
        if let Some(mut r) = restore_in(t.trim_end(), Pos::new(start + 1, col)) {
            // `|| {` opens a block on the lines below: what it runs is there.
            if r.on_failure.as_deref().is_some_and(|f| f == "{" || f == "(") {
                let mut block = r.on_failure.take().unwrap_or_default();
                while i < lines.len() {
                    let l = lines[i].trim();
                    i += 1;
                    block.push(' ');
                    block.push_str(l);
                    if l.starts_with('}') || l.starts_with(')') {
                        break;
                    }
                }
                r.on_failure = Some(block);
            }
            out.push(r);
        }
    }
    out
}

fn restore_in(line: &str, pos: Pos) -> Option<Restore> {
    let (cmd, on_failure) = match split_or(line) {
        Some((a, b)) => (a, Some(b.trim().to_string())),
        None => (line, None),
    };
    let words: Vec<&str> = cmd.split_whitespace().collect();
    let at = words.iter().position(|w| {
        let base = w.rsplit('/').next().unwrap_or(w);
        *w == "litestream:restore" || base == "litestream"
    })?;
    let via = if words[at] == "litestream:restore" {
        Via::GemTask
    } else if words.get(at + 1) == Some(&"restore") {
        Via::Binary
    } else {
        return None;
    };
    let task_args = match via {
        Via::GemTask => words[at + 1..]
            .iter()
            .skip_while(|w| **w != "--")
            .skip(1)
            .map(|w| w.trim_matches(['"', '\'']).to_string())
            .collect(),
        Via::Binary => Vec::new(),
    };
    let if_replica_exists = words[at..]
        .iter()
        .any(|w| w.trim_start_matches('-').starts_with("if-replica-exists"));
    let target = restore_target(via, &words[at + 1..], &task_args);
    Some(Restore {
        via,
        pos,
        text: line.trim().to_string(),
        task_args,
        on_failure,
        if_replica_exists,
        target,
    })
}

fn restore_target(via: Via, words: &[&str], task_args: &[String]) -> Option<String> {
    let unquote = |w: &str| w.trim_matches(['"', '\'']).to_string();
    let args: Vec<String> = match via {
        Via::GemTask => task_args.to_vec(),
        Via::Binary => words.iter().skip(1).map(|w| unquote(w)).collect(),
    };
    let mut db = None;
    let mut it = args.iter().peekable();
    while let Some(w) = it.next() {
        let bare = w.trim_start_matches('-');
        if let Some(v) = bare.strip_prefix("o=") {
            return Some(v.to_string());
        }
        if bare == "o" {
            return it.next().cloned();
        }
        if let Some(v) = bare.strip_prefix("database=") {
            db = Some(v.to_string());
            continue;
        }
        // Flags that take a value: skip it.
        if w.starts_with('-')
            && !bare.contains('=')
            && matches!(
                bare,
                "config" | "replica" | "generation" | "index" | "timestamp" | "parallelism" | "txid"
            )
        {
            it.next();
            continue;
        }
        if !w.starts_with('-') && !w.starts_with("2>") && !w.starts_with('>') && via == Via::Binary {
            db = Some(w.clone());
        }
    }
    db
}

/// Splits at the first `||` outside quotes.
fn split_or(line: &str) -> Option<(&str, &str)> {
    let mut quote = None;
    let b = line.as_bytes();
    for (i, &c) in b.iter().enumerate() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if c == b'"' || c == b'\'' => quote = Some(c),
            None if c == b'|' && b.get(i + 1) == Some(&b'|') => return Some((&line[..i], &line[i + 2..])),
            None => {}
        }
    }
    None
}

/// True when the script stops at the first failing command (`#!/bin/bash -e`, `set -e`,
/// `set -euo pipefail`, `set -o errexit`).
pub fn errexit(text: &str) -> bool {
    let mut lines = text.lines();
    let shebang = lines.next().unwrap_or("");
    let flag_e = |w: &str| w.starts_with('-') && !w.starts_with("--") && w.contains('e');
    if shebang.starts_with("#!") && shebang.split_whitespace().skip(1).any(flag_e) {
        return true;
    }
    text.lines().map(str::trim).any(|l| {
        let mut w = l.split_whitespace();
        w.next() == Some("set") && {
            let rest: Vec<&str> = w.collect();
            rest.iter().any(|x| flag_e(x)) || rest.windows(2).any(|p| p[0] == "-o" && p[1] == "errexit")
        }
    })
}

/// True when the text after `||` stops the boot (`exit 1`, `false`, `return 1`).
pub fn stops(on_failure: &str) -> bool {
    let t = on_failure.trim_start_matches(['{', '(', ' ']).trim_start();
    ["exit", "false", "return", "kill", "abort"]
        .iter()
        .any(|w| t.starts_with(w) && !t.starts_with("exit 0") && !t.starts_with("return 0"))
        || t.contains("; exit 1")
        || t.contains("exit 1")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_restores_and_their_fallbacks() {
        let s = "#!/bin/bash -e\n# litestream restore x\nlitestream restore -config c.yml /data/db || echo \"none\"\n  bundle exec rails litestream:restore -- -database storage/x.sqlite3\nlitestream restore -if-replica-exists \\\n  /data/db 2>&1 || exit 1\n";
        let r = restores_in_text(s);
        assert_eq!(r.len(), 3);
        assert_eq!(r[0].via, Via::Binary);
        assert_eq!(r[0].on_failure.as_deref(), Some("echo \"none\""));
        assert!(!stops(r[0].on_failure.as_deref().unwrap()));
        assert_eq!(r[1].via, Via::GemTask);
        assert_eq!(r[1].pos, Pos::new(4, 3));
        assert_eq!(r[1].task_args, vec!["-database", "storage/x.sqlite3"]);
        assert!(r[2].if_replica_exists);
        assert_eq!(r[2].pos, Pos::new(5, 1));
        assert!(stops(r[2].on_failure.as_deref().unwrap()));
        assert!(restores_in_text("echo litestream\nlitestream replicate\n").is_empty());
        let b = restores_in_text("litestream restore /d || {\n  echo no\n  exit 1\n}\necho after\n");
        assert_eq!(b[0].on_failure.as_deref(), Some("{ echo no exit 1 }"));
        assert!(stops(b[0].on_failure.as_deref().unwrap()));
        assert_eq!(r[0].target.as_deref(), Some("/data/db"));
        assert_eq!(r[2].target.as_deref(), Some("/data/db"));
        let t = restores_in_text("./bin/rails litestream:restore -- --database=storage/a.sqlite3 --if-replica-exists\nlitestream restore -o /x.db -config c /d\n");
        assert_eq!(t[0].target.as_deref(), Some("storage/a.sqlite3"));
        assert_eq!(t[1].target.as_deref(), Some("/x.db"));
        assert!(errexit("#!/bin/bash -e\n"));
        assert!(errexit("#!/bin/bash\nset -eu -o pipefail\n"));
        assert!(!errexit("#!/bin/sh\nset -x\n"));
    }
}
