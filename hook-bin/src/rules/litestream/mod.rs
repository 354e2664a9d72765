//! Rules about config/litestream.yml.

pub mod duration;
pub mod non_positive;
pub mod unknown_key;
pub mod wrong_type;
