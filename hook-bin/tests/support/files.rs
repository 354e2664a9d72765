//! Copying app trees for tests.

use std::fs;
use std::path::Path;

/// Copies a folder tree, byte for byte.
pub fn copy_dir(from: &Path, to: &Path) {
    copy_app(from, to, None);
}

/// Copies a folder tree; with `root`, writes it over `@ROOT@` in every text file (the corpus
/// apps name their own folder that way).
pub fn copy_app(from: &Path, to: &Path, root: Option<&Path>) {
    fs::create_dir_all(to).unwrap_or_else(|e| panic!("create {}: {e}", to.display()));
    for e in fs::read_dir(from).unwrap_or_else(|e| panic!("read {}: {e}", from.display())) {
        let e = e.unwrap();
        let dst = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_app(&e.path(), &dst, root);
            continue;
        }
        let bytes = fs::read(e.path()).unwrap();
        match (root, String::from_utf8(bytes)) {
            (Some(r), Ok(t)) => fs::write(&dst, t.replace("@ROOT@", r.to_str().unwrap())).unwrap(),
            (_, Ok(t)) => fs::write(&dst, t).unwrap(),
            (_, Err(b)) => fs::write(&dst, b.into_bytes()).unwrap(),
        }
    }
}
