//! The rule registry. Each rule lives in one file with its ID, severity, documentation and check;
//! this list is the only place that enumerates them, and `rules`, `explain` and docs/rules.md
//! are generated from it. IDs are never reused: a retired rule keeps its number out of use.

use crate::diag::{Finding, Severity, Sink};
use crate::project::Project;

pub mod bash;
pub mod database;
pub mod deploy;
pub mod input;
pub mod litestream;
pub mod runner;
pub mod secrets;

/// What part of the setup a rule is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Area {
    Input,
    Runner,
    Litestream,
    Deploy,
    Secrets,
    Database,
    Bash,
}

impl Area {
    pub fn as_str(self) -> &'static str {
        match self {
            Area::Input => "any config file",
            Area::Runner => "how Litestream runs",
            Area::Litestream => "config/litestream.yml",
            Area::Deploy => "config/deploy.yml",
            Area::Secrets => ".kamal/secrets*",
            Area::Database => "config/database.yml",
            Area::Bash => "shell commands",
        }
    }
}

pub type CheckFn = fn(&Project, &mut Sink);

pub struct Rule {
    /// Stable ID, e.g. `L007`. Never reused.
    pub id: &'static str,
    /// Kebab-case name of the bad pattern, e.g. `bare-integer-duration`.
    pub name: &'static str,
    pub severity: Severity,
    pub area: Area,
    pub summary: &'static str,
    /// What it checks.
    pub what: &'static str,
    /// Why it matters.
    pub why: &'static str,
    pub bad: &'static str,
    pub good: &'static str,
    pub fix: &'static str,
    /// `None` for rules reported while reading files, and for the Bash guard's rules, which the
    /// guard evaluates itself.
    pub check: Option<CheckFn>,
}

/// Every rule, area by area. Each area's module lists its own rules in `RULES`.
pub static RULES: std::sync::LazyLock<Vec<&'static Rule>> = std::sync::LazyLock::new(|| {
    [
        input::RULES,
        runner::RULES,
        litestream::RULES,
        deploy::RULES,
        secrets::RULES,
        database::RULES,
        bash::RULES,
    ]
    .concat()
});

/// A rule that no longer exists. Its ID and name stay out of use, and `explain` says why.
pub struct Retired {
    pub id: &'static str,
    pub name: &'static str,
    pub why: &'static str,
}

pub static RETIRED: &[Retired] = &[
    Retired {
        id: "K001",
        name: "missing-litestream-accessory",
        why: "it assumed every app runs Litestream as a Kamal accessory; most real apps run it through the litestream-ruby gem or inside the app image. A001 (nothing runs Litestream) and A002 (replication never started) replace it for every runner.",
    },
    Retired {
        id: "L013",
        name: "path-style-implied-by-endpoint",
        why: "it reported a setting that is right (an endpoint implies path-style addressing) and said there was nothing to fix. L012 still reports the one case that breaks: `force-path-style: false` with an endpoint.",
    },
    Retired {
        id: "L021",
        name: "retention-shorter-than-snapshot-interval",
        why: "the premise was wrong: with retention shorter than the snapshot interval a restorable backup still remains. Litestream 0.3.13 takes a new snapshot when retention would leave none (`Replica.EnforceRetention`), and 0.5 always keeps the newest snapshot (`EnforceSnapshotRetention`); both were confirmed by restoring after such a run.",
    },
];

/// Finds a retired rule by ID or name.
pub fn find_retired(key: &str) -> Option<&'static Retired> {
    RETIRED.iter().find(|r| r.id.eq_ignore_ascii_case(key) || r.name == key)
}

/// Finds a rule by ID (case-insensitive) or by name.
pub fn find(key: &str) -> Option<&'static Rule> {
    RULES
        .iter()
        .copied()
        .find(|r| r.id.eq_ignore_ascii_case(key) || r.name == key)
}

/// Which rules run: all but the ignored ones, or only the selected ones (IDs or names).
#[derive(Debug, Clone, Default)]
pub struct Selection {
    pub select: Vec<String>,
    pub ignore: Vec<String>,
}

impl Selection {
    fn wants(&self, r: &Rule) -> bool {
        let named = |list: &[String]| list.iter().any(|k| r.id.eq_ignore_ascii_case(k) || r.name == k);
        (self.select.is_empty() || named(&self.select)) && !named(&self.ignore)
    }

    /// Names that match no rule, so that a typo in `--select` is not silently "all clear".
    pub fn unknown(&self) -> Vec<&str> {
        self.select
            .iter()
            .chain(&self.ignore)
            .filter(|k| find(k).is_none())
            .map(String::as_str)
            .collect()
    }
}

/// Runs every selected rule that has a check against the project.
pub fn run_all(project: &Project, selection: &Selection) -> Vec<Finding> {
    let mut out = project.load_findings.clone();
    for rule in RULES.iter() {
        if let Some(check) = rule.check {
            if selection.wants(rule) {
                check(project, &mut Sink::new(rule, &mut out));
            }
        }
    }
    out.retain(|f| {
        let rule = find(f.rule).expect("findings come from registered rules");
        // Problems reading a file are always shown: without the file nothing else was checked.
        rule.check.is_none() || (selection.wants(rule) && !project.policy.ignores(rule.id, rule.name))
    });
    out.sort_by(|a, b| (a.loc, a.rule, &a.message).cmp(&(b.loc, b.rule, &b.message)));
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_and_names_are_unique_and_documented() {
        let mut ids: Vec<_> = RULES.iter().map(|r| r.id).collect();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), RULES.len(), "duplicate rule ID");
        let mut names: Vec<_> = RULES.iter().map(|r| r.name).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), RULES.len(), "duplicate rule name");
        for old in RETIRED {
            assert!(
                !RULES.iter().any(|r| r.id == old.id || r.name == old.name),
                "{} is retired and must not be reused",
                old.id
            );
        }
        for r in RULES.iter() {
            for (field, text) in [
                ("summary", r.summary),
                ("what", r.what),
                ("why", r.why),
                ("bad", r.bad),
                ("good", r.good),
                ("fix", r.fix),
            ] {
                assert!(!text.trim().is_empty(), "{} has no {field}", r.id);
            }
            assert!(
                r.name
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'),
                "{} name is not kebab-case",
                r.id
            );
        }
    }
}
