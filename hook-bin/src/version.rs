//! Which Litestream the configuration will run under. The two release lines read the same file
//! very differently (see docs/rules.md), so most rules depend on this.

use std::fmt;

use crate::source::Loc;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Line {
    V03,
    V05,
}

/// A release line plus, when an image tag pins it, the patch release.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Version {
    pub line: Line,
    pub patch: Option<u32>,
}

/// Where the version came from, so that output can say when it was only assumed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    Flag,
    /// Read from the app's files: `text` says what (e.g. "the accessory's image tag `…:0.5.17`").
    Found {
        loc: Loc,
        text: String,
        via: &'static str,
    },
    Assumed {
        why: String,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chosen {
    pub version: Version,
    pub origin: Origin,
}

impl Version {
    pub const DEFAULT: Version = Version {
        line: Line::V05,
        patch: None,
    };

    /// Parses `0.3`, `0.5`, `0.5.17`, `v0.5.17`. Anything else is not a version we know.
    pub fn parse(s: &str) -> Option<Version> {
        let s = s.strip_prefix('v').unwrap_or(s);
        let mut parts = s.split('.');
        if parts.next()? != "0" {
            return None;
        }
        let line = match parts.next()? {
            "3" => Line::V03,
            "5" => Line::V05,
            _ => return None,
        };
        let patch = match parts.next() {
            None => None,
            Some(p) => Some(p.parse().ok()?),
        };
        if parts.next().is_some() {
            return None;
        }
        Some(Version { line, patch })
    }

    /// From an image reference such as `litestream/litestream:0.5.17` or `…:0.3-scratch`.
    /// `None` for `latest`, no tag, digests and tags that name no version.
    pub fn from_image_tag(image: &str) -> Option<Version> {
        let tag = image_tag(image)?;
        let tag = tag.strip_suffix("-scratch").unwrap_or(tag);
        Version::parse(tag)
    }

    /// True when this is the 0.5 line at or after `patch` (an unpinned 0.5 counts as the newest).
    pub fn v05_at_least(&self, patch: u32) -> bool {
        self.line == Line::V05 && self.patch.is_none_or(|p| p >= patch)
    }

    /// True when a pinned 0.5 release is older than `patch`.
    pub fn v05_before(&self, patch: u32) -> bool {
        self.line == Line::V05 && self.patch.is_some_and(|p| p < patch)
    }
}

/// The tag part of an image reference (after the last `:` that follows the last `/`).
pub fn image_tag(image: &str) -> Option<&str> {
    let image = image.split('@').next()?;
    let name_start = image.rfind('/').map_or(0, |i| i + 1);
    image[name_start..]
        .split_once(':')
        .map(|(_, t)| t)
        .filter(|t| !t.is_empty())
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let line = match self.line {
            Line::V03 => "0.3",
            Line::V05 => "0.5",
        };
        match self.patch {
            Some(p) => write!(f, "{line}.{p}"),
            None => f.write_str(line),
        }
    }
}

impl fmt::Display for Line {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Line::V03 => "0.3",
            Line::V05 => "0.5",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags() {
        assert_eq!(
            Version::from_image_tag("litestream/litestream:0.5.17"),
            Some(Version {
                line: Line::V05,
                patch: Some(17)
            })
        );
        assert_eq!(
            Version::from_image_tag("litestream/litestream:0.3"),
            Some(Version {
                line: Line::V03,
                patch: None
            })
        );
        assert_eq!(
            Version::from_image_tag("litestream/litestream:0.5-scratch").map(|v| v.line),
            Some(Line::V05)
        );
        assert_eq!(Version::from_image_tag("registry:5000/litestream/litestream"), None);
        assert_eq!(Version::from_image_tag("litestream/litestream:latest"), None);
        assert_eq!(Version::from_image_tag("litestream/litestream"), None);
    }
}
