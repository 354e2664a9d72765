//! The production databases of a Rails app, from `config/database.yml`.

use crate::yaml::Node;

/// One production database entry (`primary`, `cache`, `queue`, `cable`, …).
#[derive(Debug, Clone, Copy)]
pub struct RailsDb<'a> {
    pub name: &'a str,
    /// The entry's mapping (for positions).
    pub node: &'a Node,
    pub adapter: Option<&'a Node>,
    pub database: Option<&'a Node>,
}

impl RailsDb<'_> {
    pub fn is_sqlite(&self) -> bool {
        self.adapter
            .and_then(Node::as_str)
            .is_some_and(|a| a.starts_with("sqlite"))
    }

    /// Where the app opens the file inside the Rails container (`WORKDIR /rails`).
    pub fn container_path(&self) -> Option<String> {
        let db = self.database?.as_str()?;
        if self.database?.is_erb() {
            return None;
        }
        Some(container_path(db))
    }
}

/// `storage/x.sqlite3` → `/rails/storage/x.sqlite3`; absolute paths stay as they are.
pub fn container_path(db: &str) -> String {
    if db.starts_with('/') {
        db.to_string()
    } else {
        format!("/rails/{}", db.trim_start_matches("./"))
    }
}

/// The production section's databases. A single-database app (`production: {adapter, database}`)
/// gives one entry named `primary`.
pub fn production_dbs(root: &Node) -> Vec<RailsDb<'_>> {
    env_dbs(root, "production")
}

/// The databases of one environment's section (`development`, `production`, …).
pub fn env_dbs<'a>(root: &'a Node, env: &str) -> Vec<RailsDb<'a>> {
    let Some(prod) = root.get(env) else {
        return Vec::new();
    };
    if prod.get("database").is_some() || prod.get("adapter").is_some() {
        return vec![RailsDb {
            name: "primary",
            node: prod,
            adapter: prod.get("adapter"),
            database: prod.get("database"),
        }];
    }
    prod.entries()
        .unwrap_or(&[])
        .iter()
        .filter(|e| e.value.entries().is_some())
        .filter_map(|e| {
            Some(RailsDb {
                name: e.key.as_str()?,
                node: &e.value,
                adapter: e.value.get("adapter"),
                database: e.value.get("database"),
            })
        })
        .collect()
}
