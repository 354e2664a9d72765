//! Go's `time.ParseDuration`, which is how Litestream reads every interval and retention.

const UNITS: &[(&str, f64)] = &[
    ("ns", 1.0),
    ("us", 1e3),
    ("µs", 1e3),
    ("μs", 1e3),
    ("ms", 1e6),
    ("s", 1e9),
    ("m", 60e9),
    ("h", 3600e9),
];

/// Why a string is not a Go duration.
#[derive(Debug, Clone, PartialEq)]
pub enum DurationError {
    /// A unit Go does not know; `hours` is how many hours it probably meant (days, weeks, years).
    UnknownUnit {
        unit: String,
        hours: Option<f64>,
    },
    MissingUnit,
    Malformed,
}

/// Parses a Go duration to nanoseconds (as f64: precision is irrelevant for comparisons here).
pub fn parse_go(s: &str) -> Result<f64, DurationError> {
    let (neg, mut rest) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    if rest == "0" {
        return Ok(0.0);
    }
    if rest.is_empty() {
        return Err(DurationError::Malformed);
    }
    let mut total = 0.0;
    while !rest.is_empty() {
        let num_len = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        let num = &rest[..num_len];
        if num.is_empty() || num == "." || num.matches('.').count() > 1 {
            return Err(DurationError::Malformed);
        }
        let value: f64 = num.parse().map_err(|_| DurationError::Malformed)?;
        rest = &rest[num_len..];
        let unit_len = rest
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(rest.len());
        let unit = &rest[..unit_len];
        if unit.is_empty() {
            return Err(DurationError::MissingUnit);
        }
        let Some((_, scale)) = UNITS.iter().find(|(u, _)| *u == unit) else {
            let per_unit = match unit {
                "d" | "day" | "days" => Some(24.0),
                "w" | "wk" | "week" | "weeks" => Some(24.0 * 7.0),
                "y" | "yr" | "year" | "years" => Some(24.0 * 365.0),
                _ => None,
            };
            return Err(DurationError::UnknownUnit {
                unit: unit.to_string(),
                hours: per_unit.map(|h| h * value),
            });
        };
        total += value * scale;
        rest = &rest[unit_len..];
    }
    Ok(if neg { -total } else { total })
}

/// A duration for people: `720h` rather than 2592000000000000.
pub fn human(ns: f64) -> String {
    if ns == 0.0 {
        return "0s".into();
    }
    for (unit, scale) in [("h", 3600e9), ("m", 60e9), ("s", 1e9), ("ms", 1e6), ("us", 1e3)] {
        if ns.abs() >= scale && (ns / scale).fract() == 0.0 {
            return format!("{}{unit}", ns / scale);
        }
    }
    format!("{ns}ns")
}

/// Formats hours as a Go duration literal (`168h`), for suggesting a replacement for `7d`.
pub fn hours_literal(hours: f64) -> String {
    if hours.fract() == 0.0 {
        format!("{}h", hours as i64)
    } else {
        format!("{hours}h")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_syntax() {
        assert_eq!(parse_go("1h30m"), Ok(5400e9));
        assert_eq!(parse_go("1.5h"), Ok(5400e9));
        assert_eq!(parse_go("500ms"), Ok(500e6));
        assert_eq!(parse_go("10µs"), Ok(10e3));
        assert_eq!(parse_go("0"), Ok(0.0));
        assert_eq!(parse_go("-1s"), Ok(-1e9));
        assert_eq!(parse_go("5"), Err(DurationError::MissingUnit));
        assert_eq!(parse_go(""), Err(DurationError::Malformed));
        assert_eq!(parse_go("1..5s"), Err(DurationError::Malformed));
        assert_eq!(
            parse_go("7d"),
            Err(DurationError::UnknownUnit {
                unit: "d".into(),
                hours: Some(168.0)
            })
        );
        assert_eq!(
            parse_go("1w"),
            Err(DurationError::UnknownUnit {
                unit: "w".into(),
                hours: Some(168.0)
            })
        );
        assert!(matches!(parse_go("5 s"), Err(DurationError::UnknownUnit { .. })));
    }

    #[test]
    fn humans() {
        assert_eq!(human(720.0 * 3600e9), "720h");
        assert_eq!(human(90e9), "90s");
        assert_eq!(human(5.0), "5ns");
    }
}
