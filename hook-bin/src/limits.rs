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
