//! Parse, index and search throughput on a corpus made from the sample
//! reports: each copy gets another bureau name and year so that every file
//! is distinct. A first measure; the generator of realistic national-scale
//! corpora belongs to the performance work.
//!
//!     cargo bench --bench index            # 2,000 reports
//!     cargo bench --bench index -- 20000   # more

use fazhi::ingest::parse_bytes;
use fazhi::store::Store;
use fazhi::store::writer::IndexOptions;
use std::path::Path;
use std::time::Instant;

const PLACES: &[&str] = &[
    "茅箭区",
    "张湾区",
    "郧阳区",
    "丹江口市",
    "房县",
    "竹山县",
    "竹溪县",
    "郧西县",
    "湖滨区",
    "阎良区",
];
const DEPARTMENTS: &[&str] = &[
    "民政局",
    "司法局",
    "人力资源和社会保障局",
    "应急管理局",
    "市场监督管理局",
];

fn main() {
    // As the binary does: SQLite allocating with mimalloc.
    fazhi::alloc::set_up();
    let n: usize = std::env::args().skip(1).find_map(|a| a.parse().ok()).unwrap_or(2000);
    let samples_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-data");
    let mut samples: Vec<String> = std::fs::read_dir(&samples_dir)
        .expect("sample-data")
        .flatten()
        .map(|e| std::fs::read_to_string(e.path()).expect("sample text"))
        .collect();
    samples.sort();
    let tmp = tempfile::tempdir().expect("temp dir");
    let corpus = tmp.path().join("corpus");
    std::fs::create_dir(&corpus).expect("corpus dir");
    let mut bytes = 0usize;
    for i in 0..n {
        let text = &samples[i % samples.len()];
        let place = PLACES[(i / samples.len()) % PLACES.len()];
        let dept = DEPARTMENTS[(i / (samples.len() * PLACES.len())) % DEPARTMENTS.len()];
        let year = 2019 + (i % 7);
        let body = text
            .replace("民政局", dept)
            .replacen("2023年", &format!("{year}年"), 1)
            .replacen("区", place, 1);
        let body = format!("{body}\n（编号{i}）");
        bytes += body.len();
        std::fs::write(corpus.join(format!("{i:06}.txt")), body).expect("write corpus");
    }
    let mb = bytes as f64 / 1e6;

    let files: Vec<Vec<u8>> = std::fs::read_dir(&corpus)
        .unwrap()
        .flatten()
        .map(|e| std::fs::read(e.path()).unwrap())
        .collect();
    let t = Instant::now();
    let mut figures = 0;
    for f in &files {
        figures += parse_bytes(f).expect("parses").figures.len();
    }
    let parse_s = t.elapsed().as_secs_f64();

    let db = tmp.path().join("bench.db");
    let mut store = Store::open(&db).expect("open");
    let t = Instant::now();
    let stats = store
        .index(std::slice::from_ref(&corpus), IndexOptions::default(), &mut |_| {})
        .expect("index");
    let index_s = t.elapsed().as_secs_f64();
    assert_eq!(stats.new, n);
    let t = Instant::now();
    let again = store
        .index(&[corpus], IndexOptions::default(), &mut |_| {})
        .expect("re-index");
    let reindex_s = t.elapsed().as_secs_f64();
    assert_eq!(again.unchanged, n);
    let db_mb = std::fs::metadata(&db).map(|m| m.len()).unwrap_or(0) as f64 / 1e6
        + std::fs::metadata(db.with_extension("db-wal"))
            .map(|m| m.len())
            .unwrap_or(0) as f64
            / 1e6;

    println!("corpus: {n} reports, {mb:.1} MB of text, {figures} figures");
    println!("| measure | result |");
    println!("|---|---|");
    println!(
        "| parse, 1 thread | {:.1} MB/s ({:.0} reports/s) |",
        mb / parse_s,
        n as f64 / parse_s
    );
    println!(
        "| index end to end (parse on all cores, one writer, FTS) | {:.1} MB/s ({:.0} reports/s, {index_s:.2} s) |",
        mb / index_s,
        n as f64 / index_s
    );
    println!(
        "| re-index unchanged | {:.0} reports/s ({reindex_s:.2} s) |",
        n as f64 / reindex_s
    );
    println!("| database size / text size | {:.2} |", db_mb / mb);
    for q in ["婚姻登记", "低保", "局", "法治 宣传 资料", "不存在的词语"] {
        let t = Instant::now();
        let runs = 20;
        let mut hits = 0;
        for _ in 0..runs {
            hits = store.search(q, 20).expect("search").len();
        }
        println!(
            "| search {q:?}, first 20 | {:.2} ms ({hits} hits) |",
            t.elapsed().as_secs_f64() * 1000.0 / runs as f64
        );
    }
}
