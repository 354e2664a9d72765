use crate::diag::{Severity, Sink};
use crate::project::Project;
use crate::rules::deploy::view::{accessory_version, report_views, shown, Issue};
use crate::rules::{Area, Rule};
use crate::version::Line;

pub static RULE: Rule = Rule {
    id: "K013",
    name: "databases-health-check",
    severity: Severity::Info,
    area: Area::Deploy,
    summary: "The Litestream accessory's health check runs `litestream databases`, which proves nothing about replication.",
    what: "Looks at the accessory's `options` for a Docker health command (`health-cmd`) that runs `litestream databases`, and suggests a check that fails when backups stop, chosen for the pinned Litestream version.",
    why: "`litestream databases` only parses the config and lists the databases in it; it succeeds while every upload fails (read-only mount, wrong credentials, unreachable bucket). `litestream status` (0.5.6+) is no better as a health command: it shows local state only and exits 0 even for a database that is `not initialized` (measured on 0.5.17). What proves replication is an upload that succeeded recently. Litestream 0.5.6+ has that built in: with `heartbeat-url` it calls the URL only when every database has synced to its replica within `heartbeat-interval` (verified on 0.5.17: the ping came with a working replica and never with an unreachable one), so an external dead-man's-switch monitor (healthchecks.io, Uptime Kuma push, Cronitor) alerts when backups stop. On 0.3 expose metrics with `addr:` and alert on `litestream_sync_error_count` and a stalled `litestream_replica_wal_offset`.",
    bad: "accessories:\n  litestream:\n    image: litestream/litestream:0.5.17\n    options:\n      health-cmd: litestream databases\n",
    good: "# config/litestream.yml (Litestream 0.5.6+)\nheartbeat-url: ${LITESTREAM_HEARTBEAT_URL}\nheartbeat-interval: 5m\n",
    fix: "On 0.5.6+: set `heartbeat-url` (and `heartbeat-interval`, at least 1m) in litestream.yml to a dead-man's-switch monitor, pass the URL through the accessory's env, and drop the health check. On 0.3 or 0.5.0–0.5.5: monitor the metrics endpoint (`addr:`) from outside, or upgrade.",
    check: Some(check),
};

fn check(p: &Project, out: &mut Sink) {
    let heartbeat = p.litestream_root().is_some_and(|r| r.get("heartbeat-url").is_some());
    report_views(p, out, |v, issues| {
        for acc in v.accessories() {
            let Some(opts) = acc.node.get("options").and_then(|o| o.entries()) else {
                continue;
            };
            for e in opts {
                let Some(k) = e.key.as_str() else { continue };
                if !matches!(k, "health-cmd" | "health_cmd") {
                    continue;
                }
                let Some(cmd) = e.value.as_str() else { continue };
                let words: Vec<&str> = cmd.split_whitespace().collect();
                if !words
                    .windows(2)
                    .any(|w| w[0].ends_with("litestream") && w[1] == "databases")
                {
                    continue;
                }
                let ver = accessory_version(p, &acc);
                let help = if heartbeat {
                    "litestream.yml already sets `heartbeat-url`, which alerts when uploads stop; drop this health check.".to_string()
                } else if ver.line == Line::V05 && ver.v05_at_least(6) {
                    let shown_ver = if ver.patch.is_some() {
                        ver.to_string()
                    } else {
                        "0.5.6+".to_string()
                    };
                    format!("Litestream {shown_ver} has `heartbeat-url`: set it (with `heartbeat-interval: 5m`) in litestream.yml to a dead-man's-switch monitor such as healthchecks.io; Litestream calls it only while every database uploads successfully. `litestream status` is no substitute: it exits 0 even for an uninitialized database.")
                } else {
                    format!("Litestream {ver} has no command that checks uploads: expose metrics with `addr: \":9090\"` and alert from outside when `litestream_sync_error_count` grows, or upgrade to 0.5.6+ and use `heartbeat-url`.")
                };
                issues.push(Issue::new(
                    e.value.loc(),
                    "",
                    format!("`{k}: {}` only lists the databases in the config: it passes while replication fails (read-only mount, wrong credentials, unreachable bucket)", shown(cmd)),
                    help,
                ));
            }
        }
    });
}
