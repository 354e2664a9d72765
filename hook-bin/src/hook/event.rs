//! The hook event, read defensively: Claude Code's tool shapes are internal and change.
//!
//! Reading is lazy. One pass over the bytes finds the top-level fields without copying them
//! (`RawValue`); only the small ones (event name, tool name, path, command) are decoded. The
//! text a Write or an Edit carries is decoded only when [`FileEdit::change`] is asked for it,
//! which the edit hook does only for files it owns: a 20 MB Write of some other file costs one
//! scan, not a tree of it.

use std::fmt;
use std::path::PathBuf;

use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::Value;

use crate::limits::MAX_CONFIG_BYTES;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    Pre,
    Post,
    /// Any other event (SessionStart, a future one…): the hook has no opinion on it.
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

/// Which file tool it was; its input is decoded on demand.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileTool {
    Write,
    Edit,
    MultiEdit,
}

#[derive(Debug, Clone)]
pub struct FileEdit<'a> {
    pub path: PathBuf,
    pub tool: FileTool,
    input: &'a RawValue,
}

/// Why the text of an edit was not decoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Undecoded {
    /// The tool input lacks a field or has the wrong type: Claude Code will refuse it itself.
    Malformed,
    /// A Write whose content is certainly larger than any config file may be.
    TooLarge,
}

#[derive(Debug, Clone)]
pub enum Tool<'a> {
    FileEdit(FileEdit<'a>),
    Bash { command: String },
}

#[derive(Debug, Clone)]
pub struct Event<'a> {
    pub phase: Phase,
    pub tool: Option<Tool<'a>>,
    pub cwd: Option<PathBuf>,
    pub session_id: Option<String>,
    pub transcript_path: Option<PathBuf>,
    /// PostToolUse of a Bash call only: what the tool returned.
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

/// The top level, undecoded.
#[derive(Deserialize)]
struct RawEvent<'a> {
    #[serde(borrow, default)]
    hook_event_name: Option<&'a RawValue>,
    #[serde(borrow, default)]
    tool_name: Option<&'a RawValue>,
    #[serde(borrow, default)]
    tool_input: Option<&'a RawValue>,
    #[serde(borrow, default)]
    tool_response: Option<&'a RawValue>,
    #[serde(borrow, default)]
    cwd: Option<&'a RawValue>,
    #[serde(borrow, default)]
    session_id: Option<&'a RawValue>,
    #[serde(borrow, default)]
    transcript_path: Option<&'a RawValue>,
}

/// The fields of a tool input that any tool uses, undecoded.
#[derive(Deserialize, Default)]
struct RawInput<'a> {
    #[serde(borrow, default)]
    file_path: Option<&'a RawValue>,
    #[serde(borrow, default)]
    command: Option<&'a RawValue>,
    #[serde(borrow, default)]
    content: Option<&'a RawValue>,
    #[serde(borrow, default)]
    old_string: Option<&'a RawValue>,
    #[serde(borrow, default)]
    new_string: Option<&'a RawValue>,
    #[serde(borrow, default)]
    replace_all: Option<&'a RawValue>,
    #[serde(borrow, default)]
    edits: Option<&'a RawValue>,
}

/// A string field; anything else (a number, null, an object) is treated as absent.
fn text(v: Option<&RawValue>) -> Option<String> {
    serde_json::from_str::<String>(v?.get()).ok()
}

fn input_of(raw: &RawValue) -> RawInput<'_> {
    serde_json::from_str(raw.get()).unwrap_or_default()
}

impl<'a> Event<'a> {
    pub fn parse(input: &'a [u8]) -> Result<Event<'a>, EventError> {
        // A struct also deserializes from a JSON array: only an object is an event.
        if input
            .iter()
            .find(|b| !b.is_ascii_whitespace())
            .is_some_and(|b| *b == b'[')
        {
            return Err(EventError("not a JSON object of hook fields".into()));
        }
        let raw: RawEvent<'a> = serde_json::from_slice(input).map_err(|e| {
            EventError(match e.classify() {
                serde_json::error::Category::Data => "not a JSON object of hook fields".to_string(),
                _ => format!("not JSON: {e}"),
            })
        })?;
        let phase = match text(raw.hook_event_name).as_deref() {
            Some("PreToolUse") => Phase::Pre,
            Some("PostToolUse") => Phase::Post,
            _ => Phase::Other,
        };
        let mut event = Event {
            phase,
            tool: None,
            cwd: text(raw.cwd).map(PathBuf::from),
            session_id: text(raw.session_id),
            transcript_path: text(raw.transcript_path).map(PathBuf::from),
            tool_response: None,
        };
        if phase == Phase::Other {
            return Ok(event);
        }
        let Some(tool_input) = raw.tool_input else {
            return Ok(event);
        };
        let file_tool = match text(raw.tool_name).as_deref() {
            Some("Bash") => {
                event.tool = text(input_of(tool_input).command).map(|command| Tool::Bash { command });
                if phase == Phase::Post {
                    event.tool_response = raw.tool_response.and_then(|r| serde_json::from_str(r.get()).ok());
                }
                return Ok(event);
            }
            Some("Write") => FileTool::Write,
            Some("Edit") => FileTool::Edit,
            Some("MultiEdit") => FileTool::MultiEdit,
            _ => return Ok(event),
        };
        event.tool = text(input_of(tool_input).file_path).map(|p| {
            Tool::FileEdit(FileEdit {
                path: PathBuf::from(p),
                tool: file_tool,
                input: tool_input,
            })
        });
        Ok(event)
    }
}

impl FileEdit<'_> {
    /// Decodes what the tool does to the file. Call it only for a file the hook owns.
    pub fn change(&self) -> Result<Change, Undecoded> {
        let input = input_of(self.input);
        match self.tool {
            FileTool::Write => {
                let raw = input.content.ok_or(Undecoded::Malformed)?;
                // JSON escapes are longer than what they stand for (`\u0041` is six bytes for
                // one), so encoded text over six times the limit decodes to more than the limit.
                if raw.get().len() as u64 > 6 * MAX_CONFIG_BYTES + 2 {
                    return Err(Undecoded::TooLarge);
                }
                let content = text(Some(raw)).ok_or(Undecoded::Malformed)?;
                if content.len() as u64 > MAX_CONFIG_BYTES {
                    return Err(Undecoded::TooLarge);
                }
                Ok(Change::Write(content))
            }
            FileTool::Edit => Ok(Change::Edits(vec![replace(&input).ok_or(Undecoded::Malformed)?])),
            FileTool::MultiEdit => {
                let list: Vec<&RawValue> = input
                    .edits
                    .and_then(|e| serde_json::from_str(e.get()).ok())
                    .ok_or(Undecoded::Malformed)?;
                let steps: Vec<Replace> = list.iter().filter_map(|r| replace(&input_of(r))).collect();
                if steps.is_empty() {
                    return Err(Undecoded::Malformed);
                }
                Ok(Change::Edits(steps))
            }
        }
    }
}

fn replace(v: &RawInput) -> Option<Replace> {
    Some(Replace {
        old: text(v.old_string)?,
        new: text(v.new_string)?,
        all: v
            .replace_all
            .and_then(|r| serde_json::from_str::<bool>(r.get()).ok())
            .unwrap_or(false),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_only_what_it_needs() {
        let ev = br#"{"hook_event_name":"PreToolUse","tool_name":"Write","tool_input":{"content":"a: \u0031\n","file_path":"/app/config/litestream.yml"}}"#;
        let e = Event::parse(ev).unwrap();
        let Some(Tool::FileEdit(f)) = &e.tool else { panic!() };
        assert_eq!(f.path, PathBuf::from("/app/config/litestream.yml"));
        assert_eq!(f.change(), Ok(Change::Write("a: 1\n".into())));
    }

    #[test]
    fn unknown_events_carry_no_tool() {
        let ev = br#"{"hook_event_name":"PermissionRequest","tool_name":"Bash","tool_input":{"command":"litestream restore /rails/storage/production.sqlite3"}}"#;
        let e = Event::parse(ev).unwrap();
        assert_eq!(e.phase, Phase::Other);
        assert!(e.tool.is_none());
    }

    #[test]
    fn wrong_types_are_absent() {
        let ev = br#"{"hook_event_name":"PreToolUse","tool_name":"Edit","tool_input":{"file_path":"/a/config/deploy.yml","old_string":7,"new_string":"x"}}"#;
        let e = Event::parse(ev).unwrap();
        let Some(Tool::FileEdit(f)) = &e.tool else { panic!() };
        assert_eq!(f.change(), Err(Undecoded::Malformed));
        assert!(Event::parse(b"[]").is_err());
        assert!(
            Event::parse(b"{\"tool_name\":\"Write\",\"tool_input\":{\"file_path\":7}}")
                .unwrap()
                .tool
                .is_none()
        );
    }
}
