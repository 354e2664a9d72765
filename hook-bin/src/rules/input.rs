//! Rules reported while reading files, before any other rule runs.

use super::{Area, Rule};
use crate::diag::Severity;

pub static RULES: &[&Rule] = &[&YAML_SYNTAX, &UNREADABLE, &NOT_A_MAPPING, &POLICY];

pub static YAML_SYNTAX: Rule = Rule {
    id: "Y001",
    name: "invalid-yaml",
    severity: Severity::Error,
    area: Area::Input,
    summary: "The file is not valid YAML, nests too deep, or expands into a huge document through aliases.",
    what: "Parses litestream.yml, deploy.yml (after masking ERB tags), database.yml and the policy file, and reports the first syntax error with its position. Nesting deeper than 64 levels and alias chains that expand past 100,000 nodes are refused as well.",
    why: "Litestream exits at start-up on a YAML error, and Kamal refuses to deploy; both print a less precise message. Alias bombs and absurd nesting are how hostile input makes a parser hang or run out of memory.",
    bad: "dbs:\n  - path: /rails/storage/production.sqlite3\n    replicas:\n      - url: \"s3://bucket/db\n",
    good: "dbs:\n  - path: /rails/storage/production.sqlite3\n    replicas:\n      - url: \"s3://bucket/db\"\n",
    fix: "Fix the YAML at the reported position: unclosed quotes and brackets, and tabs or wrong indentation, are the usual causes.",
    check: None,
};

pub static UNREADABLE: Rule = Rule {
    id: "Y002",
    name: "unreadable-file",
    severity: Severity::Error,
    area: Area::Input,
    summary: "The file cannot be read as UTF-8 text (binary, invalid UTF-8, over 1 MiB, not a regular file, a link out of the app, or an I/O error).",
    what: "Reads each config file as text before parsing. Files over 1 MiB, files with a NUL byte, and bytes that are not UTF-8 are reported with the position where the text stops being text. Only regular files are read: a FIFO, a device, a socket or a file of /proc, /sys or /dev is refused without blocking, and a symbolic link that leads out of the app is not followed (a secrets file's may be: people keep it out of the repository). The app's files together may hold 2 MiB.",
    why: "Litestream and Kamal expect small UTF-8 YAML files. A binary or mis-encoded file means something overwrote the config; refusing early keeps a hook fast and its output meaningful.",
    bad: "(a litestream.yml saved as UTF-16, or a SQLite database copied over config/litestream.yml)",
    good: "dbs:\n  - path: /rails/storage/production.sqlite3\n",
    fix: "Restore the file from version control, or save it again as UTF-8 text.",
    check: None,
};

pub static NOT_A_MAPPING: Rule = Rule {
    id: "Y003",
    name: "not-a-mapping",
    severity: Severity::Error,
    area: Area::Input,
    summary: "The file is empty, or its top level is a list or a single value instead of a mapping.",
    what: "Requires every YAML config file to hold one document whose top level is a mapping of keys.",
    why: "An empty litestream.yml makes Litestream start with no databases: it logs `no databases specified in configuration` and keeps running, so nothing is backed up while the container looks healthy.",
    bad: "- path: /rails/storage/production.sqlite3\n",
    good: "dbs:\n  - path: /rails/storage/production.sqlite3\n",
    fix: "Put the settings under top-level keys (`dbs:` for Litestream, `service:`/`accessories:` for Kamal, `production:` for Rails).",
    check: None,
};

pub static POLICY: Rule = Rule {
    id: "Y004",
    name: "invalid-policy",
    severity: Severity::Error,
    area: Area::Input,
    summary: "config/litestream-guard.yml (the tier policy override) has an entry the checker cannot use.",
    what: "Reads the project's policy file: `tiers` (sync-interval, snapshot-interval, retention per tier), `databases` (file name to tier) and `ignore` (rule IDs or names). Unknown keys, unknown tiers and values that are not Go durations are reported; the default is kept for them.",
    why: "A policy that is silently half-applied makes the retention checks compare against numbers nobody chose.",
    bad: "tiers:\n  primary:\n    retention: 30d\n",
    good: "tiers:\n  primary:\n    retention: 720h\n",
    fix: "Use Go durations (`720h`, not `30d`) and the tiers primary, queue, cache and cable.",
    check: None,
};
