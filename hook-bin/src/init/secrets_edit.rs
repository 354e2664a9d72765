//! Adds the two credential names to the Kamal secrets files as references, never values.
//!
//! Style: `NAME=$NAME`, the form of Rails 8's generated `.kamal/secrets`
//! (`KAMAL_REGISTRY_PASSWORD=$KAMAL_REGISTRY_PASSWORD`). Kamal substitutes the variable from the
//! shell that runs `kamal`, so it works with every password manager (`op run`, `direnv`, CI
//! secrets) without init guessing an adapter, account or vault for `kamal secrets fetch`. A
//! project that uses `$(kamal secrets extract …)` can change the two lines; init leaves any
//! existing definition alone.

use super::litestream_yml::{ACCESS_KEY_VAR, SECRET_KEY_VAR};
use crate::kamal::secrets;

pub const SECRETS: &str = ".kamal/secrets";
pub const COMMON: &str = ".kamal/secrets-common";
const COMMENT: &str =
    "# Litestream backups (added by litestream-guard init): the values come from the shell that runs kamal.";

/// One secrets file as init found it.
pub struct SecretsFile {
    /// Relative path, e.g. `.kamal/secrets` or `.kamal/secrets.staging`.
    pub rel: String,
    /// `None` when the file does not exist yet.
    pub text: Option<String>,
}

/// The names a dotenv text defines.
fn defined(text: &str) -> Vec<String> {
    secrets::parse(text).into_iter().map(|l| l.key).collect()
}

/// The new text of every file that needs the names, as (relative path, old text, new text).
/// Files that already define them are left out. `.kamal/secrets` is created when missing.
pub fn edit(files: &[SecretsFile]) -> Vec<(String, Option<String>, String)> {
    let names = [ACCESS_KEY_VAR, SECRET_KEY_VAR];
    let common: Vec<String> = files
        .iter()
        .find(|f| f.rel == COMMON)
        .and_then(|f| f.text.as_deref())
        .map(defined)
        .unwrap_or_default();
    let mut targets: Vec<&SecretsFile> = files
        .iter()
        .filter(|f| f.rel == SECRETS || (f.rel.starts_with(".kamal/secrets.") && f.text.is_some()))
        .collect();
    targets.sort_by(|a, b| a.rel.cmp(&b.rel));
    let mut out = Vec::new();
    for f in targets {
        let have = f.text.as_deref().map(defined).unwrap_or_default();
        let missing: Vec<&str> = names
            .iter()
            .copied()
            .filter(|n| !have.iter().any(|h| h == n) && !common.iter().any(|h| h == n))
            .collect();
        if missing.is_empty() {
            continue;
        }
        let old = f.text.clone();
        let base = old.clone().unwrap_or_default();
        let nl = if base.contains("\r\n") { "\r\n" } else { "\n" };
        let mut new = base.clone();
        if !new.is_empty() && !new.ends_with('\n') {
            new.push_str(nl);
        }
        if new.lines().last().is_some_and(|l| !l.trim().is_empty()) {
            new.push_str(nl);
        }
        new.push_str(COMMENT);
        new.push_str(nl);
        for n in missing {
            new.push_str(&format!("{n}=${n}{nl}"));
        }
        out.push((f.rel.clone(), old, new));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(rel: &str, text: Option<&str>) -> SecretsFile {
        SecretsFile {
            rel: rel.into(),
            text: text.map(str::to_string),
        }
    }

    #[test]
    fn appends_missing_names_only() {
        let out = edit(&[file(SECRETS, Some("A=$A\nLITESTREAM_ACCESS_KEY_ID=$(op read x)"))]);
        assert_eq!(out.len(), 1);
        assert_eq!(
            out[0].2,
            format!("A=$A\nLITESTREAM_ACCESS_KEY_ID=$(op read x)\n\n{COMMENT}\nLITESTREAM_SECRET_ACCESS_KEY=$LITESTREAM_SECRET_ACCESS_KEY\n")
        );
        assert!(edit(&[file(SECRETS, Some(&out[0].2))]).is_empty());
    }

    #[test]
    fn creates_the_file_and_respects_common_and_destinations() {
        let out = edit(&[file(SECRETS, None)]);
        assert_eq!(out[0].1, None);
        assert!(out[0].2.starts_with(COMMENT));
        let both = "LITESTREAM_ACCESS_KEY_ID=$X\nLITESTREAM_SECRET_ACCESS_KEY=$Y\n";
        assert!(edit(&[
            file(COMMON, Some(both)),
            file(SECRETS, None),
            file(".kamal/secrets.staging", Some(""))
        ])
        .is_empty());
        let out = edit(&[
            file(SECRETS, Some(both)),
            file(".kamal/secrets.staging", Some("B=$B\n")),
        ]);
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].0, ".kamal/secrets.staging");
    }
}
