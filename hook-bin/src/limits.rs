//! Every bound on what one input may cost, in one place: bytes read, YAML nodes and depth, shell
//! nesting and expansion. Real configs and commands sit far below each of them; they exist so that
//! hostile input (a repository we do not trust) cannot make a hook slow or large.

/// Config files are small; anything larger is refused before any parsing so that a hook stays fast.
pub const MAX_CONFIG_BYTES: u64 = 1024 * 1024;

/// Every app's config files together (a destination file counts with the deploy.yml it is merged
/// over, since the checker holds each merge): a real app has a few kilobytes; this keeps the
/// trees and merged views of a hostile one within the hook's memory budget.
pub const MAX_APP_BYTES: u64 = 2 * 1024 * 1024;

/// The replacing one Edit or MultiEdit may cost: bytes scanned plus bytes written, summed over
/// its steps (each step rewrites the whole file).
pub const MAX_EDIT_WORK: u64 = 64 * 1024 * 1024;

/// Larger hook events are not read (a Write of a huge file is not a config edit).
pub const MAX_EVENT_BYTES: usize = 32 * 1024 * 1024;

/// YAML nesting deeper than this is refused.
pub const MAX_YAML_DEPTH: usize = 64;
/// Nodes in a finished YAML tree, counting every copy an alias makes (stops alias bombs).
pub const MAX_YAML_NODES: usize = 100_000;

/// Longer command lines are not parsed (they are reported as unreadable).
pub const MAX_COMMAND_BYTES: usize = 256 * 1024;
/// Deeper nesting of `(`, `{`, `$(` and backquotes is not parsed: the parser recurses.
pub const MAX_SHELL_DEPTH: usize = 48;
/// Nested payloads (`ssh … "bash -c '…'"`) deeper than this are not followed.
pub const MAX_NEST: usize = 16;
/// `for` loops and `xargs -I` are checked with at most this many values.
pub const MAX_LOOP_VALUES: usize = 16;
/// A brace expansion (`{a,b}{c,d}`) yields at most this many words.
pub const MAX_BRACE: usize = 64;

/// Never more than this is read from the end of a transcript: reading costs up to 1 ms per MB (the
/// copy out of the page cache). Older history comes from the PostToolUse state file.
pub const MAX_TRANSCRIPT_SCAN: u64 = 32 << 20;

// The Bash guard's bounds. Each keeps one hook answer well under 100 ms on a 256 KiB command
// (scripts/bench measures it); beyond them the guard stops reading and answers from what it saw.

/// The parser's cost grows with the number of words and, more steeply, of command separators
/// (brush-parser takes about 1.5 µs per `x;`); commands estimated above this are not parsed
/// (see `guard::shell::cost`).
pub const MAX_SHELL_COST: usize = 30_000;
/// Simple commands (and words) the walker expands for one decision, counting every loop value,
/// function call and payload it follows: nested loops and functions multiply.
pub const MAX_WALK_STEPS: usize = 4_000;
/// Words of one simple command after expansion; the rest are not looked at.
pub const MAX_ARGV: usize = 4_096;
/// Objections kept for one decision: the answer needs the worst one and the names of the rest.
pub const MAX_FINDINGS: usize = 32;
/// Characters of a command quoted in a reason (reasons are read by Claude: keep them short).
pub const MAX_SHOWN: usize = 200;
/// Bytes of a tool's output read for proof of a stop (`kamal app details`, a failed stop).
pub const MAX_OUTPUT_BYTES: usize = 256 * 1024;
/// The per-session state file is a few hundred bytes; anything larger is not read.
pub const MAX_SESSION_BYTES: u64 = 1024 * 1024;
/// Stop/start marks kept per session (one per destination and role or accessory).
pub const MAX_UNITS: usize = 64;
/// One transcript line read back for a command's output.
pub const MAX_TRANSCRIPT_LINE: u64 = 4 << 20;
/// Relevant commands read back from one transcript (each is parsed again to replay it).
pub const MAX_TRANSCRIPT_COMMANDS: usize = 256;
/// Variables remembered on one command line (assignments beyond are unknown, not wrong).
pub const MAX_VARS: usize = 256;
/// Moved-aside paths remembered per session.
pub const MAX_GONE: usize = 64;
/// Directories searched upwards from the working directory for the app's config.
pub const MAX_ROOT_SEARCH: usize = 12;
/// Local files a loop's glob (`for f in storage/*`) is expanded to.
pub const MAX_GLOB_MATCHES: usize = 4096;
