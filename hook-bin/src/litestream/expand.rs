//! Litestream's environment expansion, as both release lines do it: the raw text of the config
//! file has every `$NAME` and `${NAME}` replaced before YAML sees it (Go's `os.Expand` rules;
//! `-no-expand-env` turns it off). An unset variable becomes the empty string.
//!
//! The rules, restated: `$` followed by letters, digits and `_` names a variable; `${…}` names
//! whatever lies between the braces (so `${X:-d}` looks up a variable called `X:-d`); a `$`
//! followed by a digit or one of `* # $ @ ! ? -` is a one-character name (`$1`, `$$`); `${}` and
//! an unterminated `${` are eaten; a `$` followed by anything else stays as it is.
//!
//! `check` and `verify` both expand through here; only the lookup differs (what the project
//! says a variable holds, or the process environment).

use std::borrow::Cow;

/// What a variable holds where Litestream runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Var<'a> {
    /// The value is known (a literal in deploy.yml `env.clear`, a Dockerfile `ENV`, the process env).
    Known(Cow<'a, str>),
    /// Something sets it, but its value is not known here (a secret, a runtime value).
    Unknown,
    /// Nothing sets it: Litestream sees an empty string.
    Unset,
}

/// How one `$` sequence was read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefKind {
    /// `$NAME` or `${NAME}` with a name made of letters, digits and `_`.
    Name,
    /// `$1`, `$$`, `$*`, … (a one-character special name), or `${…}` holding other characters.
    Odd,
    /// `${}` or an unterminated `${`: the characters are dropped.
    Eaten,
}

/// One `$` sequence in the text: its byte range and the name looked up (empty for [`RefKind::Eaten`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ref {
    pub name: String,
    pub kind: RefKind,
    pub start: usize,
    pub end: usize,
    /// Written as `${…}` (rather than `$NAME`).
    pub braced: bool,
}

/// The result of expanding one text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expansion {
    /// The text Litestream reads, or `None` when a variable's value is unknown here.
    pub value: Option<String>,
    pub refs: Vec<Ref>,
}

impl Expansion {
    /// Names of variables that were looked up (in order, duplicates kept).
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.refs
            .iter()
            .filter(|r| r.kind != RefKind::Eaten)
            .map(|r| r.name.as_str())
    }
}

fn special(c: u8) -> bool {
    matches!(c, b'*' | b'#' | b'$' | b'@' | b'!' | b'?' | b'-' | b'0'..=b'9')
}

fn name_char(c: u8) -> bool {
    c == b'_' || c.is_ascii_alphanumeric()
}

/// Reads the `$` sequence starting at `at` (where `text[at] == '$'`). `None` when the `$` stays.
fn read_ref(text: &str, at: usize) -> Option<Ref> {
    let b = text.as_bytes();
    let rest = &b[at + 1..];
    let first = *rest.first()?;
    let mk = |name: &str, kind, len: usize, braced| Ref {
        name: name.to_string(),
        kind,
        start: at,
        end: at + 1 + len,
        braced,
    };
    if first == b'{' {
        if rest.len() > 2 && special(rest[1]) && rest[2] == b'}' {
            return Some(mk(&text[at + 2..at + 3], RefKind::Odd, 3, true));
        }
        return Some(match rest.iter().position(|&c| c == b'}') {
            Some(1) => mk("", RefKind::Eaten, 2, true),
            Some(close) => {
                let name = &text[at + 2..at + 1 + close];
                let kind = if name.bytes().all(name_char) {
                    RefKind::Name
                } else {
                    RefKind::Odd
                };
                mk(name, kind, close + 1, true)
            }
            None => mk("", RefKind::Eaten, 1, true),
        });
    }
    if special(first) {
        return Some(mk(&text[at + 1..at + 2], RefKind::Odd, 1, false));
    }
    let len = rest.iter().take_while(|&&c| name_char(c)).count();
    (len > 0).then(|| mk(&text[at + 1..at + 1 + len], RefKind::Name, len, false))
}

/// Every `$` sequence of `text` that expansion replaces.
pub fn references(text: &str) -> Vec<Ref> {
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(off) = text[i..].find('$') {
        let at = i + off;
        match read_ref(text, at) {
            Some(r) => {
                i = r.end;
                out.push(r);
            }
            None => i = at + 1,
        }
    }
    out
}

/// Expands `text` as Litestream does, asking `lookup` for each name.
pub fn expand<'v>(text: &str, mut lookup: impl FnMut(&str) -> Var<'v>) -> Expansion {
    let refs = references(text);
    let mut value = Some(String::with_capacity(text.len()));
    let mut last = 0;
    for r in &refs {
        if let Some(v) = value.as_mut() {
            v.push_str(&text[last..r.start]);
        }
        last = r.end;
        if r.kind == RefKind::Eaten {
            continue;
        }
        match lookup(&r.name) {
            Var::Known(s) => {
                if let Some(v) = value.as_mut() {
                    v.push_str(&s);
                }
            }
            Var::Unset => {}
            Var::Unknown => value = None,
        }
    }
    if let Some(v) = value.as_mut() {
        v.push_str(&text[last..]);
    }
    Expansion { value, refs }
}

/// Expands every scalar of a parsed config as Litestream would have expanded the text before
/// parsing it. A scalar whose result is not known becomes opaque (`Scalar::unknown`); the text as
/// written is kept in `Scalar::written` for messages. Where the expanded text would parse as
/// different YAML (a plain scalar that gains `: ` or a leading indicator), the scalar is opaque too:
/// the tree no longer says what Litestream reads.
pub fn expand_tree<'v>(node: &mut crate::yaml::Node, lookup: &dyn Fn(&str) -> Var<'v>) {
    use crate::yaml::{Kind, Style};
    match &mut node.kind {
        Kind::Map(entries) => {
            for e in entries {
                expand_tree(&mut e.value, lookup);
            }
        }
        Kind::Seq(items) => {
            for n in items {
                expand_tree(n, lookup);
            }
        }
        Kind::Scalar(s) => {
            if !s.value.contains('$') {
                return;
            }
            let ex = expand(&s.value, lookup);
            if ex.refs.is_empty() {
                return;
            }
            let changes_yaml = |v: &str| {
                s.style == Style::Plain
                    && (v.contains(": ")
                        || v.contains(" #")
                        || v.contains('\n')
                        || v.starts_with(['[', '{', '&', '*', '!', '|', '>', '\'', '"', '%', '@', '`', '#']))
            };
            match ex.value {
                Some(v) if !changes_yaml(&v) => {
                    s.written = Some(std::mem::replace(&mut s.value, v));
                }
                _ => {
                    s.written = Some(s.value.clone());
                    s.unknown = true;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(name: &str) -> Var<'static> {
        match name {
            "BUCKET" => Var::Known("my-bucket".into()),
            "SECRET" => Var::Unknown,
            "1" | "$" => Var::Unset,
            _ => Var::Unset,
        }
    }

    fn ex(s: &str) -> Option<String> {
        expand(s, env).value
    }

    #[test]
    fn plain_and_braced_names() {
        assert_eq!(ex("s3://$BUCKET/db").as_deref(), Some("s3://my-bucket/db"));
        assert_eq!(ex("s3://${BUCKET}/db").as_deref(), Some("s3://my-bucket/db"));
        assert_eq!(ex("${MISSING}").as_deref(), Some(""));
        assert_eq!(ex("$SECRET"), None);
        assert_eq!(ex("no dollars").as_deref(), Some("no dollars"));
    }

    #[test]
    fn go_corner_cases() {
        // A `$` followed by something that starts no name stays.
        assert_eq!(ex("5$").as_deref(), Some("5$"));
        assert_eq!(ex("a $ b").as_deref(), Some("a $ b"));
        assert_eq!(ex("$/x").as_deref(), Some("$/x"));
        // One-character special names are looked up (and are unset here).
        assert_eq!(ex("pa$1word").as_deref(), Some("paword"));
        assert_eq!(ex("a$$b").as_deref(), Some("ab"));
        assert_eq!(ex("${$}x").as_deref(), Some("x"));
        // `${}` and an unterminated `${` are eaten.
        assert_eq!(ex("a${}b").as_deref(), Some("ab"));
        assert_eq!(ex("a${b").as_deref(), Some("ab"));
        // Anything between braces is the name: shell defaults do not exist.
        assert_eq!(ex("${BUCKET:-other}").as_deref(), Some(""));
        // A name runs as far as letters, digits and `_` go.
        assert_eq!(ex("$BUCKET-x").as_deref(), Some("my-bucket-x"));
        assert_eq!(ex("$BUCKETx").as_deref(), Some(""));
    }

    #[test]
    fn references_are_reported_with_their_kind() {
        let r = references("${A} $B $1 ${} ${C:-d} ${x");
        let kinds: Vec<(&str, RefKind)> = r.iter().map(|r| (r.name.as_str(), r.kind)).collect();
        assert_eq!(
            kinds,
            vec![
                ("A", RefKind::Name),
                ("B", RefKind::Name),
                ("1", RefKind::Odd),
                ("", RefKind::Eaten),
                ("C:-d", RefKind::Odd),
                ("", RefKind::Eaten),
            ]
        );
        assert_eq!((r[0].start, r[0].end, r[0].braced), (0, 4, true));
        assert_eq!((r[1].start, r[1].end, r[1].braced), (5, 7, false));
    }

    #[test]
    fn trees_expand_scalar_by_scalar() {
        let text = "bucket: $BUCKET\nkey: ${SECRET}\nsync-interval: ${INTERVAL}\nodd: x${COLON}\n";
        let mut root = crate::yaml::load(text, &crate::yaml::Options::default())
            .unwrap()
            .unwrap();
        expand_tree(&mut root, &|n: &str| match n {
            "BUCKET" => Var::Known("b".into()),
            "INTERVAL" => Var::Known("5".into()),
            "COLON" => Var::Known(": y".into()),
            "SECRET" => Var::Unknown,
            _ => Var::Unset,
        });
        let b = root.get("bucket").unwrap();
        assert_eq!(
            (b.as_str(), b.written(), b.is_opaque()),
            (Some("b"), Some("$BUCKET"), false)
        );
        assert!(root.get("key").unwrap().is_opaque());
        assert_eq!(root.get("sync-interval").unwrap().as_int(), Some(5));
        assert!(root.get("odd").unwrap().is_opaque());
    }

    #[test]
    fn utf8_text_around_references() {
        assert_eq!(ex("é$BUCKET…").as_deref(), Some("émy-bucket…"));
        assert_eq!(ex("${é}").as_deref(), Some(""));
    }
}
