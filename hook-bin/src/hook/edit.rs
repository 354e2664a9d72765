//! Edits of the files the checker owns: simulate the file after the edit (PreToolUse) or read it
//! from disk (PostToolUse), check it with the rest of the app, and answer.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use super::event::{Change, Event, FileEdit, Phase, Tool};
use super::respond;
use crate::check::{check_project, Checked};
use crate::diag::{Finding, Severity};
use crate::project::{FileKind, Overrides, Project};

pub fn answer(ev: &Event) -> Option<String> {
    let Some(Tool::FileEdit(edit)) = &ev.tool else {
        return None;
    };
    // Decided from the name alone, so that edits of other files cost nothing.
    let kind = FileKind::of(&edit.path)?;
    let root = app_root(&edit.path, &kind);
    match ev.phase {
        Phase::Pre => pre(edit, root.as_deref()),
        Phase::Post => post(&edit.path, root.as_deref()),
        Phase::Other => None,
    }
}

/// The Rails app a config file belongs to: `<root>/config/x.yml` or `<root>/.kamal/secrets`.
fn app_root(path: &Path, kind: &FileKind) -> Option<PathBuf> {
    let dir = path.parent()?;
    let expected = if *kind == FileKind::Secrets { ".kamal" } else { "config" };
    (dir.file_name()? == expected)
        .then(|| dir.parent().map(Path::to_path_buf))
        .flatten()
}

fn load(path: &Path, root: Option<&Path>, overrides: &Overrides) -> Checked {
    let project = match root {
        Some(r) => Project::load_app(r, "", overrides),
        None => Project::load_files(&[(path.to_path_buf(), path.display().to_string())], overrides),
    };
    check_project(project, None, &crate::rules::Selection::default())
}

fn pre(edit: &FileEdit, root: Option<&Path>) -> Option<String> {
    let after_text = simulate(edit)?;
    let before = load(&edit.path, root, &Overrides::new());
    let mut overrides = Overrides::new();
    overrides.insert(edit.path.clone(), after_text);
    let after = load(&edit.path, root, &overrides);
    // Only what the edit introduces blocks it: a fix of one problem must not be refused because
    // another one is still there.
    let known: HashSet<(&str, &str, &str)> = before.findings.iter().map(|f| key(&before, f)).collect();
    let new: Vec<&Finding> = after
        .findings
        .iter()
        .filter(|f| !known.contains(&key(&after, f)))
        .collect();
    let errors: Vec<&Finding> = new.iter().copied().filter(|f| f.severity == Severity::Error).collect();
    if !errors.is_empty() {
        return Some(respond::pre_deny(&after, &errors));
    }
    let notes: Vec<&Finding> = new.into_iter().filter(|f| f.severity != Severity::Error).collect();
    (!notes.is_empty()).then(|| respond::pre_context(&after, &notes))
}

fn post(path: &Path, root: Option<&Path>) -> Option<String> {
    let now = load(path, root, &Overrides::new());
    let errors: Vec<&Finding> = now.findings.iter().filter(|f| f.severity == Severity::Error).collect();
    let notes: Vec<&Finding> = now.findings.iter().filter(|f| f.severity != Severity::Error).collect();
    if errors.is_empty() && notes.is_empty() {
        return None;
    }
    Some(respond::post(&now, &errors, &notes))
}

/// A finding's identity across an edit: positions move, rule, file and message do not.
fn key<'a>(c: &'a Checked, f: &'a Finding) -> (&'a str, &'a str, &'a str) {
    (f.rule, c.project.file(f.loc.src).display.as_str(), f.message.as_str())
}

/// The file's text after the edit, or `None` when Claude Code itself will refuse the edit
/// (the text to replace is not there), in which case we have no opinion.
pub fn simulate(edit: &FileEdit) -> Option<String> {
    match &edit.change {
        Change::Write(content) => Some(content.clone()),
        Change::Edits(steps) => {
            let mut text = std::fs::read_to_string(&edit.path).ok()?;
            for r in steps {
                if r.old.is_empty() || !text.contains(&r.old) {
                    return None;
                }
                text = if r.all {
                    text.replace(&r.old, &r.new)
                } else {
                    text.replacen(&r.old, &r.new, 1)
                };
            }
            Some(text)
        }
    }
}
