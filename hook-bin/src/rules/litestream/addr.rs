use crate::diag::Sink;
use crate::project::Project;
use crate::rules::{Area, Rule};

pub static RULE: Rule = Rule {
    id: "L024",
    name: "metrics-addr-without-port",
    severity: crate::diag::Severity::Error,
    area: Area::Litestream,
    summary: "`addr` (the metrics server) without a port.",
    what: "Checks that the top-level `addr` has the form `host:port` or `:port`.",
    why: "Litestream refuses to start: `must specify port for bind address`.",
    bad: "addr: localhost\ndbs: []\n",
    good: "addr: \":9090\"\ndbs: []\n",
    fix: "Write `addr: \":9090\"` (quoted, since it starts with a colon) or `host:port`.",
    check: Some(check),
};

fn check(p: &Project, out: &mut Sink) {
    let Some(n) = p.litestream_root().and_then(|r| r.get("addr")) else {
        return;
    };
    let Some(addr) = n.as_str().filter(|a| !a.is_empty() && !n.is_null()) else {
        return;
    };
    let port_ok = addr
        .rsplit_once(':')
        .is_some_and(|(_, port)| !port.is_empty() && port.bytes().all(|b| b.is_ascii_digit()));
    if !port_ok && !addr.contains('$') {
        out.report(
            n.loc(),
            format!("`addr: {addr}` has no port; Litestream refuses to start"),
            "Write `addr: \":9090\"` or `host:port`.",
        );
    }
}
