use crate::diag::{Severity, Sink};
use crate::project::Project;
use crate::rules::deploy::view::{env, is_credential_name, looks_like_aws_key, report_views, Issue};
use crate::rules::{Area, Rule};
use crate::yaml::{Kind, Node};

pub static RULE: Rule = Rule {
    id: "K011",
    name: "credential-in-clear-env",
    severity: Severity::Error,
    area: Area::Deploy,
    summary: "A credential of the Litestream accessory is set under `env.clear` (or a plain `env:` hash) instead of `env.secret`.",
    what: "Reports clear env variables of the accessory whose name says credential (`…SECRET…`, `…PASSWORD…`, `…TOKEN…`, `…ACCESS_KEY…`, `…_KEY`), whose value looks like an AWS access key ID, or that litestream.yml uses for a credential key (`access-key-id: ${X}`). The value is never printed.",
    why: "Kamal passes clear values on the `docker run` command line (`--env NAME=value`): anyone who can run `docker inspect` or `ps` on the host reads them, and deploy.yml itself is committed to git. `env.secret` values go to a mode-0600 env file on the host instead, and come from .kamal/secrets, which reads them from a password manager.",
    bad: "accessories:\n  litestream:\n    env:\n      clear:\n        LITESTREAM_ACCESS_KEY_ID: AKIA…\n",
    good: "accessories:\n  litestream:\n    env:\n      secret:\n        - LITESTREAM_ACCESS_KEY_ID\n        - LITESTREAM_SECRET_ACCESS_KEY\n",
    fix: "Move the name to `env.secret`, define it in .kamal/secrets (e.g. `$(kamal secrets extract …)`), and rotate the key: it is in git history.",
    check: Some(check),
};

fn check(p: &Project, out: &mut Sink) {
    let mut cred_vars = Vec::new();
    if let Some(root) = p.litestream_root() {
        credential_variables(root, &mut cred_vars);
    }
    report_views(p, out, |v, issues| {
        for acc in v.accessories() {
            for (k, val) in env(acc.node).clear {
                let Some(name) = k.as_str() else { continue };
                let value = val.as_str().unwrap_or("");
                if val.is_null() || value.is_empty() {
                    continue;
                }
                let used_as = cred_vars.iter().any(|c| c == name);
                if !(is_credential_name(name) || looks_like_aws_key(value) || used_as) {
                    continue;
                }
                issues.push(Issue::new(
                    k.loc(),
                    name,
                    format!("`{name}` is a credential under `env.clear` (value not shown): Kamal passes it on the `docker run` command line, where `docker inspect` and `ps` show it, and deploy.yml is in git"),
                    format!("Move `{name}` to `env.secret`, define it in .kamal/secrets from your password manager, and rotate the key."),
                ));
            }
        }
    });
}

/// Variables litestream.yml puts into credential keys (`secret-access-key: ${X}` gives `X`).
fn credential_variables(n: &Node, out: &mut Vec<String>) {
    match &n.kind {
        Kind::Map(entries) => {
            for e in entries {
                let cred = e.key.as_str().is_some_and(crate::litestream::keys::is_credential_key);
                match e.value.as_str() {
                    Some(s) if cred => {
                        for part in s.split('$').skip(1) {
                            let name: String = part
                                .trim_start_matches('{')
                                .chars()
                                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                                .collect();
                            if !name.is_empty() {
                                out.push(name);
                            }
                        }
                    }
                    _ => credential_variables(&e.value, out),
                }
            }
        }
        Kind::Seq(items) => items.iter().for_each(|i| credential_variables(i, out)),
        Kind::Scalar(_) => {}
    }
}
