//! The SQLite index: one file, WAL mode, a versioned schema.
//!
//! [`Store::open`] creates or migrates a database and refuses files that are
//! not fazhi's; [`writer`] indexes report files; [`reader`] answers the
//! queries of the CLI and the browser.

pub mod body;
pub mod figures;
pub mod parts;
pub mod reader;
pub mod schema;
pub mod views;
pub mod writer;

use anyhow::{Context, Result, bail};
use rusqlite::{Connection, OpenFlags, OptionalExtension};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The page size of a new index, in bytes (see `configure`).
pub const PAGE_SIZE: i64 = 16 << 10;

pub struct Store {
    pub(crate) conn: Connection,
    path: PathBuf,
    /// The characters whose pinyin the index holds (the writer's cache,
    /// read on its first write).
    pinyin_known: Option<std::collections::HashSet<char>>,
    /// The writer's paragraphs not yet in the full-text index (see
    /// [`schema::sync_fts`]).
    fts_pending: schema::PendingFts,
    /// Which reports hold figures of each measure, as the last
    /// [`Store::measures`] found them (see [`views::MeasureReports`]).
    measure_reports: std::cell::RefCell<Option<views::MeasureReports>>,
}

/// Where the index lives unless `--db` or `FAZHI_DB` says otherwise:
/// `$XDG_DATA_HOME/fazhi/index.db`, else `~/.local/share/fazhi/index.db`.
pub fn default_db_path() -> Option<PathBuf> {
    let base = std::env::var_os("XDG_DATA_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
        .or_else(|| {
            std::env::var_os("HOME")
                .filter(|v| !v.is_empty())
                .map(|h| PathBuf::from(h).join(".local/share"))
        })?;
    Some(base.join("fazhi").join("index.db"))
}

/// Whether opening failed only because the database cannot be written
/// (its WAL files cannot be created).
fn is_read_only_error(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        matches!(
            c.downcast_ref::<rusqlite::Error>(),
            Some(rusqlite::Error::SqliteFailure(f, _))
                if matches!(f.code, rusqlite::ErrorCode::ReadOnly | rusqlite::ErrorCode::CannotOpen)
        )
    })
}

/// A `file:` URI for a path (bytes outside the safe set percent-encoded).
fn file_uri(path: &Path) -> String {
    let abs = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let mut uri = String::from("file:");
    #[cfg(unix)]
    let bytes = {
        use std::os::unix::ffi::OsStrExt;
        abs.as_os_str().as_bytes().to_vec()
    };
    #[cfg(not(unix))]
    let bytes = abs.to_string_lossy().into_owned().into_bytes();
    for b in bytes {
        if b.is_ascii_alphanumeric() || b"/-_.~".contains(&b) {
            uri.push(b as char);
        } else {
            uri.push_str(&format!("%{b:02X}"));
        }
    }
    uri
}

impl Store {
    /// Opens (creating if needed) the index for reading and writing.
    pub fn open(path: &Path) -> Result<Store> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).with_context(|| format!("cannot create the folder {}", dir.display()))?;
        }
        let conn = Connection::open(path).with_context(|| format!("cannot open the index {}", path.display()))?;
        let store = Store {
            conn,
            path: path.to_path_buf(),
            pinyin_known: None,
            fts_pending: schema::PendingFts::new(),
            measure_reports: Default::default(),
        };
        store.configure()?;
        store.migrate()?;
        Ok(store)
    }

    /// Opens an existing index for reading only; it is never created or
    /// migrated.
    pub fn open_read_only(path: &Path) -> Result<Store> {
        if !path.exists() {
            bail!(
                "no index at {}: run `fazhi index FOLDER` first (or pass --db PATH)",
                path.display()
            );
        }
        let mut store = Store::connect_read_only(path, false)?;
        let version = match store.check_identity() {
            Ok(v) => v,
            // A database in WAL mode needs its -shm file, which a reader
            // without write access to the folder cannot create (a read-only
            // filesystem, someone else's index). Such a file is opened as
            // immutable: it cannot change while nobody can write it.
            Err(e) if is_read_only_error(&e) => {
                store = Store::connect_read_only(path, true)?;
                store.check_identity()?
            }
            Err(e) => return Err(e),
        };
        if version != schema::CURRENT_VERSION {
            // An index from an older fazhi: migrate it when we may write it
            // (each step is one transaction), then read it.
            drop(store);
            return match Store::open(path) {
                Ok(migrated) => {
                    tracing::info!(path = ?path, from = version, to = schema::CURRENT_VERSION, "index migrated");
                    drop(migrated);
                    Store::open_read_only(path)
                }
                Err(e) => Err(e.context(format!(
                    "the index {} has schema version {version} and this fazhi reads version {}; it could not be \
                     migrated here: run `fazhi index` once where the index can be written",
                    path.display(),
                    schema::CURRENT_VERSION
                ))),
            };
        }
        Ok(store)
    }

    fn connect_read_only(path: &Path, immutable: bool) -> Result<Store> {
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX | OpenFlags::SQLITE_OPEN_URI;
        let conn = if immutable {
            Connection::open_with_flags(format!("{}?immutable=1", file_uri(path)), flags)
        } else {
            Connection::open_with_flags(path, flags - OpenFlags::SQLITE_OPEN_URI)
        }
        .with_context(|| format!("cannot open the index {}", path.display()))?;
        conn.busy_timeout(Duration::from_secs(5))?;
        Ok(Store {
            conn,
            path: path.to_path_buf(),
            pinyin_known: None,
            fts_pending: schema::PendingFts::new(),
            measure_reports: Default::default(),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Rows inserted, changed or deleted through this connection so far.
    pub fn total_changes(&self) -> u64 {
        self.conn.total_changes()
    }

    /// Changes whenever another connection commits to the database (so a
    /// reader can tell that an indexer wrote something).
    pub fn data_version(&self) -> Result<i64> {
        Ok(self.conn.pragma_query_value(None, "data_version", |r| r.get(0))?)
    }

    /// `PRAGMA integrity_check` says "ok", the full-text index is sound,
    /// every report's body holds one text for each of its paragraphs, and
    /// every figure list decodes to its count of figures.
    pub fn integrity_ok(&self) -> Result<bool> {
        let r: String = self.conn.query_row("PRAGMA integrity_check", [], |r| r.get(0))?;
        // A contentless index can only check itself, not against texts
        // (the brute-force search tests do that).
        let fts = self
            .conn
            .execute(
                "INSERT INTO paragraphs_fts(paragraphs_fts) VALUES ('integrity-check')",
                [],
            )
            .is_ok();
        let mut stmt = self.conn.prepare(
            "SELECT r.id, b.data, r.paragraph_count FROM reports r LEFT JOIN bodies b ON b.report_id = r.id",
        )?;
        let mut rows = stmt.query([])?;
        let mut bodies = true;
        while let Some(row) = rows.next()? {
            let count: i64 = row.get(2)?;
            // A missing body (NULL here), or a value that is not a blob,
            // is damage.
            bodies &= body::decode_value(row.get_ref(1)?).is_ok_and(|b| b.texts.len() as i64 == count);
        }
        // Likewise every figure list holds as many figures as its count.
        let mut stmt = self.conn.prepare("SELECT count, data FROM figures")?;
        let mut rows = stmt.query([])?;
        let mut lists = true;
        while let Some(row) = rows.next()? {
            let count: i64 = row.get(0)?;
            lists &= figures::decode_value(row.get_ref(1)?).is_ok_and(|l| l.len() as i64 == count);
        }
        Ok(r == "ok" && fts && bodies && lists)
    }

    /// Every paragraph's text, for checks that must agree with the index.
    pub fn all_paragraphs(&self) -> Result<Vec<(i64, usize, String)>> {
        let mut stmt = self
            .conn
            .prepare("SELECT report_id, data FROM bodies ORDER BY report_id")?;
        let mut rows = stmt.query([])?;
        let mut out = Vec::new();
        while let Some(row) = rows.next()? {
            let id: i64 = row.get(0)?;
            let texts = body::decode_value(row.get_ref(1)?)
                .with_context(|| format!("report {id}"))?
                .texts;
            out.extend(texts.into_iter().enumerate().map(|(i, t)| (id, i, t)));
        }
        Ok(out)
    }

    /// The paragraphs (sections and texts) of one report, in order (none
    /// for a report without a body).
    pub fn paragraph_body(&self, report: i64) -> Result<body::Body> {
        match self.body_data(report)? {
            Some(d) => body::decode(&d).with_context(|| format!("report {report}: its stored text is damaged")),
            None => Ok(body::Body::default()),
        }
    }

    /// [`Store::paragraph_body`], each text read only when asked for.
    pub fn paragraphs(&self, report: i64) -> Result<body::Paragraphs> {
        match self.body_data(report)? {
            Some(d) => {
                body::Paragraphs::decode(&d).with_context(|| format!("report {report}: its stored text is damaged"))
            }
            None => Ok(body::Paragraphs::default()),
        }
    }

    fn body_data(&self, report: i64) -> Result<Option<Vec<u8>>> {
        self.conn
            .prepare_cached("SELECT data FROM bodies WHERE report_id = ?1")?
            .query_row([report], |r| r.get(0))
            .optional()
            .with_context(|| format!("report {report}: cannot read its stored text"))
    }

    fn configure(&self) -> Result<()> {
        self.conn.busy_timeout(Duration::from_secs(10))?;
        // Before anything writes: a file that is not ours stays untouched.
        self.check_identity()?;
        let ctx = || format!("cannot configure the index {}", self.path.display());
        // A new index stores its text as UTF-16: a Chinese character takes
        // two bytes instead of three, and reports are nearly all Chinese
        // (15% less on disk, no slower to write or read). Big-endian, so
        // that SQLite's byte-wise comparison sorts names as UTF-8 does, by
        // code point (little-endian put 湖 before 十; only characters beyond
        // U+FFFF sort before U+E000–U+FFFF here). The encoding is fixed
        // when the file is created; an index made in UTF-8 stays so and
        // works alike, since SQLite converts at its interface.
        let pages: i64 = self
            .conn
            .pragma_query_value(None, "page_count", |r| r.get(0))
            .with_context(ctx)?;
        if pages == 0 {
            // 16 KB pages, not 4: an index run writes every page twice
            // (the write-ahead log, then the checkpoint) with a system call
            // or two per page, and the full-text index's merges and the
            // figures' index walk fewer, fuller pages. At 100k reports a
            // run took 34.4–35.1 s against 38.0–41.0 s (two runs each, in
            // turn), the file was 3% smaller, and search, the palette's
            // load and its memory were the same. Fixed when the file is
            // created, so set first.
            self.conn
                .pragma_update(None, "page_size", PAGE_SIZE)
                .with_context(ctx)?;
            self.conn
                .pragma_update(None, "encoding", "UTF-16be")
                .with_context(ctx)?;
            // Pages freed while writing (the full-text index merges its
            // segments, replaced reports leave theirs) can then be given
            // back at the end of a run: without it the file kept up to 5%
            // of free pages, more or less by where the last merges fell.
            // Like the encoding, this is fixed when the file is created.
            self.conn
                .pragma_update(None, "auto_vacuum", "INCREMENTAL")
                .with_context(ctx)?;
        }
        self.conn.pragma_update(None, "journal_mode", "WAL").with_context(ctx)?;
        self.conn
            .pragma_update(None, "synchronous", "NORMAL")
            .with_context(ctx)?;
        self.conn.pragma_update(None, "foreign_keys", "ON").with_context(ctx)?;
        Ok(())
    }

    /// Returns the schema version; fails when the file is not a fazhi index.
    fn check_identity(&self) -> Result<i64> {
        let ctx = || {
            format!(
                "{} is not a readable SQLite database (corrupt, or not a database at all); fazhi leaves it untouched",
                self.path.display()
            )
        };
        let app: i64 = self
            .conn
            .pragma_query_value(None, "application_id", |r| r.get(0))
            .with_context(ctx)?;
        let version: i64 = self
            .conn
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .with_context(ctx)?;
        let tables: i64 = self
            .conn
            .query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get(0))
            .with_context(ctx)?;
        if app != schema::APPLICATION_ID && tables > 0 {
            bail!(
                "{} is a SQLite database that fazhi did not create; refusing to touch it (choose another --db path)",
                self.path.display()
            );
        }
        if version > schema::CURRENT_VERSION {
            bail!(
                "the index {} was written by a newer fazhi (schema {version}, this one knows {}): upgrade fazhi or use another --db",
                self.path.display(),
                schema::CURRENT_VERSION
            );
        }
        Ok(version)
    }

    /// Brings the schema up to date, one version per transaction. Each step
    /// takes the write lock first and reads the version again inside it, so
    /// two processes opening a new or old index at once migrate it once.
    fn migrate(&self) -> Result<()> {
        let found = self.check_identity()?;
        if found == schema::CURRENT_VERSION {
            return Ok(());
        }
        if found > 0 {
            // Rebuilding the full-text index (schema 6) or compressing the
            // texts (schema 8) takes a minute on 100,000 reports: say why
            // nothing else happens meanwhile.
            eprintln!(
                "fazhi: upgrading the index {} from schema {found} to {} (once; a large index takes a minute)…",
                self.path.display(),
                schema::CURRENT_VERSION
            );
        }
        loop {
            let tx = rusqlite::Transaction::new_unchecked(&self.conn, rusqlite::TransactionBehavior::Immediate)
                .with_context(|| format!("cannot write to the index {}", self.path.display()))?;
            let version = self.check_identity()?;
            let Some(sql) = schema::MIGRATIONS.get(version as usize) else {
                return Ok(());
            };
            let to = version + 1;
            // The commit is where a full disk shows: it says which index too.
            tx.execute_batch(sql)
                .map_err(anyhow::Error::from)
                .and_then(|()| schema::backfill(&tx, to))
                .and_then(|()| Ok(tx.pragma_update(None, "user_version", to)?))
                .and_then(|()| Ok(tx.pragma_update(None, "application_id", schema::APPLICATION_ID)?))
                .and_then(|()| Ok(tx.commit()?))
                .with_context(|| format!("migrating the index {} to schema {to}", self.path.display()))?;
        }
    }
}
