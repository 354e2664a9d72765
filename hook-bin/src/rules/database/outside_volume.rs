use crate::diag::{Severity, Sink};
use crate::kamal::deploy::app_volumes;
use crate::project::Project;
use crate::rules::deploy::view::{rails_paths, report_views, shown, Issue};
use crate::rules::{Area, Rule};

pub static RULE: Rule = Rule {
    id: "R003",
    name: "database-outside-storage-volume",
    severity: Severity::Error,
    area: Area::Database,
    summary: "A production SQLite database of config/database.yml lies on no volume of config/deploy.yml.",
    what: "Maps each production SQLite database into the app container (`storage/x.sqlite3` → `/rails/storage/x.sqlite3`, as the Rails Dockerfile's `WORKDIR /rails` makes it) and requires a root `volumes:` entry of deploy.yml whose container path contains it.",
    why: "Outside a volume the database lives in the app container's own filesystem: every `kamal deploy` starts a new container with an empty database (which `bin/docker-entrypoint` then creates with `db:prepare`), and the Litestream accessory, a separate container, cannot see the file at all.",
    bad: "# database.yml: database: db/production.sqlite3\nvolumes:\n  - \"shopfront_storage:/rails/storage\"\n",
    good: "# database.yml: database: storage/production.sqlite3\nvolumes:\n  - \"shopfront_storage:/rails/storage\"\n",
    fix: "Keep the databases under `storage/` and mount a volume there (`volumes: [\"<service>_storage:/rails/storage\"]`, the Rails 8 default), or add a volume for the directory database.yml uses.",
    check: Some(check),
};

fn check(p: &Project, out: &mut Sink) {
    let rails = rails_paths(p);
    if rails.is_empty() {
        return;
    }
    report_views(p, out, |v, issues| {
        let vols = app_volumes(v.root);
        for db in &rails {
            if vols.iter().any(|(_, vol)| vol.contains(&db.path)) {
                continue;
            }
            let file = db.path.rsplit('/').next().unwrap_or("production.sqlite3");
            let dir = db.path.rsplit_once('/').map_or("/rails/storage", |(d, _)| d);
            let help = match vols.iter().find(|(_, vol)| vol.target.starts_with("/rails/")) {
                Some((_, vol)) => format!(
                    "Keep the database on the app's volume `{}`: `database: {}/{file}`, or mount a volume over `{dir}` too.",
                    vol.source,
                    vol.target.trim_start_matches("/rails/").trim_end_matches('/')
                ),
                None => {
                    let service = v.root.get("service").and_then(|s| s.as_str()).map_or("<service>".to_string(), shown);
                    format!("Mount a volume over `{dir}`: `volumes: [\"{service}_storage:{dir}\"]` at the top level of deploy.yml.")
                }
            };
            issues.push(Issue::new(
                db.node.loc(),
                "",
                format!(
                    "production database `{}` (`{}`, at `{}` in the app container) is on no volume of deploy.yml: each deploy starts with an empty database, and the Litestream accessory cannot see it",
                    db.name, db.written, db.path
                ),
                help,
            ));
        }
    });
}
