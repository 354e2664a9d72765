//! SQLite work: the integrity check and statistics of a restored copy, the same statistics of
//! the live database (read-only), and the sentinel row — the only write `verify` ever makes,
//! into a table of its own.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

use rusqlite::{Connection, OpenFlags};

/// The sentinel's table. Nothing else in a live database is ever written.
pub const SENTINEL_TABLE: &str = "litestream_guard_sentinel";

/// Tables that are not the app's data: SQLite's own, Litestream's bookkeeping (which it writes
/// by itself) and the sentinel's.
pub fn internal(name: &str) -> bool {
    name.starts_with("sqlite_") || name.starts_with("_litestream_") || name == SENTINEL_TABLE
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Stats {
    /// App tables: name → (CREATE statement, row count; `None` for virtual tables).
    pub tables: BTreeMap<String, (String, Option<u64>)>,
    /// Indexes, views and triggers: `index name` → CREATE statement.
    pub objects: BTreeMap<String, String>,
}

impl Stats {
    pub fn rows(&self) -> u64 {
        self.tables.values().filter_map(|t| t.1).sum()
    }
}

fn uri(path: &Path, query: &str) -> String {
    let mut s = String::from("file:");
    for c in path.to_string_lossy().chars() {
        match c {
            '%' => s.push_str("%25"),
            '?' => s.push_str("%3f"),
            '#' => s.push_str("%23"),
            _ => s.push(c),
        }
    }
    s.push('?');
    s.push_str(query);
    s
}

fn err(e: rusqlite::Error) -> String {
    e.to_string()
}

/// A restored copy: nothing else has it open and it has no WAL beside it, so it is read as an
/// immutable file (no locks, no `-shm`).
pub fn open_copy(path: &Path) -> Result<Connection, String> {
    Connection::open_with_flags(
        uri(path, "immutable=1"),
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_URI | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(err)
}

/// The live database, read-only: the app and Litestream may be writing to it meanwhile.
pub fn open_live(path: &Path) -> Result<Connection, String> {
    let c = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX)
        .map_err(err)?;
    c.busy_timeout(Duration::from_secs(5)).map_err(err)?;
    Ok(c)
}

/// `PRAGMA integrity_check`: `ok`, or its first complaints.
pub fn integrity(c: &Connection) -> Result<String, String> {
    let mut st = c.prepare("PRAGMA integrity_check(10)").map_err(err)?;
    let rows: Vec<String> = st
        .query_map([], |r| r.get::<_, String>(0))
        .map_err(err)?
        .collect::<Result<_, _>>()
        .map_err(err)?;
    Ok(rows.join("; "))
}

fn quote(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

fn squash(sql: &str) -> String {
    sql.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Schema and row counts of every app table, in one read transaction.
pub fn stats(c: &Connection) -> Result<Stats, String> {
    c.execute_batch("BEGIN").map_err(err)?;
    let out = stats_in(c);
    let _ = c.execute_batch("COMMIT");
    out
}

fn stats_in(c: &Connection) -> Result<Stats, String> {
    let mut st = c
        .prepare("SELECT type, name, tbl_name, coalesce(sql, '') FROM sqlite_schema ORDER BY type, name")
        .map_err(err)?;
    let objects: Vec<(String, String, String, String)> = st
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .map_err(err)?
        .collect::<Result<_, _>>()
        .map_err(err)?;
    let mut s = Stats::default();
    for (ty, name, table, sql) in objects {
        if internal(&name) || internal(&table) {
            continue;
        }
        if ty == "table" {
            let virtual_table = sql.trim_start().to_ascii_uppercase().starts_with("CREATE VIRTUAL");
            let rows = if virtual_table {
                None
            } else {
                let n: i64 = c
                    .query_row(&format!("SELECT count(*) FROM {}", quote(&name)), [], |r| r.get(0))
                    .map_err(err)?;
                Some(n.max(0) as u64)
            };
            s.tables.insert(name, (squash(&sql), rows));
        } else {
            s.objects.insert(format!("{ty} {name}"), squash(&sql));
        }
    }
    Ok(s)
}

pub fn has_nonce(c: &Connection, nonce: &str) -> bool {
    c.query_row(
        &format!("SELECT count(*) FROM {} WHERE nonce = ?1", quote(SENTINEL_TABLE)),
        [nonce],
        |r| r.get::<_, i64>(0),
    )
    .is_ok_and(|n| n > 0)
}

/// A nonce written into the live database; removed by [`Sentinel::remove`].
#[derive(Debug)]
pub struct Sentinel {
    pub nonce: String,
    /// Unix seconds when the row was committed.
    pub written_at: f64,
    created_table: bool,
    path: std::path::PathBuf,
    removed: bool,
}

fn nonce() -> String {
    let mut b = [0u8; 16];
    let random = std::fs::File::open("/dev/urandom")
        .and_then(|mut f| std::io::Read::read_exact(&mut f, &mut b))
        .is_ok();
    if !random {
        let t = super::clock::now().to_bits() ^ u64::from(std::process::id()).rotate_left(32);
        b[..8].copy_from_slice(&t.to_le_bytes());
    }
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn open_rw(path: &Path) -> Result<Connection, String> {
    // READ_WRITE without CREATE: a missing database is never created.
    let c = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(err)?;
    c.busy_timeout(Duration::from_secs(10)).map_err(err)?;
    Ok(c)
}

/// Writes a fresh nonce into [`SENTINEL_TABLE`] of the live database at `path`.
pub fn plant(path: &Path) -> Result<Sentinel, String> {
    let c = open_rw(path)?;
    let existed: i64 = c
        .query_row(
            "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = ?1",
            [SENTINEL_TABLE],
            |r| r.get(0),
        )
        .map_err(err)?;
    c.execute_batch(&format!(
        "CREATE TABLE IF NOT EXISTS {} (nonce TEXT PRIMARY KEY, written_at TEXT NOT NULL)",
        quote(SENTINEL_TABLE)
    ))
    .map_err(err)?;
    let n = nonce();
    let now = super::clock::now();
    c.execute(
        &format!(
            "INSERT INTO {} (nonce, written_at) VALUES (?1, ?2)",
            quote(SENTINEL_TABLE)
        ),
        [&n, &super::clock::format_rfc3339(now)],
    )
    .map_err(err)?;
    Ok(Sentinel {
        nonce: n,
        written_at: now,
        created_table: existed == 0,
        path: path.to_path_buf(),
        removed: false,
    })
}

impl Sentinel {
    /// Deletes the row, and the table when this run created it and it is now empty (another
    /// run may be using it at the same time).
    pub fn remove(&mut self) -> Result<(), String> {
        if self.removed {
            return Ok(());
        }
        let c = open_rw(&self.path)?;
        let t = quote(SENTINEL_TABLE);
        c.execute(&format!("DELETE FROM {t} WHERE nonce = ?1"), [&self.nonce])
            .map_err(err)?;
        let left: i64 = c
            .query_row(&format!("SELECT count(*) FROM {t}"), [], |r| r.get(0))
            .map_err(err)?;
        if left == 0 && self.created_table {
            c.execute_batch(&format!("DROP TABLE IF EXISTS {t}")).map_err(err)?;
        }
        self.removed = true;
        Ok(())
    }
}

impl Drop for Sentinel {
    fn drop(&mut self) {
        let _ = self.remove();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tmp(name: &str) -> std::path::PathBuf {
        let d = std::env::temp_dir().join(format!("lsg-sqlite-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    #[test]
    fn stats_skip_internal_tables_and_count_rows() {
        let d = tmp("stats");
        let p = d.join("db.sqlite3");
        let c = Connection::open(&p).unwrap();
        c.execute_batch(
            "PRAGMA journal_mode=WAL; CREATE TABLE items(id INTEGER PRIMARY KEY, b TEXT); CREATE INDEX i_b ON items(b);
             INSERT INTO items(b) VALUES ('x'), ('y'); CREATE TABLE _litestream_seq(id INTEGER PRIMARY KEY, seq INTEGER);
             CREATE TABLE \"odd \"\"name\"(x); INSERT INTO \"odd \"\"name\" VALUES (1);",
        )
        .unwrap();
        let s = stats(&open_live(&p).unwrap()).unwrap();
        assert_eq!(s.tables.keys().collect::<Vec<_>>(), vec!["items", "odd \"name"]);
        assert_eq!(s.tables["items"].1, Some(2));
        assert_eq!(s.rows(), 3);
        assert_eq!(s.objects.keys().collect::<Vec<_>>(), vec!["index i_b"]);
        drop(c);
        assert_eq!(integrity(&open_copy(&p).unwrap()).unwrap(), "ok");
        let _ = std::fs::remove_dir_all(&d);
    }

    #[test]
    fn sentinel_round_trip_leaves_nothing_behind() {
        let d = tmp("sentinel");
        let p = d.join("db.sqlite3");
        let c = Connection::open(&p).unwrap();
        c.execute_batch("PRAGMA journal_mode=WAL; CREATE TABLE items(id INTEGER PRIMARY KEY);")
            .unwrap();
        let before = stats(&open_live(&p).unwrap()).unwrap();
        let mut s = plant(&p).unwrap();
        assert_eq!(s.nonce.len(), 32);
        assert!(has_nonce(&c, &s.nonce));
        s.remove().unwrap();
        let tables: i64 = c
            .query_row(
                "SELECT count(*) FROM sqlite_schema WHERE name = ?1",
                [SENTINEL_TABLE],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(tables, 0);
        assert_eq!(stats(&open_live(&p).unwrap()).unwrap(), before);
        // A missing database is never created.
        assert!(plant(&d.join("missing.sqlite3")).is_err());
        assert!(!d.join("missing.sqlite3").exists());
        let _ = std::fs::remove_dir_all(&d);
    }
}
