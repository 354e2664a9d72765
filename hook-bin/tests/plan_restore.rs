//! `plan-restore` on fixtures and real apps: each case in `tests/plans/<name>/` names an app
//! (`app`, relative to tests/), its arguments (`args`, one per line) and the exact output
//! (`expected.out`: exit code, stdout, stderr). `UPDATE_PLANS=1` rewrites the expected files.
//! The old-files folder is fixed (`--aside pre-restore-test`) so that plans are reproducible.
//!
//! Every plan is also checked for what makes it safe on real Kamal: no container command joins
//! commands with `&&`, `;` or `|` outside `sh -c '…'`, and none holds a `$`, `"` or backquote that
//! a shell on the way (local, the host's) would expand.

mod support;

use std::path::Path;

use support::bin::guard;

fn safe_in_kamal(cmd: &str) -> Result<(), String> {
    let Some(start) = cmd.find('"') else { return Ok(()) };
    let inner = &cmd[start + 1..cmd.rfind('"').unwrap_or(cmd.len())];
    if inner.contains(['$', '`', '"']) {
        return Err(format!("`{inner}` holds a character a shell on the way expands"));
    }
    let outside_sh_c = match inner.strip_prefix("sh -c '") {
        Some(rest) if rest.ends_with('\'') && !rest[..rest.len() - 1].contains('\'') => "",
        Some(_) => return Err(format!("`{inner}`: the sh -c script holds a single quote")),
        None => inner,
    };
    for op in ["&&", ";", "|", ">", "<"] {
        if outside_sh_c.contains(op) && !outside_sh_c.contains("'PRAGMA") {
            return Err(format!(
                "`{inner}` has `{op}` outside `sh -c '…'`: the host's shell would run the rest"
            ));
        }
    }
    Ok(())
}

#[test]
fn plans_match_their_expected_output() {
    let tests = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests");
    let dir = tests.join("plans");
    let mut cases: Vec<_> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).collect();
    cases.sort();
    assert!(cases.len() >= 6, "expected at least 6 plan cases");
    let update = std::env::var_os("UPDATE_PLANS").is_some();
    let mut failures = Vec::new();
    for case in cases {
        let app = tests.join(std::fs::read_to_string(case.join("app")).unwrap().trim());
        let mut args: Vec<String> = vec![
            "plan-restore".into(),
            "--app".into(),
            app.display().to_string(),
            "--aside".into(),
            "pre-restore-test".into(),
        ];
        args.extend(
            std::fs::read_to_string(case.join("args"))
                .unwrap_or_default()
                .lines()
                .filter(|l| !l.trim().is_empty())
                .map(|l| l.trim().to_string()),
        );
        let argv: Vec<&str> = args.iter().map(String::as_str).collect();
        let o = guard(&argv).run();
        let got = format!(
            "exit: {}\nstdout:\n{}stderr:\n{}",
            o.code().unwrap_or(-1),
            o.stdout_text(),
            o.stderr_text()
        );
        if o.code() == Some(0) && !argv.contains(&"json") {
            for line in o
                .stdout_text()
                .lines()
                .map(str::trim)
                .filter(|l| l.starts_with("kamal "))
            {
                if let Err(e) = safe_in_kamal(line) {
                    failures.push(format!("{}: unsafe step `{line}`: {e}", case.display()));
                }
            }
        }
        let path = case.join("expected.out");
        if update {
            std::fs::write(&path, &got).unwrap();
        } else if std::fs::read_to_string(&path).unwrap_or_default() != got {
            failures.push(format!(
                "== {}\n-- expected\n{}-- got\n{got}",
                case.display(),
                std::fs::read_to_string(&path).unwrap_or_default()
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} failure(s):\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn the_safety_check_catches_host_side_chains() {
    assert!(safe_in_kamal("kamal app exec --roles web \"mkdir a && mv b c\"").is_err());
    assert!(safe_in_kamal("kamal app exec --roles web \"sh -c 'mkdir a && mv b c'\"").is_ok());
    assert!(safe_in_kamal("kamal app exec \"rm $DB\"").is_err());
    assert!(safe_in_kamal("kamal app exec --primary \"sqlite3 /x 'PRAGMA integrity_check'\"").is_ok());
}
