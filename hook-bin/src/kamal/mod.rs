//! Kamal: `config/deploy*.yml` (read the way Kamal reads it) and `.kamal/secrets*`. The rules are
//! written for Kamal 2; [`kamal1`] tells the Kamal 1 apps that are still common apart.

pub mod deploy;
pub mod secrets;
pub mod view;

use crate::project::Project;

/// Why the app looks like a Kamal 1 app (`None`: Kamal 2, or no Kamal config): deploy.yml asks
/// for Kamal 1 (`minimum_version: 1.x`), configures Traefik (Kamal 1's proxy; Kamal 2 has
/// `proxy:`), or the env comes from Kamal 1's `.env.erb` with no Kamal 2 secrets file.
pub fn kamal1(p: &Project) -> Option<String> {
    let base = p.deploy.as_ref()?.root.as_ref()?;
    if let Some(v) = base.get("minimum_version").and_then(crate::yaml::Node::as_str) {
        if v.trim().starts_with("1.") {
            return Some(format!("`minimum_version: {v}`"));
        }
    }
    if base.get("traefik").is_some() && base.get("proxy").is_none() {
        return Some("`traefik:` (Kamal 1's proxy)".into());
    }
    if p.app.env_erb.is_some() && p.secrets.is_empty() {
        return Some("`.env.erb` and no `.kamal/secrets`".into());
    }
    None
}

/// The Rails generator's deploy.yml left as generated (`image: your-user/…`, or every server at
/// the placeholder `192.168.0.1`): the app is deployed some other way, and this file says
/// nothing about the real deployment's environment.
pub fn placeholder(root: &crate::yaml::Node) -> bool {
    use crate::yaml::Node;
    if root
        .get("image")
        .and_then(Node::as_str)
        .is_some_and(|i| i.starts_with("your-user/"))
    {
        return true;
    }
    let hosts = hosts(root);
    !hosts.is_empty() && hosts.iter().all(|h| h == "192.168.0.1" || h == "192.168.0.2")
}

/// Every host of every role in `servers:` (a host may carry tags: `- 192.0.2.10: [tag]`).
pub fn hosts(root: &crate::yaml::Node) -> Vec<String> {
    use crate::yaml::Node;
    let mut out: Vec<String> = Vec::new();
    for role in deploy::roles(root) {
        let list = match (role.node, role.list) {
            (Some(n), _) => n.get("hosts").and_then(Node::items).unwrap_or(&[]),
            (None, Some(l)) => l.items().unwrap_or(&[]),
            (None, None) => &[],
        };
        for h in list {
            if let Some(h) = h
                .as_str()
                .or_else(|| h.entries().and_then(|e| e.first()).and_then(|e| e.key.as_str()))
            {
                if !out.iter().any(|o| o == h) {
                    out.push(h.to_string());
                }
            }
        }
    }
    out
}
