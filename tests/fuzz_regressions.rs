//! Replays the inputs kept from fuzzing (fuzz/regressions/TARGET/) with the
//! fuzz targets' own checks, so a fixed crash stays fixed.

use std::path::PathBuf;

fn inputs(target: &str) -> Vec<(PathBuf, Vec<u8>)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/regressions")
        .join(target);
    let mut out: Vec<(PathBuf, Vec<u8>)> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| {
            let p = e.unwrap().path();
            let bytes = std::fs::read(&p).unwrap();
            (p, bytes)
        })
        .collect();
    out.sort();
    out
}

#[test]
fn decode_inputs() {
    for (p, bytes) in inputs("decode") {
        if let Ok(d) = fazhi::ingest::decode::decode(&bytes) {
            assert!(
                !d.text.chars().any(|c| c.is_control() && c != '\n' && c != '\t'),
                "{}: a control character survived decoding",
                p.display()
            );
        }
    }
}

#[test]
fn parse_inputs() {
    for (p, bytes) in inputs("parse") {
        if let Ok(r) = fazhi::ingest::parse_bytes(&bytes)
            && let Err(e) = r.check_consistency()
        {
            panic!("{}: {e}", p.display());
        }
    }
}

#[test]
fn query_inputs_are_never_fts_syntax() {
    let conn = rusqlite::Connection::open_in_memory().unwrap();
    conn.execute_batch(
        "CREATE VIRTUAL TABLE t USING fts5(x, tokenize='trigram case_sensitive 1', detail=none);
         INSERT INTO t VALUES ('法治政府建设 2023 \"AND\" NEAR(*)');",
    )
    .unwrap();
    let cases = inputs("query");
    assert!(!cases.is_empty());
    for (p, bytes) in cases {
        let q = String::from_utf8_lossy(&bytes);
        if let Some(m) = fazhi::search::Query::parse(&q).fts_match() {
            let r: rusqlite::Result<i64> =
                conn.query_row("SELECT count(*) FROM t WHERE t MATCH ?1", [&m], |r| r.get(0));
            assert!(r.is_ok(), "{}: FTS5 refused {m:?}: {r:?}", p.display());
        }
    }
}

#[test]
fn config_inputs() {
    for (_, bytes) in inputs("config") {
        let _ = fazhi::config::Config::parse(&String::from_utf8_lossy(&bytes));
    }
}
