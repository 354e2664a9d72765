//! Rules about config/litestream.yml.

pub mod duration;
pub mod non_positive;
pub mod unknown_key;
pub mod wrong_type;

use super::Rule;

pub static RULES: &[&Rule] = &[
    &unknown_key::RULE,
    &duration::RULE,
    &non_positive::RULE,
    &wrong_type::RULE,
];
