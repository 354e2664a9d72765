//! Destroying the backups or the volume that holds the databases.

use crate::diag::Severity;
use crate::rules::{Area, Rule};

pub static DESTROY_BACKUPS: Rule = Rule {
    id: "G005",
    name: "destroy-backups",
    severity: Severity::Warning,
    area: Area::Bash,
    summary: "Removing the Litestream accessory, the app's storage volume, or the replica's objects in the bucket.",
    what: "Denies deletes aimed at what the config names: the app's storage volume (`docker volume rm <app>_storage`, also over `ssh` or `kamal server exec`), and objects under the replica's bucket and path from config/litestream.yml (`aws s3 rm`/`rb --force`/`mv`/`sync --delete`, `aws s3api delete-object(s)`/`delete-bucket`, `s3cmd del`/`rb`, `rclone purge|delete|sync|move`, `mc rm`/`rb`/`mirror --remove`, `gsutil rm`/`rsync -d`, `gcloud storage rm`). Asks before what may be them: `kamal accessory remove litestream` (or `all`), `kamal remove`, `docker volume prune`, `docker system prune --volumes`, a volume or bucket name built at run time, or a bucket whose name says backups when no replica is configured.",
    why: "These remove the thing a restore needs: the replica history in the bucket, the volume with the live databases, or the accessory that keeps the backups current. None of them can be undone from the guard's side.",
    bad: "aws s3 rm --recursive s3://shopfront-backups/production\n",
    good: "aws s3 ls s3://shopfront-backups/production/\n",
    fix: "Nothing in a restore needs these. When it is really meant, check that another copy exists and run it yourself; the asked ones can be confirmed.",
    check: None,
};
