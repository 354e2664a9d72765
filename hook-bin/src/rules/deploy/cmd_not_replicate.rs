use crate::diag::{Severity, Sink};
use crate::project::Project;
use crate::rules::deploy::view::{cmd_words, entrypoint_overridden, official_image, report_views, Issue};
use crate::rules::{Area, Rule};

pub static RULE: Rule = Rule {
    id: "K009",
    name: "cmd-not-replicate",
    severity: Severity::Error,
    area: Area::Deploy,
    summary: "The Litestream accessory's `cmd:` is missing, starts with `litestream`, or runs another subcommand than `replicate`.",
    what: "For an accessory running the official `litestream/litestream` image (whose ENTRYPOINT is `litestream`) without an `entrypoint` override in `options`, requires `cmd:` to start with `replicate`.",
    why: "Kamal appends `cmd` to the image's entrypoint. `cmd: litestream replicate` runs `litestream litestream replicate`, which both 0.3.13 and 0.5.17 reject with `litestream litestream: unknown command` (exit 1). With no `cmd` the container runs bare `litestream`, which prints its usage and exits 1. Either way Docker restarts the container in a loop and nothing is replicated.",
    bad: "accessories:\n  litestream:\n    image: litestream/litestream:0.5.17\n    cmd: litestream replicate\n",
    good: "accessories:\n  litestream:\n    image: litestream/litestream:0.5.17\n    cmd: replicate\n",
    fix: "Write `cmd: replicate` (add `-config PATH` if the config is not at /etc/litestream.yml).",
    check: Some(check),
};

fn check(p: &Project, out: &mut Sink) {
    report_views(p, out, |v, issues| {
        for acc in v.accessories() {
            if !official_image(&acc) || entrypoint_overridden(acc.node) {
                continue;
            }
            let Some((node, words)) = cmd_words(acc.node) else {
                if acc.node.get("cmd").is_none() {
                    issues.push(Issue::new(
                        acc.name.loc(),
                        "",
                        "the Litestream accessory has no `cmd:`: the image runs bare `litestream`, which prints its usage and exits, and Docker restarts it in a loop",
                        "Add `cmd: replicate`.",
                    ));
                }
                continue;
            };
            let first = words.first().map(String::as_str).unwrap_or("");
            if first == "replicate" {
                continue;
            }
            let rest = words.iter().skip(1).cloned().collect::<Vec<_>>().join(" ");
            if first == "litestream" || first.ends_with("/litestream") {
                let fixed = if rest.is_empty() {
                    "replicate".to_string()
                } else {
                    rest.clone()
                };
                issues.push(Issue::new(
                    node.loc(),
                    "",
                    format!("`cmd: {}` runs `litestream {}`: the image's entrypoint is already `litestream`, so Litestream stops with `unknown command` and Docker restarts it in a loop", words.join(" "), words.join(" ")),
                    format!("Drop the `litestream` prefix: `cmd: {fixed}`."),
                ));
            } else {
                issues.push(Issue::new(
                    node.loc(),
                    "",
                    format!("`cmd: {}` does not run `replicate`: the accessory runs `litestream {}` instead of replicating the databases", words.join(" "), words.join(" ")),
                    "Write `cmd: replicate` (run one-off commands with `kamal accessory exec litestream \"…\"`).",
                ));
            }
        }
    });
}
