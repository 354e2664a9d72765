//! The production databases of a Rails app, from `config/database.yml`, with their paths as
//! Rails evaluates them (ERB included, see [`super::erb`]).

use super::erb::{eval, Context, Value};
use crate::yaml::{is_erb_char, tag_index, Node, Tag};

/// Where a database file is, once Rails has evaluated its `database:` value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolved {
    /// The file's absolute path in the app container.
    Path(String),
    /// ERB that cannot be evaluated here: the code of each such tag.
    Unknown(Vec<String>),
}

/// One production database entry (`primary`, `cache`, `queue`, `cable`, …).
#[derive(Debug, Clone, Copy)]
pub struct RailsDb<'a> {
    pub name: &'a str,
    /// The entry's mapping (for positions).
    pub node: &'a Node,
    pub adapter: Option<&'a Node>,
    pub database: Option<&'a Node>,
}

impl RailsDb<'_> {
    pub fn is_sqlite(&self) -> bool {
        self.adapter
            .and_then(Node::as_str)
            .is_some_and(|a| a.starts_with("sqlite"))
    }

    /// Where the app opens the file inside the Rails container (`WORKDIR /rails`).
    pub fn container_path(&self) -> Option<String> {
        let db = self.database?.as_str()?;
        if self.database?.is_erb() {
            return None;
        }
        Some(container_path(db))
    }
}

impl RailsDb<'_> {
    /// The `database:` value as Rails evaluates it, made absolute against the Rails root.
    /// `None` when there is no usable value (no `database:`, `:memory:`, a URL, empty).
    pub fn resolve(&self, cx: &Context, tags: &[Tag]) -> Option<Resolved> {
        // A `url:` wins over `database:` when it has a value (Rails merges it over the entry):
        // `sqlite3:storage/x.sqlite3` names the file; a URL only known at run time leaves it unknown.
        if let Some(u) = self.node.get("url") {
            match evaluate(u, cx, tags) {
                Err(code) => return Some(Resolved::Unknown(code)),
                Ok(v) if v.trim().is_empty() => {}
                Ok(v) => {
                    let t = v.trim();
                    let path = t
                        .strip_prefix("sqlite3://")
                        .or_else(|| t.strip_prefix("sqlite3:"))
                        .or_else(|| t.strip_prefix("sqlite://"))
                        .or_else(|| t.strip_prefix("sqlite:"))?;
                    return Some(Resolved::Path(under_root(
                        cx.rails_root,
                        path.split('?').next().unwrap_or(path),
                    )));
                }
            }
        }
        let node = self.database?;
        let text = match evaluate(node, cx, tags) {
            Ok(t) => t,
            Err(code) => return Some(Resolved::Unknown(code)),
        };
        let text = text.trim();
        if text.is_empty() || text == ":memory:" || text.contains("://") || text.starts_with("file:") {
            return None;
        }
        Some(Resolved::Path(under_root(cx.rails_root, text)))
    }
}

/// A scalar's value with its ERB evaluated, or the code of the tags that cannot be.
fn evaluate(node: &Node, cx: &Context, tags: &[Tag]) -> Result<String, Vec<String>> {
    if !node.is_erb() {
        return Ok(node.as_str().unwrap_or("").to_string());
    }
    let masked = node.written().unwrap_or("");
    let mut out = String::new();
    let mut unknown = Vec::new();
    let mut last: Option<char> = None;
    for c in masked.chars() {
        if !is_erb_char(c) {
            out.push(c);
            last = None;
            continue;
        }
        if last == Some(c) {
            continue;
        }
        last = Some(c);
        let tag = tag_index(c, tags.len()).and_then(|i| tags.get(i));
        match tag.map(|t| (t, eval(&t.code, cx))) {
            Some((_, Some(Value::Str(v)))) => out.push_str(&v),
            Some((_, Some(Value::Nil))) => {}
            Some((t, None)) => unknown.push(t.code.clone()),
            None => unknown.push("…".into()),
        }
    }
    if unknown.is_empty() {
        Ok(out)
    } else {
        Err(unknown)
    }
}

/// A `database:` path made absolute against the Rails root.
pub fn under_root(root: &str, db: &str) -> String {
    if db.starts_with('/') {
        db.to_string()
    } else {
        format!("{}/{}", root.trim_end_matches('/'), db.trim_start_matches("./"))
    }
}

/// `storage/x.sqlite3` → `/rails/storage/x.sqlite3`; absolute paths stay as they are.
pub fn container_path(db: &str) -> String {
    if db.starts_with('/') {
        db.to_string()
    } else {
        format!("/rails/{}", db.trim_start_matches("./"))
    }
}

/// The production section's databases. A single-database app (`production: {adapter, database}`)
/// gives one entry named `primary`.
pub fn production_dbs(root: &Node) -> Vec<RailsDb<'_>> {
    env_dbs(root, "production")
}

/// The databases of one Rails environment's section.
pub fn env_dbs<'a>(root: &'a Node, rails_env: &str) -> Vec<RailsDb<'a>> {
    let Some(prod) = root.get(rails_env) else {
        return Vec::new();
    };
    if prod.get("database").is_some() || prod.get("adapter").is_some() {
        return vec![RailsDb {
            name: "primary",
            node: prod,
            adapter: prod.get("adapter"),
            database: prod.get("database"),
        }];
    }
    let entries = prod.entries().unwrap_or(&[]);
    entries
        .iter()
        .enumerate()
        // A key written twice: YAML loaders keep the last one.
        .filter(|(i, e)| {
            !entries[i + 1..]
                .iter()
                .any(|l| l.key.as_str().is_some() && l.key.as_str() == e.key.as_str())
        })
        .map(|(_, e)| e)
        .filter(|e| e.value.entries().is_some())
        .filter_map(|e| {
            Some(RailsDb {
                name: e.key.as_str()?,
                node: &e.value,
                adapter: e.value.get("adapter"),
                database: e.value.get("database"),
            })
        })
        .collect()
}
