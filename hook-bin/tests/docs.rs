//! Generated documentation must match the registry it is generated from.
//! `UPDATE_DOCS=1 cargo test --test docs` rewrites docs/rules.md.

use std::path::Path;
use std::process::Command;

#[test]
fn rules_md_is_generated_from_the_registry() {
    let out = Command::new(env!("CARGO_BIN_EXE_litestream-guard"))
        .args(["explain", "--markdown"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let generated = String::from_utf8(out.stdout).unwrap();
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/rules.md");
    if std::env::var_os("UPDATE_DOCS").is_some() {
        std::fs::write(&path, &generated).unwrap();
        return;
    }
    let current = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        current == generated,
        "docs/rules.md is stale: run `UPDATE_DOCS=1 cargo test -p litestream-guard --test docs` and commit it"
    );
}

#[test]
fn every_rule_explains_itself() {
    let list = Command::new(env!("CARGO_BIN_EXE_litestream-guard"))
        .arg("rules")
        .output()
        .unwrap();
    let list = String::from_utf8(list.stdout).unwrap();
    assert!(list.lines().count() >= 25, "{list}");
    for line in list.lines() {
        let id = line.split_whitespace().next().unwrap();
        let out = Command::new(env!("CARGO_BIN_EXE_litestream-guard"))
            .args(["explain", id])
            .output()
            .unwrap();
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(out.status.success(), "explain {id}");
        for heading in ["What it checks", "Why it matters", "Bad", "Good", "Fix"] {
            assert!(text.contains(heading), "explain {id} lacks {heading}:\n{text}");
        }
    }
}

#[test]
fn committed_schema_is_current() {
    let out = Command::new(env!("CARGO_BIN_EXE_litestream-guard"))
        .arg("schema")
        .output()
        .unwrap();
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/litestream.schema.json");
    if std::env::var_os("UPDATE_DOCS").is_some() {
        std::fs::write(&path, &out.stdout).unwrap();
        return;
    }
    assert!(
        std::fs::read(&path).unwrap_or_default() == out.stdout,
        "docs/litestream.schema.json is stale: run `UPDATE_DOCS=1 cargo test -p litestream-guard --test docs`"
    );
}

#[test]
fn schema_is_valid_json_and_knows_the_keys() {
    let out = Command::new(env!("CARGO_BIN_EXE_litestream-guard"))
        .arg("schema")
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["additionalProperties"], false);
    let db = &v["properties"]["dbs"]["items"]["properties"];
    assert!(db["path"].is_object() && db["replicas"].is_object() && db["replica"].is_object());
    let replica = &db["replicas"]["items"]["properties"];
    assert!(replica["sync-interval"]["pattern"]
        .as_str()
        .unwrap()
        .contains("ms|s|m|h"));
    assert!(replica["retention"]["description"]
        .as_str()
        .unwrap()
        .contains("no effect on 0.5"));
}

#[test]
fn runner_guide_in_the_skill_is_generated() {
    let out = Command::new(env!("CARGO_BIN_EXE_litestream-guard"))
        .args(["explain", "runners"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../skills/litestream/references/runners.md");
    if std::env::var_os("UPDATE_DOCS").is_some() {
        std::fs::write(&path, &out.stdout).unwrap();
        return;
    }
    assert!(
        std::fs::read(&path).unwrap_or_default() == out.stdout,
        "skills/litestream/references/runners.md is stale: run `UPDATE_DOCS=1 cargo test -p litestream-guard --test docs`"
    );
}
