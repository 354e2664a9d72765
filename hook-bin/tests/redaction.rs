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

// ---------------------------------------------------------------------------------------------
// Planted secrets: every rule's fixture and the guard's corpus, with secrets where the rules
// look. The layer (`redact.rs`) must catch every one, whatever rule quotes it.

mod planted {
    use std::path::{Path, PathBuf};

    use litestream_guard::check::check_project;
    use litestream_guard::diag::Severity;
    use litestream_guard::guard::{self, BashCall};
    use litestream_guard::hook::respond;
    use litestream_guard::project::{Overrides, Project};
    use litestream_guard::redact::Redactor;
    use litestream_guard::render;
    use litestream_guard::rules::Selection;

    const KEY_ID: &str = "AKIAPLANTEDKEY5678WX";
    const SECRET: &str = "Zq8sW2xkP9vLm3NbR7tYc4Hd6Jf1Ga5Ke0Uo2Ii9";
    /// A weak password: found only because the app's secrets file holds it.
    const WEAK: &str = "plover-quagmire-77";
    const ALL: [&str; 3] = [KEY_ID, SECRET, WEAK];

    fn values() -> Vec<String> {
        vec![
            SECRET.to_string(),
            format!("https://{KEY_ID}:{SECRET}@s3.example.com"),
            WEAK.to_string(),
            format!("AWS_SECRET_ACCESS_KEY={SECRET}"),
            format!("s3://{KEY_ID}:{WEAK}@bucket/db"),
            format!("--password={WEAK}"),
            KEY_ID.to_string(),
        ]
    }

    fn assert_clean(what: &str, out: &str) {
        for s in ALL {
            let chars: Vec<char> = s.chars().collect();
            for w in chars.windows(6) {
                let piece: String = w.iter().collect();
                assert!(
                    !out.contains(&piece),
                    "{what}: `{piece}` of a planted secret is shown:\n{out}"
                );
            }
        }
    }

    /// Each variant of a YAML text with one line's value (or key) replaced by a planted value.
    fn yaml_variants(text: &str) -> Vec<String> {
        let vals = values();
        let lines: Vec<&str> = text.lines().collect();
        let mut out = Vec::new();
        for (i, line) in lines.iter().enumerate() {
            let body = line.trim_start();
            if body.is_empty() || body.starts_with('#') {
                continue;
            }
            let indent = &line[..line.len() - body.len()];
            let (dash, rest) = match body.strip_prefix("- ") {
                Some(r) => ("- ", r),
                None => ("", body),
            };
            let v = &vals[i % vals.len()];
            let mut with = |new_line: String| {
                let mut l: Vec<String> = lines.iter().map(|s| s.to_string()).collect();
                l[i] = new_line;
                out.push(l.join("\n") + "\n");
            };
            match rest.split_once(": ") {
                Some((key, value)) => {
                    let value = value.trim();
                    if !value.is_empty() && !value.starts_with(['&', '*', '|', '>']) {
                        with(format!("{indent}{dash}{key}: {v}"));
                    }
                    with(format!(
                        "{indent}{dash}{}: {value}",
                        vals[(i + 3) % vals.len()].replace(": ", "")
                    ));
                }
                None if !dash.is_empty() && !rest.ends_with(':') => with(format!("{indent}- {v}")),
                None => {}
            }
        }
        out
    }

    fn secrets_variants(text: &str) -> Vec<String> {
        let lines: Vec<&str> = text.lines().collect();
        let mut out = Vec::new();
        for (i, line) in lines.iter().enumerate() {
            let Some((key, _)) = line.split_once('=') else { continue };
            if key.trim_start().starts_with('#') {
                continue;
            }
            for v in [SECRET, WEAK, &format!("'{WEAK}'")] {
                let mut l: Vec<String> = lines.iter().map(|s| s.to_string()).collect();
                l[i] = format!("{key}={v}");
                out.push(l.join("\n") + "\n");
            }
        }
        out
    }

    fn files(dir: &Path) -> Vec<PathBuf> {
        let mut out = Vec::new();
        for sub in ["config", ".kamal"] {
            for e in std::fs::read_dir(dir.join(sub)).into_iter().flatten().flatten() {
                out.push(e.path());
            }
        }
        out.sort();
        out
    }

    /// What every output of a checked app shows: check text and JSON, and the hook's answers.
    fn outputs(root: &Path, overrides: &Overrides) -> (String, usize) {
        let c = check_project(Project::load_app(root, "", overrides), None, &Selection::default());
        let errors: Vec<_> = c.findings.iter().filter(|f| f.severity == Severity::Error).collect();
        let notes: Vec<_> = c.findings.iter().filter(|f| f.severity != Severity::Error).collect();
        let mut out = render::text(std::slice::from_ref(&c), render::Style { color: false });
        out.push_str(&render::json(std::slice::from_ref(&c)));
        out.push_str(&respond::post(&c, &errors, &notes));
        if !errors.is_empty() {
            out.push_str(&respond::pre_deny(&c, &errors));
        }
        if !notes.is_empty() {
            out.push_str(&respond::pre_context(&c, &notes));
        }
        (out, c.findings.len())
    }

    #[test]
    fn every_fixture_with_planted_secrets() {
        let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
        let mut dirs: Vec<PathBuf> = std::fs::read_dir(&fixtures)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.is_dir())
            .collect();
        dirs.sort();
        let (mut variants, mut findings) = (0, 0);
        for dir in &dirs {
            let secrets_path = dir.join(".kamal/secrets");
            let known = std::fs::read_to_string(&secrets_path).unwrap_or_default() + &format!("DB_PASSWORD={WEAK}\n");
            for file in files(dir) {
                let Ok(text) = std::fs::read_to_string(&file) else {
                    continue;
                };
                let is_secrets = file.parent().and_then(|p| p.file_name()) == Some(".kamal".as_ref());
                let vs = if is_secrets {
                    secrets_variants(&text)
                } else {
                    yaml_variants(&text)
                };
                for v in vs {
                    let mut o = Overrides::new();
                    o.insert(secrets_path.clone(), known.clone());
                    o.insert(file.clone(), v);
                    let (out, n) = outputs(dir, &o);
                    assert_clean(&format!("{} with a planted value", file.display()), &out);
                    variants += 1;
                    findings += n;
                }
            }
        }
        // The test means something only if it planted widely and the rules spoke.
        assert!(
            variants > 1000 && findings > 5000,
            "{variants} variants, {findings} findings"
        );
    }

    fn corpus_commands() -> Vec<(String, String)> {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus");
        let text = std::fs::read_to_string(dir.join("commands.txt")).unwrap();
        let mut out: Vec<(String, String)> = Vec::new();
        let mut cwd: Option<String> = None;
        for line in text.lines() {
            if let Some(c) = line.strip_prefix("$ ") {
                if let Some(app) = cwd.take() {
                    out.push((app, c.to_string()));
                }
            } else if let Some(more) = line.strip_prefix("> ") {
                if let Some(last) = out.last_mut() {
                    last.1.push('\n');
                    last.1.push_str(more);
                }
            } else if line.starts_with("ask ") || line.starts_with("deny ") {
                cwd = line.split_whitespace().nth(2).map(str::to_string);
            } else {
                cwd = None;
            }
        }
        out
    }

    fn plant_command(c: &str) -> Vec<String> {
        let mut out = vec![
            c.replace("s3://", &format!("s3://{KEY_ID}:{SECRET}@")),
            c.replace(
                "litestream restore",
                &format!("AWS_SECRET_ACCESS_KEY={SECRET} litestream restore"),
            ),
            c.replace("restore ", &format!("restore --password={WEAK} ")),
            c.replace(
                "docker run ",
                &format!("docker run -e LITESTREAM_SECRET_ACCESS_KEY={SECRET} "),
            ),
            c.replace("/rails/storage/", &format!("/rails/storage/{SECRET}/")),
            c.replace("production", KEY_ID),
            format!("{c} # token={SECRET}"),
        ];
        out.retain(|v| v != c);
        out
    }

    #[test]
    fn guard_corpus_with_planted_secrets() {
        let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let work = std::env::temp_dir().join(format!("lg-planted-corpus-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&work);
        let (mut runs, mut spoke) = (0, 0);
        for (app, command) in corpus_commands() {
            let dir = match app.as_str() {
                "shopfront" => std::fs::canonicalize(repo.join("examples/shopfront")).unwrap(),
                name => {
                    let dest = work.join(name);
                    if !dest.exists() {
                        crate::support::files::copy_app(
                            &repo.join("hook-bin/tests/corpus/apps").join(name),
                            &dest,
                            Some(&dest),
                        );
                    }
                    dest
                }
            };
            let root = dir.to_str().unwrap();
            for planted in plant_command(&command.replace("@ROOT@", root)) {
                let call = BashCall {
                    post: false,
                    command: &planted,
                    cwd: Some(&dir),
                    session_id: None,
                    transcript: None,
                    tool_response: None,
                };
                runs += 1;
                if let Some(out) = guard::hook(&call) {
                    spoke += 1;
                    assert_clean(&format!("guard reason for {planted}"), &out);
                }
            }
        }
        let _ = std::fs::remove_dir_all(&work);
        assert!(runs > 500 && spoke > 300, "{runs} runs, {spoke} answers");
    }

    /// The other side: the layer changes nothing in what the tool prints for the fixtures, the
    /// canned hook events and the generated docs, where no secret is (no false positives).
    #[test]
    fn ordinary_output_is_untouched() {
        let base = Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut files: Vec<PathBuf> = Vec::new();
        for d in ["tests/fixtures", "tests/edit-events/cases"] {
            for e in std::fs::read_dir(base.join(d)).unwrap().flatten() {
                files.push(e.path().join("expected.out"));
            }
        }
        for e in std::fs::read_dir(base.join("tests/hook-events")).unwrap().flatten() {
            if e.path().extension().is_some_and(|x| x == "out") {
                files.push(e.path());
            }
        }
        files.extend(
            ["docs/rules.md", "docs/strictness.md", "docs/guard.md", "docs/init.md"].map(|d| base.join("..").join(d)),
        );
        let red = Redactor::patterns();
        let mut read = 0;
        for f in files {
            let Ok(text) = std::fs::read_to_string(&f) else {
                continue;
            };
            read += 1;
            // Examples of bad configs in the docs show truncated fake keys on purpose.
            for line in text
                .lines()
                .filter(|l| !l.contains("AKIA…") && !l.contains("wJalr…") && !l.contains("pa$1word"))
            {
                assert_eq!(red.redact(line), line, "{}: a false positive", f.display());
            }
        }
        assert!(read > 60, "only {read} files read");
    }
}
