//! Word expansion as far as it can be done without running anything: quote removal, escapes,
//! tilde, known variables (with `${X:-default}`), brace expansion. What cannot be known (an
//! unset variable, `$(…)`, `$((…))`) becomes [`DYN`], and a command substitution's text is handed
//! back so that the walker checks the command it runs.

use std::collections::HashMap;

use brush_parser::word::{self, BraceExpressionMember, BraceExpressionOrText, ParameterExpr, WordPiece};

use super::glob;
use super::shell;

/// Stands for text the guard cannot know. Never appears in real command lines.
pub const DYN: char = '\u{1}';
// Brace expansion is capped; beyond it the word is kept as one pattern.
use crate::limits::MAX_BRACE;

/// Shell variables known at this point of the command line.
pub type Vars = HashMap<String, String>;

/// One argument after expansion.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Arg {
    /// The text, with [`DYN`] where it is unknown. Quoted wildcards are plain characters.
    pub text: String,
    /// A glob pattern for the same argument: active wildcards, escaped literals, `*` for DYN.
    pub pat: String,
}

impl Arg {
    pub fn lit(s: &str) -> Arg {
        Arg {
            text: s.to_string(),
            pat: glob::escape(s),
        }
    }

    /// True when part of it is unknown.
    pub fn dynamic(&self) -> bool {
        self.text.contains(DYN)
    }

    /// True when it names files by pattern (wildcards or unknown parts).
    pub fn wild(&self) -> bool {
        glob::is_pattern(&self.pat)
    }

    /// The text as shown in messages (unknown parts as `…`).
    pub fn show(&self) -> String {
        self.text.replace(DYN, "…")
    }

    pub fn is(&self, s: &str) -> bool {
        self.text == s
    }
}

/// What expansion found besides the words: command substitutions to check.
#[derive(Debug, Default)]
pub struct Found {
    pub substs: Vec<String>,
}

pub struct Expander<'a> {
    pub vars: &'a Vars,
    /// `$HOME` where it is known (local commands).
    pub home: Option<&'a str>,
}

#[derive(Default)]
struct Build {
    text: String,
    pat: String,
}

impl Build {
    fn lit(&mut self, s: &str, quoted: bool) {
        if s.contains(DYN) {
            // Text that was unknown before this shell read it (a payload built at run time).
            for (i, part) in s.split(DYN).enumerate() {
                if i > 0 {
                    self.unknown();
                }
                self.lit(part, quoted);
            }
            return;
        }
        self.text.push_str(s);
        if quoted {
            self.pat.push_str(&glob::escape(s));
        } else {
            // Unquoted text keeps its wildcards; a backslash was already removed by the parser's
            // escape handling, so what is left is literal or a wildcard.
            self.pat.push_str(s);
        }
    }

    fn unknown(&mut self) {
        self.text.push(DYN);
        self.pat.push('*');
    }

    /// A known value (e.g. a variable's): its text, and its pattern as it was built.
    fn value(&mut self, v: &Arg, quoted: bool) {
        self.text.push_str(&v.text);
        if quoted {
            // Inside quotes a value's wildcards are literal, but its unknown parts stay unknown.
            for c in v.text.chars() {
                if c == DYN {
                    self.pat.push('*');
                } else {
                    self.pat.push_str(&glob::escape(&c.to_string()));
                }
            }
        } else {
            self.pat.push_str(&v.pat);
        }
    }
}

impl Expander<'_> {
    /// Expands one raw word into its arguments (several after brace expansion).
    pub fn expand(&self, raw: &str, found: &mut Found) -> Vec<Arg> {
        braces(raw).into_iter().map(|w| self.one(&w, found)).collect()
    }

    /// Expands one raw word that brace expansion does not apply to (assignment values).
    pub fn one(&self, raw: &str, found: &mut Found) -> Arg {
        let mut b = Build::default();
        match word::parse(raw, &shell::options()) {
            Ok(pieces) => {
                for p in pieces {
                    self.piece(&p.piece, false, &mut b, found);
                }
            }
            Err(_) => {
                // Not a word brush can read: keep it as literal text, minus quote characters.
                let plain: String = raw.chars().filter(|c| !matches!(c, '"' | '\'')).collect();
                b.lit(&plain, true);
            }
        }
        Arg {
            text: b.text,
            pat: b.pat,
        }
    }

    fn piece(&self, p: &WordPiece, quoted: bool, b: &mut Build, found: &mut Found) {
        match p {
            WordPiece::Text(s) => b.lit(s, quoted),
            WordPiece::SingleQuotedText(s) => b.lit(s, true),
            WordPiece::AnsiCQuotedText(s) => b.lit(&ansi_c(s), true),
            WordPiece::DoubleQuotedSequence(inner) | WordPiece::GettextDoubleQuotedSequence(inner) => {
                for q in inner {
                    self.piece(&q.piece, true, b, found);
                }
            }
            WordPiece::TildeExpansion(t) => match (t, self.home) {
                (word::TildeExpr::Home, Some(h)) => b.lit(h, true),
                _ => b.unknown(),
            },
            WordPiece::ParameterExpansion(e) => self.parameter(e, quoted, b, found),
            WordPiece::CommandSubstitution(s) => {
                found.substs.push(s.clone());
                self.substituted(s, quoted, b);
            }
            WordPiece::BackquotedCommandSubstitution(s) => {
                let s = unbackquote(s);
                self.substituted(&s, quoted, b);
                found.substs.push(s);
            }
            WordPiece::EscapeSequence(s) => {
                let c = s.strip_prefix('\\').unwrap_or(s);
                if quoted && !c.starts_with(['$', '`', '"', '\\', '\n']) {
                    // Inside double quotes, `\a` stays `\a`.
                    b.lit(s, true);
                } else if c != "\n" {
                    b.lit(c, true);
                }
            }
            WordPiece::ArithmeticExpression(_) => b.unknown(),
        }
    }

    fn parameter(&self, e: &ParameterExpr, quoted: bool, b: &mut Build, found: &mut Found) {
        let named = |p: &word::Parameter| match p {
            word::Parameter::Named(n) => self.vars.get(n.as_str()),
            word::Parameter::Positional(n) => self.vars.get(n.to_string().as_str()),
            _ => None,
        };
        match e {
            ParameterExpr::Parameter {
                parameter,
                indirect: false,
            } => match named(parameter) {
                Some(v) => b.value(&self.as_arg(v), quoted),
                None => b.unknown(),
            },
            ParameterExpr::UseDefaultValues {
                parameter,
                indirect: false,
                default_value,
                ..
            }
            | ParameterExpr::AssignDefaultValues {
                parameter,
                indirect: false,
                default_value,
                ..
            } => match named(parameter) {
                Some(v) => b.value(&self.as_arg(v), quoted),
                // Unset: the default is what runs (or, if it is set in the environment, something
                // the guard cannot see; the default is the better guess and is what the text says).
                None => match default_value {
                    Some(d) => {
                        let v = self.one(d, found);
                        b.value(&v, quoted);
                    }
                    None => b.unknown(),
                },
            },
            _ => b.unknown(),
        }
    }

    /// The output of `$(text)` where it is known without running anything, else unknown.
    /// Unquoted output that would be split into several words stays unknown.
    fn substituted(&self, text: &str, quoted: bool, b: &mut Build) {
        match self.output_of(text) {
            Some(out) if quoted || !out.contains(char::is_whitespace) => b.value(&self.as_arg(&out), quoted),
            _ => b.unknown(),
        }
    }

    /// What a command prints, for the few that print only what they are given: `echo`,
    /// `printf` with `%s`, `basename`, `dirname`, and `mktemp` (a new name, unknown, in the
    /// directory it is given). Trailing newlines go, as in a command substitution.
    pub fn output_of(&self, text: &str) -> Option<String> {
        let script = shell::parse(text).ok()?;
        let [item] = script.0.as_slice() else { return None };
        if item.background || !item.list.rest.is_empty() {
            return None;
        }
        let [shell::Node::Simple(cmd)] = item.list.first.0.as_slice() else {
            return None;
        };
        if !cmd.redirs.is_empty() || !cmd.procsubs.is_empty() || !cmd.assigns.is_empty() {
            return None;
        }
        let mut found = Found::default();
        let argv: Vec<Arg> = cmd.words.iter().flat_map(|w| self.expand(w, &mut found)).collect();
        if !found.substs.is_empty() {
            return None;
        }
        let (first, args) = argv.split_first()?;
        let name = first.text.rsplit('/').next().unwrap_or("");
        let known = |a: &[Arg]| a.iter().all(|x| !x.dynamic());
        let out = match name {
            "echo" => {
                let mut rest = args;
                while let Some((f, r)) = rest.split_first() {
                    match f.text.as_str() {
                        "-n" | "-E" => rest = r,
                        "-e" => return None,
                        _ => break,
                    }
                }
                known(rest).then(|| rest.iter().map(|a| a.text.as_str()).collect::<Vec<_>>().join(" "))?
            }
            "printf" => {
                let (fmt, rest) = args.split_first()?;
                if !known(args) {
                    return None;
                }
                let fmt = ansi_c(&fmt.text);
                let slots = fmt.matches("%s").count();
                if fmt.replace("%s", "").replace("%%", "").contains('%') || rest.len() > slots.max(1) {
                    return None;
                }
                let mut out = fmt.replace("%%", "\u{0}");
                for i in 0..slots {
                    out = out.replacen("%s", rest.get(i).map_or("", |a| a.text.as_str()), 1);
                }
                out.replace('\u{0}', "%")
            }
            "basename" | "dirname" => {
                let [p] = args else { return None };
                if p.dynamic() {
                    return None;
                }
                let t = p.text.trim_end_matches('/');
                match (name, t.rfind('/')) {
                    ("basename", Some(i)) => t[i + 1..].to_string(),
                    ("basename", None) => t.to_string(),
                    (_, Some(0)) => "/".into(),
                    (_, Some(i)) => t[..i].to_string(),
                    (_, None) => ".".into(),
                }
            }
            "mktemp" => {
                let mut dir = "/tmp".to_string();
                let mut template: Option<&Arg> = None;
                let mut it = args.iter();
                while let Some(a) = it.next() {
                    match a.text.as_str() {
                        "-p" | "--tmpdir" => dir = it.next()?.text.clone(),
                        t if t.starts_with("--tmpdir=") => dir = t["--tmpdir=".len()..].to_string(),
                        t if t.starts_with('-') => {}
                        _ => template = Some(a),
                    }
                }
                match template {
                    Some(t) if t.text.contains('/') => format!("{}{DYN}", t.text.trim_end_matches('X')),
                    Some(t) => format!("{dir}/{}{DYN}", t.text.trim_end_matches('X')),
                    None => format!("{dir}/tmp.{DYN}"),
                }
            }
            _ => return None,
        };
        Some(out.trim_end_matches('\n').to_string())
    }

    fn as_arg(&self, v: &str) -> Arg {
        // Variable values are stored already expanded (text with DYN).
        Arg {
            text: v.to_string(),
            pat: v
                .chars()
                .map(|c| {
                    if c == DYN {
                        "*".to_string()
                    } else {
                        glob::escape(&c.to_string())
                    }
                })
                .collect(),
        }
    }
}

/// Brace expansion (`a{,-wal,-shm}`, `x{1..3}`) of a raw word; quoted braces are left alone by
/// the parser. Falls back to the word itself.
pub fn braces(raw: &str) -> Vec<String> {
    if !raw.contains('{') {
        return vec![raw.to_string()];
    }
    match word::parse_brace_expansions(raw, &shell::options()) {
        Ok(Some(parts)) => {
            let mut out = vec![String::new()];
            if !expand_parts(&parts, &mut out) || out.is_empty() {
                return vec![raw.to_string()];
            }
            out
        }
        _ => vec![raw.to_string()],
    }
}

fn expand_parts(parts: &[BraceExpressionOrText], acc: &mut Vec<String>) -> bool {
    for part in parts {
        match part {
            BraceExpressionOrText::Text(t) => {
                for a in acc.iter_mut() {
                    a.push_str(t);
                }
            }
            BraceExpressionOrText::Expr(members) => {
                let mut alts: Vec<String> = Vec::new();
                for m in members {
                    match m {
                        BraceExpressionMember::Child(c) => {
                            let mut sub = vec![String::new()];
                            if !expand_parts(c, &mut sub) {
                                return false;
                            }
                            alts.extend(sub);
                        }
                        BraceExpressionMember::NumberSequence { start, end, increment } => {
                            let step = increment.unsigned_abs().max(1) as i64;
                            let mut i = *start;
                            while alts.len() <= MAX_BRACE {
                                alts.push(i.to_string());
                                if i == *end {
                                    break;
                                }
                                i = if start <= end {
                                    i.saturating_add(step)
                                } else {
                                    i.saturating_sub(step)
                                };
                                if (start <= end && i > *end) || (start > end && i < *end) {
                                    break;
                                }
                            }
                        }
                        BraceExpressionMember::CharSequence { start, end, .. } => {
                            let (lo, hi) = if start <= end { (*start, *end) } else { (*end, *start) };
                            for c in lo..=hi {
                                if alts.len() > MAX_BRACE {
                                    break;
                                }
                                alts.push(c.to_string());
                            }
                        }
                    }
                }
                if alts.is_empty() || acc.len().saturating_mul(alts.len()) > MAX_BRACE {
                    return false;
                }
                let mut next = Vec::with_capacity(acc.len() * alts.len());
                for a in acc.iter() {
                    for alt in &alts {
                        next.push(format!("{a}{alt}"));
                    }
                }
                *acc = next;
            }
        }
    }
    true
}

/// `$'…'` as bash decodes it: C escapes, octal (`\\057`), hex (`\\x2f`), Unicode (`\\u2f`),
/// control characters (`\\cA`). A NUL ends the string: bash drops the rest of the quoted part
/// (`$'a\\x00b'c` is `ac`).
pub fn ansi_c(s: &str) -> String {
    let mut out = String::new();
    let chars: Vec<char> = s.chars().collect();
    let mut i = 0;
    // Up to `max` digits of `radix` from `i`: the value and how many were read.
    let digits = |i: usize, radix: u32, max: usize| -> (u32, usize) {
        let mut v = 0u32;
        let mut n = 0;
        while n < max {
            match chars.get(i + n).and_then(|c| c.to_digit(radix)) {
                Some(d) => {
                    v = v.saturating_mul(radix).saturating_add(d);
                    n += 1;
                }
                None => break,
            }
        }
        (v, n)
    };
    while i < chars.len() {
        let c = chars[i];
        i += 1;
        if c != '\\' {
            out.push(c);
            continue;
        }
        let Some(&e) = chars.get(i) else {
            out.push('\\');
            break;
        };
        i += 1;
        let code: Option<u32> = match e {
            'a' => Some(7),
            'b' => Some(8),
            'e' | 'E' => Some(0x1b),
            'f' => Some(0xc),
            'n' => Some(10),
            'r' => Some(13),
            't' => Some(9),
            'v' => Some(0xb),
            '0'..='7' => {
                let (v, n) = digits(i - 1, 8, 3);
                i += n - 1;
                Some(v & 0xff)
            }
            'x' | 'u' | 'U' => {
                let max = match e {
                    'x' => 2,
                    'u' => 4,
                    _ => 8,
                };
                let (v, n) = digits(i, 16, max);
                if n == 0 {
                    out.push('\\');
                    out.push(e);
                    continue;
                }
                i += n;
                Some(v)
            }
            'c' => match chars.get(i) {
                Some(&x) => {
                    i += 1;
                    Some((x as u32) & 0x1f)
                }
                None => {
                    out.push_str("\\c");
                    continue;
                }
            },
            '\\' | '\'' | '"' | '?' => Some(e as u32),
            other => {
                // Unknown escapes stay as written.
                out.push('\\');
                out.push(other);
                continue;
            }
        };
        match code {
            Some(0) => break,
            Some(v) => out.push(char::from_u32(v).unwrap_or('\u{fffd}')),
            None => {}
        }
    }
    out
}

fn unbackquote(s: &str) -> String {
    let mut out = String::new();
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\\' && matches!(chars.peek(), Some('`') | Some('\\') | Some('$')) {
            if let Some(n) = chars.next() {
                out.push(n);
            }
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ex(raw: &str, vars: &[(&str, &str)]) -> (Vec<Arg>, Found) {
        let vars: Vars = vars.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        let e = Expander {
            vars: &vars,
            home: Some("/home/dev"),
        };
        let mut f = Found::default();
        (e.expand(raw, &mut f), f)
    }

    fn text(raw: &str) -> String {
        ex(raw, &[]).0[0].text.clone()
    }

    #[test]
    fn quote_removal() {
        assert_eq!(text("\"/a b/c\""), "/a b/c");
        assert_eq!(text("'x'\"y\"z"), "xyz");
        assert_eq!(text("\\rm"), "rm");
        assert_eq!(text("\"litestream restore \\\"/x\\\"\""), "litestream restore \"/x\"");
        assert_eq!(text("~/x"), "/home/dev/x");
        assert_eq!(text("$'a\\tb'"), "a\tb");
        assert_eq!(
            text("$'\\057rails\\x2fstorage/p.sqlite3\\x00junk'"),
            "/rails/storage/p.sqlite3"
        );
        assert_eq!(text("$'a\\0b'c"), "ac");
        assert_eq!(text("$'\\u0041\\cA\\q'"), "A\u{1}\\q");
    }

    #[test]
    fn variables_and_substitutions() {
        let (a, _) = ex("$DB-wal", &[("DB", "/rails/storage/production.sqlite3")]);
        assert_eq!(a[0].text, "/rails/storage/production.sqlite3-wal");
        let (a, _) = ex("\"${DB:-/rails/storage/p.sqlite3}\"", &[]);
        assert_eq!(a[0].text, "/rails/storage/p.sqlite3");
        let (a, f) = ex("$(rm x)/y", &[]);
        assert!(a[0].dynamic() && a[0].wild());
        assert_eq!(f.substs, ["rm x"]);
        let (a, _) = ex("\"$(printf /rails/storage/production.sqlite3)\"", &[]);
        assert_eq!(a[0].text, "/rails/storage/production.sqlite3");
        let (a, _) = ex("\"$(printf '%s-wal' /s/p.sqlite3)\"", &[]);
        assert_eq!(a[0].text, "/s/p.sqlite3-wal");
        let (a, _) = ex("`echo /s/x`", &[]);
        assert_eq!(a[0].text, "/s/x");
        let (a, _) = ex("$(echo a b)", &[]);
        assert!(a[0].dynamic(), "unquoted, it would be two words");
        let (a, _) = ex("\"$(mktemp -d)\"", &[]);
        assert!(a[0].text.starts_with("/tmp/tmp.") && a[0].dynamic());
        let (a, _) = ex("\"$(cat list)\"", &[]);
        assert!(a[0].dynamic() && a[0].pat == "*");
        let (a, _) = ex("'*.sqlite3'", &[]);
        assert!(!a[0].wild());
        let (a, _) = ex("*.sqlite3", &[]);
        assert!(a[0].wild());
    }

    #[test]
    fn brace_expansion() {
        let (a, _) = ex("/s/p.sqlite3{,-wal,-shm}", &[]);
        let t: Vec<_> = a.iter().map(|a| a.text.as_str()).collect();
        assert_eq!(t, ["/s/p.sqlite3", "/s/p.sqlite3-wal", "/s/p.sqlite3-shm"]);
        assert_eq!(braces("'{a,b}'"), ["'{a,b}'"]);
    }
}
