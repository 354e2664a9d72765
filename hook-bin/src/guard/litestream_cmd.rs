//! `litestream restore` and `litestream reset` as Go's `flag` package reads them, and which
//! restore flags each Litestream version has.

use super::ops::{operands, quote, FileOp, Op, Restore, Runner, Verb};
use super::words::Arg;
use crate::version::{Line, Version};

/// Restore flags: which take a value, which line has them, from which 0.5 patch.
const VALUE_FLAGS: [&str; 10] = [
    "config",
    "o",
    "replica",
    "generation",
    "index",
    "timestamp",
    "parallelism",
    "txid",
    "follow-interval",
    "integrity-check",
];
pub const ONLY_V03: [&str; 3] = ["replica", "generation", "index"];
/// 0.5-only flags with the patch that added them.
pub const SINCE_V05: [(&str, u32); 7] = [
    ("txid", 0),
    ("f", 9),
    ("follow-interval", 9),
    ("integrity-check", 10),
    ("dry-run", 12),
    ("force", 12),
    ("json", 12),
];

pub(super) fn litestream(argv: &[Arg], runner: &Runner) -> Vec<Op> {
    let args = &argv[1..];
    let Some(sub) = args.first() else {
        return Vec::new();
    };
    match sub.text.as_str() {
        "restore" => restore(&args[1..], runner),
        "reset" => {
            let (paths, opts) = operands(&args[1..], &["-config"]);
            if opts.iter().any(|o| o.trim_start_matches('-') == "dry-run") {
                return Vec::new();
            }
            paths
                .into_iter()
                .map(|p| Op::File(FileOp::new(Verb::Reset, p.clone(), "litestream reset")))
                .collect()
        }
        _ => Vec::new(),
    }
}

fn restore(args: &[Arg], runner: &Runner) -> Vec<Op> {
    let mut r = Restore {
        output: None,
        force: false,
        dry_run: false,
        if_not_exists: false,
        late_flags: Vec::new(),
        corrected: None,
        flags: Vec::new(),
        source: None,
        runner: runner.clone(),
        shown: args.iter().map(Arg::show).collect::<Vec<_>>().join(" "),
    };
    // Flags as Go reads them: up to the first positional argument. Flags after it are kept
    // apart (Go would refuse the command) and evaluated as if they were in the right place.
    let mut flags: Vec<(String, Option<Arg>, Vec<Arg>)> = Vec::new();
    let mut positional: Vec<Arg> = Vec::new();
    let mut i = 0;
    let mut ended = false;
    while i < args.len() {
        let a = &args[i];
        let t = a.text.as_str();
        if !ended && t == "--" {
            ended = true;
            i += 1;
            continue;
        }
        if !ended && t.starts_with('-') && t.len() > 1 {
            let body = t.trim_start_matches('-');
            let (name, inline) = match body.split_once('=') {
                Some((n, v)) => (n.to_string(), Some(Arg::lit(v))),
                None => (body.to_string(), None),
            };
            let mut words = vec![a.clone()];
            let value = if inline.is_none() && VALUE_FLAGS.contains(&name.as_str()) {
                i += 1;
                let v = args.get(i).cloned();
                if let Some(v) = &v {
                    words.push(v.clone());
                }
                v
            } else {
                inline
            };
            if !positional.is_empty() {
                r.late_flags.push(t.to_string());
            }
            flags.push((name, value, words));
        } else {
            positional.push(a.clone());
        }
        i += 1;
    }
    for (name, value, _) in &flags {
        let on = |v: &Option<Arg>| v.as_ref().is_none_or(|v| v.text != "false");
        match name.as_str() {
            "o" => r.output = value.clone(),
            "force" => r.force = on(value),
            "dry-run" => r.dry_run = on(value),
            "if-db-not-exists" => r.if_not_exists = on(value),
            _ => {}
        }
        r.flags.push(name.clone());
    }
    r.source = positional.first().cloned();
    if r.output.is_none() {
        r.output = r.source.clone().filter(|s| !s.text.contains("://"));
    }
    if !r.late_flags.is_empty() {
        let mut words: Vec<String> = vec!["restore".into()];
        for (_, _, w) in &flags {
            words.extend(w.iter().map(|a| quote(&a.show())));
        }
        words.extend(positional.iter().map(|a| quote(&a.show())));
        r.corrected = Some(words.join(" "));
    }
    vec![Op::Restore(r)]
}

/// The flags of `r` that `v` does not have: `(flag, why)`.
pub fn wrong_version_flags(r: &Restore, v: Version) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for f in &r.flags {
        match v.line {
            Line::V05 => {
                if ONLY_V03.contains(&f.as_str()) {
                    out.push((f.clone(), format!("`-{f}` exists only in Litestream 0.3")));
                } else if let Some((_, since)) = SINCE_V05.iter().find(|(n, _)| n == f) {
                    if *since > 0 && v.v05_before(*since) {
                        out.push((
                            f.clone(),
                            format!("`-{f}` needs Litestream 0.5.{since}+, the image is {v}"),
                        ));
                    }
                }
            }
            Line::V03 => {
                if SINCE_V05.iter().any(|(n, _)| n == f) {
                    out.push((f.clone(), format!("`-{f}` exists only in Litestream 0.5")));
                }
            }
        }
    }
    out
}
