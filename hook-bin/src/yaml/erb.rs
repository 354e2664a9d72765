//! Kamal renders `config/deploy*.yml` with ERB before it parses the YAML. We cannot run Ruby, so
//! each output tag (`<%= … %>`) becomes an opaque run of placeholder characters of the same
//! length, and control tags (`<% … %>`, `<%# … %>`) become spaces. Keeping every character in
//! place keeps every line and column true to the file the user sees.

/// Placeholder for a character inside an ERB output tag: a private-use code point, which YAML
/// accepts in plain scalars and which no real config contains.
pub const ERB_CHAR: char = '\u{E000}';

/// How an ERB output tag is shown in messages once its text has been masked.
pub const ERB_SHOWN: &str = "<%= … %>";

/// Returns the masked text, or `None` when the text has no ERB tag (the common case: no copy).
pub fn mask_erb(text: &str) -> Option<String> {
    if !text.contains("<%") {
        return None;
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("<%") {
        out.push_str(&rest[..start]);
        let tag = &rest[start..];
        if let Some(after) = tag.strip_prefix("<%%") {
            // `<%%` is ERB's escape for a literal `<%`.
            out.push_str("<%%");
            rest = after;
            continue;
        }
        let end = tag.find("%>").map_or(tag.len(), |i| i + 2);
        let body = &tag[..end];
        let output = body.starts_with("<%=") || body.starts_with("<%-=");
        for c in body.chars() {
            out.push(match c {
                '\n' => '\n',
                _ if output => ERB_CHAR,
                _ => ' ',
            });
        }
        rest = &tag[end..];
    }
    out.push_str(rest);
    Some(out)
}

/// Puts a readable marker back where masked ERB output stood.
pub fn unmask_for_display(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let mut in_tag = false;
    for c in value.chars() {
        if c == ERB_CHAR {
            if !in_tag {
                out.push_str(ERB_SHOWN);
                in_tag = true;
            }
        } else {
            in_tag = false;
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_lengths_and_lines() {
        let src = "a: <%= ENV[\"X\"] %>\n<% if x %>\nb: 1\n<% end %>\n";
        let m = mask_erb(src).unwrap();
        assert_eq!(m.chars().count(), src.chars().count());
        assert_eq!(m.lines().count(), src.lines().count());
        assert!(m.starts_with("a: \u{E000}"));
        assert_eq!(m.lines().nth(1).unwrap().trim(), "");
    }

    #[test]
    fn no_erb_no_copy() {
        assert!(mask_erb("a: 1\n").is_none());
    }

    #[test]
    fn unterminated_tag_is_masked_to_the_end() {
        let m = mask_erb("a: <%= oops\nb: 2\n").unwrap();
        assert!(m.contains('\u{E000}'));
        assert_eq!(m.lines().count(), 2);
    }

    #[test]
    fn display_marks_each_tag_once() {
        assert_eq!(
            unmask_for_display("\u{E000}\u{E000}.example.com"),
            "<%= … %>.example.com"
        );
    }
}
