//! One fixture per rule: `tests/fixtures/<ID>-<what>/` holds an app tree (or single files) and
//! `expected.out`, the exact text `litestream-guard check` prints for it. An optional `args` file
//! adds arguments (one per line). `UPDATE_FIXTURES=1 cargo test --test fixtures` rewrites the
//! expected files; review the diff before committing.

use std::path::{Path, PathBuf};
use std::process::Command;

fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

fn fixture_dirs() -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(fixtures_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    dirs
}

fn run(dir: &Path) -> (String, i32) {
    let mut args: Vec<String> = vec!["check".into()];
    if let Ok(extra) = std::fs::read_to_string(dir.join("args")) {
        args.extend(
            extra
                .lines()
                .filter(|l| !l.trim().is_empty())
                .map(|l| l.trim().to_string()),
        );
    }
    // A fixture named after a rule runs that rule alone (as ruff does), so its expected output
    // shows exactly what the rule reports; `ok-*` and other fixtures run every rule.
    let name = dir.file_name().unwrap().to_str().unwrap();
    let id = name.split('-').next().unwrap();
    if id.len() == 4 && id.chars().skip(1).all(|c| c.is_ascii_digit()) && !args.iter().any(|a| a == "--all") {
        args.push(format!("--select={id}"));
    }
    args.retain(|a| a != "--all");
    if !args
        .iter()
        .skip(1)
        .any(|a| !a.starts_with("--") && !a.starts_with("0."))
    {
        args.push(".".into());
    }
    let out = Command::new(env!("CARGO_BIN_EXE_litestream-guard"))
        .args(&args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert!(
        out.stderr.is_empty(),
        "{}: stderr: {}",
        dir.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    (String::from_utf8(out.stdout).unwrap(), out.status.code().unwrap())
}

#[test]
fn every_fixture_matches_its_expected_output() {
    let update = std::env::var_os("UPDATE_FIXTURES").is_some();
    let mut failures = Vec::new();
    for dir in fixture_dirs() {
        let (got, code) = run(&dir);
        let got = format!("{got}exit: {code}\n");
        let expected_path = dir.join("expected.out");
        if update {
            std::fs::write(&expected_path, &got).unwrap();
            continue;
        }
        let expected = std::fs::read_to_string(&expected_path).unwrap_or_default();
        if got != expected {
            failures.push(format!("== {}\n-- expected\n{expected}-- got\n{got}", dir.display()));
        }
    }
    assert!(
        failures.is_empty(),
        "{} fixture(s) differ:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// Every config rule has a fixture named after its ID, and that fixture really triggers it.
#[test]
fn every_rule_has_a_fixture_that_triggers_it() {
    let out = Command::new(env!("CARGO_BIN_EXE_litestream-guard"))
        .arg("rules")
        .output()
        .unwrap();
    let listing = String::from_utf8(out.stdout).unwrap();
    let dirs = fixture_dirs();
    let mut missing = Vec::new();
    for line in listing.lines() {
        let id = line.split_whitespace().next().unwrap();
        if id.starts_with('G') {
            continue; // Bash guard rules are covered by the command corpus.
        }
        let tag = format!("[{id}]");
        let hit = dirs
            .iter()
            .filter(|d| d.file_name().unwrap().to_str().unwrap().starts_with(&format!("{id}-")))
            .any(|d| std::fs::read_to_string(d.join("expected.out")).is_ok_and(|e| e.contains(&tag)));
        if !hit {
            missing.push(id.to_string());
        }
    }
    assert!(missing.is_empty(), "rules without a triggering fixture: {missing:?}");
}

/// The clean fixture must stay clean: a check that flags everything would pass the tests above.
#[test]
fn clean_fixtures_have_no_findings() {
    let clean: Vec<PathBuf> = fixture_dirs()
        .into_iter()
        .filter(|d| d.file_name().unwrap().to_str().unwrap().starts_with("ok-"))
        .collect();
    // Without clean fixtures this test would pass by checking nothing.
    assert!(
        clean.len() >= 4,
        "expected the ok-* fixtures (0.3 and 0.5, litestream.yml alone and whole apps)"
    );
    for dir in clean {
        let (got, code) = run(&dir);
        assert_eq!(code, 0, "{}: {got}", dir.display());
        assert!(got.ends_with("no problems found\n"), "{}: {got}", dir.display());
    }
}
