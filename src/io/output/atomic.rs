//! Atomic output directories and files.
//!
//! **Test hooks (debug builds only).** Crash tests need a kill to land inside the write
//! phase, not merely somewhere in the run. In a debug build (`cfg(debug_assertions)`, what
//! `cargo test` builds) two variables are read; release builds never look at them:
//! - `NEEDLESIM_TEST_STALL=POINT` stops the process at `POINT`, after creating the file
//!   named by `NEEDLESIM_TEST_STALL_MARKER` (if set), and sleeps until it is killed.
//!   Points: `staged-file:NAME` (the staging folder is open and `NAME` is about to be
//!   written into it), `staged-commit` (every file is staged, nothing swapped yet),
//!   `staged-fallback` (the two-rename fallback has moved the old folder aside and not yet
//!   moved the new one in), `file:NAME` (a temporary `NAME` is filled but not renamed).
//! - `NEEDLESIM_TEST_NO_EXCHANGE=1` takes the two-rename fallback as on a file system
//!   without `RENAME_EXCHANGE`.

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// The value of a test-hook variable in a debug build; `None` in release builds.
fn test_hook(name: &str) -> Option<String> {
    if cfg!(debug_assertions) { std::env::var(name).ok().filter(|v| !v.is_empty()) } else { None }
}

/// Stop here (debug builds, `NEEDLESIM_TEST_STALL=point`) until killed; see the module doc.
fn test_stall(point: &str) {
    if test_hook("NEEDLESIM_TEST_STALL").as_deref() != Some(point) {
        return;
    }
    if let Some(marker) = test_hook("NEEDLESIM_TEST_STALL_MARKER") {
        let _ = std::fs::write(marker, point);
    }
    loop {
        std::thread::sleep(std::time::Duration::from_secs(3600));
    }
}

/// A directory being written; becomes `target` on [`StagedDir::commit`], vanishes on drop.
#[derive(Debug)]
pub struct StagedDir {
    staging: PathBuf,
    target: PathBuf,
    committed: bool,
}

fn sibling(target: &Path, tag: &str) -> PathBuf {
    let name = target.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "out".into());
    target.with_file_name(format!(".{name}.{tag}"))
}

impl StagedDir {
    /// Start writing the directory `target`.
    ///
    /// A previous writer killed inside the two-rename fallback (see [`StagedDir::commit`])
    /// left the previous complete folder at `.NAME.old` and nothing at `target`: it is moved
    /// back first, so `target` again holds the last complete outputs.
    pub fn new(target: &Path) -> Result<Self> {
        let parent = match target.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        // A file standing where a folder of the path should be: say which one.
        if let Some(file) = parent.ancestors().find(|a| a.exists() && !a.is_dir()) {
            let e = std::io::Error::new(std::io::ErrorKind::NotADirectory, "is a file, so the output directory cannot be made under it");
            return Err(Error::io(file, e));
        }
        std::fs::create_dir_all(&parent).map_err(|e| Error::io(&parent, e))?;
        recover_fallback(target)?;
        let staging = sibling(target, "staging");
        if staging.exists() {
            std::fs::remove_dir_all(&staging).map_err(|e| Error::io(&staging, e))?;
        }
        std::fs::create_dir(&staging).map_err(|e| Error::io(&staging, e))?;
        Ok(StagedDir { staging, target: target.to_path_buf(), committed: false })
    }

    /// Path of a file inside the staging directory.
    pub fn path(&self, name: &str) -> PathBuf {
        test_stall(&format!("staged-file:{name}"));
        self.staging.join(name)
    }

    /// Move the complete directory into place, replacing any previous one. On Linux an
    /// existing directory is swapped with the new one in one atomic `renameat2(EXCHANGE)`,
    /// so at every instant `target` is either the old or the new complete directory.
    ///
    /// Where the file system cannot exchange, two renames are used (old aside to `.NAME.old`,
    /// new in): between them `target` is briefly absent, never torn, and a kill there is
    /// repaired by the next [`StagedDir::new`] on the same target.
    pub fn commit(self) -> Result<PathBuf> {
        let exchange_allowed = test_hook("NEEDLESIM_TEST_NO_EXCHANGE").is_none();
        self.commit_with(exchange_allowed)
    }

    fn commit_with(mut self, exchange_allowed: bool) -> Result<PathBuf> {
        test_stall("staged-commit");
        if self.target.exists() {
            if exchange_allowed && exchange(&self.staging, &self.target).is_ok() {
                // `staging` now holds the previous outputs.
                self.committed = true;
                let _ = std::fs::remove_dir_all(&self.staging);
                return Ok(self.target.clone());
            }
            // No atomic exchange on this system: move the old aside, then the new in.
            let old = sibling(&self.target, "old");
            if old.exists() {
                std::fs::remove_dir_all(&old).map_err(|e| Error::io(&old, e))?;
            }
            std::fs::rename(&self.target, &old).map_err(|e| Error::io(&self.target, e))?;
            test_stall("staged-fallback");
            if let Err(e) = std::fs::rename(&self.staging, &self.target) {
                // Put the previous outputs back rather than leave nothing.
                let _ = std::fs::rename(&old, &self.target);
                return Err(Error::io(&self.target, e));
            }
            self.committed = true;
            std::fs::remove_dir_all(&old).map_err(|e| Error::io(&old, e))?;
        } else {
            std::fs::rename(&self.staging, &self.target).map_err(|e| Error::io(&self.target, e))?;
            self.committed = true;
        }
        Ok(self.target.clone())
    }
}

/// Repair what a kill inside the two-rename fallback left: the previous complete folder at
/// `.NAME.old` and nothing at `target` (moved back), or both (the new one is in place; the
/// old one goes).
fn recover_fallback(target: &Path) -> Result<()> {
    let old = sibling(target, "old");
    if !old.is_dir() {
        return Ok(());
    }
    if target.exists() {
        std::fs::remove_dir_all(&old).map_err(|e| Error::io(&old, e))
    } else {
        std::fs::rename(&old, target).map_err(|e| Error::io(target, e))
    }
}

/// Atomically swap two directory entries (Linux `renameat2` with `RENAME_EXCHANGE`).
#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> std::io::Result<()> {
    use std::ffi::CString;
    use std::os::unix::ffi::OsStrExt;
    let ca = CString::new(a.as_os_str().as_bytes())?;
    let cb = CString::new(b.as_os_str().as_bytes())?;
    // SAFETY: both paths are valid NUL-terminated strings that outlive the call.
    let rc = unsafe { libc::renameat2(libc::AT_FDCWD, ca.as_ptr(), libc::AT_FDCWD, cb.as_ptr(), libc::RENAME_EXCHANGE) };
    if rc == 0 { Ok(()) } else { Err(std::io::Error::last_os_error()) }
}

#[cfg(not(target_os = "linux"))]
fn exchange(_a: &Path, _b: &Path) -> std::io::Result<()> {
    Err(std::io::Error::from(std::io::ErrorKind::Unsupported))
}

impl Drop for StagedDir {
    fn drop(&mut self) {
        if !self.committed {
            let _ = std::fs::remove_dir_all(&self.staging);
        }
    }
}

/// Write one file atomically: a temporary name in the same directory, then rename.
pub fn write_file_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let tmp = sibling(path, &format!("tmp-{}", std::process::id()));
    std::fs::write(&tmp, bytes).map_err(|e| Error::io(&tmp, e))?;
    stall_on_file(path);
    std::fs::rename(&tmp, path).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        Error::io(path, e)
    })
}

/// Write one file atomically by streaming: `fill` writes into a buffered temporary file in
/// the same directory, which is flushed to disk and renamed over `path` only if `fill`
/// succeeds. For outputs too large to build in memory.
pub fn write_file_atomic_with(path: &Path, fill: impl FnOnce(&mut dyn std::io::Write) -> Result<()>) -> Result<()> {
    let tmp = sibling(path, &format!("tmp-{}", std::process::id()));
    let result = (|| {
        let f = std::fs::File::create(&tmp).map_err(|e| Error::io(&tmp, e))?;
        let mut w = std::io::BufWriter::with_capacity(1 << 20, f);
        fill(&mut w)?;
        let f = w.into_inner().map_err(|e| Error::io(&tmp, e.into_error()))?;
        f.sync_all().map_err(|e| Error::io(&tmp, e))?;
        stall_on_file(path);
        std::fs::rename(&tmp, path).map_err(|e| Error::io(path, e))
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

fn stall_on_file(path: &Path) {
    if let Some(name) = path.file_name() {
        test_stall(&format!("file:{}", name.to_string_lossy()));
    }
}

/// Remove the temporaries of [`write_file_atomic`] / [`write_file_atomic_with`] for `path`
/// (`.NAME.tmp-PID`) that a killed writer left, i.e. whose process no longer runs. Linux
/// only (it asks `/proc`); elsewhere nothing is removed. Returns how many went.
pub fn remove_stale_temporaries(path: &Path) -> usize {
    let (Some(dir), Some(name)) = (path.parent(), path.file_name()) else { return 0 };
    let dir = if dir.as_os_str().is_empty() { Path::new(".") } else { dir };
    let prefix = format!(".{}.tmp-", name.to_string_lossy());
    let mut removed = 0;
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let file_name = entry.file_name();
        let Some(pid) = file_name.to_str().and_then(|n| n.strip_prefix(&prefix)).and_then(|p| p.parse::<u32>().ok()) else { continue };
        if pid != std::process::id() && !process_runs(pid) && std::fs::remove_file(entry.path()).is_ok() {
            removed += 1;
        }
    }
    removed
}

#[cfg(target_os = "linux")]
fn process_runs(pid: u32) -> bool {
    Path::new(&format!("/proc/{pid}")).exists()
}

#[cfg(not(target_os = "linux"))]
fn process_runs(_pid: u32) -> bool {
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    fn staged(target: &Path, text: &str) -> StagedDir {
        let s = StagedDir::new(target).unwrap();
        std::fs::write(s.path("a.txt"), text).unwrap();
        s
    }

    fn names(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
        v.sort();
        v
    }

    #[test]
    fn the_two_rename_fallback_replaces_and_leaves_nothing_behind() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        staged(&out, "first").commit_with(false).unwrap();
        assert_eq!(std::fs::read_to_string(out.join("a.txt")).unwrap(), "first");
        staged(&out, "second").commit_with(false).unwrap();
        assert_eq!(std::fs::read_to_string(out.join("a.txt")).unwrap(), "second");
        assert_eq!(names(dir.path()), vec!["out"], "no .old or .staging left");
        // The exchange path gives the same folder.
        staged(&out, "third").commit_with(true).unwrap();
        assert_eq!(std::fs::read_to_string(out.join("a.txt")).unwrap(), "third");
        assert_eq!(names(dir.path()), vec!["out"]);
    }

    #[test]
    fn a_kill_between_the_two_renames_is_repaired_by_the_next_writer() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        staged(&out, "old").commit_with(false).unwrap();
        // What a kill after "old aside" and before "new in" leaves.
        let old = sibling(&out, "old");
        std::fs::rename(&out, &old).unwrap();
        let s = StagedDir::new(&out).unwrap();
        assert_eq!(std::fs::read_to_string(out.join("a.txt")).unwrap(), "old", "previous outputs moved back");
        drop(s);
        assert_eq!(names(dir.path()), vec!["out"]);
        // A kill after "new in" and before the old one was removed.
        std::fs::create_dir(&old).unwrap();
        std::fs::write(old.join("a.txt"), "older").unwrap();
        staged(&out, "new").commit_with(false).unwrap();
        assert_eq!(std::fs::read_to_string(out.join("a.txt")).unwrap(), "new");
        assert_eq!(names(dir.path()), vec!["out"]);
    }

    #[test]
    fn only_temporaries_of_dead_writers_are_removed() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("results.csv");
        std::fs::write(&path, "kept").unwrap();
        // PIDs above the Linux maximum (2^22) never run; our own PID does.
        let dead = sibling(&path, "tmp-4999999");
        let live = sibling(&path, &format!("tmp-{}", std::process::id()));
        let other = sibling(&dir.path().join("manifest.json"), "tmp-4999999");
        for p in [&dead, &live, &other] {
            std::fs::write(p, "half").unwrap();
        }
        let removed = remove_stale_temporaries(&path);
        if cfg!(target_os = "linux") {
            assert_eq!(removed, 1);
            assert!(!dead.exists());
        }
        assert!(live.exists() && other.exists() && path.exists());
    }
}
