//! The Bash guard's table-driven corpus: tests/corpus/commands.txt (format described at its top).
//! Every case runs `litestream-guard guard` as a person or a script would, and its exit code and
//! rule ID are compared with the expectation. `CORPUS_FILTER=text cargo test --test guard_corpus`
//! runs only the cases whose command or note contains `text`; failures print the guard's output.

mod support;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command};

use support::bin::guard;

struct Case {
    line: usize,
    expect: String,
    rule: String,
    cwd: String,
    session: String,
    note: String,
    command: String,
}

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus")
}

/// A session's command and what it printed.
type Session = Vec<(String, String)>;

/// Cases and named sessions (`@session NAME` followed by `$ command` lines, each optionally
/// followed by `| output` lines).
fn parse(text: &str) -> (Vec<Case>, HashMap<String, Session>) {
    let mut cases: Vec<Case> = Vec::new();
    let mut sessions: HashMap<String, Session> = HashMap::new();
    let mut current_session: Option<String> = None;
    for (i, line) in text.lines().enumerate() {
        let n = i + 1;
        if line.trim().is_empty() || line.starts_with('#') {
            current_session = None;
            continue;
        }
        if let Some(name) = line.strip_prefix("@session ") {
            current_session = Some(name.trim().to_string());
            sessions.entry(name.trim().to_string()).or_default();
            continue;
        }
        if let Some(cmd) = line.strip_prefix("$ ") {
            if let Some(s) = &current_session {
                sessions.get_mut(s).unwrap().push((cmd.to_string(), String::new()));
                continue;
            }
            let case = cases
                .last_mut()
                .unwrap_or_else(|| panic!("line {n}: a command without a header"));
            assert!(
                case.command.is_empty(),
                "line {n}: a second `$` line; use `> ` for continuation lines"
            );
            case.command = cmd.to_string();
            continue;
        }
        if let Some(out) = line.strip_prefix("| ").or_else(|| (line == "|").then_some("")) {
            let s = current_session
                .as_ref()
                .unwrap_or_else(|| panic!("line {n}: output (`| `) outside a @session"));
            let last = sessions
                .get_mut(s)
                .unwrap()
                .last_mut()
                .unwrap_or_else(|| panic!("line {n}: output before a command"));
            last.1.push_str(out);
            last.1.push('\n');
            continue;
        }
        if let Some(more) = line.strip_prefix("> ").or_else(|| (line == ">").then_some("")) {
            let case = cases
                .last_mut()
                .unwrap_or_else(|| panic!("line {n}: a continuation without a command"));
            case.command.push('\n');
            case.command.push_str(more);
            continue;
        }
        let mut fields: Vec<&str> = Vec::new();
        let mut rest = line;
        for _ in 0..4 {
            rest = rest.trim_start();
            let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
            fields.push(&rest[..end]);
            rest = &rest[end..];
        }
        assert!(
            matches!(fields[0], "allow" | "ask" | "deny"),
            "line {n}: expected `allow|ask|deny RULE CWD SESSION note`, got {line:?}"
        );
        cases.push(Case {
            line: n,
            expect: fields[0].to_string(),
            rule: fields[1].to_string(),
            cwd: fields[2].to_string(),
            session: fields[3].to_string(),
            note: rest.trim().to_string(),
            command: String::new(),
        });
    }
    for c in &cases {
        assert!(!c.command.is_empty(), "line {}: no `$ command` line", c.line);
    }
    (cases, sessions)
}

/// Copies an app fixture to `dest`, writing `root` over `@ROOT@` in every text file.
fn copy_app(src: &Path, dest: &Path, root: &str) {
    std::fs::create_dir_all(dest).unwrap();
    for e in std::fs::read_dir(src).unwrap() {
        let e = e.unwrap();
        let to = dest.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_app(&e.path(), &to, root);
        } else {
            let bytes = std::fs::read(e.path()).unwrap();
            match String::from_utf8(bytes.clone()) {
                Ok(t) if !t.contains('\0') => std::fs::write(&to, t.replace("@ROOT@", root)).unwrap(),
                _ => std::fs::write(&to, bytes).unwrap(),
            }
        }
    }
}

struct Held(Vec<Child>);

impl Drop for Held {
    fn drop(&mut self) {
        for c in &mut self.0 {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_litestream-guard")
}

/// Feeds a session's commands to `litestream-guard hook` as successful PostToolUse events.
fn record_session(id: &str, commands: &Session, cwd: &Path, data: &Path) {
    for (c, stdout) in commands {
        let event = serde_json::json!({
            "session_id": id, "transcript_path": "/nonexistent.jsonl", "cwd": cwd,
            "hook_event_name": "PostToolUse", "tool_name": "Bash", "tool_input": {"command": c},
            "tool_use_id": "toolu_x",
            "tool_response": {"stdout": stdout, "stderr": "", "interrupted": false, "isImage": false}
        });
        let out = guard(&["hook"])
            .env("CLAUDE_PLUGIN_DATA", data)
            .stdin(event.to_string())
            .run();
        assert!(out.status.success());
        assert!(
            out.stdout.is_empty(),
            "PostToolUse printed {:?}",
            String::from_utf8_lossy(&out.stdout)
        );
    }
}

#[test]
fn corpus() {
    let text = std::fs::read_to_string(corpus_dir().join("commands.txt")).unwrap();
    let (cases, sessions) = parse(&text);
    let filter = std::env::var("CORPUS_FILTER").ok();
    let work = std::env::temp_dir().join(format!("lg-corpus-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&work);
    std::fs::create_dir_all(&work).unwrap();
    let data = work.join("plugin-data");
    let mut apps: HashMap<String, PathBuf> = HashMap::new();
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut failures = Vec::new();
    let mut counts: HashMap<String, usize> = HashMap::new();
    for (i, case) in cases.iter().enumerate() {
        if let Some(f) = &filter {
            if !case.command.contains(f.as_str()) && !case.note.contains(f.as_str()) {
                continue;
            }
        }
        *counts.entry(case.expect.clone()).or_default() += 1;
        let dir = apps
            .entry(case.cwd.clone())
            .or_insert_with(|| match case.cwd.as_str() {
                "shopfront" => std::fs::canonicalize(repo.join("examples/shopfront")).unwrap(),
                name => {
                    let dest = work.join("apps").join(name);
                    let src = corpus_dir().join("apps").join(name);
                    assert!(src.is_dir(), "line {}: no app fixture {name}", case.line);
                    copy_app(&src, &dest, dest.to_str().unwrap());
                    dest
                }
            })
            .clone();
        let root = dir.to_str().unwrap().to_string();
        let command = case.command.replace("@ROOT@", &root);
        let mut args: Vec<String> = vec!["guard".into(), "--cwd".into(), root.clone()];
        let mut held = Held(Vec::new());
        for token in case.session.split(',').filter(|t| *t != "-") {
            if let Some(name) = token.strip_prefix("transcript=") {
                args.push("--transcript".into());
                args.push(corpus_dir().join("transcripts").join(name).to_str().unwrap().into());
            } else if let Some(config) = token.strip_prefix("replicating=") {
                // A stand-in `litestream replicate -config CONFIG` process (it holds nothing open).
                let bin_dir = work.join("bin");
                std::fs::create_dir_all(&bin_dir).unwrap();
                let script = bin_dir.join("litestream");
                std::fs::write(&script, "#!/bin/sh\nsleep 60\n").unwrap();
                use std::os::unix::fs::PermissionsExt;
                std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
                let child = Command::new(&script)
                    .args(["replicate", "-config"])
                    .arg(dir.join(config))
                    .spawn()
                    .unwrap();
                held.0.push(child);
            } else if let Some(rel) = token.strip_prefix("held=") {
                let file = dir.join(rel);
                let child = Command::new("sh")
                    .arg("-c")
                    .arg(format!("exec 3<>'{}'; exec sleep 60", file.display()))
                    .spawn()
                    .unwrap();
                held.0.push(child);
            } else {
                let commands = sessions
                    .get(token)
                    .unwrap_or_else(|| panic!("line {}: no @session {token}", case.line));
                let id = format!("corpus-{i}-{token}");
                let commands: Session = commands
                    .iter()
                    .map(|(c, o)| (c.replace("@ROOT@", &root), o.clone()))
                    .collect();
                record_session(&id, &commands, &dir, &data);
                args.push("--session".into());
                args.push(id);
            }
        }
        if !held.0.is_empty() {
            // Let the holders open their files.
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        args.push("--".into());
        args.push(command.clone());
        let out = Command::new(bin())
            .args(&args)
            .env("CLAUDE_PLUGIN_DATA", &data)
            .current_dir(&dir)
            .output()
            .unwrap();
        drop(held);
        let stdout = String::from_utf8_lossy(&out.stdout).to_string();
        let got = match out.status.code() {
            Some(0) => "allow",
            Some(1) => "deny",
            Some(3) => "ask",
            other => panic!(
                "line {}: exit {other:?}: {}",
                case.line,
                String::from_utf8_lossy(&out.stderr)
            ),
        };
        let first = stdout.lines().next().unwrap_or("");
        let got_rule = first.split_whitespace().nth(1).unwrap_or("-");
        if got != case.expect
            || (case.rule != "-" && got_rule != case.rule)
            || (case.rule == "-" && got != "allow" && got_rule != "-" && case.expect == "allow")
        {
            failures.push(format!(
                "line {}: expected {} {}, got {} {} ({})\n  $ {}\n  {}",
                case.line,
                case.expect,
                case.rule,
                got,
                got_rule,
                case.note,
                command.replace('\n', "\n  > "),
                stdout
                    .lines()
                    .nth(1)
                    .unwrap_or("")
                    .chars()
                    .take(400)
                    .collect::<String>()
            ));
        }
        if got == "allow" {
            assert_eq!(stdout, "allow\n", "line {}: allow prints only `allow`", case.line);
        }
    }
    let _ = std::fs::remove_dir_all(&work);
    eprintln!("corpus: {counts:?}");
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
    if filter.is_none() {
        assert!(
            cases.len() >= 150,
            "the corpus must keep at least 150 commands ({})",
            cases.len()
        );
    }
}

/// Every guard rule's documented bad example gets that rule, and its good example passes: the
/// docs (`explain`, docs/rules.md) cannot drift from behaviour.
#[test]
fn rule_examples_match_their_rules() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let shopfront = std::fs::canonicalize(root.join("../examples/shopfront")).unwrap();
    let pinned = corpus_dir().join("apps/pinned");
    let stopped = corpus_dir().join("transcripts/stopped.jsonl");
    let list = Command::new(bin()).arg("rules").output().unwrap();
    let ids: Vec<String> = String::from_utf8_lossy(&list.stdout)
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .filter(|id| id.starts_with('G'))
        .map(str::to_string)
        .collect();
    assert_eq!(ids.len(), 11, "{ids:?}");
    let data = std::env::temp_dir().join(format!("lg-examples-{}", std::process::id()));
    for id in ids {
        let explain = String::from_utf8(Command::new(bin()).args(["explain", &id]).output().unwrap().stdout).unwrap();
        let block = |heading: &str| -> String {
            let start = explain.find(&format!("\n{heading}\n")).unwrap() + heading.len() + 2;
            explain[start..]
                .lines()
                .take_while(|l| l.starts_with("    "))
                .map(|l| l.strip_prefix("    ").unwrap_or(l))
                .collect::<Vec<_>>()
                .join("\n")
        };
        // G003's examples are about the moment after the stop; G008's need a pinned image.
        let (cwd, transcript) = match id.as_str() {
            "G003" => (&shopfront, Some(&stopped)),
            "G008" => (&pinned, None),
            _ => (&shopfront, None),
        };
        let run = |cmd: &str| {
            let mut args = vec!["guard".to_string(), "--cwd".into(), cwd.to_str().unwrap().into()];
            if let Some(t) = transcript {
                args.push("--transcript".into());
                args.push(t.to_str().unwrap().into());
            }
            args.push("--".into());
            args.push(cmd.into());
            let out = Command::new(bin())
                .args(&args)
                .env("CLAUDE_PLUGIN_DATA", &data)
                .output()
                .unwrap();
            (out.status.code(), String::from_utf8_lossy(&out.stdout).to_string())
        };
        let (code, out) = run(&block("Bad"));
        assert!(
            matches!(code, Some(1) | Some(3)) && out.lines().next().unwrap_or("").contains(&id),
            "{id}: the bad example is not flagged by {id}:\n{out}"
        );
        let (code, out) = run(&block("Good"));
        assert_eq!(code, Some(0), "{id}: the good example is not allowed:\n{out}");
    }
    let _ = std::fs::remove_dir_all(&data);
}
