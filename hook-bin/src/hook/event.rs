//! The hook event, read defensively: Claude Code's tool shapes are internal and change.

use std::fmt;
use std::path::PathBuf;

use serde_json::Value;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    Pre,
    Post,
    Other,
}

/// One old → new replacement of an Edit (or of one MultiEdit step).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Replace {
    pub old: String,
    pub new: String,
    pub all: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    Write(String),
    Edits(Vec<Replace>),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileEdit {
    pub path: PathBuf,
    pub change: Change,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Tool {
    FileEdit(FileEdit),
    Bash { command: String },
}

#[derive(Debug, Clone)]
pub struct Event {
    pub phase: Phase,
    pub tool: Option<Tool>,
    pub cwd: Option<PathBuf>,
    pub session_id: Option<String>,
    pub transcript_path: Option<PathBuf>,
    /// PostToolUse only: what the tool returned.
    pub tool_response: Option<Value>,
}

#[derive(Debug)]
pub struct EventError(String);

impl fmt::Display for EventError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for EventError {}

fn s<'a>(v: &'a Value, k: &str) -> Option<&'a str> {
    v.get(k).and_then(Value::as_str)
}

impl Event {
    pub fn parse(input: &[u8]) -> Result<Event, EventError> {
        let mut v: Value = serde_json::from_slice(input).map_err(|e| EventError(format!("not JSON: {e}")))?;
        if !v.is_object() {
            return Err(EventError("not a JSON object".into()));
        }
        let phase = match s(&v, "hook_event_name") {
            Some("PreToolUse") => Phase::Pre,
            Some("PostToolUse") => Phase::Post,
            _ => Phase::Other,
        };
        // Moved out, not copied: a Write carries the whole file, and most files are not ours.
        let mut input = v.get_mut("tool_input").map_or(Value::Null, Value::take);
        let tool = match s(&v, "tool_name") {
            Some("Bash") => s(&input, "command").map(|c| Tool::Bash { command: c.to_string() }),
            Some("Write") => match (
                s(&input, "file_path").map(PathBuf::from),
                take_string(&mut input, "content"),
            ) {
                (Some(path), Some(content)) => Some(Tool::FileEdit(FileEdit {
                    path,
                    change: Change::Write(content),
                })),
                _ => None,
            },
            Some("Edit") => match (s(&input, "file_path"), replace(&input)) {
                (Some(p), Some(r)) => Some(Tool::FileEdit(FileEdit {
                    path: p.into(),
                    change: Change::Edits(vec![r]),
                })),
                _ => None,
            },
            Some("MultiEdit") => {
                let edits: Option<Vec<Replace>> = input
                    .get("edits")
                    .and_then(Value::as_array)
                    .map(|a| a.iter().filter_map(replace).collect());
                match (s(&input, "file_path"), edits) {
                    (Some(p), Some(e)) if !e.is_empty() => Some(Tool::FileEdit(FileEdit {
                        path: p.into(),
                        change: Change::Edits(e),
                    })),
                    _ => None,
                }
            }
            _ => None,
        };
        Ok(Event {
            phase,
            tool,
            cwd: s(&v, "cwd").map(PathBuf::from),
            session_id: s(&v, "session_id").map(str::to_string),
            transcript_path: s(&v, "transcript_path").map(PathBuf::from),
            tool_response: v.get_mut("tool_response").map(Value::take),
        })
    }
}

fn take_string(v: &mut Value, k: &str) -> Option<String> {
    match v.get_mut(k).map(Value::take) {
        Some(Value::String(s)) => Some(s),
        _ => None,
    }
}

fn replace(v: &Value) -> Option<Replace> {
    Some(Replace {
        old: s(v, "old_string")?.to_string(),
        new: s(v, "new_string")?.to_string(),
        all: v.get("replace_all").and_then(Value::as_bool).unwrap_or(false),
    })
}
