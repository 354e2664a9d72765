//! The one layer every output passes through before it leaves the process: `check` text and
//! JSON (and any other renderer), the hook's reasons and context, the Bash guard's reasons,
//! `init`'s messages and diffs.
//!
//! Rules quote what they find, and what they find may be a secret that someone pasted into the
//! wrong place. Instead of trusting each rule to remember, [`Redactor::clean`] finds secrets in the
//! finished text and replaces each with its length and a hint (`[redacted: 40 chars, AWS secret
//! key]`), never a piece of it. It recognises:
//!
//! - every literal value read from the project's secrets files, and every value of a
//!   credential-bearing key in its YAML files (also when a message cut it short);
//! - URL userinfo (`s3://KEY:SECRET@bucket`) and `USER:PASSWORD` after `-u`/`--user` (curl, wget);
//! - assignments and options whose name says credential (`AWS_SECRET_ACCESS_KEY=…`,
//!   `password: …`, `--password=…`, `--secret-key …`, `Bearer …`);
//! - values shaped like access keys or secrets (AWS, Backblaze B2, Cloudflare R2, DigitalOcean)
//!   and generic high-entropy tokens.
//!
//! It also escapes control characters (terminal escape sequences, bidi overrides) so that text
//! from a hostile file cannot rewrite the user's terminal.

use std::borrow::Cow;
use std::fmt::Write as _;
use std::path::Path;

use crate::project::{Overrides, Project};
use crate::yaml::{Kind, Node};

/// Known values shorter than this are not registered: they would hide ordinary words.
const MIN_KNOWN: usize = 4;
/// Known values at least this long are found anywhere, and so are pieces of them this long.
const MIN_PIECE: usize = 8;
/// Generic tokens shorter than this are never called random.
const MIN_TOKEN: usize = 20;

/// Finds and replaces secrets in text. Build one per output from what the project holds
/// ([`Redactor::for_project`]); [`Redactor::patterns`] knows no values, only shapes.
#[derive(Debug, Clone, Default)]
pub struct Redactor {
    /// Literal secret values, longest first.
    known: Vec<String>,
}

impl Redactor {
    /// Recognises secrets by their shape and context only.
    pub fn patterns() -> Redactor {
        Redactor::default()
    }

    /// Recognises these values too (the caller read them from a secrets file or a credential key).
    pub fn with_known(values: impl IntoIterator<Item = String>) -> Redactor {
        let mut known: Vec<String> = values
            .into_iter()
            .map(|v| v.trim().to_string())
            .filter(|v| v.chars().count() >= MIN_KNOWN && !is_reference(v))
            .collect();
        known.sort_by(|a, b| b.len().cmp(&a.len()).then_with(|| a.cmp(b)));
        known.dedup();
        Redactor { known }
    }

    /// Every literal value of the project's secrets files, and of credential-bearing keys and
    /// `env.secret` entries (where a name belongs) in its YAML files.
    pub fn for_project(p: &Project) -> Redactor {
        let mut values: Vec<String> = Vec::new();
        for s in &p.secrets {
            values.extend(s.lines.iter().filter(|l| !l.is_reference()).map(|l| l.value.clone()));
        }
        let trees = [p.litestream.as_ref(), p.deploy.as_ref(), p.database.as_ref()]
            .into_iter()
            .flatten()
            .chain(p.destinations.iter().map(|(_, l)| l));
        for loaded in trees {
            if let Some(root) = &loaded.root {
                credential_values(root, &mut values);
            }
        }
        Redactor::with_known(values)
    }

    /// The redactor for the app at `root` (the guard and `init` print about an app they did not
    /// load as a [`Project`]). Reads the files the way `check` does: bounded, regular files only.
    pub fn for_app(root: Option<&Path>) -> Redactor {
        match root {
            Some(r) if r.is_dir() => Redactor::for_project(&Project::load_app(r, "", &Overrides::new())),
            _ => Redactor::patterns(),
        }
    }

    /// Redacts secrets and escapes control characters: the form for anything a person or Claude reads.
    pub fn clean(&self, text: &str) -> String {
        escape_controls(&self.redact(text)).into_owned()
    }

    /// Replaces every secret with `[redacted: N chars, hint]`.
    pub fn redact<'t>(&self, text: &'t str) -> Cow<'t, str> {
        let mut spans: Vec<Span> = Vec::new();
        self.known_spans(text, &mut spans);
        url_spans(text, &mut spans);
        assignment_spans(text, &mut spans);
        user_option_spans(text, &mut spans);
        shape_spans(text, &mut spans);
        if spans.is_empty() {
            return Cow::Borrowed(text);
        }
        spans.sort_by_key(|s| (s.start, std::cmp::Reverse(s.end)));
        let mut out = String::with_capacity(text.len());
        let mut at = 0;
        let mut i = 0;
        while i < spans.len() {
            let (start, mut end, hint) = (spans[i].start, spans[i].end, spans[i].hint);
            i += 1;
            while i < spans.len() && spans[i].start < end {
                end = end.max(spans[i].end);
                i += 1;
            }
            if start < at {
                continue;
            }
            out.push_str(&text[at..start]);
            let _ = write!(out, "[redacted: {} chars, {hint}]", text[start..end].chars().count());
            at = end;
        }
        out.push_str(&text[at..]);
        Cow::Owned(out)
    }

    fn known_spans(&self, text: &str, spans: &mut Vec<Span>) {
        const HINT: &str = "a value from the project's secrets";
        for k in &self.known {
            let long = k.chars().count() >= MIN_PIECE;
            for (i, _) in text.match_indices(k.as_str()) {
                let end = i + k.len();
                if long || (boundary_before(text, i) && boundary_after(text, end)) {
                    spans.push(Span::new(i, end, HINT));
                }
            }
        }
        // A message that cut a value short still must not show the piece it kept.
        if self.known.iter().any(|k| k.chars().count() >= MIN_PIECE) {
            for (start, end) in runs(text, |c| !c.is_whitespace() && !"`\"'…=:,()[]{}<>".contains(c)) {
                let piece = &text[start..end];
                if piece.chars().count() >= MIN_PIECE && self.known.iter().any(|k| k.contains(piece)) {
                    spans.push(Span::new(start, end, HINT));
                }
            }
        }
    }
}

/// Is this text what a secret is *not*: a reference to one (`$VAR`, `${VAR}`, `$(command)`, ERB)?
pub fn is_reference(v: &str) -> bool {
    let v = v.trim();
    if v.starts_with("<%") || v.contains(crate::yaml::ERB_CHAR) || v.starts_with("[redacted") {
        return true;
    }
    if let Some(rest) = v.strip_prefix("${") {
        return rest.ends_with('}') && !rest[..rest.len() - 1].contains(['$', '}']);
    }
    if let Some(rest) = v.strip_prefix("$(") {
        return rest.ends_with(')');
    }
    v.strip_prefix('$').is_some_and(is_env_name)
}

/// A shell/env variable name (`LITESTREAM_ACCESS_KEY_ID`).
fn is_env_name(s: &str) -> bool {
    let mut c = s.chars();
    c.next().is_some_and(|f| f.is_ascii_alphabetic() || f == '_') && c.all(|x| x.is_ascii_alphanumeric() || x == '_')
}

/// Does this key, variable or option name say that its value is a credential?
pub fn is_credential_name(name: &str) -> bool {
    let n: String = name
        .trim_start_matches('-')
        .chars()
        .map(|c| match c {
            '-' | '.' => '_',
            c => c.to_ascii_lowercase(),
        })
        .collect();
    if crate::litestream::keys::is_credential_key(&n.replace('_', "-")) {
        return true;
    }
    const WORDS: [&str; 12] = [
        "secret",
        "password",
        "passwd",
        "passphrase",
        "token",
        "credential",
        "private",
        "access_key",
        "accesskey",
        "account_key",
        "api_key",
        "apikey",
    ];
    WORDS.iter().any(|w| n.contains(w))
        || n.ends_with("_key")
        || n.ends_with("_key_id")
        || n == "key"
        || n == "pass"
        || n == "pwd"
}

/// Collects the literal values of credential-bearing keys, and `env.secret` items that are not
/// variable names (a secret pasted where its name belongs).
fn credential_values(node: &Node, out: &mut Vec<String>) {
    match &node.kind {
        Kind::Scalar(_) => {}
        Kind::Seq(items) => items.iter().for_each(|n| credential_values(n, out)),
        Kind::Map(entries) => {
            for e in entries {
                let key = e.key.as_str().unwrap_or("");
                match &e.value.kind {
                    Kind::Scalar(s) if is_credential_name(key) && !e.value.is_null() => out.push(s.value.clone()),
                    Kind::Seq(items) if key == "secret" => {
                        for item in items {
                            if let Some(v) = item.as_str() {
                                // Kamal 2 accepts `NAME` and `NAME:ALIAS`.
                                if !v.split(':').all(is_env_name) {
                                    out.push(v.to_string());
                                }
                            }
                        }
                    }
                    _ => credential_values(&e.value, out),
                }
                if let Kind::Scalar(s) = &e.key.kind {
                    // A key that is itself a secret (dotenv text pasted into YAML).
                    if let Some((k, v)) = s.value.split_once('=') {
                        if is_credential_name(k.trim()) {
                            out.push(v.to_string());
                        }
                    }
                }
            }
        }
    }
}

#[derive(Debug, Clone, Copy)]
struct Span {
    start: usize,
    end: usize,
    hint: &'static str,
}

impl Span {
    fn new(start: usize, end: usize, hint: &'static str) -> Span {
        Span { start, end, hint }
    }
}

fn boundary_before(text: &str, i: usize) -> bool {
    text[..i].chars().next_back().is_none_or(|c| !c.is_alphanumeric())
}

fn boundary_after(text: &str, i: usize) -> bool {
    text[i..].chars().next().is_none_or(|c| !c.is_alphanumeric())
}

/// Maximal runs of characters that satisfy `keep`, as byte ranges.
fn runs(text: &str, keep: impl Fn(char) -> bool) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in text.char_indices() {
        match (keep(c), start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                out.push((s, i));
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        out.push((s, text.len()));
    }
    out
}

/// `scheme://user:password@host`: the whole userinfo goes (the user part is often the key ID).
fn url_spans(text: &str, spans: &mut Vec<Span>) {
    for (i, _) in text.match_indices("://") {
        let scheme_ok = text[..i].chars().next_back().is_some_and(|c| c.is_ascii_alphanumeric());
        if !scheme_ok {
            continue;
        }
        let auth_start = i + 3;
        let rest = &text[auth_start..];
        let auth_len = rest
            .find(|c: char| c.is_whitespace() || "/?#`\"'<>()[]{}|\\".contains(c))
            .unwrap_or(rest.len());
        let authority = &rest[..auth_len];
        if let Some(at) = authority.rfind('@') {
            if at > 0 && (authority[..at].contains(':') || is_random(&authority[..at])) {
                spans.push(Span::new(auth_start, auth_start + at, "URL credentials"));
            }
        }
    }
}

/// `-u USER:PASSWORD`, `--user USER:PASSWORD`, `--user=…`, `--proxy-user …` (curl's and wget's
/// way of passing a login): the password goes.
fn user_option_spans(text: &str, spans: &mut Vec<Span>) {
    for opt in ["-u ", "--user ", "--user=", "--proxy-user ", "--proxy-user="] {
        for (i, _) in text.match_indices(opt) {
            // A whole word: ` -u`, not `--no-u` or `a-u`.
            if text[..i]
                .chars()
                .next_back()
                .is_some_and(|c| !c.is_whitespace() && !"\"'`(".contains(c))
            {
                continue;
            }
            let Some((start, end)) = value_at(text, i + opt.len(), false) else {
                continue;
            };
            let Some(colon) = text[start..end].find(':') else {
                continue;
            };
            let secret = &text[start + colon + 1..end];
            if secret.is_empty() || is_reference(secret) {
                continue;
            }
            spans.push(Span::new(start + colon + 1, end, "credential"));
        }
    }
}

/// `NAME=value`, `name: value`, `--name=value`, `--name value` and `Bearer value`, when the name
/// says credential and the value is not a reference.
fn assignment_spans(text: &str, spans: &mut Vec<Span>) {
    let name_char = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '.';
    let bytes = text.as_bytes();
    for (i, c) in text.char_indices() {
        let sep = match c {
            '=' => "=",
            ':' if bytes.get(i + 1) == Some(&b' ') => ": ",
            ' ' => " ",
            _ => continue,
        };
        let name_start = text[..i]
            .char_indices()
            .rev()
            .take_while(|(_, c)| name_char(*c))
            .last()
            .map_or(i, |(j, _)| j);
        let name = &text[name_start..i];
        if name.is_empty() {
            continue;
        }
        let is_flag = name.starts_with("--");
        // `name: value` is YAML only at the start of a line or inside backquotes; elsewhere it
        // is prose ("rotate the key: it is in git history").
        if sep == ": " {
            let before = text[..name_start].trim_end_matches([' ', '\t', '-']);
            if !(before.is_empty() || before.ends_with(['\n', '`', '{', ','])) {
                continue;
            }
        }
        let credential = match sep {
            // Only options take their value after a space, and `Bearer`/`Basic` their token.
            " " => (is_flag && is_credential_name(name)) || name == "Bearer" || name == "Basic",
            _ => is_credential_name(name),
        };
        if !credential {
            continue;
        }
        let vstart = i + sep.len();
        let Some((start, end)) = value_at(text, vstart, sep == ": ") else {
            continue;
        };
        let value = &text[start..end];
        if value.is_empty() || is_reference(value) || value.starts_with('-') || value == "…" {
            continue;
        }
        // After a space, a short word is prose ("pass --password to it"), not a password.
        if sep == " " && value.chars().count() < 4 {
            continue;
        }
        // `password: KAMAL_REGISTRY_PASSWORD` names a secret; it is not one.
        if sep != " " && is_env_name(value) && value.bytes().all(|b| !b.is_ascii_lowercase()) && !digit_rich(value) {
            continue;
        }
        spans.push(Span::new(start, end, "credential"));
    }
}

/// Three digits or more: `AKIA…` keys are upper-case too, but names rarely hold digits.
fn digit_rich(s: &str) -> bool {
    s.bytes().filter(u8::is_ascii_digit).count() >= 3
}

/// The value that starts at `at`: quoted, or up to a space, a quote or a backquote. `line`: YAML
/// style, where a plain value runs to the end of the line.
fn value_at(text: &str, at: usize, line: bool) -> Option<(usize, usize)> {
    let rest = text.get(at..)?;
    let first = rest.chars().next()?;
    if first == '"' || first == '\'' {
        let body = &rest[1..];
        let end = body.find(first).unwrap_or(body.len());
        return Some((at + 1, at + 1 + end));
    }
    // A command substitution or `${…}` is one value, spaces and all.
    for (open, close) in [("$(", ')'), ("${", '}'), ("<%", '>')] {
        if rest.starts_with(open) {
            let mut depth = 0usize;
            for (i, c) in rest.char_indices() {
                if c == '(' || c == '{' {
                    depth += 1;
                } else if c == close || c == '}' || c == ')' {
                    depth = depth.saturating_sub(1);
                    if depth == 0 && c == close {
                        return Some((at, at + i + 1));
                    }
                }
            }
            return Some((at, text.len()));
        }
    }
    let stop = |c: char| {
        c == '`' || c == '"' || c == '\'' || c == '\n' || (!line && (c.is_whitespace() || ";&|,)".contains(c)))
    };
    let mut end = rest.find(stop).unwrap_or(rest.len());
    // A sentence's final period, comma or a trailing ellipsis is not part of the value.
    while end > 0 && rest[..end].ends_with(['.', ' ']) {
        end -= 1;
    }
    Some((at, at + end))
}

/// Access keys and secrets recognised by their shape.
fn shape_spans(text: &str, spans: &mut Vec<Span>) {
    let token_char = |c: char| c.is_ascii_alphanumeric() || "+/=_-".contains(c);
    for (run_start, run_end) in runs(text, token_char) {
        // `NAME=value` is judged by its parts, so that the name stays readable.
        let mut part_start = run_start;
        for part in text[run_start..run_end].split('=') {
            shape_part(text, part_start, part, spans);
            part_start += part.len() + 1;
        }
    }
}

fn shape_part(text: &str, start: usize, part: &str, spans: &mut Vec<Span>) {
    if part.is_empty() {
        return;
    }
    // An image digest (`@sha256:<hex>`) is an address, not a secret.
    let digest = |at: usize| text[..at].ends_with("sha256:");
    if let Some(hint) = whole_shape(part) {
        if !(hint == "hex key" && digest(start)) {
            spans.push(Span::new(start, start + part.len(), hint));
        }
        return;
    }
    aws_key_ids(part, start, spans);
    // Paths are split at `/` so that `/rails/storage/…` is judged by its parts.
    let mut seg_start = start;
    for seg in part.split('/') {
        if let Some(hint) = whole_shape(seg).or_else(|| is_random(seg).then_some("random-looking token")) {
            if !(hint == "hex key" && digest(seg_start)) {
                spans.push(Span::new(seg_start, seg_start + seg.len(), hint));
            }
        }
        seg_start += seg.len() + 1;
    }
}

/// The providers' key formats, matched against a whole run.
fn whole_shape(t: &str) -> Option<&'static str> {
    let n = t.len();
    let all = |f: fn(u8) -> bool| t.bytes().all(f);
    let b64 = |b: u8| b.is_ascii_alphanumeric() || b == b'+' || b == b'/';
    let hex = |b: u8| b.is_ascii_digit() || (b'a'..=b'f').contains(&b);
    let mixed = t.bytes().any(|b| b.is_ascii_uppercase())
        && t.bytes().any(|b| b.is_ascii_lowercase())
        && t.bytes().any(|b| b.is_ascii_digit());
    if ["dop_v1_", "doo_v1_", "dor_v1_"].iter().any(|p| t.starts_with(p)) && n >= 40 {
        return Some("DigitalOcean token");
    }
    if n == 20 && t.starts_with("DO") && all(|b| b.is_ascii_uppercase() || b.is_ascii_digit()) && digit_rich(t) {
        return Some("DigitalOcean Spaces key");
    }
    if n == 31 && t.starts_with('K') && t[1..4].bytes().all(|b| b.is_ascii_digit()) && all(b64) {
        return Some("Backblaze B2 application key");
    }
    if (24..=26).contains(&n) && t.starts_with("00") && all(hex) {
        return Some("Backblaze B2 key ID");
    }
    if n >= 32 && all(hex) && t.bytes().any(|b| b.is_ascii_digit()) && t.bytes().any(|b| b.is_ascii_lowercase()) {
        return Some("hex key");
    }
    if (n == 40 || n == 43 || n == 44) && all(b64) && mixed {
        return Some("secret key");
    }
    None
}

/// AWS access key IDs: a four-letter kind prefix and 16 upper-case letters or digits.
fn aws_key_ids(run: &str, offset: usize, spans: &mut Vec<Span>) {
    const PREFIXES: [&str; 12] = [
        "AKIA", "ASIA", "ABIA", "ACCA", "AGPA", "AIDA", "AIPA", "ANPA", "ANVA", "AROA", "APKA", "ASCA",
    ];
    let b = run.as_bytes();
    let mut i = 0;
    while i + 20 <= b.len() {
        let body_ok = b[i + 4..i + 20]
            .iter()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit());
        if PREFIXES.iter().any(|p| run[i..].starts_with(p)) && body_ok {
            spans.push(Span::new(offset + i, offset + i + 20, "AWS access key ID"));
            i += 20;
        } else {
            i += 1;
        }
    }
}

/// A generic high-entropy token: long, mixing letters and digits the way random text does (words,
/// names and paths switch between letters and digits rarely).
fn is_random(s: &str) -> bool {
    let n = s.chars().count();
    if n < MIN_TOKEN || !s.is_ascii() {
        return false;
    }
    let class = |b: u8| match b {
        b'A'..=b'Z' => 0,
        b'a'..=b'z' => 1,
        b'0'..=b'9' => 2,
        _ => 3,
    };
    let mut seen = [false; 4];
    let mut switches = 0;
    let mut prev = None;
    let mut counts = [0usize; 128];
    for b in s.bytes() {
        let c = class(b);
        seen[c] = true;
        if prev.is_some_and(|p| p != c) {
            switches += 1;
        }
        prev = Some(c);
        counts[b as usize] += 1;
    }
    let alnum_classes = seen[..3].iter().filter(|x| **x).count();
    if alnum_classes < 2 || !seen[2] {
        return false;
    }
    // Words joined by `-` or `_` (`custom-endpoint-on-early-v05`, `x86_64`) are names.
    if seen[3] && s.split(['-', '_', '=', '+']).all(word_like) {
        return false;
    }
    let entropy: f64 = counts
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| {
            let p = c as f64 / n as f64;
            -p * p.log2()
        })
        .sum();
    switches * 10 >= n * 3 && entropy >= 3.5
}

/// One part of a name: a single case of letters, with at most one switch to or from digits
/// (`early`, `v05`, `x86`, `2024`, `EC2`).
fn word_like(part: &str) -> bool {
    let upper = part.bytes().any(|b| b.is_ascii_uppercase());
    let lower = part.bytes().any(|b| b.is_ascii_lowercase());
    let switches = part
        .as_bytes()
        .windows(2)
        .filter(|w| w[0].is_ascii_digit() != w[1].is_ascii_digit())
        .count();
    !(upper && lower) && switches <= 2
}

/// Control characters become visible escapes (`\x1b`, `\u{202e}`). Newlines and tabs stay, and
/// so does the `\r` of a `\r\n` line end.
pub fn escape_controls(text: &str) -> Cow<'_, str> {
    let bad = |c: char| {
        (c.is_control() && c != '\n' && c != '\t' && c != '\r')
            || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200e}' | '\u{200f}' | '\u{061c}')
    };
    let lone_cr = text
        .match_indices('\r')
        .any(|(i, _)| text.as_bytes().get(i + 1) != Some(&b'\n'));
    if !lone_cr && !text.chars().any(bad) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\r' && chars.peek() == Some(&'\n') {
            out.push(c);
        } else if c == '\r' || bad(c) {
            if (c as u32) < 0x80 {
                let _ = write!(out, "\\x{:02x}", c as u32);
            } else {
                let _ = write!(out, "\\u{{{:04x}}}", c as u32);
            }
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const AWS_ID: &str = "AKIAPROBEKEY1234ABCD";
    const AWS_SECRET: &str = "Zq8sW2xkP9vLm3NbR7tYc4Hd6Jf1Ga5Ke0Uo2Ii9";

    fn p(s: &str) -> String {
        Redactor::patterns().redact(s).into_owned()
    }

    #[test]
    fn url_userinfo_goes_whole() {
        let out = p(&format!(
            "endpoint `https://{AWS_ID}:{AWS_SECRET}@s3.example.com` is set"
        ));
        assert_eq!(
            out,
            "endpoint `https://[redacted: 61 chars, URL credentials]@s3.example.com` is set"
        );
        assert_eq!(p("ssh deploy@192.0.2.10"), "ssh deploy@192.0.2.10");
        assert_eq!(p("https://s3.example.com/a@b"), "https://s3.example.com/a@b");
    }

    #[test]
    fn logins_after_user_options() {
        assert_eq!(
            p("curl -u admin:Sup3rS3cret https://x/"),
            "curl -u admin:[redacted: 11 chars, credential] https://x/"
        );
        assert_eq!(
            p("wget --user=me:hunter22 x"),
            "wget --user=me:[redacted: 8 chars, credential] x"
        );
        assert_eq!(
            p("curl --proxy-user 'me:a b' x"),
            "curl --proxy-user 'me:[redacted: 3 chars, credential]' x"
        );
        assert_eq!(p("curl -u \"me:$PASSWORD\" x"), "curl -u \"me:$PASSWORD\" x");
        assert_eq!(p("ps -u root"), "ps -u root");
        assert_eq!(p("git log --no-u x:y"), "git log --no-u x:y");
    }

    #[test]
    fn assignments_and_options() {
        assert_eq!(p("-e SECRET=hunter2 x"), "-e SECRET=[redacted: 7 chars, credential] x");
        assert_eq!(
            p("mc --password=hunter22"),
            "mc --password=[redacted: 8 chars, credential]"
        );
        assert_eq!(
            p("x --secret-key 'a b c' y"),
            "x --secret-key '[redacted: 5 chars, credential]' y"
        );
        assert_eq!(
            p("`password: swordfish`"),
            "`password: [redacted: 9 chars, credential]`"
        );
        assert_eq!(
            p("Authorization: Bearer abc.def"),
            "Authorization: Bearer [redacted: 7 chars, credential]"
        );
        // References and names of secrets stay.
        for keep in [
            "LITESTREAM_SECRET_ACCESS_KEY=$LITESTREAM_SECRET_ACCESS_KEY",
            "X_TOKEN=$(kamal secrets extract X_TOKEN $SECRETS)",
            "Write `secret-access-key: ${LITESTREAM_SECRET_ACCESS_KEY}`",
            "password: KAMAL_REGISTRY_PASSWORD",
            "pass --password to it",
            "`secret-access-key` holds a literal credential (40 characters, not shown).",
        ] {
            assert_eq!(p(keep), keep);
        }
    }

    #[test]
    fn provider_key_shapes() {
        for (key, hint) in [
            (AWS_ID, "AWS access key ID"),
            (AWS_SECRET, "secret key"),
            ("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "secret key"),
            ("K005Zq8sW2xkP9vLm3NbR7tYc4Hd6Jf", "Backblaze B2 application key"),
            ("005d1e2f3a4b5c60000000003", "Backblaze B2 key ID"),
            ("3f2a9c7e1b5d4f6a8c0e2b4d6f8a1c3e", "hex key"),
            ("DO00QWE7RTY8UIO9PASD", "DigitalOcean Spaces key"),
            ("aB3dE5fG7hJ9kL1mN2pQ4rS6tU8vW0xY", "random-looking token"),
        ] {
            let out = p(&format!("value `{key}` here"));
            assert!(!out.contains(key), "{key}: {out}");
            assert!(out.contains(hint), "{key}: {out}");
            assert!(out.contains(&format!("{} chars", key.len())), "{key}: {out}");
        }
    }

    #[test]
    fn ordinary_text_is_left_alone() {
        for keep in [
            "/rails/storage/production_cache.sqlite3",
            "litestream/litestream:0.5.17",
            "litestream/litestream@sha256:3f2a9c7e1b5d4f6a8c0e2b4d6f8a1c3e3f2a9c7e1b5d4f6a8c0e2b4d6f8a1c3e",
            "LITESTREAM_SECRET_ACCESS_KEY",
            "shopfront-backups-2024-eu-central-1",
            "ProductionCache2024Backups",
            "https://s3.eu-central-1.amazonaws.com",
            "s3://shopfront-backups/production",
            "config/deploy.staging.yml:12:7: error[K011]",
            "custom-endpoint-on-early-v05",
            "py3-none-manylinux_2_12_x86_64",
            "AWS_EC2_METADATA_DISABLED=true",
            "rotate the key: it is in git history",
            ".kamal/secrets: references only",
        ] {
            assert_eq!(p(keep), keep);
        }
    }

    #[test]
    fn known_values_and_their_pieces() {
        let r = Redactor::with_known(["plover-quagmire".to_string(), "ab".to_string(), "$X".to_string()]);
        assert_eq!(
            r.redact("got plover-quagmire and `plover-quag…`"),
            "got [redacted: 15 chars, a value from the project's secrets] and `[redacted: 11 chars, a value from the project's secrets]…`"
        );
        // Too short to register, and references are not secrets.
        assert_eq!(r.redact("ab $X"), "ab $X");
        let short = Redactor::with_known(["tiger".to_string()]);
        assert_eq!(
            short.redact("tiger tigers"),
            "[redacted: 5 chars, a value from the project's secrets] tigers"
        );
    }

    #[test]
    fn redaction_is_idempotent() {
        let once = p(&format!("s3://{AWS_ID}:{AWS_SECRET}@b and SECRET={AWS_SECRET}"));
        assert_eq!(p(&once), once);
    }

    #[test]
    fn control_characters_are_escaped() {
        assert_eq!(
            escape_controls("a\x1b[31mb\u{202e}c\r\nd\re"),
            "a\\x1b[31mb\\u{202e}c\r\nd\\x0de"
        );
        assert!(matches!(escape_controls("plain\ttext\n"), Cow::Borrowed(_)));
    }
}
