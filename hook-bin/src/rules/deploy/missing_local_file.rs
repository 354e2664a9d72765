use crate::diag::{Severity, Sink};
use crate::project::Project;
use crate::rules::deploy::view::{app_file_exists, app_root, mounts, opaque, report_views, Issue, MountKind};
use crate::rules::{Area, Rule};

pub static RULE: Rule = Rule {
    id: "K004",
    name: "missing-mounted-file",
    severity: Severity::Error,
    area: Area::Deploy,
    summary: "A `files:` entry of the Litestream accessory names a local file that does not exist.",
    what: "Checks that the local side of each `files:` entry (`local:remote`, or a hash with `local`) exists in the app, relative to the app root where `kamal` runs.",
    why: "Kamal uploads these files when it boots the accessory (`kamal setup`, `kamal accessory boot|reboot`); a missing file stops the boot. A renamed config (`litestream.yaml`, `config/litestream/production.yml`) is the usual cause.",
    bad: "accessories:\n  litestream:\n    files:\n      - config/litestream.yaml:/etc/litestream.yml   # the file is config/litestream.yml\n",
    good: "accessories:\n  litestream:\n    files:\n      - config/litestream.yml:/etc/litestream.yml\n",
    fix: "Correct the local path, or create the file.",
    check: Some(check),
};

fn check(p: &Project, out: &mut Sink) {
    let Some(root) = app_root(p) else { return };
    report_views(p, out, |v, issues| {
        for acc in v.accessories() {
            for m in mounts(acc.node).into_iter().filter(|m| m.kind == MountKind::File) {
                if m.source.is_empty() || opaque(&m.source) || app_file_exists(p, &root, &m.source) {
                    continue;
                }
                issues.push(Issue::new(
                    m.node.loc(),
                    m.source.clone(),
                    format!(
                        "`{}` does not exist in the app: Kamal cannot upload it, and booting the accessory fails",
                        m.source
                    ),
                    "Fix the local path (it is relative to the app root), or create the file.",
                ));
            }
        }
    });
}
