//! Rendering findings: `file:line:col: severity[ID]: message` + `help:` for people, a stable
//! JSON object for tools, GitHub Actions annotations ([`github`]) and SARIF 2.1.0 ([`sarif`]).
//! Every renderer is a function of the same `&[Checked]`.

pub mod github;
pub mod sarif;

use std::fmt::Write as _;

use serde::Serialize;

use crate::check::Checked;
use crate::diag::{Finding, Severity};
use crate::project::Project;
use crate::version::Origin;

#[derive(Debug, Clone, Copy)]
pub struct Style {
    pub color: bool,
}

fn paint(style: Style, code: &str, text: &str) -> String {
    if style.color {
        format!("\x1b[{code}m{text}\x1b[0m")
    } else {
        text.to_string()
    }
}

pub fn finding_line(p: &Project, f: &Finding, style: Style) -> String {
    let file = &p.file(f.loc.src).display;
    let sev = match f.severity {
        Severity::Error => paint(style, "1;31", "error"),
        Severity::Warning => paint(style, "1;33", "warning"),
        Severity::Info => paint(style, "1;36", "info"),
    };
    let mut s = format!(
        "{file}:{}:{}: {sev}[{}]: {}\n",
        f.loc.pos.line, f.loc.pos.col, f.rule, f.message
    );
    let _ = writeln!(s, "  {} {}", paint(style, "1;32", "help:"), f.help);
    s
}

/// The note that says which Litestream version the rules assumed, when it was not stated.
pub fn version_note(c: &Checked) -> Option<String> {
    let chosen = c.chosen()?;
    match &chosen.origin {
        Origin::Assumed { why } => Some(format!(
            "note: checked against Litestream {} because {why}; pass --litestream-version 0.3 or 0.5 to choose",
            chosen.version
        )),
        _ => None,
    }
}

pub fn text(results: &[Checked], style: Style) -> String {
    let mut s = String::new();
    let (mut e, mut w, mut i) = (0, 0, 0);
    for c in results {
        if let Some(n) = version_note(c) {
            s.push_str(&n);
            s.push('\n');
        }
        for f in &c.findings {
            s.push_str(&finding_line(&c.project, f, style));
            match f.severity {
                Severity::Error => e += 1,
                Severity::Warning => w += 1,
                Severity::Info => i += 1,
            }
        }
    }
    if e + w + i == 0 {
        s.push_str("no problems found\n");
    } else {
        let _ = writeln!(s, "{e} error(s), {w} warning(s), {i} info");
    }
    s
}

#[derive(Serialize)]
struct JsonFinding<'a> {
    rule: &'a str,
    severity: Severity,
    file: &'a str,
    line: usize,
    column: usize,
    message: &'a str,
    help: &'a str,
}

#[derive(Serialize)]
struct JsonVersion {
    version: String,
    source: &'static str,
}

#[derive(Serialize)]
struct JsonReport<'a> {
    findings: Vec<JsonFinding<'a>>,
    litestream_version: Vec<JsonVersion>,
}

pub fn json(results: &[Checked]) -> String {
    let mut findings = Vec::new();
    let mut versions = Vec::new();
    for c in results {
        if let Some(ch) = c.chosen() {
            let source = match ch.origin {
                Origin::Flag => "flag",
                Origin::Image { .. } => "image",
                Origin::Assumed { .. } => "assumed",
            };
            versions.push(JsonVersion {
                version: ch.version.to_string(),
                source,
            });
        }
        for f in &c.findings {
            findings.push(JsonFinding {
                rule: f.rule,
                severity: f.severity,
                file: &c.project.file(f.loc.src).display,
                line: f.loc.pos.line,
                column: f.loc.pos.col,
                message: &f.message,
                help: &f.help,
            });
        }
    }
    let mut s = serde_json::to_string_pretty(&JsonReport {
        findings,
        litestream_version: versions,
    })
    .expect("plain data serializes");
    s.push('\n');
    s
}
