//! Destroying the backups or the volume that holds the databases.

use crate::diag::Severity;
use crate::rules::{Area, Rule};

pub static DESTROY_BACKUPS: Rule = Rule {
    id: "G005",
    name: "destroy-backups",
    severity: Severity::Warning,
    area: Area::Bash,
    summary: "Removing the Litestream accessory, the app's storage volume, or the replica's objects in the bucket.",
    what: "Asks for confirmation before `kamal accessory remove litestream` (or `all`), `kamal remove`, `docker volume rm <app>_storage`, `docker volume prune`, and deletes under the replica's bucket and path from config/litestream.yml: `aws s3 rm`/`rb --force`, `s3cmd del -r`, `rclone purge|delete`, `mc rm --recursive`, `gsutil rm -r`.",
    why: "These remove the thing a restore needs: the replica history in the bucket, the volume with the live databases, or the accessory that keeps the backups current. None of them can be undone from the guard's side.",
    bad: "aws s3 rm --recursive s3://shopfront-backups/production\n",
    good: "aws s3 ls s3://shopfront-backups/production/\n",
    fix: "Make sure this is intended (and that another copy exists), then confirm.",
    check: None,
};
