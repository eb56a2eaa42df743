//! The development file sinks (DESIGN.md "Modes"): without an SMS gateway or SMTP host, each
//! message becomes one file in `DATA_DIR/sms/` or `DATA_DIR/mail/`, named to sort by time. These
//! files are the one place one-time codes appear in clear, by design; the directory is the
//! owner's only (0700), each file too (0600).

use std::fs;
use std::io::Write as _;
use std::os::unix::fs::{DirBuilderExt as _, OpenOptionsExt as _};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;

use time::OffsetDateTime;

use crate::clock::Clock;

/// One directory of message files: `20261207T112233.123456Z-0001-<tag>.<ext>`. The instant and
/// then a sequence number order them (the sequence also separates messages of one instant, as
/// under a test's fixed clock); a name already taken moves on to the next number, so no file is
/// ever replaced.
pub struct FileSink {
    dir: PathBuf,
    ext: &'static str,
    seq: AtomicU32,
    tmp: AtomicU32,
    clock: Arc<dyn Clock>,
}

impl std::fmt::Debug for FileSink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FileSink")
            .field("dir", &self.dir)
            .field("ext", &self.ext)
            .finish_non_exhaustive()
    }
}

/// `20261207T112233.123456Z`: UTC to the microsecond, fixed width, so names sort as times do.
pub fn stamp(at: OffsetDateTime) -> String {
    let at = at.to_offset(time::UtcOffset::UTC);
    format!(
        "{:04}{:02}{:02}T{:02}{:02}{:02}.{:06}Z",
        at.year(),
        u8::from(at.month()),
        at.day(),
        at.hour(),
        at.minute(),
        at.second(),
        at.microsecond()
    )
}

impl FileSink {
    /// Files with extension `ext` in `dir`, named by `clock`'s time.
    pub fn new(dir: PathBuf, ext: &'static str, clock: Arc<dyn Clock>) -> Self {
        FileSink {
            dir,
            ext,
            seq: AtomicU32::new(1),
            tmp: AtomicU32::new(0),
            clock,
        }
    }

    /// The directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Writes one message atomically (a temporary file, then a rename that replaces nothing) and
    /// returns its path. `tag` ends the name; it must not hold a secret or a whole phone number
    /// or address (file names end up in logs and listings).
    pub fn write(&self, tag: &str, bytes: &[u8]) -> std::io::Result<PathBuf> {
        let at = self.clock.now();
        fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(&self.dir)?;
        let tmp = self.dir.join(format!(
            ".{}-{}.tmp",
            std::process::id(),
            self.tmp.fetch_add(1, Ordering::Relaxed)
        ));
        let written = fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&tmp)
            .and_then(|mut f| f.write_all(bytes).and_then(|()| f.sync_all()));
        if let Err(e) = written {
            let _ = fs::remove_file(&tmp);
            return Err(e);
        }
        let stamp = stamp(at);
        loop {
            let n = self.seq.fetch_add(1, Ordering::Relaxed) % 10_000;
            let path = self.dir.join(format!("{stamp}-{n:04}-{tag}.{}", self.ext));
            if path.exists() {
                continue;
            }
            return match fs::rename(&tmp, &path) {
                Ok(()) => Ok(path),
                Err(e) => {
                    let _ = fs::remove_file(&tmp);
                    Err(e)
                }
            };
        }
    }
}

#[cfg(test)]
mod tests {
    use std::os::unix::fs::PermissionsExt as _;

    use super::*;
    use crate::clock::FixedClock;

    #[test]
    fn names_sort_by_time_and_never_collide() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("data/sms");
        let clock = Arc::new(FixedClock::new(
            time::macros::datetime!(2026-12-07 11:22:33.123456 UTC),
        ));
        let sink = FileSink::new(dir.clone(), "txt", clock.clone());
        let a = sink.write("sms-420", b"first").unwrap();
        let b = sink.write("sms-420", b"second").unwrap();
        clock.advance(time::Duration::microseconds(1));
        let c = sink.write("sms-420", b"third").unwrap();
        let name = |p: &PathBuf| p.file_name().unwrap().to_string_lossy().into_owned();
        assert_eq!(name(&a), "20261207T112233.123456Z-0001-sms-420.txt");
        assert!(
            name(&a) < name(&b) && name(&b) < name(&c),
            "{a:?} {b:?} {c:?}"
        );
        // A second sink on the same directory (another process) at the same instant as the
        // first two takes the next free name.
        let before = Arc::new(FixedClock::new(
            time::macros::datetime!(2026-12-07 11:22:33.123456 UTC),
        ));
        let other = FileSink::new(dir.clone(), "txt", before);
        let d = other.write("sms-420", b"fourth").unwrap();
        assert_eq!(name(&d), "20261207T112233.123456Z-0003-sms-420.txt");
        assert_eq!(fs::read(&a).unwrap(), b"first");
        let mut names: Vec<String> = fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        assert_eq!(names.len(), 4, "no temporary file is left: {names:?}");
        assert_eq!(fs::read(&c).unwrap(), b"third");
        let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&dir), 0o700);
        assert_eq!(mode(&a), 0o600);
    }

    #[test]
    fn stamps_are_fixed_width_utc() {
        let at = time::macros::datetime!(2027-01-02 03:04:05.000007 +01:00);
        assert_eq!(stamp(at), "20270102T020405.000007Z");
    }
}
