use crate::diag::{Severity, Sink};
use crate::project::Project;
use crate::rules::{Area, Rule};
use crate::runner::env::condition_holds;
use crate::runner::Kind;

pub static RULE: Rule = Rule {
    id: "A002",
    name: "replication-never-started",
    severity: Severity::Warning,
    area: Area::Runner,
    summary: "Litestream is installed (the gem, or a binary in the image), but nothing starts replication in production.",
    what: "When no runner starts replication: reports the litestream gem without `plugin :litestream` in config/puma.rb or a `litestream:replicate` task in a Procfile, the entrypoint script or a Kamal role's `cmd`, and a Dockerfile that installs Litestream while nothing runs `litestream replicate`. When the Puma plugin line depends on a condition on the environment (`plugin :litestream if ENV[\"X\"] == \"true\"`), evaluates it with the app's environment from deploy.yml and the Dockerfile, and reports when it is false in production, or when `ENV.fetch(\"X\")` without a default raises because nothing sets `X`.",
    why: "Installing Litestream does not back anything up: something has to run `litestream replicate` for as long as the app runs. A Puma plugin line behind an environment switch that production never sets looks right in review and replicates nothing; `ENV.fetch` without a default stops Puma from booting at all.",
    bad: "# config/puma.rb\nplugin :litestream if ENV[\"LITESTREAM_ENABLED\"] == \"true\"\n# config/deploy.yml sets no LITESTREAM_ENABLED\n",
    good: "# config/puma.rb\nplugin :litestream\n",
    fix: "Start replication in production: `plugin :litestream` in config/puma.rb (for the gem), or `litestream replicate` in the entrypoint; if it depends on a variable, set that variable in config/deploy.yml's `env`.",
    check: Some(check),
};

fn check(p: &Project, out: &mut Sink) {
    if p.litestream_root().is_none() || p.model.runners.iter().any(|r| r.starts()) {
        return;
    }
    for r in &p.model.runners {
        match (&r.start, r.kind) {
            (None, Kind::Gem) => out.report(
                r.found.loc,
                "the litestream gem is installed, but nothing starts replication: no `plugin :litestream` in config/puma.rb, and no `litestream:replicate` in a Procfile, the entrypoint or a role's `cmd`",
                "Add `plugin :litestream` to config/puma.rb (it runs Litestream next to Puma), or run `bin/rails litestream:replicate` as a process of its own.",
            ),
            (None, Kind::Image) => out.report(
                r.found.loc,
                "the Dockerfile installs Litestream, but nothing in the image starts `litestream replicate`",
                "Start it from the entrypoint, e.g. `exec litestream replicate -exec \"./bin/rails server\"`, or as a process in the Procfile.",
            ),
            (Some(start), _) => {
                for c in &r.conditions {
                    match condition_holds(&c.text, &p.app_env) {
                        Err(name) => out.report(
                            c.loc,
                            format!("`{}` raises KeyError when `{name}` is not set, and nothing sets it in production: Puma does not boot", c.text),
                            format!("Set `{name}` in config/deploy.yml's `env`, or give `ENV.fetch` a default (`ENV.fetch(\"{name}\", \"\")`)."),
                        ),
                        Ok(Some(false)) => out.report(
                            c.loc,
                            format!("`{}` is false in production (from config/deploy.yml's `env` and the Dockerfile), so `{}` never starts replication", c.text, start.text),
                            "Set the variable the condition reads in config/deploy.yml's `env`, or drop the condition.",
                        ),
                        _ => {}
                    }
                }
            }
            _ => {}
        }
    }
}
