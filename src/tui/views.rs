//! The views across reports, each a full screen over the browser: compare
//! (one statutory part or heading across reports, or two side by side),
//! coverage (the five parts of every report) and figures (one measure
//! across reports). Their state is plain data here; the worker answers
//! their queries ([`fetch`]); `draw_views` draws them.

use super::app::Input;
use crate::ingest::Part;
use crate::search::pinyin::Pinyin;
use crate::store::Store;
use crate::store::views::{CompareEntry, CompareWhat, CoverageRow, GroupRow, MeasureRow, ReportFilter};
use anyhow::Result;
use fuzzy_matcher::skim::SkimMatcherV2;

/// Which screen is up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Screen {
    #[default]
    Browse,
    Compare,
    Coverage,
    Figures,
}

/// A query of a view, run by the worker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ViewQuery {
    Coverage(ReportFilter),
    Compare(CompareWhat, ReportFilter),
    /// The text of these sections of a report (for the compare view).
    Piece(i64, Vec<usize>),
    Measures,
    Group(String, ReportFilter),
}

/// A text to read in the compare view: headings and paragraphs.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Piece {
    pub report_id: i64,
    pub sections: Vec<usize>,
    /// (is a heading, text)
    pub lines: Vec<(bool, String)>,
}

/// The worker's answer to a [`ViewQuery`].
#[derive(Debug, Clone)]
pub enum ViewData {
    Coverage(Vec<CoverageRow>),
    Compare(Vec<CompareEntry>),
    Piece(Piece),
    Measures(Vec<MeasureRow>),
    Group(String, Vec<GroupRow>),
}

/// Runs a view's query (on the worker's thread).
pub fn fetch(store: &Store, q: ViewQuery) -> Result<ViewData> {
    Ok(match q {
        ViewQuery::Coverage(f) => ViewData::Coverage(store.coverage(&f)?),
        ViewQuery::Compare(what, f) => ViewData::Compare(store.compare(&what, &f)?),
        ViewQuery::Piece(id, sections) => {
            let mut piece = Piece {
                report_id: id,
                sections: sections.clone(),
                lines: Vec::new(),
            };
            if let Some(r) = store.report(id)? {
                for &s in &sections {
                    for (i, sec) in r.sections.iter().enumerate().filter(|(i, _)| r.within(Some(*i), s)) {
                        piece.lines.push((true, sec.heading.clone()));
                        piece.lines.extend(
                            r.paragraphs
                                .iter()
                                .filter(|p| p.section == Some(i))
                                .map(|p| (false, p.text.clone())),
                        );
                    }
                }
            }
            ViewData::Piece(piece)
        }
        ViewQuery::Measures => ViewData::Measures(store.measures()?),
        ViewQuery::Group(m, f) => ViewData::Group(m.clone(), store.measure_group(&m, &f)?),
    })
}

#[derive(Debug, Default)]
pub struct CoverageState {
    pub rows: Vec<CoverageRow>,
    pub sel: usize,
    pub loading: bool,
}

#[derive(Debug, Default)]
pub struct CompareState {
    /// None while choosing what to compare.
    pub what: Option<CompareWhat>,
    /// The chooser: a heading phrase typed, or one of the five parts.
    pub choose: Input,
    pub entries: Vec<CompareEntry>,
    pub sel: usize,
    /// Split: the entry shown on the left while the selection moves.
    pub pinned: Option<usize>,
    /// Texts loaded (the selected entry's and the pinned one's).
    pub pieces: Vec<Piece>,
    /// Lines scrolled, the same in both panes (they scroll together).
    pub scroll: usize,
    pub loading: bool,
}

impl CompareState {
    pub fn piece(&self, entry: usize) -> Option<&Piece> {
        let e = self.entries.get(entry)?;
        self.pieces
            .iter()
            .find(|p| p.report_id == e.report_id && p.sections == e.sections)
    }
}

/// How the figures table is sorted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SortBy {
    #[default]
    Bureau,
    Year,
    Value,
}

impl SortBy {
    pub fn next(self) -> SortBy {
        match self {
            SortBy::Bureau => SortBy::Year,
            SortBy::Year => SortBy::Value,
            SortBy::Value => SortBy::Bureau,
        }
    }
    pub fn name(self) -> &'static str {
        match self {
            SortBy::Bureau => "bureau",
            SortBy::Year => "year",
            SortBy::Value => "value ↓",
        }
    }
}

#[derive(Debug, Default)]
pub struct FiguresState {
    pub measures: Vec<MeasureRow>,
    /// The measure filter (characters or pinyin).
    pub filter: Input,
    pub filtering: bool,
    /// Measures shown: index into `measures`, matched characters.
    pub shown: Vec<(usize, Vec<usize>)>,
    pub msel: usize,
    /// The measure whose figures are in `rows`.
    pub current: Option<String>,
    pub rows: Vec<GroupRow>,
    pub sel: usize,
    pub sort: SortBy,
    /// The table has the keys (else the measure list).
    pub on_rows: bool,
    pub loading: bool,
}

impl FiguresState {
    /// Recomputes the shown measures after the filter or the list changed.
    pub fn refilter(&mut self, pinyin: &Pinyin) {
        let q = self.filter.text.trim();
        let m = SkimMatcherV2::default();
        let mut shown: Vec<(i64, usize, Vec<usize>)> = self
            .measures
            .iter()
            .enumerate()
            .filter_map(|(i, r)| {
                if q.is_empty() {
                    return Some((0, i, Vec::new()));
                }
                pinyin.best_match(&m, &r.measure, q).map(|(s, idx)| (s, i, idx))
            })
            .collect();
        if !q.is_empty() {
            // Best match first; among equals, the most reported.
            shown.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        }
        self.shown = shown.into_iter().map(|(_, i, idx)| (i, idx)).collect();
        self.msel = self.msel.min(self.shown.len().saturating_sub(1));
    }

    pub fn selected_measure(&self) -> Option<&MeasureRow> {
        self.shown.get(self.msel).and_then(|(i, _)| self.measures.get(*i))
    }

    /// Sorts the rows as `sort` says (stable, so ties keep bureau order).
    pub fn sort_rows(&mut self) {
        match self.sort {
            SortBy::Bureau => self
                .rows
                .sort_by(|a, b| a.bureau.cmp(&b.bureau).then(a.year.cmp(&b.year))),
            SortBy::Year => self
                .rows
                .sort_by(|a, b| a.year.cmp(&b.year).then(a.bureau.cmp(&b.bureau))),
            SortBy::Value => self.rows.sort_by(|a, b| b.base_value.total_cmp(&a.base_value)),
        }
    }

    /// The selected row's bureau over the years: (year, value) for each
    /// year it reported this measure (the first figure of each year), when
    /// there are at least two years.
    pub fn trend(&self) -> Vec<(i32, f64)> {
        let Some(row) = self.rows.get(self.sel) else {
            return Vec::new();
        };
        let mut v: Vec<(i32, f64)> = Vec::new();
        let mut rows: Vec<&GroupRow> = self
            .rows
            .iter()
            .filter(|r| r.bureau == row.bureau && r.base_unit == row.base_unit)
            .collect();
        rows.sort_by_key(|r| (r.year, r.report_id, r.figure));
        for r in rows {
            if let Some(y) = r.year
                && v.last().is_none_or(|l| l.0 != y)
            {
                v.push((y, r.base_value));
            }
        }
        if v.len() < 2 { Vec::new() } else { v }
    }
}

/// The five parts in the chooser's order.
pub const PARTS: [Part; 5] = Part::ALL;

/// Reads a view filter typed by the user: a department type (民政, 司法 …)
/// or else part of a region's name.
pub fn apply_filter_text(filter: &mut ReportFilter, text: &str) {
    let t = text.trim();
    filter.region = None;
    filter.department = None;
    if t.is_empty() {
        return;
    }
    if crate::regions::DEPARTMENTS.iter().any(|(d, _)| *d == t) {
        filter.department = Some(t.to_string());
    } else {
        filter.region = Some(t.to_string());
    }
}
