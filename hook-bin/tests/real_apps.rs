//! The corpus of real apps. `tests/real-apps/<owner>__<repo>/` holds one public Rails app's
//! configuration files exactly as its repository had them at one commit, and four files of ours:
//! - `PROVENANCE`: `repo:`, `commit:` (40 hex) and `files:`, one path per line;
//! - `NOTES.md`: how the app runs Litestream and its real problems, judged from the sources;
//! - `expected.out`: the exact output of `litestream-guard check .` in that folder;
//! - `findings.tsv`: one row per finding of expected.out, tab-separated:
//!   `file:line:col  RULE  verdict  reason`, where verdict is `real` (a problem the app's engineer
//!   should fix), `fine` (true, but nothing this app's engineer would change), or `wrong` (false);
//!   plus one row `location  -  missed  reason` for each known real problem no finding reports,
//!   or `location  -  gap  reason` for one that needs a model the checker does not have yet (a
//!   runner or stack it does not read); gaps are listed in docs/corpus.md and do not fail.
//!
//! The test fails when an app's output changes (`UPDATE_REAL_APPS=1` rewrites expected.out and
//! docs/corpus.md; then review the diff and findings.tsv), when a finding has no row or a row no
//! finding, when an error is not a real problem, when fewer than 80% of errors and warnings are
//! real, or when a known real problem is missed. Anyone can extend it without Rust.

mod support;

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

use support::bin::guard;

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/real-apps")
}

fn apps() -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = fs::read_dir(corpus())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    dirs
}

const OURS: [&str; 4] = ["PROVENANCE", "NOTES.md", "expected.out", "findings.tsv"];

fn files_under(dir: &Path, base: &Path, out: &mut Vec<String>) {
    for e in fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            files_under(&p, base, out);
        } else {
            out.push(p.strip_prefix(base).unwrap().to_string_lossy().into_owned());
        }
    }
}

/// The provenance must name the repository, one commit, and exactly the files copied.
fn provenance_problems(app: &Path) -> Vec<String> {
    let name = app.file_name().unwrap().to_string_lossy().into_owned();
    let Ok(text) = fs::read_to_string(app.join("PROVENANCE")) else {
        return vec![format!("{name}: no PROVENANCE")];
    };
    let mut problems = Vec::new();
    let repo = text.lines().find_map(|l| l.strip_prefix("repo:")).map(str::trim);
    let commit = text.lines().find_map(|l| l.strip_prefix("commit:")).map(str::trim);
    if repo.is_none_or(|r| r.split('/').count() != 2) {
        problems.push(format!("{name}: PROVENANCE lacks `repo: owner/name`"));
    }
    if commit.is_none_or(|c| c.len() != 40 || !c.bytes().all(|b| b.is_ascii_hexdigit())) {
        problems.push(format!("{name}: PROVENANCE lacks a 40-hex `commit:`"));
    }
    let listed: Vec<String> = text
        .lines()
        .skip_while(|l| !l.starts_with("files:"))
        .skip(1)
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect();
    let mut present = Vec::new();
    files_under(app, app, &mut present);
    for f in &present {
        if !OURS.contains(&f.as_str()) && !listed.contains(f) {
            problems.push(format!("{name}: {f} is not listed in PROVENANCE"));
        }
    }
    for f in &listed {
        if !present.contains(f) {
            problems.push(format!("{name}: PROVENANCE lists {f}, which is missing"));
        }
    }
    problems
}

/// One finding of `check`'s text output: (`file:line:col`, rule, severity).
fn findings(out: &str) -> Vec<(String, String, String)> {
    out.lines()
        .filter_map(|l| {
            let (loc, rest) = l.split_once(": ")?;
            let (sev, rest) = rest.split_once('[')?;
            let rule = rest.split(']').next()?;
            matches!(sev, "error" | "warning" | "info").then(|| (loc.to_string(), rule.to_string(), sev.to_string()))
        })
        .collect()
}

struct Row {
    loc: String,
    rule: String,
    verdict: String,
    reason: String,
}

fn rows(app: &Path) -> Vec<Row> {
    fs::read_to_string(app.join("findings.tsv"))
        .unwrap_or_default()
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .filter_map(|l| {
            let mut it = l.split('\t');
            Some(Row {
                loc: it.next()?.trim().to_string(),
                rule: it.next()?.trim().to_string(),
                verdict: it.next()?.trim().to_string(),
                reason: it.next().unwrap_or("").trim().to_string(),
            })
        })
        .collect()
}

#[derive(Default)]
struct Tally {
    by_sev: BTreeMap<(String, String), usize>,
}

impl Tally {
    fn add(&mut self, sev: &str, verdict: &str) {
        *self.by_sev.entry((sev.to_string(), verdict.to_string())).or_default() += 1;
    }

    fn get(&self, sev: &str, verdict: &str) -> usize {
        self.by_sev
            .get(&(sev.to_string(), verdict.to_string()))
            .copied()
            .unwrap_or(0)
    }

    fn total(&self, sev: &str) -> usize {
        self.by_sev.iter().filter(|((s, _), _)| s == sev).map(|(_, n)| n).sum()
    }
}

fn runner_line(out: &str) -> String {
    let kinds: Vec<&str> = out
        .lines()
        .filter_map(|l| l.strip_prefix("runner: "))
        .map(|l| {
            if l.starts_with("a Kamal accessory") {
                "accessory"
            } else if l.starts_with("the litestream-ruby gem") {
                "gem"
            } else if l.starts_with("a Litestream binary") {
                "image"
            } else {
                "none"
            }
        })
        .collect();
    kinds.join(" + ")
}

fn version_line(out: &str) -> String {
    out.lines()
        .find_map(|l| l.strip_prefix("version: "))
        .map(|v| {
            if let Some(rest) = v.strip_prefix("Litestream ") {
                rest.split(' ').next().unwrap_or("").to_string()
            } else if v.starts_with("checked against Litestream 0.5") {
                "0.5 (assumed)".to_string()
            } else if v.starts_with("checked against Litestream 0.3") {
                "0.3 (assumed)".to_string()
            } else {
                v.to_string()
            }
        })
        .unwrap_or_default()
}

#[test]
fn real_apps_are_judged_right() {
    let update = std::env::var_os("UPDATE_REAL_APPS").is_some();
    let mut problems: Vec<String> = Vec::new();
    let mut tally = Tally::default();
    let mut table = String::new();
    let mut missed = 0;
    let mut gaps = String::new();
    let list = apps();
    assert!(
        list.len() >= 30,
        "the corpus must hold at least 30 real apps, has {}",
        list.len()
    );
    for app in &list {
        let name = app.file_name().unwrap().to_string_lossy().into_owned();
        problems.extend(provenance_problems(app));
        let o = guard(&["check", "."]).cwd(app).run();
        assert!(
            o.code().is_some_and(|c| c == 0 || c == 1),
            "{name}: check exited {:?}:\n{}",
            o.code(),
            o.stderr_text()
        );
        assert!(o.stderr.is_empty(), "{name}: stderr: {}", o.stderr_text());
        let got = o.stdout_text();
        let expected_path = app.join("expected.out");
        if update {
            fs::write(&expected_path, &got).unwrap();
        } else if fs::read_to_string(&expected_path).unwrap_or_default() != got {
            problems.push(format!(
                "{name}: output differs from expected.out (UPDATE_REAL_APPS=1 rewrites it):\n{got}"
            ));
        }
        let found = findings(&got);
        let rs = rows(app);
        let (mut e, mut w, mut i) = (0, 0, 0);
        for (loc, rule, sev) in &found {
            match sev.as_str() {
                "error" => e += 1,
                "warning" => w += 1,
                _ => i += 1,
            }
            match rs.iter().find(|r| &r.loc == loc && &r.rule == rule) {
                None => {
                    tally.add(sev, "unjudged");
                    problems.push(format!(
                        "{name}: no findings.tsv row for `{loc}\t{rule}\t<real|fine|wrong>\t<reason>` ({sev})"
                    ))
                }
                Some(r) => {
                    if !matches!(r.verdict.as_str(), "real" | "fine" | "wrong") {
                        problems.push(format!(
                            "{name}: {loc} {rule}: verdict `{}` is not real, fine or wrong",
                            r.verdict
                        ));
                    }
                    if r.verdict == "fine" && sev != "info" {
                        problems.push(format!(
                            "{name}: {loc} {rule} is a {sev} with nothing to fix: it should be an info or nothing"
                        ));
                    }
                    if r.verdict == "wrong" && sev != "info" {
                        problems.push(format!("{name}: {loc} {rule} is a wrong {sev}"));
                    }
                    tally.add(sev, &r.verdict);
                }
            }
        }
        for r in &rs {
            if r.verdict == "gap" {
                if r.reason.is_empty() {
                    problems.push(format!("{name}: gap row `{}` gives no reason", r.loc));
                }
                let _ = writeln!(gaps, "- {name} `{}`: {}", r.loc, r.reason);
            } else if r.verdict == "missed" {
                missed += 1;
                problems.push(format!(
                    "{name}: a known real problem is not found: {} ({})",
                    r.loc, r.rule
                ));
            } else if !found.iter().any(|(l, ru, _)| *l == r.loc && *ru == r.rule) {
                problems.push(format!(
                    "{name}: findings.tsv row `{} {}` matches no finding",
                    r.loc, r.rule
                ));
            }
        }
        let real = rs.iter().filter(|r| r.verdict == "real").count();
        let _ = writeln!(
            table,
            "| {name} | {} | {} | {e} | {w} | {i} | {real} |",
            runner_line(&got),
            version_line(&got)
        );
    }
    let ew = tally.total("error") + tally.total("warning");
    let ew_real = tally.get("error", "real") + tally.get("warning", "real");
    let precision = if ew == 0 { 1.0 } else { ew_real as f64 / ew as f64 };
    let mut doc = String::from(
        "# The real-app corpus\n\nGenerated by `UPDATE_REAL_APPS=1 cargo test --test real_apps` from `hook-bin/tests/real-apps/`; do not edit by hand.\n\nEach app is a public Rails app's configuration at one commit (see its PROVENANCE), with the output of `litestream-guard check` and a verdict and reason for every finding (findings.tsv).\n\n",
    );
    let _ = writeln!(
        doc,
        "Apps: {}. Errors: {} ({} real, {} wrong). Warnings: {} ({} real, {} wrong). Infos: {} ({} real, {} fine, {} wrong). Errors and warnings that are real problems: {:.0}%. Known real problems not found: {missed}.\n",
        list.len(),
        tally.total("error"),
        tally.get("error", "real"),
        tally.get("error", "wrong"),
        tally.total("warning"),
        tally.get("warning", "real"),
        tally.get("warning", "wrong"),
        tally.total("info"),
        tally.get("info", "real"),
        tally.get("info", "fine"),
        tally.get("info", "wrong"),
        precision * 100.0
    );
    doc.push_str("| app | runner | Litestream | errors | warnings | infos | real problems found |\n|---|---|---|---|---|---|---|\n");
    doc.push_str(&table);
    if !gaps.is_empty() {
        doc.push_str(
            "\n## Known gaps\n\nReal problems these apps have that need a model the checker does not have yet:\n\n",
        );
        doc.push_str(&gaps);
    }
    let doc_path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/corpus.md");
    if update {
        fs::write(&doc_path, &doc).unwrap();
    } else if fs::read_to_string(&doc_path).unwrap_or_default() != doc {
        problems.push("docs/corpus.md is stale (UPDATE_REAL_APPS=1 rewrites it)".to_string());
    }
    if precision < 0.8 {
        problems.push(format!(
            "only {:.0}% of errors and warnings are real problems (at least 80% must be)",
            precision * 100.0
        ));
    }
    println!("{}", doc.lines().nth(6).unwrap_or(""));
    assert!(
        problems.is_empty(),
        "{} problem(s):\n{}",
        problems.len(),
        problems.join("\n")
    );
}
