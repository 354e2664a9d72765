use crate::diag::{Severity, Sink};
use crate::project::Project;
use crate::rules::deploy::view::{opaque, report_views, shown, Issue};
use crate::rules::{Area, Rule};
use crate::version::image_tag;
use crate::yaml::Node;

pub static RULE: Rule = Rule {
    id: "K003",
    name: "unpinned-litestream-image",
    severity: Severity::Warning,
    area: Area::Deploy,
    summary: "The Litestream accessory's image has no version tag, or uses `latest`.",
    what: "Reads the accessory's `image:` and warns when it has no tag or the tag is `latest` (or `latest-scratch`). A digest (`@sha256:…`) or any other tag counts as pinned. The tag also decides which Litestream version the litestream.yml rules check against.",
    why: "Litestream 0.3 and 0.5 read the same litestream.yml very differently (0.3 ignores `replica:`, 0.5 ignores per-replica retention), and 0.5 cannot restore 0.3's encrypted backups. `latest` is set by the release workflow on whichever release was built last; it is not ordered by version (0.3.14 was released after 0.5.10). A reboot of the accessory can silently switch release lines.",
    bad: "accessories:\n  litestream:\n    image: litestream/litestream\n",
    good: "accessories:\n  litestream:\n    image: litestream/litestream:0.5.17\n",
    fix: "Pin an exact release, e.g. `image: litestream/litestream:0.5.17`, and upgrade deliberately after reading the release notes.",
    check: Some(check),
};

fn check(p: &Project, out: &mut Sink) {
    report_views(p, out, |v, issues| {
        for acc in v.accessories() {
            let Some(img) = acc.image() else { continue };
            let Some(s) = img.as_str().filter(|s| !opaque(s)) else {
                continue;
            };
            if s.contains('@') {
                continue;
            }
            let unpinned = match image_tag(s) {
                None => true,
                Some(t) => t == "latest" || t == "latest-scratch",
            };
            if !unpinned {
                continue;
            }
            let repo = s
                .rsplit_once(':')
                .filter(|(_, t)| !t.contains('/'))
                .map_or(s, |(r, _)| r);
            issues.push(Issue::new(
                Node::loc(img),
                "",
                format!("the Litestream image `{}` is not pinned to a version: `latest` moves between the 0.3 and 0.5 lines, which read litestream.yml differently", shown(s)),
                format!("Pin a release, e.g. `image: {}:0.5.17`.", shown(repo)),
            ));
        }
    });
}
