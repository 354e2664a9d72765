//! What the session has already done: whether the app and the Litestream accessory were
//! stopped (and not started again), and which database files were moved aside. Two sources,
//! combined because either may lag or be missing: a small per-session state file written on
//! PostToolUse, and the transcript.

use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

/// At most this many moved-aside paths are remembered.
const MAX_GONE: usize = 64;

/// The last stop or start of the app or of Litestream.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mark {
    pub stopped: bool,
    /// Unix milliseconds.
    pub at: u64,
    /// The command that did it (for messages).
    pub cmd: String,
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
    pub app: Option<Mark>,
    #[serde(default)]
    pub litestream: Option<Mark>,
    #[serde(default)]
    pub gone: Vec<Gone>,
}

/// What one successful command changed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Change {
    /// `Some(true)`: stopped; `Some(false)`: started.
    pub app: Option<bool>,
    pub litestream: Option<bool>,
    pub gone: Vec<String>,
    /// Paths (place keys) the command created or replaced.
    pub made: Vec<String>,
}

impl Change {
    pub fn is_empty(&self) -> bool {
        self.app.is_none() && self.litestream.is_none() && self.gone.is_empty() && self.made.is_empty()
    }
}

pub fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

impl Session {
    pub fn app_stopped(&self) -> bool {
        self.app.as_ref().is_some_and(|m| m.stopped)
    }

    /// The time of the latest start of either, after which moved-aside files may be back.
    fn last_start(&self) -> u64 {
        [&self.app, &self.litestream]
            .iter()
            .filter_map(|m| m.as_ref().filter(|m| !m.stopped).map(|m| m.at))
            .max()
            .unwrap_or(0)
    }

    /// Records a command's change, as of `at`.
    pub fn apply(&mut self, c: &Change, at: u64, cmd: &str) {
        let short: String = cmd.chars().take(200).collect();
        if let Some(stopped) = c.app {
            self.app = Some(Mark {
                stopped,
                at,
                cmd: short.clone(),
            });
        }
        if let Some(stopped) = c.litestream {
            self.litestream = Some(Mark {
                stopped,
                at,
                cmd: short,
            });
        }
        if c.app == Some(false) || c.litestream == Some(false) {
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

    /// Combines two views of the same session: the later mark wins (a start on a tie), and a
    /// moved-aside path counts unless something started after it.
    pub fn merge(a: &Session, b: &Session) -> Session {
        fn pick(x: &Option<Mark>, y: &Option<Mark>) -> Option<Mark> {
            match (x, y) {
                (Some(x), Some(y)) => Some(if x.at > y.at || (x.at == y.at && !x.stopped) {
                    x.clone()
                } else {
                    y.clone()
                }),
                (Some(x), None) => Some(x.clone()),
                (None, y) => y.clone(),
            }
        }
        let mut out = Session {
            app: pick(&a.app, &b.app),
            litestream: pick(&a.litestream, &b.litestream),
            gone: Vec::new(),
        };
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
    let text = std::fs::read(path).ok()?;
    if text.len() > 1 << 20 {
        return None;
    }
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
    std::fs::write(&tmp, text)?;
    std::fs::rename(&tmp, path).inspect_err(|_| {
        let _ = std::fs::remove_file(&tmp);
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn later_wins_and_starts_invalidate() {
        let mut a = Session::default();
        a.apply(
            &Change {
                app: Some(true),
                ..Change::default()
            },
            10,
            "kamal app stop",
        );
        let mut b = Session::default();
        b.apply(
            &Change {
                app: Some(false),
                ..Change::default()
            },
            5,
            "kamal app boot",
        );
        assert!(Session::merge(&a, &b).app_stopped());
        b.apply(
            &Change {
                app: Some(false),
                ..Change::default()
            },
            10,
            "kamal app boot",
        );
        assert!(!Session::merge(&a, &b).app_stopped(), "a tie goes to the start");
        let mut c = Session::default();
        c.apply(
            &Change {
                gone: vec!["vol:x:p-wal".into()],
                ..Change::default()
            },
            20,
            "mv",
        );
        assert_eq!(Session::merge(&a, &c).gone.len(), 1);
        c.apply(
            &Change {
                made: vec!["vol:x:p-wal".into()],
                ..Change::default()
            },
            21,
            "x",
        );
        assert!(c.gone.is_empty());
    }

    #[test]
    fn saves_atomically() {
        let d = std::env::temp_dir().join(format!("lg-sess-{}", std::process::id()));
        let f = file(&d, "abc/../def").unwrap();
        assert!(f.ends_with("abcdef.json"));
        let mut s = Session::default();
        s.apply(
            &Change {
                litestream: Some(true),
                ..Change::default()
            },
            1,
            "kamal accessory stop litestream",
        );
        save(&f, &s).unwrap();
        assert_eq!(load(&f), Some(s));
        let _ = std::fs::remove_dir_all(&d);
    }
}
