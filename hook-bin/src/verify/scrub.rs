//! What `verify` prints passes through [`Secrets`] first: Litestream's messages and our own.
//! It knows every credential value this run holds (from the process environment and the
//! expanded config) and hands them to the one redaction layer, [`crate::redact`], which also
//! finds URL credentials and key shapes. The whole rendered report goes through it once more
//! before it is printed.

use crate::redact::Redactor;

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

    fn redactor(&self) -> Redactor {
        // A value quoted inside JSON (Litestream's logfmt and our report) has its escaped form.
        let escaped = self.values.iter().filter_map(|v| {
            let e = serde_json::to_string(v).ok()?;
            let e = e.trim_matches('"');
            (e != v).then(|| e.to_string())
        });
        Redactor::with_known(self.values.iter().cloned().chain(escaped).collect::<Vec<_>>())
    }

    /// Our own output (it may carry colour codes) with every secret replaced.
    pub fn scrub(&self, text: &str) -> String {
        self.redactor().redact(text).into_owned()
    }

    /// Text quoted from Litestream or the app: secrets replaced, control characters escaped.
    pub fn clean(&self, text: &str) -> String {
        self.redactor().clean(text)
    }
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
        for gone in ["KEYID123", "abcd/efgh"] {
            assert!(!t.contains(gone), "{t}");
        }
        assert!(t.ends_with(" ab"), "{t}");
        let u = s.scrub("Get \"https://user:pw@s3.example.com/b?x=1\": refused; s3://bucket/path");
        assert!(!u.contains("user:pw"), "{u}");
        assert!(
            u.contains("@s3.example.com/b?x=1") && u.ends_with("s3://bucket/path"),
            "{u}"
        );
        assert!(!s.clean("a\x1b[31mb").contains('\x1b'));
    }
}
