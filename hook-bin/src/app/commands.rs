//! Commands that start Litestream, wherever an app writes them: Procfile lines, the lines of an
//! entrypoint script, a Dockerfile `CMD`/`ENTRYPOINT`, a Kamal role's `cmd:`. Text only: nothing
//! here runs a script.

use crate::source::Pos;

/// How a command starts replication.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Via {
    /// `litestream replicate …` (the binary).
    Binary,
    /// `bin/rails litestream:replicate` or `rake litestream:replicate` (the litestream-ruby gem).
    GemTask,
}

/// One command that starts `litestream replicate`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Start {
    pub via: Via,
    pub pos: Pos,
    /// The `-config` value, when given.
    pub config: Option<String>,
    /// `-exec` runs the app under Litestream (Litestream exits when it exits).
    pub exec: bool,
    /// The command as written (trimmed), for messages.
    pub text: String,
}

fn flag(words: &[String], name: &str) -> Option<String> {
    let mut it = words.iter();
    while let Some(w) = it.next() {
        let bare = w.trim_start_matches('-');
        if !w.starts_with('-') {
            continue;
        }
        if bare == name {
            return it.next().cloned();
        }
        if let Some(v) = bare.strip_prefix(name).and_then(|r| r.strip_prefix('=')) {
            return Some(v.to_string());
        }
    }
    None
}

/// The start of replication in one command line, if it has one.
pub fn start_in(line: &str, pos: Pos) -> Option<Start> {
    let w = crate::shell_words::split(line, true);
    for (i, word) in w.iter().enumerate() {
        let base = word.rsplit('/').next().unwrap_or(word);
        let via = if base == "litestream" && w.get(i + 1).is_some_and(|n| n == "replicate") {
            Via::Binary
        } else if word == "litestream:replicate" && i > 0 {
            Via::GemTask
        } else {
            continue;
        };
        let rest = &w[i + 1..];
        return Some(Start {
            via,
            pos,
            config: flag(rest, "config"),
            exec: flag(rest, "exec").is_some(),
            text: line.trim().to_string(),
        });
    }
    None
}

/// Every start in a script or Procfile text (comments skipped), one per line at most.
pub fn starts_in_text(text: &str) -> Vec<Start> {
    let mut out = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let t = raw.trim_start();
        if t.starts_with('#') || t.is_empty() {
            continue;
        }
        let col = raw.len() - t.len() + 1;
        if let Some(s) = start_in(t, Pos::new(i + 1, col)) {
            out.push(s);
        }
    }
    out
}

/// A Procfile's processes: `(name, command, position of the command)`.
pub fn procfile(text: &str) -> Vec<(String, String, Pos)> {
    text.lines()
        .enumerate()
        .filter_map(|(i, l)| {
            let t = l.trim_start();
            if t.starts_with('#') {
                return None;
            }
            let (name, cmd) = t.split_once(':')?;
            let name = name.trim();
            if name.is_empty()
                || !name
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
            {
                return None;
            }
            let col = l.len() - cmd.trim_start().len() + 1;
            Some((name.to_string(), cmd.trim().to_string(), Pos::new(i + 1, col)))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn starts() {
        let s = start_in(
            "exec litestream replicate -config /etc/litestream.yml -exec \"./bin/rails server\"",
            Pos::START,
        )
        .unwrap();
        assert_eq!(s.via, Via::Binary);
        assert_eq!(s.config.as_deref(), Some("/etc/litestream.yml"));
        assert!(s.exec);
        let s = start_in("bundle exec rails litestream:replicate", Pos::START).unwrap();
        assert_eq!(s.via, Via::GemTask);
        assert!(start_in("litestream restore -if-db-not-exists /data/db", Pos::START).is_none());
        assert!(start_in("echo litestream", Pos::START).is_none());
        let all = starts_in_text("#!/bin/sh\n# litestream replicate\nset -e\n/usr/local/bin/litestream replicate &\n");
        assert_eq!(all.len(), 1);
        assert_eq!(all[0].pos, Pos::new(4, 1));
    }

    #[test]
    fn procfiles() {
        let p = procfile("web: bin/rails server\n# x: y\nlitestream: bin/rails litestream:replicate\n");
        assert_eq!(p.len(), 2);
        assert_eq!(p[1].0, "litestream");
        assert_eq!(p[1].2, Pos::new(3, 13));
    }
}
