//! The index on a real SQLite file: indexing, incremental re-indexing,
//! pruning, bad files, and full-text search checked against a brute-force
//! scan.

mod common;

use fazhi::search::Query;
use fazhi::store::Store;
use fazhi::store::reader::FigureFilter;
use fazhi::store::writer::IndexOptions;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// Copies the sample reports into `dir`, made if missing.
fn copy_samples(dir: &Path) -> Vec<PathBuf> {
    std::fs::create_dir_all(dir).expect("make the folder");
    let mut out = Vec::new();
    for e in common::SAMPLES {
        let to = dir.join(e.file);
        std::fs::copy(common::sample_path(e.file), &to).expect("copy sample");
        out.push(to);
    }
    out
}

fn index(store: &mut Store, dir: &Path, prune: bool) -> fazhi::store::writer::IndexStats {
    index_with(
        store,
        dir,
        IndexOptions {
            prune,
            ..IndexOptions::default()
        },
    )
}

fn index_with(store: &mut Store, dir: &Path, opts: IndexOptions) -> fazhi::store::writer::IndexStats {
    store.index(&[dir.to_path_buf()], opts, &mut |_| {}).expect("index run")
}

/// Each report's paragraphs go to the full-text index as soon as they are
/// written, in the middle of the batch (by default a segment's worth of
/// text waits, more than the samples hold).
fn syncing_each_report() -> IndexOptions {
    IndexOptions {
        fts_sync_bytes: 1,
        ..IndexOptions::default()
    }
}

#[test]
fn index_reindex_change_and_prune() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("reports");
    copy_samples(&data);
    let db = tmp.path().join("index.db");

    let mut store = Store::open(&db).unwrap();
    let s = index(&mut store, &data, false);
    assert_eq!((s.new, s.changed, s.unchanged, s.failed.len()), (7, 0, 0, 0));
    let c = store.counts().unwrap();
    assert_eq!((c.bureaus, c.reports), (7, 7));
    let sections_before = c.sections;
    assert!(store.integrity_ok().unwrap());

    // Re-indexing an unchanged folder writes nothing.
    let mut store = Store::open(&db).unwrap();
    let before = store.total_changes();
    let s = index(&mut store, &data, false);
    assert_eq!((s.new, s.changed, s.unchanged), (0, 0, 7));
    assert_eq!(store.total_changes(), before, "an unchanged re-index must not write");

    // A changed file replaces its old rows (and only its rows).
    let hubin = data.join("hubin-district-civil-affairs-2023.txt");
    let text = std::fs::read_to_string(&hubin).unwrap();
    let changed = text.replace("目前共办理婚姻登记2529件", "目前共办理婚姻登记2600件");
    std::fs::write(&hubin, changed).unwrap();
    let s = index(&mut store, &data, false);
    assert_eq!((s.new, s.changed, s.unchanged), (0, 1, 6));
    let figs = store
        .figures(&FigureFilter {
            label: Some("办理婚姻登记".into()),
            ..Default::default()
        })
        .unwrap();
    let texts: BTreeSet<&str> = figs.iter().map(|f| f.text.as_str()).collect();
    assert_eq!(texts, BTreeSet::from(["2600件", "3030件"]));
    assert_eq!(store.counts().unwrap().sections, sections_before);
    assert!(store.search("2529件", 10).unwrap().is_empty());
    assert_eq!(store.search("2600件", 10).unwrap().len(), 1);

    // A removed file is kept until --prune, then goes with its bureau.
    std::fs::remove_file(data.join("xinzhou-city-civil-affairs-2020.txt")).unwrap();
    let s = index(&mut store, &data, false);
    assert_eq!((s.unchanged, s.pruned), (6, 0));
    assert_eq!(store.counts().unwrap().reports, 7);
    let s = index(&mut store, &data, true);
    assert_eq!(s.pruned, 1);
    let c = store.counts().unwrap();
    assert_eq!((c.reports, c.bureaus), (6, 6));
    assert!(!store.bureaus().unwrap().iter().any(|b| b.name == "忻州市民政局"));
    assert!(
        store
            .search("最低生活保障标准", 10)
            .unwrap()
            .iter()
            .all(|h| h.bureau.as_deref() != Some("忻州市民政局"))
    );
    assert!(store.integrity_ok().unwrap());
}

#[test]
fn bad_files_fail_alone() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("reports");
    copy_samples(&data);
    std::fs::write(data.join("empty.txt"), "").unwrap();
    std::fs::write(data.join("blank.txt"), " \n\u{3000}\n").unwrap();
    std::fs::write(data.join("image.txt"), b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR").unwrap();
    std::fs::write(data.join("archive.zip"), b"PK\x03\x04").unwrap(); // not a report extension: skipped
    let hubin_text = common::sample_text("hubin-district-civil-affairs-2023.txt");
    let (gbk, _, _) = encoding_rs::GBK.encode(&hubin_text);
    std::fs::create_dir(data.join("gbk")).unwrap();
    std::fs::write(data.join("gbk").join("hubin.txt"), &gbk).unwrap();
    let mut store = Store::open(&tmp.path().join("i.db")).unwrap();
    let s = index(&mut store, &data, false);
    assert_eq!(s.new, 8);
    let failed: Vec<(String, &str)> = s
        .failed
        .iter()
        .map(|(p, r)| (p.file_name().unwrap().to_string_lossy().to_string(), r.as_str()))
        .collect();
    assert_eq!(
        failed,
        vec![
            ("blank.txt".to_string(), "empty file (no text)"),
            ("empty.txt".to_string(), "empty file (no text)"),
            ("image.txt".to_string(), "binary file (PNG image), not a text report"),
        ]
    );
    assert_eq!(store.failures().unwrap().len(), 3);
    // The GBK copy is a second report of the same bureau and year.
    let hubin = store.find_bureaus("湖滨区民政局").unwrap();
    assert_eq!(hubin[0].reports.len(), 2);
}

#[test]
fn refuses_foreign_and_newer_databases() {
    let tmp = tempfile::tempdir().unwrap();
    let foreign = tmp.path().join("other.db");
    {
        let c = rusqlite::Connection::open(&foreign).unwrap();
        c.execute_batch("CREATE TABLE notes(x); INSERT INTO notes VALUES (1);")
            .unwrap();
    }
    let err = Store::open(&foreign).err().expect("refused").to_string();
    assert!(err.contains("did not create"), "{err}");
    let c = rusqlite::Connection::open(&foreign).unwrap();
    let n: i64 = c.query_row("SELECT count(*) FROM notes", [], |r| r.get(0)).unwrap();
    assert_eq!(n, 1, "the foreign database is untouched");

    let junk = tmp.path().join("junk.db");
    std::fs::write(
        &junk,
        "this is not a database at all, just text that is long enough to matter",
    )
    .unwrap();
    let err = format!("{:#}", Store::open(&junk).err().expect("refused"));
    assert!(err.contains("not a readable SQLite database"), "{err}");
    assert!(std::fs::read_to_string(&junk).unwrap().starts_with("this is not"));

    let newer = tmp.path().join("newer.db");
    drop(Store::open(&newer).unwrap());
    rusqlite::Connection::open(&newer)
        .unwrap()
        .pragma_update(None, "user_version", 99)
        .unwrap();
    let err = Store::open(&newer).err().expect("refused").to_string();
    assert!(err.contains("newer fazhi"), "{err}");
}

/// A store holding the samples (the folder lives as long as the guard).
fn indexed_samples() -> (tempfile::TempDir, Store) {
    indexed_samples_with(IndexOptions::default())
}

fn indexed_samples_with(opts: IndexOptions) -> (tempfile::TempDir, Store) {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("reports");
    copy_samples(&data);
    let mut store = Store::open(&tmp.path().join("i.db")).unwrap();
    index_with(&mut store, &data, opts);
    (tmp, store)
}

#[test]
fn search_matches_a_brute_force_scan() {
    let (tmp, store) = indexed_samples();
    search_matches_a_brute_force_scan_in(tmp, store, IndexOptions::default());
}

#[test]
fn search_matches_a_brute_force_scan_when_paragraphs_are_indexed_during_the_batch() {
    let (tmp, store) = indexed_samples_with(syncing_each_report());
    search_matches_a_brute_force_scan_in(tmp, store, syncing_each_report());
}

fn search_matches_a_brute_force_scan_in(tmp: tempfile::TempDir, mut store: Store, opts: IndexOptions) {
    // A paragraph with every trigram of 甲乙丙丁甲乙 but not the word: the
    // trigram index, which keeps no positions, offers it as a candidate.
    let data = tmp.path().join("reports");
    std::fs::write(
        data.join("trap.txt"),
        "某县民政局2023年法治政府建设年度报告\n\n一、主要举措\n\n甲乙丙丁和丙丁甲乙都在这一段里。\n",
    )
    .unwrap();
    assert_eq!(index_with(&mut store, &data, opts).new, 1);
    let paragraphs = store.all_paragraphs().unwrap();
    assert!(paragraphs.iter().any(|(_, _, t)| t.contains("甲乙丙丁和丙丁甲乙")));
    let queries = [
        "局",
        "民政",
        "低保",
        "婚姻",
        "婚姻登记",
        "法治政府",
        "养老服务",
        "行政执法",
        "登记 婚姻",
        "低保 临时救助",
        "婚 登记",
        "救助 金额 59.4",
        "2529件",
        "“三方”",
        "\"三方\"",
        "NEAR",
        "AND OR",
        "(一)",
        "a*",
        "-",
        "民政局民政局",
        "十四五",
        "不存在的词语",
        "治 理 率",
        "保障",
        "。",
        "作。",
        "保 障",
        "罕见",
        "甲乙丙丁甲乙",
        "丙丁甲乙",
        "甲乙丙丁甲乙 和",
        "丁和丙 乙丙丁",
    ];
    for q in queries {
        let query = Query::parse(q);
        let expected: BTreeSet<(i64, usize)> = paragraphs
            .iter()
            .filter(|(_, _, t)| query.matches(t))
            .map(|(r, o, _)| (*r, *o))
            .collect();
        let got: BTreeSet<(i64, usize)> = store
            .search(q, 100_000)
            .unwrap()
            .iter()
            .map(|h| (h.report_id, h.paragraph))
            .collect();
        assert_eq!(got, expected, "query {q:?}");
        if q.contains('甲') || q.contains('丁') {
            // The trap works: its candidate is a match only where it holds the words.
            assert_eq!(expected.is_empty(), q.starts_with("甲乙丙丁甲乙"), "query {q:?}");
        }
        // A first page is full (or all there is), and only matches.
        let page = store.search(q, 20).unwrap();
        assert_eq!(page.len(), expected.len().min(20), "page of {q:?}");
        assert!(page.iter().all(|h| expected.contains(&(h.report_id, h.paragraph))));
    }
    // Chinese words of 2, 3 and 4 characters find what they should.
    assert!(!store.search("低保", 5).unwrap().is_empty());
    assert!(!store.search("信访件", 5).unwrap().is_empty());
    let hits = store.search("婚姻登记", 50).unwrap();
    assert_eq!(hits.len(), 6);
    let h = &hits[0];
    let [s, e] = h.matches[0];
    assert_eq!(&h.snippet[s..e], "婚姻登记");
    assert!(h.section_path.is_some());
}

#[test]
fn a_stored_report_reads_back_as_parsed() {
    let (_tmp, store) = indexed_samples();
    for b in store.bureaus().unwrap() {
        let stored = store.report(b.reports[0].id).unwrap().unwrap();
        let parsed = fazhi::ingest::parse_bytes(&std::fs::read(&stored.path).unwrap()).unwrap();
        assert_eq!(stored.paragraphs, parsed.paragraphs, "{}", stored.path);
        assert_eq!(stored.figures, parsed.figures, "{}", stored.path);
        assert_eq!(stored.sections, parsed.sections, "{}", stored.path);
        let listed = store
            .figures(&fazhi::store::reader::FigureFilter {
                bureau: b.name.clone().into(),
                ..Default::default()
            })
            .unwrap();
        let sentences: Vec<&str> = listed.iter().map(|f| f.sentence.as_str()).collect();
        let expected: Vec<&str> = parsed.figures.iter().map(|f| f.sentence.as_str()).collect();
        assert_eq!(sentences, expected, "{}", stored.path);
    }
}

/// Paragraphs reach the full-text index once per batch (schema 5). The
/// newest report's paragraphs hold the highest ids: replacing it must not
/// hand its old ids to the new paragraphs, or the index would skip them.
#[test]
fn the_full_text_index_follows_a_replaced_newest_report() {
    the_full_text_index_follows_a_replaced_newest_report_with(IndexOptions::default());
}

/// The same, where the paragraphs reach the index before their batch ends.
#[test]
fn the_full_text_index_follows_a_replaced_report_indexed_during_its_batch() {
    the_full_text_index_follows_a_replaced_newest_report_with(syncing_each_report());
}

fn the_full_text_index_follows_a_replaced_newest_report_with(opts: IndexOptions) {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("reports");
    std::fs::create_dir(&data).unwrap();
    // Written first in each run, and changed in each: the newest report's
    // ids are taken after an older report was replaced in the same batch.
    let older = data.join("a-maojian.txt");
    let older_text = std::fs::read_to_string(common::sample_path("maojian-district-civil-affairs-2023.txt")).unwrap();
    std::fs::write(&older, &older_text).unwrap();
    let file = data.join("hubin.txt");
    let text = std::fs::read_to_string(common::sample_path("hubin-district-civil-affairs-2023.txt")).unwrap();
    std::fs::write(&file, &text).unwrap();
    let mut store = Store::open(&tmp.path().join("i.db")).unwrap();
    index_with(&mut store, &data, opts);
    assert_eq!(store.search("2529件", 10).unwrap().len(), 1);
    let marriage = store.search("婚姻登记", 100).unwrap().len();
    assert!(marriage > 0);
    let law = store.search("法治", 1000).unwrap().len();
    for round in 0..3 {
        let mark = format!("第{round}轮标记");
        std::fs::write(&older, older_text.replacen('。', &format!("，{mark}。"), 1)).unwrap();
        let changed = text.replace("2529件", &format!("{}件", 7000 + round));
        std::fs::write(&file, changed).unwrap();
        assert_eq!(index_with(&mut store, &data, opts).changed, 2);
        assert!(store.search("2529件", 10).unwrap().is_empty());
        assert_eq!(store.search(&format!("{}件", 7000 + round), 10).unwrap().len(), 1);
        assert_eq!(store.search(&mark, 10).unwrap().len(), 1, "round {round}");
        if round > 0 {
            assert!(store.search(&format!("第{}轮标记", round - 1), 10).unwrap().is_empty());
        }
        assert_eq!(store.search("婚姻登记", 100).unwrap().len(), marriage, "round {round}");
        assert_eq!(store.search("法治", 1000).unwrap().len(), law, "round {round}");
        assert!(store.integrity_ok().unwrap());
    }
}

/// The full-text index's settings (FTS5's config table), by name.
fn fts_settings(db: &Path) -> Vec<(String, i64)> {
    let conn = rusqlite::Connection::open(db).unwrap();
    let mut stmt = conn
        .prepare("SELECT k, v FROM paragraphs_fts_config WHERE k != 'version' ORDER BY k")
        .unwrap();
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap()
}

/// What the full-text index is set to: merging segments 64 at a time
/// (schemas 12 and 15), in steps until a level holds 128 (schema 16), and
/// a segment per 8 MB of entries (schema 13), not FTS5's 4, 16 and 1 MB.
fn bulk_settings() -> Vec<(String, i64)> {
    vec![
        ("automerge".to_string(), 64),
        ("crisismerge".to_string(), 128),
        ("hashsize".to_string(), 8 << 20),
    ]
}

#[test]
fn a_new_full_text_index_is_set_for_bulk_writes() {
    let (tmp, _store) = indexed_samples();
    assert_eq!(fts_settings(&tmp.path().join("i.db")), bulk_settings());
}

#[test]
fn a_new_index_has_16_kb_pages() {
    let (tmp, _store) = indexed_samples();
    let conn = rusqlite::Connection::open(tmp.path().join("i.db")).unwrap();
    let size: i64 = conn.query_row("PRAGMA page_size", [], |r| r.get(0)).unwrap();
    assert_eq!(size, 16384);
    let encoding: String = conn.query_row("PRAGMA encoding", [], |r| r.get(0)).unwrap();
    assert_eq!(encoding, "UTF-16be");
}

/// An index written by schema 4 (paragraphs indexed by a trigger) is
/// migrated: what it holds stays searchable, and what is indexed after is
/// found too.
#[test]
fn a_schema_4_index_keeps_its_full_text_index() {
    let (tmp, store) = indexed_samples();
    let db = tmp.path().join("i.db");
    let filter = fazhi::store::views::ReportFilter::default();
    let coverage = store.coverage(&filter).unwrap();
    let first = store.report(1).unwrap().unwrap();
    drop(store);
    common::back_to_schema_7(&db);
    {
        // Schema 4 as it was: triggers on insert and delete, no high-water
        // mark, the narrow index on reports, points stored with paragraphs.
        let conn = rusqlite::Connection::open(&db).unwrap();
        conn.execute_batch(
            "DROP TRIGGER paragraphs_ad;
             DROP TABLE fts_synced;
             DROP INDEX reports_browse;
             CREATE INDEX reports_bureau ON reports(bureau_id, year);
             CREATE TRIGGER paragraphs_ai AFTER INSERT ON paragraphs BEGIN
                 INSERT INTO paragraphs_fts(rowid, text) VALUES (new.id, new.text);
             END;
             CREATE TRIGGER paragraphs_ad AFTER DELETE ON paragraphs BEGIN
                 INSERT INTO paragraphs_fts(paragraphs_fts, rowid, text) VALUES ('delete', old.id, old.text);
             END;
             ALTER TABLE paragraphs ADD COLUMN points TEXT NOT NULL DEFAULT '[]';
             PRAGMA user_version = 4;",
        )
        .unwrap();
    }
    let mut store = Store::open(&db).unwrap();
    assert_eq!(store.search("婚姻登记", 50).unwrap().len(), 6);
    assert_eq!(fts_settings(&db), bulk_settings());
    // Coverage, sections of paragraphs and the files' hashes come through
    // the upgrade (an unchanged file is not indexed again).
    assert_eq!(store.coverage(&filter).unwrap(), coverage);
    let again = store.report(1).unwrap().unwrap();
    assert_eq!((&again.parts, &again.paragraphs), (&first.parts, &first.paragraphs));
    // The figures went from rows (up to schema 16) into lists (schema 17).
    assert!(first.figures.len() > 10, "{}", first.figures.len());
    assert_eq!(again.figures, first.figures);
    let data = tmp.path().join("reports");
    let files = std::fs::read_dir(&data).unwrap().count();
    let hubin = data.join("hubin-district-civil-affairs-2023.txt");
    let text = std::fs::read_to_string(&hubin).unwrap();
    std::fs::write(&hubin, text.replace("2529件", "8123件")).unwrap();
    let stats = index(&mut store, &data, false);
    assert_eq!((stats.new, stats.changed, stats.unchanged), (0, 1, files - 1));
    assert!(store.search("2529件", 10).unwrap().is_empty());
    assert_eq!(store.search("8123件", 10).unwrap().len(), 1);
    assert_eq!(store.search("婚姻登记", 50).unwrap().len(), 6);
    assert!(store.integrity_ok().unwrap());
}

#[test]
fn the_palette_names_each_year_of_a_bureau_once() {
    // Two reports of one bureau for the same year (a report and its
    // revision, say): the bureau's palette item lists 2023 once.
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    std::fs::create_dir_all(&data).unwrap();
    let text = common::sample_text("maojian-district-civil-affairs-2023.txt");
    std::fs::write(data.join("a.txt"), &text).unwrap();
    std::fs::write(data.join("b.txt"), text.replace("。", "。 ")).unwrap();
    let mut store = Store::open(&tmp.path().join("i.db")).unwrap();
    index(&mut store, &data, false);
    let items = store.palette_items().unwrap();
    let bureaus: Vec<(&str, &str)> = items
        .iter()
        .filter(|i| i.kind == fazhi::search::palette::Kind::Bureau)
        .map(|i| (i.text.as_str(), i.location.as_str()))
        .collect();
    assert_eq!(bureaus, [("十堰市茅箭区民政局", "2023")]);
    assert_eq!(
        items
            .iter()
            .filter(|i| i.kind == fazhi::search::palette::Kind::Report)
            .count(),
        2
    );
}

/// New indexes store text as UTF-16; one made in UTF-8 (by an older
/// fazhi) answers every query alike and reads its reports back the same.
#[test]
fn a_utf8_index_and_a_utf16_index_answer_alike() {
    let (tmp, utf16) = indexed_samples();
    let encoding = |db: &Path| -> String {
        rusqlite::Connection::open(db)
            .unwrap()
            .query_row("PRAGMA encoding", [], |r| r.get(0))
            .unwrap()
    };
    assert_eq!(encoding(&tmp.path().join("i.db")), "UTF-16be");
    let db8 = tmp.path().join("utf8.db");
    {
        // What an older fazhi created: a file whose first write fixed UTF-8.
        let conn = rusqlite::Connection::open(&db8).unwrap();
        conn.execute_batch("PRAGMA encoding = 'UTF-8'; PRAGMA application_id = 1178688072;")
            .unwrap();
    }
    let mut utf8 = Store::open(&db8).unwrap();
    index(&mut utf8, &tmp.path().join("reports"), false);
    assert_eq!(encoding(&db8), "UTF-8");
    for q in [
        "婚姻登记",
        "低保",
        "局",
        "救助 金额 59.4",
        "“三方”",
        "十四五",
        "治 理 率",
    ] {
        let hits = |s: &Store| -> Vec<(i64, usize, String)> {
            s.search(q, 1000)
                .unwrap()
                .into_iter()
                .map(|h| (h.report_id, h.paragraph, h.snippet))
                .collect()
        };
        assert_eq!(hits(&utf8), hits(&utf16), "{q}");
    }
    // Names sort alike (by code point), so the browser lists them alike.
    let names = |s: &Store| -> Vec<String> { s.bureaus().unwrap().into_iter().map(|b| b.name).collect() };
    assert_eq!(names(&utf8), names(&utf16));
    let mut sorted = names(&utf8);
    sorted.sort();
    assert_eq!(names(&utf16), sorted);
    for b in utf16.bureaus().unwrap() {
        let id = b.reports[0].id;
        let (a, b) = (utf16.report(id).unwrap().unwrap(), utf8.report(id).unwrap().unwrap());
        assert_eq!(
            (a.paragraphs, a.sections, a.figures),
            (b.paragraphs, b.sections, b.figures)
        );
    }
    assert_eq!(
        utf8.palette_items().unwrap().len(),
        utf16.palette_items().unwrap().len()
    );
}

/// A report whose stored body is missing or damaged is an error that
/// names it, when it is opened, searched or checked; never a panic and
/// never a report shown without its text.
#[test]
fn a_damaged_body_is_an_error_naming_its_report() {
    let (tmp, store) = indexed_samples();
    let db = tmp.path().join("i.db");
    let hit = store.search("婚姻登记", 1).unwrap().remove(0).report_id;
    assert!(store.integrity_ok().unwrap());
    drop(store);
    let conn = rusqlite::Connection::open(&db).unwrap();
    conn.execute("UPDATE bodies SET data = x'02ff00' WHERE report_id = ?1", [hit])
        .unwrap();
    let store = Store::open(&db).unwrap();
    let err = format!("{:#}", store.report(hit).unwrap_err());
    assert!(
        err.contains(&format!("report {hit}")) && err.contains("damaged"),
        "{err}"
    );
    let err = format!("{:#}", store.search("婚姻登记", 50).unwrap_err());
    assert!(err.contains(&format!("report {hit}")), "{err}");
    assert!(!store.integrity_ok().unwrap());
    // A value that is not a blob at all, and a zstd body cut short.
    for damaged in ["'02ff00'", "x'0328b52ffd'"] {
        conn.execute(
            &format!("UPDATE bodies SET data = {damaged} WHERE report_id = ?1"),
            [hit],
        )
        .unwrap();
        for err in [
            store.report(hit).unwrap_err(),
            store.search("婚姻登记", 50).unwrap_err(),
        ] {
            let err = format!("{err:#}");
            assert!(err.contains(&format!("report {hit}")), "{damaged}: {err}");
        }
        assert!(!store.integrity_ok().unwrap());
    }
    conn.execute("DELETE FROM bodies WHERE report_id = ?1", [hit]).unwrap();
    let err = format!("{:#}", store.report(hit).unwrap_err());
    assert!(err.contains("but 0 stored texts"), "{err}");
    assert!(!store.integrity_ok().unwrap());
}

/// The palette has every section and figure once, in the bureau list's
/// order, each with its own text and location, however many batches its
/// items take between the thread that reads them and the one that adds
/// them (300 generated reports: several).
#[test]
fn the_palette_has_every_section_and_figure_with_its_text() {
    use fazhi::search::palette::{Kind, Target};
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    fazhi::corpus::write_corpus(&data, 300, 11).unwrap();
    let mut store = Store::open(&tmp.path().join("i.db")).unwrap();
    index(&mut store, &data, false);
    let items = store.palette_items().unwrap();
    let counts = store.counts().unwrap();
    let kinds = |k: Kind| items.iter().filter(|i| i.kind == k).count() as i64;
    assert_eq!(kinds(Kind::Section), counts.sections);
    assert_eq!(kinds(Kind::Figure), counts.figures);
    let text_bytes: usize = items.iter().map(|i| i.text.len() + i.location.len()).sum();
    assert!(text_bytes > 1 << 20, "{text_bytes}");
    // Reports in the bureau list's order; within one, sections then
    // figures in their own order.
    let order: Vec<i64> = store
        .bureaus()
        .unwrap()
        .iter()
        .flat_map(|b| {
            let mut ids: Vec<(Option<i32>, i64)> = b.reports.iter().map(|r| (r.year, r.id)).collect();
            ids.sort_unstable();
            ids.into_iter().map(|(_, id)| id)
        })
        .collect();
    let mut expected_sections = Vec::new();
    let mut expected_figures = Vec::new();
    for &id in &order {
        let r = store.report(id).unwrap().unwrap();
        for (i, sec) in r.sections.iter().enumerate() {
            expected_sections.push((
                Target::Section { report: id, section: i },
                sec.title.clone(),
                sec.path.clone(),
            ));
        }
        for (i, f) in r.figures.iter().enumerate() {
            let path = f.section.map_or("preamble".to_string(), |s| r.sections[s].path.clone());
            expected_figures.push((
                Target::Figure { report: id, figure: i },
                format!("{} {}", f.label, f.text),
                path,
            ));
        }
    }
    let got = |k: Kind| -> Vec<(Target, String, String)> {
        items
            .iter()
            .filter(|i| i.kind == k)
            .map(|i| {
                let path = i.location.rsplit(" · ").next().unwrap().to_string();
                (i.target, i.text.clone(), path)
            })
            .collect()
    };
    assert_eq!(got(Kind::Section), expected_sections);
    assert_eq!(got(Kind::Figure), expected_figures);
}

/// After the measures are counted, one measure's figures are read from
/// the reports that hold it: the same rows as a scan of every list, and
/// the same again once the index has changed, by another connection or by
/// this one (a stale set of reports would miss the new figures).
#[test]
fn a_measure_group_read_after_the_measures_is_the_same_as_a_scan() {
    let (tmp, mut store) = indexed_samples();
    let db = tmp.path().join("i.db");
    let all = fazhi::store::views::ReportFilter::default();
    let group = |s: &Store, m: &str| s.measure_group(m, &all).unwrap();
    let measures = store.measures().unwrap();
    assert!(measures.len() > 20, "{}", measures.len());
    let fresh = Store::open_read_only(&db).unwrap();
    for m in &measures {
        let rows = group(&store, &m.measure);
        assert_eq!(rows.len() as i64, m.figures, "{}", m.measure);
        assert_eq!(rows, group(&fresh, &m.measure), "{}", m.measure);
    }
    assert!(group(&store, "没有这种度量").is_empty());
    // Another connection gives a report without the measure the list of
    // one that has it.
    let m = measures.iter().find(|m| m.reports < 7).unwrap().measure.clone();
    let before = group(&store, &m);
    let (from, to): (i64, i64) = {
        let has: BTreeSet<i64> = before.iter().map(|g| g.report_id).collect();
        let to = (1..=7).find(|id| !has.contains(id)).unwrap();
        (*has.first().unwrap(), to)
    };
    store.measures().unwrap();
    let other = rusqlite::Connection::open(&db).unwrap();
    other
        .execute(
            "INSERT OR REPLACE INTO figures(report_id, count, data)
             SELECT ?2, count, data FROM figures WHERE report_id = ?1",
            [from, to],
        )
        .unwrap();
    let after = group(&store, &m);
    assert!(after.iter().any(|g| g.report_id == to), "{m}: report {to} missing");
    assert_eq!(after, group(&Store::open_read_only(&db).unwrap(), &m));
    // This connection indexes a copy of a report that has the measure.
    store.measures().unwrap();
    let count = |s: &Store| group(s, &m).len();
    let n = count(&store);
    let extra = tmp.path().join("extra");
    std::fs::create_dir_all(&extra).unwrap();
    let path: String = other
        .query_row("SELECT path FROM reports WHERE id = ?1", [from], |r| r.get(0))
        .unwrap();
    std::fs::copy(&path, extra.join("copy.txt")).unwrap();
    index(&mut store, &extra, false);
    assert!(count(&store) > n, "{m}: the new report's figures are missing");
    assert_eq!(count(&store), count(&Store::open_read_only(&db).unwrap()));
    // A figure without a measure is not counted by the measures, but its
    // group is still found after them.
    let empty = fazhi::store::figures::encode([fazhi::store::figures::FigureFields {
        paragraph: 0,
        section: None,
        text: "3件",
        value: 3.0,
        unit: "件",
        approx: None,
        label: "",
        start: 0,
        end: 0,
        measure: "",
        base_value: 3.0,
        base_unit: "件",
    }]);
    other
        .execute(
            "UPDATE figures SET count = 1, data = ?2 WHERE report_id = ?1",
            rusqlite::params![to, empty],
        )
        .unwrap();
    store.measures().unwrap();
    assert_eq!(group(&store, "").len(), 1);
}

/// A report whose stored figure list is damaged is an error that names
/// it wherever figures are read (the report, the figures listing, the
/// measures views, the palette) and fails the integrity check; never a
/// panic and never a report shown with figures missing.
#[test]
fn a_damaged_figure_list_is_an_error_naming_its_report() {
    let (tmp, store) = indexed_samples();
    let db = tmp.path().join("i.db");
    let hit = store.figures(&FigureFilter::default()).unwrap()[0].report_id;
    assert!(store.integrity_ok().unwrap());
    drop(store);
    let conn = rusqlite::Connection::open(&db).unwrap();
    // An unknown format, a zstd frame cut short, a value that is not a
    // blob, and a list whose count says more than it holds.
    for (damage, set) in [
        ("unknown format", "data = x'09ff00'"),
        ("cut short", "data = x'0228b52ffd'"),
        ("not a blob", "data = 'text'"),
        ("count", "count = count + 1"),
    ] {
        let store = Store::open(&db).unwrap();
        let before: Vec<u8> = conn
            .query_row("SELECT data FROM figures WHERE report_id = ?1", [hit], |r| r.get(0))
            .unwrap();
        conn.execute(&format!("UPDATE figures SET {set} WHERE report_id = ?1"), [hit])
            .unwrap();
        assert!(!store.integrity_ok().unwrap(), "{damage}");
        if damage != "count" {
            let errors = [
                store.report(hit).map(|_| ()).unwrap_err(),
                store.figures(&FigureFilter::default()).map(|_| ()).unwrap_err(),
                store.measures().map(|_| ()).unwrap_err(),
                store
                    .measure_group("婚姻登记", &Default::default())
                    .map(|_| ())
                    .unwrap_err(),
                store.palette_items().map(|_| ()).unwrap_err(),
            ];
            for err in errors {
                let err = format!("{err:#}");
                assert!(
                    err.contains(&format!("report {hit}")) && err.contains("damaged"),
                    "{damage}: {err}"
                );
            }
        }
        let repair = if damage == "count" {
            "UPDATE figures SET data = ?2, count = count - 1 WHERE report_id = ?1"
        } else {
            "UPDATE figures SET data = ?2 WHERE report_id = ?1"
        };
        conn.execute(repair, rusqlite::params![hit, before]).unwrap();
        assert!(store.integrity_ok().unwrap(), "{damage}: repaired");
    }
}

/// Reports are written in the order of their files whichever thread
/// parsed them (the writer parses too when nothing waits for it), so two
/// runs give every report the same id.
#[test]
fn report_ids_follow_the_files_order_in_every_run() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    fazhi::corpus::write_corpus(&data, 300, 7).unwrap();
    let ids = |name: &str| -> Vec<(i64, String)> {
        let mut store = Store::open(&tmp.path().join(name)).unwrap();
        index(&mut store, &data, false);
        drop(store);
        rusqlite::Connection::open(tmp.path().join(name))
            .unwrap()
            .prepare("SELECT id, path FROM reports ORDER BY id")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap()
    };
    let first = ids("a.db");
    assert_eq!(first.len(), 300);
    assert!(first.windows(2).all(|w| w[0].1 < w[1].1), "ids in path order");
    assert_eq!(ids("b.db"), first);
}

/// A new index gives back the pages its run freed (the full-text index's
/// merges, removed and replaced reports): its size is what it holds, not
/// where the last merges happened to fall.
#[test]
fn an_index_run_leaves_no_free_pages() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("reports");
    let files = copy_samples(&data);
    let db = tmp.path().join("i.db");
    let pages = || -> (i64, i64) {
        let conn = rusqlite::Connection::open(&db).unwrap();
        let get = |p: &str| conn.pragma_query_value(None, p, |r| r.get(0)).unwrap();
        (get("auto_vacuum"), get("freelist_count"))
    };
    let mut store = Store::open(&db).unwrap();
    index(&mut store, &data, false);
    let (mode, free) = pages();
    assert_eq!((mode, free), (2, 0), "incremental, and nothing free");
    // Removing most reports frees their pages, and nothing reuses them
    // (the contentless full-text index records deletions in new segments,
    // so the file need not shrink).
    for f in &files[1..] {
        std::fs::remove_file(f).unwrap();
    }
    assert_eq!(index(&mut store, &data, true).pruned, files.len() - 1);
    assert_eq!(pages(), (2, 0));
    assert!(store.integrity_ok().unwrap());
    assert!(!store.search("法治", 10).unwrap().is_empty());
}

/// A write that fails stops the run and rolls its whole batch back: no
/// report of the batch is left, not even half of the failing one, and the
/// same store then indexes everything, pinyin included (the writer's
/// memory of stored pinyin went back with the batch).
#[test]
fn a_failed_write_rolls_its_batch_back_and_the_next_run_completes() {
    a_failed_write_rolls_its_batch_back_with(IndexOptions::default());
}

/// The same, where the batch's first reports were in the full-text index
/// when the write failed.
#[test]
fn a_failed_write_rolls_back_paragraphs_indexed_during_its_batch() {
    a_failed_write_rolls_its_batch_back_with(syncing_each_report());
}

fn a_failed_write_rolls_its_batch_back_with(opts: IndexOptions) {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("reports");
    let files = copy_samples(&data).len();
    let db = tmp.path().join("i.db");
    let mut store = Store::open(&db).unwrap();
    // The fifth file in path order fails at its first figure, after its
    // report and sections were written; the four before it are in the
    // same batch.
    let other = rusqlite::Connection::open(&db).unwrap();
    other
        .execute_batch(
            "CREATE TRIGGER injected BEFORE INSERT ON figures
             WHEN (SELECT path FROM reports WHERE id = new.report_id) LIKE '%shenzhen-longhua%'
             BEGIN SELECT RAISE(ABORT, 'injected failure'); END;",
        )
        .unwrap();
    let err = store.index(std::slice::from_ref(&data), opts, &mut |_| {}).unwrap_err();
    let message = format!("{err:#}");
    assert!(message.contains("shenzhen-longhua-district-gov-2019.txt"), "{message}");
    assert!(message.contains("injected failure"), "{message}");
    let count = |table: &str| -> i64 {
        other
            .query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))
            .unwrap()
    };
    for table in ["reports", "sections", "figures", "bodies", "bureaus", "pinyin"] {
        assert_eq!(count(table), 0, "{table}");
    }
    assert!(store.search("婚姻登记", 10).unwrap().is_empty());
    assert_eq!(count("paragraphs_vocab"), 0, "terms left in the full-text index");
    assert!(store.integrity_ok().unwrap());

    other.execute_batch("DROP TRIGGER injected").unwrap();
    let stats = index(&mut store, &data, false);
    assert_eq!((stats.new, stats.failed.len()), (files, 0));
    assert_eq!(store.search("婚姻登记", 50).unwrap().len(), 6);
    let mut missing: BTreeSet<char> = BTreeSet::new();
    let mut stmt = other
        .prepare("SELECT name FROM bureaus UNION SELECT title FROM sections")
        .unwrap();
    let mut texts: Vec<Option<String>> = stmt
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap();
    let figures = store.figures(&FigureFilter::default()).unwrap();
    assert!(figures.len() > 100, "{}", figures.len());
    texts.extend(figures.into_iter().map(|f| Some(f.label)));
    for c in texts
        .iter()
        .flatten()
        .flat_map(|t| t.chars())
        .filter(|&c| fazhi::search::pinyin::is_han(c))
    {
        let stored: i64 = other
            .query_row("SELECT count(*) FROM pinyin WHERE ch = ?1", [c.to_string()], |r| {
                r.get(0)
            })
            .unwrap();
        if stored == 0 {
            missing.insert(c);
        }
    }
    assert!(missing.is_empty(), "no pinyin stored for {missing:?}");
    assert!(store.integrity_ok().unwrap());
}

/// Reports are stored by their canonical paths, whichever way they were
/// reached: through a link to their folder given on the command line, or
/// by a link to the file itself. Links to folders inside a folder are not
/// followed (no loops), and a broken link is a failure.
#[cfg(unix)]
#[test]
fn reports_are_stored_by_canonical_paths() {
    use std::os::unix::fs::symlink;
    let tmp = tempfile::tempdir().unwrap();
    let real = tmp.path().join("real");
    let samples = copy_samples(&real);
    let elsewhere = tmp.path().join("elsewhere");
    std::fs::create_dir(&elsewhere).unwrap();
    let outside = elsewhere.join("outside.txt");
    std::fs::copy(common::sample_path("hubin-district-civil-affairs-2023.txt"), &outside).unwrap();
    let outside_text = std::fs::read_to_string(&outside).unwrap().replacen('。', "，院外。", 1);
    std::fs::write(&outside, outside_text).unwrap();
    symlink(&outside, real.join("link-to-outside.txt")).unwrap();
    symlink(&samples[0], real.join("second-name.txt")).unwrap();
    symlink(&elsewhere, real.join("folder-link")).unwrap();
    symlink(tmp.path().join("missing.txt"), real.join("broken.txt")).unwrap();
    let via = tmp.path().join("via");
    symlink(&real, &via).unwrap();

    let mut store = Store::open(&tmp.path().join("i.db")).unwrap();
    let s = index(&mut store, &via, false);
    let failed: Vec<String> = s
        .failed
        .iter()
        .map(|(p, _)| p.file_name().unwrap().to_string_lossy().to_string())
        .collect();
    assert_eq!(failed, ["broken.txt"]);
    assert_eq!(s.new, samples.len() + 1, "the second name of a file is the same report");
    let conn = rusqlite::Connection::open(tmp.path().join("i.db")).unwrap();
    let stored: BTreeSet<PathBuf> = conn
        .prepare("SELECT path FROM reports")
        .unwrap()
        .query_map([], |r| r.get::<_, String>(0))
        .unwrap()
        .map(|p| PathBuf::from(p.unwrap()))
        .collect();
    let canonical = |p: &Path| std::fs::canonicalize(p).unwrap();
    let mut expected: BTreeSet<PathBuf> = samples.iter().map(|p| canonical(p)).collect();
    expected.insert(canonical(&outside));
    assert_eq!(stored, expected);

    // Indexed again by the real folder's name: nothing is new.
    let s = index(&mut store, &real, false);
    assert_eq!((s.new, s.changed, s.unchanged), (0, 0, samples.len() + 1));
}
