//! Why `init` refused. Every variant means: nothing was written.

use std::fmt;
use std::path::PathBuf;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InitError {
    /// The app directory does not exist or is not a directory.
    NoAppDir(PathBuf),
    /// A file init needs is missing (`config/database.yml`, `config/deploy.yml`).
    Missing { file: String, hint: String },
    /// A file could not be read or parsed (I/O, not UTF-8, invalid YAML, …).
    Unreadable { file: String, why: String },
    /// database.yml has no `production:` section (or it holds no database).
    NoProduction { file: String },
    /// A production database that is not SQLite, or whose file name cannot be known.
    BadDatabase { name: String, why: String },
    /// deploy.yml lacks something init must know (volume, servers, …).
    BadDeploy { why: String },
    /// A command-line value init cannot use (provider, bucket, region, endpoint, …).
    BadOption { option: &'static str, why: String },
    /// An existing litestream accessory that init cannot update without losing something.
    AccessoryConflict {
        name: String,
        reasons: Vec<String>,
        wanted: String,
    },
    /// deploy.yml has a shape init does not edit by text (alias, flow mapping, ERB control…).
    ManualEditNeeded { why: String, snippet: String },
    /// An existing config/litestream.yml that init did not write.
    ForeignLitestreamYml { file: String },
    /// The generated result would not pass `litestream-guard check` (a bug in init).
    CheckFailed { findings: Vec<String> },
    /// Writing failed; the files listed were left as they were.
    Write { file: String, why: String },
    /// Litestream already runs another way (the litestream-ruby gem, or inside the app image):
    /// an accessory next to it would replicate the same databases twice.
    OtherRunner { runner: String, at: String, how: String },
    /// A file changed after init read it (an edit made while init ran): it is not overwritten.
    Changed { file: String },
    /// Another init is writing this app right now.
    Busy,
}

impl fmt::Display for InitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            InitError::NoAppDir(p) => write!(
                f,
                "{}: not a directory; give the root of the Rails app (the folder that holds config/)",
                p.display()
            ),
            InitError::Missing { file, hint } => write!(f, "{file}: not found; {hint}"),
            InitError::Unreadable { file, why } => write!(f, "{file}: {why}"),
            InitError::NoProduction { file } => write!(
                f,
                "{file}: no `production:` database; init backs up the production databases that Rails opens in the container (Rails 8: storage/production*.sqlite3)"
            ),
            InitError::BadDatabase { name, why } => write!(f, "production database `{name}`: {why}"),
            InitError::BadDeploy { why } => write!(f, "config/deploy.yml: {why}"),
            InitError::BadOption { option, why } => write!(f, "{option}: {why}"),
            InitError::AccessoryConflict { name, reasons, wanted } => {
                writeln!(
                    f,
                    "config/deploy.yml: the accessory `{name}` already runs Litestream, and init cannot update it without losing something:"
                )?;
                for r in reasons {
                    writeln!(f, "  - {r}")?;
                }
                write!(
                    f,
                    "Nothing was written. Edit the accessory by hand so that it holds at least this (your other keys can stay), then run init again:\n\n{wanted}"
                )
            }
            InitError::ManualEditNeeded { why, snippet } => write!(
                f,
                "config/deploy.yml: {why}, so init does not edit it by text. Nothing was written. Add this accessory by hand, then run init again (it will find the accessory and write the rest):\n\n{snippet}"
            ),
            InitError::ForeignLitestreamYml { file } => write!(
                f,
                "{file} exists and was not written by init; nothing was written. `init --dry-run` shows what init would write instead; pass --force to replace the file (or move it aside)"
            ),
            InitError::CheckFailed { findings } => {
                writeln!(
                    f,
                    "the generated setup does not pass `litestream-guard check` (a bug in init; please report it). Nothing was written. Findings:"
                )?;
                for x in findings {
                    writeln!(f, "  {x}")?;
                }
                Ok(())
            }
            InitError::OtherRunner { runner, at, how } => write!(
                f,
                "this app already runs Litestream through {runner} ({at}); init writes a Kamal accessory, and a second Litestream on the same databases would break both. {how}"
            ),
            InitError::Write { file, why } => write!(f, "{file}: cannot write: {why}; no file was changed"),
            InitError::Changed { file } => write!(
                f,
                "{file} changed after init read it (was it edited meanwhile?); no file was changed, so that edit is kept: run init again"
            ),
            InitError::Busy => write!(
                f,
                "another `litestream-guard init` is writing this app right now; no file was changed: wait for it, then run init again"
            ),
        }
    }
}

impl std::error::Error for InitError {}
