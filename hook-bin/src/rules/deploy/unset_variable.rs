use crate::diag::{Severity, Sink};
use crate::litestream::expand::{references, RefKind, Var};
use crate::litestream::keys::is_credential_key;
use crate::project::Project;
use crate::rules::deploy::view::{env as kamal_env, is_credential_name, report_each, Issue};
use crate::rules::{Area, Rule};
use crate::runner::env::of as env_of;
use crate::runner::Kind as Runner;
use crate::yaml::{Kind, Node};

pub static RULE: Rule = Rule {
    id: "K010",
    name: "unset-config-variable",
    severity: Severity::Error,
    area: Area::Deploy,
    summary: "litestream.yml uses `${VAR}` (or `$VAR`) that nothing sets in the environment Litestream runs with.",
    what: "Premise: the runner (see `check`'s first lines). Collects every `$VAR` and `${VAR}` in litestream.yml's values and looks for what sets each in the process Litestream runs as, per deployment (each Kamal destination): for an accessory, its own `env` (`clear` keys, `secret` names); for the litestream-ruby gem, the variables the gem exports from its settings (`config.litestream.replica_bucket` becomes `LITESTREAM_REPLICA_BUCKET`, and so on), the app's `env` in deploy.yml (root and roles) and the Dockerfile's `ENV`; for a binary in the image, the app's `env` and the Dockerfile's `ENV`. Docker's and Kamal's own variables (`HOSTNAME`, `KAMAL_HOST`, …), and `PID` on Litestream 0.5.7+, count as set. Reported only when every source is known: not without a Kamal config, not when `options` pass `env`/`env-file`, not when a dotenv gem loads `.env` files, not with `-no-expand-env`.",
    why: "Litestream expands variables in the raw config text before parsing it, and an unset variable becomes an empty string, silently: `bucket: ${LITESTREAM_BUCKET}` becomes `bucket:` and Litestream refuses to start (with the gem, its Puma plugin then stops Puma too); an empty `access-key-id` falls back to other credentials or none; an empty `path` writes every database to the bucket root. Accessories do not inherit the app's `env`, and the gem sets its variables only from its own settings.",
    bad: "# litestream.yml: bucket: ${LITESTREAM_BUCKET}\naccessories:\n  litestream:\n    env:\n      secret:\n        - LITESTREAM_ACCESS_KEY_ID\n        - LITESTREAM_SECRET_ACCESS_KEY\n",
    good: "accessories:\n  litestream:\n    env:\n      clear:\n        LITESTREAM_BUCKET: shopfront-backups\n      secret:\n        - LITESTREAM_ACCESS_KEY_ID\n        - LITESTREAM_SECRET_ACCESS_KEY\n",
    fix: "Set the variable where that Litestream gets its environment: the accessory's `env` (`clear:` for plain settings, `secret:` and .kamal/secrets for credentials); with the gem, its setting in config/initializers/litestream.rb (e.g. from Rails credentials) or the app's `env`; with a binary in the image, the app's `env` or the Dockerfile.",
    check: Some(check),
};

fn check(p: &Project, out: &mut Sink) {
    let Some(ls_root) = p.litestream_root() else { return };
    let Some(runner) = p.model.primary().cloned() else {
        return;
    };
    if runner.no_expand_env {
        return;
    }
    let mut uses = Vec::new();
    collect(ls_root, None, &mut uses);
    if uses.is_empty() {
        return;
    }
    let version = p.chosen_version();
    let gem_version = crate::runner::gem::locked(p).map(|(v, _)| v);
    report_each(p, out, |view, issues| {
        let e = env_of(p, &runner, view, version);
        let mut done: Vec<&str> = Vec::new();
        for (node, key, name) in &uses {
            if e.lookup(name) != Var::Unset || done.contains(&name.as_str()) {
                continue;
            }
            done.push(name);
            let count = uses.iter().filter(|(_, _, n)| n == name).count();
            let secret = is_credential_name(name) || key.as_deref().is_some_and(is_credential_key);
            let (sources, help) = match runner.kind {
                Runner::Accessory => {
                    let acc = runner.accessory.as_deref().unwrap_or("litestream");
                    let inherited = view.is_some_and(|v| kamal_env(v.root).provides(name));
                    let sources = if inherited {
                        format!("the `{acc}` accessory's env (the app's `env` sets it, but accessories do not inherit the app's env)")
                    } else {
                        format!("the `{acc}` accessory's env")
                    };
                    let help = if secret {
                        format!(
                            "Add `{name}` to `env.secret` of the `{acc}` accessory and define it in .kamal/secrets."
                        )
                    } else {
                        format!("Add `{name}: <value>` under `env.clear` of the `{acc}` accessory.")
                    };
                    (sources, help)
                }
                Runner::Gem => {
                    let setting = crate::runner::gem::SETTING_VARS
                        .iter()
                        .find(|(_, v)| v == name)
                        .map(|(s, _)| *s);
                    let too_old = setting.filter(|s| !crate::runner::gem::exports(gem_version.as_deref(), s));
                    let setting = setting.filter(|_| too_old.is_none());
                    let sources = match (setting, too_old) {
                        (_, Some(s)) => format!(
                            "the app container: litestream-ruby {} does not export it (its `{s}` setting arrives in 0.13.0), and neither config/deploy.yml's `env` nor the Dockerfile sets it",
                            gem_version.as_deref().unwrap_or("")
                        ),
                        (Some(s), _) => format!("the app container: not by the gem (no `config.litestream.{s}` setting), the app's `env` in config/deploy.yml, or the Dockerfile"),
                        (None, None) => "the app container (the app's `env` in config/deploy.yml, the Dockerfile's `ENV`; the gem sets only its own `LITESTREAM_*` variables)".to_string(),
                    };
                    let help = match setting {
                        None if too_old.is_some() => format!("Update the litestream gem to 0.13.0 or later, or add `{name}` to the app's `env` in config/deploy.yml."),
                        Some(s) => format!("Set `config.litestream.{s}` in config/initializers/litestream.rb (e.g. from Rails credentials), or add `{name}` to the app's `env` in config/deploy.yml."),
                        None if secret => format!("Add `{name}` to the app's `env.secret` in config/deploy.yml and define it in .kamal/secrets."),
                        None => format!("Add `{name}` to the app's `env` in config/deploy.yml."),
                    };
                    (sources, help)
                }
                Runner::Image => {
                    (
                        "the app container (the app's `env` in config/deploy.yml, the Dockerfile's `ENV`)".to_string(),
                        if secret {
                            format!("Add `{name}` to the app's `env.secret` in config/deploy.yml and define it in .kamal/secrets.")
                        } else {
                            format!("Add `{name}` to the app's `env` in config/deploy.yml, or an `ENV` line to the Dockerfile.")
                        },
                    )
                }
            };
            let (consequence, severity) = match key.as_deref() {
                Some("bucket") => (", so `bucket` is empty and Litestream refuses to start", Severity::Error),
                Some("url") => (", so the replica URL loses that part", Severity::Error),
                Some("endpoint") => (", so the replica talks to AWS instead of the configured service", Severity::Error),
                Some("path") => (", so the path is empty", Severity::Error),
                Some(k) if is_credential_key(k) => (", so uploads have no credentials", Severity::Error),
                Some("region") => (
                    ", so Litestream asks S3 for the bucket's region (GetBucketLocation), which fails unless the key may call it",
                    Severity::Warning,
                ),
                _ => ("", Severity::Warning),
            };
            let similar = e
                .vars()
                .map(|(k, _)| k.as_str())
                .find(|k| *k != name && similar_name(k, name));
            let hint = similar.map_or(String::new(), |s| format!("; `{s}` is set: did you mean it?"));
            // A near-namesake that is set is the likely fix: say it first.
            let help = match similar {
                Some(s) => format!("Write `${{{s}}}` instead, if that is the value meant; otherwise: {help}"),
                None => help,
            };
            let more = if count > 1 {
                format!(" (used {count} times)")
            } else {
                String::new()
            };
            issues.push(
                Issue::new(
                    node.loc(),
                    name.clone(),
                    format!("`${{{name}}}`{more} is set by nothing in {sources}: Litestream replaces it with an empty string{consequence}{hint}"),
                    help,
                )
                .with_severity(severity),
            );
        }
    });
}

/// `LITESTREAM_REGION` and `LITESTREAM_REPLICA_REGION`: the same first and last word.
fn similar_name(a: &str, b: &str) -> bool {
    let parts = |s: &str| {
        (
            s.split('_').next().unwrap_or("").to_string(),
            s.rsplit('_').next().unwrap_or("").to_string(),
        )
    };
    a.contains('_') && b.contains('_') && parts(a) == parts(b)
}

/// Every `(scalar, its key, variable name)` in the tree, in document order, from the text as written.
fn collect<'a>(n: &'a Node, key: Option<&'a str>, out: &mut Vec<(&'a Node, Option<String>, String)>) {
    match &n.kind {
        Kind::Scalar(_) => {
            for r in references(n.written().unwrap_or("")) {
                let proper = r.kind == RefKind::Name && !r.name.starts_with(|c: char| c.is_ascii_digit());
                if proper && !out.iter().any(|(o, _, v)| std::ptr::eq(*o, n) && *v == r.name) {
                    out.push((n, key.map(str::to_string), r.name));
                }
            }
        }
        Kind::Seq(items) => items.iter().for_each(|i| collect(i, key, out)),
        Kind::Map(entries) => entries.iter().for_each(|e| collect(&e.value, e.key.as_str(), out)),
    }
}
