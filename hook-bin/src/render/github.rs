//! `check --format github`: GitHub Actions workflow commands, one annotation per finding, so that
//! a workflow step shows each finding on its line of the pull request's diff.
//!
//! Format (GitHub's "workflow commands"): `::error file=F,line=L,col=C,title=T::MESSAGE`. In the
//! message `%`, CR and LF are escaped; in a property also `:` and `,`, which would end it.

use std::fmt::Write as _;

use crate::check::Checked;
use crate::diag::Severity;

use super::{caveats, shown, Shown};
use crate::redact::Redactor;

fn command(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "notice",
    }
}

fn escape_data(s: &str) -> String {
    s.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

pub fn render(results: &[Checked]) -> String {
    let mut s = String::new();
    let (mut errors, mut warnings, mut infos) = (0, 0, 0);
    for c in results {
        // What the rules could not know or only assumed (redacted, like everything printed).
        for note in caveats(c) {
            let _ = writeln!(s, "::notice title=litestream-guard::{}", escape_data(&note));
        }
        let red = Redactor::for_project(&c.project);
        for f in &c.findings {
            let Shown { file, message, help } = shown(&c.project, &red, f);
            match f.severity {
                Severity::Error => errors += 1,
                Severity::Warning => warnings += 1,
                Severity::Info => infos += 1,
            }
            let file = file.trim_start_matches("./");
            let _ = writeln!(
                s,
                "::{} file={},line={},col={},title={}::{}",
                command(f.severity),
                escape_property(file),
                f.loc.pos.line,
                f.loc.pos.col,
                escape_property(&format!("litestream-guard {}", f.rule)),
                escape_data(&format!("{message}\nhelp: {help}")),
            );
        }
    }
    // A plain line for whoever reads the log: the runner hides the commands themselves.
    let _ = writeln!(
        s,
        "litestream-guard: {errors} error(s), {warnings} warning(s), {infos} info"
    );
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_what_would_end_a_message_or_a_property() {
        assert_eq!(escape_data("100% done\r\nnext"), "100%25 done%0D%0Anext");
        assert_eq!(escape_property("a:b,c%"), "a%3Ab%2Cc%25");
    }

    #[test]
    fn info_is_a_notice() {
        assert_eq!(command(Severity::Info), "notice");
        assert_eq!(command(Severity::Error), "error");
    }
}
