use crate::diag::Sink;
use crate::litestream::keys::{self, Level};
use crate::litestream::walk;
use crate::project::Project;
use crate::rules::{Area, Rule};
use crate::suggest::closest;
use crate::yaml::Node;

pub static RULE: Rule = Rule {
    id: "L002",
    name: "unknown-key",
    severity: crate::diag::Severity::Warning,
    area: Area::Litestream,
    summary: "A key Litestream does not know (often a typo): Litestream ignores it without a word.",
    what: "Compares every key of litestream.yml, at every level, with the keys Litestream 0.3 and 0.5 read there, and suggests the closest known key. A top-level key whose value only carries a YAML anchor (`defaults: &defaults`, merged into replicas with `<<: *defaults`) is meant to be ignored and is not reported.",
    why: "Litestream decodes its config with yaml.v2 in non-strict mode, so an unknown key is dropped silently. `sync_interval: 1s` or `force-path-styles: true` look right and do nothing. A warning: the setting is lost, but Litestream runs with its default (a missing required key, such as a bucket, is its own error).",
    bad: "dbs:\n  - path: /rails/storage/production.sqlite3\n    replicas:\n      - url: s3://backups/production\n        sync_interval: 1s\n",
    good: "dbs:\n  - path: /rails/storage/production.sqlite3\n    replicas:\n      - url: s3://backups/production\n        sync-interval: 1s\n",
    fix: "Rename the key to the one suggested (Litestream's keys use dashes), or remove it.",
    check: Some(check),
};

/// `defaults: &defaults` at the top level: a block that only holds a YAML anchor for `<<:`
/// merges elsewhere. Litestream ignores the key, and it is meant to be ignored.
fn anchor_holder(p: &Project, level: Level, key: &Node) -> bool {
    if level != Level::Top {
        return false;
    }
    let text = &p.file(key.src).text;
    text.lines()
        .nth(key.pos.line.saturating_sub(1))
        .and_then(|l| l.split_once(':'))
        .is_some_and(|(_, rest)| rest.trim_start().starts_with('&'))
}

fn check(p: &Project, out: &mut Sink) {
    let Some(root) = p.litestream_root() else {
        return;
    };
    walk(root, &mut |level, map| {
        for e in map.entries().unwrap_or(&[]) {
            let Some(name) = e.key.as_str() else { continue };
            if keys::lookup(level, name).is_some() || anchor_holder(p, level, &e.key) {
                continue;
            }
            let known = keys::keys_at(level).map(|k| k.name);
            let (msg_tail, help) = match closest(name, known) {
                Some(s) => (format!("; did you mean `{s}`?"), format!("Rename `{name}` to `{s}`.")),
                None => (String::new(), format!("Remove `{name}`, or move it to where Litestream reads it (`litestream-guard schema` lists every key).")),
            };
            out.report(
                e.key.loc(),
                format!(
                    "unknown key `{name}` {}: Litestream ignores it silently{msg_tail}",
                    level.describe()
                ),
                help,
            );
        }
    });
}
