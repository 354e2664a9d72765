//! Kamal 2: `config/deploy*.yml` (read the way Kamal reads it) and `.kamal/secrets*`.

pub mod deploy;
pub mod secrets;
pub mod view;
