use crate::diag::{Severity, Sink};
use crate::litestream::dbs;
use crate::litestream::expand::expand;
use crate::project::Project;
use crate::rails::database::Resolved;
use crate::rules::deploy::view::{accessory_paths_for, clean, mounts, opaque, rails_dbs_with, views};
use crate::rules::{Area, Rule};
use crate::runner::env::of as env_of;
use crate::runner::Kind;
use crate::yaml::Node;

pub static RULE: Rule = Rule {
    id: "K017",
    name: "replica-path-shared-by-destinations",
    severity: Severity::Error,
    area: Area::Deploy,
    summary: "Two Kamal destinations (e.g. staging and production) replicate their databases to the same bucket and path.",
    what: "Each destination (`deploy.<dest>.yml` merged over `deploy.yml`) is a deployment of its own, with its own hosts, volume and databases. For every destination that runs Litestream, takes the databases its Rails really writes (database.yml's section for that destination's `RAILS_ENV`), expands each of their replicas' destinations (type, bucket, endpoint, path) with that destination's environment, and reports two destinations whose replicas end up at the same place. Values Litestream only learns at run time (secrets) are never assumed equal, and a litestream.yml entry for a database a destination does not use (e.g. `staging.sqlite3` on production) does not count.",
    why: "Litestream assumes it is the only writer of a replica path, and one Litestream per database. Staging and production writing the same path interleave their snapshots and WAL: retention deletes the other's files, and a production restore can bring back staging's data. Two destinations on one host that mount the same volume share their database files, so each one's Litestream replicates the other's databases too.",
    bad: "# config/litestream.yml: url: s3://shopfront-backups/production\n# config/deploy.staging.yml and config/deploy.production.yml both run the accessory with this file\n",
    good: "# config/litestream.yml: url: s3://shopfront-backups/${KAMAL_DESTINATION}/production\n# or a bucket per destination: bucket: ${LITESTREAM_BUCKET}, set differently in each deploy.<dest>.yml\n",
    fix: "Make the replica path differ per destination: a variable each destination sets to its own value (in `env.clear` of deploy.<dest>.yml), or a separate litestream.yml per destination.",
    check: Some(check),
};

fn check(p: &Project, out: &mut Sink) {
    let Some(root) = p.litestream_root() else { return };
    let Some(runner) = p.model.primary().cloned() else {
        return;
    };
    let vs = views(p);
    if vs.iter().filter(|v| v.dest.is_some()).count() < 2 || runner.no_expand_env {
        return;
    }
    let v = p.chosen_version();
    let app_runner = crate::runner::Runner {
        kind: Kind::Image,
        ..runner.clone()
    };
    struct Dep<'v> {
        dest: &'v str,
        view: &'v crate::kamal::view::View<'v>,
        /// Database files on this deployment's disk, as Litestream sees them.
        files: Vec<String>,
        /// (host, volume source) pairs that hold them.
        disks: Vec<(String, String)>,
    }
    let mut deps: Vec<Dep> = Vec::new();
    for view in vs.iter().filter(|v| v.dest.is_some()) {
        if runner.kind == Kind::Accessory
            && !view
                .accessories()
                .iter()
                .any(|a| a.name.as_str() == runner.accessory.as_deref())
        {
            continue;
        }
        // The databases this destination's Rails really writes (its RAILS_ENV picks them).
        let app_env = env_of(p, &app_runner, Some(view), v);
        let app_paths: Vec<String> = rails_dbs_with(p, &app_env)
            .into_iter()
            .filter_map(|(_, r)| match r {
                Resolved::Path(path) => Some(path),
                Resolved::Unknown(_) => None,
            })
            .collect();
        let files: Vec<String> = app_paths
            .iter()
            .flat_map(|path| match runner.kind {
                Kind::Accessory => view
                    .accessories()
                    .iter()
                    .filter(|a| a.name.as_str() == runner.accessory.as_deref())
                    .flat_map(|a| accessory_paths_for(view.root, &mounts(a.node), path))
                    .collect::<Vec<_>>(),
                _ => vec![path.clone()],
            })
            .collect();
        let hosts = crate::kamal::hosts(view.root);
        let disks = crate::kamal::deploy::app_volumes(view.root)
            .into_iter()
            .filter(|(_, vol)| app_paths.iter().any(|p| vol.contains(p)) && !opaque(&vol.source))
            .flat_map(|(_, vol)| {
                hosts
                    .iter()
                    .map(move |h| (h.clone(), vol.source.trim_end_matches('/').to_string()))
            })
            .collect();
        deps.push(Dep {
            dest: view.dest.unwrap_or(""),
            view,
            files,
            disks,
        });
    }
    // Deployments on the same host with the same volume share their database files: each one's
    // Litestream then sees the other's files too.
    let on_disk: Vec<Vec<String>> = deps
        .iter()
        .map(|d| {
            let mut f = d.files.clone();
            for o in deps.iter().filter(|o| o.disks.iter().any(|k| d.disks.contains(k))) {
                f.extend(o.files.iter().cloned());
            }
            f
        })
        .collect();
    // (deployment, db path as written, target) of every replica seen, and the clashes found:
    // one finding per pair of deployments, at the first clashing replica, naming every database.
    let mut seen: Vec<(usize, String, String)> = Vec::new();
    let mut clashes: Vec<((usize, usize), crate::source::Loc, Vec<String>)> = Vec::new();
    for (i, dep) in deps.iter().enumerate() {
        let env = env_of(p, &runner, Some(dep.view), v);
        let get = |n: &Node| -> Option<String> {
            if n.is_erb() {
                return None;
            }
            expand(n.written()?, |name| env.lookup(name)).value
        };
        for db in dbs(root) {
            let Some(db_path) = db.path.and_then(&get) else {
                continue;
            };
            let abs = if db_path.starts_with('/') {
                clean(&db_path)
            } else {
                clean(&format!("{}/{db_path}", runner.cwd))
            };
            if !on_disk[i].contains(&abs) {
                continue;
            }
            for r in db.replicas.iter().filter(|r| r.read_by(v)) {
                let Some(target) = r.target_with(root, v, &get) else {
                    continue;
                };
                let clash = seen
                    .iter()
                    .find(|(j, path, t)| *j != i && *path == db_path && *t == target)
                    .map(|(j, ..)| *j);
                match clash {
                    Some(j) => {
                        let at = r.node.get("path").or_else(|| r.node.get("url")).unwrap_or(r.node);
                        match clashes.iter_mut().find(|c| c.0 == (j, i)) {
                            Some(c) => c.2.push(db_path.clone()),
                            None => clashes.push(((j, i), at.loc(), vec![db_path.clone()])),
                        }
                    }
                    None => seen.push((i, db_path.clone(), target)),
                }
            }
        }
    }
    for ((j, i), loc, paths) in clashes {
        let (a, b) = (deps[j].dest, deps[i].dest);
        let list: Vec<String> = paths.iter().map(|p| format!("`{p}`")).collect();
        let shared = deps[j].disks.iter().find(|k| deps[i].disks.contains(k));
        let (message, help) = match shared {
            Some((host, source)) => (
                format!(
                    "destinations `{a}` and `{b}` run on {host} with the same `{source}` volume, so two Litestreams replicate {} to the same places and break each other's backups",
                    list.join(", ")
                ),
                "Give each destination its own volume (and its own replica paths), or list in litestream.yml only the databases of the one deployment that should replicate them.",
            ),
            None => (
                format!("destinations `{a}` and `{b}` both replicate {} to the same places: each overwrites the other's backups", list.join(", ")),
                "Make the replica paths differ per destination, e.g. with a variable each deploy.<dest>.yml sets in `env.clear`.",
            ),
        };
        out.report(loc, message, help);
    }
}
