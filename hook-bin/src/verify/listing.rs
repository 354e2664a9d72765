//! The newest restorable position of a replica, from Litestream's own listings, and its time.
//!
//! - 0.3: `snapshots` and `wal` list every snapshot and WAL segment with its `created` time
//!   (`generations` would too, but it fails when the database file is not on this machine).
//!   Restore takes the generation whose newest file is newest, so the position is that
//!   generation's newest file.
//! - 0.5: `ltx -level all` (0.5.8+; plain `ltx` lists level 0 only) lists every LTX file with
//!   `min_txid`, `max_txid` and `created`. The position is the highest `max_txid`; its time is
//!   the earliest `created` among the files that reach it, i.e. when it first reached the
//!   replica (compaction copies it into later files without making it newer).
//!
//! Both print whitespace-separated tables whose first line names the columns; the parser finds
//! columns by name, so the 0.5.0–0.5.7 table without `level` reads the same.

use std::collections::HashMap;

use super::clock;

/// The newest restorable position.
#[derive(Debug, Clone, PartialEq)]
pub struct Point {
    /// Unix seconds (whole seconds: Litestream prints no more).
    pub time: f64,
    /// `generation 5dbac0d7a4e62010, index 3` (0.3) or `TXID 000000000000001a` (0.5).
    pub position: String,
    /// Changes whenever the replica gains a file (times alone have whole seconds).
    pub token: String,
}

/// A listing's table, read line by line.
#[derive(Debug, Default)]
struct Table {
    columns: Vec<String>,
    rows: usize,
}

impl Table {
    /// Returns the row's cells by column name, or `None` for the header and stray lines.
    fn feed<'l>(&mut self, line: &'l str) -> Option<HashMap<&str, &'l str>> {
        let cells: Vec<&str> = line.split_whitespace().collect();
        if cells.is_empty() || line.starts_with("time=") || line.starts_with("Error") {
            return None;
        }
        if self.columns.is_empty() {
            self.columns = cells.iter().map(|c| c.to_string()).collect();
            return None;
        }
        if cells.len() != self.columns.len() {
            return None;
        }
        self.rows += 1;
        Some(self.columns.iter().map(String::as_str).zip(cells).collect())
    }

    fn has_header(&self) -> bool {
        !self.columns.is_empty()
    }
}

/// 0.3: `snapshots` then `wal` output, fed into one reader.
#[derive(Debug, Default)]
pub struct V03 {
    table: Table,
    /// generation → (newest `created`, highest (index, offset), files).
    newest: HashMap<String, (f64, (u64, u64), usize)>,
    pub files: usize,
    pub headers: usize,
}

impl V03 {
    /// Call between the two commands: each prints its own header.
    pub fn next_command(&mut self) {
        if self.table.has_header() {
            self.headers += 1;
        }
        self.table = Table::default();
    }

    pub fn feed(&mut self, line: &str) {
        let Some(row) = self.table.feed(line) else { return };
        let (Some(g), Some(t)) = (
            row.get("generation"),
            row.get("created").and_then(|c| clock::parse_rfc3339(c)),
        ) else {
            return;
        };
        let num = |k: &str| row.get(k).and_then(|x| x.parse::<u64>().ok()).unwrap_or(0);
        let at = (num("index"), num("offset"));
        self.files += 1;
        let e = self.newest.entry(g.to_string()).or_insert((t, at, 0));
        e.0 = e.0.max(t);
        e.1 = e.1.max(at);
        e.2 += 1;
    }

    pub fn point(&self) -> Option<Point> {
        let (g, (t, (index, offset), n)) = self
            .newest
            .iter()
            .max_by(|a, b| a.1 .0.total_cmp(&b.1 .0).then_with(|| a.0.cmp(b.0)))?;
        Some(Point {
            time: *t,
            position: format!("generation {g}, index {index}"),
            token: format!("{g}/{index}/{offset}/{n}"),
        })
    }
}

/// 0.5: `ltx` output.
#[derive(Debug, Default)]
pub struct V05 {
    table: Table,
    best: Option<(u64, f64)>,
    pub files: usize,
}

impl V05 {
    pub fn feed(&mut self, line: &str) {
        let Some(row) = self.table.feed(line) else { return };
        let (Some(txid), Some(t)) = (
            row.get("max_txid").and_then(|x| u64::from_str_radix(x, 16).ok()),
            row.get("created").and_then(|c| clock::parse_rfc3339(c)),
        ) else {
            return;
        };
        self.files += 1;
        self.best = Some(match self.best {
            Some((b, bt)) if b > txid => (b, bt),
            Some((b, bt)) if b == txid => (b, bt.min(t)),
            _ => (txid, t),
        });
    }

    pub fn point(&self) -> Option<Point> {
        let (txid, t) = self.best?;
        Some(Point {
            time: t,
            position: format!("TXID {txid:016x}"),
            token: format!("{txid:016x}"),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn v03_takes_the_generation_with_the_newest_file() {
        let mut r = V03::default();
        for l in [
            "replica  generation        index  size  created",
            "s3       aaaaaaaaaaaaaaaa  0      1344  2026-12-01T21:56:03Z",
            "s3       bbbbbbbbbbbbbbbb  0      1344  2026-12-01T21:50:00Z",
        ] {
            r.feed(l);
        }
        r.next_command();
        for l in [
            "replica  generation        index  offset  size  created",
            "s3       bbbbbbbbbbbbbbbb  3      0       474   2026-12-01T21:58:00Z",
            "time=2026-12-01T21:58:01Z level=INFO msg=x",
            "s3       aaaaaaaaaaaaaaaa  0      16512   1417  2026-12-01T21:56:13Z",
        ] {
            r.feed(l);
        }
        r.next_command();
        assert_eq!(r.headers, 2);
        assert_eq!(r.files, 4);
        let p = r.point().unwrap();
        assert_eq!(p.position, "generation bbbbbbbbbbbbbbbb, index 3");
        assert_eq!(p.token, "bbbbbbbbbbbbbbbb/3/0/2");
        assert_eq!(clock::format_rfc3339(p.time), "2026-12-01T21:58:00Z");
    }

    #[test]
    fn v05_takes_the_first_arrival_of_the_highest_txid() {
        let mut r = V05::default();
        for l in [
            "level  min_txid          max_txid          size  created",
            "0      0000000000000001  0000000000000001  1547  2026-12-01T21:56:03Z",
            "0      0000000000000003  0000000000000003  191   2026-12-01T21:57:05Z",
            "1      0000000000000001  0000000000000003  191   2026-12-01T21:57:30Z",
            "9      0000000000000001  0000000000000003  1916  2026-12-01T21:58:20Z",
        ] {
            r.feed(l);
        }
        let p = r.point().unwrap();
        assert_eq!(p.position, "TXID 0000000000000003");
        assert_eq!(clock::format_rfc3339(p.time), "2026-12-01T21:57:05Z");
        // Before 0.5.8 the table has no level column.
        let mut old = V05::default();
        old.feed("min_txid          max_txid          size  created");
        old.feed("0000000000000001  000000000000000a  191   2026-12-01T21:57:05Z");
        assert_eq!(old.point().unwrap().position, "TXID 000000000000000a");
        let empty = V05::default();
        assert!(empty.point().is_none() && empty.files == 0);
    }
}
