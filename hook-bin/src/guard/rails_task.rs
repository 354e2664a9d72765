//! Rails database tasks that destroy what a database holds (`bin/rails db:drop`, `db:reset`,
//! `db:schema:load`, `db:seed:replant`, …), and `bin/rails dbconsole`, which runs the SQL it
//! reads. Which databases they touch depends on the environment (`RAILS_ENV=` before the command
//! or as a task argument, `-e`), and on a `:NAME` suffix (`db:drop:queue`). In production, Rails
//! refuses them (`ActiveRecord::ProtectedEnvironmentError`) unless
//! `DISABLE_DATABASE_ENVIRONMENT_CHECK=1` is set, and only when the database records its
//! environment; the guard treats them as destructive either way.

use super::ops::{base, Op};
use super::words::Arg;

/// A task's base name and what it does to each database it runs on.
const DESTRUCTIVE: [(&str, &str); 12] = [
    ("db:drop", "drops"),
    ("db:reset", "drops and recreates"),
    ("db:migrate:reset", "drops and recreates"),
    ("db:purge", "empties"),
    ("db:schema:load", "reloads the schema into, emptying every table of"),
    ("db:structure:load", "reloads the schema into, emptying every table of"),
    ("db:setup", "loads the schema into, emptying every table of"),
    ("db:seed:replant", "empties every table of"),
    ("db:truncate_all", "empties every table of"),
    ("db:fixtures:load", "replaces tables of"),
    ("db:prepare:reset", "drops and recreates"),
    ("db:test:purge", "empties"),
];

/// One destructive task: what it does and which database (`None`: every database of the env).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Task {
    pub name: String,
    pub what: &'static str,
    pub db: Option<String>,
}

fn task(word: &str) -> Option<Task> {
    // `db:drop`, `db:drop:all`, `db:drop:queue`, `db:drop[arg]`.
    let word = word.split('[').next().unwrap_or(word);
    let (base, what) = DESTRUCTIVE
        .iter()
        .filter(|(t, _)| word == *t || word.strip_prefix(t).is_some_and(|r| r.starts_with(':')))
        .max_by_key(|(t, _)| t.len())?;
    let rest = word[base.len()..].trim_start_matches(':');
    Some(Task {
        name: word.to_string(),
        what,
        db: (!rest.is_empty() && rest != "all").then(|| rest.to_string()),
    })
}

/// The environment a `rails`/`rake` command runs in, when the command says: a `RAILS_ENV=x`
/// argument or `-e x` / `--environment x`.
pub fn env_of(args: &[Arg]) -> Option<String> {
    args.iter()
        .find_map(|a| a.text.strip_prefix("RAILS_ENV=").map(str::to_string))
        .or_else(|| {
            args.windows(2)
                .find(|w| w[0].is("-e") || w[0].is("--environment"))
                .map(|w| w[1].text.clone())
        })
        .or_else(|| {
            args.iter()
                .find_map(|a| a.text.strip_prefix("--environment=").map(str::to_string))
        })
}

/// The destructive tasks of `bin/rails …` / `rake …`, with the environment the command names.
pub fn tasks(argv: &[Arg]) -> (Vec<Task>, Option<String>) {
    let args = &argv[1..];
    (args.iter().filter_map(|a| task(&a.text)).collect(), env_of(args))
}

/// `bin/rails dbconsole|db [--db NAME] [-e ENV]`: which database it opens (default `primary`).
pub fn dbconsole(argv: &[Arg]) -> Option<(String, Option<String>)> {
    if !matches!(base(&argv[0]), "rails") {
        return None;
    }
    let args = &argv[1..];
    if !args.first().is_some_and(|a| a.is("dbconsole") || a.is("db")) {
        return None;
    }
    let db = args
        .windows(2)
        .find(|w| matches!(w[0].text.as_str(), "--db" | "--database"))
        .map(|w| w[1].text.clone())
        .unwrap_or_else(|| "primary".into());
    Some((db, env_of(args)))
}

/// The operations of a Rails command; the walker knows which databases they reach.
pub fn interpret(argv: &[Arg]) -> Vec<Op> {
    let (tasks, env) = tasks(argv);
    tasks
        .into_iter()
        .map(|t| Op::RailsTask {
            task: t,
            env: env.clone(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn argv(s: &str) -> Vec<Arg> {
        s.split_whitespace().map(Arg::lit).collect()
    }

    #[test]
    fn destructive_tasks() {
        let (t, env) = tasks(&argv("bin/rails db:drop:queue RAILS_ENV=production"));
        assert_eq!(t[0].db.as_deref(), Some("queue"));
        assert_eq!(env.as_deref(), Some("production"));
        let (t, _) = tasks(&argv("bin/rails db:schema:load:cache db:migrate"));
        assert_eq!(t.len(), 1);
        assert_eq!(t[0].db.as_deref(), Some("cache"));
        assert_eq!(tasks(&argv("rake db:reset:all")).0[0].db, None);
        assert!(tasks(&argv("bin/rails db:migrate db:seed db:prepare db:create"))
            .0
            .is_empty());
        assert_eq!(tasks(&argv("bin/rails db:seed:replant")).0[0].name, "db:seed:replant");
        assert_eq!(dbconsole(&argv("bin/rails dbconsole --db queue")).unwrap().0, "queue");
        assert_eq!(
            dbconsole(&argv("bin/rails db -e production")).unwrap().1.as_deref(),
            Some("production")
        );
    }
}
