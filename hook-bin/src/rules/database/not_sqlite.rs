use crate::diag::{Severity, Sink};
use crate::project::Project;
use crate::rails::database::env_dbs;
use crate::rules::{Area, Rule};
use crate::yaml::Node;

pub static RULE: Rule = Rule {
    id: "R005",
    name: "production-not-sqlite",
    severity: Severity::Warning,
    area: Area::Database,
    summary: "litestream.yml backs up SQLite files, but the app's production databases are not SQLite.",
    what: "Takes the databases of config/database.yml for the deployment's Rails environment. Reports the first `dbs` entry of litestream.yml when every one of them names another adapter (`postgresql`, `mysql2`, `trilogy`) and nothing can turn them into SQLite: Gemfile.lock has no `sqlite3` gem, or no entry has a `url:` (a `sqlite3:` URL would override the adapter).",
    why: "Litestream replicates the SQLite files it is given. When production keeps its data in PostgreSQL or MySQL, Rails never writes those files there: Litestream backs up an empty or missing file while the config looks like a backup.",
    bad: "# database.yml: production: {primary: {adapter: postgresql, url: <%= ENV[\"DATABASE_URL\"] %>}}\ndbs:\n  - path: /rails/storage/production.sqlite3\n",
    good: "# PostgreSQL is backed up with its own tools (pg_dump, WAL archiving); no litestream.yml\n",
    fix: "Back up the production database with its own tools and remove litestream.yml and what starts Litestream; or, when the SQLite file is written by something other than Rails' models, add R005 to `ignore:` in config/litestream-guard.yml.",
    check: Some(check),
};

/// The adapter production uses instead of SQLite, when that is certain (see `what`).
pub(crate) fn other_adapter(p: &Project) -> Option<(&str, &Node)> {
    let db = p.database_root()?;
    let entries = env_dbs(db, &p.rails_env);
    let adapters: Vec<(&str, &Node)> = entries
        .iter()
        .filter_map(|d| {
            let a = d.adapter?;
            let s = a.as_str().filter(|_| !a.is_opaque() && !a.is_erb())?;
            Some((s, a))
        })
        .collect();
    // Every entry must name its adapter as plain text, and none may be SQLite.
    if entries.is_empty() || adapters.len() != entries.len() || adapters.iter().any(|(a, _)| a.starts_with("sqlite")) {
        return None;
    }
    let url_may_be_sqlite = match p.app.gemfile_lock.map(|src| &p.file(src).text) {
        Some(text) => crate::app::gems::locked_version(text, "sqlite3").is_some(),
        None => entries.iter().any(|d| d.node.get("url").is_some()),
    };
    (!url_may_be_sqlite).then(|| adapters[0])
}

fn check(p: &Project, out: &mut Sink) {
    let Some(ls) = p.litestream_root() else { return };
    let Some(first) = crate::litestream::dbs(ls).into_iter().next() else {
        return;
    };
    let Some((adapter, at)) = other_adapter(p) else { return };
    out.report(
        first.path.map_or(first.node.loc(), Node::loc),
        format!(
            "production keeps its data in `{adapter}` ({}:{}), not SQLite: Rails never writes this file in production, so Litestream backs up nothing of the app's data",
            p.file(at.loc().src).display,
            at.loc().pos.line
        ),
        format!("Back up the `{adapter}` database with its own tools, and remove litestream.yml and what starts Litestream."),
    );
}
