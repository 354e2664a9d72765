//! Rendering findings: `file:line:col: severity[ID]: message` + `help:` for people, a stable
//! JSON object for tools. Every text a renderer prints comes from [`shown`]: secrets redacted,
//! control characters escaped (see [`crate::redact`]).

use std::fmt::Write as _;

use serde::Serialize;

use crate::check::Checked;
use crate::diag::{Finding, Severity};
use crate::project::Project;
use crate::redact::Redactor;
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

/// A finding's texts as any output may show them: file, message and help through the redaction
/// layer with what the project's files hold. Every renderer (text, JSON, and any other format)
/// takes its strings from here.
pub struct Shown {
    pub file: String,
    pub message: String,
    pub help: String,
}

pub fn shown(p: &Project, red: &Redactor, f: &Finding) -> Shown {
    Shown {
        file: red.clean(&p.file(f.loc.src).display),
        message: red.clean(&f.message),
        help: red.clean(&f.help),
    }
}

pub fn finding_line(p: &Project, f: &Finding, style: Style) -> String {
    finding_line_with(p, &Redactor::for_project(p), f, style)
}

fn finding_line_with(p: &Project, red: &Redactor, f: &Finding, style: Style) -> String {
    let Shown { file, message, help } = shown(p, red, f);
    let sev = match f.severity {
        Severity::Error => paint(style, "1;31", "error"),
        Severity::Warning => paint(style, "1;33", "warning"),
        Severity::Info => paint(style, "1;36", "info"),
    };
    let mut s = format!(
        "{file}:{}:{}: {sev}[{}]: {}\n",
        f.loc.pos.line, f.loc.pos.col, f.rule, message
    );
    let _ = writeln!(s, "  {} {}", paint(style, "1;32", "help:"), help);
    s
}

/// The note that says which Litestream version the rules assumed, when it was not stated.
pub fn version_note(c: &Checked) -> Option<String> {
    let chosen = c.chosen()?;
    match &chosen.origin {
        Origin::Assumed { why } => Some(Redactor::for_project(&c.project).clean(&format!(
            "note: checked against Litestream {} because {why}; pass --litestream-version 0.3 or 0.5 to choose",
            chosen.version
        ))),
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
        let red = Redactor::for_project(&c.project);
        for f in &c.findings {
            s.push_str(&finding_line_with(&c.project, &red, f, style));
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
    file: String,
    line: usize,
    column: usize,
    message: String,
    help: String,
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
        let red = Redactor::for_project(&c.project);
        for f in &c.findings {
            let Shown { file, message, help } = shown(&c.project, &red, f);
            findings.push(JsonFinding {
                rule: f.rule,
                severity: f.severity,
                file,
                line: f.loc.pos.line,
                column: f.loc.pos.col,
                message,
                help,
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
