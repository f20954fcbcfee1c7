//! Indexing: walks the given files and folders, parses changed files on
//! worker threads and writes the reports in batches (one transaction
//! each) from one writer, so a bad file never aborts the run and an
//! interrupted or failing run leaves every report either whole or absent.

use super::Store;
use crate::ingest::{self, Report};
use anyhow::{Context, Result};
use rusqlite::{OptionalExtension, params};
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// How long one batch of reports stays uncommitted, unless the options
/// say otherwise.
const BATCH_TIME: Duration = Duration::from_millis(1000);

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct IndexStats {
    pub new: usize,
    pub changed: usize,
    pub unchanged: usize,
    pub pruned: usize,
    /// File and reason, in path order.
    pub failed: Vec<(PathBuf, String)>,
}

impl IndexStats {
    pub fn seen(&self) -> usize {
        self.new + self.changed + self.unchanged + self.failed.len()
    }
}

#[derive(Debug, Clone, Copy)]
pub struct IndexOptions {
    /// Remove reports whose files, under the given folders, are gone.
    pub prune: bool,
    /// How long a batch of reports stays uncommitted: what a killed run
    /// loses at most, and how often readers see new reports. Shorter
    /// batches make more, smaller full-text segments to merge.
    pub batch: Duration,
    /// How much paragraph text waits for the full-text index before the
    /// writer adds it, inside the batch (see [`FTS_SYNC_BYTES`]).
    ///
    /// [`FTS_SYNC_BYTES`]: super::schema::FTS_SYNC_BYTES
    pub fts_sync_bytes: usize,
}

impl Default for IndexOptions {
    fn default() -> Self {
        IndexOptions {
            prune: false,
            batch: BATCH_TIME,
            fts_sync_bytes: super::schema::FTS_SYNC_BYTES,
        }
    }
}

/// What the progress callback is told after each file.
pub struct Progress<'a> {
    pub done: usize,
    pub total: usize,
    pub path: &'a Path,
}

/// File name endings taken from folders (a file named on the command line is
/// always read).
const REPORT_EXTENSIONS: &[&str] = &["txt", "text", "htm", "html", "md"];

/// Lists the report files under `paths`, sorted, by their canonical paths
/// (as stored). Hidden entries and symbolic links to folders are skipped
/// (no loops); unreadable folders are reported as failures.
///
/// Only the given paths and links to files are resolved: a folder's entries
/// under a canonical folder are canonical already. Resolving each file
/// (a system call per component of its path) kept the parsing thread
/// waiting for the first 0.75 s of an index run of 100k files (0.25 s now).
pub fn collect_files(paths: &[PathBuf], failed: &mut Vec<(PathBuf, String)>) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for p in paths {
        let p = &stored_path(p);
        match std::fs::metadata(p) {
            Ok(m) if m.is_dir() => walk(p, &mut out, failed),
            Ok(m) if m.is_file() => out.push(p.clone()),
            // Reading a FIFO or a device could block or never end.
            Ok(_) => failed.push((p.clone(), "not a regular file (a FIFO, socket or device)".to_string())),
            Err(e) => failed.push((p.clone(), format!("cannot read: {e}"))),
        }
    }
    out.sort();
    out.dedup();
    out
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>, failed: &mut Vec<(PathBuf, String)>) {
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) => {
            failed.push((dir.to_path_buf(), format!("cannot list folder: {e}")));
            return;
        }
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if entry.file_name().to_string_lossy().starts_with('.') {
            continue;
        }
        let Ok(ft) = entry.file_type() else { continue };
        if ft.is_dir() {
            walk(&path, out, failed);
        } else {
            let ext = path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase);
            if !ext.as_deref().is_none_or(|e| REPORT_EXTENSIONS.contains(&e)) {
                continue;
            }
            if ft.is_file() {
                out.push(path);
            } else if ft.is_symlink() {
                // Links to files are followed; links to folders are not (no
                // loops); a broken or looping link is reported.
                match std::fs::metadata(&path) {
                    Ok(m) if m.is_file() => out.push(stored_path(&path)),
                    Ok(_) => {}
                    Err(e) => failed.push((path, format!("cannot read: {e}"))),
                }
            } else {
                failed.push((path, "not a regular file (a FIFO, socket or device)".to_string()));
            }
        }
    }
}

enum Outcome {
    Unchanged,
    Parsed {
        report: Box<Report>,
        rows: Box<Derived>,
        hash: [u8; 32],
        size: u64,
    },
    Failed(String),
}

/// What the stored rows derive from a report, computed on the parsing
/// threads: the single writer is the bottleneck of an index run, so it
/// only binds values.
struct Derived {
    meta: String,
    parts: String,
    warnings: String,
    /// The figures with their measures and base values, as one value
    /// (see `store::figures`).
    figures: Vec<u8>,
    /// The distinct Han characters of what the palette and the filters
    /// match by pinyin: the bureau, its region, the title, the section
    /// titles and the figure labels.
    han: Vec<char>,
    /// The paragraphs' sections and texts, compressed (see `store::body`).
    body: Vec<u8>,
}

impl Derived {
    fn of(r: &Report) -> Result<Derived> {
        use crate::ingest::measure;
        // "guangdong" finds 深圳市光明区人民政府 through its region.
        let place = r.bureau.as_deref().map(|b| crate::regions::classify(b).place.label());
        let mut han: Vec<char> = r
            .bureau
            .iter()
            .chain(&r.title)
            .chain(&place)
            .map(String::as_str)
            .chain(r.sections.iter().map(|s| s.title.as_str()))
            .chain(r.figures.iter().map(|f| f.label.as_str()))
            .flat_map(str::chars)
            .filter(|&c| crate::search::pinyin::is_han(c))
            .collect();
        han.sort_unstable();
        han.dedup();
        Ok(Derived {
            meta: serde_json::to_string(&r.meta)?,
            parts: super::parts::encode(&r.parts)?,
            warnings: serde_json::to_string(&r.warnings)?,
            figures: {
                let measures: Vec<(String, f64, String)> = r
                    .figures
                    .iter()
                    .map(|f| {
                        let (v, u) = measure::base(f.value, &f.unit);
                        (measure::measure(&f.label), v, u)
                    })
                    .collect();
                super::figures::encode(r.figures.iter().zip(&measures).map(|(f, (m, v, u))| {
                    super::figures::FigureFields {
                        paragraph: f.paragraph,
                        section: f.section,
                        text: &f.text,
                        value: f.value,
                        unit: &f.unit,
                        approx: f.approx.as_deref(),
                        label: &f.label,
                        start: f.start,
                        end: f.end,
                        measure: m,
                        base_value: *v,
                        base_unit: u,
                    }
                }))
            },
            han,
            body: super::body::encode(r.paragraphs.iter().map(|p| (p.section, p.text.as_str()))),
        })
    }
}

/// How much parsed work may wait for the writer, counted in bytes of the
/// files it came from. A few reports' worth (the old bound) left the
/// parsing thread idle whenever the writer committed a batch (6% of a run);
/// counting bytes rather than reports keeps memory bounded whatever the
/// files' sizes. 4 MB still left it waiting 0.5 to 1 s of a 4.5 s run
/// on the 10k bench corpus, while the writer added a batch to the
/// full-text index; 16 MB covers that, for 4.14–4.26 s against 4.45–4.53 s
/// (three runs each) and about 60 MB more memory while indexing.
const BACKLOG_BYTES: usize = 16 << 20;

/// The writer's page cache, in KiB (SQLite's default is 2 MB). Indexing
/// inserts figures into an index by measure, reports into the browsing
/// index and merges full-text segments, all over the whole file; at 100k
/// reports a 2 MB cache read the same pages again and again (16 s of the
/// kernel's time in a 64 s run, 8 to 9 s with a larger cache).
const WRITER_CACHE_KIB: i64 = 64 << 10;

/// SQLite's automatic checkpoint, in pages of the write-ahead log (its
/// default), outside index runs.
const WAL_AUTOCHECKPOINT: i64 = 1000;

/// The parsed reports waiting for the writer: their weight, whether the
/// writer stopped taking them, and the file it writes next.
#[derive(Default)]
struct Backlog {
    state: std::sync::Mutex<BacklogState>,
    changed: std::sync::Condvar,
}

#[derive(Default)]
struct BacklogState {
    bytes: usize,
    closed: bool,
    /// The writer writes files in their order, so this one is always let
    /// through: the writer may be waiting for it.
    next_to_write: usize,
}

impl Backlog {
    /// Waits for room for file `i` of `weight` (always granted when nothing
    /// waits, so one large file passes, and to the file the writer needs
    /// next); false once the writer has stopped.
    fn admit(&self, i: usize, weight: usize) -> bool {
        let mut s = self.state.lock().unwrap_or_else(|e| e.into_inner());
        while !s.closed && i != s.next_to_write && s.bytes > 0 && s.bytes.saturating_add(weight) > BACKLOG_BYTES {
            s = self.changed.wait(s).unwrap_or_else(|e| e.into_inner());
        }
        if s.closed {
            return false;
        }
        s.bytes = s.bytes.saturating_add(weight);
        true
    }

    /// The writer took the next file, which weighed `weight`.
    fn written(&self, weight: usize) {
        let mut s = self.state.lock().unwrap_or_else(|e| e.into_inner());
        s.bytes = s.bytes.saturating_sub(weight);
        s.next_to_write += 1;
        self.changed.notify_all();
    }

    fn close(&self) {
        self.state.lock().unwrap_or_else(|e| e.into_inner()).closed = true;
        self.changed.notify_all();
    }
}

/// How many files ahead of the one it must write next the writer parses
/// itself while it waits for that one (a bound on what it holds).
const WRITER_AHEAD: usize = 64;

/// How long parsing and writing a file take, on average so far: whether
/// the writer, with nothing to write, should parse a file itself or wait.
///
/// Waiting idles its core; but every file it parses is writing put off,
/// and when writing is the slower side, that writing is left for the end,
/// after the parsing threads have run out of files, on one core. The
/// writer used to parse whenever nothing waited: on the 10k bench corpus
/// (2 cores) the parsing thread then finished at 2.7 s and the writer
/// wrote alone until 3.9 s. Now it parses only while the parsing threads,
/// alone, would still be parsing after it has written everything waiting.
/// (Most of what remained of that tail was the last batch's full-text
/// work, until the writer added paragraphs as the batch went: see
/// `FTS_SYNC_BYTES`.)
#[derive(Default)]
struct Pace {
    parsing: Duration,
    parsed: u32,
    writing: Duration,
    written: u32,
}

impl Pace {
    fn parsed(&mut self, took: Duration) {
        self.parsing += took;
        self.parsed += 1;
    }

    fn written(&mut self, took: Duration) {
        self.writing += took;
        self.written += 1;
    }

    /// With `to_parse` files not yet taken by any thread, `to_write` not
    /// yet written, and `workers` parsing threads.
    fn writer_should_parse(&self, to_parse: usize, to_write: usize, workers: usize) -> bool {
        if self.parsed == 0 || self.written == 0 {
            // Nothing measured yet: parse rather than idle.
            return true;
        }
        let parse = self.parsing.as_secs_f64() / f64::from(self.parsed);
        let write = self.writing.as_secs_f64() / f64::from(self.written);
        to_parse as f64 * parse / workers.max(1) as f64 > to_write as f64 * write
    }
}

/// Larger files are refused: a report is well under 1 MB, and reading a
/// stray multi-gigabyte file would exhaust memory.
pub const MAX_REPORT_BYTES: u64 = 64 << 20;

fn read_limited(path: &Path) -> Result<Vec<u8>, String> {
    use std::io::Read;
    let file = std::fs::File::open(path).map_err(|e| format!("cannot read: {e}"))?;
    let mut bytes = Vec::new();
    file.take(MAX_REPORT_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("cannot read: {e}"))?;
    if bytes.len() as u64 > MAX_REPORT_BYTES {
        return Err(format!(
            "too large for a report (over {} MB); not indexed",
            MAX_REPORT_BYTES >> 20
        ));
    }
    Ok(bytes)
}

/// The key a file is stored under: its absolute path. A name that is not
/// UTF-8 has its stray bytes written as `\xNN` (and `\` as `\\`), so two
/// such names never collide and the key reads back to the file.
pub fn path_key(p: &Path) -> String {
    if let Some(s) = p.to_str() {
        return s.to_string();
    }
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        let mut key = String::new();
        for chunk in p.as_os_str().as_bytes().utf8_chunks() {
            key.push_str(&chunk.valid().replace('\\', "\\\\"));
            for b in chunk.invalid() {
                key.push_str(&format!("\\x{b:02x}"));
            }
        }
        key
    }
    #[cfg(not(unix))]
    {
        p.to_string_lossy().into_owned()
    }
}

/// The file a key names (the inverse of [`path_key`]).
pub fn key_path(key: &str) -> PathBuf {
    let plain = PathBuf::from(key);
    #[cfg(unix)]
    if !plain.exists() && key.contains('\\') {
        use std::os::unix::ffi::OsStringExt;
        let mut bytes = Vec::new();
        let mut rest = key.as_bytes();
        while let Some((&b, tail)) = rest.split_first() {
            rest = tail;
            if b != b'\\' {
                bytes.push(b);
            } else if rest.first() == Some(&b'\\') {
                bytes.push(b'\\');
                rest = &rest[1..];
            } else if let Some(v) = rest
                .strip_prefix(b"x")
                .and_then(|h| h.get(..2))
                .and_then(|h| std::str::from_utf8(h).ok())
                .and_then(|h| u8::from_str_radix(h, 16).ok())
            {
                bytes.push(v);
                rest = &rest[3..];
            } else {
                bytes.push(b);
            }
        }
        return PathBuf::from(std::ffi::OsString::from_vec(bytes));
    }
    plain
}

/// Takes the next file of the run (`next` counts them out to every
/// thread) and reads, hashes and parses it.
fn examine_next(
    files: &[PathBuf],
    known: &HashMap<String, Vec<u8>>,
    next: &std::sync::atomic::AtomicUsize,
) -> Option<(usize, Outcome)> {
    let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let path = files.get(i)?;
    Some((i, examine(path, known.get(&path_key(path)).map(Vec::as_slice))))
}

fn examine(path: &Path, known: Option<&[u8]>) -> Outcome {
    let bytes = match read_limited(path) {
        Ok(b) => b,
        Err(reason) => return Outcome::Failed(reason),
    };
    let hash = *blake3::hash(&bytes).as_bytes();
    if known == Some(&hash[..]) {
        return Outcome::Unchanged;
    }
    // A parser bug must cost one file, not the run.
    let parsed = std::panic::catch_unwind(|| {
        let report = ingest::parse_bytes(&bytes)?;
        let rows = Derived::of(&report);
        Ok::<_, ingest::DecodeError>((report, rows))
    });
    match parsed {
        Ok(Ok((report, Ok(rows)))) => Outcome::Parsed {
            report: Box::new(report),
            rows: Box::new(rows),
            hash,
            size: bytes.len() as u64,
        },
        Ok(Ok((_, Err(e)))) => Outcome::Failed(format!("cannot encode the report for the index: {e:#}")),
        Ok(Err(e)) => Outcome::Failed(e.to_string()),
        Err(_) => Outcome::Failed("internal parser error (please report this file)".to_string()),
    }
}

/// The path stored for a file: absolute, so the index means the same from
/// any working directory.
fn stored_path(p: &Path) -> PathBuf {
    std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf())
}

/// One indexer at a time per database: an exclusive lock on `DB.lock`,
/// held for the whole run and released when dropped (also when the process
/// dies, since the kernel drops the lock). The file says who holds it.
pub struct IndexLock {
    _file: std::fs::File,
}

impl IndexLock {
    pub fn acquire(db: &Path) -> Result<IndexLock> {
        use std::io::{Read, Seek, Write};
        let mut name = db.as_os_str().to_owned();
        name.push(".lock");
        let path = PathBuf::from(name);
        let mut file = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .with_context(|| format!("cannot create the lock file {}", path.display()))?;
        match file.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => {
                let mut holder = String::new();
                let _ = file.read_to_string(&mut holder);
                let holder = holder.trim();
                anyhow::bail!(
                    "another `fazhi index`{} is writing to {}; wait for it to finish, then run this again",
                    if holder.is_empty() {
                        String::new()
                    } else {
                        format!(" ({holder})")
                    },
                    db.display()
                );
            }
            Err(std::fs::TryLockError::Error(e)) => {
                return Err(e).with_context(|| format!("cannot lock {}", path.display()));
            }
        }
        // Best effort: who holds the lock, for the message above.
        let _ = file.set_len(0);
        let _ = file.rewind();
        let _ = write!(file, "process {}", std::process::id());
        let _ = file.flush();
        Ok(IndexLock { _file: file })
    }
}

/// Copies committed pages from the write-ahead log into the database on a
/// thread of its own during an index run, instead of the writer doing it
/// at the commit that fills the log past 1000 pages (SQLite's automatic
/// checkpoint, which the run turns off). The writer sets the pace of a
/// run, and a checkpoint copies every page the run writes a second time; a
/// passive checkpoint runs beside the writer without blocking it. Returns
/// where to tell it of each commit (it ends when that is dropped), or
/// `None` when its connection cannot be had.
fn spawn_checkpointer<'s>(scope: &'s std::thread::Scope<'s, '_>, path: &Path) -> Option<mpsc::Sender<()>> {
    let conn = rusqlite::Connection::open(path)
        .and_then(|conn| conn.busy_timeout(Duration::from_secs(10)).map(|()| conn))
        .inspect_err(|e| tracing::warn!(error = %e, "no checkpoints beside the writer"))
        .ok()?;
    let (tx, rx) = mpsc::channel::<()>();
    scope.spawn(move || {
        while rx.recv().is_ok() {
            // Commits told of while it ran are covered by one more.
            while rx.try_recv().is_ok() {}
            if let Err(e) = conn.execute_batch("PRAGMA wal_checkpoint(PASSIVE)") {
                tracing::warn!(error = %e, "checkpoint beside the writer failed");
            }
        }
    });
    Some(tx)
}

/// Adds what to do to a write error that means the disk is full (or the
/// file may grow no more).
fn explain_write_error(e: anyhow::Error) -> anyhow::Error {
    let full = e.chain().any(|c| {
        matches!(
            c.downcast_ref::<rusqlite::Error>(),
            Some(rusqlite::Error::SqliteFailure(f, _))
                if matches!(f.code, rusqlite::ErrorCode::DiskFull | rusqlite::ErrorCode::SystemIoFailure)
        )
    });
    if full {
        anyhow::anyhow!(
            "{e:#}\nThe index could not grow (disk full, quota or file size limit?). The reports committed \
             before it are kept and the index is consistent: free some space and run the same command again."
        )
    } else {
        e
    }
}

impl Store {
    pub fn index(
        &mut self,
        paths: &[PathBuf],
        opts: IndexOptions,
        progress: &mut dyn FnMut(Progress<'_>),
    ) -> Result<IndexStats> {
        let _lock = IndexLock::acquire(self.path())?;
        // The writer inserts a report's rows after the report, in one
        // transaction, and deletes them explicitly before it: checking each
        // of the million child rows against its report costs a tenth of
        // the run and can find nothing.
        self.conn.pragma_update(None, "foreign_keys", "OFF")?;
        // Journals stay in memory: a statement that changes many rows
        // inside the batch (deleting a replaced report's figures) journals
        // the pages it changes so it can be undone alone. In a temporary
        // file, the per-report savepoints' journals of earlier versions
        // doubled the kernel's share of a run.
        self.conn.pragma_update(None, "temp_store", "MEMORY")?;
        // Freed memory stays for reuse until the run ends, then goes back.
        let kept = crate::alloc::KeepFreedMemory::new();
        // The larger cache lasts for the run only: a reader needs little.
        let cache: i64 = self.conn.pragma_query_value(None, "cache_size", |r| r.get(0))?;
        self.conn.pragma_update(None, "cache_size", -WRITER_CACHE_KIB)?;
        // A thread of the run checkpoints instead (see `spawn_checkpointer`).
        self.conn.pragma_update(None, "wal_autocheckpoint", 0)?;
        let result = self.index_files(paths, opts, progress);
        let checks_on = self.conn.pragma_update(None, "foreign_keys", "ON");
        let cache_back = self.conn.pragma_update(None, "cache_size", cache);
        let checkpoints_back = self.conn.pragma_update(None, "wal_autocheckpoint", WAL_AUTOCHECKPOINT);
        drop(kept);
        let stats = result?;
        checks_on?;
        cache_back?;
        checkpoints_back?;
        Ok(stats)
    }

    fn index_files(
        &mut self,
        paths: &[PathBuf],
        opts: IndexOptions,
        progress: &mut dyn FnMut(Progress<'_>),
    ) -> Result<IndexStats> {
        let mut stats = IndexStats::default();
        let files = collect_files(paths, &mut stats.failed);
        let known: HashMap<String, Vec<u8>> = {
            let mut stmt = self.conn.prepare("SELECT path, hash FROM reports")?;
            let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
            rows.collect::<rusqlite::Result<_>>()?
        };
        let total = files.len();
        // The single writer keeps a core of its own: on 2 cores a second
        // parsing thread only took turns with it (10% slower). Instead the
        // writer parses the next file itself when no parsed report waits
        // for it and parsing is behind (see `Pace`).
        let workers = std::thread::available_parallelism()
            .map_or(1, |n| n.get().saturating_sub(1))
            .clamp(1, 8);
        let next = std::sync::atomic::AtomicUsize::new(0);
        let (tx, rx) = mpsc::channel::<(usize, Outcome, usize, Duration)>();
        let backlog = Backlog::default();
        let mut write_error: Option<anyhow::Error> = None;
        std::thread::scope(|scope| {
            let checkpoints = spawn_checkpointer(scope, &self.path);
            // Without the checkpointer, the writer checkpoints as usual.
            if checkpoints.is_none()
                && let Err(e) = self.conn.pragma_update(None, "wal_autocheckpoint", WAL_AUTOCHECKPOINT)
            {
                tracing::warn!(error = %e, "no checkpoints during this run: the log grows until it ends");
            }
            for _ in 0..workers {
                let tx = tx.clone();
                let (files, known, next, backlog) = (&files, &known, &next, &backlog);
                scope.spawn(move || {
                    loop {
                        let started = Instant::now();
                        let Some((i, outcome)) = examine_next(files, known, next) else {
                            break;
                        };
                        let took = started.elapsed();
                        let weight = match &outcome {
                            Outcome::Parsed { size, .. } => usize::try_from(*size).unwrap_or(usize::MAX),
                            _ => 0,
                        };
                        if !backlog.admit(i, weight) || tx.send((i, outcome, weight, took)).is_err() {
                            break;
                        }
                    }
                });
            }
            drop(tx);
            // Reports are written in batches: one transaction commits about
            // once a second, so a report is always whole or absent and a
            // killed run loses at most the last second. A write that fails
            // stops the run and rolls its batch back (see `abandon_batch`):
            // a savepoint around each report, which kept the batch's other
            // reports, cost a tenth of the writer's work, copying every page
            // a report touched.
            let mut batch: Option<Instant> = None;
            // Files are written in their order, whichever thread parsed
            // them, so that report ids (and the order of equally relevant
            // search hits) do not depend on timing or the number of cores.
            let mut ready: std::collections::BTreeMap<usize, (Outcome, usize)> = Default::default();
            let mut done = 0;
            let mut pace = Pace::default();
            loop {
                let Some((outcome, weight)) = ready.remove(&done) else {
                    // Parsed reports first. When none waits, the writer
                    // may parse a file itself instead of idling (see
                    // `Pace`).
                    let got = match rx.try_recv() {
                        Ok(r) => Some(r),
                        Err(_) => {
                            let to_parse = total.saturating_sub(next.load(std::sync::atomic::Ordering::Relaxed));
                            let helps =
                                ready.len() < WRITER_AHEAD && pace.writer_should_parse(to_parse, total - done, workers);
                            let started = Instant::now();
                            match helps.then(|| examine_next(&files, &known, &next)).flatten() {
                                Some((i, outcome)) => Some((i, outcome, 0, started.elapsed())),
                                None => rx.recv().ok(),
                            }
                        }
                    };
                    // Every sender gone: every file was handed over.
                    let Some((i, outcome, weight, took)) = got else { break };
                    pace.parsed(took);
                    ready.insert(i, (outcome, weight));
                    continue;
                };
                let writing = Instant::now();
                let i = done;
                done += 1;
                backlog.written(weight);
                // Once the index cannot be written, stop: closing the
                // backlog (below) ends the parsing threads too.
                if write_error.is_some() {
                    break;
                }
                let path = &files[i];
                let writes = !matches!(outcome, Outcome::Unchanged);
                if write_error.is_none() && writes && batch.is_none() {
                    match self.conn.execute_batch("BEGIN IMMEDIATE") {
                        Ok(()) => batch = Some(Instant::now()),
                        Err(e) => {
                            write_error = Some(anyhow::Error::new(e).context("cannot start writing to the index"))
                        }
                    }
                }
                if write_error.is_none()
                    && let Err(e) = self.record(path, outcome, &known, &mut stats)
                {
                    write_error = Some(e);
                    batch = None;
                    self.abandon_batch();
                }
                // The batch's paragraphs go to the full-text index as
                // they come, a segment's worth at a time (see
                // `FTS_SYNC_BYTES`); its reports in one commit.
                if batch.is_some()
                    && self.fts_pending.bytes() >= opts.fts_sync_bytes
                    && let Err(e) = super::schema::sync_fts(&self.conn, &mut self.fts_pending)
                {
                    write_error =
                        Some(anyhow::Error::new(e).context("cannot add the paragraphs to the full-text index"));
                    batch = None;
                    self.abandon_batch();
                }
                if batch.is_some_and(|t| t.elapsed() >= opts.batch) {
                    batch = None;
                    match self.commit_batch() {
                        Ok(()) => {
                            if let Some(c) = &checkpoints {
                                let _ = c.send(());
                            }
                        }
                        Err(e) => {
                            write_error.get_or_insert(e);
                        }
                    }
                }
                pace.written(writing.elapsed());
                progress(Progress { done, total, path });
            }
            // Parsing threads still waiting for room stop now (the writer
            // gave up on an error).
            backlog.close();
            // The checkpointer ends, before the last batch commits: the run
            // does not wait for that batch's pages to be copied; closing the
            // index or its next commit copies them.
            drop(checkpoints);
            if batch.is_some()
                && let Err(e) = self.commit_batch()
            {
                write_error.get_or_insert(e);
            }
        });
        if let Some(e) = write_error {
            return Err(explain_write_error(e));
        }
        if opts.prune {
            stats.pruned = self.prune(paths, &files)?;
        }
        // The run's free pages go back to the file system (an index made
        // before incremental vacuum keeps them; `VACUUM` returns them). What
        // was indexed is committed already, so a failure here only says so.
        if let Err(e) = self.give_back_free_pages() {
            tracing::warn!(error = %e, "could not give the index's free pages back");
        }
        stats.failed.sort();
        Ok(stats)
    }

    /// Truncates the file by its free pages (none unless it was created
    /// with incremental vacuum). The pragma frees a page per step, so it is
    /// stepped to its end.
    fn give_back_free_pages(&self) -> rusqlite::Result<()> {
        let mut stmt = self.conn.prepare("PRAGMA incremental_vacuum")?;
        let mut rows = stmt.query([])?;
        while rows.next()?.is_some() {}
        Ok(())
    }

    /// Indexes the batch's paragraphs for full-text search and commits. On
    /// failure the batch is rolled back: the index stays as it was before.
    fn commit_batch(&mut self) -> Result<()> {
        let done = super::schema::sync_fts(&self.conn, &mut self.fts_pending)
            .context("cannot add the paragraphs to the full-text index")
            .and_then(|()| self.conn.execute_batch("COMMIT").context("cannot commit to the index"));
        if done.is_err() {
            self.abandon_batch();
        }
        done
    }

    /// Rolls the batch back after a failed write, with what the writer
    /// keeps beside it: the paragraphs waiting for the full-text index, and
    /// the characters it believes have their pinyin stored (read again at
    /// the next write). The index is then as the last commit left it.
    fn abandon_batch(&mut self) {
        if !self.conn.is_autocommit() {
            let _ = self.conn.execute_batch("ROLLBACK");
        }
        self.fts_pending.clear();
        self.pinyin_known = None;
    }

    fn record(
        &mut self,
        path: &Path,
        outcome: Outcome,
        known: &HashMap<String, Vec<u8>>,
        stats: &mut IndexStats,
    ) -> Result<()> {
        let key = path_key(path);
        match outcome {
            Outcome::Unchanged => stats.unchanged += 1,
            Outcome::Failed(reason) => {
                self.conn
                    .execute(
                        "INSERT OR REPLACE INTO failures(path, reason, at) VALUES (?1, ?2, datetime('now'))",
                        params![key, reason],
                    )
                    .with_context(|| format!("{}: cannot record the failure", path.display()))?;
                stats.failed.push((path.to_path_buf(), reason));
            }
            Outcome::Parsed {
                report,
                rows,
                hash,
                size,
            } => {
                self.write_report(&key, &hash, size, &report, &rows).with_context(|| {
                    format!(
                        "{}: cannot write to the index {}",
                        path.display(),
                        self.path().display()
                    )
                })?;
                if known.contains_key(&key) {
                    stats.changed += 1;
                } else {
                    stats.new += 1;
                }
            }
        }
        Ok(())
    }

    /// Replaces the report's rows inside the batch's transaction; its
    /// paragraphs reach the full-text index at [`schema::sync_fts`], before
    /// the batch commits. On an error the report may be half-written: the
    /// caller rolls the batch back.
    ///
    /// [`schema::sync_fts`]: super::schema::sync_fts
    fn write_report(&mut self, path: &str, hash: &[u8], size: u64, r: &Report, d: &Derived) -> Result<i64> {
        let tx = &self.conn;
        // Statements are cached: preparing them again for each report cost
        // the writer 3%.
        let old: Option<i64> = tx
            .prepare_cached("SELECT id FROM reports WHERE path = ?1")?
            .query_row([path], |row| row.get(0))
            .optional()?;
        if let Some(id) = old {
            delete_report(tx, id, &mut self.fts_pending)?;
        }
        let bureau_id: Option<i64> = match &r.bureau {
            Some(name) => {
                tx.prepare_cached("INSERT OR IGNORE INTO bureaus(name) VALUES (?1)")?
                    .execute([name])?;
                Some(
                    tx.prepare_cached("SELECT id FROM bureaus WHERE name = ?1")?
                        .query_row([name], |row| row.get(0))?,
                )
            }
            None => None,
        };
        // A report's paragraphs take the next full-text rowids: above every
        // stored report's and above what the index has taken, even where the
        // newest reports were just deleted, so that `sync_fts` finds every
        // new one.
        let count = r.paragraphs.len() as i64;
        let base: i64 = tx
            .prepare_cached(
                "SELECT max(coalesce((SELECT paragraph_base + paragraph_count FROM reports
                                      ORDER BY paragraph_base DESC LIMIT 1), 1),
                            (SELECT id FROM fts_synced) + 1)",
            )?
            .query_row([], |row| row.get(0))?;
        tx.prepare_cached(
            "INSERT INTO reports(path, hash, size, bureau_id, year, published, title, encoding, meta, parts, warnings,
                                 indexed_at, paragraph_base, paragraph_count)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, datetime('now'), ?12, ?13)",
        )?
        .execute(params![
            path,
            hash,
            size as i64,
            bureau_id,
            r.year,
            r.published,
            r.title,
            r.encoding,
            d.meta,
            d.parts,
            d.warnings,
            (count > 0).then_some(base),
            count,
        ])?;
        let id = tx.last_insert_rowid();
        let paragraph_ids;
        {
            let mut st = tx.prepare_cached(
                "INSERT INTO sections(report_id, ord, level, number, ordinal, heading, title_own, title_tail, parent,
                                      parts, path)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
            )?;
            for (i, s) in r.sections.iter().enumerate() {
                let parts: Vec<&str> = s.parts.iter().map(|p| p.name()).collect();
                let (title, tail) = super::schema::stored_title(&s.heading, &s.number, &s.title);
                st.execute(params![
                    id,
                    i as i64,
                    s.level,
                    s.number,
                    s.ordinal,
                    s.heading,
                    title,
                    tail,
                    s.parent.map(|p| p as i64),
                    parts.join(","),
                    s.path
                ])?;
            }
            tx.prepare_cached("INSERT INTO bodies(report_id, data) VALUES (?1, ?2)")?
                .execute(params![id, d.body])?;
            paragraph_ids = base..base + count;
            if !r.figures.is_empty() {
                tx.prepare_cached("INSERT INTO figures(report_id, count, data) VALUES (?1, ?2, ?3)")?
                    .execute(params![id, r.figures.len() as i64, d.figures])?;
            }
        }
        store_pinyin(tx, &mut self.pinyin_known, &d.han)?;
        tx.prepare_cached("DELETE FROM failures WHERE path = ?1")?
            .execute([path])?;
        if old.is_some() {
            delete_orphan_bureaus(tx)?;
        }
        for (pid, p) in paragraph_ids.zip(&r.paragraphs) {
            self.fts_pending.push(pid, id, p.text.clone());
        }
        Ok(id)
    }

    /// Removes reports whose files under the indexed folders no longer exist.
    fn prune(&mut self, roots: &[PathBuf], present: &[PathBuf]) -> Result<usize> {
        let roots: Vec<PathBuf> = roots.iter().map(|r| stored_path(r)).collect();
        let present: HashSet<String> = present.iter().map(|p| path_key(p)).collect();
        let stored: Vec<(i64, String)> = {
            let mut stmt = self.conn.prepare("SELECT id, path FROM reports")?;
            let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
            rows.collect::<rusqlite::Result<_>>()?
        };
        let tx = self.conn.transaction()?;
        let mut n = 0;
        let gone = |key: &String| {
            let p = key_path(key);
            roots.iter().any(|r| p.starts_with(r)) && !present.contains(key) && !p.exists()
        };
        for (id, path) in stored {
            if gone(&path) {
                delete_report(&tx, id, &mut self.fts_pending)?;
                n += 1;
            }
        }
        let failures: Vec<String> = {
            let mut stmt = tx.prepare("SELECT path FROM failures")?;
            let rows = stmt.query_map([], |r| r.get(0))?;
            rows.collect::<rusqlite::Result<_>>()?
        };
        for path in failures {
            if gone(&path) {
                tx.execute("DELETE FROM failures WHERE path = ?1", [&path])?;
            }
        }
        delete_orphan_bureaus(&tx)?;
        tx.commit()?;
        Ok(n)
    }
}

/// Stores the readings of the characters of `han` (Han, distinct) that the
/// `pinyin` table lacks, and records them in `known`, which is read from
/// the table on first use (and forgotten when a batch is rolled back).
fn store_pinyin(
    tx: &rusqlite::Connection,
    known: &mut Option<std::collections::HashSet<char>>,
    han: &[char],
) -> Result<()> {
    use crate::search::pinyin::readings_of;
    let known = match known {
        Some(k) => k,
        None => {
            let mut stmt = tx.prepare("SELECT ch FROM pinyin")?;
            let chars = stmt
                .query_map([], |r| r.get::<_, String>(0))?
                .filter_map(|r| r.ok().and_then(|s| s.chars().next()))
                .collect();
            known.insert(chars)
        }
    };
    let mut st = tx.prepare_cached("INSERT OR IGNORE INTO pinyin(ch, readings) VALUES (?1, ?2)")?;
    for &c in han {
        if !known.contains(&c) {
            st.execute(params![c.to_string(), readings_of(c).join(" ")])?;
            known.insert(c);
        }
    }
    Ok(())
}

/// Deletes a report's rows and its paragraphs' entries in the full-text
/// index: those already there (which the contentless index can only
/// remove given their text) and those waiting for the batch's end.
fn delete_report(tx: &rusqlite::Connection, id: i64, pending: &mut super::schema::PendingFts) -> Result<()> {
    pending.forget_report(id);
    // A report's paragraphs reach the index together, at its batch's end.
    let (base, count): (Option<i64>, i64) = tx
        .prepare_cached(
            "SELECT paragraph_base, paragraph_count FROM reports
             WHERE id = ?1 AND paragraph_base + paragraph_count - 1 <= (SELECT id FROM fts_synced)",
        )?
        .query_row([id], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?
        .unwrap_or((None, 0));
    if let Some(base) = base {
        let data: Vec<u8> = tx
            .prepare_cached("SELECT data FROM bodies WHERE report_id = ?1")?
            .query_row([id], |r| r.get(0))
            .with_context(|| format!("report {id} has paragraphs but no stored text"))?;
        let texts = super::body::decode(&data)
            .with_context(|| format!("report {id}: its stored text is damaged"))?
            .texts;
        if texts.len() as i64 != count {
            anyhow::bail!("report {id}: {count} paragraphs but {} stored texts", texts.len());
        }
        for (ord, text) in texts.iter().enumerate() {
            super::schema::unindex_paragraph(tx, base + ord as i64, text)?;
        }
    }
    tx.execute("DELETE FROM bodies WHERE report_id = ?1", [id])?;
    tx.execute("DELETE FROM figures WHERE report_id = ?1", [id])?;
    tx.execute("DELETE FROM sections WHERE report_id = ?1", [id])?;
    tx.execute("DELETE FROM reports WHERE id = ?1", [id])?;
    Ok(())
}

fn delete_orphan_bureaus(tx: &rusqlite::Connection) -> Result<()> {
    tx.execute(
        "DELETE FROM bureaus WHERE NOT EXISTS (SELECT 1 FROM reports WHERE reports.bureau_id = bureaus.id)",
        [],
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Room is waited for, a file larger than the whole backlog still
    /// passes alone, the file the writer needs next always passes, and
    /// closing frees every waiting parser (the writer stopped on an error:
    /// no thread may hang).
    #[test]
    fn the_backlog_bounds_waiting_work_and_never_hangs() {
        let backlog = Backlog::default();
        assert!(
            backlog.admit(1, BACKLOG_BYTES * 3),
            "a large file passes when nothing waits"
        );
        // File 0, which the writer needs first, passes even now.
        assert!(backlog.admit(0, 10));
        let admitted = std::sync::atomic::AtomicBool::new(false);
        std::thread::scope(|s| {
            s.spawn(|| {
                assert!(backlog.admit(2, 1));
                admitted.store(true, std::sync::atomic::Ordering::SeqCst);
            });
            std::thread::sleep(Duration::from_millis(50));
            assert!(!admitted.load(std::sync::atomic::Ordering::SeqCst), "no room yet");
            backlog.written(10);
            std::thread::sleep(Duration::from_millis(50));
            assert!(!admitted.load(std::sync::atomic::Ordering::SeqCst), "still no room");
            backlog.written(BACKLOG_BYTES * 3);
        });
        assert!(admitted.load(std::sync::atomic::Ordering::SeqCst));
        assert!(backlog.admit(3, BACKLOG_BYTES - 2));
        std::thread::scope(|s| {
            let waiter = s.spawn(|| backlog.admit(4, 10));
            backlog.close();
            assert!(!waiter.join().unwrap(), "a closed backlog admits nothing");
        });
        assert!(!backlog.admit(2, 0));
    }

    /// The write-ahead log's last frame and how many frames have been
    /// copied into the database, from its index (the -shm file): the
    /// header's mxFrame (offset 16) and the checkpoint's nBackfill (offset
    /// 96), both native-endian (SQLite's file format, "WAL-Index Format").
    fn wal_frames_and_backfill(db: &Path) -> (u32, u32) {
        let shm = std::fs::read(format!("{}-shm", db.display())).unwrap();
        let at = |o: usize| u32::from_ne_bytes(shm[o..o + 4].try_into().unwrap());
        (at(16), at(96))
    }

    /// Commits made with automatic checkpoints off are copied into the
    /// database by the checkpointer, and it ends when told to.
    #[test]
    fn the_checkpointer_copies_committed_pages_beside_the_writer() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("index.db");
        let writer = rusqlite::Connection::open(&db).unwrap();
        writer
            .execute_batch("PRAGMA journal_mode=WAL; PRAGMA wal_autocheckpoint=0; CREATE TABLE t(x BLOB);")
            .unwrap();
        std::thread::scope(|scope| {
            let commits = spawn_checkpointer(scope, &db).unwrap();
            for _ in 0..3 {
                writer.execute("INSERT INTO t VALUES (randomblob(100000))", []).unwrap();
                commits.send(()).unwrap();
            }
            writer.execute("INSERT INTO t VALUES (randomblob(100000))", []).unwrap();
            let (frames, _) = wal_frames_and_backfill(&db);
            assert!(frames > 25, "each row takes pages of the log: {frames}");
            commits.send(()).unwrap();
        });
        // The scope waited for the checkpointer, which saw every commit.
        let (frames, backfill) = wal_frames_and_backfill(&db);
        assert!(frames > 0);
        assert_eq!(backfill, frames, "every committed frame is in the database");
    }

    /// A run turns automatic checkpoints off for its writer and back on.
    #[test]
    fn an_index_run_gives_automatic_checkpoints_back() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("index.db")).unwrap();
        let samples = Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-data");
        let stats = store.index(&[samples], IndexOptions::default(), &mut |_| {}).unwrap();
        assert!(stats.new > 0);
        let pages: i64 = store
            .conn
            .pragma_query_value(None, "wal_autocheckpoint", |r| r.get(0))
            .unwrap();
        assert_eq!(pages, WAL_AUTOCHECKPOINT);
    }
}
