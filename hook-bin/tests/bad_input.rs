//! Hostile and broken input: every case must end in a clear finding (or a clear "no opinion" for
//! the hook), never a panic, a hang, or unbounded memory.

mod support;

use std::path::{Path, PathBuf};

use support::bin::{guard, Run};

fn app_with(name: &str, rel: &str, content: &[u8]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("lg-bad-input-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let file = dir.join(rel);
    std::fs::create_dir_all(file.parent().unwrap()).unwrap();
    std::fs::write(file, content).unwrap();
    dir
}

fn run(args: &[&str], cwd: &Path, stdin: &[u8]) -> Run {
    guard(args).cwd(cwd).stdin(stdin).run()
}

fn check_reports(name: &str, rel: &str, content: &[u8], rule: &str) {
    let app = app_with(name, rel, content);
    let out = run(&["check", "."], &app, b"");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{name}: expected exit 1\nstdout: {stdout}\nstderr: {stderr}"
    );
    assert!(stderr.is_empty(), "{name}: stderr: {stderr}");
    assert!(
        stdout.contains(&format!("error[{rule}]")),
        "{name}: no {rule} finding in:\n{stdout}"
    );
    // The hook sees the same content as a Write and denies it with the same rule, exit 0.
    let event = serde_json::json!({
        "hook_event_name": "PreToolUse", "tool_name": "Write", "session_id": "s",
        "tool_input": {"file_path": app.join(rel), "content": String::from_utf8_lossy(content)}
    });
    let out = run(&["hook"], &app, event.to_string().as_bytes());
    assert_eq!(out.status.code(), Some(0), "{name}: hook must exit 0");
    let _ = std::fs::remove_dir_all(&app);
}

fn alias_bomb() -> String {
    let mut s = String::from("a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for i in 1..10 {
        s.push_str(&format!(
            "a{i}: &a{i} [{}]\n",
            vec![format!("*a{}", i - 1); 9].join(", ")
        ));
    }
    s.push_str("dbs: *a9\n");
    s
}

#[test]
fn invalid_utf8() {
    check_reports(
        "utf8",
        "config/litestream.yml",
        b"dbs:\n  - path: /rails/storage/caf\xe9.sqlite3\n",
        "Y002",
    );
}

#[test]
fn binary_file() {
    check_reports(
        "binary",
        "config/litestream.yml",
        b"SQLite format 3\x00\x10\x00\x01\x01",
        "Y002",
    );
}

#[test]
fn twenty_megabytes() {
    let big = "# padding\n".repeat(2 * 1024 * 1024);
    check_reports("huge", "config/litestream.yml", big.as_bytes(), "Y002");
}

#[test]
fn yaml_alias_bomb() {
    check_reports("bomb", "config/litestream.yml", alias_bomb().as_bytes(), "Y001");
}

#[test]
fn ten_thousand_levels_of_nesting() {
    let flow = format!("dbs: {}{}\n", "[".repeat(10_000), "]".repeat(10_000));
    check_reports("flow", "config/litestream.yml", flow.as_bytes(), "Y001");
    let mapping = format!("dbs: {}x{}\n", "{a: ".repeat(10_000), "}".repeat(10_000));
    check_reports("mapping", "config/litestream.yml", mapping.as_bytes(), "Y001");
    // Block style: `- - - … x` nests one sequence per dash, 10,000 deep on one line.
    let block = format!("dbs:\n  {}x\n", "- ".repeat(10_000));
    check_reports("block", "config/litestream.yml", block.as_bytes(), "Y001");
}

#[test]
fn erb_soup_in_deploy_yml() {
    let soup = "<% if x %><%= y %>: <%= <% %> %>\n  <%- z -%>\n<%= 'unterminated\nservice: <%= ENV['S'] %>\n  - [\n";
    check_reports("erb", "config/deploy.yml", soup.as_bytes(), "Y001");
}

#[test]
fn empty_and_non_mapping() {
    check_reports("empty", "config/litestream.yml", b"", "Y003");
    check_reports("list", "config/litestream.yml", b"- a\n- b\n", "Y003");
    check_reports("scalar", "config/database.yml", b"just text\n", "Y003");
}

#[test]
fn hook_survives_any_bytes() {
    let dir = std::env::temp_dir();
    for input in [
        &b""[..],
        b"null",
        b"[]",
        b"{}",
        b"\xff\xfe",
        b"{\"tool_name\":\"Write\",\"tool_input\":{\"file_path\":7}}",
        b"{\"hook_event_name\":\"PreToolUse\",\"tool_name\":\"Bash\",\"tool_input\":{}}",
    ] {
        let out = run(&["hook"], &dir, input);
        assert_eq!(out.status.code(), Some(0), "input {input:?}");
        assert!(
            out.stdout.is_empty(),
            "input {input:?}: {}",
            String::from_utf8_lossy(&out.stdout)
        );
    }
    let huge = vec![b' '; 33 * 1024 * 1024];
    let out = run(&["hook"], &dir, &huge);
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no opinion"));
}

#[test]
fn check_usage_errors_exit_2() {
    let dir = std::env::temp_dir();
    assert_eq!(run(&["check", "/nonexistent/app"], &dir, b"").status.code(), Some(2));
    assert_eq!(
        run(&["check", "--select", "NOPE1", "."], &dir, b"").status.code(),
        Some(2)
    );
    assert_eq!(run(&["check", "--format", "xml"], &dir, b"").status.code(), Some(2));
    assert_eq!(run(&["explain", "Z999"], &dir, b"").status.code(), Some(2));
}
