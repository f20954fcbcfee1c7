//! The subcommands that use the index.

use super::output::{Out, csv_row};
use super::{EXIT_SOME_FAILED, Global};
use crate::search::mark;
use crate::store::reader::year_label;
use crate::store::reader::{FigureFilter, StoredReport};
use crate::store::writer::{IndexOptions, Progress};
use crate::store::{Store, default_db_path};
use crate::tui::clipboard::Method;
use anyhow::{Context, Result, anyhow, bail};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// `--db`, else `FAZHI_DB` (both through clap), else the config file's
/// `database`, else the XDG default.
fn db_path(g: &Global) -> Result<PathBuf> {
    g.db.clone()
        .or_else(|| g.config.database.clone())
        .or_else(default_db_path)
        .ok_or_else(|| anyhow!("no place for the index: set HOME or XDG_DATA_HOME, or pass --db PATH"))
}

pub(super) fn open_reader(g: &Global) -> Result<Store> {
    Store::open_read_only(&db_path(g)?)
}

pub fn index(g: &Global, paths: &[PathBuf], prune: bool, json: bool, out: &mut Out) -> Result<u8> {
    let db = db_path(g)?;
    let mut store = Store::open(&db)?;
    let started = Instant::now();
    let mut progress = ProgressReport::new(!json);
    tracing::info!(db = ?db, paths = ?paths, prune, "indexing");
    let stats = store.index(
        paths,
        IndexOptions {
            prune,
            ..IndexOptions::default()
        },
        &mut |p| progress.update(&p),
    );
    progress.finish();
    let stats = stats?;
    let secs = started.elapsed().as_secs_f64();
    tracing::info!(
        new = stats.new,
        changed = stats.changed,
        unchanged = stats.unchanged,
        failed = stats.failed.len(),
        pruned = stats.pruned,
        secs,
        "indexed"
    );
    for (p, reason) in &stats.failed {
        tracing::warn!(path = ?p, reason, "file not indexed");
    }
    if json {
        let failed: Vec<serde_json::Value> = stats
            .failed
            .iter()
            .map(|(p, r)| serde_json::json!({"path": p.display().to_string(), "reason": r}))
            .collect();
        out.line(&serde_json::to_string_pretty(&serde_json::json!({
            "db": db.display().to_string(),
            "new": stats.new, "changed": stats.changed, "unchanged": stats.unchanged,
            "pruned": stats.pruned, "failed": failed, "seconds": secs,
        }))?)?;
    } else {
        for (p, reason) in &stats.failed {
            out.err(&format!("failed: {}: {reason}", p.display()));
        }
        let pruned = if prune {
            format!(" · {} pruned", stats.pruned)
        } else {
            String::new()
        };
        out.line(&format!(
            "{} new · {} changed · {} unchanged · {} failed{pruned} ({} files in {secs:.2}s) → {}",
            stats.new,
            stats.changed,
            stats.unchanged,
            stats.failed.len(),
            stats.seen(),
            db.display()
        ))?;
    }
    Ok(if stats.failed.is_empty() { 0 } else { EXIT_SOME_FAILED })
}

/// The queries a command was given: the words as one query, or with `-`
/// one query per line of stdin.
fn queries(words: &[String]) -> Result<Vec<String>> {
    if words.len() == 1 && words[0] == "-" {
        let mut text = String::new();
        std::io::Read::read_to_string(&mut std::io::stdin(), &mut text).context("cannot read queries from stdin")?;
        Ok(text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(String::from)
            .collect())
    } else {
        Ok(vec![words.join(" ")])
    }
}

/// Per-query times on stderr, then the median, 95th percentile and maximum.
struct Timings(Vec<(String, usize, Duration)>);

impl Timings {
    fn report(&self, out: &mut Out) {
        for (q, n, t) in &self.0 {
            out.err(&format!("{:>9.3} ms  {n:>4} results  {q}", t.as_secs_f64() * 1e3));
        }
        if self.0.len() > 1 {
            let mut ms: Vec<f64> = self.0.iter().map(|x| x.2.as_secs_f64() * 1e3).collect();
            ms.sort_by(f64::total_cmp);
            let at = |p: f64| ms[((ms.len() - 1) as f64 * p).round() as usize];
            out.err(&format!(
                "{} queries: median {:.3} ms · p95 {:.3} ms · max {:.3} ms",
                ms.len(),
                at(0.5),
                at(0.95),
                ms[ms.len() - 1]
            ));
        }
    }
}

/// One query prints its `key` list (the documented shape); several print
/// one object per query, with the query.
fn print_json_batch(mut all: Vec<serde_json::Value>, key: &str, out: &mut Out) -> Result<()> {
    let value = match all.len() {
        1 => all.remove(0)[key].take(),
        _ => serde_json::Value::Array(all),
    };
    out.line(&serde_json::to_string_pretty(&value)?)?;
    Ok(())
}

pub fn search(g: &Global, words: &[String], limit: usize, json: bool, timings: bool, out: &mut Out) -> Result<u8> {
    let queries: Vec<String> = queries(words)?.into_iter().filter(|q| !q.trim().is_empty()).collect();
    if queries.is_empty() {
        out.err("error: nothing to search for: give one or more words, or - to read queries from stdin");
        return Ok(2);
    }
    let store = open_reader(g)?;
    let mut times = Timings(Vec::new());
    let mut all = Vec::new();
    for query in &queries {
        let started = Instant::now();
        let hits = store.search(query, limit)?;
        times.0.push((query.clone(), hits.len(), started.elapsed()));
        if json {
            all.push(serde_json::json!({"query": query, "hits": hits}));
            continue;
        }
        if hits.is_empty() {
            out.err(&format!("no paragraph contains {query}"));
        }
        for h in &hits {
            let ranges: Vec<std::ops::Range<usize>> = h.matches.iter().map(|m| m[0]..m[1]).collect();
            out.line(&format!(
                "{} · {} · {} {}\n    {}",
                h.bureau.as_deref().unwrap_or(crate::store::reader::UNKNOWN_BUREAU),
                year_label(h.year),
                h.section_path.as_deref().unwrap_or("preamble"),
                h.section_title.as_deref().unwrap_or(""),
                mark(&h.snippet, &ranges)
            ))?;
        }
    }
    if json {
        print_json_batch(all, "hits", out)?;
    }
    if timings {
        out.flush()?;
        times.report(out);
    }
    Ok(0)
}

/// How `fazhi pick` ranks and prints.
pub struct PickOptions {
    pub kind: Option<super::PickKind>,
    pub limit: usize,
    pub json: bool,
    pub timings: bool,
    /// Every item with a text of its own (the palette's worst case).
    pub unshared: bool,
}

pub fn pick(g: &Global, query: &str, options: PickOptions, out: &mut Out) -> Result<u8> {
    use crate::search::palette::Kind;
    let PickOptions {
        kind,
        limit,
        json,
        timings,
        unshared,
    } = options;
    let store = open_reader(g)?;
    let loading = Instant::now();
    let mut matcher = if unshared {
        store.palette_unshared()?
    } else {
        store.palette()?
    };
    let loaded = loading.elapsed();
    let prefix: String = kind
        .map(|k| {
            match k {
                super::PickKind::Bureau => Kind::Bureau,
                super::PickKind::Report => Kind::Report,
                super::PickKind::Section => Kind::Section,
                super::PickKind::Figure => Kind::Figure,
            }
            .prefix()
            .to_string()
        })
        .unwrap_or_default();
    let mut times = Timings(Vec::new());
    let mut all = Vec::new();
    for q in queries(&[query.to_string()])? {
        let full = format!("{prefix}{q}");
        let started = Instant::now();
        let hits = matcher.rank(&full, limit);
        times.0.push((q.clone(), hits.len(), started.elapsed()));
        if json {
            let rows: Vec<serde_json::Value> = hits
                .iter()
                .map(|h| {
                    serde_json::json!({
                        "kind": h.item.kind.name(),
                        "text": h.item.text,
                        "location": h.item.location,
                        "score": h.score,
                        "matched": h.indices,
                    })
                })
                .collect();
            all.push(serde_json::json!({"query": q, "results": rows}));
            continue;
        }
        for h in &hits {
            out.line(&format!("{}\t{}\t{}", h.item.kind.name(), h.item.text, h.item.location))?;
        }
    }
    if json {
        print_json_batch(all, "results", out)?;
    }
    if timings {
        out.flush()?;
        out.err(&format!(
            "loaded {} items ({} distinct texts) in {:.1} ms",
            matcher.len(),
            matcher.texts(),
            loaded.as_secs_f64() * 1e3
        ));
        times.report(out);
    }
    Ok(0)
}

/// `fazhi gen-corpus N DIR`: the benchmark corpus, written on all cores.
pub fn gen_corpus(n: u64, dir: &Path, seed: u64, out: &mut Out) -> Result<u8> {
    let started = Instant::now();
    let workers = std::thread::available_parallelism().map_or(2, |n| n.get()) as u64;
    let bytes: u64 = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..workers)
            .map(|w| {
                scope.spawn(move || -> std::io::Result<u64> {
                    let mut total = 0;
                    let mut i = w;
                    while i < n {
                        let (name, bytes) = crate::corpus::report(seed, i);
                        let path = dir.join(name);
                        if let Some(parent) = path.parent() {
                            std::fs::create_dir_all(parent)?;
                        }
                        std::fs::write(&path, &bytes)?;
                        total += bytes.len() as u64;
                        i += workers;
                    }
                    Ok(total)
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|_| Err(std::io::Error::other("a writer thread panicked")))
            })
            .sum::<std::io::Result<u64>>()
    })
    .with_context(|| format!("cannot write the corpus into {}", dir.display()))?;
    out.line(&format!(
        "{n} reports, {:.1} MB, in {} ({:.1}s)",
        bytes as f64 / 1e6,
        dir.display(),
        started.elapsed().as_secs_f64()
    ))?;
    Ok(0)
}

#[allow(clippy::too_many_arguments)]
pub fn figures(
    g: &Global,
    bureau: Option<String>,
    year: Option<i32>,
    label: Option<String>,
    limit: Option<usize>,
    json: bool,
    csv: bool,
    out: &mut Out,
) -> Result<u8> {
    let store = open_reader(g)?;
    let rows = store.figures(&FigureFilter {
        bureau,
        year,
        label,
        limit,
    })?;
    if json {
        out.line(&serde_json::to_string_pretty(&rows)?)?;
    } else if csv {
        out.line(&csv_row(&[
            "bureau", "year", "section", "label", "text", "value", "unit", "approx", "sentence", "path",
        ]))?;
        for r in &rows {
            out.line(&csv_row(&[
                r.bureau.as_deref().unwrap_or(""),
                &r.year.map_or(String::new(), |y| y.to_string()),
                r.section_path.as_deref().unwrap_or(""),
                &r.label,
                &r.text,
                &r.value.to_string(),
                &r.unit,
                r.approx.as_deref().unwrap_or(""),
                &r.sentence,
                &r.path,
            ]))?;
        }
    } else {
        for r in &rows {
            out.line(&format!(
                "{} · {} · {:<8} {}  {}",
                r.bureau.as_deref().unwrap_or(crate::store::reader::UNKNOWN_BUREAU),
                year_label(r.year),
                r.section_path.as_deref().unwrap_or("-"),
                r.label,
                r.text
            ))?;
        }
        out.err(&format!("{} figures", rows.len()));
    }
    Ok(0)
}

pub fn bureaus(g: &Global, json: bool, out: &mut Out) -> Result<u8> {
    let store = open_reader(g)?;
    let list = store.bureaus()?;
    if json {
        out.line(&serde_json::to_string_pretty(&list)?)?;
        return Ok(0);
    }
    for b in &list {
        let years: Vec<String> = b.reports.iter().map(|r| year_label(r.year)).collect();
        let n = b.reports.len();
        let noun = if n == 1 { "report" } else { "reports" };
        out.line(&format!("{}  ({n} {noun}: {})", b.name, years.join(", ")))?;
    }
    Ok(0)
}

/// Finds the one report for `bureau` (name or part of it) and `year`.
fn pick_report(store: &Store, bureau: &str, year: Option<i32>) -> Result<StoredReport> {
    let found = store.find_bureaus(bureau)?;
    let b = match found.as_slice() {
        [] => bail!("no bureau matches {bureau:?}; `fazhi bureaus` lists them"),
        [one] => one,
        many => {
            let names: Vec<&str> = many.iter().map(|b| b.name.as_str()).collect();
            bail!("{bureau:?} matches several bureaus: {}", names.join(", "))
        }
    };
    let reports: Vec<_> = b
        .reports
        .iter()
        .filter(|r| year.is_none_or(|y| r.year == Some(y)))
        .collect();
    let r = match reports.as_slice() {
        [] => bail!(
            "{} has no report for {}; years: {}",
            b.name,
            year.map_or("that year".into(), |y| y.to_string()),
            b.reports
                .iter()
                .map(|r| year_label(r.year))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        [one] => one,
        _ => bail!("{} has several reports; give the year", b.name),
    };
    store
        .report(r.id)?
        .with_context(|| format!("report {} vanished from the index", r.id))
}

pub fn show(
    g: &Global,
    bureau: &str,
    year: Option<i32>,
    section: Option<&str>,
    json: bool,
    out: &mut Out,
) -> Result<u8> {
    let store = open_reader(g)?;
    let r = pick_report(&store, bureau, year)?;
    let Some(path) = section else {
        if json {
            out.line(&serde_json::to_string_pretty(&r)?)?;
            return Ok(0);
        }
        print_outline(&r, out)?;
        return Ok(0);
    };
    let idx = r.sections.iter().position(|s| s.path == path).ok_or_else(|| {
        anyhow!(
            "{} {} has no section {path}; its top sections are 1..{}",
            r.bureau.as_deref().unwrap_or("?"),
            r.year.unwrap_or(0),
            r.sections.iter().filter(|s| s.parent.is_none()).count()
        )
    })?;
    // The section and everything under it.
    let within = |i: Option<usize>| r.within(i, idx);
    if json {
        let sections: Vec<_> = r
            .sections
            .iter()
            .enumerate()
            .filter(|(i, _)| within(Some(*i)))
            .map(|(_, s)| s)
            .collect();
        let paragraphs: Vec<_> = r.paragraphs.iter().filter(|p| within(p.section)).collect();
        let figures: Vec<_> = r.figures.iter().filter(|f| within(f.section)).collect();
        out.line(&serde_json::to_string_pretty(&serde_json::json!({
            "bureau": r.bureau, "year": r.year, "section": r.sections[idx],
            "sections": sections, "paragraphs": paragraphs, "figures": figures,
        }))?)?;
        return Ok(0);
    }
    for (i, s) in r.sections.iter().enumerate() {
        if within(Some(i)) {
            out.line(&format!("{} {}", s.path, s.heading))?;
            for p in r.paragraphs.iter().filter(|p| p.section == Some(i)) {
                out.line(&format!("    {}", p.text))?;
            }
        }
    }
    Ok(0)
}

fn print_outline(r: &StoredReport, out: &mut Out) -> Result<()> {
    out.line(&format!(
        "{} · {} · published {}",
        r.bureau.as_deref().unwrap_or(crate::store::reader::UNKNOWN_BUREAU),
        year_label(r.year),
        r.published.as_deref().unwrap_or("?")
    ))?;
    if let Some(t) = &r.title {
        out.line(t)?;
    }
    out.line(&format!("{}", Path::new(&r.path).display()))?;
    let cov: Vec<String> = crate::ingest::Part::ALL
        .iter()
        .map(|p| {
            let status = r
                .parts
                .get(p.name())
                .and_then(|v| v.get("status"))
                .and_then(|s| s.as_str());
            format!("{} {}", p.name(), status.unwrap_or("?"))
        })
        .collect();
    out.line(&format!("parts: {}", cov.join(" · ")))?;
    for (i, s) in r.sections.iter().enumerate() {
        let figures = r.figures.iter().filter(|f| f.section == Some(i)).count();
        let parts = if s.parts.is_empty() {
            String::new()
        } else {
            format!(
                "  [{}]",
                s.parts.iter().map(|p| p.name()).collect::<Vec<_>>().join(", ")
            )
        };
        let figs = match figures {
            0 => String::new(),
            1 => "  (1 figure)".to_string(),
            n => format!("  ({n} figures)"),
        };
        out.line(&format!(
            "{:<8} {}{} {}{parts}{figs}",
            s.path,
            "  ".repeat(s.level as usize - 1),
            s.number,
            s.title
        ))?;
    }
    Ok(())
}

/// `fazhi` and `fazhi PATH...`: index the paths, then open the index.
/// Index progress on stderr: a bar with files/s and ETA on a terminal; on
/// anything else (a log, CI) a plain line every few seconds.
struct ProgressReport {
    bar: Option<indicatif::ProgressBar>,
    plain: bool,
    started: Instant,
    last_line: Instant,
}

impl ProgressReport {
    const PLAIN_EVERY: Duration = Duration::from_secs(5);

    fn new(show: bool) -> ProgressReport {
        let tty = show && std::io::stderr().is_terminal();
        let bar = tty.then(|| {
            let bar = indicatif::ProgressBar::with_draw_target(None, indicatif::ProgressDrawTarget::stderr());
            bar.set_style(
                indicatif::ProgressStyle::with_template(
                    "{spinner} indexing [{bar:30}] {pos}/{len} files · {rate} · ETA {eta}",
                )
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
                .with_key("rate", |s: &indicatif::ProgressState, w: &mut dyn std::fmt::Write| {
                    let _ = write!(w, "{:.0} files/s", s.per_sec());
                })
                .progress_chars("=> "),
            );
            bar
        });
        ProgressReport {
            bar,
            plain: show && !tty,
            started: Instant::now(),
            last_line: Instant::now(),
        }
    }

    fn update(&mut self, p: &Progress<'_>) {
        if let Some(bar) = &self.bar {
            bar.set_length(p.total as u64);
            bar.set_position(p.done as u64);
        } else if self.plain && self.last_line.elapsed() >= Self::PLAIN_EVERY && p.done < p.total {
            self.last_line = Instant::now();
            let rate = p.done as f64 / self.started.elapsed().as_secs_f64().max(1e-3);
            let prec = usize::from(rate < 10.0);
            eprintln!(
                "indexing: {}/{} files · {rate:.prec$} files/s · ETA {:.0}s",
                p.done,
                p.total,
                (p.total - p.done) as f64 / rate.max(1e-3)
            );
        }
    }

    fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

/// `--copy-to` wins over the config file's `[clipboard]`.
fn clipboard_method(g: &Global) -> Result<Method> {
    use crate::config::ClipboardMethod as C;
    Ok(match (&g.copy_to, g.config.clipboard) {
        (Some(p), _) => Method::File(p.clone()),
        (None, C::Auto) => Method::detect(),
        (None, C::Osc52) => Method::Osc52,
        (None, C::Tmux) => Method::Tmux,
        (None, C::Screen) => Method::Screen,
        (None, C::File) => Method::File(
            g.config
                .clipboard_file
                .clone()
                .ok_or_else(|| anyhow!("[clipboard] method = \"file\" needs file = \"PATH\""))?,
        ),
    })
}

pub fn open(g: &Global, paths: &[PathBuf], out: &mut Out) -> Result<u8> {
    let mut code = 0;
    if !paths.is_empty() {
        code = index(g, paths, false, false, out)?;
    }
    let db = db_path(g)?;
    let interactive = std::io::stdout().is_terminal() && std::io::stdin().is_terminal();
    if interactive {
        // The browser shows an empty index with instructions, so make one.
        if !db.exists() {
            drop(Store::open(&db)?);
        }
        out.flush()?;
        crate::tui::run(
            &db,
            crate::tui::Options {
                clipboard: clipboard_method(g)?,
                mouse: g.config.mouse && !g.no_mouse,
                theme: g.config.theme,
                keymap: g.config.keymap.clone(),
            },
        )?;
        return Ok(code);
    }
    if !db.exists() {
        out.line(&format!(
            "The index {} is empty. Index reports first:\n    fazhi index FOLDER\nor give the folder directly: fazhi FOLDER",
            db.display()
        ))?;
        return Ok(code);
    }
    let store = Store::open_read_only(&db)?;
    let c = store.counts()?;
    out.line(&format!(
        "{} reports from {} bureaus: {} sections, {} figures, {} paragraphs.",
        c.reports, c.bureaus, c.sections, c.figures, c.paragraphs
    ))?;
    bureaus(g, false, out)?;
    out.line("\n(Not a terminal, so no browser. Explore with `fazhi show`, `fazhi search`, `fazhi figures`.)")?;
    Ok(code)
}
