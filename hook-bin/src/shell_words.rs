//! The words of one of the app's own command lines (a Procfile or entrypoint line, a Kamal `cmd`,
//! a Dockerfile argument list), as far as finding a command and its flags needs: quotes removed
//! and `\` escapes inside double quotes followed. The Bash guard has a real shell parser; these
//! lines are only read for evidence, so a plain splitter is enough and costs nothing.

/// Splits `s` on unquoted whitespace; with `operators`, also on unquoted `;`, `&`, `|`, `(` and
/// `)` (which are dropped), so that `a && b` gives the words of both commands.
pub fn split(s: &str, operators: bool) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quote: Option<char> = None;
    // A quoted empty word (`""`) is still a word.
    let mut any = false;
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        match quote {
            Some(q) if c == q => quote = None,
            Some('"') if c == '\\' => {
                if let Some(n) = chars.next() {
                    cur.push(n);
                }
            }
            Some(_) => cur.push(c),
            None if c == '"' || c == '\'' => {
                quote = Some(c);
                any = true;
            }
            None if c.is_whitespace() || (operators && matches!(c, ';' | '&' | '|' | '(' | ')')) => {
                if any || !cur.is_empty() {
                    out.push(std::mem::take(&mut cur));
                }
                any = false;
            }
            None => cur.push(c),
        }
    }
    if any || !cur.is_empty() {
        out.push(cur);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::split;

    #[test]
    fn quotes_escapes_and_operators() {
        assert_eq!(split(r#"a "b c" 'd' """#, false), ["a", "b c", "d", ""]);
        assert_eq!(split(r#"-exec "say \"hi\"""#, false), ["-exec", r#"say "hi""#]);
        assert_eq!(split("a&&b;c|d", false), ["a&&b;c|d"]);
        assert_eq!(split("a && b; (c | d)", true), ["a", "b", "c", "d"]);
        assert_eq!(split("'a;b' \"c|d\"", true), ["a;b", "c|d"]);
    }
}
