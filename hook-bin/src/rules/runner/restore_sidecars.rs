use crate::app::restores::restores_in_text;
use crate::diag::Sink;
use crate::project::Project;
use crate::rules::{Area, Rule};
use crate::source::{Loc, Pos};

pub static RULE: Rule = Rule {
    id: "A009",
    name: "boot-restore-beside-old-wal",
    severity: crate::diag::Severity::Warning,
    area: Area::Runner,
    summary: "A boot script deletes a database and restores it, but leaves its `-wal` and `-shm` files behind.",
    what: "Looks at the image's entrypoint and the scripts it runs for `rm` of a file that a later `litestream restore` (or the gem's `litestream:restore`) in the same script writes, and reports the `rm` when it does not also remove that file's `-wal` and `-shm` (by name, or with a glob such as `production.sqlite3*`).",
    why: "Litestream restores into a missing file, but does not look at a `-wal` beside it. When the previous container was killed before SQLite cleaned up, its `-wal` is still on the volume, and the first connection to the restored file replays those old frames into it: pages of the old database land in the restored one, and the result is a corrupt or mixed database.",
    bad: "rm -f storage/production.sqlite3\nlitestream restore -if-replica-exists storage/production.sqlite3\n",
    good: "rm -f storage/production.sqlite3 storage/production.sqlite3-wal storage/production.sqlite3-shm\nlitestream restore -if-replica-exists storage/production.sqlite3\n",
    fix: "Remove the `-wal` and `-shm` files together with the database (`rm -f db db-wal db-shm`), or move all three aside.",
    check: Some(check),
};

fn check(p: &Project, out: &mut Sink) {
    if p.litestream_root().is_none() {
        return;
    }
    for &src in &p.app.scripts {
        let text = &p.file(src).text;
        let restores = restores_in_text(text);
        for (i, raw) in text.lines().enumerate() {
            let t = raw.trim_start();
            let Some(args) = t.strip_prefix("rm ") else { continue };
            let files: Vec<&str> = args
                .split_whitespace()
                .take_while(|w| !matches!(*w, "&&" | "||" | ";" | "|"))
                .filter(|w| !w.starts_with('-'))
                .map(|w| w.trim_matches(['"', '\'']))
                .collect();
            for f in &files {
                let later = restores
                    .iter()
                    .any(|r| r.pos.line > i + 1 && r.target.as_deref() == Some(*f));
                if !later {
                    continue;
                }
                let gone = |suffix: &str| {
                    files.iter().any(|g| {
                        *g == format!("{f}{suffix}") || g.strip_suffix('*').is_some_and(|stem| f.starts_with(stem))
                    })
                };
                if gone("-wal") && gone("-shm") {
                    continue;
                }
                out.report(
                    Loc {
                        src,
                        pos: Pos::new(i + 1, raw.len() - t.len() + 1),
                    },
                    format!("`rm` removes `{f}` before the restore below but leaves `{f}-wal` and `{f}-shm`: if the last container was killed, SQLite replays that old `-wal` into the restored database"),
                    format!("Remove them with it: `rm -f {f} {f}-wal {f}-shm`."),
                );
            }
        }
    }
}
