//! A YAML tree that keeps the position of every key and value.
//!
//! serde_yaml is deprecated upstream and drops positions, so the tree is built here from the
//! events of `saphyr-parser` (a maintained, YAML 1.2 parser that reports a character-accurate
//! span for every event). Building our own tree also lets us bound what hostile input can cost:
//! nesting depth and alias expansion are limited, and both limits are reported as findings.

mod erb;
mod load;
mod node;

pub use erb::{has_erb, is_erb_char, mask_erb, mask_erb_tags, tag_index, unmask_for_display, Tag, ERB_CHAR};
pub use load::{load, LoadError, LoadErrorKind, Options};
pub use node::{Entry, Kind, Node, Scalar, Style};
