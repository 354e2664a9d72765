use crate::diag::{Severity, Sink};
use crate::project::Project;
use crate::rules::{Area, Rule};

pub static RULE: Rule = Rule {
    id: "A005",
    name: "exec-command-split",
    severity: Severity::Warning,
    area: Area::Runner,
    summary: "`litestream replicate -exec \"$@\"` hands the app's command to Litestream as several arguments.",
    what: "Reports a command that starts replication with `-exec \"$@\"` (or `-exec $@`) in a script: the shell expands `\"$@\"` into one argument per word of the container's command.",
    why: "`-exec` takes one argument, the whole command line. With `\"$@\"`, `-exec` gets only the first word (`bundle`), and the rest (`exec puma -C config/puma.rb`) are left over as positional arguments: Litestream exits at start (`flag \"-C\" must be positioned before DB_PATH and REPLICA_URL arguments`, or `cannot specify a replica URL and the -config flag`). It only works where the platform happens to pass the whole command as one string. A warning when Kamal deploys the image (Kamal passes the command word by word), an info otherwise.",
    bad: "exec litestream replicate -config /etc/litestream.yml -exec \"$@\"\n",
    good: "exec litestream replicate -config /etc/litestream.yml -exec \"$*\"\n",
    fix: "Write `-exec \"$*\"`, which joins the words into the one argument `-exec` expects.",
    check: Some(check),
};

fn check(p: &Project, out: &mut Sink) {
    if p.litestream_root().is_none() {
        return;
    }
    let kamal = !crate::kamal::view::views(p).is_empty();
    for r in &p.model.runners {
        let Some(start) = &r.start else { continue };
        let t = &start.text;
        if !(t.contains("-exec \"$@\"") || t.contains("-exec $@") || t.contains("-exec=\"$@\"")) {
            continue;
        }
        // Kamal passes the role's cmd or the image's CMD word by word; another platform (Cloud
        // Run, Fly, a Procfile runner) may pass one string, which is all `"$@"` needs.
        if kamal {
            out.report(
                start.loc,
                "`-exec \"$@\"` gives Litestream the app's command as several arguments: `-exec` takes only the first word, and Litestream rejects the leftover words and does not replicate",
                "Write `-exec \"$*\"` (the command as one argument).",
            );
        } else {
            out.report_as(
                Severity::Info,
                start.loc,
                "`-exec \"$@\"` works only when the platform passes the app's command as one argument; given several words (as the Dockerfile's CMD does), Litestream rejects the leftovers and does not replicate",
                "Write `-exec \"$*\"` (the command as one argument), which works either way.",
            );
        }
    }
}
