//! Claude Code hook output for config edits. Every text goes through the redaction layer
//! ([`crate::redact`]) with what this app's files hold.

use std::fmt::Write as _;

use serde_json::json;

use crate::check::Checked;
use crate::diag::Finding;
use crate::redact::Redactor;

/// The text Claude (and the user, in the transcript) reads: secrets redacted, controls escaped.
fn shown(c: &Checked, text: &str) -> String {
    Redactor::for_project(&c.project).clean(text)
}

/// At most this many findings go into one message: Claude acts on the first ones anyway.
const MAX_LISTED: usize = 12;

fn list(c: &Checked, findings: &[&Finding]) -> String {
    let mut s = String::new();
    for f in findings.iter().take(MAX_LISTED) {
        let file = &c.project.file(f.loc.src).display;
        let _ = writeln!(
            s,
            "{file}:{}:{}: {}[{}] {}\n  fix: {}",
            f.loc.pos.line, f.loc.pos.col, f.severity, f.rule, f.message, f.help
        );
    }
    if findings.len() > MAX_LISTED {
        let _ = writeln!(
            s,
            "… and {} more (run `litestream-guard check`)",
            findings.len() - MAX_LISTED
        );
    }
    s
}

fn explain_tip(findings: &[&Finding]) -> String {
    let mut ids: Vec<&str> = findings.iter().map(|f| f.rule).collect();
    ids.sort();
    ids.dedup();
    format!(
        "Details: `litestream-guard explain {}`.",
        ids.join("`, `litestream-guard explain ")
    )
}

pub fn pre_deny(c: &Checked, errors: &[&Finding]) -> String {
    let reason = format!(
        "litestream-guard: this edit would introduce {} error(s) into the Litestream/Kamal setup. Change the edit and try again:\n{}{}",
        errors.len(),
        list(c, errors),
        explain_tip(errors)
    );
    let reason = shown(c, &reason);
    json!({"hookSpecificOutput": {"hookEventName": "PreToolUse", "permissionDecision": "deny", "permissionDecisionReason": reason}}).to_string()
}

pub fn pre_context(c: &Checked, notes: &[&Finding]) -> String {
    let ctx = format!(
        "litestream-guard: the edit is allowed; it brings these warnings and notes (no errors):\n{}",
        list(c, notes)
    );
    let ctx = shown(c, &ctx);
    json!({"hookSpecificOutput": {"hookEventName": "PreToolUse", "additionalContext": ctx}}).to_string()
}

pub fn post(c: &Checked, errors: &[&Finding], notes: &[&Finding]) -> String {
    let red = Redactor::for_project(&c.project);
    let mut v = json!({});
    if !errors.is_empty() {
        v["decision"] = json!("block");
        v["reason"] = json!(red.clean(&format!(
            "litestream-guard: the Litestream/Kamal setup now has {} error(s). Fix them:\n{}{}",
            errors.len(),
            list(c, errors),
            explain_tip(errors)
        )));
    }
    if !notes.is_empty() {
        let ctx = red.clean(&format!("litestream-guard warnings:\n{}", list(c, notes)));
        v["hookSpecificOutput"] = json!({"hookEventName": "PostToolUse", "additionalContext": ctx});
    }
    v.to_string()
}
