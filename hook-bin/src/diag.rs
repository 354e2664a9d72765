//! Findings: what a rule reports, where, and how to fix it.

use std::fmt;

use serde::Serialize;

use crate::source::Loc;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
    Info,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One finding. `file` is resolved from the location when the report is rendered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub rule: &'static str,
    pub severity: Severity,
    pub loc: Loc,
    pub message: String,
    pub help: String,
}

/// Collects findings for the rule that is running, so that a rule cannot report under another ID.
pub struct Sink<'a> {
    rule: &'static crate::rules::Rule,
    out: &'a mut Vec<Finding>,
}

impl<'a> Sink<'a> {
    pub fn new(rule: &'static crate::rules::Rule, out: &'a mut Vec<Finding>) -> Sink<'a> {
        Sink { rule, out }
    }

    /// Reports at the rule's own severity.
    pub fn report(&mut self, loc: Loc, message: impl Into<String>, help: impl Into<String>) {
        let sev = self.rule.severity;
        self.report_as(sev, loc, message, help);
    }

    /// Reports at a severity the rule chooses for this case (e.g. error on one version, warning on another).
    pub fn report_as(&mut self, severity: Severity, loc: Loc, message: impl Into<String>, help: impl Into<String>) {
        self.out.push(Finding {
            rule: self.rule.id,
            severity,
            loc,
            message: message.into(),
            help: help.into(),
        });
    }
}
