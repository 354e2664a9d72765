use crate::diag::{Severity, Sink};
use crate::kamal::view::rails_dbs;
use crate::project::Project;
use crate::rails::database::Resolved;
use crate::rules::{Area, Rule};

pub static RULE: Rule = Rule {
    id: "R004",
    name: "database-path-not-evaluated",
    severity: Severity::Info,
    area: Area::Database,
    summary: "A database path in config/database.yml is built with ERB that cannot be evaluated here, so its backup is not checked.",
    what: "Evaluates the ERB of each `database:` value for the deployment's Rails environment: `Rails.env`, `ENV[\"X\"]`, `ENV.fetch(\"X\", \"default\")`, `ENV.fetch(\"X\") { \"default\" }`, `ENV[\"X\"] || \"default\"`, string interpolation, `Rails.root.join(…)`. Anything else (a method call, a shell command, a variable whose value only the server knows) leaves the path unknown, and this rule names the databases and the code once.",
    why: "An unknown path cannot be compared with litestream.yml, so whether that database is backed up goes unchecked. Saying so is better than silence: a missing queue database was found this way in real apps whose paths are built with `<%= Rails.env %>`.",
    bad: "production:\n  primary:\n    database: <%= `git branch --show-current`.chomp %>.sqlite3\n",
    good: "production:\n  primary:\n    database: storage/<%= Rails.env %>.sqlite3\n",
    fix: "Nothing to fix if the path is right; to have it checked, build it from `Rails.env` and `ENV.fetch(\"X\", \"default\")`, or set the variable in config/deploy.yml's `env.clear`.",
    check: Some(check),
};

fn check(p: &Project, out: &mut Sink) {
    if p.litestream_root().is_none() {
        return;
    }
    // Those no `dbs` entry can be, whatever their ERB gives, are R001's findings.
    let unmatched: Vec<String> = {
        let views = crate::kamal::view::views(p);
        let mut names: Vec<String> = super::unmatched_patterns(p, None)
            .iter()
            .map(|d| d.name.to_string())
            .collect();
        for v in &views {
            names.extend(super::unmatched_patterns(p, Some(v)).iter().map(|d| d.name.to_string()));
        }
        names
    };
    let unknown: Vec<(String, &crate::yaml::Node, Vec<String>)> = rails_dbs(p)
        .into_iter()
        .filter(|(d, _)| !unmatched.iter().any(|n| n == d.name))
        .filter_map(|(d, r)| match r {
            Resolved::Unknown(code) => Some((d.name.to_string(), d.database?, code)),
            Resolved::Path(_) => None,
        })
        .collect();
    let Some((_, first, _)) = unknown.first() else { return };
    let names: Vec<String> = unknown.iter().map(|(n, _, _)| format!("`{n}`")).collect();
    let mut code: Vec<String> = unknown
        .iter()
        .flat_map(|(_, _, c)| c.iter().map(|c| format!("`<%= {c} %>`")))
        .collect();
    code.dedup();
    out.report(
        first.loc(),
        format!(
            "the path of {} is built with {} which cannot be evaluated here, so whether {} backed up is not checked",
            names.join(", "),
            code.join(", "),
            if names.len() == 1 { "it is" } else { "they are" }
        ),
        "Nothing to fix if litestream.yml lists the file this gives in production. To have it checked, build the path from `Rails.env` and `ENV` values that config/deploy.yml or the Dockerfile set.",
    );
}
