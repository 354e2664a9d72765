//! `check`: turns the paths the user gave into projects, runs the rules, and collects a report.

use std::fmt;
use std::path::PathBuf;

use crate::diag::{Finding, Severity};
use crate::project::{Overrides, Project};
use crate::rules::{self, Selection};
use crate::version::{Chosen, Version};

/// One project's findings, with the file table they point into.
pub struct Checked {
    pub project: Project,
    pub findings: Vec<Finding>,
}

#[derive(Debug)]
pub enum CheckError {
    NotFound(PathBuf),
    NothingToCheck(PathBuf),
}

impl fmt::Display for CheckError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CheckError::NotFound(p) => write!(f, "{}: no such file or directory", p.display()),
            CheckError::NothingToCheck(p) => write!(
                f,
                "{}: no config/litestream.yml, config/deploy.yml, config/database.yml or .kamal/secrets here; give the root of a Rails app, or the files themselves",
                p.display()
            ),
        }
    }
}

impl std::error::Error for CheckError {}

/// Checks each path: a directory is a Rails app root, a file is checked on its own.
pub fn check_paths(
    paths: &[PathBuf],
    version: Option<Version>,
    selection: &Selection,
) -> Result<Vec<Checked>, CheckError> {
    let mut out = Vec::new();
    let mut files = Vec::new();
    for p in paths {
        if p.is_dir() {
            let project = Project::load_app(p, &p.display().to_string(), &Overrides::new());
            if project.files.is_empty() {
                return Err(CheckError::NothingToCheck(p.clone()));
            }
            out.push(check_project(project, version, selection));
        } else if p.exists() {
            files.push((p.clone(), p.display().to_string()));
        } else {
            return Err(CheckError::NotFound(p.clone()));
        }
    }
    if !files.is_empty() {
        out.push(check_project(
            Project::load_files(&files, &Overrides::new()),
            version,
            selection,
        ));
    }
    Ok(out)
}

pub fn check_project(mut project: Project, version: Option<Version>, selection: &Selection) -> Checked {
    project.finish(version);
    let findings = rules::run_all(&project, selection);
    Checked { project, findings }
}

impl Checked {
    pub fn errors(&self) -> usize {
        self.findings.iter().filter(|f| f.severity == Severity::Error).count()
    }

    pub fn chosen(&self) -> Option<&Chosen> {
        self.project.version.as_ref()
    }
}
