use crate::diag::{Severity, Sink};
use crate::litestream::dbs;
use crate::litestream::expand::expand;
use crate::project::Project;
use crate::rails::database::Resolved;
use crate::rules::deploy::view::{accessory_paths_for, clean, mounts, rails_dbs_with, views};
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
    why: "Litestream assumes it is the only writer of a replica path. Staging and production writing the same path interleave their snapshots and WAL: retention deletes the other's files, and a production restore can bring back staging's data.",
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
    // (destination name, db path as written, replica node, target)
    let mut seen: Vec<(&str, String, &Node, String)> = Vec::new();
    for view in vs.iter().filter(|v| v.dest.is_some()) {
        if runner.kind == Kind::Accessory
            && !view
                .accessories()
                .iter()
                .any(|a| a.name.as_str() == runner.accessory.as_deref())
        {
            continue;
        }
        let env = env_of(p, &runner, Some(view), v);
        // The databases this destination's Rails really writes (its RAILS_ENV picks them), as
        // Litestream sees them: without database.yml, nothing can be compared.
        let app_env = env_of(
            p,
            &crate::runner::Runner {
                kind: Kind::Image,
                ..runner.clone()
            },
            Some(view),
            v,
        );
        let written: Vec<String> = rails_dbs_with(p, &app_env)
            .into_iter()
            .filter_map(|(_, r)| match r {
                Resolved::Path(path) => Some(path),
                Resolved::Unknown(_) => None,
            })
            .flat_map(|path| match runner.kind {
                Kind::Accessory => view
                    .accessories()
                    .iter()
                    .filter(|a| a.name.as_str() == runner.accessory.as_deref())
                    .flat_map(|a| accessory_paths_for(&view.root, &mounts(a.node), &path))
                    .collect::<Vec<_>>(),
                _ => vec![path],
            })
            .collect();
        if written.is_empty() {
            continue;
        }
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
            if !written.contains(&abs) {
                continue;
            }
            for r in db.replicas.iter().filter(|r| r.read_by(v)) {
                let Some(target) = r.target_with(root, v, &get) else {
                    continue;
                };
                let dest = view.dest.unwrap_or("");
                let clash = seen
                    .iter()
                    .find(|(d, path, _, t)| *d != dest && *path == db_path && *t == target)
                    .map(|(d, ..)| *d);
                match clash {
                    Some(other) => {
                        let at = r.node.get("path").or_else(|| r.node.get("url")).unwrap_or(r.node);
                        out.report(
                            at.loc(),
                            format!("destinations `{other}` and `{dest}` both replicate `{db_path}` to this same place: each overwrites the other's backups"),
                            "Make the replica path differ per destination, e.g. with a variable each deploy.<dest>.yml sets in `env.clear`.",
                        );
                    }
                    None => seen.push((dest, db_path.clone(), r.node, target)),
                }
            }
        }
    }
}
