//! What `verify` prints passes through [`Secrets::scrub`] first: Litestream's messages and our
//! own. It removes every credential value this run knows (from the process environment and the
//! expanded config) and the userinfo of URLs. The whole rendered report goes through it once
//! more before it is printed, so one function guards every byte of output.

/// Environment variables that hold credentials whatever the config says.
const ALWAYS: &[&str] = &[
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_SECURITY_TOKEN",
    "LITESTREAM_ACCESS_KEY_ID",
    "LITESTREAM_SECRET_ACCESS_KEY",
    "LITESTREAM_AZURE_ACCOUNT_KEY",
];

/// Shorter values are not scrubbed: they would turn ordinary words into `[redacted]`.
const MIN_SECRET: usize = 4;

pub const REDACTED: &str = "[redacted]";

#[derive(Debug, Default, Clone)]
pub struct Secrets {
    values: Vec<String>,
}

impl Secrets {
    /// The credential values of the process environment, plus the variables the config reads
    /// into credential keys (`names`).
    pub fn from_env<'a>(names: impl IntoIterator<Item = &'a str>) -> Secrets {
        let mut s = Secrets::default();
        for n in ALWAYS.iter().copied().chain(names) {
            if let Ok(v) = std::env::var(n) {
                s.add(&v);
            }
        }
        s
    }

    pub fn add(&mut self, value: &str) {
        let v = value.trim();
        if v.chars().count() >= MIN_SECRET && !self.values.iter().any(|x| x == v) {
            self.values.push(v.to_string());
            // Longest first, so that a secret containing another is removed whole.
            self.values.sort_by_key(|x| std::cmp::Reverse(x.len()));
        }
    }

    /// `text` without any known secret (also in its JSON-escaped form) and without URL userinfo.
    pub fn scrub(&self, text: &str) -> String {
        let mut out = strip_userinfo(text);
        for v in &self.values {
            if out.contains(v.as_str()) {
                out = out.replace(v.as_str(), REDACTED);
            }
            let escaped = serde_json::to_string(v).unwrap_or_default();
            let escaped = escaped.trim_matches('"');
            if escaped != v && out.contains(escaped) {
                out = out.replace(escaped, REDACTED);
            }
        }
        out
    }
}

/// `scheme://user:pass@host` → `scheme://[redacted]@host`.
fn strip_userinfo(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find("://") {
        let (head, tail) = rest.split_at(i + 3);
        out.push_str(head);
        let authority_end = tail
            .find(|c: char| c == '/' || c == '?' || c == '#' || c.is_whitespace() || c == '"' || c == '\'')
            .unwrap_or(tail.len());
        let authority = &tail[..authority_end];
        match authority.rfind('@') {
            Some(at) => {
                out.push_str(REDACTED);
                out.push_str(&authority[at..]);
            }
            None => out.push_str(authority),
        }
        rest = &tail[authority_end..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn removes_values_and_userinfo() {
        let mut s = Secrets::default();
        s.add("abcd/efgh\"ij");
        s.add("KEYID123");
        s.add("ab");
        let t = s.scrub("key KEYID123 secret abcd/efgh\"ij json \"abcd/efgh\\\"ij\" ab");
        assert_eq!(t, "key [redacted] secret [redacted] json \"[redacted]\" ab");
        assert_eq!(
            s.scrub("Get \"https://user:pw@s3.example.com/b?x=1\": refused; s3://bucket/path"),
            "Get \"https://[redacted]@s3.example.com/b?x=1\": refused; s3://bucket/path"
        );
    }
}
