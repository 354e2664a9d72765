//! `litestream-guard hook` on Bash events, end to end: each tests/hook-events/NAME.json (one event,
//! or an array played in order with the same plugin data directory) must print exactly
//! tests/hook-events/NAME.out for its last event, nothing for the ones before, and exit 0.
//! `@APP@` is examples/shopfront, `@CORPUS@` is tests/corpus. `BLESS=1` rewrites the .out files.

mod support;

use std::path::{Path, PathBuf};

use support::bin::guard;

fn run(event: &[u8], data: &Path) -> (String, String, i32) {
    let out = guard(&["hook"]).env("CLAUDE_PLUGIN_DATA", data).stdin(event).run();
    (
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
        out.status.code().unwrap_or(-1),
    )
}

#[test]
fn bash_events() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = root.join("tests/hook-events");
    let app = std::fs::canonicalize(root.join("../examples/shopfront")).unwrap();
    let corpus = root.join("tests/corpus");
    let bless = std::env::var_os("BLESS").is_some();
    let mut names: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    names.sort();
    assert!(names.len() >= 15);
    let mut failures = Vec::new();
    for (i, path) in names.iter().enumerate() {
        let data = std::env::temp_dir().join(format!("lg-hook-bash-{}-{i}", std::process::id()));
        let _ = std::fs::remove_dir_all(&data);
        let text = std::fs::read_to_string(path)
            .unwrap()
            .replace("@APP@", app.to_str().unwrap())
            .replace("@CORPUS@", corpus.to_str().unwrap());
        let events: Vec<String> = match serde_json::from_str::<serde_json::Value>(&text) {
            Ok(serde_json::Value::Array(a)) => a.iter().map(|e| e.to_string()).collect(),
            _ => vec![text],
        };
        let mut last = String::new();
        for (j, e) in events.iter().enumerate() {
            let (stdout, _stderr, code) = run(e.as_bytes(), &data);
            assert_eq!(code, 0, "{}: event {j} exited {code}", path.display());
            if j + 1 < events.len() {
                assert_eq!(stdout, "", "{}: event {j} printed something", path.display());
            }
            last = stdout;
        }
        let _ = std::fs::remove_dir_all(&data);
        if !last.is_empty() {
            let v: serde_json::Value = serde_json::from_str(&last).expect("hook output is JSON");
            let h = &v["hookSpecificOutput"];
            assert_eq!(h["hookEventName"], "PreToolUse", "{}", path.display());
            assert!(
                matches!(h["permissionDecision"].as_str(), Some("deny" | "ask")),
                "{}",
                path.display()
            );
            assert!(h["permissionDecisionReason"]
                .as_str()
                .is_some_and(|r| r.contains("litestream-guard G0")));
        }
        let expected_path = path.with_extension("out");
        if bless {
            std::fs::write(&expected_path, &last).unwrap();
            continue;
        }
        let expected =
            std::fs::read_to_string(&expected_path).unwrap_or_else(|_| panic!("{} missing", expected_path.display()));
        if expected != last {
            failures.push(format!(
                "{}:\n  expected: {expected}\n  got:      {last}",
                path.display()
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn post_tool_use_keeps_small_per_session_state() {
    let data = std::env::temp_dir().join(format!("lg-hook-state-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&data);
    let app = std::fs::canonicalize(Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/shopfront")).unwrap();
    let ev = serde_json::json!({"session_id": "abc-123", "cwd": app, "hook_event_name": "PostToolUse", "tool_name": "Bash",
        "tool_input": {"command": "kamal app stop"}, "tool_response": {"stdout": "", "interrupted": false}});
    let (out, _, code) = run(ev.to_string().as_bytes(), &data);
    assert_eq!((out.as_str(), code), ("", 0));
    let file = data.join("sessions/abc-123.json");
    let state = std::fs::read_to_string(&file).unwrap();
    assert!(state.len() < 1024 && state.contains("\"stopped\":true"), "{state}");
    // Unrelated commands write nothing.
    let ev = serde_json::json!({"session_id": "other", "cwd": app, "hook_event_name": "PostToolUse", "tool_name": "Bash",
        "tool_input": {"command": "git status"}, "tool_response": {"stdout": ""}});
    run(ev.to_string().as_bytes(), &data);
    assert!(!data.join("sessions/other.json").exists());
    // No temporary files are left behind.
    let leftovers: Vec<_> = std::fs::read_dir(data.join("sessions"))
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(leftovers.len(), 1, "{leftovers:?}");
    let _ = std::fs::remove_dir_all(&data);
}
