use crate::diag::{Severity, Sink};
use crate::project::Project;
use crate::rules::{Area, Rule};

pub static RULE: Rule = Rule {
    id: "A004",
    name: "replication-in-background",
    severity: Severity::Warning,
    area: Area::Runner,
    summary: "An entrypoint script starts `litestream replicate … &` in the background, so nothing watches it.",
    what: "Looks at the command that starts replication in the image's entrypoint script (or another script the Dockerfile runs) and reports it when it ends with `&`: Litestream then runs beside the app instead of around it.",
    why: "Started with `&`, Litestream's exit goes unnoticed: a bad credential, a config error or a crash leaves the app serving with no backups, and the container looks healthy. At shutdown the container is stopped without Litestream's final sync, so the last writes are not uploaded. `litestream replicate -exec` runs the app as Litestream's child: when either exits, both stop, and Litestream syncs before it exits.",
    bad: "#!/bin/bash\nlitestream replicate -config /etc/litestream.yml &\nexec ./bin/rails server\n",
    good: "#!/bin/bash\nexec litestream replicate -config /etc/litestream.yml -exec \"./bin/rails server\"\n",
    fix: "Run the app under Litestream with `exec litestream replicate -exec \"<the server command>\"`, or use a supervisor that restarts Litestream and stops the app with it.",
    check: Some(check),
};

fn check(p: &Project, out: &mut Sink) {
    if p.litestream_root().is_none() {
        return;
    }
    for r in &p.model.runners {
        let Some(start) = &r.start else { continue };
        if !p.app.scripts.contains(&start.loc.src) {
            continue;
        }
        let t = start.text.trim_end();
        if t.ends_with('&') && !t.ends_with("&&") {
            out.report(
                start.loc,
                format!("`{t}` runs Litestream in the background: if it exits, the app keeps serving with no backups, and at shutdown its last writes are not uploaded"),
                "Run the app under Litestream: `exec litestream replicate -exec \"<the server command>\"`.",
            );
        }
    }
}
