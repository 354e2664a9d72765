//! Regression tests for what probing the binary with hostile and unusual input found (issue
//! #11). Each test reproduces one finding: a secret echoed, a hang or blow-up, a limit that did
//! not hold, a file lost. Every run is bounded in time and memory by the harness
//! (`support::bin`), so a hang or a blow-up fails the test instead of stalling the suite.

mod support;

use std::fs;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::json;
use support::bin::{guard, hook_time_bound, Run, HOOK_MEMORY_MIB};
use support::files::copy_dir;
use support::real::{repo_root, TempDir};

/// Planted values: an AWS-shaped key pair and a weak password with no telling shape.
const KEY_ID: &str = "AKIAPROBEKEY1234ABCD";
const SECRET: &str = "Zq8sW2xkP9vLm3NbR7tYc4Hd6Jf1Ga5Ke0Uo2Ii9";
const WEAK: &str = "plover-quagmire-77";

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name)
}

/// A copy of a fixture app (without its expected output) in a temporary folder.
fn app(name: &str, label: &str) -> TempDir {
    let tmp = TempDir::new(label);
    copy_dir(&fixture(name), tmp.path());
    let _ = fs::remove_file(tmp.join("expected.out"));
    let _ = fs::remove_file(tmp.join("args"));
    tmp
}

fn edit_file(path: &Path, from: &str, to: &str) {
    let t = fs::read_to_string(path).unwrap();
    assert!(t.contains(from), "{} lacks {from:?}", path.display());
    fs::write(path, t.replace(from, to)).unwrap();
}

fn all_output(r: &Run) -> String {
    format!("{}{}", r.stdout_text(), r.stderr_text())
}

/// Neither a planted value nor any six-character piece of it appears.
fn assert_no_secret(what: &str, out: &str, secrets: &[&str]) {
    for s in secrets {
        let chars: Vec<char> = s.chars().collect();
        for w in chars.windows(6) {
            let piece: String = w.iter().collect();
            assert!(!out.contains(&piece), "{what} shows `{piece}` of a secret:\n{out}");
        }
    }
}

fn check(dir: &Path, format: &str) -> Run {
    guard(&["check", "--format", format, "."]).cwd(dir).run()
}

/// `hook` with one event; it must exit 0 within the hook's bounds.
fn hook(what: &str, event: serde_json::Value) -> Run {
    let r = guard(&["hook"]).stdin(event.to_string()).run();
    assert_eq!(r.code(), Some(0), "{what}: the hook must exit 0:\n{}", all_output(&r));
    r.assert_bounded(what, hook_time_bound(), HOOK_MEMORY_MIB);
    r
}

fn pre_write(app: &Path, rel: &str, content: &str) -> serde_json::Value {
    json!({"session_id": "s", "cwd": app, "hook_event_name": "PreToolUse", "tool_name": "Write",
           "tool_input": {"file_path": app.join(rel), "content": content}})
}

fn pre_edit(app: &Path, rel: &str, old: &str, new: &str, all: bool) -> serde_json::Value {
    json!({"session_id": "s", "cwd": app, "hook_event_name": "PreToolUse", "tool_name": "Edit",
           "tool_input": {"file_path": app.join(rel), "old_string": old, "new_string": new, "replace_all": all}})
}

fn bash(app: &Path, event: &str, command: &str) -> serde_json::Value {
    json!({"session_id": "s", "cwd": app, "hook_event_name": event, "tool_name": "Bash",
           "tool_input": {"command": command}})
}

/// `check` (text and JSON) and a PreToolUse Write of `rel` with its current text show no secret,
/// and each reports at least one finding (a test that sees no output proves nothing).
fn no_echo_anywhere(what: &str, dir: &Path, rel: &str, secrets: &[&str]) {
    for format in ["text", "json"] {
        let r = check(dir, format);
        let out = all_output(&r);
        assert_ne!(r.code(), Some(2), "{what}: check could not run:\n{out}");
        assert!(!out.contains("no problems found"), "{what}: nothing reported:\n{out}");
        assert_no_secret(&format!("{what}: check --format {format}"), &out, secrets);
    }
    let text = fs::read_to_string(dir.join(rel)).unwrap();
    let r = hook(what, pre_write(dir, rel, &text));
    assert_no_secret(&format!("{what}: hook"), &all_output(&r), secrets);
    // PostToolUse of the same file reports everything it finds.
    let mut post = pre_write(dir, rel, &text);
    post["hook_event_name"] = json!("PostToolUse");
    let r = hook(what, post);
    assert!(!r.stdout.is_empty(), "{what}: PostToolUse reported nothing");
    assert_no_secret(&format!("{what}: PostToolUse"), &all_output(&r), secrets);
}

// ---------------------------------------------------------------------------------------------
// Secrets echoed in full

#[test]
fn credentials_in_an_endpoint_url_are_not_printed() {
    let a = app("ok-kamal-v05", "endpoint-creds");
    edit_file(
        &a.join("config/litestream.yml"),
        "      region: eu-central-1\n      sync-interval: 5s",
        &format!("      endpoint: https://{KEY_ID}:{SECRET}@s3.example.com\n      region: eu-central-1\n      sync-interval: 5s"),
    );
    no_echo_anywhere(
        "endpoint with userinfo",
        a.path(),
        "config/litestream.yml",
        &[KEY_ID, SECRET],
    );
    // The same URL where Litestream 0.3 reads a replica `url:` (rules about URLs quote it).
    let b = app("ok-litestream-v03", "url-creds");
    let ls = b.join("config/litestream.yml");
    let t = fs::read_to_string(&ls).unwrap();
    let replica = "      - type: s3\n        bucket: shopfront-backups\n        path: production\n";
    assert!(t.contains(replica));
    let url = format!("      - url: s3://{KEY_ID}:{SECRET}@shopfront-backups/production\n");
    fs::write(&ls, t.replacen(replica, &url, 1)).unwrap();
    no_echo_anywhere(
        "replica url with userinfo",
        b.path(),
        "config/litestream.yml",
        &[KEY_ID, SECRET],
    );
}

/// One line of a clean app changed to carry secrets; (label, file, line, its replacement, secrets).
#[test]
fn secrets_planted_by_the_probe_are_not_printed() {
    let cases: [(&str, &str, &str, String, &[&str]); 2] = [
        (
            "a secret pasted into env.secret, where a name belongs",
            "config/deploy.yml",
            "        - LITESTREAM_SECRET_ACCESS_KEY",
            format!("        - {SECRET}\n        - {WEAK}"),
            &[SECRET, WEAK],
        ),
        (
            "the accessory's cmd with URL credentials",
            "config/deploy.yml",
            "    cmd: replicate",
            format!("    cmd: litestream replicate s3://{KEY_ID}:{WEAK}@bucket/db"),
            &[KEY_ID, WEAK],
        ),
    ];
    for (label, rel, from, to, secrets) in cases {
        let a = app("ok-kamal-v05", "planted-line");
        edit_file(&a.join(rel), from, &to);
        no_echo_anywhere(label, a.path(), rel, secrets);
    }
}

#[test]
fn dotenv_text_in_litestream_yml_is_not_quoted() {
    let a = app("ok-kamal-v05", "dotenv");
    fs::write(
        a.join("config/litestream.yml"),
        format!("AWS_SECRET_ACCESS_KEY={SECRET}\nAWS_ACCESS_KEY_ID={KEY_ID}\n"),
    )
    .unwrap();
    no_echo_anywhere(
        "dotenv as litestream.yml",
        a.path(),
        "config/litestream.yml",
        &[SECRET, KEY_ID],
    );
}

#[test]
fn secrets_pasted_into_other_keys_are_not_printed() {
    let a = app("ok-kamal-v05", "other-keys");
    let ls = a.join("config/litestream.yml");
    edit_file(
        &ls,
        "      sync-interval: 5s",
        &format!("      sync-interval: {SECRET}"),
    );
    edit_file(
        &ls,
        "      path: production_cache",
        &format!("      path: {WEAK}\n      {KEY_ID}: x"),
    );
    edit_file(&ls, "  retention: 720h", &format!("  retention: \"{SECRET}\""));
    // The weak one is found because the secrets file holds it.
    let secrets = a.join(".kamal/secrets");
    let mut s = fs::read_to_string(&secrets).unwrap();
    s.push_str(&format!("DB_PASSWORD={WEAK}\n"));
    fs::write(&secrets, s).unwrap();
    no_echo_anywhere(
        "durations, paths, unknown keys",
        a.path(),
        "config/litestream.yml",
        &[SECRET, WEAK, KEY_ID],
    );
}

#[test]
fn links_out_of_the_app_are_not_followed() {
    let a = app("ok-kamal-v05", "link-out");
    let outside = TempDir::new("outside-creds");
    let creds = outside.join("credentials.yml");
    fs::write(
        &creds,
        format!("aws_access_key_id: {KEY_ID}\naws_secret_access_key: {WEAK}\n"),
    )
    .unwrap();
    let ls = a.join("config/litestream.yml");
    fs::remove_file(&ls).unwrap();
    std::os::unix::fs::symlink(&creds, &ls).unwrap();
    let r = check(a.path(), "text");
    let out = all_output(&r);
    assert!(out.contains("error[Y002]") && out.contains("outside the app"), "{out}");
    assert!(!out.contains("aws_access_key_id"), "quotes the linked file:\n{out}");
    assert_no_secret("link to a credentials file", &out, &[KEY_ID, WEAK]);
    // The hook reads the app the same way.
    let r = hook(
        "link out, hook",
        pre_edit(
            a.path(),
            "config/deploy.yml",
            "cmd: replicate",
            "cmd: replicate ",
            false,
        ),
    );
    assert_no_secret("link out, hook", &all_output(&r), &[KEY_ID, WEAK]);
    assert!(!all_output(&r).contains("aws_access_key_id"));

    // As root the probe read /etc/shadow back line by line as "unknown key" messages.
    if let Ok(shadow) = fs::read_to_string("/etc/shadow") {
        fs::remove_file(&ls).unwrap();
        std::os::unix::fs::symlink("/etc/shadow", &ls).unwrap();
        let out = all_output(&check(a.path(), "text"));
        for line in shadow.lines().filter(|l| l.len() >= 6) {
            assert!(!out.contains(line), "quotes /etc/shadow:\n{out}");
            let user = line.split(':').next().unwrap();
            assert!(!out.contains(&format!("`{user}:")), "quotes /etc/shadow:\n{out}");
        }
        assert!(out.contains("outside the app"), "{out}");
    }
}

#[test]
fn guard_reasons_do_not_quote_credentials() {
    let shop = repo_root().join("examples/shopfront");
    let cases = [
        format!("litestream restore -o /rails/storage/production.sqlite3 s3://{KEY_ID}:{SECRET}@bucket/db"),
        format!("kamal app exec \"litestream restore -o /rails/storage/production.sqlite3 --password={WEAK} s3://bucket/db\""),
        format!(
            "kamal app exec \"AWS_SECRET_ACCESS_KEY={SECRET} litestream restore -o /rails/storage/production.sqlite3 s3://bucket/db\""
        ),
        format!(
            "docker run -e LITESTREAM_SECRET_ACCESS_KEY={SECRET} -v shopfront_storage:/rails/storage litestream/litestream restore -o /rails/storage/production.sqlite3 s3://{KEY_ID}:{SECRET}@b/db"
        ),
        // G011 quotes the host command after the first one (an ask).
        format!("kamal app exec \"ls /rails/storage && curl -u admin:{WEAK} https://backup.example/upload\""),
    ];
    for command in &cases {
        let r = guard(&["guard", "--cwd", shop.to_str().unwrap(), "--", command]).run();
        let out = all_output(&r);
        assert!(matches!(r.code(), Some(1) | Some(3)), "not refused: {command}\n{out}");
        assert_no_secret(&format!("guard {command}"), &out, &[KEY_ID, SECRET, WEAK]);
        let r = hook("guard hook", bash(&shop, "PreToolUse", command));
        assert!(
            r.stdout_text().contains("permissionDecision"),
            "{command}: {}",
            all_output(&r)
        );
        assert_no_secret(&format!("hook {command}"), &all_output(&r), &[KEY_ID, SECRET, WEAK]);
    }
}

fn fresh(label: &str) -> TempDir {
    let tmp = TempDir::new(label);
    copy_dir(&repo_root().join("examples/fresh"), tmp.path());
    tmp
}

fn init(app: &Path, args: &[&str]) -> Run {
    let mut all = vec!["init", app.to_str().unwrap()];
    all.extend_from_slice(args);
    guard(&all).run()
}

#[test]
fn init_errors_do_not_repeat_endpoint_credentials() {
    let a = fresh("init-endpoint");
    let endpoint = format!("https://{KEY_ID}:{SECRET}@s3.example.com");
    for bad in [
        endpoint.clone(),
        format!("{endpoint}/path"),
        format!("ftp://{KEY_ID}:{SECRET}@x"),
    ] {
        let r = init(
            a.path(),
            &[
                "--provider",
                "custom",
                "--endpoint",
                &bad,
                "--region",
                "x",
                "--bucket",
                "b-1",
            ],
        );
        let out = all_output(&r);
        assert_eq!(r.code(), Some(2), "{out}");
        assert!(out.contains("--endpoint"), "{out}");
        assert_no_secret("init --endpoint", &out, &[KEY_ID, SECRET]);
    }
}

#[test]
fn usage_errors_do_not_echo_a_pasted_secret() {
    let url = format!("s3://{KEY_ID}:{SECRET}@bucket");
    for args in [
        vec!["check", "--format", url.as_str()],
        vec!["check", "--litestream-version", SECRET],
        vec!["explain", "L007", SECRET],
    ] {
        let r = guard(&args).run();
        assert_eq!(r.code(), Some(2), "{args:?}: {}", all_output(&r));
        assert!(r.stderr_text().contains("error:"), "{args:?}: {}", all_output(&r));
        assert_no_secret(&format!("{args:?}"), &all_output(&r), &[KEY_ID, SECRET]);
    }
}

#[test]
fn init_dry_run_diff_hides_literal_secrets() {
    let a = fresh("init-diff");
    let secrets = a.join(".kamal/secrets");
    let mut s = fs::read_to_string(&secrets).unwrap();
    s.push_str(&format!("AWS_SECRET_ACCESS_KEY={SECRET}\nDB_PASSWORD='{WEAK}'\n"));
    fs::write(&secrets, s).unwrap();
    let r = init(
        a.path(),
        &["--provider", "hetzner", "--bucket", "fresh-backups", "--dry-run"],
    );
    let out = all_output(&r);
    assert_eq!(r.code(), Some(0), "{out}");
    assert!(r.stdout_text().contains("+++ b/.kamal/secrets"), "{out}");
    assert_no_secret("init --dry-run", &out, &[SECRET, WEAK]);
    assert!(r.stderr_text().contains("the diff hides secret values"), "{out}");
}

// ---------------------------------------------------------------------------------------------
// Hangs and blow-ups

fn mkfifo(path: &Path) {
    let _ = fs::remove_file(path);
    let c = std::ffi::CString::new(path.to_str().unwrap()).unwrap();
    // SAFETY: a valid C string; mkfifo only creates a file.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o644) }, 0, "mkfifo");
}

#[test]
fn a_fifo_never_hangs_anything() {
    let a = app("ok-kamal-v05", "fifo");
    mkfifo(&a.join("config/litestream.yml"));
    let r = check(a.path(), "text");
    r.assert_bounded("check with a FIFO", hook_time_bound(), HOOK_MEMORY_MIB);
    assert!(r.stdout_text().contains("named pipe"), "{}", all_output(&r));
    hook(
        "Edit of deploy.yml",
        pre_edit(
            a.path(),
            "config/deploy.yml",
            "cmd: replicate",
            "cmd: replicate ",
            false,
        ),
    );
    hook(
        "Edit of the FIFO",
        pre_edit(a.path(), "config/litestream.yml", "a", "b", false),
    );
    hook(
        "Write of the FIFO",
        pre_write(a.path(), "config/litestream.yml", "dbs: []\n"),
    );
    let mut post = pre_edit(a.path(), "config/litestream.yml", "a", "b", false);
    post["hook_event_name"] = json!("PostToolUse");
    hook("PostToolUse of the FIFO", post);
    hook(
        "Bash guard reading the app",
        bash(
            a.path(),
            "PreToolUse",
            "litestream restore -o /rails/storage/production.sqlite3 s3://b/db",
        ),
    );
    // A FIFO as a file being written by Claude (not one of ours): no cost at all.
    mkfifo(&a.join("notes.txt"));
    hook("Write of another FIFO", pre_write(a.path(), "notes.txt", "x"));
    // init refuses it.
    let f = fresh("fifo-init");
    mkfifo(&f.join(".kamal/secrets"));
    let r = init(f.path(), &["--provider", "hetzner", "--bucket", "fresh-backups"]);
    r.assert_bounded("init with a FIFO", Duration::from_secs(10), HOOK_MEMORY_MIB);
    assert_eq!(r.code(), Some(2), "{}", all_output(&r));
}

#[test]
fn device_and_proc_links_cost_nothing() {
    for target in [
        "/dev/zero",
        "/dev/urandom",
        "/proc/self/pagemap",
        "/proc/kcore",
        "/proc/self/environ",
    ] {
        if fs::symlink_metadata(target).is_err() {
            continue;
        }
        let a = app("ok-kamal-v05", "dev-link");
        let ls = a.join("config/litestream.yml");
        fs::remove_file(&ls).unwrap();
        std::os::unix::fs::symlink(target, &ls).unwrap();
        let r = check(a.path(), "text");
        r.assert_bounded(
            &format!("check, litestream.yml -> {target}"),
            hook_time_bound(),
            HOOK_MEMORY_MIB,
        );
        assert!(r.stdout_text().contains("error[Y002]"), "{target}: {}", all_output(&r));
        hook(
            target,
            pre_edit(
                a.path(),
                "config/deploy.yml",
                "cmd: replicate",
                "cmd: replicate ",
                false,
            ),
        );
        // A secrets file may live outside the app, but never in the kernel's files.
        let s = a.join(".kamal/secrets");
        fs::remove_file(&s).unwrap();
        std::os::unix::fs::symlink(target, &s).unwrap();
        check(a.path(), "text").assert_bounded(&format!("secrets -> {target}"), hook_time_bound(), HOOK_MEMORY_MIB);
    }
}

#[test]
fn merging_many_large_destinations_is_linear() {
    let a = app("ok-kamal-v05", "merge");
    for d in 0..10 {
        let body: String = (0..12_000).map(|i| format!("    KEY_{d}_{i}: value{i}\n")).collect();
        fs::write(
            a.join(format!("config/deploy.d{d}.yml")),
            format!("env:\n  clear:\n{body}"),
        )
        .unwrap();
    }
    check(a.path(), "text").assert_bounded("check of 10 x 12,000 keys", hook_time_bound(), HOOK_MEMORY_MIB);
    hook(
        "Edit of a destination",
        pre_edit(a.path(), "config/deploy.d0.yml", "value1\n", "value2\n", false),
    );
}

#[test]
fn replace_all_growth_is_bounded() {
    let a = app("ok-kamal-v05", "multiedit");
    let edits: Vec<serde_json::Value> = (0..12)
        .map(|_| json!({"old_string": "s", "new_string": "ssssssssss", "replace_all": true}))
        .collect();
    let ev = json!({"session_id": "s", "cwd": a.path(), "hook_event_name": "PreToolUse", "tool_name": "MultiEdit",
                    "tool_input": {"file_path": a.join("config/litestream.yml"), "edits": edits}});
    let r = hook("12 replace-all steps", ev);
    let out = r.stdout_text();
    assert!(out.contains("deny") && out.contains("Y002"), "{}", all_output(&r));
}

// ---------------------------------------------------------------------------------------------
// Limits that did not hold

fn many_dbs(n: usize) -> String {
    let mut s = String::from("snapshot:\n  interval: 1h\n  retention: 720h\n\ndbs:\n");
    for i in 0..n {
        s.push_str(&format!(
            "  - path: /rails/storage/db{i}.sqlite3\n    replica:\n      type: s3\n      bucket: ${{LITESTREAM_BUCKET}}\n      path: db{i}\n      region: eu-central-1\n      sync-interval: 5s\n"
        ));
    }
    s
}

#[test]
fn a_large_valid_config_is_no_alias_bomb() {
    let a = app("ok-kamal-v05", "918");
    // 918 databases: what the probe used, and 5,000 (still under 1 MiB).
    for n in [918, 5000] {
        fs::write(a.join("config/litestream.yml"), many_dbs(n)).unwrap();
        let out = all_output(&check(a.path(), "text"));
        assert!(!out.contains("Y001"), "{n} databases: {out}");
        // And an Edit of it is checked, not let through unchecked.
        let r = hook(
            "Edit of a big config",
            pre_edit(a.path(), "config/litestream.yml", "interval: 1h", "interval: 5", false),
        );
        assert!(r.stdout_text().contains("L007"), "{n} databases: {}", all_output(&r));
    }
}

#[test]
fn a_write_gets_the_same_size_limit_as_check() {
    let a = app("ok-kamal-v05", "big-write");
    let big = format!("{}{}", many_dbs(1), "# padding\n".repeat(120_000));
    let r = hook("1.2 MB Write", pre_write(a.path(), "config/litestream.yml", &big));
    assert!(
        r.stdout_text().contains("Y002") && r.stdout_text().contains("deny"),
        "{}",
        all_output(&r)
    );
    fs::write(a.join("config/litestream.yml"), &big).unwrap();
    assert!(all_output(&check(a.path(), "text")).contains("Y002"));
}

#[test]
fn an_edit_of_an_oversized_file_is_judged_the_same_before_and_after() {
    let a = app("ok-kamal-v05", "big-edit");
    // Over the limit before and after, with an error in it that was there all along.
    let big = format!(
        "{}{}",
        many_dbs(1).replace("sync-interval: 5s", "sync-interval: 5"),
        "# pad\n".repeat(200_000)
    );
    fs::write(a.join("config/litestream.yml"), &big).unwrap();
    let r = hook(
        "Edit of an oversized file",
        pre_edit(a.path(), "config/litestream.yml", "# pad", "# PAD", false),
    );
    assert!(!r.stdout_text().contains("deny"), "{}", all_output(&r));
}

#[test]
fn a_huge_write_of_a_file_it_does_not_own_costs_nothing() {
    let a = app("ok-kamal-v05", "unowned");
    let content = "x".repeat(20 * 1024 * 1024);
    let r = hook(
        "20 MB Write of app/x.rb",
        pre_write(a.path(), "app/models/x.rb", &content),
    );
    assert!(r.stdout.is_empty() && r.stderr.is_empty(), "{}", all_output(&r));
    // The event itself is 20 MB; before, parsing it whole peaked at 62 MB.
    r.assert_bounded("20 MB unowned Write", hook_time_bound(), 32);
}

// ---------------------------------------------------------------------------------------------
// init and files

#[test]
fn init_writes_through_symlinks() {
    let a = fresh("init-links");
    let outside = TempDir::new("secret-store");
    let store = outside.join("fresh.secrets");
    fs::rename(a.join(".kamal/secrets"), &store).unwrap();
    std::os::unix::fs::symlink(&store, a.join(".kamal/secrets")).unwrap();
    fs::create_dir_all(a.join("deploy")).unwrap();
    fs::rename(a.join("config/deploy.yml"), a.join("deploy/shared.yml")).unwrap();
    std::os::unix::fs::symlink("../deploy/shared.yml", a.join("config/deploy.yml")).unwrap();
    let r = init(a.path(), &["--provider", "hetzner", "--bucket", "fresh-backups"]);
    let out = all_output(&r);
    assert_eq!(r.code(), Some(0), "{out}");
    for (link, target) in [
        (".kamal/secrets", store.clone()),
        ("config/deploy.yml", a.join("deploy/shared.yml")),
    ] {
        let meta = fs::symlink_metadata(a.join(link)).unwrap();
        assert!(meta.file_type().is_symlink(), "{link} was replaced by a copy");
        assert!(out.contains(&format!("{link} is a symbolic link")), "{out}");
        let _ = target;
    }
    assert!(fs::read_to_string(&store)
        .unwrap()
        .contains("LITESTREAM_SECRET_ACCESS_KEY"));
    assert!(fs::read_to_string(a.join("deploy/shared.yml"))
        .unwrap()
        .contains("litestream/litestream:"));
    assert_eq!(check(a.path(), "text").code(), Some(0));
}

#[test]
fn init_refuses_a_dangling_link() {
    let a = fresh("init-dangling");
    fs::remove_file(a.join(".kamal/secrets")).unwrap();
    std::os::unix::fs::symlink("/nonexistent/secrets", a.join(".kamal/secrets")).unwrap();
    let r = init(a.path(), &["--provider", "hetzner", "--bucket", "fresh-backups"]);
    let out = all_output(&r);
    assert_eq!(r.code(), Some(2), "{out}");
    assert!(out.contains("symbolic link") && out.contains("does not exist"), "{out}");
    assert!(!a.join("config/litestream.yml").exists(), "wrote a file anyway");
}

#[test]
fn init_removes_the_temporary_files_of_an_interrupted_run() {
    let a = fresh("init-stale");
    // What a run killed while staging leaves (its pid is long gone: pid_max is below 2^22).
    let stale = [
        a.join("config/.deploy.yml.litestream-guard-4194999.tmp"),
        a.join(".kamal/.secrets.litestream-guard-4194999.tmp"),
    ];
    for s in &stale {
        fs::write(s, "half").unwrap();
    }
    let r = init(a.path(), &["--provider", "hetzner", "--bucket", "fresh-backups"]);
    let out = all_output(&r);
    assert_eq!(r.code(), Some(0), "{out}");
    assert!(out.contains("removed 2 temporary files"), "{out}");
    for s in &stale {
        assert!(!s.exists(), "{} is still there", s.display());
    }
}

#[test]
fn unknown_events_get_no_opinion() {
    let shop = repo_root().join("examples/shopfront");
    let restore = "litestream restore -o /rails/storage/production.sqlite3 s3://b/db";
    assert!(hook("PreToolUse", bash(&shop, "PreToolUse", restore))
        .stdout_text()
        .contains("deny"));
    for name in ["PermissionRequest", "UserPromptSubmit", "Stop", "SomethingNew", ""] {
        let r = hook(name, bash(&shop, name, restore));
        assert!(r.stdout.is_empty(), "{name}: {}", all_output(&r));
    }
    let mut no_name = bash(&shop, "x", restore);
    no_name.as_object_mut().unwrap().remove("hook_event_name");
    assert!(hook("no event name", no_name).stdout.is_empty());
}

#[test]
fn terminal_escapes_are_shown_escaped() {
    let a = app("ok-kamal-v05", "escapes");
    let ls = a.join("config/litestream.yml");
    edit_file(
        &ls,
        "  retention: 720h",
        "  retention: 720h\n  \"\\e]0;owned\\a\\e[2J\": 1\n  \"x\\u202e\": \"\\e[31mred\"",
    );
    let r = check(a.path(), "text");
    let out = r.stdout_text();
    assert!(out.contains("\\x1b]0;owned"), "{out}");
    assert!(
        !out.contains('\x1b') && !out.contains('\u{7}') && !out.contains('\u{202e}'),
        "{out:?}"
    );
    let text = fs::read_to_string(&ls).unwrap();
    let mut post = pre_write(a.path(), "config/litestream.yml", &text);
    post["hook_event_name"] = json!("PostToolUse");
    let r = hook("escapes", post);
    let reason: serde_json::Value = serde_json::from_slice(&r.stdout).unwrap();
    let shown = reason.to_string();
    assert!(!shown.contains("\\u001b") && shown.contains("\\\\x1b"), "{shown}");
}
