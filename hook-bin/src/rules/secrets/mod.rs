//! Rules about `.kamal/secrets*` files.

pub mod literal_secret;

use super::Rule;

pub static RULES: &[&Rule] = &[&literal_secret::RULE];
