use crate::app::restores::{restores_in_text, stops, Via};
use crate::diag::{Severity, Sink};
use crate::project::Project;
use crate::rules::{Area, Rule};
use crate::runner::gem::{restore_task, task_database_given, RestoreTask};
use crate::version::Line;

pub static RULE: Rule = Rule {
    id: "A007",
    name: "boot-restore-failure-ignored",
    severity: Severity::Warning,
    area: Area::Runner,
    summary: "A restore at boot whose failure does not stop the boot: `litestream restore … || echo …`, or the gem's `litestream:restore` task.",
    what: "Looks at the restores in the image's entrypoint and the scripts it runs. Reports `litestream restore` followed by `|| <anything that does not exit>`, and the litestream-ruby task `litestream:restore`, which (0.14.0 and 0.5.0 to 0.5.3) runs Litestream in backticks without checking its exit status, or (0.5.4 to 0.13.x) forks it and returns at once (an error: the boot goes on while the restore still writes the file).",
    why: "On a fresh host the boot restore is the recovery. If a wrong key or a network error is treated like \"no backup yet\", the boot goes on: `db:prepare` creates an empty database, the app serves it, and Litestream backs the empty database up to the same replica path (on 0.3 as a new generation, which a later restore picks because it is the newest). Without `-if-replica-exists`, \"no backup yet\" is itself an error, which is why scripts add `|| echo`; `-if-replica-exists` makes that case succeed, so every remaining failure is real.",
    bad: "litestream restore -config /etc/litestream.yml /data/production.sqlite3 || echo \"no backup, starting fresh\"\n",
    good: "litestream restore -config /etc/litestream.yml -if-db-not-exists -if-replica-exists /data/production.sqlite3\n",
    fix: "Add `-if-replica-exists` (and `-if-db-not-exists`) and drop the `|| …`, under `set -e`, so a real failure stops the boot. With the gem, run the binary the gem installs (`bundle exec litestream restore …`) with the replica variables set, instead of the task.",
    check: Some(check),
};

fn check(p: &Project, out: &mut Sink) {
    if p.litestream_root().is_none() {
        return;
    }
    let gem_version = crate::runner::gem::locked(p).map(|(v, _)| v);
    let newest_wins = if p.chosen_version().line == Line::V03 {
        " (on Litestream 0.3 as a new generation, which a later restore picks because it is the newest)"
    } else {
        ""
    };
    for &src in &p.app.scripts {
        let text = &p.file(src).text;
        for r in restores_in_text(text) {
            let loc = crate::source::Loc { src, pos: r.pos };
            let created = if text.contains("db:prepare") {
                "`db:prepare` creates an empty database"
            } else {
                "the app starts on an empty database"
            };
            let after =
                format!("the boot goes on, {created}, and Litestream backs it up to the same replica{newest_wins}");
            match r.via {
                Via::Binary => {
                    let Some(fallback) = r.on_failure.as_deref().filter(|f| !stops(f)) else {
                        continue;
                    };
                    let shown = match fallback.split_whitespace().next().unwrap_or("") {
                        "{" | "(" => "{ … }".to_string(),
                        first => format!("{first} …"),
                    };
                    let what = if r.if_replica_exists {
                        format!("`|| {shown}` ignores every failed restore (a wrong key, no network)")
                    } else {
                        format!("`|| {shown}` treats every failed restore (a wrong key, no network) like \"no backup yet\"")
                    };
                    out.report(
                        loc,
                        format!("{what}: {after}"),
                        if r.if_replica_exists {
                            "Drop the `|| …` so that a failed restore stops the boot (`-if-replica-exists` already makes a missing backup succeed)."
                        } else {
                            "Add `-if-replica-exists` (a missing backup then succeeds) and drop the `|| …`, so that any other failure stops the boot."
                        },
                    );
                }
                // A task without a database never restores at all: A006.
                Via::GemTask if task_database_given(&r.task_args) => match restore_task(gem_version.as_deref()) {
                    Some(RestoreTask::Detached) => out.report_as(
                        Severity::Error,
                        loc,
                        format!(
                            "litestream-ruby {}'s `litestream:restore` starts Litestream in the background and returns at once: the boot goes on while the restore still writes the database, and the app and the restore overwrite each other",
                            gem_version.as_deref().unwrap_or("")
                        ),
                        "Run the binary the gem installs, which waits and reports failure: `bundle exec litestream restore -config config/litestream.yml -if-db-not-exists -if-replica-exists <db>`, with the replica variables set; or upgrade the gem to 0.14.0+.",
                    ),
                    Some(RestoreTask::StatusIgnored) => out.report(
                        loc,
                        format!("the gem's `litestream:restore` task never checks Litestream's exit status, so a failed restore (a wrong key, no network) does not stop the boot: {after}"),
                        "Run the binary the gem installs, which reports failure: `bundle exec litestream restore -config config/litestream.yml -if-db-not-exists -if-replica-exists <db>`, with the replica variables set.",
                    ),
                    None => {}
                },
                Via::GemTask => {}
            }
        }
    }
}
