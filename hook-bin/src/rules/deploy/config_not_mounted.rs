use crate::diag::{Severity, Sink};
use crate::project::Project;
use crate::rules::deploy::view::{
    app_file_exists, app_root, cmd_words, config_path, mounts, official_image, replicates_urls, report_views,
    same_path, Issue, MountKind,
};
use crate::rules::{Area, Rule};

pub static RULE: Rule = Rule {
    id: "K002",
    name: "config-not-mounted",
    severity: Severity::Error,
    area: Area::Deploy,
    summary: "The Litestream accessory does not mount a config file where Litestream reads it.",
    what: "Works out where Litestream in the accessory reads its config: the `-config` flag in `cmd`, else `LITESTREAM_CONFIG` in the accessory's clear env, else `/etc/litestream.yml`. Then requires a `files:` entry (or a mounted directory) that puts a file there. A `files:` entry that uploads a litestream config to another path is pointed out. `cmd: replicate DB_PATH REPLICA_URL` needs no config and is not checked, and an image other than `litestream/litestream` may carry its own config, so only a config uploaded to the wrong path is reported for it.",
    why: "Without the file at that path Litestream stops at start-up with `config file not found: /etc/litestream.yml`, and Docker restarts it forever: the accessory looks deployed, and nothing is backed up.",
    bad: "accessories:\n  litestream:\n    image: litestream/litestream:0.5.17\n    files:\n      - config/litestream.yml:/config/litestream.yml\n    cmd: replicate\n",
    good: "accessories:\n  litestream:\n    image: litestream/litestream:0.5.17\n    files:\n      - config/litestream.yml:/etc/litestream.yml\n    cmd: replicate\n",
    fix: "Mount config/litestream.yml at `/etc/litestream.yml` with `files:`, or point Litestream at the mounted path with `cmd: replicate -config /config/litestream.yml`.",
    check: Some(check),
};

fn check(p: &Project, out: &mut Sink) {
    // Single files given: litestream.yml may exist without having been passed.
    let have_config = p.litestream.is_some()
        || app_root(p).is_some_and(|r| app_file_exists(p, &r, "config/litestream.yml"))
        || p.root.is_none();
    report_views(p, out, |v, issues| {
        for acc in v.accessories() {
            if cmd_words(acc.node).is_some_and(|(_, w)| replicates_urls(&w)) {
                continue;
            }
            let (path, why) = config_path(acc.node);
            if path.contains('$') {
                continue;
            }
            let ms = mounts(acc.node);
            let mounted = ms.iter().any(|m| match m.kind {
                MountKind::File => same_path(&m.target, &path),
                _ => m.contains(&path),
            });
            if mounted {
                continue;
            }
            let elsewhere = ms
                .iter()
                .find(|m| m.kind == MountKind::File && m.source.contains("litestream"));
            match elsewhere {
                Some(m) => issues.push(Issue::new(
                    m.node.loc(),
                    "",
                    format!("`{}` is uploaded to `{}`, but Litestream reads `{path}` ({why}): it stops with `config file not found`", m.source, m.target),
                    format!("Mount it at `{path}` (`{}:{path}`), or start Litestream with `cmd: replicate -config {}`.", m.source, m.target),
                )),
                // A custom image may bake its config in; only the official one is known to need it.
                None if !official_image(&acc) => {}
                None => {
                    let (msg, help) = if have_config {
                        (
                            format!("the Litestream accessory mounts no config file at `{path}` ({why}): Litestream stops with `config file not found` and Docker restarts it forever"),
                            format!("Add `files: [\"config/litestream.yml:{path}\"]` to the accessory."),
                        )
                    } else {
                        (
                            format!("the Litestream accessory has no config: nothing is mounted at `{path}` ({why}) and the app has no config/litestream.yml; Litestream stops with `config file not found`"),
                            format!("Create config/litestream.yml and add `files: [\"config/litestream.yml:{path}\"]` to the accessory."),
                        )
                    };
                    issues.push(Issue::new(acc.name.loc(), "", msg, help));
                }
            }
        }
    });
}
