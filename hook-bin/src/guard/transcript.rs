//! Reads Bash commands back from a Claude Code transcript (JSONL), newest first, pairing each
//! `tool_use` with its `tool_result` and keeping only the successful ones.
//!
//! The file is read from the end in chunks, and only lines that name the Bash tool and one of
//! the caller's keywords are parsed as JSON, so a 100 MB transcript costs one fast scan of
//! memory. Reading stops as soon as the caller has what it needs.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::Path;

use memchr::{memchr, memmem, memrchr};
use serde_json::Value;

/// Bytes read per step, from the end backwards.
const CHUNK: u64 = 8 << 20;
pub use crate::limits::MAX_TRANSCRIPT_SCAN as MAX_SCAN;
/// How far after a `tool_use` its result is looked for.
const RESULT_WINDOW: u64 = 4 << 20;

/// One successful Bash command of the session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Command {
    pub command: String,
    pub cwd: Option<String>,
    /// Unix milliseconds (0 when the record has no timestamp).
    pub at: u64,
}

/// Calls `visit` with the session's successful Bash commands that contain one of `keywords`,
/// newest first, until it returns false.
pub fn scan_back(path: &Path, keywords: &[&str], mut visit: impl FnMut(Command) -> bool) -> std::io::Result<()> {
    let mut file = File::open(path)?;
    let len = file.metadata()?.len();
    // The forward finder is vectorised (the reverse one is not): collect, then walk backwards.
    let needle = memmem::Finder::new(b"Bash\"");
    let mut hits: Vec<usize> = Vec::new();
    let mut end = len;
    // Two buffers, reused: the chunk being scanned, and the one after it (later in the file),
    // where the result of a late tool_use usually is. No per-chunk allocation or copy.
    let mut buf: Vec<u8> = Vec::new();
    let mut later: Vec<u8> = Vec::new();
    let mut later_from = 0usize;
    let mut later_at: u64 = len;
    // The start of the line that began in the previous (later) chunk: it is completed by the
    // end of the next (earlier) chunk.
    let mut carry: Vec<u8> = Vec::new();
    while end > 0 && len - end < MAX_SCAN {
        let start = end.saturating_sub(CHUNK);
        buf.clear();
        file.seek(SeekFrom::Start(start))?;
        (&mut file).take(end - start).read_to_end(&mut buf)?;
        if buf.len() as u64 != end - start {
            return Ok(());
        }
        buf.extend_from_slice(&carry);
        // Everything before the first newline may be the tail of an earlier line.
        let body_from = if start > 0 {
            match memchr(b'\n', &buf) {
                Some(i) => i + 1,
                None => {
                    std::mem::swap(&mut carry, &mut buf);
                    end = start;
                    continue;
                }
            }
        } else {
            0
        };
        carry.clear();
        carry.extend_from_slice(&buf[..body_from]);
        let body = &buf[body_from..];
        let body_at = start + body_from as u64;
        let mut next_line_start = body.len() + 1;
        let mut stop = false;
        hits.clear();
        hits.extend(needle.find_iter(body));
        for &pos in hits.iter().rev() {
            if pos >= next_line_start {
                continue;
            }
            let ls = memrchr(b'\n', &body[..pos]).map_or(0, |i| i + 1);
            let le = memchr(b'\n', &body[pos..]).map_or(body.len(), |i| pos + i);
            next_line_start = ls;
            let line = &body[ls..le];
            if memmem::find(line, b"tool_use").is_none()
                || !keywords.iter().any(|k| memmem::find(line, k.as_bytes()).is_some())
            {
                continue;
            }
            let Ok(record) = serde_json::from_slice::<Value>(line) else {
                continue;
            };
            if record.get("type").and_then(Value::as_str) != Some("assistant") {
                continue;
            }
            // Newest first within a record too.
            for (id, command) in bash_uses(&record).into_iter().rev() {
                if !keywords.iter().any(|k| command.contains(k)) {
                    continue;
                }
                let ok = result_ok(&body[le..], &id)
                    .or_else(|| result_ok(&later[later_from.min(later.len())..], &id))
                    .or_else(|| read_result(path, body_at + le as u64, later_at, &id));
                if ok != Some(true) {
                    continue;
                }
                let cmd = Command {
                    command,
                    cwd: record.get("cwd").and_then(Value::as_str).map(str::to_string),
                    at: record
                        .get("timestamp")
                        .and_then(Value::as_str)
                        .and_then(parse_time)
                        .unwrap_or(0),
                };
                if !visit(cmd) {
                    stop = true;
                    break;
                }
            }
            if stop {
                return Ok(());
            }
        }
        std::mem::swap(&mut later, &mut buf);
        later_from = body_from;
        later_at = body_at;
        end = start;
    }
    Ok(())
}

/// The Bash `tool_use` blocks of an assistant record: `(id, command)` in order.
fn bash_uses(record: &Value) -> Vec<(String, String)> {
    record
        .get("message")
        .and_then(|m| m.get("content"))
        .and_then(Value::as_array)
        .map(|items| {
            items
                .iter()
                .filter(|i| {
                    i.get("type").and_then(Value::as_str) == Some("tool_use")
                        && i.get("name").and_then(Value::as_str) == Some("Bash")
                })
                .filter_map(|i| {
                    Some((
                        i.get("id")?.as_str()?.to_string(),
                        i.get("input")?.get("command")?.as_str()?.to_string(),
                    ))
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Looks for the `tool_result` of `id` in `hay`: `Some(true)` when it succeeded.
fn result_ok(hay: &[u8], id: &str) -> Option<bool> {
    let quoted = format!("\"{id}\"");
    let finder = memmem::Finder::new(quoted.as_bytes());
    for pos in finder.find_iter(hay) {
        let ls = memrchr(b'\n', &hay[..pos]).map_or(0, |i| i + 1);
        let le = memchr(b'\n', &hay[pos..]).map_or(hay.len(), |i| pos + i);
        let Ok(record) = serde_json::from_slice::<Value>(&hay[ls..le]) else {
            continue;
        };
        if record.get("type").and_then(Value::as_str) != Some("user") {
            continue;
        }
        let items = record
            .get("message")
            .and_then(|m| m.get("content"))
            .and_then(Value::as_array);
        for item in items.into_iter().flatten() {
            if item.get("type").and_then(Value::as_str) == Some("tool_result")
                && item.get("tool_use_id").and_then(Value::as_str) == Some(id)
            {
                let error = item.get("is_error").and_then(Value::as_bool).unwrap_or(false);
                let interrupted = record
                    .get("toolUseResult")
                    .and_then(|r| r.get("interrupted"))
                    .and_then(Value::as_bool)
                    .unwrap_or(false);
                return Some(!error && !interrupted);
            }
        }
    }
    None
}

/// The result lies beyond the chunks in memory: read forward from `from` (up to `limit`).
fn read_result(path: &Path, from: u64, limit: u64, id: &str) -> Option<bool> {
    let mut file = File::open(path).ok()?;
    let len = file.metadata().ok()?.len();
    let from = from.min(len);
    let _ = limit;
    let to = len.min(from + RESULT_WINDOW);
    if to <= from {
        return None;
    }
    let mut buf = vec![0u8; (to - from) as usize];
    file.seek(SeekFrom::Start(from)).ok()?;
    file.read_exact(&mut buf).ok()?;
    result_ok(&buf, id)
}

/// `2026-05-01T12:00:00.123Z` (or with an offset) → Unix milliseconds.
pub fn parse_time(s: &str) -> Option<u64> {
    let b = s.as_bytes();
    if b.len() < 19 || b[4] != b'-' || b[7] != b'-' || b[10] != b'T' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| s.get(r)?.parse::<i64>().ok();
    let (y, mo, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (h, mi, se) = (num(11..13)?, num(14..16)?, num(17..19)?);
    let mut rest = &s[19..];
    let mut ms = 0i64;
    if let Some(frac) = rest.strip_prefix('.') {
        let digits: String = frac.chars().take_while(char::is_ascii_digit).collect();
        let padded = format!("{:0<3}", &digits[..digits.len().min(3)]);
        ms = padded.parse().ok()?;
        rest = &frac[digits.len()..];
    }
    let offset_min = match rest {
        "" | "Z" => 0,
        o if o.len() == 6 => {
            let sign = if o.starts_with('-') { -1 } else { 1 };
            sign * (o.get(1..3)?.parse::<i64>().ok()? * 60 + o.get(4..6)?.parse::<i64>().ok()?)
        }
        _ => return None,
    };
    // Days from the civil date (Howard Hinnant's algorithm).
    let y = if mo <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (mo + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    let secs = days * 86_400 + h * 3600 + mi * 60 + se - offset_min * 60;
    u64::try_from(secs * 1000 + ms).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times() {
        assert_eq!(parse_time("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(parse_time("2026-05-01T12:00:00.5Z"), Some(1_777_636_800_500));
        assert_eq!(parse_time("2026-05-01T14:00:00+02:00"), Some(1_777_636_800_000));
        assert_eq!(parse_time("yesterday"), None);
    }

    fn pair(id: &str, cmd: &str, error: bool) -> String {
        let use_ = serde_json::json!({"type":"assistant","timestamp":"2026-05-01T12:00:00Z","message":{"role":"assistant","content":[{"type":"tool_use","id":id,"name":"Bash","input":{"command":cmd}}]}});
        let res = serde_json::json!({"type":"user","message":{"role":"user","content":[{"tool_use_id":id,"type":"tool_result","content":"out","is_error":error}]}});
        format!("{use_}\n{res}\n")
    }

    #[test]
    fn pairs_and_filters() {
        let dir = std::env::temp_dir().join(format!("lg-tr-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let p = dir.join("t.jsonl");
        let mut text = pair("a", "kamal app stop", false);
        text.push_str(&pair("b", "kamal app boot", true));
        text.push_str(&pair("c", "ls", false));
        text.push_str("{not json\n");
        std::fs::write(&p, text).unwrap();
        let mut seen = Vec::new();
        scan_back(&p, &["kamal"], |c| {
            seen.push(c.command);
            true
        })
        .unwrap();
        assert_eq!(seen, ["kamal app stop"]);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn lines_across_chunks_and_the_window() {
        let dir = std::env::temp_dir().join(format!("lg-tr-big-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let p = dir.join("t.jsonl");
        let filler = |n: usize| -> String {
            let line = format!(
                "{}\n",
                serde_json::json!({"type":"user","message":{"content":"x".repeat(1000)}})
            );
            line.repeat(n / line.len() + 1)
        };
        // A stop straddling the boundary of the last 8 MB chunk, and one beyond the window.
        let old = pair("old", "kamal accessory stop litestream", false);
        let stop = pair("a", "kamal app stop", false);
        let want = CHUNK as usize - stop.len() / 2;
        let mut tail = filler(want - 5000);
        let pad = want - tail.len() - "{\"type\":\"user\",\"pad\":\"\"}\n".len();
        tail.push_str(&format!("{{\"type\":\"user\",\"pad\":\"{}\"}}\n", "y".repeat(pad)));
        assert_eq!(tail.len(), want);
        let text = format!("{old}{}{stop}{tail}", filler(MAX_SCAN as usize));
        std::fs::write(&p, &text).unwrap();
        let mut seen = Vec::new();
        scan_back(&p, &["kamal"], |c| {
            seen.push(c.command);
            true
        })
        .unwrap();
        assert_eq!(
            seen,
            ["kamal app stop"],
            "the straddling line is found, the one beyond the window is not"
        );
        let _ = std::fs::remove_dir_all(&dir);
    }
}
