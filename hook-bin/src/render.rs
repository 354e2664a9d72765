//! Rendering findings: `file:line:col: severity[ID]: message` + `help:` for people, a stable
//! JSON object for tools, GitHub Actions annotations ([`github`]) and SARIF 2.1.0 ([`sarif`]).
//! Every renderer is a function of the same `&[Checked]`, and every text it prints comes from
//! [`shown`]: secrets redacted, control characters escaped (see [`crate::redact`]).

pub mod github;
pub mod sarif;

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

/// The header: how Litestream runs (for an app root) and which version the rules assumed, with
/// where each came from.
pub fn header(c: &Checked) -> Vec<String> {
    let mut out = Vec::new();
    // Only a Rails app root (a Gemfile or a Kamal config) has a runner to speak of.
    if c.project.root.is_some() && (c.project.app.gemfile.is_some() || c.project.deploy.is_some()) {
        let lines = crate::runner::summary(&c.project, &c.project.model);
        if lines.is_empty() {
            out.push("runner: none found (no Kamal accessory runs Litestream, no litestream gem, no Litestream binary in the Dockerfile)".to_string());
        }
        for l in lines {
            out.push(format!("runner: {l}"));
        }
        if c.project
            .deploy
            .as_ref()
            .and_then(|d| d.root.as_ref())
            .is_some_and(crate::kamal::placeholder)
        {
            out.push("kamal: config/deploy.yml is the generator's placeholder (`your-user/…` or 192.168.0.1): the app's real environment is not known here".to_string());
        }
        if let Some(why) = crate::kamal::kamal1(&c.project) {
            out.push(format!(
                "kamal: Kamal 1 ({why}): rules about Kamal 2's secrets files do not apply"
            ));
        }
    }
    if let Some(chosen) = c.chosen() {
        match &chosen.origin {
            Origin::Assumed { why } => out.push(format!(
                "version: checked against Litestream {} because {why}; pass --litestream-version 0.3 or 0.5 to choose",
                chosen.version
            )),
            Origin::Found { loc, text, .. } => out.push(format!(
                "version: Litestream {} ({}:{}: {text})",
                chosen.version,
                c.project.file(loc.src).display,
                loc.pos.line
            )),
            Origin::Flag => {}
        }
    }
    // The runner's start command and the version's source line are quoted from the app's files.
    let red = Redactor::for_project(&c.project);
    out.into_iter().map(|l| red.clean(&l)).collect()
}

/// The header lines that say what was not known or only assumed (no runner found, a version
/// assumed, a Kamal config that describes no deployment): the notes CI formats carry. The lines
/// that only report what was found would be noise on every run.
pub fn caveats(c: &Checked) -> Vec<String> {
    header(c)
        .into_iter()
        .filter(|l| {
            l.starts_with("kamal:") || l.starts_with("runner: none") || l.starts_with("version: checked against")
        })
        .collect()
}

pub fn text(results: &[Checked], style: Style) -> String {
    let mut s = String::new();
    let (mut e, mut w, mut i) = (0, 0, 0);
    for c in results {
        for n in header(c) {
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
struct JsonFact {
    file: String,
    line: usize,
    text: String,
}

#[derive(Serialize)]
struct JsonRunner {
    kind: &'static str,
    found: JsonFact,
    start: Option<JsonFact>,
    conditions: Vec<JsonFact>,
    version: Option<String>,
    working_directory: String,
}

#[derive(Serialize)]
struct JsonReport<'a> {
    findings: Vec<JsonFinding<'a>>,
    litestream_version: Vec<JsonVersion>,
    runners: Vec<JsonRunner>,
}

/// A fact quotes the app's files (a start command may carry a URL with credentials): it goes
/// through the same redaction as findings.
fn json_fact(p: &Project, red: &Redactor, f: &crate::runner::Fact) -> JsonFact {
    JsonFact {
        file: red.clean(&p.file(f.loc.src).display),
        line: f.loc.pos.line,
        text: red.clean(&f.text),
    }
}

pub fn json(results: &[Checked]) -> String {
    let mut findings = Vec::new();
    let mut versions = Vec::new();
    let mut runners = Vec::new();
    for c in results {
        let p = &c.project;
        let red = Redactor::for_project(p);
        for r in &p.model.runners {
            runners.push(JsonRunner {
                kind: r.kind.id(),
                found: json_fact(p, &red, &r.found),
                start: r.start.as_ref().map(|f| json_fact(p, &red, f)),
                conditions: r.conditions.iter().map(|f| json_fact(p, &red, f)).collect(),
                version: r.version.as_ref().map(|(v, _)| v.to_string()),
                working_directory: red.clean(&r.cwd),
            });
        }
        if let Some(ch) = c.chosen() {
            let source = match ch.origin {
                Origin::Flag => "flag",
                Origin::Found { via, .. } => via,
                Origin::Assumed { .. } => "assumed",
            };
            versions.push(JsonVersion {
                version: ch.version.to_string(),
                source,
            });
        }
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
        runners,
    })
    .expect("plain data serializes");
    s.push('\n');
    s
}
