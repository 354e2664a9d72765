use crate::diag::{Severity, Sink};
use crate::project::Project;
use crate::rules::deploy::view::{report_views, Issue};
use crate::rules::{Area, Rule};

pub static RULE: Rule = Rule {
    id: "K014",
    name: "accessory-host-selector",
    severity: Severity::Error,
    area: Area::Deploy,
    summary: "The Litestream accessory names no host, or more than one host selector (`host`, `hosts`, `role`, `roles`, `tag`, `tags`).",
    what: "Counts the host selectors of the accessory as Kamal's validator does; exactly one is allowed. With destinations, each destination merged over deploy.yml is checked, and deploy.yml alone only when it has `servers`.",
    why: "Kamal refuses the configuration (`accessories/litestream: specify one of `host`, `hosts`, `role`, `roles`, `tag` or `tags``); Kamal before 2.6 knows only `host`, `hosts` and `roles`. The accessory must run on the host that holds the databases' volume.",
    bad: "accessories:\n  litestream:\n    image: litestream/litestream:0.5.17\n    cmd: replicate\n",
    good: "accessories:\n  litestream:\n    image: litestream/litestream:0.5.17\n    roles:\n      - web\n    cmd: replicate\n",
    fix: "Add one selector: `host: <the app's host>` or `roles: [web]`, and remove the others.",
    check: Some(check),
};

const SELECTORS: &[&str] = &["host", "hosts", "role", "roles", "tag", "tags"];

fn check(p: &Project, out: &mut Sink) {
    report_views(p, out, |v, issues| {
        for acc in v.accessories() {
            let found: Vec<_> = acc
                .node
                .entries()
                .unwrap_or(&[])
                .iter()
                .filter(|e| e.key.as_str().is_some_and(|k| SELECTORS.contains(&k)))
                .collect();
            match found.as_slice() {
                [] => issues.push(Issue::new(
                    acc.name.loc(),
                    "none",
                    "the Litestream accessory names no host: Kamal refuses the config (`specify one of host, hosts, role, roles, tag or tags`)",
                    "Add `host: <the server that holds the databases>` (or `roles: [web]`).",
                )),
                [_] => {}
                [first, rest @ ..] => {
                    for e in rest {
                        issues.push(Issue::new(
                            e.key.loc(),
                            "several",
                            format!(
                                "the Litestream accessory names both `{}` and `{}`: Kamal accepts exactly one host selector",
                                first.key.as_str().unwrap_or(""),
                                e.key.as_str().unwrap_or("")
                            ),
                            format!("Keep one of them (e.g. `{}`) and remove the other.", first.key.as_str().unwrap_or("host")),
                        ));
                    }
                }
            }
        }
    });
}
