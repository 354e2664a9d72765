//! Rules about config/litestream.yml.

pub mod addr;
pub mod age_v05;
pub mod buggy_endpoint;
pub mod db_path;
pub mod destination_missing;
pub mod dollar_expansion;
pub mod duplicate_db;
pub mod duplicate_replica_name;
pub mod duration;
pub mod ignored_by_03;
pub mod literal_credential;
pub mod local_endpoint;
pub mod no_effect_05;
pub mod non_positive;
pub mod path_style_off;
pub mod placeholder;
pub mod replica_count_05;
pub mod replica_type;
pub mod shared_replica;
pub mod tier_policy;
mod tiers;
pub mod unknown_key;
pub mod url_host;
pub mod url_mixed;
pub mod wrong_type;

use super::Rule;

pub static RULES: &[&Rule] = &[
    &unknown_key::RULE,
    &ignored_by_03::RULE,
    &replica_count_05::RULE,
    &no_effect_05::RULE,
    &replica_type::RULE,
    &duration::RULE,
    &non_positive::RULE,
    &age_v05::RULE,
    &destination_missing::RULE,
    &url_mixed::RULE,
    &path_style_off::RULE,
    &url_host::RULE,
    &buggy_endpoint::RULE,
    &literal_credential::RULE,
    &dollar_expansion::RULE,
    &duplicate_db::RULE,
    &shared_replica::RULE,
    &tier_policy::RULE,
    &db_path::RULE,
    &wrong_type::RULE,
    &addr::RULE,
    &duplicate_replica_name::RULE,
    &local_endpoint::RULE,
    &placeholder::RULE,
];
