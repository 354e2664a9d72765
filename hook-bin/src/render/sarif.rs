//! `check --format sarif`: a SARIF 2.1.0 log, for GitHub code scanning and other SARIF viewers.
//!
//! One run; the tool's rules are the whole registry (so a rule's documentation is there even for
//! results it did not produce), each result points at its rule by ID and index, and the note on
//! the assumed Litestream version becomes a tool notification. Columns count characters, which
//! the run declares (`columnKind`), and paths are relative URIs from where `check` ran.

use serde_json::{json, Value};

use crate::check::Checked;
use crate::diag::Severity;
use crate::explain;
use crate::rules::{Rule, RULES};

use super::{caveats, shown, Shown};
use crate::redact::Redactor;

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";
const REPOSITORY: &str = env!("CARGO_PKG_REPOSITORY");

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// A relative URI reference: `/` separators, everything outside RFC 3986's unreserved set and
/// `/` percent-encoded (a Rails path with a space or `#` stays one path).
fn uri(path: &str) -> String {
    let path = path.replace('\\', "/");
    let path = path.trim_start_matches("./");
    let mut out = String::new();
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn rule(r: &Rule) -> Value {
    json!({
        "id": r.id,
        "name": r.name,
        "shortDescription": { "text": r.summary },
        "fullDescription": { "text": r.what },
        "help": { "text": explain::explain(r) },
        "helpUri": format!("{REPOSITORY}/blob/main/docs/rules.md#{}", r.id.to_ascii_lowercase()),
        "defaultConfiguration": { "level": level(r.severity) },
        "properties": { "tags": [r.area.as_str()] },
    })
}

pub fn render(results: &[Checked]) -> String {
    let mut found = Vec::new();
    let mut notes = Vec::new();
    for c in results {
        for note in caveats(c) {
            notes.push(json!({ "level": "note", "message": { "text": note } }));
        }
        let red = Redactor::for_project(&c.project);
        for f in &c.findings {
            let Shown { file, message, help } = shown(&c.project, &red, f);
            let index = RULES.iter().position(|r| r.id == f.rule);
            let mut result = json!({
                "ruleId": f.rule,
                "level": level(f.severity),
                "message": { "text": format!("{message}\nhelp: {help}") },
                "locations": [{
                    "physicalLocation": {
                        "artifactLocation": { "uri": uri(&file) },
                        "region": { "startLine": f.loc.pos.line, "startColumn": f.loc.pos.col },
                    }
                }],
            });
            if let Some(i) = index {
                result["ruleIndex"] = json!(i);
            }
            found.push(result);
        }
    }
    let log = json!({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": env!("CARGO_PKG_NAME"),
                    "version": env!("CARGO_PKG_VERSION"),
                    "semanticVersion": env!("CARGO_PKG_VERSION"),
                    "informationUri": REPOSITORY,
                    "rules": RULES.iter().map(|r| rule(r)).collect::<Vec<_>>(),
                }
            },
            "invocations": [{ "executionSuccessful": true, "toolExecutionNotifications": notes }],
            "columnKind": "unicodeCodePoints",
            "results": found,
        }],
    });
    let mut s = serde_json::to_string_pretty(&log).expect("plain data serializes");
    s.push('\n');
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_become_relative_uris() {
        assert_eq!(uri("./config/litestream.yml"), "config/litestream.yml");
        assert_eq!(uri("my app/config/deploy #2.yml"), "my%20app/config/deploy%20%232.yml");
        assert_eq!(uri("config\\deploy.yml"), "config/deploy.yml");
        assert_eq!(uri("café/x"), "caf%C3%A9/x");
    }

    #[test]
    fn every_rule_is_described() {
        let log: Value = serde_json::from_str(&render(&[])).unwrap();
        let rules = log["runs"][0]["tool"]["driver"]["rules"].as_array().unwrap();
        assert_eq!(rules.len(), RULES.len());
        assert!(rules
            .iter()
            .all(|r| !r["shortDescription"]["text"].as_str().unwrap().is_empty()));
        assert_eq!(log["runs"][0]["results"], json!([]));
    }
}
