use crate::diag::{Severity, Sink};
use crate::litestream::keys::is_credential_key;
use crate::litestream::walk;
use crate::project::Project;
use crate::rules::{Area, Rule};
use crate::runner::Kind;

pub static RULE: Rule = Rule {
    id: "L016",
    name: "literal-credential",
    severity: crate::diag::Severity::Error,
    area: Area::Litestream,
    summary: "An access key, secret key, password or token written into litestream.yml instead of `${VAR}`.",
    what: "Reports a `url` or `endpoint` that carries a password before its host (`user:password@`), and credential keys (`access-key-id`, `secret-access-key`, `account-key`, `password`, `webdav-password`, `sas-token`, `sse-customer-key`, `token`, `seed`) whose value holds no `$` reference. The value is never printed.",
    why: "litestream.yml is committed to git (and a Kamal accessory's copy is uploaded to the host with mode 755, where every user can read it). Credentials belong in `.kamal/secrets` or Rails credentials and reach Litestream as environment variables. A secret key, password or token is an error; an access key ID alone (which names the key but does not unlock it) is an info.",
    bad: "dbs:\n  - path: /rails/storage/production.sqlite3\n    replica:\n      url: s3://backups/production\n      access-key-id: AKIA…\n      secret-access-key: wJalr…\n",
    good: "dbs:\n  - path: /rails/storage/production.sqlite3\n    replica:\n      url: s3://backups/production\n      access-key-id: ${LITESTREAM_ACCESS_KEY_ID}\n      secret-access-key: ${LITESTREAM_SECRET_ACCESS_KEY}\n",
    fix: "Replace the value with `${LITESTREAM_ACCESS_KEY_ID}` / `${LITESTREAM_SECRET_ACCESS_KEY}` (or another variable), list the name under the accessory's `env.secret`, define it in `.kamal/secrets`, and rotate the leaked key.",
    check: Some(check),
};

fn check(p: &Project, out: &mut Sink) {
    let Some(root) = p.litestream_root() else { return };
    walk(root, &mut |_, map| {
        for e in map.entries().unwrap_or(&[]) {
            if let Some(key) = e.key.as_str().filter(|k| matches!(*k, "url" | "endpoint")) {
                url_userinfo(key, &e.value, out);
                continue;
            }
            let Some(name) = e.key.as_str().filter(|k| is_credential_key(k)) else {
                continue;
            };
            // As written: a `${VAR}` that expands to a value written elsewhere is that file's finding.
            let Some(value) = e.value.written().filter(|v| !v.is_empty() && !e.value.is_null()) else {
                continue;
            };
            if value.contains('$') {
                continue;
            }
            let var = match name {
                "access-key-id" => "LITESTREAM_ACCESS_KEY_ID",
                "secret-access-key" => "LITESTREAM_SECRET_ACCESS_KEY",
                _ => "A_SECRET_NAME",
            };
            let gem = p.model.primary().is_some_and(|r| r.kind == Kind::Gem);
            let how = if gem {
                format!(
                    "set it from Rails credentials in config/initializers/litestream.rb (the gem exports it as {var})"
                )
            } else {
                format!("add {var} to `env.secret` in config/deploy.yml and to .kamal/secrets")
            };
            // An access key ID names the key; the secret is what unlocks it, so only the secret
            // needs rotating.
            if name == "access-key-id" {
                out.report_as(
                    Severity::Info,
                    e.value.loc(),
                    format!("`{name}` is written out ({} characters, not shown); an ID alone unlocks nothing, but it names your storage account to anyone who reads the repository", value.chars().count()),
                    format!("Write `{name}: ${{{var}}}` and {how}."),
                );
            } else {
                out.report_as(
                    Severity::Error,
                    e.value.loc(),
                    format!("`{name}` holds a literal credential ({} characters, not shown); it ends up in git and world-readable on the host", value.chars().count()),
                    format!("Write `{name}: ${{{var}}}`, {how}, and rotate this key."),
                );
            }
        }
    });
}

/// `scheme://user:secret@host…` as written: a password in the URL is a credential in git.
fn url_userinfo(key: &str, value: &crate::yaml::Node, out: &mut Sink) {
    let Some(text) = value.written() else { return };
    let Some((_, rest)) = text.split_once("://") else {
        return;
    };
    let authority = rest.split('/').next().unwrap_or(rest);
    let Some((userinfo, _)) = authority.rsplit_once('@') else {
        return;
    };
    let Some((_, secret)) = userinfo.split_once(':') else {
        return;
    };
    if secret.is_empty() || secret.contains('$') {
        return;
    }
    out.report(
        value.loc(),
        format!("`{key}` carries a password in the URL ({} characters, not shown); it ends up in git and world-readable on the host", secret.chars().count()),
        format!("Remove the credentials from `{key}`, set `access-key-id: ${{LITESTREAM_ACCESS_KEY_ID}}` and `secret-access-key: ${{LITESTREAM_SECRET_ACCESS_KEY}}` from the environment, and rotate this key."),
    );
}
