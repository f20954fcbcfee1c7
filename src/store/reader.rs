//! Queries over the index for the CLI and the browser. Everything returned
//! is plain data (serialisable for `--json`).

use super::Store;
use super::figures::StoredFigure;
use crate::ingest::{Figure, Paragraph, Part, Section};
use crate::search::{Query, snippet};
use anyhow::{Context, Result};
use rusqlite::{OptionalExtension, params};
use serde::Serialize;

/// The paragraphs of the last report asked for: rows come ordered by
/// report, so each report's body is decompressed once, and only the
/// paragraphs asked for are read.
#[derive(Default)]
pub(crate) struct TextCache {
    report: Option<i64>,
    body: super::body::Paragraphs,
}

impl TextCache {
    pub(crate) fn body(&mut self, store: &Store, report: i64) -> Result<&super::body::Paragraphs> {
        if self.report != Some(report) {
            self.body = store.paragraphs(report)?;
            self.report = Some(report);
        }
        Ok(&self.body)
    }

    /// The sentence around byte `start` of a paragraph (empty when the
    /// paragraph is not stored).
    pub(crate) fn sentence(&mut self, store: &Store, report: i64, paragraph: i64, start: i64) -> Result<String> {
        let body = self.body(store, report)?;
        let text = match usize::try_from(paragraph) {
            Ok(p) => body
                .text(p)
                .with_context(|| format!("report {report}: its stored text is damaged"))?,
            Err(_) => None,
        };
        Ok(text
            .map(|t| crate::ingest::figures::sentence_at(t, usize::try_from(start).unwrap_or(0)).to_string())
            .unwrap_or_default())
    }
}

/// A report's sections' paths and titles (see [`Store::section_labels`]).
pub(crate) struct SectionLabels(Vec<(i64, String, String)>);

impl SectionLabels {
    /// The path and title of section `ord` (`None` for the preamble or a
    /// section the report does not have).
    pub(crate) fn get(&self, ord: Option<usize>) -> Option<(&String, &String)> {
        let ord = i64::try_from(ord?).ok()?;
        let i = self.0.binary_search_by_key(&ord, |s| s.0).ok()?;
        Some((&self.0[i].1, &self.0[i].2))
    }
}

/// Name shown for reports whose issuing body the parser could not find.
pub const UNKNOWN_BUREAU: &str = "(bureau unknown)";

/// A report year for display: "2023", or "?" when it is not known.
pub fn year_label(year: Option<i32>) -> String {
    year.map_or_else(|| "?".to_string(), |y| y.to_string())
}

/// Where something lives, for lists: "bureau · year · section".
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ReportRef {
    pub id: i64,
    pub year: Option<i32>,
    pub published: Option<String>,
    pub title: Option<String>,
    pub path: String,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct BureauRow {
    /// 0 for the reports whose bureau is unknown.
    pub id: i64,
    pub name: String,
    pub reports: Vec<ReportRef>,
    /// Province, city, county and department type, from the name.
    #[serde(flatten)]
    pub kind: crate::regions::Bureau,
}

#[derive(Debug, Clone, Serialize)]
pub struct StoredReport {
    pub id: i64,
    pub path: String,
    pub bureau: Option<String>,
    pub year: Option<i32>,
    pub published: Option<String>,
    pub title: Option<String>,
    pub encoding: String,
    pub meta: serde_json::Value,
    pub parts: serde_json::Value,
    pub warnings: Vec<String>,
    pub sections: Vec<Section>,
    pub paragraphs: Vec<Paragraph>,
    pub figures: Vec<Figure>,
}

impl StoredReport {
    /// Is `section` (a paragraph's or a figure's section) `ancestor` or
    /// inside it?
    pub fn within(&self, section: Option<usize>, ancestor: usize) -> bool {
        let mut s = section;
        while let Some(i) = s {
            if i == ancestor {
                return true;
            }
            s = self.sections.get(i).and_then(|x| x.parent);
        }
        false
    }

    /// For each section, whether it has subsections.
    pub fn has_children(&self) -> Vec<bool> {
        let mut out = vec![false; self.sections.len()];
        for s in &self.sections {
            if let Some(p) = s.parent.filter(|&p| p < out.len()) {
                out[p] = true;
            }
        }
        out
    }
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct FigureRow {
    pub report_id: i64,
    pub bureau: Option<String>,
    pub year: Option<i32>,
    pub section_path: Option<String>,
    pub section_title: Option<String>,
    pub text: String,
    pub value: f64,
    pub unit: String,
    pub approx: Option<String>,
    pub label: String,
    pub sentence: String,
    pub path: String,
}

#[derive(Debug, Clone, Default)]
pub struct FigureFilter {
    /// Substring of the bureau name.
    pub bureau: Option<String>,
    pub year: Option<i32>,
    /// Substring of the label.
    pub label: Option<String>,
    pub limit: Option<usize>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Hit {
    pub report_id: i64,
    /// Index of the paragraph in its report.
    pub paragraph: usize,
    pub bureau: Option<String>,
    pub year: Option<i32>,
    pub section_path: Option<String>,
    pub section_title: Option<String>,
    pub snippet: String,
    /// Byte ranges of the matches within `snippet`.
    pub matches: Vec<[usize; 2]>,
}

#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
pub struct Counts {
    pub bureaus: i64,
    pub reports: i64,
    pub sections: i64,
    pub paragraphs: i64,
    pub figures: i64,
    pub failures: i64,
}

impl Store {
    pub fn counts(&self) -> Result<Counts> {
        let c = |sql: &str| -> Result<i64> { Ok(self.conn.query_row(sql, [], |r| r.get(0))?) };
        Ok(Counts {
            bureaus: c("SELECT count(*) FROM bureaus")?,
            reports: c("SELECT count(*) FROM reports")?,
            sections: c("SELECT count(*) FROM sections")?,
            paragraphs: c("SELECT coalesce(sum(paragraph_count), 0) FROM reports")?,
            figures: c("SELECT coalesce(sum(count), 0) FROM figures")?,
            failures: c("SELECT count(*) FROM failures")?,
        })
    }

    /// Every bureau with its reports by year; reports without a bureau come
    /// last under [`UNKNOWN_BUREAU`].
    pub fn bureaus(&self) -> Result<Vec<BureauRow>> {
        // Walks the name index and the (bureau, year) index, so the order
        // costs no sort (the first frame waits for this); reports without a
        // bureau come last.
        let mut out: Vec<BureauRow> = Vec::new();
        for sql in [
            "SELECT b.id, b.name, r.id, r.year, r.published, r.title, r.path
             FROM bureaus b JOIN reports r ON r.bureau_id = b.id ORDER BY b.name, r.year",
            "SELECT NULL, NULL, r.id, r.year, r.published, r.title, r.path
             FROM reports r WHERE r.bureau_id IS NULL ORDER BY r.year, r.path",
        ] {
            self.bureau_rows(sql, &mut out)?;
        }
        Ok(out)
    }

    fn bureau_rows(&self, sql: &str, out: &mut Vec<BureauRow>) -> Result<()> {
        let mut stmt = self.conn.prepare(sql)?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get::<_, Option<i64>>(0)?,
                r.get::<_, Option<String>>(1)?,
                ReportRef {
                    id: r.get(2)?,
                    year: r.get(3)?,
                    published: r.get(4)?,
                    title: r.get(5)?,
                    path: r.get(6)?,
                },
            ))
        })?;
        for row in rows {
            let (id, name, report) = row?;
            let id = id.unwrap_or(0);
            match out.last_mut() {
                Some(last) if last.id == id => last.reports.push(report),
                _ => out.push(BureauRow {
                    id,
                    kind: name.as_deref().map(crate::regions::classify).unwrap_or_default(),
                    name: name.unwrap_or_else(|| UNKNOWN_BUREAU.to_string()),
                    reports: vec![report],
                }),
            }
        }
        Ok(())
    }

    /// Bureaus whose name is `q` exactly, else those that contain it.
    pub fn find_bureaus(&self, q: &str) -> Result<Vec<BureauRow>> {
        let all = self.bureaus()?;
        if let Some(exact) = all.iter().find(|b| b.name == q) {
            return Ok(vec![exact.clone()]);
        }
        Ok(all.into_iter().filter(|b| b.name.contains(q)).collect())
    }

    pub fn report(&self, id: i64) -> Result<Option<StoredReport>> {
        let head = self
            .conn
            .query_row(
                "SELECT r.path, b.name, r.year, r.published, r.title, r.encoding, r.meta, r.parts, r.warnings,
                        r.paragraph_count
                 FROM reports r LEFT JOIN bureaus b ON b.id = r.bureau_id WHERE r.id = ?1",
                [id],
                |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, Option<String>>(1)?,
                        r.get::<_, Option<i32>>(2)?,
                        r.get::<_, Option<String>>(3)?,
                        r.get::<_, Option<String>>(4)?,
                        r.get::<_, String>(5)?,
                        r.get::<_, String>(6)?,
                        r.get::<_, String>(7)?,
                        r.get::<_, String>(8)?,
                        r.get::<_, i64>(9)?,
                    ))
                },
            )
            .optional()?;
        let Some((path, bureau, year, published, title, encoding, meta, parts, warnings, count)) = head else {
            return Ok(None);
        };
        let json = |s: &str, what: &str| -> Result<serde_json::Value> {
            serde_json::from_str(s).with_context(|| format!("report {id}: stored {what} is not valid JSON"))
        };
        let mut stmt = self.conn.prepare_cached(
            "SELECT level, number, ordinal, heading, title, parent, parts, path FROM sections WHERE report_id = ?1 ORDER BY ord",
        )?;
        let sections = stmt
            .query_map([id], |r| {
                let parts: String = r.get(6)?;
                Ok(Section {
                    level: r.get(0)?,
                    number: r.get(1)?,
                    ordinal: r.get(2)?,
                    heading: r.get(3)?,
                    title: r.get(4)?,
                    parent: r.get::<_, Option<i64>>(5)?.map(|p| p as usize),
                    parts: parts.split(',').filter_map(Part::from_name).collect(),
                    path: r.get(7)?,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let body = self.paragraph_body(id)?;
        if body.texts.len() as i64 != count {
            anyhow::bail!(
                "report {id}: {count} paragraphs but {} stored texts (the index is damaged: index the file again)",
                body.texts.len()
            );
        }
        let mut paragraphs: Vec<Paragraph> = body
            .sections
            .into_iter()
            .zip(body.texts)
            .map(|(section, text)| Paragraph {
                section,
                text,
                points: Vec::new(),
            })
            .collect();
        crate::ingest::outline::mark_points(&mut paragraphs);
        let mut figures: Vec<Figure> = self
            .figure_list(id)?
            .into_iter()
            .map(super::figures::StoredFigure::into_figure)
            .collect();
        for f in &mut figures {
            if let Some(p) = paragraphs.get(f.paragraph) {
                f.sentence = crate::ingest::figures::sentence_at(&p.text, f.start).to_string();
            }
        }
        Ok(Some(StoredReport {
            id,
            path,
            bureau,
            year,
            published,
            title,
            encoding,
            meta: json(&meta, "metadata")?,
            parts: super::parts::to_json(
                &super::parts::decode(&parts)
                    .with_context(|| format!("report {id}: its stored coverage is damaged"))?,
            ),
            warnings: serde_json::from_str(&warnings).unwrap_or_default(),
            sections,
            paragraphs,
            figures,
        }))
    }

    /// A report's figures, from its stored list (none when it has none).
    pub(crate) fn figure_list(&self, report: i64) -> Result<Vec<StoredFigure>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT data FROM figures WHERE report_id = ?1")?;
        let mut rows = stmt.query([report])?;
        match rows.next()? {
            Some(r) => super::figures::decode_value(r.get_ref(0)?)
                .with_context(|| format!("report {report}: its stored figures are damaged")),
            None => Ok(Vec::new()),
        }
    }

    /// A report's sections' paths and titles, by ord: read once per report
    /// by the listings that name each figure's section.
    pub(crate) fn section_labels(&self, report: i64) -> Result<SectionLabels> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT ord, path, title FROM sections WHERE report_id = ?1 ORDER BY ord")?;
        let rows = stmt.query_map([report], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
        Ok(SectionLabels(rows.collect::<rusqlite::Result<_>>()?))
    }

    pub fn figures(&self, f: &FigureFilter) -> Result<Vec<FigureRow>> {
        let mut stmt = self.conn.prepare(
            "SELECT r.id, b.name, r.year, r.path
             FROM figures f
             JOIN reports r ON r.id = f.report_id
             LEFT JOIN bureaus b ON b.id = r.bureau_id
             WHERE (?1 IS NULL OR instr(b.name, ?1) > 0)
               AND (?2 IS NULL OR r.year = ?2)
             ORDER BY b.name, r.year, r.id",
        )?;
        let limit = f.limit.unwrap_or(usize::MAX);
        let mut texts = TextCache::default();
        let mut rows = stmt.query(params![f.bureau, f.year])?;
        let mut out = Vec::new();
        while out.len() < limit
            && let Some(r) = rows.next()?
        {
            let report_id: i64 = r.get(0)?;
            // The lists are read one by one, not sorted with their rows.
            let list = self.figure_list(report_id)?;
            let mut labels: Option<SectionLabels> = None;
            for fig in list {
                if out.len() >= limit {
                    break;
                }
                if f.label.as_deref().is_some_and(|l| !fig.label.contains(l)) {
                    continue;
                }
                let labels = match &mut labels {
                    Some(l) => l,
                    None => labels.insert(self.section_labels(report_id)?),
                };
                let (section_path, section_title) =
                    labels.get(fig.section).map(|(p, t)| (p.clone(), t.clone())).unzip();
                out.push(FigureRow {
                    report_id,
                    bureau: r.get(1)?,
                    year: r.get(2)?,
                    section_path,
                    section_title,
                    sentence: texts.sentence(self, report_id, fig.paragraph as i64, fig.start as i64)?,
                    text: fig.text,
                    value: fig.value,
                    unit: fig.unit,
                    approx: fig.approx,
                    label: fig.label,
                    path: r.get(3)?,
                });
            }
        }
        Ok(out)
    }

    /// The paragraphs containing every term of `query`: at most `limit`,
    /// the best first (see [`RERANK`]).
    pub fn search(&self, query: &str, limit: usize) -> Result<Vec<Hit>> {
        let q = Query::parse(query);
        if q.is_empty() || limit == 0 {
            return Ok(Vec::new());
        }
        let mut texts = TextCache::default();
        let found: Vec<Found> = match q.fts_match() {
            // Ranking is bounded so that common words stay fast on a large
            // index: the first RERANK matches in index order (FTS5 streams
            // them; asking for the newest or for bm25 made it read every
            // match) are ranked here, by `relevance`. A limit above RERANK
            // returns every match, so the set is exact. Every term is
            // checked on every candidate: the trigram index keeps no
            // positions, so it finds paragraphs that hold a long term's
            // trigrams, not necessarily the term.
            Some(m) => {
                let mut stmt = self
                    .conn
                    .prepare_cached("SELECT rowid FROM paragraphs_fts WHERE paragraphs_fts MATCH ?1")?;
                let rows = stmt.query_map([m], |r| r.get(0))?;
                let mut found = self.holding(rows, &q.terms, limit.max(RERANK), &mut texts)?;
                let avg =
                    found.iter().map(|r| r.text.chars().count()).sum::<usize>() as f64 / found.len().max(1) as f64;
                let mut scored: Vec<(f64, Found)> = found
                    .drain(..)
                    .map(|r| (relevance(&r.text, &q.terms, avg), r))
                    .collect();
                // Best first; among equals, index order.
                scored.sort_by(|a, b| {
                    b.0.total_cmp(&a.0)
                        .then((a.1.report, a.1.ord).cmp(&(b.1.report, b.1.ord)))
                });
                scored.truncate(limit);
                scored.into_iter().map(|x| x.1).collect()
            }
            // Short words only, newest paragraphs first. A common one fills
            // a page from the newest reports at once; a bounded look at
            // them comes first, and the index is asked only when it falls
            // short.
            None => {
                let (mut page, resume) = self.scan_newest_first(&q.terms, limit, i64::MAX, NEWEST_FIRST)?;
                match resume {
                    Some(below) if page.len() < limit => {
                        let short: Vec<&str> = q.short_terms().collect();
                        match self.rare_term(&short)? {
                            // A rare word: the trigrams starting with it (from
                            // the index's vocabulary) find it anywhere, since
                            // every text ends in FTS_END.
                            Some(None) => Vec::new(),
                            Some(Some(trigrams)) => {
                                let mut stmt = self.conn.prepare_cached(
                                    "SELECT rowid FROM paragraphs_fts WHERE paragraphs_fts MATCH ?1 ORDER BY rowid DESC",
                                )?;
                                let rows = stmt.query_map([trigrams], |r| r.get(0))?;
                                self.holding(rows, &q.terms, limit, &mut texts)?
                            }
                            // Common words: the older paragraphs too, newest
                            // first, after the ones already read.
                            None => {
                                let (more, _) =
                                    self.scan_newest_first(&q.terms, limit - page.len(), below, usize::MAX)?;
                                page.extend(more);
                                page
                            }
                        }
                    }
                    _ => page,
                }
            }
        };
        found
            .into_iter()
            .map(|f| {
                let (bureau, year, section_path, section_title) = self.hit_place(f.report, f.section)?;
                let (snip, ranges) = snippet(&f.text, &q.terms, 60);
                Ok(Hit {
                    report_id: f.report,
                    paragraph: f.ord as usize,
                    bureau,
                    year,
                    section_path,
                    section_title,
                    snippet: snip,
                    matches: ranges.into_iter().map(|r| [r.start, r.end]).collect(),
                })
            })
            .collect()
    }

    /// The first `want` of the candidate paragraphs (full-text rowids)
    /// that contain every term, with their text.
    fn holding(
        &self,
        candidates: impl Iterator<Item = rusqlite::Result<i64>>,
        terms: &[String],
        want: usize,
        texts: &mut TextCache,
    ) -> Result<Vec<Found>> {
        let mut out = Vec::new();
        let mut at = None;
        for c in candidates {
            if out.len() >= want {
                break;
            }
            let Some((report, ord)) = self.locate(&mut at, c?)? else {
                continue;
            };
            // A damaged body is an error, as everywhere else it is read.
            let body = texts.body(self, report)?;
            let Some(text) = body
                .text(ord)
                .with_context(|| format!("report {report}: its stored text is damaged"))?
            else {
                continue;
            };
            if terms.iter().all(|t| text.contains(t.as_str())) {
                out.push(Found {
                    report,
                    ord: ord as i64,
                    section: body.section(ord),
                    text: text.to_string(),
                });
            }
        }
        Ok(out)
    }

    /// The report and paragraph number of a full-text rowid: a report's
    /// paragraphs have the rowids from its `paragraph_base` on. `at` keeps
    /// the last report found (id, base, count), since candidates come in
    /// rowid order.
    fn locate(&self, at: &mut Option<(i64, i64, i64)>, rowid: i64) -> Result<Option<(i64, usize)>> {
        let inside = |&(_, base, count): &(i64, i64, i64)| rowid >= base && rowid - base < count;
        if !at.as_ref().is_some_and(inside) {
            *at = self
                .conn
                .prepare_cached(
                    "SELECT id, paragraph_base, paragraph_count FROM reports
                     WHERE paragraph_base <= ?1 ORDER BY paragraph_base DESC LIMIT 1",
                )?
                .query_row([rowid], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
                .optional()?;
        }
        Ok(at
            .as_ref()
            .filter(|r| inside(r))
            .and_then(|&(report, base, _)| Some((report, usize::try_from(rowid - base).ok()?))))
    }

    /// The reports below id `below`, newest first, until `want` paragraphs
    /// contain every term or `budget` paragraphs were read. Returns the
    /// hits, and the id to go on below when the budget ran out first.
    fn scan_newest_first(
        &self,
        terms: &[String],
        want: usize,
        below: i64,
        budget: usize,
    ) -> Result<(Vec<Found>, Option<i64>)> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT report_id, data FROM bodies WHERE report_id < ?1 ORDER BY report_id DESC")?;
        let mut rows = stmt.query([below])?;
        let mut out = Vec::new();
        let mut read = 0;
        while let Some(row) = rows.next()? {
            let report: i64 = row.get(0)?;
            let body = super::body::decode_value(row.get_ref(1)?)
                .with_context(|| format!("report {report}: its stored text is damaged"))?;
            read += body.texts.len();
            for ((ord, text), section) in body.texts.into_iter().enumerate().zip(body.sections).rev() {
                if terms.iter().all(|t| text.contains(t.as_str())) {
                    out.push(Found {
                        report,
                        ord: ord as i64,
                        section,
                        text,
                    });
                    if out.len() >= want {
                        return Ok((out, None));
                    }
                }
            }
            if read >= budget {
                return Ok((out, Some(report)));
            }
        }
        Ok((out, None))
    }

    /// Where a hit lives: bureau, year, section path and title.
    fn hit_place(&self, report: i64, section: Option<usize>) -> Result<HitPlace> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT b.name, r.year, s.path, s.title
             FROM reports r
             LEFT JOIN bureaus b ON b.id = r.bureau_id
             LEFT JOIN sections s ON s.report_id = r.id AND s.ord = ?2
             WHERE r.id = ?1",
        )?;
        Ok(stmt
            .query_row(params![report, section.map(|s| s as i64)], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
            })
            .optional()?
            .unwrap_or_default())
    }

    /// Files that could not be indexed, with the reason.
    pub fn failures(&self) -> Result<Vec<(String, String)>> {
        let mut stmt = self.conn.prepare("SELECT path, reason FROM failures ORDER BY path")?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}

/// A paragraph that holds every term.
struct Found {
    report: i64,
    ord: i64,
    section: Option<usize>,
    text: String,
}

/// Where a hit lives: bureau, year, section path and section title.
type HitPlace = (Option<String>, Option<i32>, Option<String>, Option<String>);

/// Above this many paragraphs, a one- or two-character word is found
/// faster by reading the newest paragraphs than through the trigram index.
const RARE: i64 = 5_000;

/// How many of the newest paragraphs a short word is looked for in before
/// the index is asked how rare it is.
const NEWEST_FIRST: usize = 2_000;

impl Store {
    /// For a query of short words only: when its rarest one- or
    /// two-character term is rare enough to look up, an FTS5 query
    /// matching every trigram that starts with it (None inside when no
    /// trigram does: no paragraph holds it).
    fn rare_term(&self, short: &[&str]) -> Result<Option<Option<String>>> {
        let mut best: Option<(i64, Vec<String>)> = None;
        for &t in short {
            let mut end = t.to_string();
            let Some(last) = end.pop() else { continue };
            let Some(next) = char::from_u32(last as u32 + 1) else {
                continue;
            };
            end.push(next);
            let mut stmt = self
                .conn
                .prepare_cached("SELECT term, doc FROM paragraphs_vocab WHERE term >= ?1 AND term < ?2")?;
            let rows: Vec<(String, i64)> = stmt
                .query_map([t, end.as_str()], |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect::<rusqlite::Result<_>>()?;
            let docs: i64 = rows.iter().map(|r| r.1).sum();
            if docs <= RARE && best.as_ref().is_none_or(|b| docs < b.0) {
                best = Some((docs, rows.into_iter().map(|r| r.0).collect()));
            }
        }
        Ok(best.map(|(_, trigrams)| {
            (!trigrams.is_empty()).then(|| {
                trigrams
                    .iter()
                    .map(|g| format!("\"{}\"", g.replace('"', "\"\"")))
                    .collect::<Vec<_>>()
                    .join(" OR ")
            })
        }))
    }
}

/// How many matches are ranked by relevance for a page of results. Rare
/// words have fewer matches, so they are ranked in full; a word found in
/// thousands of paragraphs shows the most relevant of its first matches,
/// in a few milliseconds at any index size.
pub const RERANK: usize = 500;

/// BM25's weighting of a paragraph for the query's terms: each term's
/// occurrences count with diminishing returns, in a paragraph of average
/// length `avg` (characters) or, scaled, of its own. (Every candidate
/// contains every term, so the terms are weighted alike.)
pub fn relevance(text: &str, terms: &[String], avg: f64) -> f64 {
    const K1: f64 = 1.2;
    const B: f64 = 0.75;
    let len = text.chars().count() as f64;
    let norm = K1 * (1.0 - B + B * len / avg.max(1.0));
    terms
        .iter()
        .map(|t| {
            let tf = text.matches(t.as_str()).count() as f64;
            tf * (K1 + 1.0) / (tf + norm)
        })
        .sum()
}

impl Store {
    /// The stored readings of the characters of names, headings and labels.
    pub fn pinyin(&self) -> Result<crate::search::pinyin::Pinyin> {
        let mut p = crate::search::pinyin::Pinyin::default();
        let mut stmt = self.conn.prepare("SELECT ch, readings FROM pinyin")?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            if let Some(c) = r.get_ref(0)?.as_str()?.chars().next() {
                p.insert_stored(c, r.get_ref(1)?.as_str()?);
            }
        }
        Ok(p)
    }

    /// Every bureau, report, section heading and figure, for the palette.
    pub fn palette_items(&self) -> Result<Vec<crate::search::palette::Item>> {
        let m = self.palette()?;
        Ok((0..m.len()).map(|i| m.item(i)).collect())
    }

    /// Every bureau, report, section heading and figure, straight into the
    /// palette's compact store (no item is held twice while loading).
    pub fn palette(&self) -> Result<crate::search::palette::Matcher> {
        let m = crate::search::palette::Matcher::empty(std::sync::Arc::new(self.pinyin()?));
        self.palette_into(m)
    }

    /// The palette with a copy of each item's text, shared with none: what
    /// an index whose items never repeat a text costs (the benchmark's
    /// worst case).
    pub fn palette_unshared(&self) -> Result<crate::search::palette::Matcher> {
        let m = crate::search::palette::Matcher::empty_unshared(std::sync::Arc::new(self.pinyin()?));
        self.palette_into(m)
    }

    fn palette_into(&self, mut m: crate::search::palette::Matcher) -> Result<crate::search::palette::Matcher> {
        use crate::search::palette::{Kind, Target};
        let items: i64 = self.conn.query_row(
            "SELECT (SELECT COUNT(*) FROM bureaus) + (SELECT COUNT(*) FROM reports)
                  + (SELECT COUNT(*) FROM sections) + (SELECT COALESCE(SUM(count), 0) FROM figures)",
            [],
            |r| r.get(0),
        )?;
        m.reserve(usize::try_from(items).unwrap_or(0));
        let mut text = String::new();
        let mut heads: std::collections::HashMap<i64, String> = std::collections::HashMap::new();
        // Sections and figures follow their reports in the bureau list's
        // order (name, year, id), read report by report along the primary
        // keys: sorting millions of joined rows instead took most of the
        // load on a large index.
        let mut order: Vec<i64> = Vec::new();
        for b in self.bureaus()? {
            // Each year once, though a bureau may have several reports in it.
            let mut years: Vec<String> = b.reports.iter().map(|r| year_label(r.year)).collect();
            years.dedup();
            if b.id != 0 {
                m.push(
                    Kind::Bureau,
                    &b.name,
                    &years.join(", "),
                    "",
                    Target::Bureau { bureau: b.id },
                );
            }
            let mut ids: Vec<(Option<i32>, i64)> = Vec::new();
            for r in &b.reports {
                let year = year_label(r.year);
                text.clear();
                text.push_str(format!("{} {year} {}", b.name, r.title.as_deref().unwrap_or("")).trim_end());
                let head = format!("{} · {year}", b.name);
                m.push(Kind::Report, &text, &head, "", Target::Report { report: r.id });
                heads.insert(r.id, head);
                ids.push((r.year, r.id));
            }
            ids.sort_unstable();
            order.extend(ids.into_iter().map(|(_, id)| id));
        }
        // Sections and figures are located by their report's "bureau · year".
        // They are read here and added to the palette on another thread
        // (texts interned, masks computed), in batches: on a large index
        // the two halves take about as long (`fazhi pick` at 100k reports:
        // 9.0–10.0 s on one thread, 5.3–6.0 s on two).
        let (tx, rx) = std::sync::mpsc::sync_channel::<PaletteBatch>(4);
        let fill = move || -> crate::search::palette::Matcher {
            for batch in rx {
                let mut at = 0;
                for &(report, ord, figure, text_end, tail_end) in &batch.items {
                    let (text_end, tail_end) = (text_end as usize, tail_end as usize);
                    let (text, tail) = (&batch.buf[at..text_end], &batch.buf[text_end..tail_end]);
                    at = tail_end;
                    let h = heads.get(&report).map_or("", String::as_str);
                    let (kind, target) = if figure {
                        (
                            Kind::Figure,
                            Target::Figure {
                                report,
                                figure: ord as usize,
                            },
                        )
                    } else {
                        (
                            Kind::Section,
                            Target::Section {
                                report,
                                section: ord as usize,
                            },
                        )
                    };
                    m.push(kind, text, h, tail, target);
                }
            }
            m.finish();
            m
        };
        let (read, filled) = std::thread::scope(|scope| {
            let filler = scope.spawn(fill);
            let read = self.palette_texts(&order, tx);
            (read, filler.join())
        });
        read?;
        filled.map_err(|_| anyhow::anyhow!("the palette could not be built (its thread panicked)"))
    }

    /// The sections, then the figures, of `order`'s reports, in batches
    /// for [`Store::palette_into`]'s other thread.
    fn palette_texts(&self, order: &[i64], tx: std::sync::mpsc::SyncSender<PaletteBatch>) -> Result<()> {
        let mut batch = PaletteBatch::default();
        let send = |batch: &mut PaletteBatch, force: bool| -> Result<()> {
            if force || batch.buf.len() >= PALETTE_BATCH_BYTES {
                tx.send(std::mem::take(batch))
                    .map_err(|_| anyhow::anyhow!("the palette's thread stopped"))?;
            }
            Ok(())
        };
        let mut stmt = self
            .conn
            .prepare("SELECT ord, title, path FROM sections WHERE report_id = ?1 ORDER BY ord")?;
        for &report in order {
            let mut rows = stmt.query([report])?;
            while let Some(r) = rows.next()? {
                let ord = r.get::<_, i64>(0)?;
                batch.add(report, ord, false, &[r.get_ref(1)?.as_str()?], r.get_ref(2)?.as_str()?);
            }
            send(&mut batch, false)?;
        }
        let mut paths = self
            .conn
            .prepare("SELECT path FROM sections WHERE report_id = ?1 ORDER BY ord")?;
        let mut lists = self.conn.prepare("SELECT data FROM figures WHERE report_id = ?1")?;
        let mut section_paths: Vec<String> = Vec::new();
        for &report in order {
            let mut rows = lists.query([report])?;
            let Some(list) = rows.next()? else {
                continue;
            };
            section_paths.clear();
            let mut rows = paths.query([report])?;
            while let Some(r) = rows.next()? {
                section_paths.push(r.get(0)?);
            }
            super::figures::for_each_value(list.get_ref(0)?, |ord, f| {
                let path = f
                    .section
                    .and_then(|s| section_paths.get(s))
                    .map_or("preamble", String::as_str);
                batch.add(report, ord as i64, true, &[f.label, " ", f.text], path);
                Ok(())
            })
            .with_context(|| format!("report {report}: its stored figures are damaged"))?;
            send(&mut batch, false)?;
        }
        send(&mut batch, true)
    }
}

/// How much text a batch of palette items carries between the two threads
/// of [`Store::palette_into`].
const PALETTE_BATCH_BYTES: usize = 256 << 10;

/// Sections or figures for the palette, their texts and locations in one
/// buffer: per item its report, its index, whether it is a figure, and
/// where its text and its location end in `buf`.
#[derive(Default)]
struct PaletteBatch {
    buf: String,
    items: Vec<(i64, u32, bool, u32, u32)>,
}

impl PaletteBatch {
    /// Adds an item whose text is `text`'s pieces, one after the other. An
    /// index that does not fit 32 bits (the palette keeps no such item)
    /// is left out.
    fn add(&mut self, report: i64, ord: i64, figure: bool, text: &[&str], tail: &str) {
        let Ok(ord) = u32::try_from(ord) else {
            return;
        };
        for piece in text {
            self.buf.push_str(piece);
        }
        let text_end = self.buf.len() as u32;
        self.buf.push_str(tail);
        self.items.push((report, ord, figure, text_end, self.buf.len() as u32));
    }
}
