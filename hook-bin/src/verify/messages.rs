//! What a failed command or an empty replica means for a database, in the user's words.

use super::check::Ctx;
use super::classify::Problem;
use super::clock;
use super::commands::Failure;
use super::config::Target;
use super::report::State;

fn unset_note(t: &Target) -> String {
    if t.unset.is_empty() {
        String::new()
    } else {
        format!(
            " (not set here, so read as empty: {})",
            t.unset.iter().map(|v| format!("${v}")).collect::<Vec<_>>().join(", ")
        )
    }
}

fn vars(names: &[String]) -> String {
    names.iter().map(|v| format!("${v}")).collect::<Vec<_>>().join(" and ")
}

/// What a failed command means for this database.
pub fn failed(ctx: &Ctx, t: &Target, f: &Failure) -> (State, String) {
    if f.interrupted {
        return (State::Error, "interrupted".into());
    }
    if f.timed_out {
        return (
            State::Error,
            format!(
                "Litestream showed no progress for {} and was stopped: the storage{} does not answer (raise --timeout for a very large backup)",
                clock::go(ctx.timeout),
                if t.endpoint.is_empty() { String::new() } else { format!(" at {}", t.endpoint) }
            ),
        );
    }
    match &f.problem {
        Problem::Credentials(h) => (
            State::Error,
            format!(
                "the storage refused the credentials ({h}){}",
                if t.cred_vars.is_empty() {
                    String::new()
                } else {
                    format!("; the config reads them from {}", vars(&t.cred_vars))
                }
            ),
        ),
        Problem::NoCredentials(h) if !t.unset.is_empty() => (
            State::Error,
            format!(
                "no credentials: the config reads {}, not set here, and Litestream found none elsewhere ({h})",
                vars(&t.unset)
            ),
        ),
        Problem::NoCredentials(h) => (State::Error, format!("no credentials ({h})")),
        Problem::Unreachable(h) => (State::Error, format!("cannot reach the storage ({h})")),
        Problem::CaBundle => (
            State::Error,
            "AWS_CA_BUNDLE is set, and Litestream 0.5 cannot use it with a plain-http endpoint: unset it for this run"
                .into(),
        ),
        Problem::NoBucket(h) => (
            State::Missing,
            format!("the bucket does not exist ({h}){}", unset_note(t)),
        ),
        Problem::NothingThere => (State::Missing, nothing_there(t)),
        Problem::Corrupt(h) => (
            State::Broken,
            format!("the restore failed on a damaged backup object: {h}"),
        ),
        Problem::Config(h) => (
            State::Error,
            format!("Litestream refused the config: {h}{}", unset_note(t)),
        ),
        Problem::NoSpace(_) => (
            State::Error,
            format!(
                "no space left for the restored copy in {} (set TMPDIR to a larger disk)",
                ctx.private.path().parent().unwrap_or(ctx.private.path()).display()
            ),
        ),
        Problem::Other(h) => (State::Error, format!("Litestream failed: {h}")),
    }
}

pub fn nothing_there(t: &Target) -> String {
    let root = if t.root_path {
        " (the replica path is empty, so that is the root of the bucket)"
    } else {
        ""
    };
    format!(
        "no backup at {}{root}{}: never replicated there, or its objects were deleted",
        t.location,
        unset_note(t)
    )
}
