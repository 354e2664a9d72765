//! Adds the `litestream` accessory to config/deploy.yml by editing text, not by re-dumping YAML:
//! every existing line, comment, ERB tag, anchor and the order of keys stay as they are.
//!
//! The tree (parsed with ERB masked, so lines and columns match the file) says where things are;
//! the edit inserts or replaces whole lines; the result is parsed again and compared with the
//! original, and anything unexpected stops init with the block to add by hand.

use super::app::Hosts;
use super::error::InitError;
use super::litestream_yml::{scalar, ACCESS_KEY_VAR, SECRET_KEY_VAR};
use crate::kamal::deploy::{accessory_files, litestream_accessories, volumes_of, Volume};
use crate::yaml::{self, mask_erb, Kind, Node};

pub const CONFIG_FILE_MOUNT: &str = "config/litestream.yml:/etc/litestream.yml:ro";
const COMMENT: &str = "# Continuous SQLite backups with Litestream (added by litestream-guard init).";

/// The accessory init wants.
#[derive(Debug, Clone)]
pub struct Desired {
    pub image: String,
    pub hosts: Hosts,
    pub volumes: Vec<Volume>,
    /// Every role of the app, for judging an existing `roles:` selector.
    pub roles: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// deploy.yml already has an equivalent accessory: the text stays byte for byte.
    Unchanged { name: String },
    /// The new text, and what was done (`added`/`updated`).
    Edited {
        text: String,
        name: String,
        what: &'static str,
    },
}

impl Desired {
    /// The accessory's lines, its key at `ind` spaces, each level `step` deeper.
    pub fn block(&self, name: &str, ind: usize, step: usize, nl: &str) -> String {
        let p = |n: usize| " ".repeat(ind + n * step);
        let mut out = vec![
            format!("{}{}:", p(0), name),
            format!("{}image: {}", p(1), scalar(&self.image)),
        ];
        match &self.hosts {
            Hosts::One(h) => out.push(format!("{}host: {}", p(1), scalar(h))),
            Hosts::Roles(rs) => {
                out.push(format!("{}roles:", p(1)));
                for r in rs {
                    out.push(format!("{}- {}", p(2), scalar(r)));
                }
            }
        }
        out.push(format!("{}cmd: replicate", p(1)));
        out.push(format!("{}files:", p(1)));
        out.push(format!("{}- {CONFIG_FILE_MOUNT}", p(2)));
        out.push(format!("{}volumes:", p(1)));
        for v in &self.volumes {
            out.push(format!("{}- \"{}:{}\"", p(2), v.source, v.target));
        }
        out.push(format!("{}env:", p(1)));
        out.push(format!("{}secret:", p(2)));
        out.push(format!("{}- {ACCESS_KEY_VAR}", p(3)));
        out.push(format!("{}- {SECRET_KEY_VAR}", p(3)));
        let mut s = out.join(nl);
        s.push_str(nl);
        s
    }

    /// What to add by hand when init cannot edit the file.
    pub fn snippet(&self) -> String {
        format!("accessories:\n{}", self.block("litestream", 2, 2, "\n"))
    }
}

/// How an existing accessory differs from what init wants; empty when it is equivalent.
pub fn differences(acc: &Node, want: &Desired) -> Vec<String> {
    let mut d = Vec::new();
    let image = acc.get("image").and_then(Node::as_str).unwrap_or("");
    if image != want.image {
        d.push(format!("image is `{image}`, init pins `{}`", want.image));
    }
    if let Some(why) = selector_problem(acc, want) {
        d.push(why);
    }
    if acc.get("cmd").and_then(Node::as_str).map(str::trim) != Some("replicate") {
        d.push("cmd is not `replicate`".into());
    }
    let mounts_config = accessory_files(acc).iter().any(|(_, local, remote, _)| {
        local.trim_start_matches("./") == "config/litestream.yml" && remote == "/etc/litestream.yml"
    });
    if !mounts_config {
        d.push("files does not mount config/litestream.yml at /etc/litestream.yml".into());
    }
    let vols = volumes_of(acc);
    for v in &want.volumes {
        let ok = vols.iter().any(|(_, x)| {
            x.source == v.source && x.target.trim_end_matches('/') == v.target.trim_end_matches('/') && !x.read_only()
        });
        if !ok {
            d.push(format!("volumes does not mount `{}:{}` read-write", v.source, v.target));
        }
    }
    let secrets: Vec<&str> = acc
        .get("env")
        .and_then(|e| e.get("secret"))
        .and_then(Node::items)
        .unwrap_or(&[])
        .iter()
        .filter_map(Node::as_str)
        .map(|s| s.split(':').next().unwrap_or(s))
        .collect();
    for v in [ACCESS_KEY_VAR, SECRET_KEY_VAR] {
        if !secrets.contains(&v) {
            d.push(format!("env.secret does not list {v}"));
        }
    }
    let env = acc.get("env");
    let clear = env
        .and_then(|e| e.get("clear"))
        .or(env.filter(|e| e.get("secret").is_none() && e.get("clear").is_none()));
    for e in clear.and_then(Node::entries).unwrap_or(&[]) {
        if let Some(k) = e
            .key
            .as_str()
            .filter(|k| k.starts_with("LITESTREAM_") || k.starts_with("AWS_"))
        {
            d.push(format!(
                "env.clear sets {k}, which `docker inspect` shows; it belongs in env.secret"
            ));
        }
    }
    d
}

fn strs(n: Option<&Node>) -> Vec<String> {
    match n {
        None => Vec::new(),
        Some(n) => match n.items() {
            Some(items) => items.iter().filter_map(Node::as_str).map(str::to_string).collect(),
            None => n.as_str().map(|s| vec![s.to_string()]).unwrap_or_default(),
        },
    }
}

fn selector_problem(acc: &Node, want: &Desired) -> Option<String> {
    let keys = ["host", "hosts", "role", "roles", "tag", "tags"];
    let present: Vec<&str> = keys.into_iter().filter(|k| acc.get(k).is_some()).collect();
    if present.len() != 1 {
        return Some(format!(
            "it needs exactly one of host, hosts, role, roles (has {})",
            if present.is_empty() {
                "none".to_string()
            } else {
                present.join(", ")
            }
        ));
    }
    let key = present[0];
    let vals = strs(acc.get(key));
    let erb = acc
        .get(key)
        .is_some_and(|n| n.is_erb() || n.items().is_some_and(|i| i.iter().any(Node::is_erb)));
    let ok = match (&want.hosts, key) {
        (_, _) if erb => false,
        (Hosts::One(h), "host" | "hosts") => vals.len() == 1 && vals[0] == *h,
        // Every role runs on the one host, so any existing role reaches it.
        (Hosts::One(_), "role" | "roles") => !vals.is_empty() && vals.iter().all(|r| want.roles.contains(r)),
        (Hosts::Roles(rs), "role" | "roles") => {
            rs.iter().all(|r| vals.contains(r)) && vals.iter().all(|r| rs.contains(r))
        }
        _ => false,
    };
    if ok {
        None
    } else {
        let wanted = match &want.hosts {
            Hosts::One(h) => format!("host `{h}`"),
            Hosts::Roles(rs) => format!("roles {}", rs.join(", ")),
        };
        Some(format!(
            "`{key}: {}` does not target the app's {wanted}",
            vals.join(", ")
        ))
    }
}

/// Keys of an accessory that init writes; anything else would be lost by replacing the block.
const MANAGED: [&str; 11] = [
    "image", "host", "hosts", "role", "roles", "tag", "tags", "cmd", "files", "volumes", "env",
];

struct Lines<'a> {
    /// Original lines, each with its line ending.
    orig: Vec<&'a str>,
    /// The same lines with ERB masked (control tags are blanks, output tags placeholders).
    masked: Vec<String>,
    nl: &'static str,
}

impl<'a> Lines<'a> {
    fn new(text: &'a str) -> Lines<'a> {
        let masked_text = mask_erb(text).unwrap_or_else(|| text.to_string());
        Lines {
            orig: text.split_inclusive('\n').collect(),
            masked: masked_text.split_inclusive('\n').map(str::to_string).collect(),
            nl: if text.contains("\r\n") { "\r\n" } else { "\n" },
        }
    }

    fn content(&self, i: usize) -> &str {
        self.orig[i].trim_end_matches(['\n', '\r'])
    }

    fn blank_masked(&self, i: usize) -> bool {
        self.masked.get(i).is_none_or(|l| l.trim().is_empty())
    }

    /// The last line (0-based) of the block whose key is on line `start` at `ind` spaces:
    /// following lines that are blank or indented deeper (comments included) belong to it.
    fn block_end(&self, start: usize, ind: usize) -> usize {
        let mut last = start;
        for i in start + 1..self.orig.len() {
            if self.blank_masked(i) {
                continue;
            }
            if indent(&self.masked[i]) <= ind {
                break;
            }
            last = i;
        }
        last
    }

    /// True when an ERB control tag (`<% … %>`, `<%# … %>`) sits on lines `from..=to`.
    fn erb_control(&self, from: usize, to: usize) -> Option<usize> {
        (from..=to.min(self.orig.len().saturating_sub(1))).find(|&i| {
            let l = self.orig[i];
            let mut rest = l;
            while let Some(k) = rest.find("<%") {
                let tag = &rest[k..];
                if !(tag.starts_with("<%=") || tag.starts_with("<%-=") || tag.starts_with("<%%")) {
                    return true;
                }
                rest = &tag[2..];
            }
            false
        })
    }
}

fn indent(l: &str) -> usize {
    l.chars().take_while(|c| *c == ' ').count()
}

/// A key line with nothing after the colon but an optional comment: `  name:  # …`.
fn bare_key_line(line: &str, key: &str) -> bool {
    let t = line.trim();
    let Some(rest) = t.strip_prefix(key) else { return false };
    let rest = rest.trim_start();
    let Some(after) = rest.strip_prefix(':') else {
        return false;
    };
    let after = after.trim();
    after.is_empty() || after.starts_with('#')
}

fn manual(why: impl Into<String>, want: &Desired) -> InitError {
    InitError::ManualEditNeeded {
        why: why.into(),
        snippet: want.snippet(),
    }
}

fn parse(text: &str) -> Option<Node> {
    let masked = mask_erb(text);
    yaml::load(masked.as_deref().unwrap_or(text), &yaml::Options::default())
        .ok()
        .flatten()
        .filter(|r| r.entries().is_some())
}

/// Structural equality: same kinds, keys, values, styles and tags; positions ignored.
fn same(a: &Node, b: &Node) -> bool {
    if a.tag != b.tag {
        return false;
    }
    match (&a.kind, &b.kind) {
        (Kind::Scalar(x), Kind::Scalar(y)) => x == y,
        (Kind::Seq(x), Kind::Seq(y)) => x.len() == y.len() && x.iter().zip(y).all(|(p, q)| same(p, q)),
        (Kind::Map(x), Kind::Map(y)) => {
            x.len() == y.len()
                && x.iter()
                    .zip(y)
                    .all(|(p, q)| same(&p.key, &q.key) && same(&p.value, &q.value))
        }
        _ => false,
    }
}

/// The indentation step of the document: how far the first nested block mapping is indented.
fn doc_step(root: &Node) -> usize {
    root.entries()
        .unwrap_or(&[])
        .iter()
        .filter(|e| e.value.entries().is_some_and(|x| !x.is_empty()) && e.value.pos.line > e.key.pos.line)
        .map(|e| e.value.pos.col.saturating_sub(e.key.pos.col))
        .find(|s| (1..=8).contains(s))
        .unwrap_or(2)
}

/// Edits `text` (config/deploy.yml, already parsed into `root`) so that it has the accessory.
pub fn edit(text: &str, root: &Node, want: &Desired) -> Result<Outcome, InitError> {
    let found = litestream_accessories(root);
    if found.len() > 1 {
        let names: Vec<String> = found
            .iter()
            .map(|a| a.name.as_str().unwrap_or("?").to_string())
            .collect();
        return Err(InitError::AccessoryConflict {
            name: names.join("`, `"),
            reasons: vec![format!(
                "{} accessories run Litestream; two replicators on one database corrupt each other's backups. Keep one",
                names.len()
            )],
            wanted: want.block("litestream", 2, 2, "\n"),
        });
    }
    if let Some(acc) = found.first() {
        if differences(acc.node, want).is_empty() {
            let name = acc.name.as_str().unwrap_or("litestream").to_string();
            return Ok(Outcome::Unchanged { name });
        }
    }
    let lines = Lines::new(text);
    if root.pos.col != 1
        || lines
            .masked
            .get(root.pos.line - 1)
            .is_some_and(|l| l.trim_start().starts_with('{'))
    {
        return Err(manual(
            "the document is not a block mapping that starts at column 1",
            want,
        ));
    }
    let acc_entries: Vec<_> = root
        .entries()
        .unwrap_or(&[])
        .iter()
        .filter(|e| e.key.as_str() == Some("accessories"))
        .collect();
    if acc_entries.len() > 1 {
        return Err(manual("`accessories:` appears twice", want));
    }
    let result = if let Some(acc) = found.first() {
        let name = acc.name.as_str().unwrap_or("litestream").to_string();
        let diffs = differences(acc.node, want);
        replace(&lines, root, acc.name, acc.node, want, &name, &diffs)?
    } else {
        let edited = match acc_entries.first() {
            None => append(&lines, root, want)?,
            Some(e) => insert(&lines, root, &e.key, &e.value, want)?,
        };
        (edited, "litestream".to_string(), "added")
    };
    let (new_text, name, what) = result;
    verify(text, root, &new_text, &name, want)?;
    Ok(Outcome::Edited {
        text: new_text,
        name,
        what,
    })
}

/// No `accessories:` yet: append one at the end of the file.
fn append(lines: &Lines, root: &Node, want: &Desired) -> Result<String, InitError> {
    let first = root.pos.line.saturating_sub(1);
    for i in first..lines.orig.len() {
        let t = lines.masked[i].trim_end();
        if t == "---" || t == "..." || t.starts_with("--- ") {
            return Err(manual(
                format!(
                    "line {} starts or ends a YAML document, so the end of the file is not the end of the mapping",
                    i + 1
                ),
                want,
            ));
        }
    }
    let step = doc_step(root);
    let nl = lines.nl;
    let mut out: String = lines.orig.concat();
    if !out.is_empty() && !out.ends_with('\n') {
        out.push_str(nl);
    }
    if lines.orig.last().is_some_and(|l| !l.trim().is_empty()) {
        out.push_str(nl);
    }
    out.push_str(COMMENT);
    out.push_str(nl);
    out.push_str("accessories:");
    out.push_str(nl);
    out.push_str(&want.block("litestream", step, step, nl));
    Ok(out)
}

/// `accessories:` exists and holds no Litestream accessory: add one at the end of its block.
fn insert(lines: &Lines, root: &Node, key: &Node, value: &Node, want: &Desired) -> Result<String, InitError> {
    let kl = key.pos.line - 1;
    if key.pos.col != 1 || !bare_key_line(lines.content(kl), "accessories") {
        return Err(manual(
            format!(
                "`accessories:` on line {} is not a plain block (it is a flow mapping, an alias, an anchor or a tag)",
                kl + 1
            ),
            want,
        ));
    }
    let entries = match &value.kind {
        Kind::Map(e) => e.as_slice(),
        Kind::Scalar(_) if value.is_null() => &[],
        _ => {
            return Err(manual(
                format!("`accessories:` on line {} is not a mapping", kl + 1),
                want,
            ))
        }
    };
    if entries.iter().any(|e| e.key.pos.line <= kl + 1) {
        return Err(manual(
            format!("`accessories:` on line {} is written inline", kl + 1),
            want,
        ));
    }
    let end = lines.block_end(kl, 0);
    // Up to the next content line: an ERB control tag anywhere here could make the new
    // accessory conditional.
    let next = (end + 1..lines.orig.len())
        .find(|&i| !lines.blank_masked(i))
        .unwrap_or(lines.orig.len());
    if let Some(l) = lines.erb_control(kl, next.saturating_sub(1)) {
        return Err(manual(
            format!("the `accessories:` block holds an ERB control tag (line {})", l + 1),
            want,
        ));
    }
    let step = doc_step(root);
    let ind = entries.first().map_or(step, |e| e.key.pos.col - 1);
    let child_step = entries
        .iter()
        .find(|e| e.value.entries().is_some_and(|x| !x.is_empty()) && e.value.pos.line > e.key.pos.line)
        .map(|e| e.value.pos.col.saturating_sub(e.key.pos.col))
        .filter(|s| (1..=8).contains(s))
        .unwrap_or(step);
    if ind == 0 {
        return Err(manual("the accessories are not indented", want));
    }
    let nl = lines.nl;
    let mut out = String::new();
    for (i, l) in lines.orig.iter().enumerate() {
        out.push_str(l);
        if i == end {
            if !l.ends_with('\n') {
                out.push_str(nl);
            }
            if !entries.is_empty() {
                out.push_str(nl);
            }
            out.push_str(&" ".repeat(ind));
            out.push_str(COMMENT);
            out.push_str(nl);
            out.push_str(&want.block("litestream", ind, child_step, nl));
        }
    }
    Ok(out)
}

/// An existing Litestream accessory that differs: replace its block, but only when nothing in
/// it would be lost.
fn replace(
    lines: &Lines,
    root: &Node,
    name_node: &Node,
    acc: &Node,
    want: &Desired,
    name: &str,
    diffs: &[String],
) -> Result<(String, String, &'static str), InitError> {
    let conflict = |reasons: Vec<String>| InitError::AccessoryConflict {
        name: name.to_string(),
        reasons,
        wanted: want.block(name, 2, 2, "\n"),
    };
    let mut reasons = Vec::new();
    let kl = name_node.pos.line - 1;
    let ind = name_node.pos.col - 1;
    let acc_key = root.entry("accessories").map(|e| &e.key);
    let container_ok =
        acc_key.is_some_and(|k| k.pos.col == 1 && bare_key_line(lines.content(k.pos.line - 1), "accessories"));
    if !container_ok || acc.entries().is_none() || !bare_key_line(lines.content(kl), name) || acc.pos.line <= kl + 1 {
        reasons.push(format!(
            "it is not written as a plain block under a plain `accessories:` (line {}): an alias, anchor, merge key or flow mapping",
            kl + 1
        ));
    }
    let end = lines.block_end(kl, ind);
    if let Some(l) = lines.erb_control(kl, end) {
        reasons.push(format!("it holds an ERB tag (line {})", l + 1));
    }
    for i in kl..=end {
        let orig = lines.orig[i];
        if orig.contains("<%") && !reasons.iter().any(|r| r.contains("ERB")) {
            reasons.push(format!("it holds an ERB tag (line {})", i + 1));
        }
        let masked = lines.masked[i].trim_start();
        if i > kl && masked.starts_with('#') {
            reasons.push(format!(
                "it holds a comment (line {}) that replacing the block would drop",
                i + 1
            ));
        } else if masked.contains(" #") {
            reasons.push(format!(
                "line {} ends with a comment that replacing the block would drop",
                i + 1
            ));
        }
        if masked.contains(": &")
            || masked.contains(": *")
            || masked.contains("- &")
            || masked.contains("- *")
            || masked.contains("<<:")
        {
            reasons.push(format!("it uses an anchor, alias or merge key (line {})", i + 1));
        }
    }
    for e in acc.entries().unwrap_or(&[]) {
        let k = e.key.as_str().unwrap_or("");
        if !MANAGED.contains(&k) {
            reasons.push(format!("it sets `{k}:`, which init does not write"));
        }
    }
    if let Some(env) = acc.get("env") {
        for e in env.entries().unwrap_or(&[]) {
            match e.key.as_str() {
                Some("secret") => {
                    for s in strs(Some(&e.value)) {
                        if s != ACCESS_KEY_VAR && s != SECRET_KEY_VAR {
                            reasons.push(format!("env.secret also lists `{s}`"));
                        }
                    }
                }
                Some(k) => reasons.push(format!("env sets `{k}`, which init does not write")),
                None => {}
            }
        }
    }
    for (_, local, remote, _) in accessory_files(acc) {
        if !(local.trim_start_matches("./") == "config/litestream.yml" && remote == "/etc/litestream.yml") {
            reasons.push(format!("files also uploads `{local}:{remote}`"));
        }
    }
    if acc
        .get("files")
        .and_then(Node::items)
        .is_some_and(|i| i.len() != accessory_files(acc).len())
    {
        reasons.push("files holds an entry init cannot read".into());
    }
    for (_, v) in volumes_of(acc) {
        if !want
            .volumes
            .iter()
            .any(|w| w.source == v.source && w.target == v.target)
        {
            reasons.push(format!("volumes also mounts `{}:{}`", v.source, v.target));
        }
    }
    if !reasons.is_empty() {
        let mut all = vec![format!("it differs from what init writes: {}", diffs.join("; "))];
        all.extend(reasons);
        return Err(conflict(all));
    }
    let step = acc
        .entries()
        .and_then(|e| e.first())
        .map(|e| e.key.pos.col.saturating_sub(name_node.pos.col))
        .filter(|s| (1..=8).contains(s))
        .unwrap_or(2);
    let nl = lines.nl;
    let mut out = String::new();
    for (i, l) in lines.orig.iter().enumerate() {
        if i < kl || i > end {
            out.push_str(l);
        } else if i == kl {
            out.push_str(&want.block(name, ind, step, nl));
        }
    }
    Ok((out, name.to_string(), "updated"))
}

/// Parses the edited text and compares it with the original: everything but the Litestream
/// accessory must be unchanged, and the accessory must be what init wants.
fn verify(old_text: &str, old: &Node, new_text: &str, name: &str, want: &Desired) -> Result<(), InitError> {
    let fail = |why: &str| manual(format!("init could not verify its own edit ({why})"), want);
    let Some(new) = parse(new_text) else {
        return Err(fail("the edited file does not parse"));
    };
    let found = litestream_accessories(&new);
    if found.len() != 1 || found[0].name.as_str() != Some(name) || !differences(found[0].node, want).is_empty() {
        return Err(fail("the accessory is not what init wrote"));
    }
    let strip = |root: &Node| -> Vec<(Node, Node)> {
        let mut v = Vec::new();
        for e in root.entries().unwrap_or(&[]) {
            if e.key.as_str() == Some("accessories") {
                for a in e.value.entries().unwrap_or(&[]) {
                    if a.key.as_str() != Some(name) {
                        v.push((a.key.clone(), a.value.clone()));
                    }
                }
            } else {
                v.push((e.key.clone(), e.value.clone()));
            }
        }
        v
    };
    let (a, b) = (strip(old), strip(&new));
    if a.len() != b.len() || !a.iter().zip(&b).all(|(x, y)| same(&x.0, &y.0) && same(&x.1, &y.1)) {
        return Err(fail("another part of the file would change"));
    }
    // Every original line outside the replaced accessory is still there, in order.
    let old_acc_lines: Option<(usize, usize)> = litestream_accessories(old).first().map(|acc| {
        let lines = Lines::new(old_text);
        let kl = acc.name.pos.line - 1;
        (kl, lines.block_end(kl, acc.name.pos.col - 1))
    });
    let new_lines: Vec<&str> = new_text.lines().collect();
    let mut j = 0;
    for (i, l) in old_text.lines().enumerate() {
        if old_acc_lines.is_some_and(|(s, e)| i >= s && i <= e) {
            continue;
        }
        while j < new_lines.len() && new_lines[j] != l {
            j += 1;
        }
        if j == new_lines.len() {
            return Err(fail(&format!("line {} of the original would be lost", i + 1)));
        }
        j += 1;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn want() -> Desired {
        Desired {
            image: "litestream/litestream:0.5.17".into(),
            hosts: Hosts::One("192.0.2.10".into()),
            volumes: vec![Volume::parse("app_storage:/rails/storage").unwrap()],
            roles: vec!["web".into()],
        }
    }

    fn run(text: &str) -> Result<Outcome, InitError> {
        let root = parse(text).expect("parses");
        edit(text, &root, &want())
    }

    const BASE: &str =
        "service: app\nservers:\n  web:\n    - 192.0.2.10\nvolumes:\n  - \"app_storage:/rails/storage\"\n";

    #[test]
    fn appends_and_is_idempotent() {
        let Outcome::Edited { text, what, .. } = run(BASE).unwrap() else {
            panic!()
        };
        assert_eq!(what, "added");
        assert!(text.starts_with(BASE));
        assert!(text.contains(
            "\naccessories:\n  litestream:\n    image: litestream/litestream:0.5.17\n    host: 192.0.2.10\n"
        ));
        assert_eq!(
            run(&text).unwrap(),
            Outcome::Unchanged {
                name: "litestream".into()
            }
        );
    }

    #[test]
    fn inserts_under_existing_accessories() {
        let text = format!("{BASE}accessories:\n    db:\n        image: mysql:8\n        # port: 3306\n\n# trailing comment\nbuilder:\n  arch: amd64\n");
        let Outcome::Edited { text: out, .. } = run(&text).unwrap() else {
            panic!()
        };
        assert!(out.contains("        # port: 3306\n\n    # Continuous"), "{out}");
        assert!(out.contains("    litestream:\n        image: "), "{out}");
        assert!(out.ends_with("\n# trailing comment\nbuilder:\n  arch: amd64\n"));
        assert_eq!(
            run(&out).unwrap(),
            Outcome::Unchanged {
                name: "litestream".into()
            }
        );
    }

    #[test]
    fn fills_an_empty_accessories_block() {
        let text = format!("{BASE}accessories:\n  # db:\n  #   image: mysql:8.0\n\nbuilder:\n  arch: amd64\n");
        let Outcome::Edited { text: out, .. } = run(&text).unwrap() else {
            panic!()
        };
        assert!(
            out.contains("accessories:\n  # db:\n  #   image: mysql:8.0\n  # Continuous SQLite backups with Litestream (added by litestream-guard init).\n  litestream:\n"),
            "{out}"
        );
        assert!(
            out.ends_with("        - LITESTREAM_SECRET_ACCESS_KEY\n\nbuilder:\n  arch: amd64\n"),
            "{out}"
        );
    }

    #[test]
    fn refuses_alias_and_flow_and_erb_control() {
        for text in [
            format!("x: &acc\n  db:\n    image: mysql\n{BASE}accessories: *acc\n"),
            format!("{BASE}accessories: {{db: {{image: mysql}}}}\n"),
            format!("{BASE}accessories:\n  db:\n    image: mysql\n<% if ENV['X'] %>\n  redis:\n    image: redis\n<% end %>\n"),
        ] {
            let e = run(&text).unwrap_err();
            assert!(matches!(e, InitError::ManualEditNeeded { .. }), "{text}: {e}");
            assert!(e.to_string().contains("accessories:\n  litestream:\n"), "{e}");
        }
    }

    #[test]
    fn updates_a_plain_accessory_and_refuses_one_with_extras() {
        let text = format!("{BASE}accessories:\n  litestream:\n    image: litestream/litestream:0.3.13\n    host: 192.0.2.10\n    cmd: replicate\n    volumes:\n      - \"app_storage:/rails/storage:ro\"\nbuilder:\n  arch: amd64\n");
        let Outcome::Edited { text: out, what, .. } = run(&text).unwrap() else {
            panic!()
        };
        assert_eq!(what, "updated");
        assert!(!out.contains(":ro\""));
        assert!(out.ends_with("builder:\n  arch: amd64\n"));
        let text = format!("{BASE}accessories:\n  litestream:\n    image: litestream/litestream:0.3.13\n    host: 192.0.2.10\n    options:\n      memory: 256m\n");
        let e = run(&text).unwrap_err();
        assert!(e.to_string().contains("`options:`"), "{e}");
    }
}
