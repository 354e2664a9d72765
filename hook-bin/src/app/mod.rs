//! The app's own files that say how it runs, besides the configs `check` judges: Gemfile and
//! Gemfile.lock, config/puma.rb, the Rails config files that configure the litestream-ruby gem,
//! the Dockerfile, its entrypoint script, Procfiles, and Kamal 1's `.env.erb`. They are read (with
//! the same bounds as every other file) and parsed as text; nothing in them is ever run.

pub mod commands;
pub mod dockerfile;
pub mod gems;
pub mod restores;
pub mod ruby;

use std::path::Path;

/// Indices into the project's file table of the evidence files that exist.
#[derive(Debug, Clone, Default)]
pub struct AppFiles {
    pub gemfile: Option<u16>,
    pub gemfile_lock: Option<u16>,
    pub puma: Option<u16>,
    /// config/initializers/*litestream*.rb, config/application.rb, config/environments/production.rb.
    pub ruby: Vec<u16>,
    pub dockerfile: Option<u16>,
    /// The entrypoint script the Dockerfile names, and bin/docker-entrypoint.
    pub scripts: Vec<u16>,
    /// Procfile and Procfile.* except development ones.
    pub procfiles: Vec<u16>,
    /// Kamal 1 keeps its env template here.
    pub env_erb: Option<u16>,
}

/// Ruby files that may configure the gem, relative to the app root.
pub fn ruby_config_files(root: &Path) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let dir = root.join("config/initializers");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| e.file_name().to_str().map(str::to_string))
        .filter(|n| n.ends_with(".rb") && n.contains("litestream"))
        .collect();
    names.sort();
    out.extend(names.into_iter().map(|n| format!("config/initializers/{n}")));
    out.push("config/application.rb".into());
    out.push("config/environments/production.rb".into());
    out
}

/// Procfiles that run in a deployment: `Procfile`, `Procfile.<x>` except `.dev`/`.development`/`.test`.
pub fn procfile_names(root: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(root)
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| e.file_name().to_str().map(str::to_string))
        .filter(|n| {
            n == "Procfile"
                || n.strip_prefix("Procfile.")
                    .is_some_and(|s| !matches!(s, "dev" | "development" | "test" | "local"))
        })
        .collect();
    names.sort();
    names
}

/// The file in the repository that a container path names, given the image's Rails root
/// (`/rails/bin/docker-entrypoint` → `bin/docker-entrypoint`; `./bin/x` → `bin/x`).
pub fn repo_path(container_path: &str, workdir: &str) -> Option<String> {
    let p = container_path.trim();
    let rel = match p.strip_prefix(workdir.trim_end_matches('/')) {
        Some(r) if r.starts_with('/') => r.trim_start_matches('/'),
        _ if p.starts_with('/') => return None,
        _ => p.trim_start_matches("./"),
    };
    (!rel.is_empty() && !rel.contains("..")).then(|| rel.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn container_paths_to_repo_paths() {
        assert_eq!(
            repo_path("/rails/bin/docker-entrypoint", "/rails").as_deref(),
            Some("bin/docker-entrypoint")
        );
        assert_eq!(repo_path("./bin/start", "/app").as_deref(), Some("bin/start"));
        assert_eq!(repo_path("/usr/bin/tini", "/rails"), None);
        assert_eq!(repo_path("../x", "/rails"), None);
    }
}
