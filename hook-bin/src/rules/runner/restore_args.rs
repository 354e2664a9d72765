use crate::app::restores::{errexit, restores_in_text, Via};
use crate::diag::Sink;
use crate::project::Project;
use crate::rules::{Area, Rule};
use crate::runner::gem::task_database_given;

pub static RULE: Rule = Rule {
    id: "A006",
    name: "restore-task-without-database",
    severity: crate::diag::Severity::Error,
    area: Area::Runner,
    summary: "`rails litestream:restore -- …` in a boot script without `-database=PATH`: the gem's task restores nothing.",
    what: "Premise: the litestream-ruby gem (0.5.0+, which has the task). Looks at `litestream:restore` in the image's entrypoint and the scripts it runs, and reports it when the words after `--` give no `-database=PATH` or `--database=PATH` (with `=`).",
    why: "The gem's tasks split every word after `--` at `=` (lib/tasks/litestream_tasks.rake, `parse_argv_options`). `-database storage/production.sqlite3` becomes two options with no value, and the task, which takes the database only from `-database=`, raises `DatabaseRequiredException`. The restore never runs: under `bash -e` the container stops there on every fresh host, and without `-e` the app boots on an empty database.",
    bad: "bundle exec rails litestream:restore -- -if-replica-exists -database storage/production.sqlite3\n",
    good: "bundle exec rails litestream:restore -- -if-replica-exists -database=storage/production.sqlite3\n",
    fix: "Join each option to its value with `=`: `-database=storage/production.sqlite3`.",
    check: Some(check),
};

fn check(p: &Project, out: &mut Sink) {
    if p.litestream_root().is_none() {
        return;
    }
    for &src in &p.app.scripts {
        let text = &p.file(src).text;
        let stops = errexit(text);
        for r in restores_in_text(text).into_iter().filter(|r| r.via == Via::GemTask) {
            if task_database_given(&r.task_args) {
                continue;
            }
            let split = r
                .task_args
                .windows(2)
                .find(|w| matches!(w[0].as_str(), "-database" | "--database") && !w[1].starts_with('-'));
            let (what, help) = match split {
                Some(w) => (
                    format!("`{} {}` reaches the gem's task as two words, and the task reads the database only from `{}=PATH`", w[0], w[1], w[0]),
                    format!("Write `{}={}`.", w[0], w[1]),
                ),
                None => (
                    "the task is given no `-database=PATH`".to_string(),
                    "Add `-database=<the database path>` after `--`.".to_string(),
                ),
            };
            let then = if stops {
                "the task raises \"database argument is required\" and, under `-e`, the container stops here on every fresh host"
            } else {
                "the task raises \"database argument is required\", nothing is restored, and the app boots on an empty database"
            };
            out.report(crate::source::Loc { src, pos: r.pos }, format!("{what}: {then}"), help);
        }
    }
}
