//! What Ruby config files (config/puma.rb, initializers, environment files) say about the
//! litestream-ruby gem, read line by line without running anything: the Puma plugin line and the
//! conditions around it, and the gem's settings (`config.litestream.X = …`, `Litestream.X = …`,
//! `Litestream.configure do |c| c.X = … end`).

use crate::source::Pos;

/// A condition a line depends on, as written (`ENV["X"].present?`, `when "production"`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Condition {
    pub text: String,
    pub pos: Pos,
}

/// `plugin :litestream` in config/puma.rb.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PluginLine {
    pub pos: Pos,
    /// Conditions that guard it: a trailing `if`/`unless`, and enclosing `if`/`unless`/`when` lines.
    pub conditions: Vec<Condition>,
}

/// What a setting's right-hand side is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RubyValue {
    /// A string literal.
    Literal(String),
    /// `ENV["X"]`, `ENV.fetch("X")`, `ENV.fetch("X", "d")` (default kept).
    Env { name: String, default: Option<String> },
    /// Anything else (credentials, method calls): known only when the app runs.
    Runtime,
}

/// One gem setting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Setting {
    pub name: String,
    pub pos: Pos,
    pub value: RubyValue,
    /// Inside an `if`/`unless`/`when`, or with a trailing modifier.
    pub conditional: bool,
    /// The string literal after `rescue` or `||` that stands in when the value is missing
    /// (`credentials.litestream.replica_bucket rescue "test"`), with the word that introduces it.
    pub fallback: Option<(&'static str, String)>,
}

/// A line with its comment removed (a `#` outside a string literal starts a comment).
fn code(line: &str) -> &str {
    let mut quote: Option<char> = None;
    let mut prev = ' ';
    for (i, c) in line.char_indices() {
        match quote {
            Some(q) if c == q && prev != '\\' => quote = None,
            Some(_) => {}
            None if c == '"' || c == '\'' => quote = Some(c),
            None if c == '#' => return &line[..i],
            None => {}
        }
        prev = c;
    }
    line
}

/// Words that open a block closed by `end`. `do` counts anywhere on the line; the others only
/// at the start (a trailing `if` is a modifier).
fn opens(t: &str) -> usize {
    let first = t.split_whitespace().next().unwrap_or("");
    let starts = matches!(
        first,
        "if" | "unless" | "case" | "while" | "until" | "def" | "class" | "module" | "begin"
    );
    let mut n = usize::from(starts);
    if t.ends_with(" do") || t.contains(" do |") || t == "do" || t.ends_with("{") && t.contains("configure") {
        n += 1;
    }
    n
}

fn closes(t: &str) -> bool {
    t == "end" || t.starts_with("end ") || t.starts_with("end.") || t == "}"
}

/// A trailing `if COND` / `unless COND` modifier.
fn modifier(t: &str) -> Option<&str> {
    [" if ", " unless "]
        .iter()
        .find_map(|m| t.find(m).map(|i| t[i + 1..].trim()))
}

/// Finds `plugin :litestream` (or `plugin "litestream"`).
pub fn puma_plugin(text: &str) -> Option<PluginLine> {
    let mut stack: Vec<Option<Condition>> = Vec::new();
    let mut case_when: Option<Condition> = None;
    for (i, raw) in text.lines().enumerate() {
        let t = code(raw).trim();
        if t.is_empty() {
            continue;
        }
        let pos = Pos::new(i + 1, raw.len() - raw.trim_start().len() + 1);
        if t.starts_with("when ") {
            case_when = Some(Condition {
                text: t.to_string(),
                pos,
            });
            continue;
        }
        if t == "else" || t.starts_with("elsif ") {
            if let Some(Some(c)) = stack.last_mut() {
                c.text = format!("not ({})", c.text);
            }
            case_when = None;
            continue;
        }
        let is_plugin = t.strip_prefix("plugin").is_some_and(|r| {
            let r = r.trim_start_matches(['(', ' ']);
            r.starts_with(":litestream") || r.starts_with("\"litestream\"") || r.starts_with("'litestream'")
        });
        if is_plugin {
            let mut conditions: Vec<Condition> = stack.iter().flatten().cloned().collect();
            conditions.extend(case_when.clone());
            if let Some(m) = modifier(t) {
                conditions.push(Condition {
                    text: m.to_string(),
                    pos,
                });
            }
            return Some(PluginLine { pos, conditions });
        }
        if closes(t) {
            if stack.pop().flatten().is_some_and(|c| c.text.starts_with("case")) {
                case_when = None;
            }
            continue;
        }
        for k in 0..opens(t) {
            let first = t.split_whitespace().next().unwrap_or("");
            let cond = (k == 0 && matches!(first, "if" | "unless" | "case")).then(|| Condition {
                text: t.to_string(),
                pos,
            });
            stack.push(cond);
        }
    }
    None
}

/// The gem's settings in one Ruby file.
pub fn gem_settings(text: &str) -> Vec<Setting> {
    let mut out = Vec::new();
    let mut depth_conditional: Vec<bool> = Vec::new();
    // The block variable of `Litestream.configure do |c|`, while inside that block.
    let mut configure_var: Option<(String, usize)> = None;
    for (i, raw) in text.lines().enumerate() {
        let t = code(raw).trim();
        if t.is_empty() {
            continue;
        }
        let pos = Pos::new(i + 1, raw.len() - raw.trim_start().len() + 1);
        if closes(t) {
            depth_conditional.pop();
            if configure_var
                .as_ref()
                .is_some_and(|(_, d)| *d > depth_conditional.len())
            {
                configure_var = None;
            }
            continue;
        }
        let inside_conditional = depth_conditional.iter().any(|c| *c);
        if let Some((lhs, rhs)) = assignment(t) {
            let name = lhs
                .strip_prefix("config.litestream.")
                .or_else(|| lhs.strip_prefix("Litestream."))
                .or_else(|| {
                    configure_var
                        .as_ref()
                        .and_then(|(v, _)| lhs.strip_prefix(v.as_str()).and_then(|r| r.strip_prefix('.')))
                });
            if let Some(name) = name.filter(|n| n.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')) {
                let (rhs, modifier_cond) = match modifier(rhs) {
                    Some(m) => (rhs[..rhs.len() - m.len() - 1].trim(), true),
                    None => (rhs, false),
                };
                out.push(Setting {
                    name: name.to_string(),
                    pos,
                    value: ruby_value(rhs),
                    conditional: inside_conditional || modifier_cond,
                    fallback: fallback(rhs),
                });
            }
        }
        let n = opens(t);
        if n > 0 {
            if t.contains("Litestream.configure") {
                if let Some(v) = t.split('|').nth(1) {
                    configure_var = Some((v.trim().to_string(), depth_conditional.len() + 1));
                }
            }
            let first = t.split_whitespace().next().unwrap_or("");
            for k in 0..n {
                depth_conditional.push(k == 0 && matches!(first, "if" | "unless" | "case"));
            }
        }
    }
    out
}

/// `x rescue "lit"` or `x || "lit"` where `x` is not itself a literal.
fn fallback(rhs: &str) -> Option<(&'static str, String)> {
    for word in ["rescue", "||"] {
        let sep = format!(" {word} ");
        if let Some(i) = rhs.rfind(&sep) {
            let (x, lit) = (rhs[..i].trim(), rhs[i + sep.len()..].trim());
            if string_literal(x).is_none() {
                if let Some(l) = string_literal(lit) {
                    return Some((word, l));
                }
            }
        }
    }
    None
}

/// `lhs = rhs` (not `==`, `||=`, `+=`).
fn assignment(t: &str) -> Option<(&str, &str)> {
    let i = t.find(" = ")?;
    let (l, r) = (t[..i].trim(), t[i + 3..].trim());
    (!l.ends_with(['=', '!', '<', '>', '|', '&', '+', '-'])).then_some((l, r))
}

/// Classifies a right-hand side.
pub fn ruby_value(rhs: &str) -> RubyValue {
    let r = rhs.trim();
    if let Some(s) = string_literal(r) {
        return RubyValue::Literal(s);
    }
    if let Some(inner) = r.strip_prefix("ENV[").and_then(|x| x.strip_suffix(']')) {
        if let Some(name) = string_literal(inner.trim()) {
            return RubyValue::Env { name, default: None };
        }
    }
    if let Some(args) = r.strip_prefix("ENV.fetch(") {
        let (inner, tail) = match args.find(')') {
            Some(j) => (&args[..j], args[j + 1..].trim()),
            None => return RubyValue::Runtime,
        };
        let mut parts = inner.splitn(2, ',');
        let Some(name) = parts.next().and_then(|p| string_literal(p.trim())) else {
            return RubyValue::Runtime;
        };
        let default = match parts.next() {
            Some(d) => match string_literal(d.trim()) {
                Some(s) => Some(s),
                None => return RubyValue::Runtime,
            },
            None => match tail.strip_prefix('{').and_then(|b| b.strip_suffix('}')) {
                Some(b) => match string_literal(b.trim()) {
                    Some(s) => Some(s),
                    None => return RubyValue::Runtime,
                },
                None if tail.is_empty() => None,
                None => return RubyValue::Runtime,
            },
        };
        return RubyValue::Env { name, default };
    }
    RubyValue::Runtime
}

/// `"text"` or `'text'` with no interpolation.
pub fn string_literal(s: &str) -> Option<String> {
    let s = s.trim();
    let q = s.chars().next()?;
    if (q != '"' && q != '\'') || s.len() < 2 || !s.ends_with(q) {
        return None;
    }
    let body = &s[1..s.len() - 1];
    if body.contains(q) || (q == '"' && body.contains("#{")) {
        return None;
    }
    Some(body.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plugin_lines_and_their_conditions() {
        let p = puma_plugin("threads 3, 3\nplugin :litestream\n").unwrap();
        assert_eq!(p.pos, Pos::new(2, 1));
        assert!(p.conditions.is_empty());
        let p = puma_plugin("# plugin :litestream\nplugin :tmp_restart\n");
        assert!(p.is_none());
        let src = "case ENV['RAILS_ENV']\nwhen 'production'\n  plugin :litestream if ENV.fetch('X')&.length > 0\nend\n";
        let p = puma_plugin(src).unwrap();
        let texts: Vec<&str> = p.conditions.iter().map(|c| c.text.as_str()).collect();
        assert_eq!(
            texts,
            vec![
                "case ENV['RAILS_ENV']",
                "when 'production'",
                "if ENV.fetch('X')&.length > 0"
            ]
        );
        let p = puma_plugin("if ENV[\"LITESTREAM\"]\n  plugin :litestream\nend\nplugin :solid_queue\n").unwrap();
        assert_eq!(p.conditions[0].text, "if ENV[\"LITESTREAM\"]");
        let p = puma_plugin("if x\n  a\nend\nplugin \"litestream\"\n").unwrap();
        assert!(p.conditions.is_empty());
    }

    #[test]
    fn settings_in_every_form() {
        let src = "Rails.application.configure do\n  config.litestream.replica_bucket = \"my-bucket\"\n  config.litestream.replica_region = ENV.fetch(\"REGION\", \"eu\")\nend\nLitestream.configure do |c|\n  c.replica_key_id = Rails.application.credentials.dig(:ls, :key)\nend\nif creds\n  Litestream.replica_access_key = ENV[\"SECRET\"]\nend\n";
        let s = gem_settings(src);
        let names: Vec<(&str, bool)> = s.iter().map(|x| (x.name.as_str(), x.conditional)).collect();
        assert_eq!(
            names,
            vec![
                ("replica_bucket", false),
                ("replica_region", false),
                ("replica_key_id", false),
                ("replica_access_key", true)
            ]
        );
        assert_eq!(s[0].value, RubyValue::Literal("my-bucket".into()));
        assert_eq!(
            s[1].value,
            RubyValue::Env {
                name: "REGION".into(),
                default: Some("eu".into())
            }
        );
        assert_eq!(s[2].value, RubyValue::Runtime);
        assert_eq!(s[3].pos, Pos::new(9, 3));
    }

    #[test]
    fn values() {
        assert_eq!(
            ruby_value("ENV.fetch(\"A\") { \"b\" }"),
            RubyValue::Env {
                name: "A".into(),
                default: Some("b".into())
            }
        );
        assert_eq!(ruby_value("\"x#{y}\""), RubyValue::Runtime);
        assert_eq!(ruby_value("ENV.fetch(\"A\", nil)"), RubyValue::Runtime);
        assert_eq!(ruby_value("'lit'"), RubyValue::Literal("lit".into()));
    }
}
