//! Kamal renders `config/deploy*.yml` with ERB before it parses the YAML. We cannot run Ruby, so
//! each output tag (`<%= … %>`) becomes an opaque run of placeholder characters of the same
//! length, and control tags (`<% … %>`, `<%# … %>`) become spaces. Keeping every character in
//! place keeps every line and column true to the file the user sees.

/// Placeholder for a character inside an ERB output tag: a private-use code point, which YAML
/// accepts in plain scalars and which no real config contains. Each output tag gets its own
/// code point (`ERB_CHAR` for the first, the next one for the second, …) so that a scalar's
/// placeholders tell which tags it holds (see [`tag_index`]).
pub const ERB_CHAR: char = '\u{E000}';
const ERB_LAST: u32 = 0xF8FF;

/// How an ERB output tag is shown in messages once its text has been masked.
pub const ERB_SHOWN: &str = "<%= … %>";

/// True for a placeholder character of a masked ERB output tag.
pub fn is_erb_char(c: char) -> bool {
    (ERB_CHAR as u32..=ERB_LAST).contains(&(c as u32))
}

/// True when the text holds masked ERB output.
pub fn has_erb(s: &str) -> bool {
    s.chars().any(is_erb_char)
}

/// The tag a placeholder stands for (tags are numbered from 0 in file order). Past the 6,400th
/// tag placeholders repeat, and the index is ambiguous: `None`.
pub fn tag_index(c: char, tags: usize) -> Option<usize> {
    let i = (c as u32).checked_sub(ERB_CHAR as u32)? as usize;
    let span = (ERB_LAST - ERB_CHAR as u32 + 1) as usize;
    (is_erb_char(c) && tags <= span).then_some(i)
}

fn placeholder(k: usize) -> char {
    let span = ERB_LAST - ERB_CHAR as u32 + 1;
    char::from_u32(ERB_CHAR as u32 + (k as u32 % span)).unwrap_or(ERB_CHAR)
}

/// One ERB output tag: its Ruby code (between `<%=` and `%>`, trimmed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tag {
    pub code: String,
}

/// Returns the masked text, or `None` when the text has no ERB tag (the common case: no copy).
pub fn mask_erb(text: &str) -> Option<String> {
    mask_erb_tags(text).map(|(m, _)| m)
}

/// Masks ERB and lists the output tags in order. A tag that spans lines is masked on its first
/// line only; its other lines become blank, as Rails renders such a tag into one value.
pub fn mask_erb_tags(text: &str) -> Option<(String, Vec<Tag>)> {
    if !text.contains("<%") {
        return None;
    }
    let mut out = String::with_capacity(text.len());
    let mut tags = Vec::new();
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
        let ph = placeholder(tags.len());
        if output {
            let code = body
                .trim_start_matches("<%-=")
                .trim_start_matches("<%=")
                .trim_end_matches("%>")
                .trim_end_matches('-')
                .trim();
            tags.push(Tag { code: code.to_string() });
        }
        let mut first_line = true;
        for c in body.chars() {
            out.push(match c {
                '\n' => {
                    first_line = false;
                    '\n'
                }
                _ if output && first_line => ph,
                _ => ' ',
            });
        }
        rest = &tag[end..];
    }
    out.push_str(rest);
    Some((out, tags))
}

/// Puts a readable marker back where masked ERB output stood.
pub fn unmask_for_display(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let mut in_tag = false;
    let mut last = None;
    for c in value.chars() {
        if is_erb_char(c) {
            if !in_tag || last != Some(c) {
                out.push_str(ERB_SHOWN);
                in_tag = true;
            }
        } else {
            in_tag = false;
            out.push(c);
        }
        last = Some(c);
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
    fn tags_get_their_own_placeholders_and_multi_line_tags_fold() {
        let src = "a: <%= A %><%= B %>\npool: <%=\n  x = 1\n  x\n%>\nb: 2\n";
        let (m, tags) = mask_erb_tags(src).unwrap();
        assert_eq!(
            tags.iter().map(|t| t.code.as_str()).collect::<Vec<_>>(),
            vec!["A", "B", "x = 1\n  x"]
        );
        assert_eq!(m.chars().count(), src.chars().count());
        let line0: Vec<char> = m.lines().next().unwrap().chars().collect();
        assert_eq!(tag_index(line0[3], 3), Some(0));
        assert_eq!(tag_index(line0[11], 3), Some(1));
        assert!(m.lines().nth(2).unwrap().trim().is_empty());
        assert_eq!(unmask_for_display(&m.lines().next().unwrap()[3..]), "<%= … %><%= … %>");
        let root = crate::yaml::load(&m, &crate::yaml::Options::default())
            .unwrap()
            .unwrap();
        assert_eq!(root.get("b").and_then(|n| n.as_int()), Some(2));
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
