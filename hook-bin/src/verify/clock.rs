//! Wall-clock times as Litestream prints them (RFC 3339, UTC, whole seconds) and ages for people.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Seconds since the Unix epoch, now.
pub fn now() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64())
}

/// A file's modification time in Unix seconds.
pub fn mtime(path: &std::path::Path) -> Option<f64> {
    let t = std::fs::metadata(path).ok()?.modified().ok()?;
    Some(t.duration_since(UNIX_EPOCH).ok()?.as_secs_f64())
}

/// Parses `2026-05-01T12:00:00Z` (or with a fraction or an offset) to Unix seconds, with the
/// crate's one RFC 3339 reader.
pub fn parse_rfc3339(s: &str) -> Option<f64> {
    crate::guard::transcript::parse_time(s).map(|ms| ms as f64 / 1000.0)
}

/// `2026-05-01T12:00:00Z` (whole seconds, UTC).
pub fn format_rfc3339(t: f64) -> String {
    let secs = t.floor() as i64;
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        (rem % 3600) / 60,
        rem % 60
    )
}

/// A span for people, at most two units: `45s`, `4m10s`, `2h3m`, `3d4h`.
pub fn span(secs: f64) -> String {
    let s = secs.max(0.0).round() as u64;
    let (d, h, m, sec) = (s / 86_400, (s % 86_400) / 3600, (s % 3600) / 60, s % 60);
    match (d, h, m) {
        (0, 0, 0) => format!("{sec}s"),
        (0, 0, _) if sec == 0 => format!("{m}m"),
        (0, 0, _) => format!("{m}m{sec}s"),
        (0, _, _) if m == 0 => format!("{h}h"),
        (0, _, _) => format!("{h}h{m}m"),
        _ if h == 0 => format!("{d}d"),
        _ => format!("{d}d{h}h"),
    }
}

/// A duration as a Go literal (`1h0m15s` reads badly; this gives `1h15s`), for limits.
pub fn go(d: Duration) -> String {
    let ns = d.as_nanos() as f64;
    if ns < 1e9 && ns > 0.0 {
        return crate::duration::human(ns);
    }
    let s = d.as_secs();
    let (h, m, sec) = (s / 3600, (s % 3600) / 60, s % 60);
    let mut out = String::new();
    if h > 0 {
        out.push_str(&format!("{h}h"));
    }
    if m > 0 {
        out.push_str(&format!("{m}m"));
    }
    if sec > 0 || out.is_empty() {
        out.push_str(&format!("{sec}s"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips() {
        for s in [
            "1970-01-01T00:00:00Z",
            "2026-12-01T21:56:03Z",
            "2000-02-29T23:59:59Z",
            "2100-03-01T00:00:00Z",
        ] {
            assert_eq!(format_rfc3339(parse_rfc3339(s).unwrap()), s);
        }
        assert_eq!(parse_rfc3339("2026-12-01T21:56:03Z"), Some(1_796_162_163.0));
        assert_eq!(parse_rfc3339("2026-12-01T23:56:03+02:00"), Some(1_796_162_163.0));
        assert_eq!(parse_rfc3339("2026-12-01T21:56:03.5Z"), Some(1_796_162_163.5));
        for bad in ["", "2026-12-01", "x026-12-01T21:56:03Z", "created"] {
            assert_eq!(parse_rfc3339(bad), None, "{bad}");
        }
    }

    #[test]
    fn spans_and_limits() {
        assert_eq!(span(0.4), "0s");
        assert_eq!(span(45.0), "45s");
        assert_eq!(span(250.0), "4m10s");
        assert_eq!(span(7380.0), "2h3m");
        assert_eq!(span(3.0 * 86_400.0 + 4.0 * 3600.0 + 59.0), "3d4h");
        assert_eq!(go(Duration::from_secs(3615)), "1h15s");
        assert_eq!(go(Duration::from_secs(60)), "1m");
        assert_eq!(go(Duration::from_millis(500)), "500ms");
    }
}
