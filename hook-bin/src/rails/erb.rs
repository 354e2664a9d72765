//! The ERB that real apps write in config/database.yml, evaluated the way Rails would for the
//! deployment's RAILS_ENV and environment: `Rails.env`, `ENV["X"]`, `ENV.fetch("X", "d")`,
//! `ENV.fetch("X") { "d" }`, `ENV["X"] || "d"`, string literals with `#{…}`, integers,
//! `Rails.root.join("a", "b")`, and `.to_s`/`.to_i`. Anything else is not evaluated: the value
//! is unknown, and `check` says so once instead of guessing.

use crate::app::ruby::{ruby_value, string_literal, RubyValue};
use crate::litestream::expand::Var;

/// What Rails would see for `ENV[...]` and `Rails.env`.
pub struct Context<'a, 'v> {
    pub rails_env: &'a str,
    /// The Rails root in the container (`Rails.root`).
    pub rails_root: &'a str,
    pub env: &'a dyn Fn(&str) -> Var<'v>,
}

/// The result of one expression.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    Str(String),
    Nil,
}

/// Evaluates one tag's code. `None`: not a form this evaluator knows, or its value is only known
/// when the app runs.
pub fn eval(code: &str, cx: &Context) -> Option<Value> {
    let code = code.trim();
    // `x if cond` binds loosest: nil unless cond holds.
    if let Some((x, cond)) = split_top(code, " if ") {
        return match eval(cond, cx)? {
            Value::Nil => Some(Value::Nil),
            Value::Str(_) => eval(x, cx),
        };
    }
    // `a || b`: the first that is not nil (or false, which these forms never give).
    if let Some((a, b)) = split_top(code, "||") {
        return match eval(a, cx)? {
            Value::Nil => eval(b, cx),
            v => Some(v),
        };
    }
    let code = strip_suffix(code);
    if code == "Rails.env" {
        return Some(Value::Str(cx.rails_env.to_string()));
    }
    if code == "nil" {
        return Some(Value::Nil);
    }
    if !code.is_empty() && code.bytes().all(|b| b.is_ascii_digit()) {
        return Some(Value::Str(code.to_string()));
    }
    if let Some(args) = code.strip_prefix("Rails.root.join(").and_then(|r| r.strip_suffix(')')) {
        let mut out = cx.rails_root.trim_end_matches('/').to_string();
        for a in split_args(args) {
            match eval(a, cx)? {
                Value::Str(s) => {
                    out.push('/');
                    out.push_str(s.trim_matches('/'));
                }
                Value::Nil => return None,
            }
        }
        return Some(Value::Str(out));
    }
    if let Some(v) = uri_path_suffix(code, cx) {
        return v;
    }
    if code.starts_with('"') && code.ends_with('"') && code.len() >= 2 && code.contains("#{") {
        return interpolate(&code[1..code.len() - 1], cx).map(Value::Str);
    }
    if let Some(s) = string_literal(code) {
        return Some(Value::Str(s));
    }
    match ruby_value(code) {
        RubyValue::Env { name, default } => {
            let fetch = code.starts_with("ENV.fetch");
            match (cx.env)(&name) {
                Var::Known(v) => Some(Value::Str(v.into_owned())),
                Var::Unknown => None,
                Var::Unset => match default {
                    Some(d) => Some(Value::Str(d)),
                    // `ENV.fetch("X")` without a default raises: Rails does not boot.
                    None if fetch => None,
                    None => Some(Value::Nil),
                },
            }
        }
        _ => None,
    }
}

/// The dockerfile-rails generator's `URI.parse(ENV["DATABASE_URL"]).tap { |url| url.path +=
/// "_queue" }`: the URL with a suffix on its path. `None`: not this form; `Some(None)`: this
/// form, with a value known only at run time.
fn uri_path_suffix(code: &str, cx: &Context) -> Option<Option<Value>> {
    let rest = code.strip_prefix("URI.parse(")?;
    let mut depth = 1;
    let close = rest.char_indices().find_map(|(i, c)| {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            _ => {}
        }
        (depth == 0).then_some(i)
    })?;
    let (inner, tail) = (&rest[..close], rest[close + 1..].trim());
    let block = tail
        .strip_prefix(".tap")?
        .trim()
        .strip_prefix('{')?
        .strip_suffix('}')?
        .trim();
    let block = block.strip_prefix('|')?;
    let (var, body) = block.split_once('|')?;
    let suffix = body
        .trim()
        .strip_prefix(&format!("{}.path", var.trim()))?
        .trim()
        .strip_prefix("+=")?;
    let suffix = string_literal(suffix.trim())?;
    Some(match eval(inner, cx) {
        Some(Value::Str(url)) => {
            // The path ends where a query or fragment begins.
            let end = url.find(['?', '#']).unwrap_or(url.len());
            Some(Value::Str(format!("{}{suffix}{}", &url[..end], &url[end..])))
        }
        // `URI.parse(nil)` raises: Rails would not boot with this.
        Some(Value::Nil) | None => None,
    })
}

/// `.to_s`, `.to_i`, `.to_str` and surrounding parentheses do not change these values.
fn strip_suffix(code: &str) -> &str {
    let mut c = code.trim();
    loop {
        let before = c;
        for s in [".to_s", ".to_i", ".to_str"] {
            c = c.strip_suffix(s).unwrap_or(c).trim();
        }
        if c.starts_with('(') && c.ends_with(')') && split_top(&c[1..c.len() - 1], ")").is_none() {
            c = c[1..c.len() - 1].trim();
        }
        if c == before {
            return c;
        }
    }
}

fn interpolate(body: &str, cx: &Context) -> Option<String> {
    let mut out = String::new();
    let mut rest = body;
    while let Some(i) = rest.find("#{") {
        out.push_str(&rest[..i]);
        let after = &rest[i + 2..];
        let end = after.find('}')?;
        match eval(&after[..end], cx)? {
            Value::Str(s) => out.push_str(&s),
            Value::Nil => {}
        }
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    (!out.contains('"') && !out.contains('\\')).then_some(out)
}

/// Splits at the first `sep` outside quotes and brackets.
fn split_top<'a>(s: &'a str, sep: &str) -> Option<(&'a str, &'a str)> {
    let mut depth = 0i32;
    let mut quote: Option<char> = None;
    for (i, c) in s.char_indices() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => continue,
            None if c == '"' || c == '\'' => quote = Some(c),
            None if matches!(c, '(' | '[' | '{') => depth += 1,
            None if matches!(c, ')' | ']' | '}') => depth -= 1,
            None if depth == 0 && s[i..].starts_with(sep) => return Some((&s[..i], &s[i + sep.len()..])),
            None => {}
        }
    }
    None
}

fn split_args(s: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = s;
    while let Some((a, b)) = split_top(rest, ",") {
        out.push(a.trim());
        rest = b;
    }
    if !rest.trim().is_empty() {
        out.push(rest.trim());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(name: &str) -> Var<'static> {
        match name {
            "DB_DIR" => Var::Known("/data".into()),
            "SECRET" => Var::Unknown,
            _ => Var::Unset,
        }
    }

    fn ev(code: &str) -> Option<Value> {
        let e = env;
        let cx = Context {
            rails_env: "production",
            rails_root: "/rails",
            env: &e,
        };
        eval(code, &cx)
    }

    fn s(v: &str) -> Option<Value> {
        Some(Value::Str(v.into()))
    }

    #[test]
    fn forms_real_database_ymls_use() {
        assert_eq!(ev("Rails.env"), s("production"));
        assert_eq!(ev("ENV.fetch(\"DB_DIR\") { \"storage\" }"), s("/data"));
        assert_eq!(ev("ENV.fetch(\"MISSING\", \"storage\")"), s("storage"));
        assert_eq!(ev("ENV[\"MISSING\"] || \"storage\""), s("storage"));
        assert_eq!(ev("ENV['MISSING']"), Some(Value::Nil));
        assert_eq!(ev("ENV.fetch(\"MISSING\")"), None);
        assert_eq!(ev("ENV[\"SECRET\"]"), None);
        assert_eq!(ev("ENV.fetch(\"RAILS_MAX_THREADS\") { 5 }"), None);
        assert_eq!(ev("\"storage/#{Rails.env}.sqlite3\""), s("storage/production.sqlite3"));
        assert_eq!(
            ev("Rails.root.join(\"storage\", \"#{Rails.env}.sqlite3\").to_s"),
            s("/rails/storage/production.sqlite3")
        );
        assert_eq!(ev("`git branch --show-current`.chomp || \"development\""), None);
        assert_eq!(ev("5"), s("5"));
        // dockerfile-rails' generated database.yml for SQLite on a volume.
        let tap = "URI.parse(ENV[\"DB_URL\"]).tap { |url| url.path += \"_queue\" } if ENV[\"DB_URL\"]";
        assert_eq!(ev(tap), Some(Value::Nil));
        assert_eq!(ev(&tap.replace("DB_URL", "DB_DIR")), s("/data_queue"));
        assert_eq!(ev(&tap.replace("DB_URL", "SECRET")), None);
    }
}
