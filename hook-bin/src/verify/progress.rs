//! A one-line status on stderr while a restore or a wait takes more than a moment, only when
//! stderr is a terminal. The line is rewritten in place and erased when the step ends.

use std::io::Write;
use std::time::Duration;

/// Steps shorter than this show nothing.
const QUIET: Duration = Duration::from_millis(700);

pub struct Progress {
    enabled: bool,
    shown: bool,
    scrub: Box<dyn Fn(&str) -> String>,
}

impl Progress {
    pub fn new(enabled: bool, scrub: Box<dyn Fn(&str) -> String>) -> Progress {
        Progress {
            enabled,
            shown: false,
            scrub,
        }
    }

    /// Shows `what` with the elapsed time (and bytes written, when known).
    pub fn tick(&mut self, what: &str, elapsed: Duration, bytes: u64) {
        if !self.enabled || elapsed < QUIET {
            return;
        }
        let size = if bytes > 0 {
            format!(", {}", human_bytes(bytes))
        } else {
            String::new()
        };
        let line = (self.scrub)(&format!("{what} ({:.1}s{size})", elapsed.as_secs_f64()));
        let mut e = std::io::stderr().lock();
        let _ = write!(e, "\r\x1b[K{line}");
        let _ = e.flush();
        self.shown = true;
    }

    pub fn clear(&mut self) {
        if self.shown {
            let mut e = std::io::stderr().lock();
            let _ = write!(e, "\r\x1b[K");
            let _ = e.flush();
            self.shown = false;
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.clear();
    }
}

pub fn human_bytes(b: u64) -> String {
    const UNITS: [&str; 5] = ["B", "kB", "MB", "GB", "TB"];
    let mut v = b as f64;
    let mut u = 0;
    while v >= 1000.0 && u + 1 < UNITS.len() {
        v /= 1000.0;
        u += 1;
    }
    if u == 0 {
        format!("{b} B")
    } else {
        format!("{v:.1} {}", UNITS[u])
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn bytes() {
        assert_eq!(super::human_bytes(999), "999 B");
        assert_eq!(super::human_bytes(12_345_678), "12.3 MB");
    }
}
