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
