//! Credentials found in deploy.yml (`env.clear`) and `.kamal/secrets*` are reported, but their
//! values never appear in any output: text, JSON, or the hook's answers.

mod support;

use std::path::{Path, PathBuf};

use support::bin::guard;

/// The literal values the fixtures and the example app contain.
const SECRETS: &[&str] = &[
    "AKIAIOSFODNN7EXAMPLE",
    "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    "$notavariable-but-literal",
];

fn manifest() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn run(args: &[&str], cwd: &Path, stdin: Option<&str>) -> String {
    let out = guard(args).cwd(cwd).stdin(stdin.unwrap_or("")).run();
    format!("{}{}", out.stdout_text(), out.stderr_text())
}

fn assert_redacted(what: &str, out: &str, must_report: &[&str]) {
    for s in SECRETS {
        // Neither the value nor a recognisable piece of it.
        let piece: String = s.chars().take(10).collect();
        assert!(
            !out.contains(s) && !out.contains(&piece),
            "{what} prints a secret value:\n{out}"
        );
    }
    for rule in must_report {
        assert!(out.contains(rule), "{what} does not report {rule}:\n{out}");
    }
}

#[test]
fn check_never_prints_credential_values() {
    let cases: &[(PathBuf, &[&str])] = &[
        (manifest().join("tests/fixtures/K011-clear-credential"), &["K011"]),
        (manifest().join("tests/fixtures/S001-literal-secret"), &["S001"]),
        (manifest().join("../examples/shopfront"), &["K011", "S001"]),
    ];
    for (dir, rules) in cases {
        for format in ["text", "json"] {
            let out = run(&["check", "--format", format, "."], dir, None);
            assert_redacted(&format!("check --format {format} {}", dir.display()), &out, rules);
        }
    }
}

#[test]
fn hook_never_prints_credential_values() {
    let app = std::env::temp_dir().join(format!("lg-redaction-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&app);
    let src = manifest().join("tests/fixtures/ok-kamal-v05");
    for rel in [
        "config/deploy.yml",
        "config/litestream.yml",
        "config/database.yml",
        ".kamal/secrets",
    ] {
        let to = app.join(rel);
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        std::fs::copy(src.join(rel), &to).unwrap();
    }
    let secrets = std::fs::read_to_string(app.join(".kamal/secrets")).unwrap();
    let deploy = std::fs::read_to_string(app.join("config/deploy.yml")).unwrap();
    let literal_secrets = secrets.replace(
        "LITESTREAM_SECRET_ACCESS_KEY=$(kamal secrets extract LITESTREAM_SECRET_ACCESS_KEY $SECRETS)",
        "LITESTREAM_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    );
    let clear_key = deploy.replace(
        "        LITESTREAM_BUCKET: shopfront-backups\n",
        "        LITESTREAM_BUCKET: shopfront-backups\n        LITESTREAM_ACCESS_KEY_ID: AKIAIOSFODNN7EXAMPLE\n",
    );
    assert_ne!(secrets, literal_secrets);
    assert_ne!(deploy, clear_key);
    for (rel, content, rule) in [
        (".kamal/secrets", &literal_secrets, "S001"),
        ("config/deploy.yml", &clear_key, "K011"),
    ] {
        let path = app.join(rel);
        let pre = serde_json::json!({
            "session_id": "s", "cwd": app, "hook_event_name": "PreToolUse", "tool_name": "Write",
            "tool_input": {"file_path": path, "content": content}
        });
        let out = run(&["hook"], &app, Some(&pre.to_string()));
        assert_redacted(&format!("PreToolUse Write {rel}"), &out, &[rule, "deny"]);

        let original = std::fs::read_to_string(&path).unwrap();
        std::fs::write(&path, content).unwrap();
        let post = serde_json::json!({
            "session_id": "s", "cwd": app, "hook_event_name": "PostToolUse", "tool_name": "Write",
            "tool_input": {"file_path": path, "content": content}, "tool_response": {"success": true}
        });
        let out = run(&["hook"], &app, Some(&post.to_string()));
        assert_redacted(&format!("PostToolUse Write {rel}"), &out, &[rule]);
        std::fs::write(&path, original).unwrap();
    }
    let _ = std::fs::remove_dir_all(&app);
}
