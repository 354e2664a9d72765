//! `litestream-guard hook`: one Claude Code hook event in, one answer out.
//!
//! Data flows one way: bytes → [`event::Event`] → edit simulation ([`edit`]) or the Bash guard →
//! findings or a decision → Claude Code JSON ([`respond`]). Nothing here ever makes the process
//! exit non-zero: exit 2 would make Claude Code deny the tool call.

pub mod edit;
pub mod event;
pub mod respond;

use event::{Event, Tool};

pub use crate::limits::MAX_EVENT_BYTES;

/// What to print. `None` on stdout means "no opinion".
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Answer {
    pub stdout: Option<String>,
    pub stderr: Option<String>,
}

impl Answer {
    fn out(s: String) -> Answer {
        Answer {
            stdout: Some(s),
            stderr: None,
        }
    }

    fn err(s: String) -> Answer {
        Answer {
            stdout: None,
            stderr: Some(s),
        }
    }
}

pub fn answer(input: &[u8]) -> Answer {
    if input.len() > MAX_EVENT_BYTES {
        return Answer::err(format!("hook event larger than {MAX_EVENT_BYTES} bytes; no opinion"));
    }
    let event = match Event::parse(input) {
        Ok(e) => e,
        Err(e) => return Answer::err(format!("unreadable hook event ({e}); no opinion")),
    };
    // Only the two tool events are answered: an opinion on any other event could deny
    // something nobody asked about.
    if event.phase == event::Phase::Other {
        return Answer::default();
    }
    match &event.tool {
        Some(Tool::FileEdit(_)) => edit::answer(&event).map_or_else(Answer::default, Answer::out),
        Some(Tool::Bash { command }) => crate::guard::hook(&crate::guard::BashCall {
            post: event.phase == event::Phase::Post,
            command,
            cwd: event.cwd.as_deref(),
            session_id: event.session_id.as_deref(),
            transcript: event.transcript_path.as_deref(),
            tool_response: event.tool_response.as_ref(),
        })
        .map_or_else(Answer::default, Answer::out),
        _ => Answer::default(),
    }
}
