//! Search input → FTS5 query: never panics, and the quoted query is always
//! accepted by SQLite (never read as syntax).
#![no_main]
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

fn conn() -> &'static std::sync::Mutex<rusqlite::Connection> {
    static C: OnceLock<std::sync::Mutex<rusqlite::Connection>> = OnceLock::new();
    C.get_or_init(|| {
        let c = rusqlite::Connection::open_in_memory().unwrap();
        c.execute_batch("CREATE VIRTUAL TABLE t USING fts5(x, tokenize='trigram'); INSERT INTO t VALUES ('法治政府建设 2023 \"AND\" NEAR(*)');")
            .unwrap();
        std::sync::Mutex::new(c)
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(q) = std::str::from_utf8(data) else { return };
    let query = fazhi::search::Query::parse(q);
    if let Some(m) = query.fts_match() {
        let c = conn().lock().unwrap();
        let r: rusqlite::Result<i64> = c.query_row("SELECT count(*) FROM t WHERE t MATCH ?1", [&m], |r| r.get(0));
        assert!(r.is_ok(), "FTS5 refused {m:?} for {q:?}: {r:?}");
    }
});
