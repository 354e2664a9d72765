//! Shell glob patterns (`*`, `?`, `[…]`, `\` escapes), matched against whole paths. `*` also
//! crosses `/`: the guard asks "could this pattern name that file", and a pattern built from an
//! unknown variable (`$DIR/x`) may stand for any number of directories.

/// True when `pat` matches all of `text`.
pub fn matches(pat: &str, text: &str) -> bool {
    let p: Vec<char> = pat.chars().collect();
    let t: Vec<char> = text.chars().collect();
    // Iterative matcher with one backtrack point for the last `*` (linear in practice, never
    // exponential).
    let (mut pi, mut ti) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() {
            match p[pi] {
                '*' => {
                    star = Some((pi, ti));
                    pi += 1;
                    continue;
                }
                '?' => {
                    pi += 1;
                    ti += 1;
                    continue;
                }
                '[' => {
                    if let Some((ok, next)) = class(&p, pi, t[ti]) {
                        if ok {
                            pi = next;
                            ti += 1;
                            continue;
                        }
                    } else if t[ti] == '[' {
                        pi += 1;
                        ti += 1;
                        continue;
                    }
                }
                '\\' if pi + 1 < p.len() => {
                    if p[pi + 1] == t[ti] {
                        pi += 2;
                        ti += 1;
                        continue;
                    }
                }
                c => {
                    if c == t[ti] {
                        pi += 1;
                        ti += 1;
                        continue;
                    }
                }
            }
        }
        match star {
            Some((sp, st)) => {
                pi = sp + 1;
                ti = st + 1;
                star = Some((sp, st + 1));
            }
            None => return false,
        }
    }
    while pi < p.len() && p[pi] == '*' {
        pi += 1;
    }
    pi == p.len()
}

/// A bracket expression at `p[start]`: whether `c` is in it, and where the pattern goes on.
/// `None` when the bracket is not closed (then it is a literal `[`).
fn class(p: &[char], start: usize, c: char) -> Option<(bool, usize)> {
    let mut i = start + 1;
    let negate = matches!(p.get(i), Some('!') | Some('^'));
    if negate {
        i += 1;
    }
    let mut found = false;
    let mut first = true;
    while i < p.len() {
        let ch = p[i];
        if ch == ']' && !first {
            return Some((found != negate, i + 1));
        }
        first = false;
        if i + 2 < p.len() && p[i + 1] == '-' && p[i + 2] != ']' {
            if ch <= c && c <= p[i + 2] {
                found = true;
            }
            i += 3;
        } else {
            if ch == c {
                found = true;
            }
            i += 1;
        }
    }
    None
}

/// True when the pattern has an active wildcard.
pub fn is_pattern(pat: &str) -> bool {
    let mut esc = false;
    for c in pat.chars() {
        if esc {
            esc = false;
            continue;
        }
        match c {
            '\\' => esc = true,
            '*' | '?' | '[' => return true,
            _ => {}
        }
    }
    false
}

/// Escapes the characters a pattern would read as wildcards.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(c, '*' | '?' | '[' | ']' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// The literal text of a pattern without wildcards (escapes removed).
pub fn unescape(pat: &str) -> String {
    let mut out = String::with_capacity(pat.len());
    let mut esc = false;
    for c in pat.chars() {
        if esc {
            out.push(c);
            esc = false;
        } else if c == '\\' {
            esc = true;
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs() {
        assert!(matches("*.sqlite3", "production.sqlite3"));
        assert!(matches(
            "/rails/storage/production.sqlite3*",
            "/rails/storage/production.sqlite3-wal"
        ));
        assert!(matches(
            "/rails/*/production.sqlite3",
            "/rails/storage/production.sqlite3"
        ));
        assert!(!matches("*.log", "production.sqlite3"));
        assert!(matches("p[a-z]od?ction.sqlite3", "production.sqlite3"));
        assert!(matches("x[!a]", "xb") && !matches("x[!a]", "xa"));
        assert!(matches("a\\*", "a*") && !matches("a\\*", "ab"));
        assert!(matches("[", "[") && matches("a[", "a["));
        assert!(matches("**", "") && matches("*a*b*", "xxaxxbxx"));
        assert!(is_pattern("a*") && !is_pattern("a\\*") && !is_pattern("plain"));
        assert_eq!(unescape(&escape("a*b[c]")), "a*b[c]");
    }
}
