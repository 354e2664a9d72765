//! The Litestream binary that the app's runner ships, found without running any of the app's
//! code (no Ruby, no `bundle exec`). Today that is the litestream-ruby gem, which installs the
//! upstream binary at `<gem>/exe/<platform>/litestream`; a Kamal accessory's binary lives in its
//! image and a binary baked into the app image is on the container's PATH.
//!
//! [`shipped_by_runner`] is the one place that knows this, so that the runner model can call it.

use std::path::{Path, PathBuf};

/// What the search found.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Shipped {
    pub path: Option<PathBuf>,
    /// How it was found (`the litestream-ruby gem 0.14.0`), or why a binary was not used.
    pub note: Option<String>,
}

/// The platform directory names rubygems gives this machine.
fn platforms() -> &'static [&'static str] {
    match (std::env::consts::ARCH, std::env::consts::OS) {
        ("x86_64", "linux") => &["x86_64-linux", "x86_64-linux-gnu", "x86_64-linux-musl"],
        ("aarch64", "linux") => &[
            "aarch64-linux",
            "arm64-linux",
            "aarch64-linux-gnu",
            "aarch64-linux-musl",
        ],
        ("aarch64", "macos") => &["arm64-darwin"],
        ("x86_64", "macos") => &["x86_64-darwin"],
        _ => &[],
    }
}

/// `litestream (0.14.0-x86_64-linux)` in the lock file's specs, as `0.14.0`.
pub fn locked_gem(app: &Path) -> Option<String> {
    let path = app.join("Gemfile.lock");
    let lock = crate::source::read_text(&path, crate::source::reach_for(Some(app), &path, false)).ok()?;
    crate::app::gems::locked_version(&lock, "litestream").map(|(v, _)| v)
}

/// Expands `*` path components (one level each) into existing folders.
fn glob(pattern: &Path) -> Vec<PathBuf> {
    let mut found = vec![PathBuf::new()];
    for comp in pattern.components() {
        let c = comp.as_os_str().to_string_lossy();
        let mut next = Vec::new();
        for base in &found {
            if c == "*" {
                let mut names: Vec<PathBuf> = std::fs::read_dir(base)
                    .into_iter()
                    .flatten()
                    .flatten()
                    .map(|e| e.path())
                    .filter(|p| p.is_dir())
                    .collect();
                names.sort();
                next.extend(names);
            } else {
                next.push(base.join(comp.as_os_str()));
            }
        }
        found = next;
        if found.len() > 256 {
            found.truncate(256);
        }
    }
    found.into_iter().filter(|p| p.is_dir()).collect()
}

/// Folders that hold installed gems (`…/gems/<name>-<version>`), most specific first.
fn gem_roots(app: &Path) -> Vec<PathBuf> {
    let home = std::env::var_os("HOME").map(PathBuf::from);
    let mut pats: Vec<PathBuf> = Vec::new();
    let mut bundle_paths: Vec<PathBuf> = std::env::var_os("BUNDLE_PATH").map(PathBuf::from).into_iter().collect();
    for cfg in [
        Some(app.join(".bundle/config")),
        home.as_ref().map(|h| h.join(".bundle/config")),
    ]
    .into_iter()
    .flatten()
    {
        // The app's own .bundle/config is the app's file: read it as one (regular, bounded).
        if let Ok(t) = crate::source::read_text(&cfg, crate::source::reach_for(None, &cfg, false)) {
            for l in t.lines() {
                if let Some(v) = l.strip_prefix("BUNDLE_PATH:") {
                    let v = v.trim().trim_matches(['"', '\'']);
                    let p = PathBuf::from(v);
                    bundle_paths.push(if p.is_absolute() { p } else { app.join(p) });
                }
            }
        }
    }
    for b in bundle_paths {
        pats.push(b.join("ruby/*/gems"));
        pats.push(b.join("gems"));
    }
    for var in ["GEM_HOME", "GEM_PATH"] {
        if let Some(v) = std::env::var_os(var) {
            for d in std::env::split_paths(&v) {
                pats.push(d.join("gems"));
            }
        }
    }
    pats.push("/usr/local/bundle/ruby/*/gems".into());
    pats.push("/usr/local/bundle/gems".into());
    if let Some(h) = &home {
        for p in [
            ".gem/ruby/*/gems",
            ".local/share/gem/ruby/*/gems",
            ".rbenv/versions/*/lib/ruby/gems/*/gems",
            ".rubies/*/lib/ruby/gems/*/gems",
            ".asdf/installs/ruby/*/lib/ruby/gems/*/gems",
            ".local/share/mise/installs/ruby/*/lib/ruby/gems/*/gems",
        ] {
            pats.push(h.join(p));
        }
    }
    for p in [
        "/usr/local/lib/ruby/gems/*/gems",
        "/var/lib/gems/*/gems",
        "/usr/lib/ruby/gems/*/gems",
        "/opt/homebrew/lib/ruby/gems/*/gems",
    ] {
        pats.push(p.into());
    }
    let mut roots = Vec::new();
    for p in pats {
        for r in glob(&p) {
            if !roots.contains(&r) {
                roots.push(r);
            }
        }
    }
    roots
}

fn canonical(p: &Path) -> PathBuf {
    std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf())
}

/// The binary the app's runner ships. A binary inside the app's own folder (e.g. a vendored
/// bundle) is not run unless named with `--litestream`: the repository may not be trusted.
pub fn shipped_by_runner(app: &Path) -> Shipped {
    if let Some(dir) = std::env::var_os("LITESTREAM_INSTALL_DIR") {
        let p = PathBuf::from(dir).join("litestream");
        if p.is_file() {
            return Shipped {
                path: Some(p),
                note: Some("LITESTREAM_INSTALL_DIR (the litestream-ruby gem's override)".into()),
            };
        }
    }
    let Some(version) = locked_gem(app) else {
        return Shipped::default();
    };
    let app_c = canonical(app);
    let mut inside = None;
    for root in gem_roots(app) {
        let Ok(rd) = std::fs::read_dir(&root) else { continue };
        let mut dirs: Vec<PathBuf> = rd
            .flatten()
            .map(|e| e.path())
            .filter(|p| {
                p.file_name().and_then(|n| n.to_str()).is_some_and(|n| {
                    n == format!("litestream-{version}") || n.starts_with(&format!("litestream-{version}-"))
                })
            })
            .collect();
        dirs.sort();
        for d in dirs {
            for plat in platforms() {
                let bin = d.join("exe").join(plat).join("litestream");
                if !bin.is_file() {
                    continue;
                }
                if canonical(&bin).starts_with(&app_c) {
                    inside.get_or_insert(bin);
                    continue;
                }
                return Shipped {
                    path: Some(bin),
                    note: Some(format!("the litestream-ruby gem {version}")),
                };
            }
        }
    }
    Shipped {
        path: None,
        note: Some(match inside {
            Some(p) => format!(
                "the litestream-ruby gem's binary {} is inside the app's folder and is not run unless you pass it with --litestream",
                p.display()
            ),
            None => format!("the app locks the litestream-ruby gem {version}, but its binary is not installed on this machine"),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_gem_binary_outside_the_app_and_refuses_one_inside() {
        let Some(plat) = platforms().first() else { return };
        let base = std::env::temp_dir().join(format!("lsg-runner-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&base);
        let app = base.join("app");
        std::fs::create_dir_all(&app).unwrap();
        std::fs::write(
            app.join("Gemfile.lock"),
            format!("GEM\n  specs:\n    litestream (0.14.0-{plat})\n      logfmt (>= 0.0.10)\n"),
        )
        .unwrap();
        assert_eq!(locked_gem(&app).as_deref(), Some("0.14.0"));
        // Inside the app (a vendored bundle): found but not used.
        let vendored = app.join(format!(
            "vendor/bundle/ruby/3.3.0/gems/litestream-0.14.0-{plat}/exe/{plat}"
        ));
        std::fs::create_dir_all(&vendored).unwrap();
        std::fs::write(vendored.join("litestream"), b"").unwrap();
        std::fs::create_dir_all(app.join(".bundle")).unwrap();
        std::fs::write(app.join(".bundle/config"), "---\nBUNDLE_PATH: \"vendor/bundle\"\n").unwrap();
        let s = shipped_by_runner(&app);
        assert_eq!(s.path, None, "{s:?}");
        assert!(s.note.unwrap().contains("inside the app's folder"));
        // Outside (GEM_PATH): used.
        let gems = base
            .join("gemhome/gems")
            .join(format!("litestream-0.14.0-{plat}/exe/{plat}"));
        std::fs::create_dir_all(&gems).unwrap();
        std::fs::write(gems.join("litestream"), b"").unwrap();
        let old = std::env::var_os("GEM_PATH");
        std::env::set_var("GEM_PATH", base.join("gemhome"));
        let s = shipped_by_runner(&app);
        match old {
            Some(o) => std::env::set_var("GEM_PATH", o),
            None => std::env::remove_var("GEM_PATH"),
        }
        assert_eq!(s.path, Some(gems.join("litestream")));
        let _ = std::fs::remove_dir_all(&base);
    }
}
