//! Invocations that fail in confusing ways: the entrypoint doubled or missing, flags after the
//! path, flags of the other Litestream line.

use crate::diag::Severity;
use crate::rules::{Area, Rule};

pub static ENTRYPOINT_MISMATCH: Rule = Rule {
    id: "G006",
    name: "litestream-entrypoint-mismatch",
    severity: Severity::Error,
    area: Area::Bash,
    summary: "`kamal accessory exec litestream \"litestream restore …\"`: the image's entrypoint is already `litestream`.",
    what: "Checks the command given to the Litestream image. `kamal accessory exec` without `--reuse` and `docker run litestream/litestream` keep the image ENTRYPOINT `litestream`, so the command must start with the subcommand (`restore …`). With `--reuse` (`docker exec` into the running container) or `docker exec`, there is no entrypoint and the command must start with `litestream`.",
    why: "`litestream litestream restore …` fails with `unknown command`, and `restore …` through `docker exec` fails with `executable file not found`. Both waste a step in an incident, and the natural reaction — trying variations — is how mistakes happen.",
    bad: "kamal accessory exec litestream \"litestream restore -o /rails/storage/restored.sqlite3 /rails/storage/production.sqlite3\"\n",
    good: "kamal accessory exec litestream \"restore -o /rails/storage/restored.sqlite3 /rails/storage/production.sqlite3\"\nkamal accessory exec --reuse litestream \"litestream databases\"\n",
    fix: "Without `--reuse`, drop the leading `litestream`; with `--reuse` or `docker exec`, keep it.",
    check: None,
};

pub static FLAG_AFTER_PATH: Rule = Rule {
    id: "G007",
    name: "restore-flag-after-path",
    severity: Severity::Error,
    area: Area::Bash,
    summary: "A `litestream restore` flag placed after the database path or replica URL.",
    what: "Finds flags (`-o`, `-timestamp`, `-config`, …) that come after the first positional argument of `litestream restore`.",
    why: "Litestream parses flags with Go's `flag` package, which stops at the first positional argument: `litestream restore /db -o x` fails with `too many arguments`, or worse, restores somewhere other than intended.",
    bad: "litestream restore /rails/storage/production.sqlite3 -o /rails/storage/restored.sqlite3\n",
    good: "litestream restore -o /rails/storage/restored.sqlite3 /rails/storage/production.sqlite3\n",
    fix: "Put every flag before the path or URL.",
    check: None,
};

pub static FLAG_WRONG_VERSION: Rule = Rule {
    id: "G008",
    name: "restore-flag-wrong-version",
    severity: Severity::Error,
    area: Area::Bash,
    summary: "A restore flag that the pinned Litestream version does not have (0.3-only flags on 0.5, and the reverse).",
    what: "When the Litestream version is known from the image tag (the accessory's `image:` in config/deploy.yml, or the image of `docker run`), checks restore flags against it: `-generation`, `-index` and `-replica` exist only in 0.3; `-txid` only in 0.5; `-f`/`-follow-interval` from 0.5.9, `-integrity-check` from 0.5.10, `-force`, `-dry-run` and `-json` from 0.5.12.",
    why: "Go rejects unknown flags with `flag provided but not defined`, so the restore does not run; the copied command from a blog post for the other version is the usual cause.",
    bad: "kamal accessory exec litestream \"restore -generation 1234abcd -o /rails/storage/restored.sqlite3 /rails/storage/production.sqlite3\"   # image 0.5.17\n",
    good: "kamal accessory exec litestream \"restore -timestamp 2026-05-01T12:00:00Z -o /rails/storage/restored.sqlite3 /rails/storage/production.sqlite3\"\n",
    fix: "On 0.5 use `-txid` or `-timestamp` instead of `-generation`/`-index`, and drop `-replica` (one replica per database). On 0.3 use `-generation`/`-index` or `-timestamp` instead of `-txid`.",
    check: None,
};

pub static EXEC_PART_ON_HOST: Rule = Rule {
    id: "G011",
    name: "kamal-exec-part-on-host",
    severity: Severity::Error,
    area: Area::Bash,
    summary: "In `kamal app exec \"a && b\"`, `b` runs on the host: a file step there aimed at the container's paths (deny), or another host command (ask).",
    what: "Follows `kamal app exec` and `kamal accessory exec` (with or without `--reuse`, `-i`) the way Kamal runs them: the words are joined and appended, unquoted, to the `docker run … IMAGE` (or `docker exec … CONTAINER`) line that the host's shell reads, so only the first command runs in the container; what follows `&&`, `;`, `|`, or a redirection runs on the host. A file operation there (`mv`, `cp`, `rm`, `>`, a restore, a Rails task) on a path of the app's container (`/rails/…`, the storage mount, a relative path) is denied; any other command there, except filters of the output (`grep`, `head`, `tail`, `wc`, …), is asked about, so that a pre-approved `kamal accessory exec litestream \"ltx…` never carries a host command through. Each part is also judged where it really runs.",
    why: "The step silently happens somewhere else: `kamal app exec \"mkdir -p /rails/storage/pre-restore && mv /rails/storage/production.sqlite3-wal /rails/storage/pre-restore/\"` makes the directory in a throwaway container and runs `mv` on the host, where that file does not exist; the `-wal` stays beside the database, and the next step restores into a file SQLite then rolls back to the old data.",
    bad: "kamal app exec \"mkdir -p /rails/tmp/export && cp /rails/log/production.log /rails/tmp/export/\"\n",
    good: "kamal app exec \"sh -c 'mkdir -p /rails/tmp/export && cp /rails/log/production.log /rails/tmp/export/'\"\n",
    fix: "Give each step its own `kamal app exec \"…\"`, or wrap the whole line in `sh -c '…'` so that the container's shell reads it.",
    check: None,
};
