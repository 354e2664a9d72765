//! Gemfile and Gemfile.lock: whether the app bundles a gem, and which version Bundler locked.

use crate::source::Pos;

/// A `gem "name"` line of the Gemfile, with its group when it sits in a `group … do` block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GemLine {
    pub pos: Pos,
    /// Groups of the enclosing `group` block (e.g. `development`), empty at the top level.
    pub groups: Vec<String>,
    /// The line says `require: false`.
    pub no_require: bool,
}

impl GemLine {
    /// Bundler installs it in production (no group, or a group that includes production).
    pub fn in_production(&self) -> bool {
        self.groups.is_empty() || self.groups.iter().any(|g| g == "production" || g == "default")
    }
}

/// Finds `gem "name"` (or `gem 'name'`) in a Gemfile. Comments are skipped.
pub fn gemfile_line(text: &str, name: &str) -> Option<GemLine> {
    let mut groups: Vec<Vec<String>> = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = strip_comment(raw);
        let t = line.trim();
        if let Some(rest) = t.strip_prefix("group ") {
            if t.ends_with(" do") || t.contains(" do ") {
                groups.push(symbols(rest));
                continue;
            }
        }
        if t == "end" {
            groups.pop();
            continue;
        }
        let Some(rest) = t.strip_prefix("gem ").or_else(|| t.strip_prefix("gem(")) else {
            continue;
        };
        let rest = rest.trim_start();
        let quoted = [format!("\"{name}\""), format!("'{name}'")];
        if quoted.iter().any(|q| rest.starts_with(q.as_str())) {
            let col = raw.len() - raw.trim_start().len() + 1;
            let mut all: Vec<String> = groups.iter().flatten().cloned().collect();
            if let Some(g) = inline_groups(rest) {
                all.extend(g);
            }
            return Some(GemLine {
                pos: Pos::new(i + 1, col),
                groups: all,
                no_require: rest.contains("require: false") || rest.contains(":require => false"),
            });
        }
    }
    None
}

/// `group: :development` or `groups: [:development, :test]` on a gem line.
fn inline_groups(rest: &str) -> Option<Vec<String>> {
    let i = rest.find("group:").or_else(|| rest.find("groups:"))?;
    Some(symbols(rest[i..].split_once(':').map(|(_, r)| r).unwrap_or("")))
}

/// `:a, :b` or `[:a, :b]` → `["a", "b"]` (stops at `do`).
fn symbols(s: &str) -> Vec<String> {
    s.split(|c: char| c == ',' || c.is_whitespace() || c == '[' || c == ']')
        .take_while(|w| *w != "do")
        .filter_map(|w| w.strip_prefix(':'))
        .map(|w| {
            w.trim_matches(|c: char| !c.is_ascii_alphanumeric() && c != '_')
                .to_string()
        })
        .filter(|w| !w.is_empty())
        .collect()
}

fn strip_comment(line: &str) -> &str {
    let mut quote: Option<char> = None;
    for (i, c) in line.char_indices() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if c == '"' || c == '\'' => quote = Some(c),
            None if c == '#' => return &line[..i],
            None => {}
        }
    }
    line
}

/// The version Bundler locked for `name` (from the `specs:` lists, platform suffix removed).
pub fn locked_version(lock: &str, name: &str) -> Option<(String, Pos)> {
    let prefix = format!("{name} (");
    for (i, line) in lock.lines().enumerate() {
        // Specs sit four spaces deep; their dependencies six.
        let Some(rest) = line.strip_prefix("    ") else {
            continue;
        };
        if rest.starts_with(' ') {
            continue;
        }
        let Some(v) = rest.strip_prefix(&prefix).and_then(|r| r.strip_suffix(')')) else {
            continue;
        };
        let version = v.split('-').next().unwrap_or(v).to_string();
        return Some((version, Pos::new(i + 1, 5)));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gem_lines_and_groups() {
        let g = "source \"https://rubygems.org\"\n# gem \"litestream\"\ngem \"rails\"\ngem \"litestream\", \"~> 0.12\"\ngroup :development, :test do\n  gem \"debug\"\nend\n";
        let l = gemfile_line(g, "litestream").unwrap();
        assert_eq!(l.pos, Pos::new(4, 1));
        assert!(l.in_production());
        let d = gemfile_line(g, "debug").unwrap();
        assert_eq!(d.groups, vec!["development", "test"]);
        assert!(!d.in_production());
        assert!(gemfile_line(g, "lite").is_none());
        let inline = gemfile_line("gem 'dotenv-rails', groups: [:development, :test]\n", "dotenv-rails").unwrap();
        assert!(!inline.in_production());
    }

    #[test]
    fn locked_versions() {
        let lock = "GEM\n  remote: https://rubygems.org/\n  specs:\n    litestream (0.12.0-x86_64-linux)\n      logfmt (>= 0.0.10)\n    logfmt (0.0.10)\n\nDEPENDENCIES\n  litestream\n";
        assert_eq!(
            locked_version(lock, "litestream"),
            Some(("0.12.0".into(), Pos::new(4, 5)))
        );
        assert_eq!(locked_version(lock, "logfmt").map(|v| v.0).as_deref(), Some("0.0.10"));
        assert!(locked_version(lock, "rails").is_none());
    }
}
