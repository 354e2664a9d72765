//! Whether everything that holds a live database is stopped: every app role and the Litestream
//! accessory (unless Litestream runs in the app container) of the destination the command acts
//! on. A stop counts when it is not contradicted: by its own output (Kamal's stops exit 0 when
//! they fail), by a later start, or by `kamal … details` showing the container running.

use super::kamal::{self, fnmatch, Scope};
use super::ops::{Effect, Holder};
use super::session::{Event, Mark, Proof, Unit, What};
use super::walk::{Flow, State, Step, Target, Walker};

/// How one unit stands, and why (for the reason).
#[derive(Debug, Clone)]
pub enum How {
    LineStopped(String),
    LineStarted(String),
    Stopped(Mark),
    /// Stopped earlier, then started again (or seen running).
    Started(Mark),
    /// Its stop shows it failed: the command and what it printed (or why it cannot work).
    Contradicted(String, String),
    /// Stopped on some hosts only.
    Partial(Mark),
    /// Not stopped here, but in these other destinations.
    Elsewhere(Vec<String>),
    Never,
}

impl How {
    pub fn stopped(&self) -> bool {
        matches!(self, How::LineStopped(_) | How::Stopped(_))
    }
}

/// The state of every unit that holds the databases a command touches.
#[derive(Debug, Clone)]
pub struct Holders(pub Vec<(Unit, How)>);

impl Holders {
    pub fn all_stopped(&self) -> bool {
        self.0.iter().all(|(_, h)| h.stopped())
    }
}

impl Walker<'_> {
    /// The destinations whose databases a command in `flow` may touch.
    pub(super) fn dests(&self, flow: &Flow) -> Vec<Option<String>> {
        let layout = self.env.layout();
        match &flow.target {
            Target::Dest(d) => vec![d.clone()],
            Target::Host(h) => layout.dests_of_host(h),
            Target::Unknown => layout.dest_names(),
        }
    }

    /// How each holder of the databases stands, for a command in `flow` with `st` known.
    pub(super) fn holders(&self, flow: &Flow, st: &State) -> Holders {
        let layout = self.env.layout();
        let session = self.env.session();
        let mut out = Vec::new();
        for dest in self.dests(flow) {
            for unit in layout.holders(dest.as_deref()) {
                let how = match st.step(&unit) {
                    Some(s) if s.starts() => How::LineStarted(s.cmd.clone()),
                    Some(Step {
                        event:
                            Event::Stop {
                                proof: Proof::Contradicted(why),
                                ..
                            },
                        cmd,
                        ..
                    }) => How::Contradicted(cmd.clone(), why.clone()),
                    Some(s) => How::LineStopped(s.cmd.clone()),
                    None => match session.mark(&unit) {
                        None => {
                            let mut other: Vec<String> = session
                                .units
                                .iter()
                                .filter(|m| {
                                    let here = Unit {
                                        dest: unit.dest.clone(),
                                        what: m.unit.what.clone(),
                                    };
                                    m.stopped && m.unit.dest != unit.dest && here.covers(&unit)
                                })
                                .map(|m| m.unit.dest.clone().unwrap_or_else(|| "the default (no -d)".into()))
                                .collect();
                            other.dedup();
                            if other.is_empty() {
                                How::Never
                            } else {
                                How::Elsewhere(other)
                            }
                        }
                        Some(m) if !m.stopped => How::Started(m.clone()),
                        Some(m) => match &m.proof {
                            Proof::Contradicted(why) => How::Contradicted(m.cmd.clone(), why.clone()),
                            _ if !self.all_hosts(&unit, m.hosts.as_deref()) => How::Partial(m.clone()),
                            _ => How::Stopped(m.clone()),
                        },
                    },
                };
                out.push((unit, how));
            }
        }
        Holders(out)
    }

    /// True when a stop on `hosts` (`None`: all) reached every host of `unit`.
    fn all_hosts(&self, unit: &Unit, hosts: Option<&[String]>) -> bool {
        let Some(hosts) = hosts else { return true };
        let layout = self.env.layout();
        let Some(d) = layout.dest(unit.dest.as_deref()) else {
            return false;
        };
        let of_unit = match &unit.what {
            What::Role(r) => d.roles.iter().find(|(n, _)| n == r).map(|(_, h)| h.clone()),
            What::Accessory(a) => d.accessories.iter().find(|(n, _)| n == a).map(|(_, h)| h.clone()),
        };
        match of_unit {
            Some(h) if !h.is_empty() => h.iter().all(|x| hosts.iter().any(|p| fnmatch(p, x))),
            _ => false,
        }
    }

    /// The units a Kamal stop, start or details reaches, with what it did to each (details only
    /// when their output was seen).
    pub(super) fn kamal_events(&self, effect: Effect, holder: &Holder, scope: &Scope) -> Vec<(Unit, Event)> {
        let layout = self.env.layout();
        let dest = scope.dest.as_deref();
        let units: Vec<Unit> = match holder {
            Holder::App => {
                let roles = layout.roles(dest);
                match &scope.roles {
                    None => roles.iter().map(|(r, _)| Unit::role(dest, r)).collect(),
                    Some(wanted) if roles.iter().any(|(r, _)| r == "*") => {
                        wanted.iter().map(|w| Unit::role(dest, w)).collect()
                    }
                    Some(wanted) => roles
                        .iter()
                        .filter(|(r, _)| wanted.iter().any(|w| fnmatch(w, r)))
                        .map(|(r, _)| Unit::role(dest, r))
                        .collect(),
                }
            }
            Holder::Accessory(name) => {
                let all = layout.litestream_accessories(dest);
                all.iter()
                    .filter(|(n, _)| name == "all" || n == name || layout.accessory(name).is_some_and(|a| &a.name == n))
                    .map(|(n, _)| Unit::accessory(dest, n))
                    .collect()
            }
        };
        let primary = || {
            layout
                .dest(dest)
                .and_then(|d| d.roles.first())
                .and_then(|(_, h)| h.first().cloned())
                .unwrap_or_else(|| "(the primary host)".into())
        };
        // `--primary` keeps the primary host (every role on it); for accessories, `--roles`
        // keeps the hosts of those roles (Kamal: `accessory_hosts & accessory.hosts`).
        let mut hosts = match (scope.primary, &scope.hosts) {
            (true, _) => Some(vec![primary()]),
            (false, h) => h.clone(),
        };
        if let (Holder::Accessory(_), Some(wanted)) = (holder, &scope.roles) {
            let of_roles: Vec<String> = layout
                .roles(dest)
                .into_iter()
                .filter(|(r, _)| wanted.iter().any(|w| fnmatch(w, r)))
                .flat_map(|(_, h)| h)
                .collect();
            hosts = Some(match hosts {
                Some(h) => of_roles
                    .into_iter()
                    .filter(|x| h.iter().any(|p| fnmatch(p, x)))
                    .collect(),
                None => of_roles,
            });
        }
        // With `--hosts`, Kamal acts only on the roles that have one of those hosts.
        let units: Vec<Unit> = match (&hosts, holder) {
            (Some(h), Holder::App) => units
                .into_iter()
                .filter(|u| {
                    let of = match &u.what {
                        What::Role(r) => layout.roles(dest).into_iter().find(|(n, _)| n == r).map(|(_, x)| x),
                        What::Accessory(_) => None,
                    };
                    match of {
                        Some(rh) if !rh.is_empty() => rh.iter().any(|x| h.iter().any(|p| fnmatch(p, x))),
                        _ => true,
                    }
                })
                .collect(),
            _ => units,
        };
        let output = self.output.as_deref();
        match effect {
            Effect::Stop => {
                let proof = match output.and_then(kamal::stop_failure) {
                    Some(why) => Proof::Contradicted(format!("printed `{why}`")),
                    None => Proof::Claimed,
                };
                units
                    .into_iter()
                    .map(|u| {
                        (
                            u,
                            Event::Stop {
                                hosts: hosts.clone(),
                                proof: proof.clone(),
                            },
                        )
                    })
                    .collect()
            }
            Effect::FailedStop(why) => units
                .into_iter()
                .map(|u| {
                    (
                        u,
                        Event::Stop {
                            hosts: None,
                            proof: Proof::Contradicted(why.to_string()),
                        },
                    )
                })
                .collect(),
            Effect::Start => units.into_iter().map(|u| (u, Event::Start)).collect(),
            Effect::Details => {
                let Some(names) = output.and_then(kamal::listed_containers) else {
                    return Vec::new();
                };
                units
                    .into_iter()
                    .map(|u| {
                        let running = names.iter().any(|n| self.container_is(n, &u));
                        (
                            u,
                            Event::Seen {
                                running,
                                hosts: hosts.clone(),
                            },
                        )
                    })
                    .collect()
            }
        }
    }

    /// True when a container name belongs to `unit`: `<service>-<role>[-<dest>]-<version>` for
    /// a role, the accessory's service name for an accessory.
    fn container_is(&self, name: &str, unit: &Unit) -> bool {
        let layout = self.env.layout();
        let service = layout
            .dest(unit.dest.as_deref())
            .and_then(|d| d.service.clone())
            .or_else(|| layout.service.clone())
            .unwrap_or_default();
        match &unit.what {
            What::Accessory(a) => {
                let container = layout
                    .accessory(a)
                    .map_or_else(|| format!("{service}-{a}"), |x| x.container.clone());
                name == container
            }
            What::Role(r) => {
                let dest = unit.dest.as_ref().map_or(String::new(), |d| format!("-{d}"));
                let prefix = |role: &str| format!("{service}-{role}{dest}-");
                if r == "*" {
                    return name.starts_with(&format!("{service}-"));
                }
                // The longest role whose prefix matches owns it (`web` and `web-api`).
                let owner = layout
                    .roles(unit.dest.as_deref())
                    .into_iter()
                    .map(|(role, _)| role)
                    .filter(|role| name.starts_with(&prefix(role)))
                    .max_by_key(String::len);
                owner.as_deref() == Some(r.as_str())
            }
        }
    }
}

/// A short account of why the holders are not all stopped, in what happened in this session.
/// Units with the same story are told together (`role web and role job were started again …`).
pub fn why_not(h: &Holders) -> String {
    // One destination for all: say it once.
    let common =
        h.0.first()
            .map(|(u, _)| u.dest.clone())
            .filter(|d| h.0.iter().all(|(u, _)| &u.dest == d));
    // (story with `{}` for who, plural form, units).
    let mut stories: Vec<(String, String, Vec<String>)> = Vec::new();
    let mut tell = |one: String, many: String, who: String| match stories.iter_mut().find(|s| s.0 == one) {
        Some(s) => s.2.push(who),
        None => stories.push((one, many, vec![who])),
    };
    for (unit, how) in &h.0 {
        let who = match &common {
            Some(_) => Unit {
                dest: None,
                what: unit.what.clone(),
            }
            .describe(),
            None => unit.describe(),
        };
        match how {
            How::LineStopped(_) | How::Stopped(_) => {}
            How::LineStarted(cmd) => tell(
                format!("{{}} is started again earlier on this line (`{cmd}`)"),
                format!("{{}} are started again earlier on this line (`{cmd}`)"),
                who,
            ),
            How::Started(m) if m.observed => tell(
                format!("`{}` showed {{}} running", m.cmd),
                format!("`{}` showed {{}} running", m.cmd),
                who,
            ),
            How::Started(m) => match &m.after {
                Some(stop) => tell(
                    format!("{{}} was started again (`{}`) after the stop (`{stop}`)", m.cmd),
                    format!("{{}} were started again (`{}`) after the stop (`{stop}`)", m.cmd),
                    who,
                ),
                None => tell(
                    format!("{{}} was started (`{}`) and not stopped since", m.cmd),
                    format!("{{}} were started (`{}`) and not stopped since", m.cmd),
                    who,
                ),
            },
            How::Contradicted(cmd, why) => {
                let hint = if why.starts_with("printed") {
                    ": Kamal exits 0 when a stop fails, and `kamal app details` / `kamal accessory details` show what still runs"
                } else {
                    ""
                };
                let story = format!("the stop of {{}} (`{cmd}`) {why}{hint}");
                tell(story.clone(), story, who)
            }
            How::Partial(m) => tell(
                format!(
                    "{{}} was stopped only on {} (`{}`)",
                    m.hosts.as_deref().unwrap_or(&[]).join(", "),
                    m.cmd
                ),
                format!(
                    "{{}} were stopped only on {} (`{}`)",
                    m.hosts.as_deref().unwrap_or(&[]).join(", "),
                    m.cmd
                ),
                who,
            ),
            How::Elsewhere(dests) => tell(
                format!(
                    "{{}} is not stopped: the stops in this session were for destination {}",
                    or_list(dests)
                ),
                format!(
                    "{{}} are not stopped: the stops in this session were for destination {}",
                    or_list(dests)
                ),
                who,
            ),
            How::Never => tell(
                "nothing in this session stopped {}".into(),
                "nothing in this session stopped {}".into(),
                who,
            ),
        }
    }
    let told = stories
        .into_iter()
        .map(|(one, many, who)| {
            let form = if who.len() > 1 { many } else { one };
            let word = if form.starts_with("nothing") { "or" } else { "and" };
            form.replacen("{}", &and_list(&who, word), 1)
        })
        .collect::<Vec<_>>()
        .join("; ");
    match common.flatten() {
        Some(d) => format!("in destination {d}, {told}"),
        None => told,
    }
}

fn and_list(items: &[String], word: &str) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} {word} {last}", rest.join(", ")),
    }
}

/// `a`, `a or b`, `a, b or c`.
fn or_list(items: &[String]) -> String {
    and_list(items, "or")
}

/// A short account of why they are stopped.
pub fn why_stopped(h: &Holders) -> String {
    let line = h.0.iter().any(|(_, how)| matches!(how, How::LineStopped(_)));
    let shown = h.0.iter().find_map(|(_, how)| match how {
        How::Stopped(m) => match &m.proof {
            Proof::Shown(cmd) => Some(cmd.clone()),
            _ => None,
        },
        _ => None,
    });
    match (line, shown) {
        (true, _) => "everything that holds it was stopped earlier on this command line".into(),
        (false, Some(cmd)) => format!("everything that holds it was stopped in this session (`{cmd}` showed it)"),
        (false, None) => "everything that holds it was stopped in this session".into(),
    }
}
