use crate::diag::Sink;
use crate::litestream::each_key;
use crate::litestream::keys::Ty;
use crate::project::Project;
use crate::rules::{Area, Rule};
use crate::yaml::Node;

pub static RULE: Rule = Rule {
    id: "L023",
    name: "wrong-value-type",
    severity: crate::diag::Severity::Error,
    area: Area::Litestream,
    summary: "A value of the wrong kind: a quoted boolean, a list where a mapping belongs, text where a number belongs.",
    what: "Checks every known key's value against the Go type Litestream decodes it into: booleans must be unquoted `true`/`false`, numbers unquoted integers, `dbs` and `replicas` lists of mappings, `snapshot`, `logging` and `replica` mappings.",
    why: "yaml.v2 refuses a mismatch and Litestream exits at start-up (`cannot unmarshal !!str `yes` into bool`); under a key the running version ignores, the same mistake passes silently and hides the setting.",
    bad: "dbs:\n  - path: /rails/storage/production.sqlite3\n    replicas:\n      - url: s3://backups/production\n        force-path-style: \"yes\"\n",
    good: "dbs:\n  - path: /rails/storage/production.sqlite3\n    replicas:\n      - url: s3://backups/production\n        force-path-style: true\n",
    fix: "Write the value in the form the message names: unquoted `true`/`false`, an unquoted integer, a mapping or a list of mappings.",
    check: Some(check),
};

fn check(p: &Project, out: &mut Sink) {
    let Some(root) = p.litestream_root() else {
        return;
    };
    let version = p.chosen_version();
    each_key(root, &mut |key, k, v| {
        if v.is_null() || v.is_opaque() || !key.certainly_read(version) {
            return;
        }
        let want = match key.ty {
            Ty::Duration { .. } => return, // the duration rule owns these
            Ty::Bool if v.as_bool().is_none() => "`true` or `false` (unquoted)",
            Ty::Int if v.as_int().is_none() => "an unquoted integer",
            Ty::Str if v.scalar().is_none() => "a single value",
            Ty::StrList if !is_list_of_scalars(v) => "a list of values",
            Ty::Map(_) if v.entries().is_none() => "a mapping of keys",
            Ty::MapList(_) if !is_list_of_maps(v) => "a list of mappings (each item starting with `- `)",
            _ => return,
        };
        out.report(
            v.loc(),
            format!(
                "`{}` must be {want}, but it is {}",
                k.as_str().unwrap_or(""),
                v.describe()
            ),
            format!(
                "Write `{}` as {want}; Litestream refuses to start on this value.",
                key.name
            ),
        );
    });
}

fn is_list_of_maps(v: &Node) -> bool {
    v.items()
        .is_some_and(|items| items.iter().all(|i| i.entries().is_some()))
}

fn is_list_of_scalars(v: &Node) -> bool {
    v.items()
        .is_some_and(|items| items.iter().all(|i| i.scalar().is_some()))
}
