//! Semantic versions (semver.org 2.0) as Rule JSON uses them in `Version`, `SchemaVersion` and
//! `EngineVersion`: compared by number, so `1.0.10` > `1.0.9`, and `1.0.0-rc.1` < `1.0.0`.

use std::cmp::Ordering;
use std::fmt;

/// A parsed semantic version. Lenient as gateway data needs: `1.2` reads as `1.2.0`, a leading
/// `v` and build metadata (`+…`, which semver ignores for precedence) are dropped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Version {
    /// Incompatible changes.
    pub major: u64,
    /// Compatible additions.
    pub minor: u64,
    /// Fixes.
    pub patch: u64,
    pre: Vec<PreRelease>,
}

/// One dot-separated pre-release identifier: numeric ones sort below alphanumeric ones.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum PreRelease {
    Number(u64),
    Text(String),
}

impl Version {
    /// Parses `MAJOR[.MINOR[.PATCH]][-PRERELEASE][+BUILD]`; `None` for anything else.
    pub fn parse(text: &str) -> Option<Version> {
        let text = text.trim();
        let text = text.strip_prefix(['v', 'V']).unwrap_or(text);
        let text = text.split_once('+').map_or(text, |(core, _build)| core);
        let (core, pre) = match text.split_once('-') {
            Some((core, pre)) => (core, Some(pre)),
            None => (text, None),
        };
        let mut numbers = [0u64; 3];
        let mut parts = core.split('.');
        for (i, slot) in numbers.iter_mut().enumerate() {
            match parts.next() {
                Some(p) => *slot = number(p)?,
                None if i > 0 => break,
                None => return None,
            }
        }
        if parts.next().is_some() {
            return None;
        }
        let pre = match pre {
            None => Vec::new(),
            Some(pre) => pre
                .split('.')
                .map(|id| {
                    if id.is_empty() || !id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
                        None
                    } else if let Some(n) = number(id) {
                        Some(PreRelease::Number(n))
                    } else {
                        Some(PreRelease::Text(id.to_string()))
                    }
                })
                .collect::<Option<Vec<_>>>()?,
        };
        let [major, minor, patch] = numbers;
        Some(Version {
            major,
            minor,
            patch,
            pre,
        })
    }
}

fn number(s: &str) -> Option<u64> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

impl Ord for Version {
    fn cmp(&self, other: &Self) -> Ordering {
        (self.major, self.minor, self.patch)
            .cmp(&(other.major, other.minor, other.patch))
            .then_with(|| match (self.pre.is_empty(), other.pre.is_empty()) {
                // semver 11.3: a pre-release sorts below the release itself.
                (true, true) => Ordering::Equal,
                (true, false) => Ordering::Greater,
                (false, true) => Ordering::Less,
                (false, false) => self.pre.cmp(&other.pre),
            })
    }
}

impl PartialOrd for Version {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.patch)?;
        for (i, id) in self.pre.iter().enumerate() {
            f.write_str(if i == 0 { "-" } else { "." })?;
            match id {
                PreRelease::Number(n) => write!(f, "{n}")?,
                PreRelease::Text(t) => f.write_str(t)?,
            }
        }
        Ok(())
    }
}
