use crate::diag::{Severity, Sink};
use crate::project::Project;
use crate::rules::deploy::view::{env, opaque, report_views, Issue};
use crate::rules::{Area, Rule};

pub static RULE: Rule = Rule {
    id: "K012",
    name: "undefined-accessory-secret",
    severity: Severity::Error,
    area: Area::Deploy,
    summary: "A name in the Litestream accessory's `env.secret` is not defined in the .kamal/secrets files Kamal reads.",
    what: "Premise: Kamal 2 (Kamal 1 apps, recognised by `minimum_version: 1.x`, `traefik:` or `.env.erb` without `.kamal/secrets`, read secrets from an uncommitted `.env`, and are skipped). For each `env.secret` item (`NAME`, or `NAME:SECRET` where Kamal looks the value up as SECRET), requires a `SECRET=` line in `.kamal/secrets-common` or `.kamal/secrets` (without a destination), or in `.kamal/secrets-common` or `.kamal/secrets.<dest>` for each destination (Kamal does not read plain `.kamal/secrets` then). Skipped when deploy.yml sets `secrets_path`.",
    why: "Kamal stops with `Secret 'NAME' not found` when it boots the accessory, often only on the destination whose secrets file was forgotten. Catching it before the deploy saves a failed `kamal setup` halfway through.",
    bad: "# .kamal/secrets has no LITESTREAM_SECRET_ACCESS_KEY line\naccessories:\n  litestream:\n    env:\n      secret:\n        - LITESTREAM_SECRET_ACCESS_KEY\n",
    good: "# .kamal/secrets\nSECRETS=$(kamal secrets fetch --adapter 1password --account acme --from Deploy/Shopfront LITESTREAM_ACCESS_KEY_ID LITESTREAM_SECRET_ACCESS_KEY)\nLITESTREAM_ACCESS_KEY_ID=$(kamal secrets extract LITESTREAM_ACCESS_KEY_ID $SECRETS)\nLITESTREAM_SECRET_ACCESS_KEY=$(kamal secrets extract LITESTREAM_SECRET_ACCESS_KEY $SECRETS)\n",
    fix: "Add `NAME=$(kamal secrets extract NAME $SECRETS)` (or `NAME=$NAME` from your shell) to the secrets file the message names.",
    check: Some(check),
};

fn check(p: &Project, out: &mut Sink) {
    // Without an app root (single files) we cannot tell a missing secrets file from one not given.
    if p.root.is_none() && p.secrets.is_empty() {
        return;
    }
    // Kamal 1 reads secrets from `.env`, which is not committed: nothing to compare with.
    if crate::kamal::kamal1(p).is_some() {
        return;
    }
    report_views(p, out, |v, issues| {
        if v.root.get("secrets_path").is_some() {
            return;
        }
        for acc in v.accessories() {
            for s in env(acc.node).secret {
                if s.lookup.is_empty() || opaque(&s.lookup) {
                    continue;
                }
                let defined = v.secrets.iter().any(|f| f.lines.iter().any(|l| l.key == s.lookup));
                if defined {
                    continue;
                }
                let alias = if s.lookup != s.name {
                    format!(" (the value of `{}`)", s.name)
                } else {
                    String::new()
                };
                let scope = if v.secrets.is_empty() {
                    format!("neither {} exists", v.secrets_names.join(" nor "))
                } else {
                    format!("looked in {}", v.secrets_names.join(" and "))
                };
                issues.push(
                    Issue::new(
                        s.node.loc(),
                        s.lookup.clone(),
                        format!("secret `{}`{alias} is not defined: Kamal stops with `Secret '{}' not found`", s.lookup, s.lookup),
                        format!("Define it in a file listed (`.kamal/secrets-common` serves every destination): `{0}=$(kamal secrets extract {0} $SECRETS)` or `{0}=${0}`.", s.lookup),
                    )
                    .with_scope(scope),
                );
            }
        }
    });
}
