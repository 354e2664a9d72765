use crate::diag::{Severity, Sink};
use crate::project::Project;
use crate::rules::deploy::view::{
    litestream_paths, mounts, report_views, service_name, shown, storage_probe_paths, storage_volumes, Issue, MountKind,
};
use crate::rules::{Area, Rule};

pub static RULE: Rule = Rule {
    id: "K008",
    name: "relative-database-directory",
    severity: Severity::Error,
    area: Area::Deploy,
    summary: "The Litestream accessory mounts the database directory with `directories:` and a relative host path.",
    what: "Reports `directories:` entries of the accessory whose host side is relative and whose container side holds a `dbs[].path` of litestream.yml (or `/rails/storage` when litestream.yml names none).",
    why: "Kamal turns a relative `directories:` host path into `$PWD/<service>-litestream/<path>` in the deploy user's home: a new, empty directory of the accessory, not the app's storage volume. Litestream then watches an empty directory, and `kamal accessory remove` deletes it with `rm -rf`.",
    bad: "accessories:\n  litestream:\n    directories:\n      - storage:/rails/storage\n",
    good: "accessories:\n  litestream:\n    volumes:\n      - \"shopfront_storage:/rails/storage\"\n",
    fix: "Use `volumes:` with the app's storage volume (the same named volume or absolute host path as the app's root `volumes:`).",
    check: Some(check),
};

fn check(p: &Project, out: &mut Sink) {
    let ls = litestream_paths(p);
    let probes = storage_probe_paths(p);
    report_views(p, out, |v, issues| {
        let storage = storage_volumes(v.root, &probes);
        for acc in v.accessories() {
            for m in mounts(acc.node) {
                if m.kind != (MountKind::Directory { relative: true }) {
                    continue;
                }
                let holds_db = if ls.is_empty() {
                    probes.iter().any(|p| m.contains(p))
                } else {
                    ls.iter().any(|l| m.contains(&l.path))
                };
                if !holds_db {
                    continue;
                }
                let service = service_name(v.root, &acc);
                let fix = match storage.first() {
                    Some((_, sv)) => format!("Replace it with `volumes: [\"{}:{}\"]`, the app's storage volume.", shown(&sv.source), shown(&m.target)),
                    None => "Replace it with `volumes:` naming the app's storage volume (the same one as the app's root `volumes:`).".to_string(),
                };
                issues.push(Issue::new(
                    m.node.loc(),
                    "",
                    format!(
                        "`directories:` mounts the database directory from the relative host path `{}`: Kamal creates `$PWD/{service}/{}`, an empty directory, not the app's storage volume",
                        shown(&m.source),
                        shown(m.source.trim_start_matches("./"))
                    ),
                    fix,
                ));
            }
        }
    });
}
