//! The Bash hook against what could make it hang, grow or crash: FIFOs and devices where it
//! reads files (the transcript, the session state, a file in storage), and huge or
//! pathological commands up to the 256 KiB it accepts. Each run must end (a hang lets the
//! command through when Claude Code times the hook out), stay small, exit 0 (exit 2 would deny
//! by accident), and print nothing or one decision. Times here only catch hangs: the 100 ms
//! goal is measured by scripts/bench against a baseline.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// A hang, not a slow run, reaches this (debug builds are slower than release).
const DEADLINE: Duration = Duration::from_secs(20);
/// Peak resident memory of one hook run.
const MAX_RSS_KB: i64 = 200 * 1024;

struct Outcome {
    code: i32,
    stdout: String,
    rss_kb: i64,
    took: Duration,
}

/// Runs `litestream-guard hook` on `event` and measures its peak memory (wait4's rusage).
// The child is reaped by `wait4`, which `Child` does not know about.
#[allow(clippy::zombie_processes)]
fn hook(event: &serde_json::Value, data: &Path) -> Outcome {
    let mut child = Command::new(env!("CARGO_BIN_EXE_litestream-guard"))
        .arg("hook")
        .env("CLAUDE_PLUGIN_DATA", data)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let bytes = event.to_string().into_bytes();
    let mut input = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || {
        let _ = input.write_all(&bytes);
    });
    let mut out = child.stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = out.read_to_string(&mut s);
        s
    });
    let pid = child.id() as libc::pid_t;
    let start = Instant::now();
    let (mut status, mut usage) = (0, unsafe { std::mem::zeroed::<libc::rusage>() });
    loop {
        let r = unsafe { libc::wait4(pid, &mut status, libc::WNOHANG, &mut usage) };
        if r == pid {
            break;
        }
        if start.elapsed() > DEADLINE {
            let _ = child.kill();
            panic!("the hook hung on {}", short(event));
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    let took = start.elapsed();
    let _ = writer.join();
    let stdout = reader.join().unwrap();
    let code = if libc::WIFEXITED(status) {
        libc::WEXITSTATUS(status)
    } else {
        -1
    };
    Outcome {
        code,
        stdout,
        rss_kb: usage.ru_maxrss,
        took,
    }
}

fn short(event: &serde_json::Value) -> String {
    event.to_string().chars().take(160).collect()
}

fn pre(cmd: &str, cwd: &Path, transcript: &str, session: &str) -> serde_json::Value {
    serde_json::json!({
        "session_id": session, "transcript_path": transcript, "cwd": cwd,
        "hook_event_name": "PreToolUse", "tool_name": "Bash",
        "tool_input": {"command": cmd, "description": "x"}, "tool_use_id": "toolu_1"
    })
}

/// Exit 0, and stdout empty or one well-formed decision.
fn check(o: &Outcome, what: &str) {
    assert_eq!(o.code, 0, "{what}: exit {}", o.code);
    assert!(o.rss_kb < MAX_RSS_KB, "{what}: {} KiB resident", o.rss_kb);
    if !o.stdout.is_empty() {
        let v: serde_json::Value = serde_json::from_str(&o.stdout).unwrap_or_else(|e| panic!("{what}: {e}"));
        let d = v["hookSpecificOutput"]["permissionDecision"].as_str();
        assert!(matches!(d, Some("deny" | "ask")), "{what}: {}", o.stdout);
    }
}

fn decision(o: &Outcome) -> String {
    if o.stdout.is_empty() {
        return "allow".into();
    }
    let v: serde_json::Value = serde_json::from_str(&o.stdout).unwrap();
    let h = &v["hookSpecificOutput"];
    let rule = h["permissionDecisionReason"].as_str().unwrap_or("");
    let id = rule.split_whitespace().nth(1).unwrap_or("");
    format!("{} {id}", h["permissionDecision"].as_str().unwrap_or(""))
}

fn mkfifo(p: &Path) {
    let c = std::ffi::CString::new(p.to_str().unwrap()).unwrap();
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0, "mkfifo {}", p.display());
}

fn work(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("lg-bounds-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn shopfront() -> PathBuf {
    std::fs::canonicalize(Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/shopfront")).unwrap()
}

#[test]
fn fifos_and_devices_are_never_opened() {
    let dir = work("fifo");
    let data = dir.join("data");
    std::fs::create_dir_all(data.join("sessions")).unwrap();
    // The transcript and the session state are FIFOs with no writer: opening one for reading
    // would block for ever.
    let transcript = dir.join("transcript.jsonl");
    mkfifo(&transcript);
    mkfifo(&data.join("sessions/s-fifo.json"));
    let swap = "kamal app exec \"rm /rails/storage/production.sqlite3-wal\"";
    let o = hook(&pre(swap, &shopfront(), transcript.to_str().unwrap(), "s-fifo"), &data);
    check(&o, "FIFO transcript and session");
    assert_eq!(
        decision(&o),
        "deny G004",
        "nothing known, so the app is not known to be stopped"
    );
    for device in ["/dev/zero", "/dev/stdin", "/proc/self/fd/0", "/dev/tty"] {
        let o = hook(&pre(swap, &shopfront(), device, "s-dev"), &data);
        check(&o, device);
        assert_eq!(decision(&o), "deny G004", "{device}");
    }
    // A FIFO in a local app's storage, named like a database: probing it for the SQLite header
    // must not block either.
    let app = dir.join("app");
    std::fs::create_dir_all(app.join("config")).unwrap();
    std::fs::create_dir_all(app.join("storage")).unwrap();
    std::fs::write(
        app.join("config/litestream.yml"),
        format!("dbs:\n  - path: {}/storage/real.sqlite3\n", app.display()),
    )
    .unwrap();
    mkfifo(&app.join("storage/trap.sqlite3"));
    mkfifo(&app.join("storage/trap.sqlite3-wal"));
    for cmd in [
        "rm storage/trap.sqlite3",
        "mv storage/restored.sqlite3 storage/trap.sqlite3",
        "litestream restore -o storage/trap.sqlite3 s3://b/p",
        "rm -rf storage",
    ] {
        let o = hook(&pre(cmd, &app, "/nonexistent.jsonl", "s-storage"), &data);
        check(&o, cmd);
    }
    // A PostToolUse over a FIFO session file replaces it (atomic rename) instead of writing into it.
    let post = serde_json::json!({
        "session_id": "s-fifo", "cwd": shopfront(), "hook_event_name": "PostToolUse", "tool_name": "Bash",
        "tool_input": {"command": "kamal app stop"}, "tool_response": {"stdout": "", "interrupted": false}
    });
    let o = hook(&post, &data);
    check(&o, "PostToolUse with a FIFO state file");
    assert!(std::fs::metadata(data.join("sessions/s-fifo.json")).unwrap().is_file());
    let _ = std::fs::remove_dir_all(&dir);
}

/// Commands of up to 256 KiB that are cheap to write and expensive to follow.
fn pathological() -> Vec<(&'static str, String)> {
    let wal = "rm /rails/storage/production.sqlite3-wal";
    let fill = |unit: &str, then: &str| {
        let n = (250 * 1024 - then.len()) / unit.len();
        format!("{}{then}", unit.repeat(n))
    };
    let mut loops = String::new();
    for _ in 0..8 {
        loops.push_str("for a in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16; do ");
    }
    loops.push_str("rm /rails/storage/x$a");
    loops.push_str(&"; done".repeat(8));
    let mut funcs = String::new();
    for i in 0..15 {
        funcs.push_str(&format!(
            "f{i}() {{ f{}; f{}; f{}; f{}; }}; ",
            i + 1,
            i + 1,
            i + 1,
            i + 1
        ));
    }
    funcs.push_str(&format!("f15() {{ {wal}; }}; f0"));
    vec![
        ("docker exec repeated", fill("docker exec c ", wal)),
        ("sudo repeated", fill("sudo ", wal)),
        ("kamal app exec repeated", fill("kamal app exec ", wal)),
        ("ssh repeated", fill("ssh h ", wal)),
        ("bash -c nested", {
            let mut s = wal.to_string();
            for _ in 0..40 {
                s = format!("bash -c {}", shell_quote(&s));
                if s.len() > 200 * 1024 {
                    break;
                }
            }
            s
        }),
        ("many commands", fill("x; ", wal)),
        ("many lines", fill("x\n", wal)),
        ("many pipes", fill("a | ", wal)),
        ("many words", fill("a ", wal)),
        (
            "one word with the same path many times",
            fill("/rails/storage/production.sqlite3-wal ", "").replacen("/", "rm /", 1),
        ),
        ("nested loops", loops),
        ("fan-out functions", funcs),
        ("braces", format!("rm /rails/storage/{}", "{a,b}".repeat(40_000))),
        // `((` would be arithmetic (bash runs nothing): subshells need the space.
        ("deep subshells", format!("{}{wal}{}", "( ".repeat(40), " )".repeat(40))),
        (
            "too deep subshells",
            format!("{}{wal}{}", "( ".repeat(4_000), " )".repeat(4_000)),
        ),
        (
            "substitution in double quotes",
            format!("echo \"$({})\" && {wal}", "x;".repeat(80_000)),
        ),
        (
            "here-document of commands",
            format!("bash <<'EOF'\n{}EOF\n", format!("{wal}\n").repeat(6_000)),
        ),
        (
            "variables",
            format!("{}{wal}", (0..20_000).map(|i| format!("V{i}=x; ")).collect::<String>()),
        ),
        (
            "a huge here-document to a file",
            format!(
                "cat > notes.md <<'EOF'\n{}EOF\n",
                "kamal app exec rm x\n".repeat(12_000)
            ),
        ),
        (
            "xargs items",
            format!(
                "echo {} | xargs rm",
                "/rails/storage/production.sqlite3-wal ".repeat(6_000)
            ),
        ),
        ("globs", fill("/r*/s*/p* ", "").replacen("/", "rm -rf /", 1)),
        (
            "NUL bytes",
            format!("rm /rails/storage/production.sqlite3{}-wal", "\0".repeat(100_000)),
        ),
        ("over the limit", "x".repeat(300 * 1024) + wal),
    ]
}

fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "'\\''"))
}

#[test]
fn huge_and_pathological_commands_are_bounded() {
    let dir = work("huge");
    let data = dir.join("data");
    let mut slowest = (Duration::ZERO, "");
    for (name, cmd) in pathological() {
        assert!(cmd.len() <= 310 * 1024, "{name}: {} bytes", cmd.len());
        let o = hook(&pre(&cmd, &shopfront(), "/nonexistent.jsonl", "s-huge"), &data);
        check(&o, name);
        if o.took > slowest.0 {
            slowest = (o.took, name);
        }
        // What cannot be followed to the end is never simply allowed when it names a database.
        if cmd.contains("production.sqlite3-wal") {
            assert_ne!(decision(&o), "allow", "{name}");
        }
    }
    eprintln!("slowest: {} ({:?})", slowest.1, slowest.0);
    let _ = std::fs::remove_dir_all(&dir);
}
