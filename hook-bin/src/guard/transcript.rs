//! Reads Bash commands back from a Claude Code transcript (JSONL), newest first, with whether
//! each succeeded and, when asked for, what it printed.
//!
//! The file is read from the end in chunks. In each chunk the `tool_result` lines are indexed
//! first (id → success, where the line is) without parsing them: the keys are found as raw
//! bytes, which cannot be faked by text inside a JSON string (its quotes are escaped). Then the
//! `tool_use` lines that name the Bash tool and one of the caller's keywords are parsed, newest
//! first, and paired through the index. A result always comes after its call, so it has been
//! indexed by the time its call is seen: one pass, linear in the bytes read.

use std::collections::HashMap;
use std::io::{Read, Seek, SeekFrom};
use std::path::Path;

use memchr::{memchr, memmem, memrchr};
use serde_json::Value;

use crate::limits::{MAX_OUTPUT_BYTES, MAX_TRANSCRIPT_LINE};

/// Bytes read per step, from the end backwards.
const CHUNK: u64 = 8 << 20;
pub use crate::limits::MAX_TRANSCRIPT_SCAN as MAX_SCAN;

/// One successful Bash command of the session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Command {
    pub command: String,
    pub cwd: Option<String>,
    /// Unix milliseconds (0 when the record has no timestamp).
    pub at: u64,
    /// What it printed, when the caller asked for it.
    pub output: Option<String>,
}

/// Where a result is: success, and its line (offset, length) in the file.
type Results = HashMap<Vec<u8>, (bool, u64, u64)>;

/// Calls `visit` with the session's successful Bash commands that contain one of `keywords`,
/// newest first, until it returns false. `wants_output` says which commands' output to read.
pub fn scan_back(
    path: &Path,
    keywords: &[&str],
    wants_output: impl Fn(&str) -> bool,
    mut visit: impl FnMut(Command) -> bool,
) -> std::io::Result<()> {
    let mut file = super::regular::open(path)?;
    let len = file.metadata()?.len();
    let uses = memmem::Finder::new(b"Bash\"");
    let result_key = memmem::Finder::new(b"\"tool_use_id\"");
    let mut results: Results = HashMap::new();
    let mut hits: Vec<usize> = Vec::new();
    let mut end = len;
    let mut buf: Vec<u8> = Vec::new();
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
        index_results(body, body_at, &result_key, &mut results);
        hits.clear();
        hits.extend(uses.find_iter(body));
        let mut next_line_start = body.len() + 1;
        for &pos in hits.iter().rev() {
            if pos >= next_line_start {
                continue;
            }
            let (ls, le) = line_at(body, pos);
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
                let Some(&(true, at, n)) = results.get(id.as_bytes()) else {
                    continue;
                };
                let output = wants_output(&command)
                    .then(|| read_output(&mut file, at, n, &id))
                    .flatten();
                let cmd = Command {
                    command,
                    cwd: record.get("cwd").and_then(Value::as_str).map(str::to_string),
                    at: record
                        .get("timestamp")
                        .and_then(Value::as_str)
                        .and_then(parse_time)
                        .unwrap_or(0),
                    output,
                };
                if !visit(cmd) {
                    return Ok(());
                }
            }
        }
        end = start;
    }
    Ok(())
}

/// The bounds of the line holding `pos`.
fn line_at(body: &[u8], pos: usize) -> (usize, usize) {
    let ls = memrchr(b'\n', &body[..pos]).map_or(0, |i| i + 1);
    let le = memchr(b'\n', &body[pos..]).map_or(body.len(), |i| pos + i);
    (ls, le)
}

/// Records every `tool_result` of `body` (which starts at file offset `at`).
fn index_results(body: &[u8], at: u64, key: &memmem::Finder, results: &mut Results) {
    let mut last_line = usize::MAX;
    for pos in key.find_iter(body) {
        let (ls, le) = line_at(body, pos);
        if ls == last_line {
            continue;
        }
        last_line = ls;
        let line = &body[ls..le];
        let ids = ids_in(line, key);
        if ids.len() == 1 {
            // The usual case, one result per line: read the flags as raw keys.
            let ok = !flag_true(line, b"\"is_error\"") && !flag_true(line, b"\"interrupted\"");
            results.insert(ids[0].to_vec(), (ok, at + ls as u64, (le - ls) as u64));
        } else if let Ok(record) = serde_json::from_slice::<Value>(line) {
            // Several results in one record (parallel calls): parse it.
            for (id, ok) in result_flags(&record) {
                results.insert(id.into_bytes(), (ok, at + ls as u64, (le - ls) as u64));
            }
        }
    }
}

/// Where the value of a raw key that starts at `at` begins (after `:` and any spaces).
fn value_at(line: &[u8], at: usize) -> Option<usize> {
    let mut i = at;
    while line.get(i).is_some_and(|c| c.is_ascii_whitespace()) {
        i += 1;
    }
    (line.get(i) == Some(&b':')).then_some(())?;
    i += 1;
    while line.get(i).is_some_and(|c| c.is_ascii_whitespace()) {
        i += 1;
    }
    Some(i)
}

/// True when the raw key `"name"` is followed by the value `true` somewhere in the line.
fn flag_true(line: &[u8], key: &[u8]) -> bool {
    memmem::find_iter(line, key).any(|p| value_at(line, p + key.len()).is_some_and(|v| line[v..].starts_with(b"true")))
}

/// The ids after each raw `"tool_use_id": "` of a line.
fn ids_in<'a>(line: &'a [u8], key: &memmem::Finder) -> Vec<&'a [u8]> {
    key.find_iter(line)
        .filter_map(|p| {
            let v = value_at(line, p + key.needle().len())?;
            let from = v + usize::from(line.get(v) == Some(&b'"'));
            if from == v {
                return None;
            }
            let n = memchr(b'"', &line[from..])?;
            Some(&line[from..from + n])
        })
        .collect()
}

/// `(id, succeeded)` of each `tool_result` of a user record.
fn result_flags(record: &Value) -> Vec<(String, bool)> {
    if record.get("type").and_then(Value::as_str) != Some("user") {
        return Vec::new();
    }
    let interrupted = record
        .get("toolUseResult")
        .and_then(|r| r.get("interrupted"))
        .and_then(Value::as_bool)
        .unwrap_or(false);
    record
        .get("message")
        .and_then(|m| m.get("content"))
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter(|i| i.get("type").and_then(Value::as_str) == Some("tool_result"))
        .filter_map(|i| {
            let id = i.get("tool_use_id")?.as_str()?.to_string();
            let error = i.get("is_error").and_then(Value::as_bool).unwrap_or(false);
            Some((id, !error && !interrupted))
        })
        .collect()
}

/// What the command of `id` printed: the result's text (its `toolUseResult` stdout and stderr
/// when present), read back from the file.
fn read_output(file: &mut std::fs::File, at: u64, n: u64, id: &str) -> Option<String> {
    if n > MAX_TRANSCRIPT_LINE {
        return None;
    }
    let mut line = vec![0u8; n as usize];
    file.seek(SeekFrom::Start(at)).ok()?;
    file.read_exact(&mut line).ok()?;
    let record: Value = serde_json::from_slice(&line).ok()?;
    let mut out = String::new();
    if let Some(r) = record.get("toolUseResult") {
        for k in ["stdout", "stderr"] {
            if let Some(t) = r.get(k).and_then(Value::as_str) {
                out.push_str(t);
                out.push('\n');
            }
        }
    }
    if out.trim().is_empty() {
        let items = record.get("message")?.get("content")?.as_array()?;
        let item = items
            .iter()
            .find(|i| i.get("tool_use_id").and_then(Value::as_str) == Some(id))?;
        match item.get("content") {
            Some(Value::String(t)) => out.push_str(t),
            Some(Value::Array(parts)) => {
                for p in parts {
                    if let Some(t) = p.get("text").and_then(Value::as_str) {
                        out.push_str(t);
                        out.push('\n');
                    }
                }
            }
            _ => {}
        }
    }
    let mut cut = out.len().min(MAX_OUTPUT_BYTES);
    while !out.is_char_boundary(cut) {
        cut -= 1;
    }
    out.truncate(cut);
    Some(out)
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
        scan_back(
            &p,
            &["kamal"],
            |_| true,
            |c| {
                seen.push((c.command, c.output));
                true
            },
        )
        .unwrap();
        assert_eq!(seen, [("kamal app stop".to_string(), Some("out".to_string()))]);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn pairing_is_linear() {
        // 20 000 calls each answered right after: pairing must not search forward per call.
        let dir = std::env::temp_dir().join(format!("lg-tr-lin-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let p = dir.join("t.jsonl");
        let mut text = String::new();
        for i in 0..20_000 {
            text.push_str(&pair(&format!("id{i}"), &format!("kamal app logs -n {i}"), i % 2 == 1));
        }
        std::fs::write(&p, text).unwrap();
        let t = std::time::Instant::now();
        let mut n = 0;
        scan_back(
            &p,
            &["kamal"],
            |_| false,
            |_| {
                n += 1;
                true
            },
        )
        .unwrap();
        assert_eq!(n, 10_000);
        assert!(t.elapsed() < std::time::Duration::from_secs(5), "{:?}", t.elapsed());
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_fifo_is_not_read() {
        let dir = std::env::temp_dir().join(format!("lg-tr-fifo-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let p = dir.join("t.jsonl");
        let c = std::ffi::CString::new(p.to_str().unwrap()).unwrap();
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
        assert!(scan_back(&p, &["kamal"], |_| false, |_| true).is_err());
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
        scan_back(
            &p,
            &["kamal"],
            |_| false,
            |c| {
                seen.push(c.command);
                true
            },
        )
        .unwrap();
        assert_eq!(
            seen,
            ["kamal app stop"],
            "the straddling line is found, the one beyond the window is not"
        );
        let _ = std::fs::remove_dir_all(&dir);
    }
}
