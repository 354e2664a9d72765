//! Rules about config/deploy.yml (Kamal 2) and its destinations: the Litestream accessory.

pub mod clear_credential;
pub mod cmd_not_replicate;
pub mod config_not_mounted;
pub mod databases_health_check;
pub mod host_selector;
pub mod missing_credentials;
pub mod missing_local_file;
pub mod other_volume;
pub mod outside_mounts;
pub mod read_only_storage;
pub mod relative_directory;
pub mod shared_across_destinations;
pub mod shared_across_hosts;
pub mod undefined_secret;
pub mod unpinned_image;
pub mod unset_variable;
pub mod view;

use super::Rule;

pub static RULES: &[&Rule] = &[
    &config_not_mounted::RULE,
    &unpinned_image::RULE,
    &missing_local_file::RULE,
    &read_only_storage::RULE,
    &other_volume::RULE,
    &outside_mounts::RULE,
    &relative_directory::RULE,
    &cmd_not_replicate::RULE,
    &unset_variable::RULE,
    &clear_credential::RULE,
    &undefined_secret::RULE,
    &databases_health_check::RULE,
    &host_selector::RULE,
    &shared_across_hosts::RULE,
    &shared_across_destinations::RULE,
    &missing_credentials::RULE,
];
