//! The shell parser boundary: the only file that knows brush-parser. It turns a command line
//! into a small tree of simple commands, connectors and redirections, with every word kept raw
//! (quotes and all) for [`super::words`] to expand.

use std::fmt;

use brush_parser::ast;

pub use crate::limits::{MAX_COMMAND_BYTES as MAX_LEN, MAX_SHELL_COST as MAX_COST, MAX_SHELL_DEPTH as MAX_DEPTH};

/// A list of and-or lists, run one after another (`;`, newline) or in the background (`&`).
#[derive(Debug, Clone, Default)]
pub struct Script(pub Vec<Item>);

#[derive(Debug, Clone)]
pub struct Item {
    pub list: AndOr,
    /// `&` after the list.
    pub background: bool,
}

#[derive(Debug, Clone)]
pub struct AndOr {
    pub first: Pipeline,
    pub rest: Vec<(Conn, Pipeline)>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Conn {
    And,
    Or,
}

#[derive(Debug, Clone)]
pub struct Pipeline(pub Vec<Node>);

#[derive(Debug, Clone)]
pub enum Node {
    Simple(Simple),
    /// `( … )` or `{ …; }`.
    Group {
        body: Script,
        subshell: bool,
        redirs: Vec<Redir>,
    },
    /// `if`: (condition, body) arms, then the `else` body.
    If {
        arms: Vec<(Script, Script)>,
        otherwise: Option<Script>,
        redirs: Vec<Redir>,
    },
    /// `for VAR in WORDS; do BODY; done` (`values` raw), `while`/`until` (`cond`).
    Loop {
        var: Option<String>,
        values: Option<Vec<String>>,
        cond: Option<Script>,
        body: Script,
        redirs: Vec<Redir>,
    },
    Case {
        word: String,
        arms: Vec<Script>,
        redirs: Vec<Redir>,
    },
    /// A function definition: the body runs whenever it is called, so it is checked as is.
    Function {
        name: String,
        body: Box<Node>,
    },
    /// Arithmetic and `[[ … ]]`: nothing the guard looks at.
    Inert,
}

/// A simple command: assignments, words and redirections, all raw.
#[derive(Debug, Clone, Default)]
pub struct Simple {
    pub assigns: Vec<(String, String)>,
    pub words: Vec<String>,
    pub redirs: Vec<Redir>,
    /// `<(…)` / `>(…)` arguments: commands that run.
    pub procsubs: Vec<Script>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RedirKind {
    Read,
    /// `>`, `>|`, `&>`: truncates the target.
    Write,
    /// `>>`, `&>>`: appends to it.
    Append,
    /// `<>`: opens it read-write without truncating.
    ReadWrite,
    Dup,
}

#[derive(Debug, Clone)]
pub enum Redir {
    File {
        fd: Option<i32>,
        kind: RedirKind,
        target: String,
    },
    /// A here-document: `body` is what the command reads on its standard input.
    HereDoc {
        body: String,
        expand: bool,
    },
    HereString {
        word: String,
    },
    /// `> >(cmd)` and friends.
    ProcSub(Script),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParseError {
    TooLong,
    TooDeep,
    TooCostly,
    Syntax(String),
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ParseError::TooLong => write!(f, "longer than {MAX_LEN} bytes"),
            ParseError::TooDeep => write!(f, "nested deeper than {MAX_DEPTH} levels"),
            ParseError::TooCostly => write!(f, "more than {MAX_COST} words and separators (estimated)"),
            ParseError::Syntax(s) => write!(f, "{s}"),
        }
    }
}

impl std::error::Error for ParseError {}

pub fn options() -> brush_parser::ParserOptions {
    brush_parser::ParserOptions::default()
}

/// Parses a command line (or a script such as a `bash -c` payload).
pub fn parse(text: &str) -> Result<Script, ParseError> {
    if text.len() > MAX_LEN {
        return Err(ParseError::TooLong);
    }
    if depth(text) > MAX_DEPTH {
        return Err(ParseError::TooDeep);
    }
    if cost(text) > MAX_COST {
        return Err(ParseError::TooCostly);
    }
    let opts = options();
    let mut parser = brush_parser::Parser::new(std::io::Cursor::new(text.as_bytes()), &opts);
    let program = parser
        .parse_program()
        .map_err(|e| ParseError::Syntax(first_line(&e.to_string())))?;
    let mut items = Vec::new();
    for cc in &program.complete_commands {
        items.extend(list(cc).0);
    }
    Ok(Script(items))
}

fn first_line(s: &str) -> String {
    s.lines().next().unwrap_or("").chars().take(200).collect()
}

/// An upper bound of the nesting depth, ignoring quotes (cheap, and errs on the deep side).
pub fn depth(text: &str) -> usize {
    let (mut d, mut max, mut ticks) = (0usize, 0usize, 0usize);
    for c in text.chars() {
        match c {
            '(' | '{' => {
                d += 1;
                max = max.max(d);
            }
            ')' | '}' => d = d.saturating_sub(1),
            '`' => ticks += 1,
            _ => {}
        }
    }
    max + ticks / 2
}

/// What parsing `text` would cost, estimated in one pass without parsing: a word counts 1, a
/// separator or operator (`;`, `&`, `|`, a newline, parentheses, braces) 4, because the parser
/// spends most per command. Quoted text and here-document bodies are one word each.
pub fn cost(text: &str) -> usize {
    let b = text.as_bytes();
    let (mut i, mut total, mut in_word) = (0usize, 0usize, false);
    // Here-documents whose bodies start after the current line: (delimiter, strip tabs).
    let mut pending: Vec<(Vec<u8>, bool)> = Vec::new();
    while i < b.len() {
        let c = b[i];
        match c {
            b'\\' => {
                i += 2;
                if !in_word {
                    in_word = true;
                    total += 1;
                }
                continue;
            }
            b'\'' | b'"' => {
                if !in_word {
                    in_word = true;
                    total += 1;
                }
                i = skip_quoted(b, i);
                continue;
            }
            b'#' if !in_word => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
                continue;
            }
            b'<' if b.get(i + 1) == Some(&b'<') && b.get(i + 2) != Some(&b'<') => {
                total += 4;
                i += 2;
                let strip = b.get(i) == Some(&b'-');
                if strip {
                    i += 1;
                }
                while i < b.len() && (b[i] == b' ' || b[i] == b'\t') {
                    i += 1;
                }
                let start = i;
                while i < b.len()
                    && !matches!(
                        b[i],
                        b' ' | b'\t' | b'\n' | b';' | b'&' | b'|' | b'<' | b'>' | b'(' | b')'
                    )
                {
                    i = if matches!(b[i], b'\'' | b'"') {
                        skip_quoted(b, i)
                    } else {
                        i + 1
                    };
                }
                let word: Vec<u8> = b[start..i.min(b.len())]
                    .iter()
                    .copied()
                    .filter(|c| !matches!(c, b'\'' | b'"' | b'\\'))
                    .collect();
                pending.push((word, strip));
                in_word = false;
                continue;
            }
            b'\n' => {
                total += 4;
                in_word = false;
                i += 1;
                for (delim, strip) in std::mem::take(&mut pending) {
                    total += 1;
                    // Skip the body, up to and including the delimiter line.
                    while i < b.len() {
                        let end = memchr::memchr(b'\n', &b[i..]).map_or(b.len(), |j| i + j);
                        let mut line = &b[i..end];
                        if strip {
                            while line.first() == Some(&b'\t') {
                                line = &line[1..];
                            }
                        }
                        i = end + 1;
                        if line == delim.as_slice() {
                            break;
                        }
                    }
                }
                continue;
            }
            b' ' | b'\t' => in_word = false,
            b';' | b'&' | b'|' | b'(' | b')' | b'{' | b'}' | b'<' | b'>' => {
                total += 4;
                in_word = false;
            }
            _ => {
                if !in_word {
                    in_word = true;
                    total += 1;
                }
            }
        }
        i += 1;
    }
    total
}

/// The index after the quoted string that starts at `b[i]` (`'…'`, or `"…"` with escapes).
fn skip_quoted(b: &[u8], i: usize) -> usize {
    let q = b[i];
    let mut j = i + 1;
    while j < b.len() && b[j] != q {
        j += if q == b'"' && b[j] == b'\\' { 2 } else { 1 };
    }
    j + 1
}

fn list(l: &ast::CompoundList) -> Script {
    Script(
        l.0.iter()
            .map(|item| Item {
                list: and_or(&item.0),
                background: matches!(item.1, ast::SeparatorOperator::Async),
            })
            .collect(),
    )
}

fn and_or(a: &ast::AndOrList) -> AndOr {
    AndOr {
        first: pipeline(&a.first),
        rest: a
            .additional
            .iter()
            .map(|x| match x {
                ast::AndOr::And(p) => (Conn::And, pipeline(p)),
                ast::AndOr::Or(p) => (Conn::Or, pipeline(p)),
            })
            .collect(),
    }
}

fn pipeline(p: &ast::Pipeline) -> Pipeline {
    Pipeline(p.seq.iter().map(command).collect())
}

fn redirs(r: Option<&ast::RedirectList>) -> Vec<Redir> {
    r.map(|r| r.0.iter().map(redir).collect()).unwrap_or_default()
}

fn command(c: &ast::Command) -> Node {
    match c {
        ast::Command::Simple(s) => Node::Simple(simple(s)),
        ast::Command::Compound(cc, r) => compound(cc, redirs(r.as_ref())),
        ast::Command::Function(f) => Node::Function {
            name: f.fname.value.clone(),
            body: Box::new(compound(&f.body.0, redirs(f.body.1.as_ref()))),
        },
        ast::Command::ExtendedTest(..) => Node::Inert,
    }
}

fn compound(cc: &ast::CompoundCommand, redirs: Vec<Redir>) -> Node {
    use ast::CompoundCommand as C;
    match cc {
        C::BraceGroup(b) => Node::Group {
            body: list(&b.list),
            subshell: false,
            redirs,
        },
        C::Subshell(s) => Node::Group {
            body: list(&s.list),
            subshell: true,
            redirs,
        },
        C::IfClause(i) => {
            let mut arms = vec![(list(&i.condition), list(&i.then))];
            let mut otherwise = None;
            for e in i.elses.iter().flatten() {
                match &e.condition {
                    Some(c) => arms.push((list(c), list(&e.body))),
                    None => otherwise = Some(list(&e.body)),
                }
            }
            Node::If {
                arms,
                otherwise,
                redirs,
            }
        }
        C::ForClause(f) => Node::Loop {
            var: Some(f.variable_name.clone()),
            values: f.values.as_ref().map(|v| v.iter().map(|w| w.value.clone()).collect()),
            cond: None,
            body: list(&f.body.list),
            redirs,
        },
        C::WhileClause(w) | C::UntilClause(w) => Node::Loop {
            var: None,
            values: None,
            cond: Some(list(&w.0)),
            body: list(&w.1.list),
            redirs,
        },
        C::ArithmeticForClause(f) => Node::Loop {
            var: None,
            values: None,
            cond: None,
            body: list(&f.body.list),
            redirs,
        },
        C::CaseClause(c) => Node::Case {
            word: c.value.value.clone(),
            arms: c.cases.iter().filter_map(|i| i.cmd.as_ref().map(list)).collect(),
            redirs,
        },
        C::Coprocess(c) => Node::Group {
            body: Script(vec![Item {
                list: AndOr {
                    first: Pipeline(vec![command(&c.body)]),
                    rest: Vec::new(),
                },
                background: true,
            }]),
            subshell: true,
            redirs,
        },
        // brush-parser reads `( ( cmd ) )` (nested subshells in bash) as `(( … ))`: read the
        // text as commands too. Real arithmetic gives nothing the guard looks at.
        C::Arithmetic(a) => match parse(&a.expr.value) {
            Ok(body) => Node::Group {
                body,
                subshell: true,
                redirs,
            },
            Err(_) => Node::Inert,
        },
    }
}

fn simple(s: &ast::SimpleCommand) -> Simple {
    let mut out = Simple::default();
    let mut named = false;
    let push_item = |out: &mut Simple, item: &ast::CommandPrefixOrSuffixItem, named: bool| {
        use ast::CommandPrefixOrSuffixItem as I;
        match item {
            I::IoRedirect(r) => out.redirs.push(redir(r)),
            I::Word(w) => out.words.push(w.value.clone()),
            I::AssignmentWord(a, w) => {
                if named {
                    // `export X=1`, `declare X=1`: an argument of the command.
                    out.words.push(w.value.clone());
                } else {
                    let name = match &a.name {
                        ast::AssignmentName::VariableName(n) => n.clone(),
                        ast::AssignmentName::ArrayElementName(n, _) => n.clone(),
                    };
                    let value = match &a.value {
                        ast::AssignmentValue::Scalar(v) => v.value.clone(),
                        ast::AssignmentValue::Array(items) => {
                            items.iter().map(|(_, v)| v.value.clone()).collect::<Vec<_>>().join(" ")
                        }
                    };
                    out.assigns.push((name, value));
                }
            }
            I::ProcessSubstitution(_, sub) => {
                out.procsubs.push(list(&sub.list));
                // The argument itself is a /dev/fd path: nothing to check.
                out.words.push(String::from("/dev/fd/63"));
            }
        }
    };
    for item in s.prefix.iter().flat_map(|p| p.0.iter()) {
        push_item(&mut out, item, named);
    }
    if let Some(w) = &s.word_or_name {
        out.words.push(w.value.clone());
        named = true;
    }
    for item in s.suffix.iter().flat_map(|p| p.0.iter()) {
        push_item(&mut out, item, named);
    }
    out
}

fn redir(r: &ast::IoRedirect) -> Redir {
    use ast::IoFileRedirectKind as K;
    match r {
        ast::IoRedirect::File(fd, kind, target) => {
            let kind = match kind {
                K::Read => RedirKind::Read,
                K::Write | K::Clobber => RedirKind::Write,
                K::Append => RedirKind::Append,
                K::ReadAndWrite => RedirKind::ReadWrite,
                K::DuplicateInput | K::DuplicateOutput => RedirKind::Dup,
            };
            match target {
                ast::IoFileRedirectTarget::Filename(w) => Redir::File {
                    fd: *fd,
                    kind,
                    target: w.value.clone(),
                },
                ast::IoFileRedirectTarget::Duplicate(w) => Redir::File {
                    fd: *fd,
                    kind: RedirKind::Dup,
                    target: w.value.clone(),
                },
                ast::IoFileRedirectTarget::Fd(_) => Redir::File {
                    fd: *fd,
                    kind: RedirKind::Dup,
                    target: String::new(),
                },
                ast::IoFileRedirectTarget::ProcessSubstitution(_, s) => Redir::ProcSub(list(&s.list)),
            }
        }
        ast::IoRedirect::HereDocument(_, h) => Redir::HereDoc {
            body: h.doc.value.clone(),
            expand: h.requires_expansion,
        },
        ast::IoRedirect::HereString(_, w) => Redir::HereString { word: w.value.clone() },
        ast::IoRedirect::OutputAndError(w, append) => Redir::File {
            fd: None,
            kind: if *append { RedirKind::Append } else { RedirKind::Write },
            target: w.value.clone(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(s: &Script) -> Vec<Vec<String>> {
        let mut out = Vec::new();
        for item in &s.0 {
            for p in std::iter::once(&item.list.first).chain(item.list.rest.iter().map(|(_, p)| p)) {
                for n in &p.0 {
                    if let Node::Simple(s) = n {
                        out.push(s.words.clone());
                    }
                }
            }
        }
        out
    }

    #[test]
    fn shapes() {
        let s = parse("FOO=1 sudo rm -f x-wal && echo \"a b\" > out || true; ls | wc -l &").unwrap();
        assert_eq!(words(&s)[0], ["sudo", "rm", "-f", "x-wal"]);
        assert_eq!(s.0.len(), 2);
        assert!(s.0[1].background);
        let Node::Simple(first) = &s.0[0].list.first.0[0] else {
            panic!()
        };
        assert_eq!(first.assigns, [("FOO".to_string(), "1".to_string())]);
        let s = parse("cat > notes.md <<'EOF'\nrm /rails/storage/production.sqlite3-wal\nEOF\necho done").unwrap();
        let Node::Simple(cat) = &s.0[0].list.first.0[0] else {
            panic!()
        };
        assert!(matches!(&cat.redirs[1], Redir::HereDoc { body, expand: false } if body.contains("-wal")));
        let s = parse("kamal app stop && \\\n  kamal accessory stop litestream").unwrap();
        assert_eq!(words(&s).len(), 2);
        assert_eq!(
            parse("git commit -m \"x\" # rm y").map(|s| words(&s)).unwrap(),
            [["git", "commit", "-m", "\"x\""]]
        );
        assert!(parse("echo \"unterminated").is_err());
        assert!(matches!(parse(&"(".repeat(100)), Err(ParseError::TooDeep)));
        assert!(matches!(parse(&"x; ".repeat(20_000)), Err(ParseError::TooCostly)));
        assert_eq!(
            words(&match &parse("( ( rm /x ) )").unwrap().0[0].list.first.0[0] {
                Node::Group { body, .. } => body.clone(),
                other => panic!("{other:?}"),
            }),
            [["rm", "/x"]]
        );
    }

    #[test]
    fn cost_counts_commands_not_data() {
        assert_eq!(cost("rm -f a b"), 4);
        assert_eq!(cost("a; b"), 6);
        assert_eq!(cost("echo 'x y; z' \"a;b\""), 3);
        // A here-document body is one word, however long.
        let doc = format!("cat > f <<'EOF'\n{}\nEOF\necho done", "word; ".repeat(10_000));
        assert!(cost(&doc) < 20, "{}", cost(&doc));
        let tabs = format!("cat <<-EOF\n{}\n\tEOF\nx", "a b c\n".repeat(1000));
        assert!(cost(&tabs) < 20, "{}", cost(&tabs));
        assert_eq!(cost("# a; b; c\nx"), 5);
    }
}
