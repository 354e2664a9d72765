//! The texts Claude (and a person running `litestream-guard guard`) reads: what is at risk, what
//! happened in this session that makes it dangerous, and where the way to do it right is. They
//! stay short, and they do not spell out a restore procedure: [`instead`] points at the one
//! place that does.

use super::judge::Hit;
use super::layout::{part_path, Ctx, Part, Rel};
use super::local;
use super::ops::{DataOp, FileOp, Restore, Runner, Verb};
use super::Verdict;
use crate::rules::{bash, Rule};
use crate::version::Version;

/// What to do instead of a dangerous step of a restore: the app's own restore plan, printed by
/// the binary. Every reason that refuses a restore step says it through this one function.
/// `db` is the database at stake, `dests` the Kamal destinations the command acts on.
pub fn instead(db: &str, dests: &[Option<String>]) -> String {
    // Not named yet: the plan's database argument is for the generator to define.
    let _ = db;
    let dest = match dests {
        [Some(d)] => format!(" --destination {d}"),
        _ => String::new(),
    };
    format!("Follow the restore plan for this app instead: `litestream-guard plan-restore{dest}` prints it.")
}

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
        " The path is only partly known (built at run time, or an unknown directory), so this may or may not be it."
    }
}

/// The way out, for denials only (an ask is a question, not a refusal).
fn instead_on_deny(v: Verdict, db: &str, dests: &[Option<String>]) -> String {
    if v == Verdict::Deny {
        format!(" {}", instead(db, dests))
    } else {
        String::new()
    }
}

/// The rule's ID and name, read from the registry entry (never retyped here).
fn head(rule: &Rule) -> String {
    format!("litestream-guard {} ({}):", rule.id, rule.name)
}

pub fn over_live(shown: &str, h: &Hit, why: &str, v: Verdict, ctx: &Ctx, dests: &[Option<String>]) -> String {
    format!(
        "{} `{shown}` ({}) restores over {}, and {why}. Restoring under a running app or Litestream corrupts the database or loses writes.{}{} {}",
        head(&bash::RESTORE_OVER_LIVE),
        ctx.describe(),
        at_risk(h),
        uncertainty(h),
        instead_on_deny(v, &h.db, dests),
        tip(&bash::RESTORE_OVER_LIVE)
    )
}

pub fn force(
    shown: &str,
    abs: &str,
    h: Option<&Hit>,
    why: &str,
    v: Verdict,
    ctx: &Ctx,
    dests: &[Option<String>],
) -> String {
    let target = h.map_or_else(|| abs.to_string(), at_risk);
    match v {
        Verdict::Deny => format!(
            "{} `{shown}` ({}) deletes {target} and its -wal, -shm and -journal before restoring, and {why}. {} {}",
            head(&bash::RESTORE_FORCE),
            ctx.describe(),
            instead(h.map_or(abs, |h| h.db.as_str()), dests),
            tip(&bash::RESTORE_FORCE)
        ),
        _ => format!(
            "{} `{shown}` deletes {target} and its -wal, -shm and -journal before restoring ({why}). Confirm that the current file may be thrown away; restoring with `-o` to a new path keeps it. {}",
            head(&bash::RESTORE_FORCE),
            tip(&bash::RESTORE_FORCE)
        ),
    }
}

pub fn clobber(shown: &str, f: &FileOp, h: &Hit, why: &str, v: Verdict, ctx: &Ctx, dests: &[Option<String>]) -> String {
    let verb = match f.verb {
        Verb::Delete => "deletes",
        Verb::MoveAway => "moves away",
        Verb::Onto => "replaces",
        Verb::Write => "writes into",
        Verb::Reset => "clears",
        Verb::Absent => "checks for",
    };
    format!(
        "{} `{shown}` ({}) {verb} {}, and {why}. While the app or Litestream runs, that loses committed data or breaks replication.{}{} {}",
        head(&bash::LIVE_FILE_CLOBBERED),
        ctx.describe(),
        at_risk(h),
        uncertainty(h),
        instead_on_deny(v, &h.db, dests),
        tip(&bash::LIVE_FILE_CLOBBERED)
    )
}

pub fn data(d: &DataOp, h: &Hit, why: &str, v: Verdict, ctx: &Ctx, dests: &[Option<String>]) -> String {
    let tail = match v {
        Verdict::Deny => format!(
            " This destroys data a restore cannot bring back past the last backup.{}",
            instead_on_deny(v, &h.db, dests)
        ),
        _ => " Confirm that this data may be thrown away.".to_string(),
    };
    format!(
        "{} `{}` ({}) {} {} ({}), and {why}.{}{tail} {}",
        head(&bash::DESTROY_LIVE_DATA),
        d.tool,
        ctx.describe(),
        d.what,
        h.db,
        h.source,
        uncertainty(h),
        tip(&bash::DESTROY_LIVE_DATA)
    )
}

pub fn sidecars_present(shown: &str, abs: &str, present: &[String], what: &str) -> String {
    format!(
        "{} `{shown}` puts a database at {abs}, but {} still there. SQLite replays a leftover -wal into whatever file appears at that path, so the result would silently show the old data (measured with Litestream 0.5.17: the {what} exits 0 and integrity_check says ok). Move them aside first, together with the old file. {} {}",
        head(&bash::STALE_SIDECARS),
        if present.len() == 1 {
            format!("{} is", present[0])
        } else {
            format!("{} are", present.join(" and "))
        },
        instead(abs, &[]),
        tip(&bash::STALE_SIDECARS)
    )
}

pub fn sidecars_unknown(shown: &str, abs: &str, missing: &[String], what: &str, ctx: &Ctx) -> String {
    format!(
        "{} `{shown}` puts a database at {abs} ({}), where the guard cannot see whether {} still exist. A leftover -wal there would be replayed into the new file, silently bringing the old data back (the {what} itself succeeds). Nothing on this command line or earlier in the session moved them aside. Move them aside first (fine if they do not exist), or confirm they are gone. {}",
        head(&bash::STALE_SIDECARS),
        ctx.describe(),
        missing.join(" and "),
        tip(&bash::STALE_SIDECARS)
    )
}

/// G011: part of a `kamal … exec` line that runs on the host.
pub fn on_host(shown: &str, path: &str, ctx: &Ctx) -> String {
    let what = if path.is_empty() {
        String::new()
    } else {
        format!(", where {path} is not the app container's file")
    };
    format!(
        "{} `{shown}` runs {}, not in the container{what}: Kamal appends the exec text to `docker run … IMAGE` and the host's shell reads the line, so only its first command runs in the container and whatever follows `&&`, `;`, `|` or a redirection, and any `$(…)` or backquotes it does not single-quote, runs on the host. Give each step its own `kamal app exec \"…\"`, or wrap the line in `sh -c '…'`. {}",
        head(&bash::EXEC_PART_ON_HOST),
        ctx.describe(),
        tip(&bash::EXEC_PART_ON_HOST)
    )
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

pub fn backups(what: &str, v: Verdict) -> String {
    let tail = match v {
        Verdict::Deny => {
            "Nothing in a restore needs this; if it is really meant, a person can run it outside Claude Code."
        }
        _ => "Confirm that this is intended and that another copy of the data exists.",
    };
    format!(
        "{} {what}. {tail} {}",
        head(&bash::DESTROY_BACKUPS),
        tip(&bash::DESTROY_BACKUPS)
    )
}

pub fn unparsed(text: &str) -> String {
    let text = text.trim_start_matches(super::walk::CONTAINER_CMD).trim_start();
    let max = crate::limits::MAX_SHOWN;
    let short: String = text.chars().take(max).collect();
    let more = if text.chars().count() > max { "…" } else { "" };
    format!(
        "{} the guard cannot follow `{}{more}` (it is built at run time or is not valid shell), and it mentions a restore or a database file. Write the command out literally so it can be checked, or confirm it. {}",
        head(&bash::UNPARSED_MENTIONS_DB),
        short.replace('\u{1}', "…"),
        tip(&bash::UNPARSED_MENTIONS_DB)
    )
}
