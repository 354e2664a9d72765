use crate::diag::{Severity, Sink};
use crate::project::Project;
use crate::rules::{Area, Rule};
use crate::source::{Loc, Pos};

pub static RULE: Rule = Rule {
    id: "A001",
    name: "nothing-runs-litestream",
    severity: Severity::Info,
    area: Area::Runner,
    summary: "config/litestream.yml exists, but nothing in the app's files runs Litestream.",
    what: "In a Rails app root (a folder with a Gemfile), looks for the three ways Rails apps run Litestream: a Kamal accessory with the `litestream/litestream` image, the litestream-ruby gem in the Gemfile, or a Litestream binary the Dockerfile copies in or downloads. Reports when litestream.yml exists and none of them does.",
    why: "A litestream.yml that nothing runs backs nothing up. The app may run Litestream some way its files do not show (a systemd unit on the host, a platform add-on); then this is only a note. If not, the first restore finds no backups.",
    bad: "# config/litestream.yml exists; no accessory, no `gem \"litestream\"`, no Litestream in the Dockerfile\n",
    good: "# Gemfile\ngem \"litestream\"\n# config/puma.rb\nplugin :litestream\n",
    fix: "Run Litestream one of the three ways: `gem \"litestream\"` with `plugin :litestream` in config/puma.rb, a Kamal accessory (`litestream-guard init` writes one), or the binary in the image started by the entrypoint.",
    check: Some(check),
};

fn check(p: &Project, out: &mut Sink) {
    let Some(ls) = &p.litestream else { return };
    // A folder without a Gemfile is not a Rails app root (e.g. a litestream.yml checked alone).
    if p.root.is_none() || p.app.gemfile.is_none() || !p.model.runners.is_empty() {
        return;
    }
    out.report(
        Loc {
            src: ls.src,
            pos: Pos::START,
        },
        "nothing in the app's files runs Litestream: no Kamal accessory with the litestream image, no `gem \"litestream\"`, no Litestream binary in the Dockerfile",
        "If Litestream runs some other way (e.g. on the host), nothing to do; otherwise run it with the litestream gem and `plugin :litestream` in config/puma.rb, or a Kamal accessory (`litestream-guard init`).",
    );
}
