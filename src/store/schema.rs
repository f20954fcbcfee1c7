//! The SQLite schema, its version (`PRAGMA user_version`) and migrations.
//! `PRAGMA application_id` marks a database as fazhi's, so that a foreign
//! SQLite file is refused rather than written into.

/// 'FAZH'
pub const APPLICATION_ID: i64 = 0x4641_5A48;

/// Each entry migrates from version `i` to `i + 1`.
pub const MIGRATIONS: &[&str] = &[
    V1, V2, V3, V4, V5, V6, V7, V8, V9, V10, V11, V12, V13, V14, V15, V16, V17,
];

pub const CURRENT_VERSION: i64 = MIGRATIONS.len() as i64;

/// Version 2: a figure's sentence is derived from its paragraph instead of
/// stored (it was a fifth of the database), and the label index, which
/// substring filters cannot use, is gone.
const V2: &str = r#"
ALTER TABLE figures DROP COLUMN sentence;
DROP INDEX figures_label;
"#;

/// Version 3: two-character words found through the trigram index. The
/// vocabulary lists the trigrams that start with a word; the tail index
/// finds the word where no trigram starts with it (the paragraph's end).
const V3: &str = r#"
CREATE VIRTUAL TABLE paragraphs_vocab USING fts5vocab(paragraphs_fts, row);
CREATE INDEX paragraphs_tail ON paragraphs(substr(text, -2));
"#;

/// Version 4: the pinyin of the characters that names, headings and labels
/// use (for matching by pinyin without converting while typing), and what
/// each figure measures: its normalised label and its value in the base
/// unit (see `ingest::measure`). [`backfill`] fills both for the reports
/// already stored.
const V4: &str = r#"
CREATE TABLE pinyin (
    ch       TEXT PRIMARY KEY,
    readings TEXT NOT NULL  -- space-separated, most common first
) WITHOUT ROWID;
ALTER TABLE figures ADD COLUMN measure TEXT NOT NULL DEFAULT '';
ALTER TABLE figures ADD COLUMN base_value REAL NOT NULL DEFAULT 0;
ALTER TABLE figures ADD COLUMN base_unit TEXT NOT NULL DEFAULT '';
CREATE INDEX figures_measure ON figures(measure);
"#;

/// Version 5: paragraphs reach the full-text index in bulk, once per
/// batch of reports, instead of row by row from a trigger. FTS5 writes its
/// pending terms out as a new segment at every savepoint, and the writer
/// holds one savepoint per report, so the trigger made thousands of tiny
/// segments to merge (2.3 times slower on the benchmark corpus).
/// `fts_synced` holds the highest paragraph id the index has taken; the
/// delete trigger skips paragraphs above it, which the index never saw.
///
/// The browser's first query (every bureau's reports, by name and year)
/// reads only `reports_browse`, instead of visiting each report's row with
/// its metadata: 0.5 s less start-up on 100,000 reports.
const V5: &str = r#"
DROP INDEX reports_bureau;
CREATE INDEX reports_browse ON reports(bureau_id, year, published, title, path);
CREATE TABLE fts_synced (id INTEGER NOT NULL);
INSERT INTO fts_synced(id) SELECT coalesce(max(id), 0) FROM paragraphs;
DROP TRIGGER paragraphs_ai;
DROP TRIGGER paragraphs_ad;
CREATE TRIGGER paragraphs_ad AFTER DELETE ON paragraphs
WHEN old.id <= (SELECT id FROM fts_synced) BEGIN
    INSERT INTO paragraphs_fts(paragraphs_fts, rowid, text) VALUES ('delete', old.id, old.text);
END;
"#;

/// Version 6: the trigram index keeps which paragraphs hold a trigram, not
/// where (`detail=none`): a third of its size (65 MB down to 21 MB for
/// 72 MB of reports) and a quarter less indexing time. A long term finds
/// the paragraphs holding all its trigrams and `instr()` keeps those that
/// hold the term (see `search::Query::fts_match`). The old index is
/// rebuilt from the paragraphs; the delete trigger of version 5 names the
/// table, not its options, and serves the new one.
const V6: &str = r#"
DROP TABLE paragraphs_vocab;
DROP TABLE paragraphs_fts;
CREATE VIRTUAL TABLE paragraphs_fts USING fts5(
    text, content='paragraphs', content_rowid='id', tokenize='trigram case_sensitive 1', detail=none
);
INSERT INTO paragraphs_fts(paragraphs_fts) VALUES ('rebuild');
UPDATE fts_synced SET id = max(id, (SELECT coalesce(max(id), 0) FROM paragraphs));
CREATE VIRTUAL TABLE paragraphs_vocab USING fts5vocab(paragraphs_fts, row);
"#;

/// Version 7: a paragraph's inline points (一是, 二是, …) are derived from
/// the report's paragraphs when it is read (`ingest::outline::mark_points`),
/// not stored as JSON beside each paragraph.
const V7: &str = r#"
ALTER TABLE paragraphs DROP COLUMN points;
"#;

/// Version 8: a report's paragraph texts are stored once, compressed
/// together (`bodies`, see `store::body`): on real reports a third of their
/// size, where the paragraphs' rows held them whole and the full-text index
/// read them back from there. The trigram index becomes contentless: it is
/// given each text followed by [`FTS_END`], so that every character starts
/// a trigram (a word at a paragraph's very end included, which the tail
/// index used to find). It keeps no per-paragraph sizes (`columnsize=0`):
/// nothing ranks by them. Deleting from it needs the text, so the writer
/// deletes a report's entries itself (`writer::delete_report`) instead of a
/// trigger. [`backfill`] moves the texts and fills the new index.
const V8: &str = r#"
CREATE TABLE bodies (
    report_id INTEGER PRIMARY KEY REFERENCES reports(id) ON DELETE CASCADE,
    data      BLOB NOT NULL  -- the paragraph texts, compressed (store::body)
);
DROP TRIGGER paragraphs_ad;
DROP TABLE paragraphs_vocab;
DROP TABLE paragraphs_fts;
DROP INDEX paragraphs_tail;
CREATE VIRTUAL TABLE paragraphs_fts USING fts5(
    text, content='', columnsize=0, tokenize='trigram case_sensitive 1', detail=none
);
CREATE VIRTUAL TABLE paragraphs_vocab USING fts5vocab(paragraphs_fts, row);
"#;

/// Version 9: values that repeat a neighbour are not stored twice. A
/// section's title is nearly always its heading between the number and
/// the closing punctuation, and a figure's measure the end of its label;
/// its value and unit in the base unit are mostly its own. Each is now a
/// generated column that reads the neighbour, with the value stored (in
/// `*_own`) only where it differs. Names and queries stay as they were.
const V9: &str = r#"
ALTER TABLE sections ADD COLUMN title_own TEXT;
ALTER TABLE sections ADD COLUMN title_tail INTEGER NOT NULL DEFAULT 0;
UPDATE sections SET
    title_own = CASE WHEN substr(heading, 1, length(number)) = number
                      AND substr(heading, length(number) + 1, length(title)) = title THEN NULL ELSE title END,
    title_tail = max(0, length(heading) - length(number) - length(title));
UPDATE sections SET title_tail = 0 WHERE title_own IS NOT NULL;
ALTER TABLE sections DROP COLUMN title;
ALTER TABLE sections ADD COLUMN title TEXT GENERATED ALWAYS AS (
    coalesce(title_own, substr(heading, length(number) + 1, length(heading) - length(number) - title_tail))
) VIRTUAL;

DROP INDEX figures_measure;
ALTER TABLE figures ADD COLUMN measure_own TEXT;
ALTER TABLE figures ADD COLUMN measure_at INTEGER NOT NULL DEFAULT 0;
ALTER TABLE figures ADD COLUMN base_value_own REAL;
ALTER TABLE figures ADD COLUMN base_unit_own TEXT;
UPDATE figures SET
    measure_own = CASE WHEN substr(label, length(label) - length(measure) + 1) = measure THEN NULL ELSE measure END,
    measure_at = CASE WHEN substr(label, length(label) - length(measure) + 1) = measure
                      THEN length(label) - length(measure) ELSE 0 END,
    base_value_own = CASE WHEN base_value = value THEN NULL ELSE base_value END,
    base_unit_own = CASE WHEN base_unit = unit THEN NULL ELSE base_unit END;
ALTER TABLE figures DROP COLUMN measure;
ALTER TABLE figures DROP COLUMN base_value;
ALTER TABLE figures DROP COLUMN base_unit;
ALTER TABLE figures ADD COLUMN measure TEXT GENERATED ALWAYS AS (coalesce(measure_own, substr(label, measure_at + 1))) VIRTUAL;
ALTER TABLE figures ADD COLUMN base_value REAL GENERATED ALWAYS AS (coalesce(base_value_own, value)) VIRTUAL;
ALTER TABLE figures ADD COLUMN base_unit TEXT GENERATED ALWAYS AS (coalesce(base_unit_own, unit)) VIRTUAL;
CREATE INDEX figures_measure ON figures(measure);
"#;

/// Version 10: paragraphs have no rows of their own. Their rows held only
/// a report, a number and a section, and an index on them, for the
/// full-text index to name its paragraphs (5 MB of the 115 MB index of
/// the 10k-report bench corpus). A report's paragraphs now take the
/// consecutive full-text rowids `paragraph_base ..` (`paragraph_count` of
/// them; no base when there are none), and each paragraph's section is
/// kept in the report's body beside its text (`store::body`). Rowids stay
/// dense, so the index's rowid deltas stay small (a report number in the
/// rowid's high bits made the index 40% larger). [`backfill`] rewrites
/// every body and fills the index anew.
const V10: &str = r#"
ALTER TABLE reports ADD COLUMN paragraph_base INTEGER;
ALTER TABLE reports ADD COLUMN paragraph_count INTEGER NOT NULL DEFAULT 0;
DROP TABLE paragraphs_vocab;
DROP TABLE paragraphs_fts;
CREATE VIRTUAL TABLE paragraphs_fts USING fts5(
    text, content='', columnsize=0, tokenize='trigram case_sensitive 1', detail=none
);
CREATE VIRTUAL TABLE paragraphs_vocab USING fts5vocab(paragraphs_fts, row);
"#;

/// Version 11: a report's row shrinks to a third. Its coverage of the
/// statutory parts is stored in a short form instead of JSON
/// (`store::parts`: 16 characters where the JSON took 238, twice that in a
/// UTF-16 index), and the hash of its file as 32 bytes instead of 64 hex
/// digits (128 bytes in UTF-16). [`backfill`] converts the coverage.
const V11: &str = r#"
ALTER TABLE reports ADD COLUMN digest BLOB NOT NULL DEFAULT x'';
UPDATE reports SET digest = coalesce(unhex(hash), x'');
ALTER TABLE reports DROP COLUMN hash;
ALTER TABLE reports RENAME COLUMN digest TO hash;
"#;

/// Version 12: the trigram index merges its segments 16 at a time
/// instead of 4 (FTS5's `automerge`). Indexing merges less often: 7.1 s
/// down to 6.3 s for the 10k-report bench corpus (two runs each), the
/// same size on disk, and search no slower (the index still ends a run
/// in 8 to 9 segments there).
const V12: &str = r#"
INSERT INTO paragraphs_fts(paragraphs_fts, rank) VALUES ('automerge', 16);
"#;

/// Version 13: the trigram index gathers 8 MB of new entries in memory
/// before it writes them out as a segment, instead of FTS5's 1 MB
/// (`hashsize`). A batch of reports (a second of indexing) then makes one
/// segment instead of about ten, so there is less to merge: the writer's
/// full-text work on the 10k bench corpus went from 1.69–1.83 s to
/// 1.35–1.41 s (two runs each), for 5 MB more memory while indexing and
/// the same database.
const V13: &str = r#"
INSERT INTO paragraphs_fts(paragraphs_fts, rank) VALUES ('hashsize', 8388608);
"#;

/// Version 14: report bodies are written with zstd instead of deflate
/// (format 3 of `store::body`). Nothing in the tables changes, and the
/// bodies already written stay as they are, since both formats are read;
/// the version is raised so that a fazhi from before, which cannot read
/// the new bodies, refuses the index instead of failing on its texts.
const V14: &str = "-- bodies may be zstd from now on; no table changes";

/// Version 15: the trigram index merges its segments 64 at a time instead
/// of 16 (`automerge`, and `crisismerge`, which would otherwise merge at
/// 16 anyway). At 100k reports adding batches to the index and committing
/// them took 23.0–23.3 s against 27.1–28.3 s (instrumented runs), the
/// whole run 47.8–49.8 s against 52.1–54.6 s; the 21 bench queries took
/// 63–65 ms in all against 55 ms, the slowest 8.6 ms against 8.0 (the
/// target is 30).
const V15: &str = r#"
INSERT INTO paragraphs_fts(paragraphs_fts, rank) VALUES ('automerge', 64);
INSERT INTO paragraphs_fts(paragraphs_fts, rank) VALUES ('crisismerge', 64);
"#;

/// Version 16: the trigram index merges 64 segments at a time in steps,
/// between the writes of an index run, instead of all at once when a
/// 64th segment arrives (`crisismerge` above `automerge`). FTS5 takes a
/// level's merge in steps only while it holds fewer than `crisismerge`
/// segments; at 64 each merge was whole, and the writer spent 3 to 4 s
/// in one at 100k reports while the parsing thread stood idle, its
/// backlog full. While a level's merge goes on it gets at most half as
/// many segments again (the writer merges at least two pages for each it
/// adds), so 128 is not reached. At 100k reports a run took 32.4–34.3 s
/// against 36.1–37.1 s (three runs each); the index ends with 80 segments
/// instead of 13, and the bench's full-text queries take a fifth longer.
const V16: &str = r#"
INSERT INTO paragraphs_fts(paragraphs_fts, rank) VALUES ('crisismerge', 128);
"#;

/// Version 17: a report's figures are one row, their list compressed
/// (see `store::figures`), instead of a row each and an index by measure.
/// The old rows are moved by [`backfill`].
const V17: &str = r#"
ALTER TABLE figures RENAME TO figures_v16;
CREATE TABLE figures (
    report_id INTEGER PRIMARY KEY REFERENCES reports(id) ON DELETE CASCADE,
    count     INTEGER NOT NULL,  -- how many figures the list holds
    data      BLOB NOT NULL      -- the list, compressed (store::figures)
);
"#;

/// How a section's title is stored (schema 9): `None` and the number of
/// characters after it when the heading holds it right after the number,
/// else the title itself.
pub fn stored_title<'a>(heading: &str, number: &str, title: &'a str) -> (Option<&'a str>, i64) {
    match heading.strip_prefix(number).and_then(|rest| rest.strip_prefix(title)) {
        Some(tail) => (None, tail.chars().count() as i64),
        None => (Some(title), 0),
    }
}

/// What follows each paragraph's text in the trigram index: two characters
/// that no report contains, so that the last two characters of a text start
/// trigrams too. Query terms never contain it (see `search::Query`).
pub const FTS_END: &str = "\u{1}\u{1}";

/// How much paragraph text waits for the full-text index before it is
/// added: about one segment's worth (FTS5 writes a segment when its
/// pending terms reach 8 MB, see `V13`, and at the next statement of
/// another table). Adding the texts once per batch instead left a whole
/// batch's (0.6 to 0.8 s of the writer's work on the 10k bench corpus) for
/// the end of a run, on one core, after the parsing had ended.
pub const FTS_SYNC_BYTES: usize = 8 << 20;

/// Paragraphs written but not yet in the full-text index, which takes
/// them in bulk (see [`sync_fts`]).
#[derive(Default)]
pub struct PendingFts {
    /// Each paragraph's full-text rowid, its report's id and its text.
    rows: Vec<(i64, i64, String)>,
    /// The length of those texts, in bytes.
    bytes: usize,
}

impl PendingFts {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds paragraph `id` of report `report`.
    pub fn push(&mut self, id: i64, report: i64, text: String) {
        self.bytes += text.len();
        self.rows.push((id, report, text));
    }

    /// Drops report `report`'s paragraphs.
    pub fn forget_report(&mut self, report: i64) {
        self.rows.retain(|p| p.1 != report);
        self.bytes = self.rows.iter().map(|p| p.2.len()).sum();
    }

    /// The length of the waiting texts, in bytes.
    pub fn bytes(&self) -> usize {
        self.bytes
    }

    pub fn clear(&mut self) {
        self.rows.clear();
        self.bytes = 0;
    }
}

/// Adds the paragraphs written since the last call to the full-text index
/// (their id, report and text in `pending`, which it empties), then marks
/// them taken. Runs inside the caller's transaction, so a committed index
/// is always complete. In bulk, never a report at a time: FTS5 writes its
/// pending terms out as a segment at every savepoint, and the writer held
/// one per report until schema 14, so adding each report's paragraphs at
/// once made thousands of tiny segments to merge (2.3 times slower);
/// entries taken in bulk make one segment per 8 MB (see `V13`), merged 64
/// at a time (`V15`). Callers add about [`FTS_SYNC_BYTES`] at a time.
pub fn sync_fts(conn: &rusqlite::Connection, pending: &mut PendingFts) -> rusqlite::Result<()> {
    let mut st = conn.prepare_cached("INSERT INTO paragraphs_fts(rowid, text) VALUES (?1, ?2)")?;
    let mut last = 0;
    let mut text = String::new();
    pending.bytes = 0;
    for (id, _, t) in pending.rows.drain(..) {
        text.clear();
        text.push_str(&t);
        text.push_str(FTS_END);
        st.execute(rusqlite::params![id, text])?;
        last = last.max(id);
    }
    conn.prepare_cached("UPDATE fts_synced SET id = max(id, ?1)")?
        .execute([last])?;
    Ok(())
}

/// Removes one paragraph from the full-text index, which needs the text it
/// was given.
pub fn unindex_paragraph(conn: &rusqlite::Connection, id: i64, text: &str) -> rusqlite::Result<()> {
    conn.prepare_cached("INSERT INTO paragraphs_fts(paragraphs_fts, rowid, text) VALUES ('delete', ?1, ?2)")?
        .execute(rusqlite::params![id, format!("{text}{FTS_END}")])?;
    Ok(())
}

/// The part of a migration to `version` that SQL cannot do: values that
/// the parser's Rust code derives. Runs in the migration's transaction.
pub fn backfill(conn: &rusqlite::Connection, version: i64) -> anyhow::Result<()> {
    match version {
        4 => Ok(backfill_v4(conn)?),
        8 => backfill_v8(conn),
        10 => backfill_v10(conn),
        11 => backfill_v11(conn),
        17 => backfill_v17(conn),
        _ => Ok(()),
    }
}

/// Moves each report's figure rows into its list, then drops the rows and
/// their index.
fn backfill_v17(conn: &rusqlite::Connection) -> anyhow::Result<()> {
    use super::figures::{StoredFigure, encode};
    let mut insert = conn.prepare("INSERT INTO figures(report_id, count, data) VALUES (?1, ?2, ?3)")?;
    let mut store = |report: i64, list: &mut Vec<StoredFigure>| -> rusqlite::Result<()> {
        if !list.is_empty() {
            insert.execute(rusqlite::params![
                report,
                list.len() as i64,
                encode(list.iter().map(StoredFigure::fields))
            ])?;
        }
        list.clear();
        Ok(())
    };
    let mut rows = conn.prepare(
        "SELECT report_id, paragraph, section, text, value, unit, approx, label, start, end,
                measure, base_value, base_unit
         FROM figures_v16 ORDER BY report_id, ord",
    )?;
    let mut rows = rows.query([])?;
    let mut current: Option<i64> = None;
    let mut list: Vec<StoredFigure> = Vec::new();
    while let Some(r) = rows.next()? {
        let report: i64 = r.get(0)?;
        if let Some(prev) = current.filter(|&p| p != report) {
            store(prev, &mut list)?;
        }
        current = Some(report);
        let count = |i: usize| -> rusqlite::Result<usize> {
            let n: i64 = r.get(i)?;
            usize::try_from(n)
                .map_err(|e| rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Integer, e.into()))
        };
        list.push(StoredFigure {
            paragraph: count(1)?,
            section: r.get::<_, Option<i64>>(2)?.and_then(|s| usize::try_from(s).ok()),
            text: r.get(3)?,
            value: r.get(4)?,
            unit: r.get(5)?,
            approx: r.get(6)?,
            label: r.get(7)?,
            start: count(8)?,
            end: count(9)?,
            measure: r.get(10)?,
            base_value: r.get(11)?,
            base_unit: r.get(12)?,
        });
    }
    if let Some(last) = current {
        store(last, &mut list)?;
    }
    conn.execute_batch("DROP TABLE figures_v16;")?;
    Ok(())
}

/// Moves each report's paragraph texts into its body and the new full-text
/// index, then drops them from the paragraphs' rows.
fn backfill_v8(conn: &rusqlite::Connection) -> anyhow::Result<()> {
    use anyhow::Context;
    let reports: Vec<i64> = conn
        .prepare("SELECT id FROM reports ORDER BY id")?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let mut texts = conn.prepare("SELECT id, text FROM paragraphs WHERE report_id = ?1 ORDER BY ord")?;
    let mut body = conn.prepare("INSERT INTO bodies(report_id, data) VALUES (?1, ?2)")?;
    let mut pending = PendingFts::new();
    for id in reports {
        let rows: Vec<(i64, String)> = texts
            .query_map([id], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        body.execute(rusqlite::params![
            id,
            super::body::encode(rows.iter().map(|r| (None, r.1.as_str())))
        ])?;
        for (p, t) in rows {
            pending.push(p, id, t);
        }
        if pending.bytes() > FTS_SYNC_BYTES {
            sync_fts(conn, &mut pending)?;
        }
    }
    sync_fts(conn, &mut pending)?;
    conn.execute_batch(
        "ALTER TABLE paragraphs DROP COLUMN text;
         UPDATE fts_synced SET id = max(id, (SELECT coalesce(max(id), 0) FROM paragraphs));",
    )
    .context("dropping the paragraphs' text column")?;
    Ok(())
}

/// Gives each report its range of full-text rowids, moves its paragraphs'
/// sections into its body and its texts into the new index, then drops the
/// paragraphs' rows.
fn backfill_v10(conn: &rusqlite::Connection) -> anyhow::Result<()> {
    use anyhow::Context;
    use rusqlite::OptionalExtension;
    let reports: Vec<i64> = conn
        .prepare("SELECT id FROM reports ORDER BY id")?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let mut sections = conn.prepare("SELECT section FROM paragraphs WHERE report_id = ?1 ORDER BY ord")?;
    let mut read = conn.prepare("SELECT data FROM bodies WHERE report_id = ?1")?;
    let mut write = conn.prepare("UPDATE bodies SET data = ?2 WHERE report_id = ?1")?;
    let mut place = conn.prepare("UPDATE reports SET paragraph_base = ?2, paragraph_count = ?3 WHERE id = ?1")?;
    let mut pending = PendingFts::new();
    let mut next: i64 = 1;
    for id in reports {
        let of: Vec<Option<i64>> = sections
            .query_map([id], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        let data: Option<Vec<u8>> = read.query_row([id], |r| r.get(0)).optional()?;
        let texts = match data {
            Some(d) => {
                super::body::decode(&d)
                    .with_context(|| format!("report {id}: its stored text is damaged"))?
                    .texts
            }
            None => Vec::new(),
        };
        if texts.len() != of.len() {
            anyhow::bail!(
                "report {id}: {} paragraphs but {} stored texts (the index is damaged: delete it and index again)",
                of.len(),
                texts.len()
            );
        }
        let section = |s: &Option<i64>| s.and_then(|s| usize::try_from(s).ok());
        write.execute(rusqlite::params![
            id,
            super::body::encode(of.iter().map(section).zip(texts.iter().map(String::as_str)))
        ])?;
        let count = texts.len() as i64;
        place.execute(rusqlite::params![id, (count > 0).then_some(next), count])?;
        for (ord, t) in texts.into_iter().enumerate() {
            pending.push(next + ord as i64, id, t);
        }
        next += count;
        if pending.bytes() > FTS_SYNC_BYTES {
            sync_fts(conn, &mut pending)?;
        }
    }
    sync_fts(conn, &mut pending)?;
    conn.execute_batch(
        "DROP TABLE paragraphs;
         CREATE UNIQUE INDEX reports_paragraphs ON reports(paragraph_base);
         DELETE FROM fts_synced;",
    )
    .context("dropping the paragraphs' rows")?;
    conn.execute("INSERT INTO fts_synced(id) VALUES (?1)", [next - 1])?;
    Ok(())
}

/// Converts each report's coverage from JSON to its stored form.
fn backfill_v11(conn: &rusqlite::Connection) -> anyhow::Result<()> {
    use anyhow::Context;
    let rows: Vec<(i64, String)> = conn
        .prepare("SELECT id, parts FROM reports")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let mut st = conn.prepare("UPDATE reports SET parts = ?2 WHERE id = ?1")?;
    for (id, json) in rows {
        let stored = super::parts::from_json(&json).with_context(|| format!("report {id}"))?;
        st.execute(rusqlite::params![id, stored])?;
    }
    Ok(())
}

fn backfill_v4(conn: &rusqlite::Connection) -> rusqlite::Result<()> {
    let mut chars = std::collections::BTreeSet::new();
    for sql in [
        "SELECT name FROM bureaus",
        "SELECT title FROM reports WHERE title IS NOT NULL",
        "SELECT DISTINCT title FROM sections",
        "SELECT DISTINCT label FROM figures",
    ] {
        let mut stmt = conn.prepare(sql)?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            chars.extend(
                r.get_ref(0)?
                    .as_str()
                    .unwrap_or("")
                    .chars()
                    .filter(|&c| crate::search::pinyin::is_han(c)),
            );
        }
    }
    let mut st = conn.prepare("INSERT OR IGNORE INTO pinyin(ch, readings) VALUES (?1, ?2)")?;
    for c in chars {
        st.execute((c.to_string(), crate::search::pinyin::readings_of(c).join(" ")))?;
    }
    let rows: Vec<(i64, i64, String, f64, String)> = {
        let mut stmt = conn.prepare("SELECT report_id, ord, label, value, unit FROM figures")?;
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)))?
            .collect::<rusqlite::Result<_>>()?
    };
    let mut st = conn.prepare(
        "UPDATE figures SET measure = ?3, base_value = ?4, base_unit = ?5 WHERE report_id = ?1 AND ord = ?2",
    )?;
    for (report, ord, label, value, unit) in rows {
        let (v, u) = crate::ingest::measure::base(value, &unit);
        st.execute((report, ord, crate::ingest::measure::measure(&label), v, u))?;
    }
    Ok(())
}

const V1: &str = r#"
CREATE TABLE bureaus (
    id   INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE
);
CREATE TABLE reports (
    id         INTEGER PRIMARY KEY,
    path       TEXT NOT NULL UNIQUE,
    hash       TEXT NOT NULL,
    size       INTEGER NOT NULL,
    bureau_id  INTEGER REFERENCES bureaus(id),
    year       INTEGER,
    published  TEXT,
    title      TEXT,
    encoding   TEXT NOT NULL,
    meta       TEXT NOT NULL,  -- JSON object: web metadata and crawler header
    parts      TEXT NOT NULL,  -- JSON object: coverage of the statutory parts
    warnings   TEXT NOT NULL,  -- JSON array
    indexed_at TEXT NOT NULL
);
CREATE INDEX reports_bureau ON reports(bureau_id, year);
CREATE TABLE sections (
    report_id INTEGER NOT NULL REFERENCES reports(id) ON DELETE CASCADE,
    ord       INTEGER NOT NULL,  -- index in the report's section list
    level     INTEGER NOT NULL,
    number    TEXT NOT NULL,
    ordinal   INTEGER NOT NULL,
    heading   TEXT NOT NULL,
    title     TEXT NOT NULL,
    parent    INTEGER,           -- ord of the parent section
    parts     TEXT NOT NULL,     -- comma-separated part names
    path      TEXT NOT NULL,     -- "2.3"
    PRIMARY KEY (report_id, ord)
) WITHOUT ROWID;
CREATE TABLE paragraphs (
    id        INTEGER PRIMARY KEY,
    report_id INTEGER NOT NULL REFERENCES reports(id) ON DELETE CASCADE,
    ord       INTEGER NOT NULL,
    section   INTEGER,           -- ord of its section; NULL for the preamble
    text      TEXT NOT NULL,
    points    TEXT NOT NULL      -- JSON array of inline points
);
CREATE INDEX paragraphs_report ON paragraphs(report_id, ord);
CREATE TABLE figures (
    report_id INTEGER NOT NULL REFERENCES reports(id) ON DELETE CASCADE,
    ord       INTEGER NOT NULL,
    paragraph INTEGER NOT NULL,  -- ord of its paragraph
    section   INTEGER,
    text      TEXT NOT NULL,
    value     REAL NOT NULL,
    unit      TEXT NOT NULL,
    approx    TEXT,
    label     TEXT NOT NULL,
    sentence  TEXT NOT NULL,
    start     INTEGER NOT NULL,  -- byte range in the paragraph's text
    end       INTEGER NOT NULL,
    PRIMARY KEY (report_id, ord)
) WITHOUT ROWID;
CREATE INDEX figures_label ON figures(label);
-- Exact substring search: trigrams, case-sensitive so that a match is
-- exactly what instr() finds.
CREATE VIRTUAL TABLE paragraphs_fts USING fts5(
    text, content='paragraphs', content_rowid='id', tokenize='trigram case_sensitive 1'
);
CREATE TRIGGER paragraphs_ai AFTER INSERT ON paragraphs BEGIN
    INSERT INTO paragraphs_fts(rowid, text) VALUES (new.id, new.text);
END;
CREATE TRIGGER paragraphs_ad AFTER DELETE ON paragraphs BEGIN
    INSERT INTO paragraphs_fts(paragraphs_fts, rowid, text) VALUES ('delete', old.id, old.text);
END;
CREATE TABLE failures (
    path   TEXT PRIMARY KEY,
    reason TEXT NOT NULL,
    at     TEXT NOT NULL
);
"#;

#[cfg(test)]
mod tests {
    use super::*;

    /// What the writer stores for a title, read back through the schema's
    /// generated column, is the title itself: characters beyond U+FFFF, a
    /// heading that does not hold its title and empty values included.
    #[test]
    fn generated_columns_give_back_what_was_stored() {
        let conn = rusqlite::Connection::open_in_memory().unwrap();
        conn.pragma_update(None, "encoding", "UTF-16be").unwrap();
        for (v, sql) in MIGRATIONS.iter().enumerate() {
            conn.execute_batch(sql).unwrap();
            backfill(&conn, v as i64 + 1).unwrap();
        }
        conn.execute_batch(
            "INSERT INTO reports(id, path, hash, size, encoding, meta, parts, warnings, indexed_at)
                            VALUES (1, 'a', x'', 0, 'utf-8', '{}', 'm;m;m;m;m', '[]', '')",
        )
        .unwrap();
        let titles = [
            ("(一)切实规范行政权力运行。", "(一)", "切实规范行政权力运行"),
            ("一、𠀀𠀁年度工作𠀂", "一、", "𠀀𠀁年度工作"),
            ("3.落实责任制", "3.", "落实责任制"),
            ("第一部分 总体情况", "第一部分", "总体情况"),
            ("", "", ""),
            ("二、", "二、", ""),
        ];
        for (i, (heading, number, title)) in titles.iter().enumerate() {
            let (own, tail) = stored_title(heading, number, title);
            conn.execute(
                "INSERT INTO sections(report_id, ord, level, number, ordinal, heading, title_own, title_tail, parts, path)
                 VALUES (1, ?1, 1, ?2, 1, ?3, ?4, ?5, '', '1')",
                rusqlite::params![i as i64, number, heading, own, tail],
            )
            .unwrap();
            let got: String = conn
                .query_row("SELECT title FROM sections WHERE ord = ?1", [i as i64], |r| r.get(0))
                .unwrap();
            assert_eq!(&got, title, "heading {heading:?}");
        }
        assert_eq!(
            stored_title("第一部分 总体情况", "第一部分", "总体情况").0,
            Some("总体情况")
        );
    }

    /// Schema 17 moves each report's figure rows into one list: what the
    /// rows gave through their generated columns (measures and base
    /// values, characters beyond U+FFFF and empty values included) comes
    /// back from the list, in order, report by report.
    #[test]
    fn figure_rows_move_into_lists() {
        let conn = rusqlite::Connection::open_in_memory().unwrap();
        conn.pragma_update(None, "encoding", "UTF-16be").unwrap();
        for (v, sql) in MIGRATIONS[..16].iter().enumerate() {
            conn.execute_batch(sql).unwrap();
            backfill(&conn, v as i64 + 1).unwrap();
        }
        for id in 1..=3 {
            conn.execute(
                "INSERT INTO reports(id, path, hash, size, encoding, meta, parts, warnings, indexed_at)
                 VALUES (?1, ?2, x'', 0, 'utf-8', '{}', 'm;m;m;m;m', '[]', '')",
                rusqlite::params![id, format!("r{id}")],
            )
            .unwrap();
        }
        let measures = [
            ("清理规范性文件", "规范性文件"),
            ("办理𠀀𠀁登记", "𠀀𠀁登记"),
            ("发放宣传资料", "宣传资料"),
            ("受理案件", "行政复议案件"),
            ("婚姻登记", ""),
            ("", ""),
        ];
        // Report 1 has the first four (written in reverse order), report 3
        // the last two, report 2 none.
        for (i, (label, measure)) in measures.iter().enumerate().rev() {
            let (report, ord) = if i < 4 { (1, i) } else { (3, i - 4) };
            let (own, at) = match label.strip_suffix(measure) {
                Some(head) => (None, head.chars().count() as i64),
                None => (Some(measure), 0),
            };
            conn.execute(
                "INSERT INTO figures(report_id, ord, paragraph, section, text, value, unit, approx, label, start, end,
                                     measure_own, measure_at, base_value_own, base_unit_own)
                 VALUES (?1, ?2, ?3, CASE WHEN ?3 > 0 THEN ?3 - 1 END, ?4, 2.5, '件', CASE WHEN ?3 = 1 THEN '余' END,
                         ?5, ?3, ?3 + 4, ?6, ?7, CASE WHEN ?3 % 2 = 0 THEN 10000 END,
                         CASE WHEN ?3 % 2 = 0 THEN '元' END)",
                rusqlite::params![report, ord as i64, i as i64, format!("{i}件"), label, own, at],
            )
            .unwrap();
        }
        conn.execute_batch(MIGRATIONS[16]).unwrap();
        backfill(&conn, 17).unwrap();
        let lists: Vec<(i64, i64, Vec<u8>)> = conn
            .prepare("SELECT report_id, count, data FROM figures ORDER BY report_id")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        assert_eq!(lists.iter().map(|l| (l.0, l.1)).collect::<Vec<_>>(), [(1, 4), (3, 2)]);
        let back: Vec<super::super::figures::StoredFigure> = lists
            .iter()
            .flat_map(|l| super::super::figures::decode(&l.2).unwrap())
            .collect();
        assert_eq!(back.len(), measures.len());
        for (i, (f, (label, measure))) in back.iter().zip(&measures).enumerate() {
            assert_eq!((f.label.as_str(), f.measure.as_str()), (*label, *measure), "figure {i}");
            assert_eq!(
                (f.paragraph, f.section, f.start, f.end),
                (i, i.checked_sub(1), i, i + 4)
            );
            assert_eq!(
                (f.text.clone(), f.value, f.unit.as_str()),
                (format!("{i}件"), 2.5, "件")
            );
            assert_eq!(f.approx.as_deref(), (i == 1).then_some("余"));
            let base = if i % 2 == 0 { (10000.0, "元") } else { (2.5, "件") };
            assert_eq!((f.base_value, f.base_unit.as_str()), base);
        }
        let left: i64 = conn
            .query_row(
                "SELECT count(*) FROM sqlite_master WHERE name IN ('figures_v16', 'figures_measure')",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(left, 0);
    }
}
