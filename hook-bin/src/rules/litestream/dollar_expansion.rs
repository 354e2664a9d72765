use crate::diag::Sink;
use crate::project::Project;
use crate::rules::{Area, Rule};
use crate::yaml::{Kind, Node};

pub static RULE: Rule = Rule {
    id: "L017",
    name: "dollar-mangled-by-env-expansion",
    severity: crate::diag::Severity::Warning,
    area: Area::Litestream,
    summary: "A `$` that Litestream's environment expansion will eat: `$1`, `$$`, `$*`, or `$name` glued inside a longer value.",
    what: "Looks at every value for `$` sequences that Go's `os.Expand` replaces although they look like literal text: a `$` followed by a digit or one of `$ * # @ ! ? -`, an unterminated `${`, and `$name` directly after other characters (as in a password).",
    why: "Litestream expands environment variables in the raw file text before parsing YAML, and unset variables become empty strings. `pa$1word` silently becomes `paword`, `$$` becomes nothing, and `${OOPS` breaks parsing.",
    bad: "dbs:\n  - path: /rails/storage/production.sqlite3\n    replica:\n      url: s3://backups/production\n      secret-access-key: pa$1word\n",
    good: "dbs:\n  - path: /rails/storage/production.sqlite3\n    replica:\n      url: s3://backups/production\n      secret-access-key: ${LITESTREAM_SECRET_ACCESS_KEY}\n",
    fix: "Move values that contain `$` into environment variables referenced as `${NAME}`, or run Litestream with `-no-expand-env`.",
    check: Some(check),
};

fn check(p: &Project, out: &mut Sink) {
    let Some(root) = p.litestream_root() else { return };
    let mut stack: Vec<&Node> = vec![root];
    while let Some(n) = stack.pop() {
        match &n.kind {
            Kind::Map(entries) => stack.extend(entries.iter().map(|e| &e.value)),
            Kind::Seq(items) => stack.extend(items.iter()),
            Kind::Scalar(s) => {
                if let Some(why) = mangled(s.written.as_deref().unwrap_or(&s.value)) {
                    out.report(n.loc(), format!("this value contains {why}, which Litestream's environment expansion replaces before reading the file"), "Put the value in an environment variable and write `${NAME}`, or start Litestream with `-no-expand-env`.");
                }
            }
        }
    }
}

/// Describes the first `$` sequence that expansion would mangle, if any. Secrets are never quoted.
fn mangled(v: &str) -> Option<&'static str> {
    let b = v.as_bytes();
    for i in 0..b.len() {
        if b[i] != b'$' {
            continue;
        }
        match b.get(i + 1) {
            Some(c) if c.is_ascii_digit() => return Some("`$` followed by a digit"),
            Some(b'$' | b'*' | b'#' | b'@' | b'!' | b'?' | b'-') => {
                return Some("`$` followed by a shell special character")
            }
            Some(b'{') if !v[i..].contains('}') => return Some("an unterminated `${`"),
            Some(c) if (c.is_ascii_alphabetic() || *c == b'_') && i > 0 && (b[i - 1].is_ascii_alphanumeric()) => {
                return Some("`$name` inside a longer value")
            }
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::mangled;

    #[test]
    fn cases() {
        assert!(mangled("${LITESTREAM_SECRET_ACCESS_KEY}").is_none());
        assert!(mangled("$HOST").is_none());
        assert!(mangled("s3://b/${KAMAL_HOST}/db").is_none());
        assert!(mangled("pa$1word").is_some());
        assert!(mangled("a$$b").is_some());
        assert!(mangled("pa$sword").is_some());
        assert!(mangled("${OOPS").is_some());
        assert!(mangled("price: 5$").is_none());
    }
}
