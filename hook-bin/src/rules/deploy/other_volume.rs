use crate::diag::{Severity, Sink};
use crate::kamal::deploy::app_volumes;
use crate::project::Project;
use crate::rules::deploy::view::{
    litestream_paths, mounts, opaque, rails_paths, report_views, shown, storage_probe_paths, storage_volumes, Issue,
    MountKind,
};
use crate::rules::{Area, Rule};

pub static RULE: Rule = Rule {
    id: "K006",
    name: "accessory-mounts-other-storage",
    severity: Severity::Error,
    area: Area::Deploy,
    summary: "The Litestream accessory mounts a different volume (or host path) than the one the app keeps its databases on.",
    what: "Finds the app's storage volume (the root `volumes:` entry that holds the production databases of config/database.yml, `/rails/storage` by default) and the accessory mount that holds litestream.yml's `dbs[].path`, and requires both to have the same source: the same Docker named volume, or the same absolute host path. Mount targets may differ.",
    why: "Two containers share files only through the same volume. An accessory that mounts `litestream_data:/rails/storage` while the app writes to `shopfront_storage` watches an empty volume: Litestream finds no database, and backs up nothing. Typos in the volume name (`shopfront-storage` vs `shopfront_storage`) do the same.",
    bad: "volumes:\n  - \"shopfront_storage:/rails/storage\"\naccessories:\n  litestream:\n    volumes:\n      - \"litestream_data:/rails/storage\"\n",
    good: "volumes:\n  - \"shopfront_storage:/rails/storage\"\naccessories:\n  litestream:\n    volumes:\n      - \"shopfront_storage:/rails/storage\"\n",
    fix: "Mount the app's own storage volume in the accessory (same name or host path as in the root `volumes:`).",
    check: Some(check),
};

fn check(p: &Project, out: &mut Sink) {
    let ls = litestream_paths(p);
    if ls.is_empty() {
        return;
    }
    let probes = storage_probe_paths(p);
    let rails_known = !rails_paths(p).is_empty();
    report_views(p, out, |v, issues| {
        let storage = storage_volumes(v.root, &probes);
        let all_app = app_volumes(v.root);
        for acc in v.accessories() {
            for m in mounts(acc.node) {
                let comparable = match m.kind {
                    MountKind::Volume => true,
                    MountKind::Directory { relative } => !relative,
                    MountKind::File => false,
                };
                if !comparable || opaque(&m.source) || !ls.iter().any(|l| m.contains(&l.path)) {
                    continue;
                }
                if all_app.iter().any(|(_, av)| m.same_source(av)) {
                    continue;
                }
                match storage.first() {
                    Some((node, sv)) => {
                        let at = p.file(node.src).display.clone();
                        issues.push(Issue::new(
                            m.node.loc(),
                            "",
                            format!(
                                "the accessory mounts `{}`, but the app keeps its databases on `{}` ({at}:{}): Litestream would watch a different, empty volume and back up nothing",
                                shown(&m.source),
                                shown(&sv.source),
                                node.pos.line
                            ),
                            format!("Mount the app's volume: `{}:{}`.", shown(&sv.source), shown(&m.target)),
                        ));
                    }
                    // database.yml's databases outside every volume are reported by R003.
                    None if rails_known => {}
                    None => issues.push(Issue::new(
                        m.node.loc(),
                        "",
                        format!(
                            "the accessory mounts `{}`, but the app mounts no volume over `/rails/storage`: its databases live inside the app container, where Litestream cannot see them",
                            shown(&m.source)
                        ),
                        format!("Add `volumes: [\"{}:/rails/storage\"]` at the top level of deploy.yml, so that the app and the accessory share it.", shown(&m.source)),
                    )),
                }
            }
        }
    });
}
