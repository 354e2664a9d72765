use crate::diag::Sink;
use crate::litestream::dbs;
use crate::project::Project;
use crate::rules::{Area, Rule};
use crate::yaml::Node;

pub static RULE: Rule = Rule {
    id: "L027",
    name: "placeholder-value",
    severity: crate::diag::Severity::Error,
    area: Area::Litestream,
    summary: "A bucket, endpoint, region or path that is still a template's placeholder (`your-bucket`, `your-account-id-here`, `changeme`, `<bucket>`).",
    what: "Looks at each replica's `bucket`, `endpoint`, `url`, `region` and `path` after variable expansion (so a placeholder set in deploy.yml's `env.clear` counts) for the shapes templates use for values to fill in: `your-…`, `…-here`, `change-me`/`changeme`, `<…>`, `xxx`, `replace-me`, `example-bucket`.",
    why: "A placeholder is a valid string to Litestream: it starts, and every upload goes to a bucket or host that does not exist, while the app runs normally.",
    bad: "# deploy.yml env.clear: CLOUDFLARE_ACCOUNT_ID: your-account-id-here\nendpoint: https://${CLOUDFLARE_ACCOUNT_ID}.r2.cloudflarestorage.com\n",
    good: "endpoint: https://${CLOUDFLARE_ACCOUNT_ID}.r2.cloudflarestorage.com   # with the real account ID in env.clear\n",
    fix: "Fill in the real value (where it is set: litestream.yml, or the variable's definition).",
    check: Some(check),
};

/// True for the shapes templates use for a value to fill in.
pub fn placeholder(v: &str) -> bool {
    let l = v.to_ascii_lowercase();
    // `your-` only before the nouns templates use: Hetzner's real host is `your-objectstorage.com`.
    let nouns = [
        "bucket", "account", "region", "key", "secret", "access", "app", "user", "domain", "endpoint", "org",
        "project", "name", "id", "s3", "space", "host", "server", "company",
    ];
    let your = ["your-", "your_"].iter().any(|p| {
        l.match_indices(p)
            .any(|(i, _)| nouns.iter().any(|n| l[i + p.len()..].starts_with(n)))
    });
    let words = [
        "-here",
        "_here",
        "changeme",
        "change-me",
        "change_me",
        "replace-me",
        "replaceme",
        "example-bucket",
        "xxxx",
    ];
    your || words.iter().any(|w| l.contains(w)) || (l.contains('<') && l.contains('>'))
}

fn check(p: &Project, out: &mut Sink) {
    let Some(root) = p.litestream_root() else { return };
    let v = p.chosen_version();
    for db in dbs(root) {
        for r in db.replicas.iter().filter(|r| r.read_by(v)) {
            for key in ["bucket", "endpoint", "url", "region", "path"] {
                let Some(n) = r.setting(root, key, v).filter(|n| !n.is_opaque()) else {
                    continue;
                };
                let Some(value) = n.as_str().filter(|s| placeholder(s)) else {
                    continue;
                };
                let from = match n.written().filter(|w| *w != value) {
                    Some(w) => format!(" (`{w}` expands to it)"),
                    None => String::new(),
                };
                out.report(
                    Node::loc(n),
                    format!("`{key}` is `{value}`{from}, a template's placeholder: Litestream starts, and uploads go nowhere"),
                    "Fill in the real value where it is set.",
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::placeholder;

    #[test]
    fn placeholders_and_real_values() {
        for v in [
            "your-bucket-name",
            "https://your-account-id-here.r2.cloudflarestorage.com",
            "changeme",
            "<bucket>",
            "YOUR_BUCKET",
        ] {
            assert!(placeholder(v), "{v}");
        }
        for v in [
            "https://fsn1.your-objectstorage.com",
            "shopfront-backups",
            "eu-central-1",
            "production",
        ] {
            assert!(!placeholder(v), "{v}");
        }
    }
}
