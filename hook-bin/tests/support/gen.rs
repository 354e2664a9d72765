//! Generators for property tests: a seeded PRNG and hostile-but-plausible inputs (YAML for the
//! four config files, dotenv secrets, hook events). Fixed seeds keep every run reproducible;
//! `PROPTEST_CASES=N` runs more cases.

use std::fmt::Write as _;

/// Planted secrets: an AWS-shaped pair and a weak password that the generated secrets files hold.
pub const KEY_ID: &str = "AKIAGENERATED9876ZYX";
pub const SECRET: &str = "Hq7tW3xkP8vLm2NbR6tYc5Hd4Jf0Ga1Ke9Uo3Ii8";
pub const WEAK: &str = "marmot-lantern-42";
pub const PLANTED: [&str; 3] = [KEY_ID, SECRET, WEAK];

/// How many cases a property runs: `default`, or `PROPTEST_CASES`.
pub fn cases(default: usize) -> usize {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed.max(1))
    }

    pub fn next(&mut self) -> u64 {
        // xorshift64*
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    pub fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }

    pub fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len())]
    }
}

/// Neither a planted value nor a six-character piece of one is in `out`.
pub fn assert_no_planted(what: &str, out: &str) {
    assert_no_planted_from(what, "", out);
}

/// As [`assert_no_planted`], for an output made from a damaged `input`: a piece that the damage
/// cut off a secret stands in the input on its own, is no longer that secret, and may be shown.
pub fn assert_no_planted_from(what: &str, input: &str, out: &str) {
    let mut loose = input.to_string();
    for s in PLANTED {
        loose = loose.replace(s, " ");
    }
    for s in PLANTED {
        let chars: Vec<char> = s.chars().collect();
        for w in chars.windows(6) {
            let piece: String = w.iter().collect();
            if loose.contains(&piece) {
                continue;
            }
            assert!(
                !out.contains(&piece),
                "{what}: shows `{piece}` of a planted secret:\n{out}"
            );
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
pub enum File {
    Litestream,
    Deploy,
    Database,
    Secrets,
}

impl File {
    pub const ALL: [File; 4] = [File::Litestream, File::Deploy, File::Database, File::Secrets];

    pub fn rel(self) -> &'static str {
        match self {
            File::Litestream => "config/litestream.yml",
            File::Deploy => "config/deploy.yml",
            File::Database => "config/database.yml",
            File::Secrets => ".kamal/secrets",
        }
    }

    fn keys(self) -> &'static [&'static str] {
        match self {
            File::Litestream => &[
                "dbs",
                "path",
                "replica",
                "replicas",
                "type",
                "bucket",
                "region",
                "endpoint",
                "url",
                "sync-interval",
                "snapshot-interval",
                "retention",
                "snapshot",
                "interval",
                "access-key-id",
                "secret-access-key",
                "force-path-style",
                "addr",
                "logging",
                "level",
                "exec",
                "age",
                "validation-interval",
                "levels",
                "l0",
            ],
            File::Deploy => &[
                "service",
                "image",
                "servers",
                "web",
                "hosts",
                "accessories",
                "litestream",
                "host",
                "roles",
                "files",
                "volumes",
                "cmd",
                "env",
                "clear",
                "secret",
                "options",
                "registry",
                "password",
                "proxy",
                "LITESTREAM_ACCESS_KEY_ID",
                "LITESTREAM_SECRET_ACCESS_KEY",
                "AWS_SECRET_ACCESS_KEY",
                "entrypoint",
            ],
            File::Database => &[
                "default",
                "production",
                "primary",
                "cache",
                "queue",
                "cable",
                "adapter",
                "database",
                "pool",
                "timeout",
                "migrations_paths",
                "password",
                "url",
            ],
            File::Secrets => &[],
        }
    }
}

/// A scalar a config might hold, or one a hostile file would.
pub fn scalar(rng: &mut Rng) -> String {
    let plain = [
        "5s",
        "5",
        "1h30m",
        "-1s",
        "10x",
        "720h",
        "0",
        "true",
        "no",
        "~",
        "s3",
        "abs",
        "file",
        "/rails/storage/production.sqlite3",
        "storage/production_cache.sqlite3",
        "litestream/litestream:0.5.17",
        "litestream/litestream:0.3.13",
        "litestream/litestream",
        "replicate",
        "litestream replicate",
        "replicate -config /etc/litestream.yml",
        "app_storage:/rails/storage",
        "app_storage:/rails/storage:ro",
        "config/litestream.yml:/etc/litestream.yml",
        "${LITESTREAM_BUCKET}",
        "$LITESTREAM_ACCESS_KEY_ID",
        "${UNSET",
        "https://s3.eu-central-003.backblazeb2.com",
        "s3://bucket/db",
        "192.0.2.10",
        "sqlite3",
        "postgresql",
        "0.0.0.0:9090",
    ];
    match rng.below(16) {
        0 => SECRET.to_string(),
        1 => KEY_ID.to_string(),
        2 => WEAK.to_string(),
        3 => format!("https://{KEY_ID}:{SECRET}@s3.example.com"),
        4 => format!("s3://{KEY_ID}:{WEAK}@bucket/db"),
        5 => format!("\"AWS_SECRET_ACCESS_KEY={SECRET}\""),
        6 => "<%= ENV.fetch(\"X\") %>".to_string(),
        7 => format!("\"\\e[31m{}\\a\\u202e\"", rng.pick(&plain)),
        8 => "x".repeat(1 + rng.below(3000)),
        9 => format!("\"{}\"", rng.pick(&plain)),
        10 => format!("'{}'", rng.pick(&plain)),
        11 => format!("!!str {}", rng.pick(&plain)),
        _ => rng.pick(&plain).to_string(),
    }
}

/// A YAML document for one of the config files: real keys in random shapes, with anchors,
/// aliases, merges, flow collections, ERB, tags, deep nesting and planted secrets.
pub fn yaml(rng: &mut Rng, file: File) -> String {
    let mut out = String::new();
    if rng.chance(10) {
        out.push_str("---\n");
    }
    let top = 1 + rng.below(6);
    let mut anchors = 0;
    for _ in 0..top {
        node(rng, file, &mut out, 0, true, &mut anchors);
    }
    if rng.chance(5) {
        out.push_str("---\nsecond: doc\n");
    }
    out
}

fn node(rng: &mut Rng, file: File, out: &mut String, depth: usize, key_first: bool, anchors: &mut usize) {
    let pad = "  ".repeat(depth);
    let key = match rng.below(12) {
        0 => SECRET.to_string(),
        1 => format!("\"\\e]0;{}\\a\"", rng.pick(file.keys())),
        2 => "<<".to_string(),
        _ => rng.pick(file.keys()).to_string(),
    };
    let _ = key_first;
    let deeper = depth < 5 && rng.chance(55);
    if key == "<<" && *anchors > 0 {
        let _ = writeln!(out, "{pad}<<: *a{}", rng.below(*anchors));
        return;
    }
    if !deeper {
        let value = match rng.below(10) {
            0 if *anchors > 0 => format!("*a{}", rng.below(*anchors)),
            1 => format!("[{}, {}]", scalar(rng), scalar(rng)),
            2 => format!("{{a: {}, b: {}}}", scalar(rng), scalar(rng)),
            3 => format!("|\n{pad}  {}\n{pad}  {}", scalar(rng), scalar(rng)),
            _ => scalar(rng),
        };
        let _ = writeln!(out, "{pad}{key}: {value}");
        return;
    }
    let anchor = if rng.chance(20) {
        *anchors += 1;
        format!(" &a{}", *anchors - 1)
    } else {
        String::new()
    };
    let _ = writeln!(out, "{pad}{key}:{anchor}");
    let n = 1 + rng.below(4);
    if rng.chance(40) {
        for _ in 0..n {
            if rng.chance(50) {
                let _ = writeln!(out, "{pad}  - {}", scalar(rng));
            } else {
                let _ = write!(out, "{pad}  - ");
                let mut item = String::new();
                node(rng, file, &mut item, 0, true, anchors);
                // Later lines of the item are indented under the dash.
                let mut lines = item.lines();
                if let Some(first) = lines.next() {
                    let _ = writeln!(out, "{first}");
                }
                for l in lines {
                    let _ = writeln!(out, "{pad}    {l}");
                }
            }
        }
    } else {
        for _ in 0..n {
            node(rng, file, out, depth + 1, true, anchors);
        }
    }
}

/// Dotenv text as `.kamal/secrets` holds it, with literal (planted) and referenced values.
pub fn dotenv(rng: &mut Rng) -> String {
    let names = [
        "KAMAL_REGISTRY_PASSWORD",
        "RAILS_MASTER_KEY",
        "LITESTREAM_ACCESS_KEY_ID",
        "LITESTREAM_SECRET_ACCESS_KEY",
        "AWS_SECRET_ACCESS_KEY",
        "DB_PASSWORD",
        "SECRETS",
    ];
    let mut out = String::new();
    for _ in 0..1 + rng.below(8) {
        let name = rng.pick(&names);
        let value = match rng.below(9) {
            0 => SECRET.to_string(),
            1 => WEAK.to_string(),
            2 => format!("'{WEAK}'"),
            3 => format!("\"{SECRET}\""),
            4 => format!("$(kamal secrets extract {name} $SECRETS)"),
            5 => format!("${name}"),
            6 => KEY_ID.to_string(),
            7 => "\"multi\nline\"".to_string(),
            _ => format!("${{{name}}}"),
        };
        let export = if rng.chance(20) { "export " } else { "" };
        let _ = writeln!(out, "{export}{name}={value}");
        if rng.chance(20) {
            out.push_str("# comment\n");
        }
    }
    out
}

/// Byte-level damage: a chunk deleted, duplicated, or replaced by a hostile piece.
pub fn mutate(rng: &mut Rng, text: &str) -> String {
    let pieces = [
        "\t",
        ": ",
        "- ",
        "&x ",
        "*x",
        "<<: *x\n",
        "{",
        "}",
        "[",
        "]",
        "\"",
        "'",
        "\n  ",
        "%>",
        "<%=",
        "\u{0}",
        "\\",
        "\u{feff}",
        "#",
        "? ",
        "!!binary ",
        "|\n",
        "---\n",
        "...\n",
    ];
    let mut b = text.as_bytes().to_vec();
    for _ in 0..1 + rng.below(4) {
        if b.is_empty() {
            break;
        }
        let at = rng.below(b.len());
        match rng.below(3) {
            0 => {
                let end = (at + rng.below(20)).min(b.len());
                b.drain(at..end);
            }
            1 => {
                let end = (at + rng.below(40)).min(b.len());
                let chunk: Vec<u8> = b[at..end].to_vec();
                for (i, c) in chunk.into_iter().enumerate() {
                    b.insert(at + i, c);
                }
            }
            _ => {
                for (i, c) in rng.pick(&pieces).bytes().enumerate() {
                    b.insert(at + i, c);
                }
            }
        }
    }
    String::from_utf8_lossy(&b).into_owned()
}
