use crate::source::{Loc, Pos};

/// How a scalar was written. Plain scalars are the only ones YAML resolves to bool/int/null.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    Plain,
    SingleQuoted,
    DoubleQuoted,
    Block,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Scalar {
    pub value: String,
    pub style: Style,
    /// The scalar held an ERB tag (`<%= … %>`) before masking: its value is unknown until Kamal renders it.
    pub erb: bool,
    /// The text as written, when Litestream's `$VAR` expansion changed it (`value` is then the expanded text).
    pub written: Option<String>,
    /// The value depends on a variable whose value the project does not say: unknown until run time.
    pub unknown: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub key: Node,
    pub value: Node,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Kind {
    Scalar(Scalar),
    Seq(Vec<Node>),
    Map(Vec<Entry>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub kind: Kind,
    pub pos: Pos,
    /// An explicit tag such as `!!str`, kept because it changes how a plain scalar resolves.
    pub tag: Option<String>,
    /// Which loaded file the node came from (an index into the project's file table), so that a
    /// tree merged from several files (Kamal destinations) still points at the right file.
    pub src: u16,
}

impl Node {
    pub fn loc(&self) -> Loc {
        Loc {
            src: self.src,
            pos: self.pos,
        }
    }

    pub fn scalar(&self) -> Option<&Scalar> {
        match &self.kind {
            Kind::Scalar(s) => Some(s),
            _ => None,
        }
    }

    /// The text of a scalar, whatever its style (null scalars give their written form, e.g. "").
    pub fn as_str(&self) -> Option<&str> {
        self.scalar().map(|s| s.value.as_str())
    }

    pub fn entries(&self) -> Option<&[Entry]> {
        match &self.kind {
            Kind::Map(e) => Some(e),
            _ => None,
        }
    }

    pub fn items(&self) -> Option<&[Node]> {
        match &self.kind {
            Kind::Seq(v) => Some(v),
            _ => None,
        }
    }

    /// The last entry with this key, as YAML loaders keep the last of duplicate keys.
    pub fn entry(&self, key: &str) -> Option<&Entry> {
        self.entries()?.iter().rev().find(|e| e.key.as_str() == Some(key))
    }

    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entry(key).map(|e| &e.value)
    }

    /// A plain `~`, `null`, `Null`, `NULL` or empty scalar.
    pub fn is_null(&self) -> bool {
        match &self.kind {
            Kind::Scalar(s) => {
                s.style == Style::Plain
                    && self.tag.is_none()
                    && matches!(s.value.as_str(), "" | "~" | "null" | "Null" | "NULL")
            }
            _ => false,
        }
    }

    pub fn is_plain(&self) -> bool {
        matches!(&self.kind, Kind::Scalar(s) if s.style == Style::Plain && self.tag.is_none())
    }

    /// A boolean as YAML 1.1 loaders resolve it (yaml.v2 in Litestream, Psych in Kamal):
    /// `yes`/`no`/`on`/`off` count too. Quoted text is never a boolean.
    pub fn as_bool(&self) -> Option<bool> {
        if !self.is_plain() {
            return None;
        }
        match self.as_str()? {
            "true" | "True" | "TRUE" | "yes" | "Yes" | "YES" | "on" | "On" | "ON" | "y" | "Y" => Some(true),
            "false" | "False" | "FALSE" | "no" | "No" | "NO" | "off" | "Off" | "OFF" | "n" | "N" => Some(false),
            _ => None,
        }
    }

    /// A plain decimal integer (with optional sign and `_` separators, as YAML 1.1 allows).
    pub fn as_int(&self) -> Option<i64> {
        if !self.is_plain() {
            return None;
        }
        let s = self.as_str()?.replace('_', "");
        let digits = s.strip_prefix(['-', '+']).unwrap_or(&s);
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        s.parse().ok()
    }

    /// A plain float such as `1.5` or `.5` (YAML 1.1 float syntax, simplified).
    pub fn is_float(&self) -> bool {
        if !self.is_plain() {
            return false;
        }
        let Some(s) = self.as_str() else { return false };
        let s = s.strip_prefix(['-', '+']).unwrap_or(s);
        let (a, b) = match s.split_once('.') {
            Some(p) => p,
            None => return false,
        };
        (!a.is_empty() || !b.is_empty())
            && a.bytes().all(|c| c.is_ascii_digit() || c == b'_')
            && b.bytes().all(|c| c.is_ascii_digit())
    }

    pub fn is_erb(&self) -> bool {
        matches!(&self.kind, Kind::Scalar(s) if s.erb)
    }

    /// The value is not known here: it comes from an ERB tag or from a variable whose value the
    /// project does not say. Rules judge no such value.
    pub fn is_opaque(&self) -> bool {
        matches!(&self.kind, Kind::Scalar(s) if s.erb || s.unknown)
    }

    /// The scalar as the user wrote it (before `$VAR` expansion).
    pub fn written(&self) -> Option<&str> {
        match &self.kind {
            Kind::Scalar(s) => Some(s.written.as_deref().unwrap_or(&s.value)),
            _ => None,
        }
    }

    /// A short word for what this node is, for messages ("a mapping", "a list", "the text \"x\"").
    pub fn describe(&self) -> String {
        match &self.kind {
            Kind::Map(_) => "a mapping".into(),
            Kind::Seq(_) => "a list".into(),
            Kind::Scalar(_) if self.is_null() => "an empty value".into(),
            // Quoted whole or not at all: a cut-off piece of a pasted secret would slip past the
            // redaction that finds whole values.
            Kind::Scalar(s) if s.value.chars().count() <= 40 && !s.value.contains('\n') => format!("`{}`", s.value),
            Kind::Scalar(s) => format!("a text of {} characters", s.value.chars().count()),
        }
    }
}
