//! Hostile and broken input: every file gets a clear outcome naming it, the
//! other files of the run are indexed fully, and nothing a file contains
//! reaches the terminal.

mod common;

use common::hostile::{Expect, write_corpus};
use fazhi::store::writer::path_key;
use std::path::{Path, PathBuf};
use std::process::Output;

/// Runs fazhi (as nobody when the tests run as root).
fn fazhi(db: &Path, args: &[&str]) -> Output {
    let home = db.parent().unwrap();
    common::fazhi_unprivileged()
        .args(args)
        .env("FAZHI_DB", db)
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_STATE_HOME", home.join("state"))
        .env_remove("FAZHI_CONFIG")
        .env_remove("FAZHI_LOG")
        .output()
        .unwrap()
}

/// No escape sequence, C1 control or bidi override in what fazhi wrote.
fn assert_terminal_safe(what: &str, bytes: &[u8]) {
    assert!(!bytes.contains(&0x1b), "{what}: ESC in output");
    let text = String::from_utf8_lossy(bytes);
    let bad: Vec<char> = text
        .chars()
        .filter(|&c| {
            (c.is_control() && c != '\n' && c != '\t')
                || matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
        })
        .collect();
    assert!(bad.is_empty(), "{what}: control characters {bad:?} in output");
    assert!(
        !text.contains("pwned") && !text.contains("ZXZpbA"),
        "{what}: escape payload in output"
    );
}

struct Stored {
    bureau: Option<String>,
    year: Option<i32>,
    encoding: String,
    warnings: String,
    sections: usize,
    paragraphs: usize,
    figures: usize,
}

fn stored(db: &Path) -> std::collections::HashMap<String, Stored> {
    let conn = rusqlite::Connection::open_with_flags(db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap();
    let mut stmt = conn
        .prepare(
            "SELECT r.path, b.name, r.year, r.encoding, r.warnings,
                    (SELECT count(*) FROM sections s WHERE s.report_id = r.id),
                    (SELECT data FROM bodies d WHERE d.report_id = r.id),
                    coalesce((SELECT count FROM figures f WHERE f.report_id = r.id), 0)
             FROM reports r LEFT JOIN bureaus b ON b.id = r.bureau_id",
        )
        .unwrap();
    stmt.query_map([], |r| {
        Ok((
            r.get::<_, String>(0)?,
            Stored {
                bureau: r.get(1)?,
                year: r.get(2)?,
                encoding: r.get(3)?,
                warnings: r.get(4)?,
                sections: r.get::<_, i64>(5)? as usize,
                paragraphs: texts_in(r.get(6)?),
                figures: r.get::<_, i64>(7)? as usize,
            },
        ))
    })
    .unwrap()
    .map(Result::unwrap)
    .collect()
}

fn copy_samples(to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in common::SAMPLES {
        std::fs::copy(common::sample_path(e.file), to.join(e.file)).unwrap();
    }
}

/// A folder everyone can use (the indexer may run as nobody).
fn open_dir() -> (tempfile::TempDir, PathBuf) {
    use std::os::unix::fs::PermissionsExt;
    let tmp = tempfile::tempdir().unwrap();
    std::fs::set_permissions(tmp.path(), std::fs::Permissions::from_mode(0o777)).unwrap();
    let root = tmp.path().to_path_buf();
    (tmp, root)
}

#[test]
fn every_hostile_file_gets_a_clear_outcome_and_the_rest_is_indexed_fully() {
    let (_tmp, root) = open_dir();
    let corpus = root.join("corpus");
    std::fs::create_dir(&corpus).unwrap();
    let cases = write_corpus(&corpus, 10_000);
    copy_samples(&corpus.join("samples"));
    let db = root.join("i.db");
    let o = fazhi(&db, &["index", corpus.to_str().unwrap(), "--json"]);
    assert_eq!(o.status.code(), Some(3), "{}", String::from_utf8_lossy(&o.stderr));
    assert_terminal_safe("index stdout", &o.stdout);
    assert_terminal_safe("index stderr", &o.stderr);
    let summary: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();

    // Each failure names its file and says why; nothing else failed.
    let failed: Vec<(String, String)> = summary["failed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap().to_string(),
                f["reason"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let expected_failures: Vec<(&std::ffi::OsString, &str)> = cases
        .iter()
        .filter_map(|c| match c.expect {
            Expect::Failed(why) => Some((&c.name, why)),
            Expect::Indexed { .. } => None,
        })
        .collect();
    for (name, why) in &expected_failures {
        let path = corpus.join(name).display().to_string();
        let got = failed.iter().find(|(p, _)| *p == path);
        assert!(
            got.is_some_and(|(_, reason)| reason.contains(why)),
            "{path}: expected a failure saying {why:?}, got {got:?}"
        );
    }
    assert_eq!(
        failed.len(),
        expected_failures.len(),
        "unexpected failures: {failed:#?}"
    );

    // Every other file is stored with what it says.
    let rows = stored(&db);
    let indexed = cases.len() - expected_failures.len();
    assert_eq!(summary["new"], serde_json::json!(indexed + common::SAMPLES.len()));
    assert_eq!(rows.len(), indexed + common::SAMPLES.len());
    for c in &cases {
        let Expect::Indexed {
            bureau,
            year,
            encoding,
            sections,
            warning,
        } = &c.expect
        else {
            continue;
        };
        let key = path_key(&corpus.join(&c.name));
        let r = rows.get(&key).unwrap_or_else(|| panic!("{key} not stored"));
        assert_eq!(r.bureau.as_deref(), Some(bureau.as_str()), "{key}");
        assert_eq!(r.year, Some(*year), "{key}");
        assert_eq!(r.encoding, *encoding, "{key}");
        assert_eq!(r.sections, *sections, "{key}");
        match warning {
            Some(w) => assert!(r.warnings.contains(w), "{key}: warnings {}", r.warnings),
            None => assert_eq!(r.warnings, "[]", "{key}"),
        }
    }

    // The samples in the same run are stored exactly as in a run of their own.
    let alone = root.join("alone");
    copy_samples(&alone);
    let alone_db = root.join("alone.db");
    assert!(fazhi(&alone_db, &["index", alone.to_str().unwrap()]).status.success());
    let alone_rows = stored(&alone_db);
    for e in common::SAMPLES {
        let a = &alone_rows[&path_key(&alone.join(e.file))];
        let b = &rows[&path_key(&corpus.join("samples").join(e.file))];
        assert_eq!(
            (&a.bureau, a.year, a.sections, a.paragraphs, a.figures),
            (&b.bureau, b.year, b.sections, b.paragraphs, b.figures),
            "{}",
            e.file
        );
    }

    // What the reports said is never terminal input in any command's output.
    let corpus_s = corpus.display().to_string();
    for args in [
        vec!["show", "十堰市武当区民政局"],
        vec!["show", "十堰市武当区民政局", "2023", "--section", "1"],
        vec!["show", "十堰市武当区民政局", "2023", "--json"],
        vec!["search", "法治", "--limit", "200"],
        vec!["search", "法治", "--json"],
        vec!["figures", "--bureau", "武当"],
        vec!["figures", "--bureau", "武当", "--csv"],
        vec!["bureaus"],
        vec!["parse", &format!("{corpus_s}/escapes.txt")],
        vec!["parse", &format!("{corpus_s}/escapes.txt"), "--json"],
        vec!["parse", &format!("{corpus_s}/bidi.txt")],
    ] {
        let o = fazhi(&db, &args);
        assert!(o.status.success(), "{args:?}: {}", String::from_utf8_lossy(&o.stderr));
        assert!(!o.stdout.is_empty(), "{args:?}: no output");
        assert_terminal_safe(&format!("{args:?} stdout"), &o.stdout);
        assert_terminal_safe(&format!("{args:?} stderr"), &o.stderr);
    }
    // JSON output is valid UTF-8 JSON, also for names that are not UTF-8.
    let o = fazhi(&db, &["bureaus", "--json"]);
    let _: serde_json::Value = serde_json::from_slice(&o.stdout).expect("valid JSON");

    let conn = rusqlite::Connection::open(&db).unwrap();
    let ok: String = conn.query_row("PRAGMA integrity_check", [], |r| r.get(0)).unwrap();
    assert_eq!(ok, "ok");
}

#[test]
fn a_report_over_the_size_limit_is_refused_without_reading_it_all() {
    let (_tmp, root) = open_dir();
    let corpus = root.join("c");
    std::fs::create_dir(&corpus).unwrap();
    // A sparse file: 100 MB that take no disk.
    let f = std::fs::File::create(corpus.join("huge.txt")).unwrap();
    f.set_len(100 << 20).unwrap();
    copy_samples(&corpus);
    let o = fazhi(&root.join("i.db"), &["index", corpus.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(3));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("huge.txt: too large for a report (over 64 MB)"), "{err}");
    assert!(String::from_utf8_lossy(&o.stdout).starts_with("7 new"));
}

/// How many paragraph texts a stored body holds (none when it is missing).
fn texts_in(body: Option<Vec<u8>>) -> usize {
    body.map_or(0, |b| fazhi::store::body::decode(&b).unwrap().texts.len())
}
