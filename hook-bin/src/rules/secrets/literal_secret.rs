use crate::diag::{Severity, Sink};
use crate::project::Project;
use crate::rules::deploy::view::{is_credential_name, looks_like_aws_key};
use crate::rules::{Area, Rule};
use crate::source::Loc;

pub static RULE: Rule = Rule {
    id: "S001",
    name: "literal-secret-value",
    severity: Severity::Error,
    area: Area::Secrets,
    summary: "A credential written literally into a .kamal/secrets file instead of being fetched (`$(…)`, `$VAR`, `kamal secrets …`).",
    what: "Reads each `.kamal/secrets*` file as dotenv and reports assignments whose name says credential (`…SECRET…`, `…PASSWORD…`, `…TOKEN…`, `…ACCESS_KEY…`, `…_KEY`) or whose value looks like an AWS access key ID, when the value is literal text: no command substitution `$(…)`, no `$VAR`/`${VAR}`, and not single-quoted text that merely looks like one. The value is never printed, in any output format.",
    why: "A Rails 8 app commits .kamal/secrets: the generated file says `DO NOT ENTER RAW CREDENTIALS HERE!`. A literal key is in git history for good, readable by everyone with the repository. Kamal's docs allow raw values only in a secrets file kept out of version control.",
    bad: "LITESTREAM_SECRET_ACCESS_KEY=wJalr…\n",
    good: "SECRETS=$(kamal secrets fetch --adapter 1password --account acme --from Deploy/Shopfront LITESTREAM_SECRET_ACCESS_KEY)\nLITESTREAM_SECRET_ACCESS_KEY=$(kamal secrets extract LITESTREAM_SECRET_ACCESS_KEY $SECRETS)\n",
    fix: "Fetch the value at deploy time: `NAME=$(kamal secrets extract NAME $SECRETS)` with a password-manager adapter, `NAME=$NAME` from your shell, or `NAME=$(op read …)`. Then rotate the credential: it is in git history.",
    check: Some(check),
};

fn check(p: &Project, out: &mut Sink) {
    for sf in &p.secrets {
        for l in &sf.lines {
            if l.is_reference() || !(is_credential_name(&l.key) || looks_like_aws_key(&l.value)) {
                continue;
            }
            out.report(
                Loc { src: sf.src, pos: l.value_pos },
                format!("`{}` holds a literal credential (value not shown): it is committed with the app and readable by everyone with the repository", l.key),
                format!("Fetch it at deploy time, e.g. `{0}=$(kamal secrets extract {0} $SECRETS)` or `{0}=${0}`, and rotate the credential.", l.key),
            );
        }
    }
}
