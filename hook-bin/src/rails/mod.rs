//! Rails: `config/database.yml`.

pub mod database;
