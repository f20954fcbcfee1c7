//! The performance suite: generates a corpus of realistic reports (cached
//! under target/bench-corpus/), indexes it, and measures every target of
//! the performance issue next to anchors measured in the same run.
//!
//!     cargo bench --bench suite               # 10,000 reports
//!     cargo bench --bench suite -- 100000     # 100,000 reports (about 1.2 GB)
//!
//! Prints one Markdown table. Anchors that need a tool (ripgrep, fzf) are
//! measured when the tool is on PATH (`apt-get install ripgrep fzf`).

use fazhi::store::Store;
use fazhi::store::writer::IndexOptions;
use fazhi::tui::app::{App, Jump, Response};
use fazhi::tui::keymap::Action;
use fazhi::tui::layout::Pane;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::layout::Rect;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

const SEED: u64 = 2026;

/// Full-text queries: 1, 2, 3+ characters, mixes, rare words.
const SEARCHES: &[&str] = &[
    "局",
    "法",
    "案",
    "低保",
    "婚姻",
    "执法",
    "复议",
    "婚姻登记",
    "行政复议",
    "法治宣传资料",
    "合法性审查",
    "法治 宣传",
    "婚姻登记 对",
    "执法 检查 次",
    "复议 案件",
    "茅箭区",
    "北川羌族自治县",
    "法律顾问 审查 重大",
];

/// Palette queries, typed one character at a time.
const PICKS: &[&str] = &[
    "民政局",
    "茅箭民政",
    "法治宣传",
    "婚姻登记",
    "$婚姻登记",
    "@十堰",
    "#合法性审查",
    "执法检查",
    "行政复议案件",
];

/// The same kind of queries typed as pinyin (initials, syllables, mixed).
const PINYIN_PICKS: &[&str] = &[
    "lz", "mjmz", "maojian", "hydj", "fzxc", "茅jian", "@shiyan", "$hydj", "xzfy",
];

fn percentile(mut ms: Vec<f64>, p: f64) -> f64 {
    ms.sort_by(f64::total_cmp);
    ms[((ms.len() - 1) as f64 * p).round() as usize]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn peak_rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1).and_then(|v| v.parse::<f64>().ok()))
        })
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

fn on_path(tool: &str) -> bool {
    Command::new("sh")
        .args(["-c", &format!("command -v {tool} >/dev/null")])
        .status()
        .is_ok_and(|s| s.success())
}

/// The corpus for (n, SEED), generated once and kept.
fn corpus(n: u64) -> (PathBuf, u64) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("target/bench-corpus")
        .join(format!("{n}-{SEED}-v{}", fazhi::corpus::VERSION));
    let done = dir.join(".complete");
    if let Ok(s) = std::fs::read_to_string(&done)
        && let Ok(bytes) = s.trim().parse()
    {
        return (dir, bytes);
    }
    let _ = std::fs::remove_dir_all(&dir);
    eprintln!("generating {n} reports into {} …", dir.display());
    let threads = std::thread::available_parallelism().map_or(2, |t| t.get()) as u64;
    let bytes: u64 = std::thread::scope(|s| {
        let hs: Vec<_> = (0..threads)
            .map(|w| {
                let dir = &dir;
                s.spawn(move || {
                    let mut total = 0;
                    let mut i = w;
                    while i < n {
                        let (name, bytes) = fazhi::corpus::report(SEED, i);
                        let p = dir.join(name);
                        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
                        std::fs::write(&p, &bytes).unwrap();
                        total += bytes.len() as u64;
                        i += threads;
                    }
                    total
                })
            })
            .collect();
        hs.into_iter().map(|h| h.join().unwrap()).sum()
    });
    std::fs::write(&done, bytes.to_string()).unwrap();
    (dir, bytes)
}

struct Row {
    measure: String,
    value: String,
    target: &'static str,
    met: Option<bool>,
}

fn main() {
    // As the binary does: SQLite allocating with mimalloc.
    fazhi::alloc::set_up();
    let n: u64 = std::env::args().skip(1).find_map(|a| a.parse().ok()).unwrap_or(10_000);
    let mut rows: Vec<Row> = Vec::new();
    let mut row = |measure: String, value: String, target: &'static str, met: Option<bool>| {
        eprintln!("{measure}: {value}");
        rows.push(Row {
            measure,
            value,
            target,
            met,
        })
    };
    let (dir, bytes) = corpus(n);
    let mb = bytes as f64 / 1e6;
    row(format!("corpus: {n} reports"), format!("{mb:.0} MB"), "", None);

    // Anchor: read + split lines + scan digits, one core.
    let files: Vec<PathBuf> = fazhi::store::writer::collect_files(std::slice::from_ref(&dir), &mut Vec::new());
    let t = Instant::now();
    let mut digits = 0usize;
    for f in &files {
        let b = std::fs::read(f).unwrap();
        for line in b.split(|&c| c == b'\n') {
            digits += line.iter().filter(|c| c.is_ascii_digit()).count();
        }
    }
    std::hint::black_box(digits);
    row(
        "anchor: read + split lines + scan digits, 1 core".into(),
        format!("{:.0} MB/s", mb / t.elapsed().as_secs_f64()),
        "",
        None,
    );
    // What the parsing threads do per file, on one core: with the writer
    // on the other, this is the rate one parsing thread can feed it.
    let t = Instant::now();
    for f in &files {
        let b = std::fs::read(f).unwrap();
        std::hint::black_box(blake3::hash(&b));
        std::hint::black_box(fazhi::ingest::parse_bytes(&b).ok());
    }
    row(
        "read + hash + parse alone, 1 core (no target)".into(),
        format!("{:.1} MB/s", mb / t.elapsed().as_secs_f64()),
        "",
        None,
    );
    if on_path("rg") {
        let t = Instant::now();
        let _ = Command::new("rg").args(["-c", "婚姻登记"]).arg(&dir).output();
        row(
            "anchor: ripgrep 婚姻登记 over the files".into(),
            format!("{:.0} ms", ms(t.elapsed())),
            "",
            None,
        );
    }

    // Indexing, end to end.
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("bench.db");
    let t = Instant::now();
    let stats = Store::open(&db)
        .unwrap()
        .index(std::slice::from_ref(&dir), IndexOptions::default(), &mut |_| {})
        .unwrap();
    let secs = t.elapsed().as_secs_f64();
    assert_eq!(
        stats.new as u64,
        n,
        "failures: {:?}",
        &stats.failed[..stats.failed.len().min(5)]
    );
    let rate = mb / secs;
    row(
        "index end to end".into(),
        format!("{rate:.1} MB/s ({secs:.1} s)"),
        "≥ 20 MB/s",
        Some(rate >= 20.0),
    );
    let size: u64 = ["", "-wal"]
        .iter()
        .filter_map(|s| std::fs::metadata(format!("{}{s}", db.display())).ok())
        .map(|m| m.len())
        .sum();
    let ratio = size as f64 / bytes as f64;
    row(
        "database size / text size".into(),
        format!("{ratio:.2}"),
        "≤ 1.5",
        Some(ratio <= 1.5),
    );

    // From here on this process is a reader (browser, palette, search):
    // reset the peak-memory mark so indexing does not count.
    let _ = std::fs::write("/proc/self/clear_refs", "5");

    // Full-text search: first 20 with snippets.
    let store = Store::open_read_only(&db).unwrap();
    let mut all = Vec::new();
    let mut by_len: [Vec<f64>; 3] = Default::default();
    for q in SEARCHES {
        for _ in 0..3 {
            let t = Instant::now();
            let hits = store.search(q, 20).unwrap();
            let d = ms(t.elapsed());
            std::hint::black_box(hits);
            all.push(d);
            let shortest = q.split(' ').map(|w| w.chars().count()).min().unwrap_or(0);
            by_len[shortest.min(3) - 1].push(d);
        }
    }
    for (i, v) in by_len.iter().enumerate() {
        if !v.is_empty() {
            let p = percentile(v.clone(), 0.95);
            row(
                format!(
                    "search p95, queries whose shortest term has {}{} characters",
                    i + 1,
                    if i == 2 { "+" } else { "" }
                ),
                format!("{p:.1} ms"),
                "< 30 ms",
                Some(p < 30.0),
            );
        }
    }
    let worst = all.iter().cloned().fold(0.0, f64::max);
    row("search max".into(), format!("{worst:.1} ms"), "", None);
    let t = Instant::now();
    let conn = rusqlite::Connection::open_with_flags(&db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap();
    // Texts are stored compressed per report (schema 8), so SQLite's own
    // LIKE scan has nothing to read: the anchor is the scan that stands in
    // for it, every body decompressed and searched.
    let mut stmt = conn.prepare("SELECT data FROM bodies").unwrap();
    let mut bodies = stmt.query([]).unwrap();
    let mut c = 0usize;
    while let Some(r) = bodies.next().unwrap() {
        let texts = fazhi::store::body::decode(r.get_ref(0).unwrap().as_blob().unwrap())
            .unwrap()
            .texts;
        c += texts.iter().filter(|t| t.contains("婚姻登记")).count();
    }
    drop(bodies);
    drop(stmt);
    std::hint::black_box(c);
    row(
        "anchor: every stored text decompressed and scanned for 婚姻登记".into(),
        format!("{:.0} ms", ms(t.elapsed())),
        "",
        None,
    );

    // Palette: load, then type each query one character at a time.
    let t = Instant::now();
    let mut matcher = store.palette().unwrap();
    let count = matcher.len();
    row(
        format!("palette: load {count} items ({} distinct texts)", matcher.texts()),
        format!("{:.0} ms", ms(t.elapsed())),
        "",
        None,
    );
    let type_all = |matcher: &mut fazhi::search::palette::Matcher, queries: &[&str]| {
        let mut keystrokes = Vec::new();
        for q in queries {
            let chars: Vec<char> = q.chars().collect();
            for k in 1..=chars.len() {
                let typed: String = chars[..k].iter().collect();
                let t = Instant::now();
                std::hint::black_box(matcher.rank(&typed, 200));
                keystrokes.push(ms(t.elapsed()));
            }
        }
        keystrokes
    };
    let keystrokes = type_all(&mut matcher, PICKS);
    let pinyin_keystrokes = type_all(&mut matcher, PINYIN_PICKS);
    let p = percentile(keystrokes.clone(), 0.95);
    row(
        "palette p95 per keystroke (top 200)".into(),
        format!("{p:.1} ms"),
        "< 50 ms",
        Some(p < 50.0),
    );
    let pp = percentile(pinyin_keystrokes, 0.95);
    row(
        "palette p95 per keystroke, pinyin queries".into(),
        format!("{pp:.1} ms"),
        "< 50 ms",
        Some(pp < 50.0),
    );
    if on_path("fzf") {
        let list = tmp.path().join("items.txt");
        // Written line by line: a joined copy of millions of items would
        // count in the reader's peak memory below.
        {
            use std::io::Write;
            let mut w = std::io::BufWriter::new(std::fs::File::create(&list).unwrap());
            for text in (0..count).filter_map(|i| matcher.text(i)) {
                writeln!(w, "{text}").unwrap();
            }
            w.flush().unwrap();
        }
        let t = Instant::now();
        let _ = Command::new("sh")
            .arg("-c")
            .arg(format!(
                "fzf --filter 民政局 < '{}' | head -200 > /dev/null",
                list.display()
            ))
            .status();
        row(
            "anchor: fzf --filter 民政局 over the same items".into(),
            format!("{:.0} ms", ms(t.elapsed())),
            "",
            None,
        );
    }

    // Start-up: open the index, read the bureaus, draw the first frame.
    let t = Instant::now();
    let (bureaus, pinyin) = fazhi::tui::load(&db).unwrap();
    let mut app = App::new(bureaus, Rect::new(0, 0, 160, 50));
    app.pinyin = pinyin;
    let mut term = Terminal::new(TestBackend::new(160, 50)).unwrap();
    term.draw(|f| fazhi::tui::view::draw(f, &app)).unwrap();
    let first = ms(t.elapsed());
    let s2 = Store::open_read_only(&db).unwrap();
    row(
        "start-up: first frame".into(),
        format!("{first:.0} ms"),
        "< 300 ms",
        Some(first < 300.0),
    );

    // Browsing: open a report, move in each pane, draw.
    let ids: Vec<i64> = app.bureaus.iter().take(50).map(|b| b.reports[0].id).collect();
    let mut worst_frame: f64 = 0.0;
    for id in ids {
        let t = Instant::now();
        let r = s2.report(id).unwrap().unwrap();
        app.loading = Some(id);
        app.apply(Response::Report(Box::new(r), Jump::Start));
        term.draw(|f| fazhi::tui::view::draw(f, &app)).unwrap();
        worst_frame = worst_frame.max(ms(t.elapsed()));
        for pane in [Pane::Bureaus, Pane::Outline, Pane::Text] {
            app.focus = pane;
            for a in [Action::Down, Action::PageDown, Action::Bottom, Action::Top] {
                let t = Instant::now();
                app.update(a);
                term.draw(|f| fazhi::tui::view::draw(f, &app)).unwrap();
                worst_frame = worst_frame.max(ms(t.elapsed()));
            }
        }
    }
    row(
        "browsing: worst open-report or move + frame".into(),
        format!("{worst_frame:.1} ms"),
        "< 16 ms",
        Some(worst_frame < 16.0),
    );
    let rss = peak_rss_mb();
    row(
        "peak memory while searching, browsing and using the palette".into(),
        format!("{rss:.0} MB"),
        "< 500 MB",
        Some(rss < 500.0),
    );

    // The palette shares the text of items that repeat one (the generated
    // headings and figure phrases repeat more than real ones do): the same
    // queries when no item shares its text, the worst case.
    drop(matcher);
    let mut matcher = store.palette_unshared().unwrap();
    let (keystrokes, pinyin_keystrokes) = (type_all(&mut matcher, PICKS), type_all(&mut matcher, PINYIN_PICKS));
    for (what, ms) in [("", keystrokes), (", pinyin queries", pinyin_keystrokes)] {
        let p = percentile(ms, 0.95);
        row(
            format!("palette p95 per keystroke{what}, if no item shared its text"),
            format!("{p:.1} ms"),
            "< 50 ms",
            Some(p < 50.0),
        );
    }
    let rss = peak_rss_mb();
    row(
        "peak memory, if no item shared its text".into(),
        format!("{rss:.0} MB"),
        "< 500 MB",
        Some(rss < 500.0),
    );

    println!("\n| measure ({n} reports, {mb:.0} MB) | result | target | met |\n|---|---|---|---|");
    for r in rows {
        let met = match r.met {
            Some(true) => "yes",
            Some(false) => "**no**",
            None => "",
        };
        println!("| {} | {} | {} | {met} |", r.measure, r.value, r.target);
    }
}
