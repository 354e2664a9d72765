//! The guard must never panic, whatever the command: mutations of the corpus commands (shell
//! metacharacters inserted, deleted, swapped) go through `guard::decide`. Deterministic;
//! `FUZZ_ITERS=200000 cargo test --release --test guard_fuzz` runs longer.

use std::path::Path;

use litestream_guard::guard::{decide, Env};

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        // xorshift64*
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

const PIECES: [&str; 40] = [
    "'",
    "\"",
    "\\",
    "$",
    "$(",
    ")",
    "`",
    "{",
    "}",
    "(",
    "[",
    "]",
    "|",
    "||",
    "&&",
    "&",
    ";",
    "\n",
    "<<",
    "<<'EOF'\n",
    "\nEOF\n",
    ">",
    ">>",
    "<",
    "*",
    "?",
    "~",
    "#",
    "=",
    " ",
    "${X:-",
    "$'",
    "-o",
    "-force",
    " bash -c ",
    " ssh h ",
    " kamal app exec ",
    " docker run -v x:/y litestream/litestream ",
    "/rails/storage/production.sqlite3-wal",
    "\u{1}",
];

#[test]
fn never_panics() {
    let corpus =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus/commands.txt")).unwrap();
    let seeds: Vec<String> = corpus
        .lines()
        .filter_map(|l| l.strip_prefix("$ "))
        .map(str::to_string)
        .collect();
    let app = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/shopfront");
    let env = Env::new(Some(&app), None, None);
    let iters: usize = std::env::var("FUZZ_ITERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3000);
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    for i in 0..iters {
        let mut s: Vec<char> = seeds[rng.below(seeds.len())].chars().collect();
        for _ in 0..1 + rng.below(6) {
            let at = rng.below(s.len() + 1);
            match rng.below(3) {
                0 => {
                    let p = PIECES[rng.below(PIECES.len())];
                    for (k, c) in p.chars().enumerate() {
                        s.insert((at + k).min(s.len()), c);
                    }
                }
                1 if !s.is_empty() => {
                    let end = (at + 1 + rng.below(8)).min(s.len());
                    s.drain(at.min(end)..end);
                }
                _ => {
                    let other: Vec<char> = seeds[rng.below(seeds.len())].chars().collect();
                    let from = rng.below(other.len() + 1);
                    let end = (from + rng.below(20)).min(other.len());
                    for (k, c) in other[from..end].iter().enumerate() {
                        s.insert((at + k).min(s.len()), *c);
                    }
                }
            }
        }
        let cmd: String = s.into_iter().collect();
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| decide(&cmd, &env)));
        assert!(result.is_ok(), "iteration {i}: panic on {cmd:?}");
    }
}

#[test]
fn pathological_inputs() {
    let env = Env::new(None, None, None);
    for cmd in [
        "(".repeat(10_000),
        format!("echo {}", "$(".repeat(5_000)),
        format!("litestream restore {}", "a".repeat(300_000)),
        "\u{1}\u{2}\0".to_string(),
        "rm \"$(".to_string(),
        "cat <<EOF".to_string(),
        "kamal app exec".to_string(),
        "ssh".to_string(),
        "docker run".to_string(),
        "sudo".to_string(),
        "xargs".to_string(),
        "echo {1..999999999}".to_string(),
        "rm /rails/storage/{a,b}{c,d}{e,f}{g,h}{i,j}{k,l}{m,n}{o,p}".to_string(),
        format!("bash -c '{}'", "bash -c \\'".repeat(40)),
    ] {
        let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| decide(&cmd, &env)));
        assert!(r.is_ok(), "panic on {:?}", &cmd[..cmd.len().min(80)]);
    }
}
