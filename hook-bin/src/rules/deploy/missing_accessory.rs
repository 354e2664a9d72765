use crate::diag::{Severity, Sink};
use crate::project::Project;
use crate::rules::deploy::view::{report_views, Issue};
use crate::rules::{Area, Rule};

pub static RULE: Rule = Rule {
    id: "K001",
    name: "missing-litestream-accessory",
    severity: Severity::Warning,
    area: Area::Deploy,
    summary: "config/litestream.yml exists, but config/deploy.yml runs no Litestream accessory.",
    what: "When the app has both config/litestream.yml and a Kamal config/deploy.yml, looks for an accessory that runs Litestream: one whose image is `litestream` from any registry (`litestream/litestream:0.5.17`), or one named `litestream`. Each destination (`deploy.<dest>.yml` merged over `deploy.yml`) is checked as Kamal would load it.",
    why: "A litestream.yml that nothing runs backs nothing up. It happens when the accessory is left out of a destination, renamed to an image this check still finds, or removed while the config stays. Nothing fails: the app runs, and the first restore finds no backups.",
    bad: "# config/deploy.yml\nservice: shopfront\nimage: acme/shopfront\nvolumes:\n  - \"shopfront_storage:/rails/storage\"\n# (no accessories)\n",
    good: "accessories:\n  litestream:\n    image: litestream/litestream:0.5.17\n    host: 192.0.2.10\n    files:\n      - config/litestream.yml:/etc/litestream.yml\n    volumes:\n      - \"shopfront_storage:/rails/storage\"\n    cmd: replicate\n",
    fix: "Add a `litestream` accessory (image `litestream/litestream:<version>`, the app's storage volume, `files:` with config/litestream.yml, `cmd: replicate`). If Litestream runs inside the app container instead, add `K001` to `ignore:` in config/litestream-guard.yml.",
    check: Some(check),
};

fn check(p: &Project, out: &mut Sink) {
    if p.litestream.is_none() {
        return;
    }
    report_views(p, out, |v, issues| {
        if !v.accessories().is_empty() {
            return;
        }
        let loc = v.root.entry("accessories").map_or(v.root.loc(), |e| e.key.loc());
        issues.push(Issue::new(
            loc,
            "",
            "config/litestream.yml exists, but no accessory runs Litestream: nothing replicates the databases",
            "Add a `litestream` accessory with `image: litestream/litestream:0.5.17`, the app's storage volume, `files: [config/litestream.yml:/etc/litestream.yml]` and `cmd: replicate` (`litestream-guard explain K001` shows one).",
        ));
    });
}
