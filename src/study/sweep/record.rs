//! Point records and the journal that keeps them durable.
//!
//! `journal.jsonl` holds one JSON object per line, one line per finished point, appended in
//! the order points finish, as soon as each finishes. A written line survives the process
//! being killed (it is in the kernel's page cache); the run also flushes the file to the
//! disk (`fsync`) at least every [`SYNC_INTERVAL`] and at the end, so a power cut loses at
//! most the last second of points, which then simply run again. It is a log: when a point appears twice (a `--retry-failed` rerun), the last line wins.
//!
//! **Crash tolerance.** A `kill -9` or power cut can leave a torn last line (no newline,
//! or half an object). Readers ignore it; [`Journal::open`] cuts it off before appending,
//! so the point simply runs again. A complete line that is not a record (a damaged disk,
//! a hand edit) is skipped with a warning: its point counts as missing and reruns.

use std::collections::BTreeMap;
use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// Longest time between two `fsync`s of a running sweep's journal. One `fsync` per point
/// would cost more than a small point itself (≈ 4 ms against ≈ 3 ms on the project machine).
pub const SYNC_INTERVAL: std::time::Duration = std::time::Duration::from_secs(1);

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Ok,
    Error,
}

impl Status {
    pub fn name(self) -> &'static str {
        match self {
            Status::Ok => "ok",
            Status::Error => "error",
        }
    }
}

/// What one point produced: the cells of its `results.csv` row.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Record {
    pub index: u64,
    pub seed: u64,
    /// Parameter values as cell text, in the design's key order.
    pub params: Vec<String>,
    pub status: Status,
    /// `(column, text)` of every metric (empty when the point failed).
    pub metrics: Vec<(String, String)>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// Where the last record of a point sits: which journal (in the caller's list), the byte
/// offset and length of its line, and its status. Sweeps keep these (a few dozen bytes a
/// point), not the records, so memory does not grow with the metrics.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Entry {
    pub journal: usize,
    pub offset: u64,
    pub len: usize,
    pub status: Status,
}

/// What a journal holds.
#[derive(Debug, Default)]
pub struct Contents {
    /// The last record of each point index.
    pub entries: BTreeMap<u64, Entry>,
    /// Length of the complete lines, bytes (a torn tail starts here).
    pub valid_len: u64,
    /// Complete lines that were not records, with their line number.
    pub warnings: Vec<String>,
}

/// Read a journal (a missing file is an empty journal); `journal` numbers its entries.
pub fn read(path: &Path, journal: usize) -> Result<Contents> {
    let file = match File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Contents::default()),
        Err(e) => return Err(Error::io(path, e)),
    };
    let mut reader = BufReader::with_capacity(1 << 20, file);
    let mut out = Contents::default();
    let mut line = Vec::new();
    let mut line_no = 0usize;
    loop {
        line.clear();
        let n = reader.read_until(b'\n', &mut line).map_err(|e| Error::io(path, e))?;
        if n == 0 || line.last() != Some(&b'\n') {
            break; // end of file, or a torn last line
        }
        line_no += 1;
        let offset = out.valid_len;
        out.valid_len += n as u64;
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        match serde_json::from_slice::<Record>(&line) {
            Ok(r) => {
                out.entries.insert(r.index, Entry { journal, offset, len: n, status: r.status });
            }
            Err(e) => out.warnings.push(format!("{} line {line_no}: not a point record ({e}); that point will run again", path.display())),
        }
    }
    Ok(out)
}

/// An open journal, appended to by one writer.
pub struct Journal {
    file: File,
    path: PathBuf,
    len: u64,
    number: usize,
}

impl Journal {
    /// Open (or create) journal number `number` for appending, locked against other
    /// writers, cutting off a torn last line.
    pub fn open(path: &Path, number: usize) -> Result<(Journal, Contents)> {
        let file = OpenOptions::new().create(true).append(true).open(path).map_err(|e| Error::io(path, e))?;
        // One writer per journal: a second process (a task started twice, a requeue while
        // the first still runs) is refused instead of interleaving with the first. The lock
        // is released when the file is closed, also by a kill.
        match file.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => {
                return Err(Error::conflict(
                    path,
                    "is being written by another needlesim process (the same sweep or shard started twice?); wait for it to finish or stop it, then --resume",
                ));
            }
            Err(std::fs::TryLockError::Error(e)) => return Err(Error::io(path, e)),
        }
        let contents = read(path, number)?;
        let len = file.metadata().map_err(|e| Error::io(path, e))?.len();
        if len > contents.valid_len {
            file.set_len(contents.valid_len).map_err(|e| Error::io(path, e))?;
            file.sync_all().map_err(|e| Error::io(path, e))?;
        }
        Ok((Journal { file, path: path.to_path_buf(), len: contents.valid_len, number }, contents))
    }

    /// Append records, one line each (one `write`, so a killed process leaves whole lines
    /// or a torn last one), and return where they went. Call [`Journal::sync`] to make
    /// them survive a power cut too.
    pub fn append(&mut self, records: &[Record]) -> Result<Vec<Entry>> {
        let mut buf = Vec::with_capacity(records.len() * 2048);
        let mut entries = Vec::with_capacity(records.len());
        for r in records {
            let start = buf.len();
            serde_json::to_writer(&mut buf, r).expect("a record serialises");
            buf.push(b'\n');
            entries.push(Entry { journal: self.number, offset: self.len + start as u64, len: buf.len() - start, status: r.status });
        }
        self.file.write_all(&buf).map_err(|e| Error::io(&self.path, e))?;
        self.len += buf.len() as u64;
        Ok(entries)
    }

    /// Flush what was appended to the disk (`fsync`).
    pub fn sync(&mut self) -> Result<()> {
        self.file.sync_data().map_err(|e| Error::io(&self.path, e))
    }
}

/// Random access to the records of one or more journals, by [`Entry`].
pub struct Lines {
    files: Vec<(PathBuf, File)>,
    buf: Vec<u8>,
}

impl Lines {
    /// Open the journals; `Entry::journal` indexes `paths`.
    pub fn open(paths: &[PathBuf]) -> Result<Lines> {
        let files = paths.iter().map(|p| File::open(p).map(|f| (p.clone(), f)).map_err(|e| Error::io(p, e))).collect::<Result<_>>()?;
        Ok(Lines { files, buf: Vec::new() })
    }

    pub fn get(&mut self, e: &Entry) -> Result<Record> {
        let (path, file) = &mut self.files[e.journal];
        self.buf.resize(e.len, 0);
        file.seek(SeekFrom::Start(e.offset)).map_err(|x| Error::io(&*path, x))?;
        file.read_exact(&mut self.buf).map_err(|x| Error::io(&*path, x))?;
        serde_json::from_slice(&self.buf)
            .map_err(|x| Error::parse(&*path, format!("the record at byte {} changed while the sweep read it: {x}", e.offset)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(index: u64, status: Status) -> Record {
        Record {
            index,
            seed: index * 7,
            params: vec!["1.5".into(), "a, \"b\"".into()],
            status,
            metrics: vec![("coverage".into(), "0.25".into())],
            error: (status == Status::Error).then(|| "x = 2: allowed is 1".into()),
        }
    }

    #[test]
    fn torn_tail_is_ignored_then_cut_and_last_record_wins() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("journal.jsonl");
        let (mut j, c) = Journal::open(&path, 0).unwrap();
        assert!(c.entries.is_empty());
        j.append(&[rec(0, Status::Ok), rec(1, Status::Error)]).unwrap();
        drop(j);
        let full = std::fs::read(&path).unwrap();
        // A kill in the middle of writing the third line.
        let third = serde_json::to_vec(&rec(2, Status::Ok)).unwrap();
        std::fs::OpenOptions::new().append(true).open(&path).unwrap().write_all(&third[..third.len() / 2]).unwrap();
        let c = read(&path, 0).unwrap();
        assert_eq!(c.entries.keys().copied().collect::<Vec<_>>(), vec![0, 1]);
        assert_eq!(c.valid_len, full.len() as u64);
        assert!(c.warnings.is_empty());
        let (mut j, c) = Journal::open(&path, 0).unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), full, "torn tail cut");
        let mut lines = Lines::open(std::slice::from_ref(&path)).unwrap();
        assert_eq!(lines.get(&c.entries[&1]).unwrap(), rec(1, Status::Error));
        let appended = j.append(&[rec(1, Status::Ok), rec(2, Status::Ok)]).unwrap();
        let c = read(&path, 0).unwrap();
        assert_eq!(c.entries.len(), 3);
        assert_eq!(c.entries[&1].status, Status::Ok, "the rerun replaces the failure");
        assert_eq!(&[c.entries[&1], c.entries[&2]], &appended[..], "append reports where the lines went");
        let mut lines = Lines::open(std::slice::from_ref(&path)).unwrap();
        for i in 0..3 {
            assert_eq!(lines.get(&c.entries[&i]).unwrap().index, i);
        }
    }

    proptest::proptest! {
        #[test]
        fn any_journal_bytes_read_without_panic(bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..400)) {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("journal.jsonl");
            let mut data = serde_json::to_vec(&rec(4, Status::Ok)).unwrap();
            data.push(b'\n');
            data.extend(&bytes);
            std::fs::write(&path, &data).unwrap();
            let c = read(&path, 0).unwrap();
            proptest::prop_assert!(c.entries.contains_key(&4), "the whole first line survives any tail");
            let v = c.valid_len as usize;
            proptest::prop_assert!(v <= data.len() && (v == 0 || data[v - 1] == b'\n'));
        }
    }

    #[test]
    fn a_second_writer_is_refused_until_the_first_closes() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("journal.jsonl");
        let (first, _) = Journal::open(&path, 0).unwrap();
        let e = Journal::open(&path, 0).err().expect("locked").to_string();
        assert!(e.contains("another needlesim process"), "{e}");
        drop(first);
        assert!(Journal::open(&path, 0).is_ok());
    }

    #[test]
    fn a_damaged_complete_line_is_skipped_with_its_line_number() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("journal.jsonl");
        let mut text = serde_json::to_string(&rec(0, Status::Ok)).unwrap();
        text.push_str("\n{\"index\": 1, garbage\n");
        text.push_str(&serde_json::to_string(&rec(2, Status::Ok)).unwrap());
        text.push('\n');
        std::fs::write(&path, &text).unwrap();
        let c = read(&path, 0).unwrap();
        assert_eq!(c.entries.keys().copied().collect::<Vec<_>>(), vec![0, 2]);
        assert_eq!(c.warnings.len(), 1);
        assert!(c.warnings[0].contains("line 2"), "{}", c.warnings[0]);
        assert_eq!(c.valid_len, text.len() as u64);
    }
}
