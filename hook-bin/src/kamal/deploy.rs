//! Views over a Kamal 2 `deploy.yml` tree: the service, the app's volumes, the Litestream accessory.

use std::collections::HashMap;

use crate::yaml::{Entry, Kind, Node};

/// Kamal deep-merges `deploy.<destination>.yml` over `deploy.yml`: mappings merge key by key,
/// everything else (lists included) is replaced. Linear in the size of both trees: each level
/// indexes its keys once, so a hostile file with thousands of keys costs no more than reading it.
pub fn deep_merge(base: &Node, over: Node) -> Node {
    let Node { kind, pos, tag, src } = over;
    match (&base.kind, kind) {
        (Kind::Map(b), Kind::Map(o)) => {
            let mut entries: Vec<Entry> = b.clone();
            // The first entry with each text key, as the old key-by-key search found it.
            let mut index: HashMap<String, usize> = HashMap::with_capacity(entries.len());
            for (i, e) in entries.iter().enumerate() {
                if let Some(k) = e.key.as_str() {
                    index.entry(k.to_string()).or_insert(i);
                }
            }
            for oe in o {
                match oe.key.as_str().and_then(|k| index.get(k).copied()) {
                    Some(i) => {
                        let merged = deep_merge(&entries[i].value, oe.value);
                        entries[i].value = merged;
                    }
                    None => {
                        if let Some(k) = oe.key.as_str() {
                            index.insert(k.to_string(), entries.len());
                        }
                        entries.push(oe);
                    }
                }
            }
            Node {
                kind: Kind::Map(entries),
                pos: base.pos,
                tag: base.tag.clone(),
                src: base.src,
            }
        }
        (_, kind) => Node { kind, pos, tag, src },
    }
}

/// One `docker --volume` string, split the way Docker splits it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Volume {
    pub source: String,
    pub target: String,
    pub options: Vec<String>,
}

impl Volume {
    pub fn parse(s: &str) -> Option<Volume> {
        let mut parts = s.splitn(3, ':');
        let source = parts.next()?.trim().to_string();
        let target = parts.next()?.trim().to_string();
        if source.is_empty() || target.is_empty() {
            return None;
        }
        let options = parts
            .next()
            .map(|o| o.split(',').map(|x| x.trim().to_string()).collect())
            .unwrap_or_default();
        Some(Volume {
            source,
            target,
            options,
        })
    }

    pub fn read_only(&self) -> bool {
        self.options.iter().any(|o| o == "ro" || o == "readonly")
    }

    /// A Docker named volume (as opposed to a host path bind mount).
    pub fn is_named(&self) -> bool {
        !(self.source.starts_with('/')
            || self.source.starts_with('.')
            || self.source.starts_with('~')
            || self.source.starts_with('$'))
    }

    /// True when `path` (absolute, in the container) lies under this mount's target.
    pub fn contains(&self, path: &str) -> bool {
        let t = self.target.trim_end_matches('/');
        path == t || path.strip_prefix(t).is_some_and(|rest| rest.starts_with('/'))
    }
}

/// The app's own `volumes:` (root level), with the node each came from.
pub fn app_volumes(root: &Node) -> Vec<(&Node, Volume)> {
    volumes_of(root)
}

pub fn volumes_of(node: &Node) -> Vec<(&Node, Volume)> {
    node.get("volumes")
        .and_then(Node::items)
        .unwrap_or(&[])
        .iter()
        .filter_map(|n| Some((n, Volume::parse(n.as_str()?)?)))
        .collect()
}

/// One role of `servers:` (`web` when `servers` is a plain list of hosts).
#[derive(Debug, Clone, Copy)]
pub struct Role<'a> {
    pub name: &'a str,
    /// The role's own mapping (`None` when the role is a plain list of hosts).
    pub node: Option<&'a Node>,
    /// `servers:` itself or the role's entry, for positions.
    pub at: &'a Node,
    /// The role's list of hosts, when the role is written as a plain list.
    pub list: Option<&'a Node>,
}

impl<'a> Role<'a> {
    /// The role's `cmd:` (the container's command instead of the image's CMD).
    pub fn cmd(&self) -> Option<&'a Node> {
        self.node?.get("cmd")
    }

    /// The role's own `env:`, merged over the root `env` by Kamal.
    pub fn env(&self) -> Option<&'a Node> {
        self.node?.get("env")
    }
}

pub fn roles(root: &Node) -> Vec<Role<'_>> {
    let Some(servers) = root.get("servers") else {
        return Vec::new();
    };
    if servers.items().is_some() {
        return vec![Role {
            name: "web",
            node: None,
            at: servers,
            list: Some(servers),
        }];
    }
    servers
        .entries()
        .unwrap_or(&[])
        .iter()
        .filter_map(|e| {
            Some(Role {
                name: e.key.as_str()?,
                node: e.value.entries().map(|_| &e.value),
                at: &e.key,
                list: e.value.items().map(|_| &e.value),
            })
        })
        .collect()
}

/// A Litestream accessory: found by its image (any registry or tag), or by the name `litestream`.
#[derive(Debug, Clone, Copy)]
pub struct Accessory<'a> {
    pub name: &'a Node,
    pub node: &'a Node,
}

impl<'a> Accessory<'a> {
    pub fn image(&self) -> Option<&'a Node> {
        self.node.get("image")
    }
}

pub fn is_litestream_image(image: &str) -> bool {
    let without_tag = image.split('@').next().unwrap_or(image);
    let name_start = without_tag.rfind('/').map_or(0, |i| i + 1);
    let name = without_tag[name_start..].split(':').next().unwrap_or("");
    name == "litestream"
}

pub fn litestream_accessories(root: &Node) -> Vec<Accessory<'_>> {
    let Some(entries) = root.get("accessories").and_then(Node::entries) else {
        return Vec::new();
    };
    entries
        .iter()
        .filter(|e| {
            let by_image = e
                .value
                .get("image")
                .and_then(Node::as_str)
                .is_some_and(is_litestream_image);
            by_image || e.key.as_str() == Some("litestream")
        })
        .map(|e| Accessory {
            name: &e.key,
            node: &e.value,
        })
        .collect()
}

/// The files an accessory uploads, as (local, remote, options) with the node each came from.
/// Kamal accepts `local:remote[:options]` strings and (2.10+) `{local, remote, options}` hashes.
pub fn accessory_files(acc: &Node) -> Vec<(&Node, String, String, Option<String>)> {
    let mut out = Vec::new();
    for n in acc.get("files").and_then(Node::items).unwrap_or(&[]) {
        if let Some(s) = n.as_str() {
            let mut p = s.splitn(3, ':');
            if let (Some(l), Some(r)) = (p.next(), p.next()) {
                out.push((n, l.to_string(), r.to_string(), p.next().map(str::to_string)));
            }
        } else if let (Some(l), Some(r)) = (
            n.get("local").and_then(Node::as_str),
            n.get("remote").and_then(Node::as_str),
        ) {
            out.push((
                n,
                l.to_string(),
                r.to_string(),
                n.get("options").and_then(Node::as_str).map(str::to_string),
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn volumes() {
        let v = Volume::parse("app_storage:/rails/storage:ro,z").unwrap();
        assert!(v.read_only() && v.is_named() && v.contains("/rails/storage/production.sqlite3"));
        assert!(!v.contains("/rails/storagex/a"));
        assert!(!Volume::parse("/data:/rails/storage").unwrap().is_named());
    }

    #[test]
    fn images() {
        assert!(is_litestream_image("litestream/litestream:0.5.17"));
        assert!(is_litestream_image("ghcr.io/benbjohnson/litestream"));
        assert!(!is_litestream_image("litestream-exporter:1"));
    }
}
