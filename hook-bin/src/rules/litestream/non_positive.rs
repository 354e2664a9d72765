use crate::diag::Sink;
use crate::duration::{human, parse_go};
use crate::litestream::each_key;
use crate::litestream::keys::Ty;
use crate::project::Project;
use crate::rules::{Area, Rule};

pub static RULE: Rule = Rule {
    id: "L008",
    name: "non-positive-duration",
    severity: crate::diag::Severity::Error,
    area: Area::Litestream,
    summary: "A zero or negative interval where Litestream needs a positive one (and a heartbeat interval under 1m).",
    what: "Checks sync intervals, snapshot interval and retention, compaction level intervals, L0 retention and its check interval, the shutdown sync interval and the validation interval for values greater than zero, the heartbeat interval for at least one minute, and any other duration for a negative value.",
    why: "Litestream 0.5 validates these at start-up and refuses to run (`snapshot retention must be greater than 0`); on 0.3 a zero sync or retention interval is accepted and makes replication spin or never prune.",
    bad: "snapshot:\n  interval: 0s\n  retention: 24h\n",
    good: "snapshot:\n  interval: 1h\n  retention: 24h\n",
    fix: "Use a positive duration; to turn a feature off, remove its key instead of setting it to 0.",
    check: Some(check),
};

fn check(p: &Project, out: &mut Sink) {
    let Some(root) = p.litestream_root() else {
        return;
    };
    let version = p.chosen_version();
    each_key(root, &mut |key, k, v| {
        let Ty::Duration { positive } = key.ty else {
            return;
        };
        if v.is_opaque() || !key.certainly_read(version) {
            return;
        }
        let Some(ns) = v
            .as_str()
            .filter(|_| v.as_int().is_none())
            .and_then(|s| parse_go(s).ok())
        else {
            return;
        };
        let name = k.as_str().unwrap_or("");
        if key.name == "heartbeat-interval" && ns < 60e9 {
            out.report(
                v.loc(),
                format!(
                    "`heartbeat-interval: {}` is under the 1 minute minimum",
                    v.as_str().unwrap_or("")
                ),
                "Use `heartbeat-interval: 1m` or longer.",
            );
        } else if positive && ns <= 0.0 {
            out.report(
                v.loc(),
                format!("`{name}` is {}, but it must be greater than 0", human(ns)),
                format!("Set `{name}` to a positive duration, or remove it to get the default."),
            );
        } else if ns < 0.0 {
            out.report(
                v.loc(),
                format!("`{name}` is negative ({})", human(ns)),
                format!("Set `{name}` to a positive duration."),
            );
        }
    });
}
