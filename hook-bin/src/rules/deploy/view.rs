//! What the deploy, secrets and database rules share: the Kamal model of `crate::kamal::view`,
//! and a reporter that merges what several deployments (destinations) found.

pub use crate::kamal::view::*;

use crate::diag::Sink;
use crate::project::Project;
use crate::source::Loc;

/// A problem found in one view. Views that find the same `key` at the same place give one finding.
pub struct Issue {
    pub loc: Loc,
    /// Identifies the problem among those at `loc` (e.g. the variable or secret name).
    pub key: String,
    pub message: String,
    pub help: String,
    /// What this view looked at, when that differs per view (e.g. the secrets files it reads).
    /// The message then ends with the scope of every view that found the issue.
    pub scope: Option<String>,
    /// A severity other than the rule's own, for this case.
    pub severity: Option<crate::diag::Severity>,
}

impl Issue {
    pub fn new(loc: Loc, key: impl Into<String>, message: impl Into<String>, help: impl Into<String>) -> Issue {
        Issue {
            loc,
            key: key.into(),
            message: message.into(),
            help: help.into(),
            scope: None,
            severity: None,
        }
    }

    pub fn with_severity(mut self, s: crate::diag::Severity) -> Issue {
        self.severity = Some(s);
        self
    }

    pub fn with_scope(mut self, scope: impl Into<String>) -> Issue {
        self.scope = Some(scope.into());
        self
    }
}

/// Runs `f` on every view and reports each distinct issue once. An issue that only some views
/// have says which ones, unless it sits in the destination file itself (which says it already).
pub fn report_views(p: &Project, out: &mut Sink, mut f: impl FnMut(&View, &mut Vec<Issue>)) {
    let vs = views(p);
    // Each distinct issue with the views (index, destination) that have it.
    type Seen = Vec<(usize, Option<String>)>;
    let mut found: Vec<(Issue, Seen)> = Vec::new();
    for (i, v) in vs.iter().enumerate() {
        let mut issues = Vec::new();
        f(v, &mut issues);
        for issue in issues {
            let scope = issue.scope.clone();
            match found.iter_mut().find(|(g, _)| g.loc == issue.loc && g.key == issue.key) {
                Some((_, seen)) => {
                    if !seen.iter().any(|(j, _)| *j == i) {
                        seen.push((i, scope))
                    }
                }
                None => found.push((issue, vec![(i, scope)])),
            }
        }
    }
    for (issue, seen) in found {
        let in_dest_file = match seen.as_slice() {
            [(i, _)] => p
                .destinations
                .iter()
                .any(|(d, l)| Some(d.as_str()) == vs[*i].dest && l.src == issue.loc.src),
            _ => false,
        };
        let message = if issue.scope.is_some() {
            let scopes: Vec<String> = seen
                .iter()
                .map(|(i, s)| {
                    let s = s.clone().unwrap_or_default();
                    if vs.len() == 1 {
                        s
                    } else {
                        format!("{}: {s}", vs[*i].label())
                    }
                })
                .collect();
            format!("{} ({})", issue.message, scopes.join("; "))
        } else if seen.len() == vs.len() || in_dest_file {
            issue.message
        } else {
            let labels: Vec<String> = seen.iter().map(|(i, _)| vs[*i].label()).collect();
            format!("{} ({})", issue.message, labels.join("; "))
        };
        match issue.severity {
            Some(sev) => out.report_as(sev, issue.loc, message, issue.help),
            None => out.report(issue.loc, message, issue.help),
        }
    }
}

/// Like [`report_views`], but an app without deploy.yml is checked once, with no view.
pub fn report_each(p: &Project, out: &mut Sink, mut f: impl FnMut(Option<&View>, &mut Vec<Issue>)) {
    if views(p).is_empty() {
        let mut issues = Vec::new();
        f(None, &mut issues);
        for i in issues {
            match i.severity {
                Some(sev) => out.report_as(sev, i.loc, i.message, i.help),
                None => out.report(i.loc, i.message, i.help),
            }
        }
    } else {
        report_views(p, out, |v, issues| f(Some(v), issues));
    }
}
