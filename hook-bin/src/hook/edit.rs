//! Edits of the files the checker owns: simulate the file after the edit (PreToolUse) or read it
//! from disk (PostToolUse), check it with the rest of the app, and answer.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use memchr::memmem;

use super::event::{Change, Event, FileEdit, Phase, Replace, Tool, Undecoded};
use super::respond;
use crate::check::{check_project, Checked};
use crate::diag::{Finding, Severity};
use crate::limits::{MAX_CONFIG_BYTES, MAX_EDIT_WORK};
use crate::project::{FileKind, Overrides, Project};
use crate::source::{reach_for, read_text, Loc, Pos, ReadProblem};

pub fn answer(ev: &Event) -> Option<String> {
    let Some(Tool::FileEdit(edit)) = &ev.tool else {
        return None;
    };
    // Decided from the name alone, so that edits of other files cost nothing.
    let kind = FileKind::of(&edit.path)?;
    let root = app_root(&edit.path, &kind);
    match ev.phase {
        Phase::Pre => pre(edit, &kind, root.as_deref()),
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

/// A finding's identity across an edit: positions move, rule, file and message do not.
type Key = (&'static str, String, String);

fn key(c: &Checked, f: &Finding) -> Key {
    (f.rule, c.project.file(f.loc.src).display.clone(), f.message.clone())
}

fn pre(edit: &FileEdit, kind: &FileKind, root: Option<&Path>) -> Option<String> {
    let after = simulate(edit, kind, root)?;
    let before = load(&edit.path, root, &Overrides::new());
    let known: HashSet<Key> = before.findings.iter().map(|f| key(&before, f)).collect();
    let after_text = match after {
        Ok(t) => t,
        // The result is not checked: that is a finding on the file, as `check` would report
        // the written file, and it blocks the edit unless the file already had it.
        Err(why) => {
            // A Write of a new file: the file table needs an entry to point at.
            let table = match before.project.files.iter().any(|s| s.path == edit.path) {
                true => before,
                false => load(&edit.path, root, &Overrides::from([(edit.path.clone(), String::new())])),
            };
            let src = table.project.files.iter().position(|s| s.path == edit.path)? as u16;
            let f = Finding {
                rule: crate::rules::input::UNREADABLE.id,
                severity: Severity::Error,
                loc: Loc { src, pos: Pos::START },
                message: why,
                help: "Write a smaller file: config files are small YAML or dotenv text.".into(),
            };
            return (!known.contains(&key(&table, &f))).then(|| respond::pre_deny(&table, &[&f]));
        }
    };
    // Only one app is held in memory at a time: what the edit is compared with is the keys.
    drop(before);
    let mut overrides = Overrides::new();
    overrides.insert(edit.path.clone(), after_text);
    let after = load(&edit.path, root, &overrides);
    // Only what the edit introduces blocks it: a fix of one problem must not be refused because
    // another one is still there.
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

/// The file's text after the edit: `Some(Ok(text))`; `Some(Err(why))` when the result cannot be
/// checked (larger than a config file may be, or more replacing than the hook simulates); `None`
/// when Claude Code itself will refuse the edit (the text to replace is not there) or the file
/// cannot be read now, in which case we have no opinion.
pub fn simulate(edit: &FileEdit, kind: &FileKind, root: Option<&Path>) -> Option<Result<String, String>> {
    let too_large = || {
        ReadProblem::TooLarge {
            limit: MAX_CONFIG_BYTES,
        }
        .to_string()
    };
    match edit.change() {
        Ok(Change::Write(content)) => Some(Ok(content)),
        Err(Undecoded::TooLarge) => Some(Err(too_large())),
        Err(Undecoded::Malformed) => None,
        Ok(Change::Edits(steps)) => {
            // The same bounded, regular-files-only read as `check`: a FIFO here must not hang us.
            let text = read_text(&edit.path, reach_for(root, &edit.path, *kind == FileKind::Secrets)).ok()?;
            match apply(text, &steps) {
                Applied::Text(t) => Some(Ok(t)),
                Applied::Refused => None,
                Applied::TooLarge => Some(Err(too_large())),
                Applied::TooMuchWork => Some(Err(format!(
                    "this edit replaces text more often than the hook simulates (over {MAX_EDIT_WORK} bytes of rewriting): split it into smaller edits"
                ))),
            }
        }
    }
}

#[derive(Debug, PartialEq, Eq)]
pub enum Applied {
    Text(String),
    /// Claude Code refuses the edit: a step's text is not in the file.
    Refused,
    TooLarge,
    TooMuchWork,
}

/// Applies the steps in order, as Claude Code does. Each step costs one scan of the text and one
/// copy of the result, and is refused before it is made when its result would exceed the config
/// limit, so memory stays within the limit and time within [`MAX_EDIT_WORK`] bytes of copying.
pub fn apply(mut text: String, steps: &[Replace]) -> Applied {
    let mut work: u64 = 0;
    for r in steps {
        if r.old.is_empty() {
            return Applied::Refused;
        }
        let finder = memmem::Finder::new(r.old.as_bytes());
        let hits: Vec<usize> = if r.all {
            finder.find_iter(text.as_bytes()).collect()
        } else {
            finder.find(text.as_bytes()).into_iter().collect()
        };
        if hits.is_empty() {
            return Applied::Refused;
        }
        let n = hits.len() as u64;
        let len = text.len() as u64 - n * r.old.len() as u64 + n * r.new.len() as u64;
        if len > MAX_CONFIG_BYTES {
            return Applied::TooLarge;
        }
        work += text.len() as u64 + len;
        if work > MAX_EDIT_WORK {
            return Applied::TooMuchWork;
        }
        let mut out = String::with_capacity(len as usize);
        let mut at = 0;
        for h in hits {
            out.push_str(&text[at..h]);
            out.push_str(&r.new);
            at = h + r.old.len();
        }
        out.push_str(&text[at..]);
        text = out;
    }
    Applied::Text(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn step(old: &str, new: &str, all: bool) -> Replace {
        Replace {
            old: old.into(),
            new: new.into(),
            all,
        }
    }

    #[test]
    fn steps_apply_in_order() {
        let steps = [step("a", "bb", true), step("bb", "c", false)];
        assert_eq!(apply("a-a".into(), &steps), Applied::Text("c-bb".into()));
        assert_eq!(apply("x".into(), &[step("a", "b", false)]), Applied::Refused);
        assert_eq!(apply("x".into(), &[step("", "b", false)]), Applied::Refused);
    }

    /// Twelve replace-all steps that each multiply the text are refused at the step that would
    /// cross the limit, without building it (this cost 4.8 GB before).
    #[test]
    fn growth_is_refused_before_it_is_built() {
        let steps: Vec<Replace> = (0..12).map(|_| step("a", "aaaaaaaaaa", true)).collect();
        assert_eq!(apply("a".repeat(1000), &steps), Applied::TooLarge);
    }

    #[test]
    fn endless_rewriting_is_bounded() {
        let text = "ab".repeat(200_000);
        let steps: Vec<Replace> = (0..1000)
            .map(|i| {
                if i % 2 == 0 {
                    step("a", "c", true)
                } else {
                    step("c", "a", true)
                }
            })
            .collect();
        assert_eq!(apply(text, &steps), Applied::TooMuchWork);
    }
}
