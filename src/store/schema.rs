//! The SQLite schema, its version (`PRAGMA user_version`) and migrations.
//! `PRAGMA application_id` marks a database as fazhi's, so that a foreign
//! SQLite file is refused rather than written into.

/// 'FAZH'
pub const APPLICATION_ID: i64 = 0x4641_5A48;

/// Each entry migrates from version `i` to `i + 1`.
pub const MIGRATIONS: &[&str] = &[V1, V2, V3];

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
