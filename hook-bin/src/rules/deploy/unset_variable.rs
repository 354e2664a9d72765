use crate::diag::{Severity, Sink};
use crate::project::Project;
use crate::rules::deploy::view::{
    accessory_version, cmd_words, env, has_flag, is_credential_name, report_views, Issue,
};
use crate::rules::{Area, Rule};
use crate::yaml::{Kind, Node};

pub static RULE: Rule = Rule {
    id: "K010",
    name: "unset-config-variable",
    severity: Severity::Error,
    area: Area::Deploy,
    summary: "litestream.yml uses `${VAR}` (or `$VAR`) that the Litestream accessory's env does not set.",
    what: "Collects every `$VAR` and `${VAR}` in the values of litestream.yml and requires each name in the accessory's env: a key of `env.clear` (or of a plain `env:` hash) or a name in `env.secret` (`NAME` or `NAME:SECRET`). `KAMAL_HOST` (set by Kamal 2.7+), Docker's `HOSTNAME`, `HOME` and `PATH`, and `PID` on Litestream 0.5.7+ count as set. Skipped when `cmd` has `-no-expand-env` or `options` pass `env`/`env-file`.",
    why: "Litestream expands variables in the raw config text before parsing it, and an unset variable becomes an empty string, silently: `bucket: ${LITESTREAM_BUCKET}` becomes `bucket:` and Litestream refuses to start, an empty `access-key-id` falls back to other credentials or none, an empty `path` writes every database to the bucket root. Accessories do not inherit the app's `env`.",
    bad: "# litestream.yml: bucket: ${LITESTREAM_BUCKET}\naccessories:\n  litestream:\n    env:\n      secret:\n        - LITESTREAM_ACCESS_KEY_ID\n        - LITESTREAM_SECRET_ACCESS_KEY\n",
    good: "accessories:\n  litestream:\n    env:\n      clear:\n        LITESTREAM_BUCKET: shopfront-backups\n      secret:\n        - LITESTREAM_ACCESS_KEY_ID\n        - LITESTREAM_SECRET_ACCESS_KEY\n",
    fix: "Add the variable to the accessory's `env`: under `clear:` for plain settings, under `secret:` (and in .kamal/secrets) for credentials.",
    check: Some(check),
};

/// Variables the container has without the accessory's `env` listing them.
const ALWAYS_SET: &[&str] = &["KAMAL_HOST", "HOSTNAME", "HOME", "PATH"];

fn check(p: &Project, out: &mut Sink) {
    let Some(ls_root) = p.litestream_root() else { return };
    let mut uses = Vec::new();
    collect(ls_root, None, &mut uses);
    if uses.is_empty() {
        return;
    }
    report_views(p, out, |v, issues| {
        let app_env = env(&v.root);
        for acc in v.accessories() {
            let e = env(acc.node);
            if e.opaque || cmd_words(acc.node).is_some_and(|(_, w)| has_flag(&w, "no-expand-env")) {
                continue;
            }
            let pid_mapped = accessory_version(p, &acc).v05_at_least(7);
            for (node, key, name) in &uses {
                if e.provides(name) || ALWAYS_SET.contains(&name.as_str()) || (pid_mapped && name == "PID") {
                    continue;
                }
                let inherited = if app_env.provides(name) {
                    " (the app's `env` sets it, but accessories do not inherit the app's env)"
                } else {
                    ""
                };
                let secret =
                    is_credential_name(name) || key.as_deref().is_some_and(crate::litestream::keys::is_credential_key);
                let help = if secret {
                    format!(
                        "Add `{name}` to `env.secret` of the `{}` accessory and define it in .kamal/secrets.",
                        acc.name.as_str().unwrap_or("litestream")
                    )
                } else {
                    format!(
                        "Add `{name}: <value>` under `env.clear` of the `{}` accessory.",
                        acc.name.as_str().unwrap_or("litestream")
                    )
                };
                issues.push(Issue::new(
                    node.loc(),
                    name.clone(),
                    format!("`${{{name}}}` is not set in the Litestream accessory's env{inherited}: Litestream replaces it with an empty string"),
                    help,
                ));
            }
        }
    });
}

/// Every `(scalar, its key, variable name)` in the tree, in document order.
fn collect<'a>(n: &'a Node, key: Option<&'a str>, out: &mut Vec<(&'a Node, Option<String>, String)>) {
    match &n.kind {
        Kind::Scalar(s) => {
            for name in variables(&s.value) {
                if !out.iter().any(|(o, _, v)| std::ptr::eq(*o, n) && *v == name) {
                    out.push((n, key.map(str::to_string), name));
                }
            }
        }
        Kind::Seq(items) => items.iter().for_each(|i| collect(i, key, out)),
        Kind::Map(entries) => entries.iter().for_each(|e| collect(&e.value, e.key.as_str(), out)),
    }
}

/// Variable names as Go's `os.Expand` reads them: `${NAME}` and `$NAME`. Only proper names are
/// returned; `$1`, `$$` and friends are left to the literal-dollar rule.
fn variables(s: &str) -> Vec<String> {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] != b'$' || i + 1 >= b.len() {
            i += 1;
            continue;
        }
        let (name, next) = if b[i + 1] == b'{' {
            match s[i + 2..].find('}') {
                Some(end) => (&s[i + 2..i + 2 + end], i + 3 + end),
                None => ("", b.len()),
            }
        } else if b[i + 1].is_ascii_digit() || b"*#$@!?-".contains(&b[i + 1]) {
            ("", i + 2)
        } else {
            let len = s[i + 1..]
                .bytes()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == b'_')
                .count();
            (&s[i + 1..i + 1 + len], i + 1 + len.max(1))
        };
        let proper = name
            .bytes()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == b'_')
            && name.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'_');
        if proper && !out.iter().any(|o| o == name) {
            out.push(name.to_string());
        }
        i = next;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::variables;

    #[test]
    fn names_as_go_expands_them() {
        assert_eq!(variables("s3://${BUCKET}/$HOST_NAME/x"), vec!["BUCKET", "HOST_NAME"]);
        assert_eq!(variables("pa$$word $1 ${} $"), Vec::<String>::new());
        assert_eq!(variables("${A}${A}"), vec!["A"]);
        assert_eq!(variables("é$Bé"), vec!["B"]);
    }
}
