//! `.kamal/secrets*` files: dotenv syntax, read line by line with positions.
//!
//! Kamal parses them with `Dotenv.parse`; `$VAR`, `${VAR}` and `$(command)` are substituted
//! locally. We only need to know, per key, whether the value is a reference or a literal.

use crate::source::Pos;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecretLine {
    pub key: String,
    pub key_pos: Pos,
    pub value: String,
    pub value_pos: Pos,
    /// Single quotes turn substitution off, so `'$X'` is a literal `$X`.
    pub single_quoted: bool,
}

impl SecretLine {
    /// True when the value comes from somewhere else at deploy time (a command, a variable, a
    /// password manager) rather than being written into the file.
    pub fn is_reference(&self) -> bool {
        let v = self.value.trim();
        if v.is_empty() {
            return true;
        }
        if self.single_quoted {
            return false;
        }
        v.contains("$(") || v.contains("`") || has_variable(v) || v.starts_with("kamal secrets")
    }
}

fn has_variable(v: &str) -> bool {
    let b = v.as_bytes();
    b.windows(2)
        .any(|w| w[0] == b'$' && (w[1] == b'{' || w[1] == b'_' || w[1].is_ascii_alphabetic()))
}

/// Parses dotenv text. Lines that are not `KEY=value` assignments are skipped (dotenv does too).
pub fn parse(text: &str) -> Vec<SecretLine> {
    let mut out = Vec::new();
    let mut lines = text.lines().enumerate().peekable();
    while let Some((idx, line)) = lines.next() {
        let indent = line.chars().take_while(|c| c.is_whitespace()).count();
        let body = line.trim_start();
        if body.is_empty() || body.starts_with('#') {
            continue;
        }
        let (body, shift) = match body.strip_prefix("export ") {
            Some(rest) => (
                rest.trim_start(),
                indent + (body.chars().count() - rest.trim_start().chars().count()),
            ),
            None => (body, indent),
        };
        let Some(eq) = body.find(['=', ':']) else {
            continue;
        };
        let key = body[..eq].trim();
        if key.is_empty()
            || !key
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.' || c == '-')
        {
            continue;
        }
        let after = &body[eq + 1..];
        let lead = after.chars().take_while(|c| *c == ' ' || *c == '\t').count();
        let raw = &after[after.char_indices().nth(lead).map_or(after.len(), |(i, _)| i)..];
        let value_col = shift + body[..eq + 1].chars().count() + lead + 1;
        let (value, single_quoted) = match raw.chars().next() {
            Some(q @ ('\'' | '"')) => {
                let mut v = String::new();
                let mut rest = &raw[1..];
                loop {
                    if let Some(end) = rest.find(q) {
                        v.push_str(&rest[..end]);
                        break;
                    }
                    // A quoted value may continue on the next lines.
                    v.push_str(rest);
                    match lines.next() {
                        Some((_, next)) => {
                            v.push('\n');
                            rest = next;
                        }
                        None => break,
                    }
                }
                (v, q == '\'')
            }
            _ => {
                let v = match raw.find(" #") {
                    Some(i) => &raw[..i],
                    None => raw,
                };
                (v.trim_end().to_string(), false)
            }
        };
        out.push(SecretLine {
            key: key.to_string(),
            key_pos: Pos::new(idx + 1, shift + 1),
            value,
            value_pos: Pos::new(idx + 1, value_col),
            single_quoted,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_and_literals() {
        let s = parse(
            "# c\nSECRETS=$(kamal secrets fetch --adapter 1password --from V/I KEY)\nA=$(kamal secrets extract A $SECRETS)\nB=$B\nexport C=\"literal\"\nD='$notvar'\nE=${E}\n",
        );
        let refs: Vec<_> = s.iter().map(|l| (l.key.as_str(), l.is_reference())).collect();
        assert_eq!(
            refs,
            vec![
                ("SECRETS", true),
                ("A", true),
                ("B", true),
                ("C", false),
                ("D", false),
                ("E", true)
            ]
        );
        assert_eq!(s[3].key_pos, Pos::new(5, 8));
        assert_eq!(s[3].value_pos, Pos::new(5, 10));
    }
}
