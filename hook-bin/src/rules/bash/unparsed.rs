//! Commands the guard cannot read that mention a restore or a database file.

use crate::diag::Severity;
use crate::rules::{Area, Rule};

pub static UNPARSED_MENTIONS_DB: Rule = Rule {
    id: "G009",
    name: "opaque-command-mentions-database",
    severity: Severity::Warning,
    area: Area::Bash,
    summary: "A command the guard cannot parse or resolve (`eval`, a dynamic `bash -c \"$CMD\"`, a syntax error) that mentions a restore or a database file.",
    what: "When the shell parser fails, the command is too large to follow to the end (see the bounds in `limits.rs`), or it runs text the guard cannot see statically (`eval`, `bash -c \"$VAR\"`, interpreter code, a console reading code), and the text mentions `restore`, a SQLite file, a `-wal`/`-shm`/`-journal` or a `-litestream` directory, the guard asks instead of guessing. What can be read of such a command is still judged.",
    why: "The guard cannot tell what such a command does to the database. Allowing it silently would make `eval` a way around every other rule; denying it would block harmless commands. A person decides.",
    bad: "eval \"$RESTORE_CMD /rails/storage/production.sqlite3\"\n",
    good: "litestream restore -o /rails/storage/restored.sqlite3 /rails/storage/production.sqlite3\n",
    fix: "Write the command out literally so the guard can check it, or confirm it.",
    check: None,
};
