//! Ctrl-C and SIGTERM during a run: `verify` must still remove its sentinel rows and its restored
//! copies, so the signal only raises a flag that the waiting loops check.

use std::sync::atomic::{AtomicBool, Ordering};

static STOP: AtomicBool = AtomicBool::new(false);

#[cfg(unix)]
extern "C" fn on_signal(sig: libc::c_int) {
    STOP.store(true, Ordering::SeqCst);
    // A second Ctrl-C ends the process at once, should a step not notice the first one.
    // SAFETY: signal() is async-signal-safe.
    unsafe {
        libc::signal(sig, libc::SIG_DFL);
    }
}

/// Installs the handler for SIGINT, SIGTERM and SIGHUP (once per process is enough).
pub fn install() {
    #[cfg(unix)]
    // SAFETY: the handler only stores to an atomic, which is async-signal-safe.
    unsafe {
        let h = on_signal as extern "C" fn(libc::c_int) as libc::sighandler_t;
        libc::signal(libc::SIGINT, h);
        libc::signal(libc::SIGTERM, h);
        libc::signal(libc::SIGHUP, h);
    }
}

pub fn stopped() -> bool {
    STOP.load(Ordering::SeqCst)
}

/// Sleeps up to `d`, waking early when a stop was asked for. Returns false when stopped.
pub fn sleep(d: std::time::Duration) -> bool {
    let end = std::time::Instant::now() + d;
    while std::time::Instant::now() < end {
        if stopped() {
            return false;
        }
        std::thread::sleep(std::cmp::min(
            std::time::Duration::from_millis(50),
            end - std::time::Instant::now(),
        ));
    }
    !stopped()
}
