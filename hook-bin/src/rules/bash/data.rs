//! Destroying what a live database holds, while its file stays: Rails tasks and SQL.

use crate::diag::Severity;
use crate::rules::{Area, Rule};

pub static DESTROY_LIVE_DATA: Rule = Rule {
    id: "G010",
    name: "destroy-live-data",
    severity: Severity::Error,
    area: Area::Bash,
    summary: "A Rails database task or SQL that drops or rewrites a live database (`db:drop`, `db:reset`, `db:schema:load`, `db:seed:replant`, `DROP TABLE`, in-place `VACUUM`).",
    what: "Finds the Rails tasks that drop, purge, reset, reload or truncate databases (`db:drop`, `db:reset`, `db:migrate:reset`, `db:purge`, `db:schema:load`, `db:structure:load`, `db:setup`, `db:seed:replant`, `db:truncate_all`, `db:fixtures:load`, with or without `:NAME` and `DISABLE_DATABASE_ENVIRONMENT_CHECK=1`), run where they reach a live database (`kamal app exec`, `docker exec` into the app, or locally with `RAILS_ENV=production`; in the app's container `RAILS_ENV` is production), SQL sent to a live database by `sqlite3` or `bin/rails dbconsole` that drops a table, deletes every row of one, runs `VACUUM` in place, or takes it out of WAL mode. Denies while the app or Litestream is not known to be stopped; asks when everything is stopped.",
    why: "These destroy data that only the backups still have, and while the app runs they race its writes. An in-place `VACUUM` rewrites the whole file behind Litestream's back and leaving WAL mode stops replication. In production Rails refuses the tasks only when the database records its environment and `DISABLE_DATABASE_ENVIRONMENT_CHECK` is unset, which is not a guard to rely on.",
    bad: "kamal app exec \"bin/rails db:schema:load\" -e DISABLE_DATABASE_ENVIRONMENT_CHECK:1\n",
    good: "kamal app exec \"bin/rails db:migrate:status\"\n",
    fix: "Do not reset a production database to get back to a known state: restore it from the backups with the app stopped. To drop data on purpose, stop the app and Litestream first, keep a copy, and confirm.",
    check: None,
};
