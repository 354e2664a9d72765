use crate::diag::{Severity, Sink};
use crate::project::Project;
use crate::rules::{Area, Rule};
use crate::runner::{at, Kind};

pub static RULE: Rule = Rule {
    id: "A003",
    name: "two-litestreams-on-one-database",
    severity: Severity::Error,
    area: Area::Runner,
    summary: "Two runners start Litestream for the same config: e.g. a Kamal accessory and the gem's Puma plugin.",
    what: "Counts the runners that start replication (an accessory with `cmd: replicate`, the gem's Puma plugin or `litestream:replicate` task, `litestream replicate` from the image) and reports when more than one starts, without conditions, for the same litestream.yml; also the gem's Puma plugin together with a Procfile that runs the server and `litestream:replicate` as separate processes.",
    why: "Each Litestream keeps its state in the `.<db>-litestream` folder beside the database and assumes it is the only writer of its replica path. Two of them on one database share that folder and write the same backup path: each breaks the other's WAL tracking and backups.",
    bad: "# Gemfile: gem \"litestream\"   config/puma.rb: plugin :litestream\n# config/deploy.yml: accessories: litestream: {image: litestream/litestream:0.5.17, cmd: replicate}\n",
    good: "# one of the two: the accessory, or the gem's Puma plugin\n",
    fix: "Keep one runner: remove the accessory (`kamal accessory remove litestream` after deleting it from deploy.yml), or remove `plugin :litestream` from config/puma.rb.",
    check: Some(check),
};

fn check(p: &Project, out: &mut Sink) {
    if p.litestream_root().is_none() {
        return;
    }
    for r in p.model.runners.iter().filter(|r| r.starts()) {
        let (Some(plugin), Some(task)) = (&r.start, &r.also_started) else {
            continue;
        };
        // Whether this Procfile is what production runs is not known here (Kamal runs the
        // image's command instead): a warning.
        out.report_as(
            Severity::Warning,
            task.loc,
            format!(
                "this Procfile runs `{}` beside the server, whose Puma already starts Litestream (`{}`, {}): where both run, two Litestreams share the databases' tracking folders and backup paths and break each other's backups",
                task.text,
                plugin.text,
                at(p, plugin)
            ),
            "Keep one: remove this Procfile line, or remove `plugin :litestream` from config/puma.rb.",
        );
    }
    let starting: Vec<_> = p.model.runners.iter().filter(|r| r.starts()).collect();
    let [first, second, ..] = starting.as_slice() else {
        return;
    };
    let (Some(a), Some(b)) = (&first.start, &second.start) else {
        return;
    };
    out.report(
        b.loc,
        format!(
            "Litestream is started twice for the same databases: by {first} (`{}`, {}) and by {second} (`{}` here); the two share the databases' tracking folders and backup paths and break each other's backups",
            a.text,
            at(p, a),
            b.text
        ),
        format!("Keep one runner: {}, or {}.", how_to_drop(first), how_to_drop(second)),
    );
}

fn how_to_drop(r: &crate::runner::Runner) -> String {
    match r.kind {
        Kind::Accessory => format!(
            "remove the `{0}` accessory from config/deploy.yml (then `kamal accessory remove {0}`)",
            r.accessory.as_deref().unwrap_or("litestream")
        ),
        Kind::Gem => "remove `plugin :litestream` from config/puma.rb".to_string(),
        Kind::Image => "remove `litestream replicate` from the image's entrypoint".to_string(),
    }
}
