use crate::app::ruby::gem_settings;
use crate::diag::Sink;
use crate::project::Project;
use crate::rules::{Area, Rule};

pub static RULE: Rule = Rule {
    id: "A008",
    name: "made-up-replica-setting",
    severity: crate::diag::Severity::Warning,
    area: Area::Runner,
    summary: "A litestream-ruby setting that falls back to a written-out value when the real one is missing: `… rescue \"test\"`, `… || \"123\"`.",
    what: "Premise: the litestream-ruby gem, whose settings (`config.litestream.replica_bucket`, `replica_key_id`, `replica_access_key`, …) become the `LITESTREAM_*` variables litestream.yml reads. Reports a bucket setting that falls back through `rescue \"…\"`, and a key setting that falls back to any literal (`rescue` or `||`).",
    why: "When the credentials are missing (a new server, a missing master key), the fallback hands Litestream a bucket and keys that do not exist. Litestream starts, every upload fails, and the app serves with no backup instead of stopping at boot where someone would notice. A literal key in the code is also in git.",
    bad: "config.litestream.replica_bucket = litestream_credentials.replica_bucket rescue \"test\"\n",
    good: "config.litestream.replica_bucket = Rails.application.credentials.litestream.fetch(:replica_bucket)\n",
    fix: "Drop the fallback so that a missing credential fails loudly (`credentials.litestream.fetch(:replica_bucket)`), or guard the Puma plugin with the same condition so that Litestream does not start without them.",
    check: Some(check),
};

fn check(p: &Project, out: &mut Sink) {
    if p.litestream_root().is_none() || p.model.primary().is_none_or(|r| r.kind != crate::runner::Kind::Gem) {
        return;
    }
    for &src in &p.app.ruby {
        for s in gem_settings(&p.file(src).text) {
            let Some((word, lit)) = &s.fallback else { continue };
            let key = s.name.contains("key") || s.name.contains("secret");
            let bucket = s.name.contains("bucket");
            if !(key || bucket && *word == "rescue") {
                continue;
            }
            // A key's literal is never shown: it may be real.
            let shown = if key {
                "a written-out value".to_string()
            } else {
                format!("`\"{lit}\"`")
            };
            out.report(
                crate::source::Loc { src, pos: s.pos },
                format!(
                    "`{}` falls back to {shown} (`{word}`) when the credential is missing: Litestream then starts with a {} that does not work, and every upload fails while the app serves",
                    s.name,
                    if key { "key" } else { "bucket" }
                ),
                format!("Drop the `{word} …` so that a missing credential stops the boot, e.g. `credentials.litestream.fetch(:{})`.", s.name),
            );
        }
    }
}
