//! The plan for people (numbered, copy-pasteable) and as JSON for tools.

use std::fmt::Write as _;

use super::{Plan, Where};

pub fn text(p: &Plan) -> String {
    let mut s = String::new();
    let what = match &p.timestamp {
        Some(t) => format!("to {t}"),
        None => "to the newest backup".to_string(),
    };
    let dbs: Vec<String> = p
        .databases
        .iter()
        .map(|d| d.name.clone().unwrap_or_else(|| d.app_path.clone()))
        .collect();
    let _ = writeln!(
        s,
        "Restore plan: {} {what}, Litestream {} run by {}{}{}.",
        dbs.join(", "),
        p.litestream_version,
        match p.runner {
            "accessory" => "a Kamal accessory",
            "gem" => "the litestream-ruby gem",
            _ => "a binary in the app image",
        },
        p.destination
            .as_ref()
            .map_or(String::new(), |d| format!(", destination `{d}`")),
        if p.new_host {
            ", onto a new host before the app's first boot"
        } else {
            ""
        },
    );
    s.push_str("Run each step on its own, read its output, and go on only when it shows what the step expects.\n");
    for st in &p.steps {
        let _ = write!(s, "\n{}. {}\n   {}\n", st.n, st.title, st.command);
        match st.runs {
            Where::AppContainer if st.command != st.in_container.clone().unwrap_or_default() => {
                s.push_str("   (runs in a new container of the app's image)\n")
            }
            Where::LitestreamContainer => s.push_str("   (runs in a new container of the Litestream accessory)\n"),
            _ => {}
        }
        let _ = writeln!(s, "   expect: {}", st.expect);
    }
    if !p.notes.is_empty() {
        s.push_str("\nNotes:\n");
        for n in &p.notes {
            let _ = writeln!(s, "- {n}");
        }
    }
    s
}

pub fn json(p: &Plan) -> String {
    let mut s = serde_json::to_string_pretty(p).expect("plain data serializes");
    s.push('\n');
    s
}
