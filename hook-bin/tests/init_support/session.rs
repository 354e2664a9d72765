//! A Claude Code session as the guard sees it: `litestream-guard guard` asked about each command,
//! and the commands that ran written into a transcript (JSONL) the way Claude Code writes it,
//! with their output (the guard reads stop results and `details` tables from there).

use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use super::guard;
use crate::support::real::rfc3339_now;

/// Exit codes of `litestream-guard guard`.
pub const ALLOW: i32 = 0;
pub const DENY: i32 = 1;
pub const ASK: i32 = 3;

pub struct Session {
    pub app: PathBuf,
    pub transcript: PathBuf,
    pub label: String,
    n: u32,
}

fn verdict(c: i32) -> &'static str {
    match c {
        ALLOW => "allow",
        DENY => "deny",
        ASK => "ask",
        _ => "?",
    }
}

impl Session {
    pub fn new(app: &Path, transcript: PathBuf, label: &str) -> Session {
        fs::write(&transcript, "").unwrap();
        Session {
            app: app.to_path_buf(),
            transcript,
            label: label.to_string(),
            n: 0,
        }
    }

    /// Asks the guard about `cmd` and asserts its decision; returns what it printed.
    pub fn expect(&self, want: i32, cmd: &str, why: &str) -> String {
        self.expect_with(&self.transcript, want, cmd, why)
    }

    /// The same, against another transcript.
    pub fn expect_with(&self, transcript: &Path, want: i32, cmd: &str, why: &str) -> String {
        let o = guard(&[
            "guard",
            "--cwd",
            self.app.to_str().unwrap(),
            "--transcript",
            transcript.to_str().unwrap(),
            "--",
            cmd,
        ]);
        eprintln!(
            "[{}] {why}: {}",
            self.label,
            o.stdout.lines().next().unwrap_or("(no output)")
        );
        assert_eq!(
            o.code(),
            Some(want),
            "{}: the guard should {} ({why}):\n  {cmd}\ngot exit {:?}:\n{}",
            self.label,
            verdict(want),
            o.code(),
            o.combined()
        );
        o.stdout
    }

    /// Records `cmd` as a successful Bash call with this output.
    pub fn record(&mut self, cmd: &str, stdout: &str) {
        self.n += 1;
        let id = format!("toolu_session{}", self.n);
        let at = rfc3339_now();
        let use_ = serde_json::json!({
            "type": "assistant", "uuid": format!("a{}", self.n), "timestamp": at, "cwd": self.app,
            "message": {"role": "assistant", "content": [
                {"type": "tool_use", "id": id, "name": "Bash", "input": {"command": cmd, "description": "step"}}
            ]}
        });
        let result = serde_json::json!({
            "type": "user", "uuid": format!("u{}", self.n), "timestamp": at, "cwd": self.app,
            "message": {"role": "user", "content": [
                {"tool_use_id": id, "type": "tool_result", "content": stdout, "is_error": false}
            ]},
            "toolUseResult": {"stdout": stdout, "stderr": "", "interrupted": false}
        });
        let mut f = fs::OpenOptions::new()
            .append(true)
            .create(true)
            .open(&self.transcript)
            .unwrap();
        writeln!(f, "{use_}\n{result}").unwrap();
    }
}
