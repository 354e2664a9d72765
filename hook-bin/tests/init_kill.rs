//! `init` killed at random moments (a bounded number of runs, fixed seed): every file is always
//! either all old or all new, never half-written; a SIGTERM (Ctrl-C, a closed terminal) leaves
//! the whole set old or the whole set new; and the next run finishes or cleans up, leaving the
//! new set, no temporary file and no journal, and says what it did.

mod support;

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use support::bin::guard;
use support::files::copy_dir;
use support::gen::{cases, Rng};
use support::real::{repo_root, TempDir};

const FILES: [&str; 3] = ["config/litestream.yml", "config/deploy.yml", ".kamal/secrets"];
const ARGS: [&str; 4] = ["--provider", "hetzner", "--bucket", "fresh-backups"];

fn contents(app: &Path) -> BTreeMap<&'static str, Option<Vec<u8>>> {
    FILES.iter().map(|f| (*f, fs::read(app.join(f)).ok())).collect()
}

/// Names init's own temporary files and journal carry.
fn leftovers(app: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for d in ["config", ".kamal"] {
        for e in fs::read_dir(app.join(d)).into_iter().flatten().flatten() {
            if e.file_name()
                .to_string_lossy()
                .contains("litestream-guard-init.journal")
                || e.file_name().to_string_lossy().contains(".litestream-guard-")
            {
                out.push(e.path());
            }
        }
    }
    out
}

#[test]
fn init_killed_at_random_leaves_old_or_new_files() {
    let fresh = repo_root().join("examples/fresh");
    // What a run that is not interrupted writes, and how long it takes.
    let reference = TempDir::new("kill-ref");
    copy_dir(&fresh, reference.path());
    let old = contents(reference.path());
    let t0 = Instant::now();
    let r = guard(&[&["init", reference.path().to_str().unwrap()][..], &ARGS].concat()).run();
    let mut took = t0.elapsed();
    assert_eq!(r.code(), Some(0), "{}", r.stderr_text());
    let new = contents(reference.path());
    // The fastest of a few runs: one slowed by a busy machine would put every kill after the end.
    for i in 0..4 {
        let again = TempDir::new(&format!("kill-ref{i}"));
        copy_dir(&fresh, again.path());
        let t0 = Instant::now();
        let r = guard(&[&["init", again.path().to_str().unwrap()][..], &ARGS].concat()).run();
        took = took.min(t0.elapsed());
        assert_eq!(r.code(), Some(0), "{}", r.stderr_text());
    }
    assert!(
        FILES.iter().all(|f| old[f] != new[f]),
        "init must change every file for this test"
    );

    let mut rng = Rng::new(0xD1E5_0FF5);
    let (mut killed, mut mixed_then_fixed) = (0, 0);
    let runs = cases(40);
    for run in 0..runs {
        let tmp = TempDir::new("kill");
        let app = tmp.path();
        copy_dir(&fresh, app);
        let mut child = Command::new(env!("CARGO_BIN_EXE_litestream-guard"))
            .args(["init", app.to_str().unwrap()])
            .args(ARGS)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        // Most of a run is reading and planning; the writes come at its end, so the kill times
        // lean towards the end (up to a little past it).
        let at = took.mul_f64(0.1 + 0.9 * (rng.below(1000) as f64 / 1000.0));
        std::thread::sleep(at);
        let term = run % 3 == 0;
        // SAFETY: signals our own child.
        unsafe { libc::kill(child.id() as i32, if term { libc::SIGTERM } else { libc::SIGKILL }) };
        let status = child.wait().unwrap();
        if status.code().is_none() {
            killed += 1;
        }
        let now = contents(app);
        for f in FILES {
            assert!(
                now[f] == old[f] || now[f] == new[f],
                "run {run}: {f} is neither its old nor its new text after a kill at {at:?}"
            );
        }
        let all_old = FILES.iter().all(|f| now[f] == old[f]);
        let all_new = FILES.iter().all(|f| now[f] == new[f]);
        if term {
            assert!(
                all_old || all_new,
                "run {run}: SIGTERM at {at:?} left a mix of old and new files"
            );
        }
        if !all_old && !all_new {
            mixed_then_fixed += 1;
        }
        // The next run finishes the job (or starts over) and leaves nothing of its own behind.
        let again = guard(&[&["init", app.to_str().unwrap()][..], &ARGS].concat()).run();
        assert_eq!(again.code(), Some(0), "run {run}: {}", again.stderr_text());
        if !all_old && !all_new {
            assert!(
                again.stderr_text().contains("was interrupted"),
                "run {run}: {}",
                again.stderr_text()
            );
        }
        assert_eq!(contents(app), new, "run {run}: the rerun did not leave the new set");
        assert!(leftovers(app).is_empty(), "run {run}: left {:?}", leftovers(app));
    }
    eprintln!("{runs} runs, {killed} killed before they finished, {mixed_then_fixed} mid-commit");
    assert!(
        killed >= runs / 4,
        "only {killed} of {runs} runs were interrupted: the kill times are off"
    );
}
