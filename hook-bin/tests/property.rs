//! Property tests with fixed seeds and a bounded number of cases (`PROPTEST_CASES=N` runs
//! more): generated hook events, generated YAML for the four config files, and generated `init`
//! inputs. For every case: no panic, only the documented exit codes (the hook always 0), time
//! and memory within bounds (checked by the harness), and no planted secret in any output.

mod support;

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::json;
use support::bin::{guard, hook_time_bound, Run, HOOK_MEMORY_MIB};
use support::files::copy_dir;
use support::gen::{self, assert_no_planted_from, cases, File, Rng};
use support::real::{repo_root, TempDir};

fn text_of(r: &Run) -> String {
    format!("{}{}", r.stdout_text(), r.stderr_text())
}

/// A generated text for a file, sometimes damaged at the byte level.
fn content(rng: &mut Rng, file: File) -> String {
    let t = match file {
        File::Secrets => gen::dotenv(rng),
        f => gen::yaml(rng, f),
    };
    if rng.chance(30) {
        gen::mutate(rng, &t)
    } else {
        t
    }
}

/// The app every generated case starts from: a clean Kamal + Litestream 0.5 setup whose secrets
/// file holds the weak planted password (so that the layer knows it).
fn base_app(label: &str) -> TempDir {
    let tmp = TempDir::new(label);
    copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/ok-kamal-v05"),
        tmp.path(),
    );
    let _ = fs::remove_file(tmp.join("expected.out"));
    let s = tmp.join(".kamal/secrets");
    let mut t = fs::read_to_string(&s).unwrap();
    t.push_str(&format!("DB_PASSWORD={}\n", gen::WEAK));
    fs::write(&s, t).unwrap();
    tmp
}

#[test]
fn generated_config_files_check_cleanly() {
    let mut rng = Rng::new(0x11C0_FFEE);
    let tmp = base_app("prop-check");
    let app = tmp.path();
    let originals: BTreeMap<File, String> = File::ALL
        .iter()
        .map(|f| (*f, fs::read_to_string(app.join(f.rel())).unwrap()))
        .collect();
    for case in 0..cases(120) {
        // One or two of the four files replaced by generated text; the rest as they were.
        for f in File::ALL {
            fs::write(app.join(f.rel()), &originals[&f]).unwrap();
        }
        let n = 1 + rng.below(2);
        let mut shown = Vec::new();
        for _ in 0..n {
            let f = *rng.pick(&File::ALL);
            let mut text = content(&mut rng, f);
            if f == File::Secrets {
                text.push_str(&format!("DB_PASSWORD={}\n", gen::WEAK));
            }
            fs::write(app.join(f.rel()), &text).unwrap();
            shown.push(format!("--- {}\n{text}", f.rel()));
        }
        for format in ["text", "json"] {
            let r = guard(&["check", "--format", format, "."]).cwd(app).run();
            let what = format!("case {case} (check --format {format}):\n{}", shown.join("\n"));
            r.assert_bounded(&what, hook_time_bound(), HOOK_MEMORY_MIB);
            assert!(
                matches!(r.code(), Some(0) | Some(1)),
                "{what}\nexit {:?}: {}",
                r.code(),
                text_of(&r)
            );
            assert!(r.stderr.is_empty(), "{what}\nstderr: {}", r.stderr_text());
            assert_no_planted_from(&what, &shown.join("\n"), &r.stdout_text());
            if format == "json" {
                let v: serde_json::Value = serde_json::from_slice(&r.stdout).expect("check --format json is JSON");
                assert!(v["findings"].is_array(), "{what}");
            }
        }
    }
}

/// Paths a hook event may name: the app's own files, files it does not own, and odd ones.
fn path(rng: &mut Rng, app: &Path) -> serde_json::Value {
    let owned = [
        "config/litestream.yml",
        "config/deploy.yml",
        "config/deploy.staging.yml",
        "config/database.yml",
        ".kamal/secrets",
        ".kamal/secrets.staging",
        "config/litestream-guard.yml",
    ];
    match rng.below(10) {
        0 => json!(app.join("app/models/user.rb")),
        1 => json!("config/litestream.yml"),
        2 => json!(""),
        3 => json!(7),
        4 => json!(app.join("config/fifo.yml")),
        5 => json!("/dev/zero"),
        _ => json!(app.join(rng.pick(&owned))),
    }
}

fn event(rng: &mut Rng, app: &Path) -> Vec<u8> {
    let name = *rng.pick(&[
        "PreToolUse",
        "PreToolUse",
        "PostToolUse",
        "SessionStart",
        "PermissionRequest",
        "",
    ]);
    let tool = *rng.pick(&["Write", "Edit", "MultiEdit", "Bash", "Read", "NotebookEdit"]);
    let file = *rng.pick(&File::ALL);
    let input = match tool {
        "Write" => json!({"file_path": path(rng, app), "content": content(rng, file)}),
        "Edit" => {
            let on_disk = fs::read_to_string(app.join(file.rel())).unwrap_or_default();
            let old: String = if on_disk.is_empty() || rng.chance(20) {
                "nothing like this".into()
            } else {
                let at = rng.below(on_disk.len());
                on_disk
                    .chars()
                    .skip(at % on_disk.chars().count().max(1))
                    .take(1 + rng.below(30))
                    .collect()
            };
            json!({"file_path": app.join(file.rel()), "old_string": old, "new_string": gen::scalar(rng),
                   "replace_all": rng.chance(40)})
        }
        "MultiEdit" => {
            let steps: Vec<serde_json::Value> = (0..1 + rng.below(12))
                .map(|_| {
                    json!({"old_string": *rng.pick(&["s", "a", ": ", "\n", "5s"]),
                                "new_string": gen::scalar(rng), "replace_all": rng.chance(70)})
                })
                .collect();
            json!({"file_path": app.join(file.rel()), "edits": steps})
        }
        "Bash" => {
            let commands = [
                format!("litestream restore -o /rails/storage/production.sqlite3 s3://{}:{}@b/db", gen::KEY_ID, gen::SECRET),
                format!("kamal app exec \"litestream restore --password={} /rails/storage/production.sqlite3\"", gen::WEAK),
                format!("docker run -e AWS_SECRET_ACCESS_KEY={} litestream/litestream restore -o /rails/storage/production.sqlite3 s3://b/db", gen::SECRET),
                "rm /rails/storage/production.sqlite3-wal".to_string(),
                "git status".to_string(),
                gen::mutate(rng, "kamal accessory exec litestream \"restore /rails/storage/production.sqlite3\""),
            ];
            json!({"command": rng.pick(&commands)})
        }
        _ => json!({"file_path": path(rng, app)}),
    };
    let mut ev = json!({"session_id": "prop", "cwd": app, "hook_event_name": name, "tool_name": tool,
                        "tool_input": input, "transcript_path": "/nonexistent.jsonl"});
    if name == "PostToolUse" {
        ev["tool_response"] = json!({"success": true, "stdout": "", "interrupted": false});
    }
    let mut bytes = ev.to_string().into_bytes();
    if rng.chance(10) {
        bytes = gen::mutate(rng, &String::from_utf8_lossy(&bytes)).into_bytes();
    }
    bytes
}

#[test]
fn generated_hook_events_get_bounded_answers() {
    let mut rng = Rng::new(0x4B00_C0DE);
    let tmp = base_app("prop-hook");
    let app = tmp.path();
    let plugin_data = TempDir::new("prop-hook-data");
    // A FIFO among the config files: reading it must never block.
    let fifo = std::ffi::CString::new(app.join("config/fifo.yml").to_str().unwrap()).unwrap();
    // SAFETY: a valid C string.
    assert_eq!(unsafe { libc::mkfifo(fifo.as_ptr(), 0o644) }, 0);
    for case in 0..cases(150) {
        let stdin = event(&mut rng, app);
        let r = guard(&["hook"])
            .env("CLAUDE_PLUGIN_DATA", plugin_data.path())
            .stdin(stdin.clone())
            .run();
        let what = format!(
            "case {case}: {}",
            String::from_utf8_lossy(&stdin).chars().take(3000).collect::<String>()
        );
        r.assert_bounded(&what, hook_time_bound(), HOOK_MEMORY_MIB);
        assert_eq!(r.code(), Some(0), "{what}\n{}", text_of(&r));
        // The checker sees the file after the edit: a later step may cut a planted secret apart.
        let input = format!("{}{}", String::from_utf8_lossy(&stdin), after_edit(&stdin));
        assert_no_planted_from(&what, &input, &text_of(&r));
        if !r.stdout.is_empty() {
            let v: serde_json::Value = serde_json::from_slice(&r.stdout).expect("hook stdout is JSON");
            assert!(v.is_object(), "{what}");
            let s = v.to_string();
            assert!(!s.contains("\\u001b"), "{what}: a raw escape sequence in {s}");
        }
    }
}

/// The file an Edit or MultiEdit event leaves (replacements in order), or "".
fn after_edit(event: &[u8]) -> String {
    let Ok(v) = serde_json::from_slice::<serde_json::Value>(event) else {
        return String::new();
    };
    let input = &v["tool_input"];
    // Only regular files: the app holds a FIFO, which would block this test.
    let file = input["file_path"]
        .as_str()
        .filter(|p| fs::symlink_metadata(p).is_ok_and(|m| m.is_file()));
    let Some(mut text) = file.and_then(|p| fs::read_to_string(p).ok()) else {
        return String::new();
    };
    let steps: Vec<&serde_json::Value> = match input["edits"].as_array() {
        Some(a) => a.iter().collect(),
        None => vec![input],
    };
    for st in steps {
        let (Some(old), Some(new)) = (st["old_string"].as_str(), st["new_string"].as_str()) else {
            continue;
        };
        // The hook refuses results over its limit; so does this simulation.
        let n = if st["replace_all"].as_bool() == Some(true) {
            text.matches(old).count()
        } else {
            1
        };
        if old.is_empty() || text.len() + n * new.len() > 2 << 20 {
            break;
        }
        text = if st["replace_all"].as_bool() == Some(true) {
            text.replace(old, new)
        } else {
            text.replacen(old, new, 1)
        };
    }
    text
}

fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in fs::read_dir(&d).into_iter().flatten().flatten() {
            let p = e.path();
            if e.file_type().unwrap().is_dir() {
                stack.push(p);
            } else {
                out.insert(
                    p.strip_prefix(dir).unwrap().to_path_buf(),
                    fs::read(&p).unwrap_or_default(),
                );
            }
        }
    }
    out
}

#[test]
fn generated_init_inputs_exit_2_or_write_everything() {
    let mut rng = Rng::new(0x1417_0001);
    let providers = [
        "hetzner",
        "b2",
        "digitalocean",
        "aws",
        "r2",
        "minio",
        "custom",
        "gcs",
        "",
    ];
    let buckets = [
        "fresh-backups",
        "Bad_Bucket",
        "a",
        "x".repeat(70).leak() as &str,
        "fresh..b",
        gen::SECRET,
    ];
    let endpoints = [
        "https://minio.internal:9000".to_string(),
        format!("https://{}:{}@s3.example.com", gen::KEY_ID, gen::SECRET),
        format!("https://s3.example.com/?token={}", gen::SECRET),
        "ftp://x".to_string(),
        "not a url".to_string(),
    ];
    for case in 0..cases(40) {
        let tmp = TempDir::new("prop-init");
        let app = tmp.path();
        copy_dir(&repo_root().join("examples/fresh"), app);
        if rng.chance(50) {
            let f = *rng.pick(&[File::Deploy, File::Database, File::Secrets]);
            let t = fs::read_to_string(app.join(f.rel())).unwrap();
            let new = match f {
                File::Secrets => format!("{t}{}", gen::dotenv(&mut rng)),
                _ => gen::mutate(&mut rng, &t),
            };
            fs::write(app.join(f.rel()), new).unwrap();
        }
        let mut args: Vec<String> = vec![
            "--provider".into(),
            rng.pick(&providers).to_string(),
            "--bucket".into(),
            rng.pick(&buckets).to_string(),
        ];
        if rng.chance(60) {
            args.extend(["--endpoint".into(), rng.pick(&endpoints).clone()]);
        }
        if rng.chance(50) {
            args.extend([
                "--region".into(),
                rng.pick(&["fsn1", "us-west-004", "eu-west-1", "", "x y"]).to_string(),
            ]);
        }
        if rng.chance(20) {
            args.extend([
                "--litestream".into(),
                rng.pick(&["0.3", "0.5", "0.5.1", "1"]).to_string(),
            ]);
        }
        if rng.chance(20) {
            args.extend([
                "--path-prefix".into(),
                rng.pick(&["apps/fresh", "/abs", "../up", "a b"]).to_string(),
            ]);
        }
        let dry = rng.chance(40);
        if dry {
            args.push("--dry-run".into());
        }
        let before = snapshot(app);
        let mut all: Vec<&str> = vec!["init", app.to_str().unwrap()];
        all.extend(args.iter().map(String::as_str));
        let r = guard(&all).run();
        let what = format!("case {case}: init {}", args.join(" "));
        r.assert_bounded(&what, Duration::from_secs(10), HOOK_MEMORY_MIB);
        let inputs: String = before
            .values()
            .map(|b| String::from_utf8_lossy(b).into_owned())
            .collect();
        assert_no_planted_from(&what, &inputs, &text_of(&r));
        let after = snapshot(app);
        match r.code() {
            Some(2) => assert!(after == before, "{what}: refused, but files changed\n{}", text_of(&r)),
            Some(0) if dry => assert!(after == before, "{what}: --dry-run changed files"),
            Some(0) => {
                assert!(
                    after.contains_key(Path::new("config/litestream.yml")),
                    "{what}: {}",
                    text_of(&r)
                );
                let leftovers: Vec<_> = after
                    .keys()
                    .filter(|p| p.to_string_lossy().contains("litestream-guard-"))
                    .collect();
                assert!(leftovers.is_empty(), "{what}: left {leftovers:?}");
            }
            other => panic!("{what}: exit {other:?}\n{}", text_of(&r)),
        }
    }
}
