use crate::diag::Sink;
use crate::litestream::{keys, walk};
use crate::project::Project;
use crate::rules::{Area, Rule};
use crate::suggest::closest;

pub static RULE: Rule = Rule {
    id: "L002",
    name: "unknown-key",
    severity: crate::diag::Severity::Warning,
    area: Area::Litestream,
    summary: "A key Litestream does not know (often a typo): Litestream ignores it without a word.",
    what: "Compares every key of litestream.yml, at every level, with the keys Litestream 0.3 and 0.5 read there, and suggests the closest known key.",
    why: "Litestream decodes its config with yaml.v2 in non-strict mode, so an unknown key is dropped silently. `sync_interval: 1s` or `force-path-styles: true` look right and do nothing. A warning: the setting is lost, but Litestream runs with its default (a missing required key, such as a bucket, is its own error).",
    bad: "dbs:\n  - path: /rails/storage/production.sqlite3\n    replicas:\n      - url: s3://backups/production\n        sync_interval: 1s\n",
    good: "dbs:\n  - path: /rails/storage/production.sqlite3\n    replicas:\n      - url: s3://backups/production\n        sync-interval: 1s\n",
    fix: "Rename the key to the one suggested (Litestream's keys use dashes), or remove it.",
    check: Some(check),
};

fn check(p: &Project, out: &mut Sink) {
    let Some(root) = p.litestream_root() else {
        return;
    };
    walk(root, &mut |level, map| {
        for e in map.entries().unwrap_or(&[]) {
            let Some(name) = e.key.as_str() else { continue };
            if keys::lookup(level, name).is_some() {
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
