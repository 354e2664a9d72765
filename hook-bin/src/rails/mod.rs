//! Rails: `config/database.yml`, and the ERB real apps write in it.

pub mod database;
pub mod erb;
