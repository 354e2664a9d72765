use crate::diag::{Severity, Sink};
use crate::project::Project;
use crate::rules::deploy::view::{
    litestream_paths, mounts, report_views, shown, storage_probe_paths, storage_volumes, Issue,
};
use crate::rules::{Area, Rule};

pub static RULE: Rule = Rule {
    id: "K007",
    name: "database-outside-accessory-mounts",
    severity: Severity::Error,
    area: Area::Deploy,
    summary: "A `dbs[].path` of litestream.yml is not inside any volume the Litestream accessory mounts.",
    what: "For each absolute `dbs[].path` (or `dir`) in litestream.yml, requires an accessory `volumes:` or `directories:` mount whose container path contains it.",
    why: "The path in litestream.yml is a path inside the Litestream container. Outside every mount it names the container's own throw-away filesystem, where the app's database does not exist: Litestream has nothing to replicate. The usual cause is a mount at another path (`storage:/data`) while litestream.yml keeps the app's path (`/rails/storage/…`).",
    bad: "# litestream.yml: path: /rails/storage/production.sqlite3\naccessories:\n  litestream:\n    volumes:\n      - \"shopfront_storage:/data\"\n",
    good: "accessories:\n  litestream:\n    volumes:\n      - \"shopfront_storage:/rails/storage\"\n",
    fix: "Mount the app's storage volume at the directory litestream.yml names (the Rails default is `/rails/storage`), or change the paths in litestream.yml to where the volume is mounted.",
    check: Some(check),
};

fn check(p: &Project, out: &mut Sink) {
    let ls = litestream_paths(p);
    let probes = storage_probe_paths(p);
    report_views(p, out, |v, issues| {
        let storage = storage_volumes(v.root, &probes);
        for acc in v.accessories() {
            let ms: Vec<_> = mounts(acc.node).into_iter().filter(|m| m.holds_dirs()).collect();
            for l in &ls {
                if ms.iter().any(|m| m.contains(&l.path)) {
                    continue;
                }
                let dir = l
                    .path
                    .rsplit_once('/')
                    .map_or("/", |(d, _)| if d.is_empty() { "/" } else { d });
                let have = if ms.is_empty() {
                    "the accessory mounts no volume".to_string()
                } else {
                    let list: Vec<String> = ms.iter().map(|m| format!("`{}`", m.written())).collect();
                    format!("the accessory mounts only {}", list.join(", "))
                };
                let help = match storage.first() {
                    Some((_, sv)) => format!("Mount the app's storage volume there: `volumes: [\"{}:{dir}\"]`, or change the path to where it is mounted.", shown(&sv.source)),
                    None => format!("Mount the volume that holds the database at `{dir}`, or change the path to where it is mounted."),
                };
                issues.push(Issue::new(
                    l.node.loc(),
                    "",
                    format!("`{}` is not inside any volume of the Litestream accessory ({have}): Litestream looks in its own container, where the database does not exist", l.path),
                    help,
                ));
            }
        }
    });
}
