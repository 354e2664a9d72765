//! Litestream's config file: the key table, and views over the YAML tree that rules share.

pub mod expand;
pub mod keys;
pub mod s3;
pub mod schema;

use crate::version::{Line, Version};
use crate::yaml::Node;
use keys::{Key, Level, Ty};

/// Visits every mapping Litestream reads, with the level it sits at. Values of the wrong shape
/// are not descended into (the type rule reports them).
pub fn walk<'a>(root: &'a Node, f: &mut impl FnMut(Level, &'a Node)) {
    walk_at(Level::Top, root, f);
}

fn walk_at<'a>(level: Level, map: &'a Node, f: &mut impl FnMut(Level, &'a Node)) {
    f(level, map);
    for e in map.entries().unwrap_or(&[]) {
        let Some(key) = e.key.as_str().and_then(|k| keys::lookup(level, k)) else {
            continue;
        };
        match key.ty {
            Ty::Map(l) if e.value.entries().is_some() => walk_at(l, &e.value, f),
            Ty::MapList(l) => {
                for item in e.value.items().unwrap_or(&[]) {
                    if item.entries().is_some() {
                        walk_at(l, item, f);
                    }
                }
            }
            _ => {}
        }
    }
}

/// Visits every known key with its value: `(key spec, key node, value node)`.
pub fn each_key<'a>(root: &'a Node, f: &mut impl FnMut(&'static Key, &'a Node, &'a Node)) {
    walk(root, &mut |level, map| {
        for e in map.entries().unwrap_or(&[]) {
            if let Some(k) = e.key.as_str().and_then(|k| keys::lookup(level, k)) {
                f(k, &e.key, &e.value);
            }
        }
    });
}

/// One `dbs[]` entry.
#[derive(Debug, Clone)]
pub struct Db<'a> {
    pub node: &'a Node,
    pub path: Option<&'a Node>,
    pub replicas: Vec<Replica<'a>>,
}

/// One replica of a database, from `replicas:` (a list) or `replica:` (a single mapping).
#[derive(Debug, Clone, Copy)]
pub struct Replica<'a> {
    pub node: &'a Node,
    /// The `replica` or `replicas` key it was found under.
    pub key: &'a Node,
    pub singular: bool,
}

pub fn dbs(root: &Node) -> Vec<Db<'_>> {
    root.get("dbs")
        .and_then(Node::items)
        .unwrap_or(&[])
        .iter()
        .filter(|n| n.entries().is_some())
        .map(|node| {
            let mut replicas = Vec::new();
            if let Some(e) = node.entry("replicas") {
                for r in e.value.items().unwrap_or(&[]) {
                    if r.entries().is_some() {
                        replicas.push(Replica {
                            node: r,
                            key: &e.key,
                            singular: false,
                        });
                    }
                }
            }
            if let Some(e) = node.entry("replica") {
                if e.value.entries().is_some() {
                    replicas.push(Replica {
                        node: &e.value,
                        key: &e.key,
                        singular: true,
                    });
                }
            }
            Db {
                node,
                path: node.get("path"),
                replicas,
            }
        })
        .collect()
}

impl<'a> Replica<'a> {
    /// The replicas the running version actually reads: 0.3 ignores `replica:`.
    pub fn read_by(&self, v: Version) -> bool {
        !(self.singular && v.line == Line::V03)
    }

    /// A replica setting, falling back to the top-level default where the version copies it in
    /// (0.5.3+ copies every replica setting; 0.3 only the two credentials).
    pub fn setting(&self, root: &'a Node, key: &str, v: Version) -> Option<&'a Node> {
        if let Some(n) = self.node.get(key) {
            return Some(n);
        }
        let inherited = match v.line {
            Line::V03 => matches!(key, "access-key-id" | "secret-access-key"),
            Line::V05 => {
                keys::lookup(Level::Top, key).is_some_and(|k| matches!(k.v05, keys::On05::Since(_))) && !v.v05_before(3)
                    || matches!(key, "access-key-id" | "secret-access-key")
            }
        };
        if inherited {
            root.get(key)
        } else {
            None
        }
    }

    /// Where this replica writes (type, bucket, endpoint host, path), as one comparable string.
    pub fn target(&self, root: &Node, v: Version) -> Option<String> {
        self.target_with(root, v, &|n: &Node| n.as_str().map(str::to_string))
    }

    /// [`Replica::target`], reading each setting's text through `get` (`None`: unknown).
    pub fn target_with(&self, root: &Node, v: Version, get: &dyn Fn(&Node) -> Option<String>) -> Option<String> {
        let kind = self.kind();
        if let Some(u) = self.node.get("url") {
            let url = get(u)?;
            let (host, path) = s3::url_parts(&url)?;
            // `bucket.provider-host` and `bucket` + endpoint name the same place.
            let (bucket, endpoint) = match host.split_once('.') {
                Some((b, rest)) if s3::url_host_recognised(host, v.line) => (b, rest),
                _ => (host, ""),
            };
            return Some(format!("{kind}://{bucket}@{endpoint}/{}", path.trim_matches('/')));
        }
        let read = |k: &str| -> Option<String> {
            match self.setting(root, k, v) {
                Some(n) => get(n),
                None => Some(String::new()),
            }
        };
        let path = read("path")?;
        Some(format!(
            "{kind}://{}@{}/{}",
            read("bucket")?,
            s3::host(&read("endpoint")?),
            path.trim_matches('/')
        ))
    }

    /// The replica type as Litestream decides it: `type`, else the URL scheme, else `file`.
    pub fn kind(&self) -> String {
        if let Some(t) = self.node.get("type").and_then(Node::as_str).filter(|t| !t.is_empty()) {
            return t.to_string();
        }
        if let Some(url) = self.node.get("url").and_then(Node::as_str) {
            if let Some((scheme, _)) = url.split_once("://") {
                return scheme.to_string();
            }
        }
        "file".to_string()
    }
}
