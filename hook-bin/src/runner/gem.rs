//! Facts about the litestream-ruby gem (fractaledmind/litestream-ruby), read at its release tags:
//! the Litestream release each gem version bundles, and the environment variables it exports to
//! the Litestream process from its settings.

use crate::version::Version;

/// Gem versions (inclusive ranges) and the Litestream release their platform gems bundle
/// (`lib/litestream/upstream.rb`). Newer gem versions are not assumed to bundle anything: the
/// version is then unknown, and said to be.
type Release = (u32, u32, u32);

const BUNDLES: &[(Release, Release, &str)] = &[((0, 1, 0), (0, 14, 99), "0.3.13")];

fn triple(v: &str) -> Option<Release> {
    let mut it = v.split('.').map(|p| p.parse::<u32>().ok());
    Some((
        it.next()??,
        it.next().flatten().unwrap_or(0),
        it.next().flatten().unwrap_or(0),
    ))
}

/// The Litestream release a gem version bundles.
pub fn bundled(gem_version: &str) -> Option<Version> {
    let v = triple(gem_version)?;
    BUNDLES
        .iter()
        .find(|(lo, hi, _)| *lo <= v && v <= *hi)
        .and_then(|(_, _, ls)| Version::parse(ls))
}

/// The gem's settings and the variable each becomes in the Litestream process, with the first
/// gem release that exports it (`lib/litestream/commands.rb`, `Commands.prepare`). The gem sets a
/// variable only when its setting has a value, and since 0.5.0 never over a value the process
/// already has (`||=`).
pub const SETTING_VARS: &[(&str, &str)] = &[
    ("replica_bucket", "LITESTREAM_REPLICA_BUCKET"),
    ("replica_key_id", "LITESTREAM_ACCESS_KEY_ID"),
    ("replica_access_key", "LITESTREAM_SECRET_ACCESS_KEY"),
    ("replica_region", "LITESTREAM_REPLICA_REGION"),
    ("replica_endpoint", "LITESTREAM_REPLICA_ENDPOINT"),
];

/// The gem release from which a setting is exported (region and endpoint came in 0.13.0; the
/// three others have their current names since 0.4.0).
pub fn exported_since(setting: &str) -> (u32, u32, u32) {
    match setting {
        "replica_region" | "replica_endpoint" => (0, 13, 0),
        _ => (0, 4, 0),
    }
}

/// True when `gem_version` exports `setting` (an unknown gem version is taken to export it).
pub fn exports(gem_version: Option<&str>, setting: &str) -> bool {
    match gem_version.and_then(triple) {
        Some(v) => v >= exported_since(setting),
        None => true,
    }
}

/// Releases before 0.4.0 exported other variables (`LITESTREAM_DATABASE_PATH`, `LITESTREAM_REPLICA_URL`).
pub fn old_variable_names(gem_version: Option<&str>) -> bool {
    gem_version.and_then(triple).is_some_and(|v| v < (0, 4, 0))
}

/// How the gem's `litestream:restore` task treats the restore it runs (lib/tasks and
/// lib/litestream/commands.rb at each tag).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RestoreTask {
    /// 0.5.4 to 0.13.x: forks Litestream and returns at once, while the restore still runs.
    Detached,
    /// 0.5.0 to 0.5.3 and 0.14.0+: waits, but runs it in backticks and never checks its exit
    /// status, so the task succeeds when the restore fails.
    StatusIgnored,
}

/// The task's behaviour for a gem release (`None`: no `litestream:restore` task, before 0.5.0).
/// An unknown release is taken to be the newest.
pub fn restore_task(gem_version: Option<&str>) -> Option<RestoreTask> {
    match gem_version.and_then(triple) {
        Some(v) if v < (0, 5, 0) => None,
        Some(v) if ((0, 5, 4)..(0, 14, 0)).contains(&v) => Some(RestoreTask::Detached),
        _ => Some(RestoreTask::StatusIgnored),
    }
}

/// The gem's tasks split each word after `--` at `=`: `-database x` is two options, and the
/// database (which the task takes only from `-database=`/`--database=`) stays unset.
pub fn task_database_given(task_args: &[String]) -> bool {
    task_args.iter().any(|w| {
        w.strip_prefix("--database=")
            .or_else(|| w.strip_prefix("-database="))
            .is_some_and(|v| !v.is_empty())
    })
}

/// The litestream-ruby release the app's Gemfile.lock locks, with where (`None`: no lock file,
/// or the gem is not in it).
pub fn locked(p: &crate::project::Project) -> Option<(String, crate::source::Pos)> {
    let src = p.app.gemfile_lock?;
    crate::app::gems::locked_version(&p.file(src).text, "litestream")
}

/// The gem setting that names the config file Litestream reads.
pub const CONFIG_PATH_SETTING: &str = "config_path";

/// Where the gem's Litestream reads its config when `config_path` is not set, relative to the Rails root.
pub const DEFAULT_CONFIG: &str = "config/litestream.yml";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn restore_task_by_release() {
        assert_eq!(restore_task(Some("0.4.0")), None);
        assert_eq!(restore_task(Some("0.5.3")), Some(RestoreTask::StatusIgnored));
        assert_eq!(restore_task(Some("0.10.1")), Some(RestoreTask::Detached));
        assert_eq!(restore_task(Some("0.14.0")), Some(RestoreTask::StatusIgnored));
        assert_eq!(restore_task(None), Some(RestoreTask::StatusIgnored));
        let words = |s: &str| s.split(' ').map(String::from).collect::<Vec<_>>();
        assert!(!task_database_given(&words(
            "-if-replica-exists -database storage/x.sqlite3"
        )));
        assert!(task_database_given(&words(
            "--database=storage/x.sqlite3 --if-db-not-exists"
        )));
    }

    #[test]
    fn bundled_versions() {
        assert_eq!(bundled("0.12.0").map(|v| v.to_string()).as_deref(), Some("0.3.13"));
        assert_eq!(bundled("0.10.5").map(|v| v.to_string()).as_deref(), Some("0.3.13"));
        assert!(bundled("1.0.0").is_none());
        assert!(bundled("x").is_none());
    }
}
