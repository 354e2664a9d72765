//! What the session has already done: which app roles and Litestream accessories were stopped
//! (and not started again), per Kamal destination, how sure that is, and which database files
//! were moved aside. Two sources, combined because either may lag or be missing: a small
//! per-session state file written on PostToolUse, and the transcript.

use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

use crate::limits::{MAX_GONE, MAX_UNITS};

/// What keeps a database open, in one Kamal destination (`None`: no `-d`): an app role, or a
/// Litestream accessory. `Role("*")` stands for every role when the config names none.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Unit {
    #[serde(default)]
    pub dest: Option<String>,
    pub what: What,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum What {
    Role(String),
    Accessory(String),
}

impl Unit {
    pub fn role(dest: Option<&str>, role: &str) -> Unit {
        Unit {
            dest: dest.map(str::to_string),
            what: What::Role(role.to_string()),
        }
    }

    pub fn accessory(dest: Option<&str>, name: &str) -> Unit {
        Unit {
            dest: dest.map(str::to_string),
            what: What::Accessory(name.to_string()),
        }
    }

    /// True when a stop of `self` stops `other` (the same unit, or every role).
    pub fn covers(&self, other: &Unit) -> bool {
        self.dest == other.dest
            && (self.what == other.what
                || matches!((&self.what, &other.what), (What::Role(a), What::Role(_)) if a == "*"))
    }

    /// True when a start of `self` may have started `other`.
    pub fn overlaps(&self, other: &Unit) -> bool {
        self.covers(other) || other.covers(self)
    }

    /// `role job`, `the litestream accessory`, with ` (destination staging)` when there is one.
    pub fn describe(&self) -> String {
        let what = match &self.what {
            What::Role(r) if r == "*" => "the app".to_string(),
            What::Role(r) => format!("role {r}"),
            What::Accessory(a) => format!("the {a} accessory"),
        };
        match &self.dest {
            Some(d) => format!("{what} (destination {d})"),
            None => what,
        }
    }
}

/// How sure the guard is of a stop.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Proof {
    /// The command exited 0 and its output (if seen) showed no failure. Kamal's stops exit 0
    /// even when they fail, so this is "not contradicted", not proof.
    #[default]
    Claimed,
    /// `kamal app details` / `kamal accessory details` listed no running container.
    Shown(String),
    /// The stop's output shows that it failed (the text quoted).
    Contradicted(String),
}

/// The last stop or start of one unit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mark {
    pub unit: Unit,
    pub stopped: bool,
    /// Unix milliseconds.
    pub at: u64,
    /// The command that did it (for messages).
    pub cmd: String,
    #[serde(default)]
    pub proof: Proof,
    /// A stop limited to these hosts (`--hosts`, `--primary`); `None`: every host.
    #[serde(default)]
    pub hosts: Option<Vec<String>>,
    /// For a start: the stop it undid (for messages: "booted again after the stop").
    #[serde(default)]
    pub after: Option<String>,
    /// A start seen in `kamal … details` output rather than caused by a command.
    #[serde(default)]
    pub observed: bool,
}

/// A path (a place key, see [`super::layout::Place::key`]) known to be absent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Gone {
    pub place: String,
    pub at: u64,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Session {
    #[serde(default)]
    pub units: Vec<Mark>,
    #[serde(default)]
    pub gone: Vec<Gone>,
}

/// What one command did to one unit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    Stop {
        hosts: Option<Vec<String>>,
        proof: Proof,
    },
    Start,
    /// `kamal … details` showed it running (`true`) or showed no container (`false`).
    Seen {
        running: bool,
        hosts: Option<Vec<String>>,
    },
}

/// What one successful command changed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Change {
    pub units: Vec<(Unit, Event)>,
    pub gone: Vec<String>,
    /// Paths (place keys) the command created or replaced.
    pub made: Vec<String>,
}

impl Change {
    pub fn is_empty(&self) -> bool {
        self.units.is_empty() && self.gone.is_empty() && self.made.is_empty()
    }
}

pub fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

fn short(cmd: &str) -> String {
    let s: String = cmd.chars().take(crate::limits::MAX_SHOWN).collect();
    if s.len() < cmd.len() {
        format!("{s}…")
    } else {
        s
    }
}

impl Session {
    /// The latest mark that decides whether `unit` is stopped: a start of anything that
    /// overlaps it, or a stop that covers it.
    pub fn mark(&self, unit: &Unit) -> Option<&Mark> {
        self.units
            .iter()
            .filter(|m| {
                if m.stopped {
                    m.unit.covers(unit)
                } else {
                    m.unit.overlaps(unit)
                }
            })
            .max_by_key(|m| (m.at, !m.stopped))
    }

    /// The time of the latest start, after which moved-aside files may be back.
    fn last_start(&self) -> u64 {
        self.units
            .iter()
            .filter(|m| !m.stopped)
            .map(|m| m.at)
            .max()
            .unwrap_or(0)
    }

    /// Records a command's change, as of `at`.
    pub fn apply(&mut self, c: &Change, at: u64, cmd: &str) {
        let cmd = short(cmd);
        for (unit, ev) in &c.units {
            let prev = self.units.iter().position(|m| &m.unit == unit);
            let prev_mark = prev.map(|i| self.units.remove(i));
            let mark = match ev {
                Event::Stop { hosts, proof } => {
                    // Two stops of different hosts add up.
                    let hosts = match (&prev_mark, hosts) {
                        (Some(p), Some(h)) if p.stopped && !matches!(p.proof, Proof::Contradicted(_)) => {
                            p.hosts.as_ref().map(|ph| {
                                let mut all = ph.clone();
                                all.extend(h.iter().filter(|x| !ph.contains(x)).cloned());
                                all
                            })
                        }
                        (_, h) => h.clone(),
                    };
                    Mark {
                        unit: unit.clone(),
                        stopped: true,
                        at,
                        cmd: cmd.clone(),
                        proof: proof.clone(),
                        hosts,
                        after: None,
                        observed: false,
                    }
                }
                // A start, or `details` showing it running.
                Event::Start | Event::Seen { running: true, .. } => Mark {
                    unit: unit.clone(),
                    stopped: false,
                    at,
                    cmd: cmd.clone(),
                    proof: Proof::Claimed,
                    hosts: None,
                    after: prev_mark.as_ref().filter(|p| p.stopped).map(|p| p.cmd.clone()),
                    observed: matches!(ev, Event::Seen { .. }),
                },
                Event::Seen { running: false, hosts } => Mark {
                    unit: unit.clone(),
                    stopped: true,
                    at,
                    cmd: prev_mark
                        .as_ref()
                        .filter(|p| p.stopped)
                        .map_or_else(|| cmd.clone(), |p| p.cmd.clone()),
                    proof: Proof::Shown(cmd.clone()),
                    hosts: hosts.clone(),
                    after: None,
                    observed: false,
                },
            };
            self.units.push(mark);
        }
        if self.units.len() > MAX_UNITS {
            self.units.sort_by_key(|m| std::cmp::Reverse(m.at));
            self.units.truncate(MAX_UNITS);
        }
        if c.units
            .iter()
            .any(|(_, e)| matches!(e, Event::Start | Event::Seen { running: true, .. }))
        {
            self.gone.clear();
        }
        self.gone.retain(|g| !c.made.contains(&g.place));
        for p in &c.gone {
            self.gone.retain(|g| &g.place != p);
            self.gone.push(Gone { place: p.clone(), at });
        }
        if self.gone.len() > MAX_GONE {
            let extra = self.gone.len() - MAX_GONE;
            self.gone.drain(..extra);
        }
    }

    /// Combines two views of the same session: per unit the later mark wins (a start on a tie),
    /// and a moved-aside path counts unless something started after it.
    pub fn merge(a: &Session, b: &Session) -> Session {
        let mut out = Session::default();
        for m in a.units.iter().chain(&b.units) {
            match out.units.iter_mut().find(|o| o.unit == m.unit) {
                Some(o) => {
                    if (m.at, !m.stopped) > (o.at, !o.stopped) {
                        *o = m.clone();
                    }
                }
                None => out.units.push(m.clone()),
            }
        }
        let since = out.last_start();
        for g in a.gone.iter().chain(&b.gone) {
            if g.at >= since && !out.gone.iter().any(|o| o.place == g.place) {
                out.gone.push(g.clone());
            }
        }
        out
    }
}

/// Where session files live: `$CLAUDE_PLUGIN_DATA/sessions`, else
/// `$XDG_STATE_HOME/litestream-guard/sessions`, else `~/.local/state/litestream-guard/sessions`.
pub fn dir() -> Option<PathBuf> {
    let var = |k: &str| std::env::var_os(k).filter(|v| !v.is_empty()).map(PathBuf::from);
    if let Some(d) = var("CLAUDE_PLUGIN_DATA") {
        return Some(d.join("sessions"));
    }
    if let Some(d) = var("XDG_STATE_HOME") {
        return Some(d.join("litestream-guard").join("sessions"));
    }
    var("HOME").map(|h| h.join(".local/state/litestream-guard/sessions"))
}

/// The file of one session (the id is sanitised; an empty one has no file).
pub fn file(dir: &Path, session_id: &str) -> Option<PathBuf> {
    let safe: String = session_id
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .take(128)
        .collect();
    (!safe.is_empty()).then(|| dir.join(format!("{safe}.json")))
}

pub fn load(path: &Path) -> Option<Session> {
    let text = super::regular::read(path, crate::limits::MAX_SESSION_BYTES)?;
    serde_json::from_slice(&text).ok()
}

/// Writes the state atomically: a temporary file in the same directory, then a rename.
pub fn save(path: &Path, s: &Session) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let tmp = dir.join(format!(
        ".{}.{}.tmp",
        path.file_name().and_then(|n| n.to_str()).unwrap_or("session"),
        std::process::id()
    ));
    let text = serde_json::to_vec(s).map_err(std::io::Error::other)?;
    // A new file only (never open whatever is already there: it could be a FIFO).
    let create = || std::fs::OpenOptions::new().write(true).create_new(true).open(&tmp);
    let mut f = match create() {
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            std::fs::remove_file(&tmp)?;
            create()?
        }
        other => other?,
    };
    std::io::Write::write_all(&mut f, &text)?;
    drop(f);
    std::fs::rename(&tmp, path).inspect_err(|_| {
        let _ = std::fs::remove_file(&tmp);
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ch(unit: Unit, ev: Event) -> Change {
        Change {
            units: vec![(unit, ev)],
            ..Change::default()
        }
    }

    fn stop() -> Event {
        Event::Stop {
            hosts: None,
            proof: Proof::Claimed,
        }
    }

    #[test]
    fn later_wins_and_starts_invalidate() {
        let web = Unit::role(None, "web");
        let mut a = Session::default();
        a.apply(&ch(web.clone(), stop()), 10, "kamal app stop");
        let mut b = Session::default();
        b.apply(&ch(web.clone(), Event::Start), 5, "kamal app boot");
        assert!(Session::merge(&a, &b).mark(&web).unwrap().stopped);
        b.apply(&ch(web.clone(), Event::Start), 10, "kamal app boot");
        assert!(
            !Session::merge(&a, &b).mark(&web).unwrap().stopped,
            "a tie goes to the start"
        );
        let mut c = a.clone();
        c.apply(&ch(web.clone(), Event::Start), 11, "kamal app boot");
        assert_eq!(c.mark(&web).unwrap().after.as_deref(), Some("kamal app stop"));
        let mut g = Session::default();
        g.apply(
            &Change {
                gone: vec!["vol:x:p-wal".into()],
                ..Change::default()
            },
            20,
            "mv",
        );
        assert_eq!(Session::merge(&a, &g).gone.len(), 1);
        g.apply(
            &Change {
                made: vec!["vol:x:p-wal".into()],
                ..Change::default()
            },
            21,
            "x",
        );
        assert!(g.gone.is_empty());
    }

    #[test]
    fn units_are_per_destination_and_role() {
        let mut s = Session::default();
        s.apply(
            &ch(Unit::role(Some("staging"), "web"), stop()),
            1,
            "kamal -d staging app stop",
        );
        assert!(s.mark(&Unit::role(Some("production"), "web")).is_none());
        assert!(s.mark(&Unit::role(Some("staging"), "job")).is_none());
        // Every role (the config names none) covers each; a start of one role undoes it.
        s.apply(&ch(Unit::role(None, "*"), stop()), 2, "kamal app stop");
        assert!(s.mark(&Unit::role(None, "job")).unwrap().stopped);
        s.apply(
            &ch(Unit::role(None, "web"), Event::Start),
            3,
            "kamal app boot --roles web",
        );
        assert!(!s.mark(&Unit::role(None, "*")).unwrap().stopped);
        // Partial stops of hosts add up; details that show nothing prove the stop.
        let job = Unit::role(None, "job");
        let on = |h: &str| Event::Stop {
            hosts: Some(vec![h.to_string()]),
            proof: Proof::Claimed,
        };
        s.apply(&ch(job.clone(), on("a")), 4, "kamal app stop --hosts a");
        s.apply(&ch(job.clone(), on("b")), 5, "kamal app stop --hosts b");
        assert_eq!(
            s.mark(&job).unwrap().hosts.as_deref(),
            Some(&["a".to_string(), "b".to_string()][..])
        );
        s.apply(
            &ch(
                job.clone(),
                Event::Seen {
                    running: false,
                    hosts: None,
                },
            ),
            6,
            "kamal app details",
        );
        let m = s.mark(&job).unwrap();
        assert!(m.stopped && m.hosts.is_none() && matches!(m.proof, Proof::Shown(_)));
        assert_eq!(m.cmd, "kamal app stop --hosts b");
    }

    #[test]
    fn saves_atomically() {
        let d = std::env::temp_dir().join(format!("lg-sess-{}", std::process::id()));
        let f = file(&d, "abc/../def").unwrap();
        assert!(f.ends_with("abcdef.json"));
        let mut s = Session::default();
        s.apply(
            &ch(Unit::accessory(None, "litestream"), stop()),
            1,
            "kamal accessory stop litestream",
        );
        save(&f, &s).unwrap();
        assert_eq!(load(&f), Some(s));
        // A state file of the earlier format (one flag for the app) is read as nothing known.
        std::fs::write(
            &f,
            br#"{"app":{"stopped":true,"at":1,"cmd":"kamal app stop"},"gone":[]}"#,
        )
        .unwrap();
        assert_eq!(load(&f), Some(Session::default()));
        let _ = std::fs::remove_dir_all(&d);
    }
}
