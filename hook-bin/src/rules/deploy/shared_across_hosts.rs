use crate::diag::{Severity, Sink};
use crate::litestream::dbs;
use crate::project::Project;
use crate::rules::deploy::view::{report_views, Issue};
use crate::rules::{Area, Rule};
use crate::yaml::Node;

pub static RULE: Rule = Rule {
    id: "K015",
    name: "replica-path-shared-by-hosts",
    severity: Severity::Warning,
    area: Area::Deploy,
    summary: "The Litestream accessory runs on several hosts, and every host replicates to the same replica paths.",
    what: "Counts the hosts the accessory runs on (`hosts:`, or the hosts of its `role`/`roles` in `servers:`). With more than one, checks that litestream.yml makes each replica destination (`url`, `path` or `bucket`) differ per host with `${KAMAL_HOST}` or `${HOSTNAME}`.",
    why: "Each host has its own storage volume, so each host's Litestream replicates a different database to the same bucket path. Litestream assumes one writer per replica path: the hosts overwrite each other's backups, retention deletes the other's files, and a restore brings back an arbitrary host's data.",
    bad: "accessories:\n  litestream:\n    roles: [web]   # web runs on 192.0.2.10 and 192.0.2.11\n# litestream.yml: url: s3://backups/production\n",
    good: "accessories:\n  litestream:\n    host: 192.0.2.10   # the one host with the database\n# or, per host: url: s3://backups/production/${KAMAL_HOST}\n",
    fix: "Run the accessory on the one host that holds the databases (`host:`), or make every replica path unique per host with `${KAMAL_HOST}` (set by Kamal 2.7+ in accessory containers).",
    check: Some(check),
};

fn check(p: &Project, out: &mut Sink) {
    let Some(ls) = p.litestream_root() else { return };
    let per_host = dbs(ls).iter().all(|db| {
        !db.replicas.is_empty()
            && db.replicas.iter().all(|r| {
                ["url", "path", "bucket"]
                    .iter()
                    .any(|k| r.node.get(k).and_then(Node::as_str).is_some_and(host_specific))
            })
    });
    if per_host || dbs(ls).iter().all(|db| db.replicas.is_empty()) {
        return;
    }
    report_views(p, out, |v, issues| {
        for acc in v.accessories() {
            let Some((key, hosts)) = hosts_of(v.root, acc.node) else {
                continue;
            };
            if hosts.len() < 2 {
                continue;
            }
            issues.push(Issue::new(
                key.loc(),
                "",
                format!(
                    "the Litestream accessory runs on {} hosts ({}), and litestream.yml gives each the same replica paths: every host overwrites the others' backups",
                    hosts.len(),
                    hosts.join(", ")
                ),
                "Run it on the one host that holds the databases (`host: …`), or add `${KAMAL_HOST}` to each replica path (Kamal 2.7+ sets it in accessories).",
            ));
        }
    });
}

/// A replica destination that differs per host: it uses the host's name.
fn host_specific(s: &str) -> bool {
    s.contains("$KAMAL_HOST") || s.contains("${KAMAL_HOST}") || s.contains("$HOSTNAME") || s.contains("${HOSTNAME}")
}

/// The selector key and the distinct hosts it resolves to (`tag`/`tags` are not resolved).
fn hosts_of<'a>(root: &Node, acc: &'a Node) -> Option<(&'a Node, Vec<String>)> {
    let mut out: Vec<String> = Vec::new();
    let mut add = |h: &str| {
        if !out.iter().any(|o| o == h) {
            out.push(h.to_string());
        }
    };
    if let Some(e) = acc.entry("hosts") {
        e.value
            .items()
            .unwrap_or(&[])
            .iter()
            .filter_map(Node::as_str)
            .for_each(&mut add);
        return Some((&e.key, out));
    }
    let (key, roles): (&Node, Vec<&str>) = if let Some(e) = acc.entry("role") {
        (&e.key, e.value.as_str().into_iter().collect())
    } else if let Some(e) = acc.entry("roles") {
        (
            &e.key,
            e.value.items().unwrap_or(&[]).iter().filter_map(Node::as_str).collect(),
        )
    } else {
        return None;
    };
    for role in roles {
        for h in role_hosts(root, role) {
            add(&h);
        }
    }
    Some((key, out))
}

/// Hosts of a role: `servers: [h…]` is the `web` role; `servers: {role: [h…] | {hosts: [h…]}}`;
/// a host may carry tags (`- 192.0.2.10: [tag]`).
fn role_hosts(root: &Node, role: &str) -> Vec<String> {
    let Some(servers) = root.get("servers") else {
        return Vec::new();
    };
    let list = match servers.items() {
        Some(items) if role == "web" => Some(items),
        Some(_) => None,
        None => servers
            .get(role)
            .and_then(|r| r.items().or_else(|| r.get("hosts").and_then(Node::items))),
    };
    list.unwrap_or(&[])
        .iter()
        .filter_map(|h| {
            h.as_str()
                .map(str::to_string)
                .or_else(|| h.entries()?.first()?.key.as_str().map(str::to_string))
        })
        .collect()
}
