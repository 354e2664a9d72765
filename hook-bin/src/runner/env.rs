//! The environment Litestream's process gets, per runner and per deployment, as far as the app's
//! files tell: which variables are set, to what (when it is written down), and whether the
//! picture is complete enough to say that a variable is set by nothing.
//!
//! - Accessory: its own `env` (`clear` values, `secret` names; accessories do not inherit the
//!   app's env), plus what Docker and Kamal set in every container.
//! - Gem and image: the app container's env, i.e. the Dockerfile's `ENV`, deploy.yml's root
//!   `env` and the role's `env`, and for the gem the variables it exports from its settings.
//!
//! A value is never taken from a secrets file: secrets are "set, value unknown".

use super::{gem, Fact, Kind, Runner};
use std::collections::BTreeMap;

use crate::app::dockerfile::Dockerfile;
use crate::app::{gems, ruby};
use crate::kamal::deploy::{litestream_accessories, roles};
use crate::kamal::view::{env as kamal_env, views, View};
use crate::litestream::expand::Var;
use crate::project::Project;
use crate::version::Version;
use crate::yaml::Node;

/// Where a variable's value comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Provided {
    /// A value written in a file (deploy.yml `env.clear`, a Dockerfile `ENV`, a gem setting).
    Value(String, Fact),
    /// Set, but its value is not in the files (a Kamal secret, a credential, a runtime value).
    Set(Fact),
    /// Set by Docker, Kamal or Litestream itself in every container.
    Runtime(&'static str),
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Env {
    /// The last setting of each name (a later one wins). A map: deployments can set tens of
    /// thousands, and lookups must stay cheap.
    vars: BTreeMap<String, Provided>,
    /// Every source of variables is known: a name not in `vars` is unset.
    pub complete: bool,
}

impl Env {
    pub fn new(vars: Vec<(String, Provided)>, complete: bool) -> Env {
        let mut e = Env {
            complete,
            ..Env::default()
        };
        for (k, p) in vars {
            e.set(k, p);
        }
        e
    }

    /// Every variable and where its value comes from, by name.
    pub fn vars(&self) -> impl Iterator<Item = (&String, &Provided)> {
        self.vars.iter()
    }

    pub fn source(&self, name: &str) -> Option<&Provided> {
        self.vars.get(name)
    }

    pub fn lookup(&self, name: &str) -> Var<'_> {
        match self.source(name) {
            Some(Provided::Value(v, _)) => Var::Known(v.as_str().into()),
            Some(_) => Var::Unknown,
            None if self.complete => Var::Unset,
            None => Var::Unknown,
        }
    }

    fn set(&mut self, name: impl Into<String>, p: Provided) {
        self.vars.insert(name.into(), p);
    }
}

/// A condition on the Puma plugin that holds in production (`when "production"`, a case header,
/// `if ENV["RAILS_ENV"] == "production"`, `if Rails.env.production?`).
pub fn production_condition(text: &str) -> bool {
    let t = text.trim();
    if t.starts_with("case ") {
        return true;
    }
    let quoted = |s: &str| s.contains("\"production\"") || s.contains("'production'");
    (t.starts_with("when ") && quoted(t))
        || ((t.starts_with("if ") && (t.contains("Rails.env.production?") || (quoted(t) && t.contains("=="))))
            && !t.contains("||")
            && !t.contains("&&"))
}

/// Whether a Ruby condition on the Puma plugin line holds, given the app's environment: the
/// forms `ENV["X"] == "v"`, `ENV["X"] != "v"`, `ENV["X"]`, `ENV["X"].present?`, `ENV.fetch("X", d) …`,
/// negated by `unless`. `Err(name)` when `ENV.fetch(name)` without a default raises because
/// nothing sets it (Puma then does not boot); `Ok(None)` when it cannot be told.
pub fn condition_holds(text: &str, env: &Env) -> Result<Option<bool>, String> {
    let t = text.trim();
    let (negate, expr) = match (t.strip_prefix("if "), t.strip_prefix("unless ")) {
        (Some(e), _) => (false, e.trim()),
        (_, Some(e)) => (true, e.trim()),
        _ => return Ok(None),
    };
    let (lhs, op, rhs) = match [" == ", " != "]
        .iter()
        .find_map(|op| expr.split_once(op).map(|(a, b)| (a, *op, b)))
    {
        Some((a, op, b)) => (a.trim(), Some(op.trim()), Some(b.trim())),
        None => (expr, None, None),
    };
    // `ENV.fetch("X")&.length > 0`, `ENV["X"].present?`: only whether it is set and non-empty.
    let base = lhs
        .split_once("&.")
        .map(|(b, _)| b)
        .or_else(|| lhs.strip_suffix(".present?"))
        .unwrap_or(lhs)
        .trim();
    let only_set = base != lhs || (op.is_none() && rhs.is_none());
    let ruby::RubyValue::Env { name, default } = ruby::ruby_value(base) else {
        return Ok(None);
    };
    let value = match env.lookup(&name) {
        Var::Known(v) => Some(v.into_owned()),
        Var::Unset => match (&default, base.starts_with("ENV.fetch")) {
            (Some(d), _) => Some(d.clone()),
            (None, true) => return Err(name),
            (None, false) => None,
        },
        Var::Unknown => return Ok(None),
    };
    let holds = if only_set && op.is_none() {
        value.is_some_and(|v| !v.is_empty())
    } else {
        let Some(want) = rhs.and_then(ruby::string_literal) else {
            return Ok(None);
        };
        let eq = value.as_deref() == Some(want.as_str());
        if op == Some("==") {
            eq
        } else {
            !eq
        }
    };
    Ok(Some(holds != negate))
}

/// What Docker and Kamal set in every container.
const RUNTIME: &[(&str, &str)] = &[
    ("HOSTNAME", "Docker"),
    ("HOME", "Docker"),
    ("PATH", "Docker"),
    ("KAMAL_HOST", "Kamal 2.7+"),
    ("KAMAL_VERSION", "Kamal"),
    ("KAMAL_CONTAINER_NAME", "Kamal"),
    ("KAMAL_SERVICE", "Kamal"),
    ("KAMAL_DESTINATION", "Kamal"),
    ("KAMAL_ROLE", "Kamal"),
];

fn add_kamal_env(e: &mut Env, node: Option<&Node>) -> bool {
    let Some(node) = node else { return true };
    let k = kamal_env(node);
    for (key, value) in &k.clear {
        let Some(name) = key.as_str() else { continue };
        let fact = Fact {
            loc: value.loc(),
            text: format!("`{name}` in `env.clear`"),
        };
        match value.as_str() {
            Some(v) if !value.is_erb() && !v.contains('$') && value.scalar().is_some() => {
                e.set(name, Provided::Value(v.to_string(), fact))
            }
            _ => e.set(name, Provided::Set(fact)),
        }
    }
    for s in &k.secret {
        e.set(
            s.name.clone(),
            Provided::Set(Fact {
                loc: s.node.loc(),
                text: format!("`{}` in `env.secret`", s.name),
            }),
        );
    }
    !k.opaque
}

/// The environment of `runner`'s Litestream in one deployment (`view`; `None` without Kamal).
pub fn of(p: &Project, runner: &Runner, view: Option<&View>, version: Version) -> Env {
    let mut e = Env::default();
    for (name, who) in RUNTIME {
        e.set(*name, Provided::Runtime(who));
    }
    if version.v05_at_least(7) {
        e.set("PID", Provided::Runtime("Litestream 0.5.7+"));
    }
    match runner.kind {
        Kind::Accessory => {
            let Some(view) = view else { return e };
            if crate::kamal::placeholder(view.root) {
                return e;
            }
            let acc = litestream_accessories(view.root)
                .into_iter()
                .find(|a| a.name.as_str() == runner.accessory.as_deref());
            e.complete = match acc {
                Some(a) => add_kamal_env(&mut e, Some(a.node)),
                None => false,
            };
        }
        Kind::Gem | Kind::Image => {
            let mut complete = view.is_some_and(|v| !crate::kamal::placeholder(v.root)) && !dotenv_in_production(p);
            if let Some(src) = p.app.dockerfile {
                if let Some(stage) = Dockerfile::parse(&p.file(src).text).final_stage() {
                    for (k, v, pos) in &stage.env {
                        e.set(
                            k.clone(),
                            Provided::Value(
                                v.clone(),
                                Fact {
                                    loc: crate::source::Loc { src, pos: *pos },
                                    text: format!("`ENV {k}` in the Dockerfile"),
                                },
                            ),
                        );
                    }
                }
            } else {
                complete = false;
            }
            if let Some(view) = view {
                complete &= add_kamal_env(&mut e, Some(view.root));
                // Which role runs Litestream is not always clear: take every role's env, and
                // a variable set by any of them counts as set.
                for role in roles(view.root) {
                    complete &= add_kamal_env(&mut e, role.node);
                }
            }
            if runner.kind == Kind::Gem {
                complete &= add_gem_settings(p, &mut e);
            }
            e.complete = complete;
        }
    }
    e
}

/// The variables the gem exports from its settings. False when the gem's variables cannot be
/// told (a release before 0.4.0, which used other names).
fn add_gem_settings(p: &Project, e: &mut Env) -> bool {
    let gem_version = gem::locked(p).map(|(v, _)| v);
    if gem::old_variable_names(gem_version.as_deref()) {
        return false;
    }
    for &src in &p.app.ruby {
        for s in ruby::gem_settings(&p.file(src).text) {
            let Some((_, var)) = gem::SETTING_VARS.iter().find(|(k, _)| *k == s.name) else {
                continue;
            };
            // `||=`: a value the container already has wins.
            if !gem::exports(gem_version.as_deref(), &s.name)
                || e.source(var).is_some_and(|x| !matches!(x, Provided::Runtime(_)))
            {
                continue;
            }
            let fact = Fact {
                loc: crate::source::Loc { src, pos: s.pos },
                text: format!("the gem's `{}` setting", s.name),
            };
            let known = match (&s.value, s.conditional) {
                (_, true) => None,
                (ruby::RubyValue::Literal(v), false) => Some(v.clone()),
                (ruby::RubyValue::Env { name, default }, false) => match e.lookup(name) {
                    Var::Known(v) => Some(v.into_owned()),
                    Var::Unset => default.clone(),
                    Var::Unknown => None,
                },
                (ruby::RubyValue::Runtime, false) => None,
            };
            match known {
                Some(v) => e.set(*var, Provided::Value(v, fact)),
                None => e.set(*var, Provided::Set(fact)),
            }
        }
    }
    true
}

/// `dotenv` loads `.env` files at boot, which `check` cannot see.
fn dotenv_in_production(p: &Project) -> bool {
    let Some(src) = p.app.gemfile else { return false };
    let text = &p.file(src).text;
    ["dotenv-rails", "dotenv"]
        .iter()
        .any(|g| gems::gemfile_line(text, g).is_some_and(|l| l.in_production()))
}

/// The runner's environment in every deployment (destination), or once without Kamal.
pub fn per_deployment<'p>(p: &'p Project, runner: &Runner, version: Version) -> Vec<(Option<&'p str>, Env)> {
    let vs = views(p);
    if vs.is_empty() {
        return vec![(None, of(p, runner, None, version))];
    }
    vs.iter().map(|v| (v.dest, of(p, runner, Some(v), version))).collect()
}

/// One environment standing for all deployments: a value is known only when every deployment
/// gives the same one, and unset only when no deployment sets it.
pub fn merged(envs: &[(Option<&str>, Env)]) -> Env {
    let Some((_, first)) = envs.first() else {
        return Env::default();
    };
    if envs.len() == 1 {
        return first.clone();
    }
    let names: std::collections::BTreeSet<&str> = envs
        .iter()
        .flat_map(|(_, e)| e.vars.keys().map(String::as_str))
        .collect();
    let mut out = Env::new(Vec::new(), envs.iter().all(|(_, e)| e.complete));
    for name in names {
        let sources: Vec<Option<&Provided>> = envs.iter().map(|(_, e)| e.source(name)).collect();
        let values: Vec<Option<&str>> = sources
            .iter()
            .map(|s| match s {
                Some(Provided::Value(v, _)) => Some(v.as_str()),
                _ => None,
            })
            .collect();
        let p = match (sources.iter().flatten().next(), values.first().copied().flatten()) {
            (Some(first), Some(v)) if values.iter().all(|x| *x == Some(v)) => (*first).clone(),
            (Some(Provided::Value(_, f)) | Some(Provided::Set(f)), _) => Provided::Set(f.clone()),
            (Some(Provided::Runtime(w)), _) => Provided::Runtime(w),
            (None, _) => continue,
        };
        out.set(name, p);
    }
    if !envs.iter().all(|(_, e)| e.complete) {
        out.complete = false;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conditions_against_the_env() {
        let fact = Fact {
            loc: crate::source::Loc::default(),
            text: String::new(),
        };
        let e = Env::new(
            vec![
                ("ON".into(), Provided::Value("true".into(), fact.clone())),
                ("SECRET".into(), Provided::Set(fact)),
            ],
            true,
        );
        assert_eq!(condition_holds("if ENV[\"ON\"] == \"true\"", &e), Ok(Some(true)));
        assert_eq!(condition_holds("if ENV[\"OFF\"] == \"true\"", &e), Ok(Some(false)));
        assert_eq!(condition_holds("unless ENV['OFF']", &e), Ok(Some(true)));
        assert_eq!(condition_holds("if ENV[\"SECRET\"].present?", &e), Ok(None));
        assert_eq!(
            condition_holds("if ENV.fetch('OFF')&.length > 0", &e),
            Err("OFF".to_string())
        );
        assert_eq!(condition_holds("if ENV.fetch('OFF', '') != ''", &e), Ok(Some(false)));
        assert_eq!(condition_holds("if defined?(Litestream)", &e), Ok(None));
    }

    #[test]
    fn production_conditions() {
        assert!(production_condition("when 'production'"));
        assert!(production_condition("case ENV['RAILS_ENV']"));
        assert!(production_condition(
            "if ENV.fetch(\"RAILS_ENV\", \"development\") == \"production\""
        ));
        assert!(!production_condition(
            "if ENV.fetch('LITESTREAM_REPLICA_BUCKET')&.length > 0"
        ));
        assert!(!production_condition("if ENV[\"LITESTREAM\"]"));
        assert!(!production_condition("when 'development'"));
    }
}
