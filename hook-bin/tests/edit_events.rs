//! Canned Claude Code hook events for config edits, with the exact output expected.
//!
//! Each case in `tests/edit-events/cases/<name>/` has `event.json` (with `$APP` standing for the
//! app's absolute path) and `expected.out` (exit code, stdout, stderr; `$APP` again). The app is a
//! fresh copy of `tests/edit-events/apps/clean` (or of the app a case's `app` file names, relative
//! to `tests/`, e.g. a real app of the corpus); a case's `litestream.yml.after` replaces the
//! app's config/litestream.yml first (the file as an earlier edit left it).
//! `UPDATE_EDIT_EVENTS=1 cargo test --test edit_events` rewrites the expected files.

mod support;

use std::path::{Path, PathBuf};

use support::bin::guard;

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let dest = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &dest);
        } else {
            std::fs::copy(e.path(), dest).unwrap();
        }
    }
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("lg-edit-events-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

fn run_case(case: &Path) -> String {
    // A case's `app` file names another app under tests/ (e.g. a real app of the corpus).
    let tests = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests");
    let base = match std::fs::read_to_string(case.join("app")) {
        Ok(rel) => tests.join(rel.trim()),
        Err(_) => tests.join("edit-events/apps/clean"),
    };
    let app = scratch(case.file_name().unwrap().to_str().unwrap());
    copy_dir(&base, &app);
    if let Ok(after) = std::fs::read(case.join("litestream.yml.after")) {
        std::fs::write(app.join("config/litestream.yml"), after).unwrap();
    }
    let raw = std::fs::read(case.join("event.json")).unwrap();
    let app_s = app.to_str().unwrap();
    let event = match String::from_utf8(raw.clone()) {
        Ok(s) => s.replace("$APP", app_s).into_bytes(),
        Err(_) => raw,
    };
    let out = guard(&["hook"]).stdin(event).run();
    let _ = std::fs::remove_dir_all(&app);
    let show = |b: &[u8]| String::from_utf8_lossy(b).replace(app_s, "$APP");
    format!(
        "exit: {}\nstdout:\n{}\nstderr:\n{}\n",
        out.status.code().unwrap_or(-1),
        show(&out.stdout),
        show(&out.stderr)
    )
}

#[test]
fn edit_events_give_exact_answers() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/edit-events/cases");
    let mut cases: Vec<PathBuf> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).collect();
    cases.sort();
    assert!(cases.len() >= 10, "expected at least 10 canned edit events");
    let update = std::env::var_os("UPDATE_EDIT_EVENTS").is_some();
    let mut failures = Vec::new();
    for case in cases {
        let got = run_case(&case);
        // Whatever the event, the hook exits 0: exit 2 would deny the tool call.
        assert!(got.starts_with("exit: 0\n"), "{}: {got}", case.display());
        assert!(
            !got.contains("SECRETzz"),
            "{}: a secret value was echoed: {got}",
            case.display()
        );
        let expected_path = case.join("expected.out");
        if update {
            std::fs::write(&expected_path, &got).unwrap();
        } else if std::fs::read_to_string(&expected_path).unwrap_or_default() != got {
            failures.push(format!(
                "== {}\n-- expected\n{}-- got\n{got}",
                case.display(),
                std::fs::read_to_string(&expected_path).unwrap_or_default()
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} case(s) differ:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
