use std::collections::HashMap;
use std::fmt;

use saphyr_parser::{Event, Marker, Parser, ScalarStyle, ScanError};

use super::erb::{has_erb, unmask_for_display};
use super::node::{Entry, Kind, Node, Scalar, Style};
use crate::source::Pos;

/// Bounds on what one document may cost. Real configs are far below both.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    pub max_depth: usize,
    /// Nodes in the finished tree, counting every copy an alias makes (stops alias bombs).
    pub max_nodes: usize,
    /// Stamped on every node (see `Node::src`).
    pub src: u16,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            max_depth: crate::limits::MAX_YAML_DEPTH,
            max_nodes: crate::limits::MAX_YAML_NODES,
            src: 0,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoadErrorKind {
    Syntax,
    TooDeep,
    TooManyNodes,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadError {
    pub kind: LoadErrorKind,
    pub pos: Pos,
    pub message: String,
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.pos, self.message)
    }
}

impl std::error::Error for LoadError {}

fn pos_of(m: &Marker) -> Pos {
    Pos {
        line: m.line(),
        col: m.col() + 1,
    }
}

impl From<ScanError> for LoadError {
    fn from(e: ScanError) -> Self {
        // The scanner has its own limit on nested flow collections; report it like ours.
        let kind = if e.info().contains("recursion limit") {
            LoadErrorKind::TooDeep
        } else {
            LoadErrorKind::Syntax
        };
        LoadError {
            kind,
            pos: pos_of(e.marker()),
            message: e.info().to_string(),
        }
    }
}

enum Frame {
    Seq {
        items: Vec<Node>,
        pos: Pos,
        tag: Option<String>,
        anchor: usize,
        size: usize,
    },
    Map {
        entries: Vec<Entry>,
        key: Option<Node>,
        pos: Pos,
        tag: Option<String>,
        anchor: usize,
        size: usize,
    },
}

struct Builder {
    opts: Options,
    stack: Vec<Frame>,
    anchors: HashMap<usize, (Node, usize)>,
    total: usize,
    root: Option<Node>,
}

/// Parses the first document of `text`. `Ok(None)` means the file holds no document at all
/// (empty, or only comments).
pub fn load(text: &str, opts: &Options) -> Result<Option<Node>, LoadError> {
    let mut parser = Parser::new_from_str(text);
    let mut b = Builder {
        opts: *opts,
        stack: Vec::new(),
        anchors: HashMap::new(),
        total: 0,
        root: None,
    };
    let mut in_doc = false;
    while let Some(ev) = parser.next_event() {
        let (ev, span) = ev?;
        let pos = pos_of(&span.start);
        match ev {
            Event::DocumentStart(_) => in_doc = true,
            Event::DocumentEnd => {
                if b.root.is_some() {
                    break;
                }
                in_doc = false;
            }
            Event::StreamEnd => break,
            Event::Scalar(value, style, anchor, tag) if in_doc => {
                let erb = has_erb(&value);
                // For ERB scalars, `written` keeps the placeholders: they say which tags the value holds.
                let (value, written) = if erb {
                    (unmask_for_display(&value), Some(value.into_owned()))
                } else {
                    (value.into_owned(), None)
                };
                let style = match style {
                    ScalarStyle::Plain => Style::Plain,
                    ScalarStyle::SingleQuoted => Style::SingleQuoted,
                    ScalarStyle::DoubleQuoted => Style::DoubleQuoted,
                    _ => Style::Block,
                };
                let node = Node {
                    kind: Kind::Scalar(Scalar {
                        value,
                        style,
                        erb,
                        written,
                        unknown: false,
                    }),
                    pos,
                    tag: tag.map(|t| format!("{}{}", t.handle, t.suffix)),
                    src: b.opts.src,
                };
                b.remember(anchor, &node, 1);
                b.count(1, pos)?;
                b.push(node, 1);
            }
            Event::Alias(id) if in_doc => {
                let Some((node, size)) = b.anchors.get(&id).cloned() else {
                    return Err(LoadError {
                        kind: LoadErrorKind::Syntax,
                        pos,
                        message: "alias refers to an unknown anchor".into(),
                    });
                };
                // Every copy an alias makes is counted: that is what stops an alias bomb.
                b.count(size, pos)?;
                b.push(Node { pos, ..node }, size);
            }
            Event::SequenceStart(anchor, tag) if in_doc => {
                b.enter(pos)?;
                b.count(1, pos)?;
                b.stack.push(Frame::Seq {
                    items: Vec::new(),
                    pos,
                    tag: tag.map(|t| format!("{}{}", t.handle, t.suffix)),
                    anchor,
                    size: 1,
                });
            }
            Event::MappingStart(anchor, tag) if in_doc => {
                b.enter(pos)?;
                b.count(1, pos)?;
                b.stack.push(Frame::Map {
                    entries: Vec::new(),
                    key: None,
                    pos,
                    tag: tag.map(|t| format!("{}{}", t.handle, t.suffix)),
                    anchor,
                    size: 1,
                });
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let Some(frame) = b.stack.pop() else { continue };
                let (node, size, anchor) = match frame {
                    Frame::Seq {
                        items,
                        pos,
                        tag,
                        anchor,
                        size,
                    } => (
                        Node {
                            kind: Kind::Seq(items),
                            pos,
                            tag,
                            src: b.opts.src,
                        },
                        size,
                        anchor,
                    ),
                    Frame::Map {
                        entries,
                        pos,
                        tag,
                        anchor,
                        size,
                        ..
                    } => (
                        Node {
                            kind: Kind::Map(apply_merges(entries)),
                            pos,
                            tag,
                            src: b.opts.src,
                        },
                        size,
                        anchor,
                    ),
                };
                // Its nodes were counted one by one as they came: only the parent's size grows.
                b.remember(anchor, &node, size);
                b.push(node, size);
            }
            _ => {}
        }
    }
    Ok(b.root)
}

impl Builder {
    fn enter(&self, pos: Pos) -> Result<(), LoadError> {
        if self.stack.len() >= self.opts.max_depth {
            return Err(LoadError {
                kind: LoadErrorKind::TooDeep,
                pos,
                message: format!("nesting is deeper than {} levels", self.opts.max_depth),
            });
        }
        Ok(())
    }

    fn remember(&mut self, anchor: usize, node: &Node, size: usize) {
        if anchor != 0 {
            self.anchors.insert(anchor, (node.clone(), size));
        }
    }

    /// Counts `n` new nodes of the finished tree, each exactly once.
    fn count(&mut self, n: usize, pos: Pos) -> Result<(), LoadError> {
        self.total += n;
        if self.total > self.opts.max_nodes {
            return Err(LoadError {
                kind: LoadErrorKind::TooManyNodes,
                pos,
                message: format!(
                    "the document expands to more than {} nodes (aliases are copied on load)",
                    self.opts.max_nodes
                ),
            });
        }
        Ok(())
    }

    /// Puts a finished node (of `size` nodes) into its parent.
    fn push(&mut self, node: Node, size: usize) {
        match self.stack.last_mut() {
            None => {
                if self.root.is_none() {
                    self.root = Some(node);
                }
            }
            Some(Frame::Seq { items, size: s, .. }) => {
                *s += size;
                items.push(node);
            }
            Some(Frame::Map {
                entries, key, size: s, ..
            }) => {
                *s += size;
                match key.take() {
                    None => *key = Some(node),
                    Some(k) => entries.push(Entry { key: k, value: node }),
                }
            }
        }
    }
}

/// Resolves `<<` merge keys (YAML 1.1, honoured by yaml.v2 and by Psych): explicit keys win, then
/// merged maps in the order given.
fn apply_merges(entries: Vec<Entry>) -> Vec<Entry> {
    if !entries.iter().any(is_merge) {
        return entries;
    }
    let (merges, mut own): (Vec<Entry>, Vec<Entry>) = entries.into_iter().partition(is_merge);
    // A set of the keys present keeps this linear: a hostile file may merge huge maps.
    let mut present: std::collections::HashSet<String> =
        own.iter().filter_map(|o| o.key.as_str().map(str::to_string)).collect();
    for m in merges {
        let sources: Vec<&Node> = match &m.value.kind {
            Kind::Map(_) => vec![&m.value],
            Kind::Seq(items) => items.iter().collect(),
            Kind::Scalar(_) => vec![],
        };
        for src in sources {
            for e in src.entries().unwrap_or(&[]) {
                let new = match e.key.as_str() {
                    Some(k) => present.insert(k.to_string()),
                    None => true,
                };
                if new {
                    own.push(e.clone());
                }
            }
        }
    }
    own
}

fn is_merge(e: &Entry) -> bool {
    e.key.is_plain() && e.key.as_str() == Some("<<")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> Node {
        load(s, &Options::default()).unwrap().unwrap()
    }

    #[test]
    fn positions_are_one_based() {
        let n = parse("dbs:\n  - path: /x\n");
        let db = &n.get("dbs").unwrap().items().unwrap()[0];
        let e = db.entry("path").unwrap();
        assert_eq!(e.key.pos, Pos::new(2, 5));
        assert_eq!(e.value.pos, Pos::new(2, 11));
    }

    #[test]
    fn anchors_aliases_and_merges() {
        let n = parse("base: &b\n  image: x\n  cmd: y\nacc:\n  <<: *b\n  cmd: z\n");
        let acc = n.get("acc").unwrap();
        assert_eq!(acc.get("image").unwrap().as_str(), Some("x"));
        assert_eq!(acc.get("cmd").unwrap().as_str(), Some("z"));
    }

    #[test]
    fn empty_is_none() {
        assert!(load("", &Options::default()).unwrap().is_none());
        assert!(load("# only a comment\n", &Options::default()).unwrap().is_none());
    }

    #[test]
    fn syntax_error_has_position() {
        let e = load("a: [1, 2\nb: 3\n", &Options::default()).unwrap_err();
        assert_eq!(e.kind, LoadErrorKind::Syntax);
        assert!(e.pos.line >= 1);
    }

    fn nodes(n: &Node) -> usize {
        1 + match &n.kind {
            Kind::Scalar(_) => 0,
            Kind::Seq(items) => items.iter().map(nodes).sum(),
            Kind::Map(entries) => entries.iter().map(|e| nodes(&e.key) + nodes(&e.value)).sum(),
        }
    }

    /// Each node counts once, however deep it sits: a limit of exactly the tree's size passes,
    /// one less fails.
    #[test]
    fn nodes_are_counted_once() {
        let text = "a:\n  b:\n    c: [1, 2, {d: 3}]\n  e: &x {f: 4}\n  g: *x\n";
        let tree = parse(text);
        let n = nodes(&tree);
        let at = |max_nodes| {
            load(
                text,
                &Options {
                    max_nodes,
                    ..Options::default()
                },
            )
        };
        assert!(at(n).is_ok());
        assert_eq!(at(n - 1).unwrap_err().kind, LoadErrorKind::TooManyNodes);
    }

    #[test]
    fn alias_bomb_is_bounded() {
        let mut s = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..12 {
            s.push_str(&format!(
                "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n",
                p = i - 1
            ));
        }
        let e = load(&s, &Options::default()).unwrap_err();
        assert_eq!(e.kind, LoadErrorKind::TooManyNodes);
    }

    #[test]
    fn deep_nesting_is_bounded() {
        let s = "[".repeat(10_000) + &"]".repeat(10_000);
        let e = load(&s, &Options::default()).unwrap_err();
        assert_eq!(e.kind, LoadErrorKind::TooDeep);
        let s = (0..10_000)
            .map(|i| format!("{}k:\n", " ".repeat(i)))
            .collect::<String>();
        let e = load(&s, &Options::default()).unwrap_err();
        assert_eq!(e.kind, LoadErrorKind::TooDeep);
    }
}
