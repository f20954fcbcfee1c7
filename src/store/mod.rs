//! The SQLite index: one file, WAL mode, a versioned schema.
//!
//! [`Store::open`] creates or migrates a database and refuses files that are
//! not fazhi's; [`writer`] indexes report files; [`reader`] answers the
//! queries of the CLI and the browser.

pub mod reader;
pub mod schema;
pub mod writer;

use anyhow::{Context, Result, bail};
use rusqlite::{Connection, OpenFlags};
use std::path::{Path, PathBuf};
use std::time::Duration;

pub struct Store {
    pub(crate) conn: Connection,
    path: PathBuf,
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
        let conn =
            Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX)
                .with_context(|| format!("cannot open the index {}", path.display()))?;
        let store = Store {
            conn,
            path: path.to_path_buf(),
        };
        store.conn.busy_timeout(Duration::from_secs(5))?;
        let version = store.check_identity()?;
        if version != schema::CURRENT_VERSION {
            bail!(
                "the index {} has schema version {version}, this fazhi reads version {}: run `fazhi index` once to migrate it",
                path.display(),
                schema::CURRENT_VERSION
            );
        }
        Ok(store)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Rows inserted, changed or deleted through this connection so far.
    pub fn total_changes(&self) -> u64 {
        self.conn.total_changes()
    }

    /// `PRAGMA integrity_check` says "ok".
    pub fn integrity_ok(&self) -> Result<bool> {
        let r: String = self.conn.query_row("PRAGMA integrity_check", [], |r| r.get(0))?;
        Ok(r == "ok")
    }

    /// Every paragraph's text, for checks that must agree with the index.
    pub fn all_paragraphs(&self) -> Result<Vec<(i64, usize, String)>> {
        let mut stmt = self
            .conn
            .prepare("SELECT report_id, ord, text FROM paragraphs ORDER BY id")?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get::<_, i64>(1)? as usize, r.get(2)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    fn configure(&self) -> Result<()> {
        self.conn.busy_timeout(Duration::from_secs(10))?;
        // Before anything writes: a file that is not ours stays untouched.
        self.check_identity()?;
        let ctx = || format!("cannot configure the index {}", self.path.display());
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

    fn migrate(&self) -> Result<()> {
        let version = self.check_identity()?;
        for (from, sql) in schema::MIGRATIONS.iter().enumerate().skip(version as usize) {
            let to = from as i64 + 1;
            let tx = self.conn.unchecked_transaction()?;
            tx.execute_batch(sql)
                .with_context(|| format!("migrating the index {} to schema {to}", self.path.display()))?;
            tx.pragma_update(None, "user_version", to)?;
            tx.pragma_update(None, "application_id", schema::APPLICATION_ID)?;
            tx.commit()?;
        }
        Ok(())
    }
}
