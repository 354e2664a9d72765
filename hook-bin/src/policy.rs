//! The retention tier policy: how often each kind of Rails database should sync and snapshot,
//! and how long its backups should be kept. Overridable per project in
//! `config/litestream-guard.yml` (format in docs/policy.md).

use crate::diag::{Finding, Severity};
use crate::duration::parse_go;
use crate::yaml::Node;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Tier {
    Primary,
    Queue,
    Cache,
    Cable,
}

impl Tier {
    pub const ALL: [Tier; 4] = [Tier::Primary, Tier::Queue, Tier::Cache, Tier::Cable];

    pub fn name(self) -> &'static str {
        match self {
            Tier::Primary => "primary",
            Tier::Queue => "queue",
            Tier::Cache => "cache",
            Tier::Cable => "cable",
        }
    }

    fn parse(s: &str) -> Option<Tier> {
        Tier::ALL.into_iter().find(|t| t.name() == s)
    }
}

/// Target values of one tier, as Go duration strings and their nanoseconds.
#[derive(Debug, Clone, PartialEq)]
pub struct Targets {
    pub sync_interval: (String, f64),
    pub snapshot_interval: (String, f64),
    pub retention: (String, f64),
}

fn t(sync: &str, snap: &str, ret: &str) -> Targets {
    let d = |s: &str| (s.to_string(), parse_go(s).unwrap_or(0.0));
    Targets {
        sync_interval: d(sync),
        snapshot_interval: d(snap),
        retention: d(ret),
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Policy {
    pub tiers: Vec<(Tier, Targets)>,
    /// Explicit file-name → tier assignments, checked before the naming convention.
    pub databases: Vec<(String, Tier)>,
    /// Rule IDs or names turned off for this project.
    pub ignore: Vec<String>,
    /// The project set its own tiers in config/litestream-guard.yml (rather than taking the
    /// plugin's defaults, which are only a suggestion).
    pub custom: bool,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            tiers: vec![
                (Tier::Primary, t("5s", "1h", "720h")),
                (Tier::Queue, t("5s", "1h", "72h")),
                (Tier::Cache, t("10s", "6h", "24h")),
                (Tier::Cable, t("10s", "6h", "24h")),
            ],
            databases: Vec::new(),
            ignore: Vec::new(),
            custom: false,
        }
    }
}

impl Policy {
    pub fn targets(&self, tier: Tier) -> &Targets {
        &self
            .tiers
            .iter()
            .find(|(t, _)| *t == tier)
            .expect("every tier has targets")
            .1
    }

    /// The tier of a database file: an explicit assignment, else the name of its database.yml
    /// entry (`queue`, `cache`, `cable`, as Rails 8 names them), else its file name
    /// (`production_queue.sqlite3`, `production-queue.sqlite3`, `queue.sqlite3`), else primary.
    pub fn classify(&self, path: &str) -> Tier {
        self.classify_with(path, None)
    }

    pub fn classify_with(&self, path: &str, rails_name: Option<&str>) -> Tier {
        let file = path.rsplit('/').next().unwrap_or(path);
        if let Some((_, t)) = self.databases.iter().find(|(n, _)| n == file) {
            return *t;
        }
        // Rails 8's names, and litestack's (`litecache`, `litejob`, `litecable`).
        let word_tier = |w: &str| {
            if w.ends_with("queue") || w == "litejob" || w == "jobs" {
                Some(Tier::Queue)
            } else if w.ends_with("cache") {
                Some(Tier::Cache)
            } else if w.ends_with("cable") {
                Some(Tier::Cable)
            } else {
                None
            }
        };
        if let Some(t) = rails_name.and_then(|n| n.rsplit(['_', '-']).next()).and_then(word_tier) {
            return t;
        }
        let stem = file.split('.').next().unwrap_or(file);
        stem.rsplit(['_', '-'])
            .next()
            .and_then(word_tier)
            .unwrap_or(Tier::Primary)
    }

    pub fn ignores(&self, id: &str, name: &str) -> bool {
        self.ignore.iter().any(|i| i == id || i == name)
    }

    /// Reads the policy file's tree. Bad entries are reported and the default is kept for them.
    pub fn from_tree(root: Option<&Node>) -> (Policy, Vec<Finding>) {
        let mut p = Policy::default();
        let mut bad = Vec::new();
        let Some(root) = root else { return (p, bad) };
        let rule = crate::rules::input::POLICY.id;
        let mut complain = |n: &Node, msg: String, help: &str| {
            bad.push(Finding {
                rule,
                severity: Severity::Error,
                loc: n.loc(),
                message: msg,
                help: help.to_string(),
            })
        };
        for e in root.entries().unwrap_or(&[]) {
            match e.key.as_str() {
                Some("tiers") => {
                    p.custom = true;
                    for te in e.value.entries().unwrap_or(&[]) {
                        let Some(tier) = te.key.as_str().and_then(Tier::parse) else {
                            complain(
                                &te.key,
                                format!("unknown tier {}", te.key.describe()),
                                "Use one of primary, queue, cache, cable.",
                            );
                            continue;
                        };
                        let idx = p.tiers.iter().position(|(t, _)| *t == tier).expect("all tiers present");
                        for ve in te.value.entries().unwrap_or(&[]) {
                            let val = ve.value.as_str().unwrap_or("");
                            let Ok(ns) = parse_go(val).map_err(|_| ()).and_then(|ns| {
                                if ve.value.is_plain() && ve.value.as_int().is_some() {
                                    Err(())
                                } else {
                                    Ok(ns)
                                }
                            }) else {
                                complain(
                                    &ve.value,
                                    format!("{} is not a Go duration", ve.value.describe()),
                                    "Write a duration such as `5s`, `1h` or `720h`.",
                                );
                                continue;
                            };
                            let slot = match ve.key.as_str() {
                                Some("sync-interval") => &mut p.tiers[idx].1.sync_interval,
                                Some("snapshot-interval") => &mut p.tiers[idx].1.snapshot_interval,
                                Some("retention") => &mut p.tiers[idx].1.retention,
                                _ => {
                                    complain(
                                        &ve.key,
                                        format!("unknown tier setting {}", ve.key.describe()),
                                        "Use sync-interval, snapshot-interval or retention.",
                                    );
                                    continue;
                                }
                            };
                            *slot = (val.to_string(), ns);
                        }
                    }
                }
                Some("databases") => {
                    for de in e.value.entries().unwrap_or(&[]) {
                        match (de.key.as_str(), de.value.as_str().and_then(Tier::parse)) {
                            (Some(file), Some(tier)) => p.databases.push((file.to_string(), tier)),
                            _ => complain(
                                &de.value,
                                format!("{} is not a tier", de.value.describe()),
                                "Use one of primary, queue, cache, cable.",
                            ),
                        }
                    }
                }
                Some("ignore") => {
                    for n in e.value.items().unwrap_or(&[]) {
                        if let Some(s) = n.as_str() {
                            p.ignore.push(s.to_string());
                        }
                    }
                }
                _ => complain(
                    &e.key,
                    format!("unknown policy key {}", e.key.describe()),
                    "The policy file knows `tiers`, `databases` and `ignore`.",
                ),
            }
        }
        (p, bad)
    }
}
