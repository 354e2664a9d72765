//! The texts Claude (and a person running `litestream-guard guard`) reads: what is at risk, why
//! the guard thinks the app is running, and the safe sequence to follow instead.

use super::judge::Hit;
use super::layout::{part_path, split, Ctx, Layout, Part, Rel};
use super::local;
use super::ops::{FileOp, Restore, Runner, Verb};
use super::Verdict;
use crate::rules::{bash, Rule};
use crate::version::Version;

fn tip(rule: &Rule) -> String {
    format!("Details: `litestream-guard explain {}`.", rule.id)
}

/// PIDs and their commands.
pub fn holders(pids: &[u32]) -> String {
    let list: Vec<String> = pids
        .iter()
        .take(3)
        .map(|p| format!("PID {p} (`{}`)", local::command_of(*p)))
        .collect();
    format!("it is open in {}", list.join(", "))
}

fn at_risk(h: &Hit) -> String {
    let db = &h.db;
    let file = h.file();
    match (h.rel, h.part) {
        (Rel::Ancestor, p) => format!(
            "a directory holding {}, {}",
            part_path(db, p),
            describe(h.part, db, &h.source)
        ),
        (_, Part::Main) => format!("{file}, a live database ({})", h.source),
        (_, p) => format!("{file}, {}", describe(p, db, &h.source)),
    }
}

fn describe(p: Part, db: &str, source: &str) -> String {
    match p {
        Part::Main => format!("a live database ({source})"),
        Part::Wal => format!("the -wal of the live database {db} (committed transactions not yet in the main file)"),
        Part::Shm => format!("the WAL index of the live database {db}"),
        Part::Journal => format!("the rollback journal of the live database {db}"),
        Part::Meta => format!("Litestream's tracking directory for the live database {db}"),
    }
}

/// A note when the path that hit a live database was only partly known.
fn uncertainty(h: &Hit) -> &'static str {
    if h.certain {
        ""
    } else {
        " The path is only partly known (a variable or an unknown directory), so this may or may not be it."
    }
}

/// The safe sequence, for denials only (an ask is a question, not a refusal).
fn sequence_on_deny(v: Verdict, layout: &Layout, db: &str, ctx: &Ctx) -> String {
    if v == Verdict::Deny {
        format!(" {}", sequence(layout, db, ctx))
    } else {
        String::new()
    }
}

/// The safe restore sequence, in the app's own names.
pub fn sequence(layout: &Layout, db: &str, ctx: &Ctx) -> String {
    let (dir, _) = split(db);
    let restored = format!("{db}.restored");
    let meta = part_path(db, Part::Meta);
    // A path that exists here is handled here; a container path seen from a laptop is not.
    if ctx.is_local() && local::exists(db) {
        return format!(
            "Safe sequence: (1) stop the processes that write {db}, and `litestream replicate`; (2) restore to a new path: `litestream restore -o {restored} {db}` (add `-timestamp <RFC3339>` before the path for a point in time); (3) check it: `sqlite3 {restored} 'PRAGMA integrity_check'` must print `ok`; (4) move {db} together with its -wal and -shm aside (e.g. `mkdir -p {dir}/pre-restore && mv {db} {db}-wal {db}-shm {dir}/pre-restore/`); (5) move the restored file into place: `mv {restored} {db}`; (6) remove the stale tracking directory `{meta}`; (7) start `litestream replicate` again; (8) start the app."
        );
    }
    let acc = layout
        .accessories
        .first()
        .map_or("litestream".to_string(), |a| a.name.clone());
    format!(
        "Safe sequence: (1) `kamal app stop` and `kamal accessory stop {acc}`; (2) restore to a new path: `kamal accessory exec {acc} \"restore -o {restored} {db}\"` (add `-timestamp <RFC3339>` before the path for a point in time); (3) check it: `kamal app exec \"sqlite3 {restored} 'PRAGMA integrity_check'\"` must print `ok`; (4) move {db} together with its -wal and -shm aside: `kamal app exec \"mkdir -p {dir}/pre-restore\"` then `kamal app exec \"mv {db} {db}-wal {db}-shm {dir}/pre-restore/\"`; (5) move the restored file into place: `kamal app exec \"mv {restored} {db}\"`; (6) remove the stale tracking directory: `kamal app exec \"rm -rf {meta}\"`; (7) `kamal accessory start {acc}`; (8) `kamal app boot`."
    )
}

/// The rule's ID and name, read from the registry entry (never retyped here).
fn head(rule: &Rule) -> String {
    format!("litestream-guard {} ({}):", rule.id, rule.name)
}

pub fn over_live(shown: &str, h: &Hit, why: &str, v: Verdict, layout: &Layout, ctx: &Ctx) -> String {
    let (uncertain, seq) = (uncertainty(h), sequence_on_deny(v, layout, &h.db, ctx));
    format!(
        "{} `{shown}` ({}) restores over {}, and {why}. Restoring under a running app or Litestream corrupts the database or loses writes.{uncertain}{seq} {}",
        head(&bash::RESTORE_OVER_LIVE),
        ctx.describe(),
        at_risk(h),
        tip(&bash::RESTORE_OVER_LIVE)
    )
}

pub fn force(shown: &str, abs: &str, h: Option<&Hit>, why: &str, v: Verdict, layout: &Layout, ctx: &Ctx) -> String {
    let target = h.map_or_else(|| abs.to_string(), at_risk);
    match v {
        Verdict::Deny => format!(
            "{} `{shown}` ({}) deletes {target} and its -wal, -shm and -journal before restoring, and {why}. Restore with `-o` to a new path instead. {} {}",
            head(&bash::RESTORE_FORCE),
            ctx.describe(),
            sequence(layout, h.map_or(abs, |h| h.db.as_str()), ctx),
            tip(&bash::RESTORE_FORCE)
        ),
        _ => format!(
            "{} `{shown}` deletes {target} and its -wal, -shm and -journal before restoring ({why}). Confirm that the current file may be thrown away; restoring with `-o` to a new path keeps it. {}",
            head(&bash::RESTORE_FORCE),
            tip(&bash::RESTORE_FORCE)
        ),
    }
}

pub fn clobber(shown: &str, f: &FileOp, h: &Hit, why: &str, v: Verdict, layout: &Layout, ctx: &Ctx) -> String {
    let verb = match f.verb {
        Verb::Delete => "deletes",
        Verb::MoveAway => "moves away",
        Verb::Onto => "replaces",
        Verb::Write => "writes into",
        Verb::Reset => "clears",
    };
    let (uncertain, seq) = (uncertainty(h), sequence_on_deny(v, layout, &h.db, ctx));
    format!(
        "{} `{shown}` ({}) {verb} {}, and {why}. While the app or Litestream runs, that loses committed data or breaks replication; move the database with its -wal and -shm only after stopping both.{uncertain}{seq} {}",
        head(&bash::LIVE_FILE_CLOBBERED),
        ctx.describe(),
        at_risk(h),
        tip(&bash::LIVE_FILE_CLOBBERED)
    )
}

pub fn sidecars_present(shown: &str, abs: &str, present: &[String], what: &str) -> String {
    format!(
        "{} `{shown}` puts a database at {abs}, but {} still there. SQLite replays a leftover -wal into whatever file appears at that path, so the result would silently show the old data (measured with Litestream 0.5.17: the {what} exits 0 and integrity_check says ok). Move them aside first, together with the old file: `mv {} <somewhere>/`. {}",
        head(&bash::STALE_SIDECARS),
        if present.len() == 1 {
            format!("{} is", present[0])
        } else {
            format!("{} are", present.join(" and "))
        },
        present.join(" "),
        tip(&bash::STALE_SIDECARS)
    )
}

pub fn sidecars_unknown(shown: &str, abs: &str, missing: &[String], what: &str, ctx: &Ctx) -> String {
    format!(
        "{} `{shown}` puts a database at {abs} ({}), where the guard cannot see whether {} still exist. A leftover -wal there would be replayed into the new file, silently bringing the old data back (the {what} itself succeeds). Nothing on this command line or earlier in the session moved them aside. Move them aside first, on the same command line or before (e.g. {}; fine if they do not exist), or confirm they are gone. {}",
        head(&bash::STALE_SIDECARS),
        ctx.describe(),
        missing.join(" and "),
        in_place(ctx, &format!("mv {} <dir>/", missing.join(" "))),
        tip(&bash::STALE_SIDECARS)
    )
}

/// `cmd` as run where `ctx` is (`kamal app exec "…"`, `ssh host '…'`, or as is).
fn in_place(ctx: &Ctx, cmd: &str) -> String {
    match ctx {
        Ctx::Host(h) => format!("`ssh {h} '{cmd}'`"),
        Ctx::Local => format!("`{cmd}`"),
        _ => format!("`kamal app exec \"{cmd}\"`"),
    }
}

pub fn entrypoint(shown: &str, corrected: &str, doubled: bool, runner: &Runner) -> String {
    let (pre, post) = runner.wrap.clone().unwrap_or_default();
    if doubled {
        format!(
            "{} the Litestream image's entrypoint is already `litestream`, so `{shown}` runs `litestream {shown}` and fails with `unknown command`. Run `{pre}{corrected}{post}` instead. {}",
            head(&bash::ENTRYPOINT_MISMATCH),
            tip(&bash::ENTRYPOINT_MISMATCH)
        )
    } else {
        format!(
            "{} this runs through `docker exec` in the running container, where there is no entrypoint: `{shown}` fails with `executable file not found`. Run `{pre}{corrected}{post}` instead. {}",
            head(&bash::ENTRYPOINT_MISMATCH),
            tip(&bash::ENTRYPOINT_MISMATCH)
        )
    }
}

pub fn late_flags(r: &Restore) -> String {
    let (pre, post) = r
        .runner
        .wrap
        .clone()
        .unwrap_or_else(|| ("litestream ".into(), String::new()));
    format!(
        "{} {} after the path: Litestream stops reading flags at the first argument, so `restore {}` fails with `too many arguments`. Put every flag before the path: `{pre}{}{post}`. {}",
        head(&bash::FLAG_AFTER_PATH),
        r.late_flags
            .iter()
            .map(|f| format!("`{f}`"))
            .collect::<Vec<_>>()
            .join(", ")
            + if r.late_flags.len() == 1 { " comes" } else { " come" },
        r.shown,
        r.corrected.clone().unwrap_or_default(),
        tip(&bash::FLAG_AFTER_PATH)
    )
}

pub fn wrong_version(r: &Restore, v: Version, wrong: &[(String, String)]) -> String {
    let why: Vec<&str> = wrong.iter().map(|(_, w)| w.as_str()).collect();
    let fix = if v.line == crate::version::Line::V05 {
        "on 0.5 use `-txid` or `-timestamp` instead of `-generation`/`-index`, and drop `-replica` (one replica per database)"
    } else {
        "on 0.3 use `-generation`/`-index` or `-timestamp` instead of `-txid`, and drop 0.5-only flags"
    };
    format!(
        "{} the image is Litestream {v}, and {}: `restore {}` fails with `flag provided but not defined`. Fix: {fix}. {}",
        head(&bash::FLAG_WRONG_VERSION),
        why.join("; "),
        r.shown,
        tip(&bash::FLAG_WRONG_VERSION)
    )
}

pub fn backups(what: &str) -> String {
    format!(
        "{} {what}. Confirm that this is intended and that another copy of the data exists. {}",
        head(&bash::DESTROY_BACKUPS),
        tip(&bash::DESTROY_BACKUPS)
    )
}

pub fn unparsed(text: &str) -> String {
    let short: String = text.chars().take(160).collect();
    let more = if text.chars().count() > 160 { "…" } else { "" };
    format!(
        "{} the guard cannot follow `{}{more}` (it is built at run time or is not valid shell), and it mentions a restore or a database file. Write the command out literally so it can be checked, or confirm it. {}",
        head(&bash::UNPARSED_MENTIONS_DB),
        short.replace('\u{1}', "…"),
        tip(&bash::UNPARSED_MENTIONS_DB)
    )
}
