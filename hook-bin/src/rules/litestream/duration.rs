use crate::diag::Sink;
use crate::duration::{hours_literal, parse_go, DurationError};
use crate::litestream::each_key;
use crate::litestream::keys::Ty;
use crate::project::Project;
use crate::rules::{Area, Rule};

pub static RULE: Rule = Rule {
    id: "L007",
    name: "invalid-duration",
    severity: crate::diag::Severity::Error,
    area: Area::Litestream,
    summary: "An interval or retention that is not a Go duration: `7d`, `1w`, or a bare number that Litestream reads as nanoseconds.",
    what: "Checks every interval and retention value against Go's `time.ParseDuration` grammar: a number and a unit (`ns`, `us`, `µs`, `ms`, `s`, `m`, `h`), repeated (`1h30m`), fractions allowed (`1.5h`).",
    why: "Litestream reads these into Go `time.Duration` through yaml.v2. `7d` and `1w` stop Litestream at start-up (`cannot unmarshal !!str `7d` into time.Duration`). A bare integer is worse: yaml.v2 stores it as nanoseconds, so `sync-interval: 5` syncs every 5ns, a busy loop, and `retention: 24` keeps backups for 24ns.",
    bad: "dbs:\n  - path: /rails/storage/production.sqlite3\n    replicas:\n      - url: s3://backups/production\n        sync-interval: 5\n        retention: 7d\n",
    good: "dbs:\n  - path: /rails/storage/production.sqlite3\n    replicas:\n      - url: s3://backups/production\n        sync-interval: 5s\n        retention: 168h\n",
    fix: "Add a unit (`5s`), and write days and weeks in hours (`7d` → `168h`).",
    check: Some(check),
};

fn check(p: &Project, out: &mut Sink) {
    let Some(root) = p.litestream_root() else {
        return;
    };
    let version = p.chosen_version();
    each_key(root, &mut |key, k, v| {
        if !matches!(key.ty, Ty::Duration { .. }) || v.is_null() || v.is_opaque() || !key.certainly_read(version) {
            return;
        }
        let name = k.as_str().unwrap_or("");
        // A value a variable produced is quoted as written, with what it expands to.
        let expanded_from = v.written().filter(|w| Some(*w) != v.as_str());
        if let Some(n) = v.as_int() {
            if n != 0 {
                let what = match expanded_from {
                    Some(w) => format!("`{name}: {w}` expands to the bare number `{n}`"),
                    None => format!("`{name}: {n}` is a bare number"),
                };
                out.report(
                    v.loc(),
                    format!("{what}, which Litestream reads as {n} nanoseconds"),
                    format!("Give it a unit, e.g. `{name}: {n}s` (or `{n}m`, `{n}h`)."),
                );
            }
            return;
        }
        if v.is_float() {
            let text = v.as_str().unwrap_or("");
            out.report(
                v.loc(),
                format!("`{name}: {text}` is a bare number, which Litestream reads as nanoseconds"),
                format!("Give it a unit, e.g. `{name}: {text}s`."),
            );
            return;
        }
        let Some(text) = v.as_str().filter(|_| v.scalar().is_some()) else {
            out.report(
                v.loc(),
                format!("`{name}` must be a duration such as `10s`, but it is {}", v.describe()),
                "Write a Go duration such as `10s`, `5m` or `720h`.",
            );
            return;
        };
        match parse_go(text) {
            Ok(_) => {}
            Err(DurationError::UnknownUnit { unit, hours: Some(h) }) => out.report(
                v.loc(),
                format!(
                    "`{text}` is not a Go duration: the unit `{unit}` is not supported and Litestream refuses to start"
                ),
                format!("Write it in hours: `{name}: {}`.", hours_literal(h)),
            ),
            Err(_) => out.report(
                v.loc(),
                format!("`{text}` is not a Go duration, so Litestream refuses to start"),
                "Use a number followed by ns, us, ms, s, m or h, e.g. `10s`, `1h30m`, `720h`.",
            ),
        }
    });
}
