//! Queries across reports: which statutory parts each report covers
//! (coverage, `fazhi audit`), one part read across reports (compare), and
//! figures grouped by what they measure.

use super::Store;
use super::figures::StoredFigure;
use super::reader::UNKNOWN_BUREAU;
use crate::ingest::Part;
use crate::regions;
use anyhow::{Context, Result};
use rusqlite::params;
use serde::Serialize;
use std::collections::HashMap;

/// Which reports a view covers: a year, a region, a department type.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReportFilter {
    pub year: Option<i32>,
    /// Part of the bureau's province, city or county name ("湖北", "十堰").
    pub region: Option<String>,
    /// A department type ("民政") or part of the bureau name's ending.
    pub department: Option<String>,
}

impl ReportFilter {
    /// Does a bureau of this name pass the region and department filters?
    pub fn admits(&self, bureau: Option<&str>) -> bool {
        if self.region.is_none() && self.department.is_none() {
            return true;
        }
        let Some(name) = bureau else { return false };
        let b = regions::classify(name);
        let region_ok = self.region.as_deref().is_none_or(|r| {
            name.contains(r)
                || [b.place.province, b.place.city, b.place.county]
                    .into_iter()
                    .flatten()
                    .any(|p| p.contains(r))
        });
        let dept_ok = self
            .department
            .as_deref()
            .is_none_or(|d| b.department == Some(d) || name.contains(d));
        region_ok && dept_ok
    }

    /// "2023 · 湖北 · 民政", what is filtered (empty when nothing is).
    pub fn describe(&self) -> String {
        let mut v = Vec::new();
        if let Some(y) = self.year {
            v.push(y.to_string());
        }
        v.extend(self.region.clone());
        v.extend(self.department.clone());
        v.join(" · ")
    }
}

/// One part's place in one report.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct PartCell {
    pub part: Part,
    /// "section" (a heading of its own), "inline" (mentioned in a
    /// subheading or point) or "missing".
    pub status: String,
    /// Paths of the sections where it is ("5", "1.3").
    pub sections: Vec<String>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct CoverageRow {
    pub report_id: i64,
    pub bureau: Option<String>,
    pub year: Option<i32>,
    pub published: Option<String>,
    /// Published by 1 April of the following year (the regulation's
    /// deadline); None when the date or the year is unknown.
    pub on_time: Option<bool>,
    /// The five parts, in [`Part::ALL`] order.
    pub parts: Vec<PartCell>,
    /// Names of the parts not found.
    pub missing: Vec<Part>,
    pub path: String,
}

/// Published (YYYY-MM-DD) by 1 April of the year after `year`?
pub fn on_time(year: Option<i32>, published: Option<&str>) -> Option<bool> {
    let (year, published) = (year?, published?);
    let date = published.get(..10)?;
    Some(date <= format!("{}-04-01", year + 1).as_str())
}

/// A report's sections of one part (or whose heading contains a phrase).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct CompareEntry {
    pub report_id: i64,
    pub bureau: Option<String>,
    pub year: Option<i32>,
    /// Indices of the sections, in report order.
    pub sections: Vec<usize>,
    /// Their paths and titles: "5 存在的不足".
    pub headings: Vec<String>,
}

/// What the compare view reads across reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CompareWhat {
    Part(Part),
    /// Sections whose heading contains this phrase.
    Heading(String),
}

impl CompareWhat {
    pub fn describe(&self) -> String {
        match self {
            CompareWhat::Part(p) => format!("{} ({})", p.chinese(), p.name()),
            CompareWhat::Heading(h) => format!("“{h}”"),
        }
    }
}

/// A measure (normalised label) and how often it occurs.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct MeasureRow {
    pub measure: String,
    pub figures: i64,
    pub reports: i64,
    /// The base units its figures use, most frequent first: "件 对".
    pub units: String,
}

/// One figure of a measure group.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct GroupRow {
    pub report_id: i64,
    /// Index of the figure in its report.
    pub figure: usize,
    pub bureau: Option<String>,
    pub year: Option<i32>,
    pub measure: String,
    pub label: String,
    pub text: String,
    pub value: f64,
    pub unit: String,
    pub approx: Option<String>,
    /// The value in the base unit (59.4万元 → 594000 元).
    pub base_value: f64,
    pub base_unit: String,
    pub section_path: Option<String>,
    pub sentence: String,
}

/// Which reports hold figures of each measure, as [`Store::measures`]
/// found them while reading every list, so that the figures view, which
/// asks for the measures first and then for one measure at a time, reads
/// only those reports' lists: at 100k reports a measure that 7k reports
/// state took 1.0 s with a scan of every list. Valid while the index is
/// unchanged (by this connection or any other).
pub(crate) struct MeasureReports {
    state: (i64, u64),
    reports: HashMap<String, Vec<u32>>,
}

impl Store {
    /// For every report (of `filter`), where it covers each statutory part.
    pub fn coverage(&self, filter: &ReportFilter) -> Result<Vec<CoverageRow>> {
        let mut stmt = self.conn.prepare(
            "SELECT r.id, b.name, r.year, r.published, r.parts, r.path
             FROM reports r LEFT JOIN bureaus b ON b.id = r.bureau_id
             WHERE (?1 IS NULL OR r.year = ?1)
             ORDER BY b.name IS NULL, b.name, r.year, r.path",
        )?;
        let mut paths = self
            .conn
            .prepare_cached("SELECT ord, path FROM sections WHERE report_id = ?1 ORDER BY ord")?;
        let mut out = Vec::new();
        let mut rows = stmt.query(params![filter.year])?;
        while let Some(r) = rows.next()? {
            let (id, bureau, year, published, parts, path): (
                i64,
                Option<String>,
                Option<i32>,
                Option<String>,
                String,
                String,
            ) = (r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?);
            if !filter.admits(bureau.as_deref()) {
                continue;
            }
            let parts =
                super::parts::decode(&parts).with_context(|| format!("report {id}: its stored coverage is damaged"))?;
            let section_paths: Vec<String> = paths
                .query_map([id], |r| r.get::<_, String>(1))?
                .collect::<rusqlite::Result<_>>()?;
            let cells: Vec<PartCell> = parts
                .into_iter()
                .map(|p| PartCell {
                    part: p.part,
                    status: p.status.to_string(),
                    sections: p
                        .sections
                        .iter()
                        .filter_map(|&s| section_paths.get(s))
                        .cloned()
                        .collect(),
                })
                .collect();
            out.push(CoverageRow {
                report_id: id,
                on_time: on_time(year, published.as_deref()),
                missing: cells.iter().filter(|c| c.status == "missing").map(|c| c.part).collect(),
                bureau,
                year,
                published,
                parts: cells,
                path,
            });
        }
        Ok(out)
    }

    /// The sections of `what` in every report of `filter`, by bureau and
    /// year; reports without such a section are left out.
    pub fn compare(&self, what: &CompareWhat, filter: &ReportFilter) -> Result<Vec<CompareEntry>> {
        let mut out: Vec<CompareEntry> = Vec::new();
        match what {
            CompareWhat::Part(part) => {
                for row in self.coverage(filter)? {
                    let cell = &row.parts[Part::ALL.iter().position(|p| p == part).unwrap_or(0)];
                    if cell.status == "missing" {
                        continue;
                    }
                    out.push(CompareEntry {
                        report_id: row.report_id,
                        bureau: row.bureau,
                        year: row.year,
                        sections: Vec::new(),
                        headings: cell.sections.clone(),
                    });
                }
                // Section indices and titles, from the paths.
                let mut st = self
                    .conn
                    .prepare_cached("SELECT ord, title FROM sections WHERE report_id = ?1 AND path = ?2")?;
                for e in &mut out {
                    let paths = std::mem::take(&mut e.headings);
                    for p in paths {
                        if let Some((ord, title)) = st
                            .query_map(params![e.report_id, p], |r| {
                                Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?))
                            })?
                            .next()
                            .transpose()?
                        {
                            e.sections.push(ord as usize);
                            e.headings.push(format!("{p} {title}"));
                        }
                    }
                }
            }
            CompareWhat::Heading(phrase) => {
                let mut stmt = self.conn.prepare(
                    "SELECT s.report_id, b.name, r.year, s.ord, s.path, s.title
                     FROM sections s JOIN reports r ON r.id = s.report_id LEFT JOIN bureaus b ON b.id = r.bureau_id
                     WHERE instr(s.title, ?1) > 0 AND (?2 IS NULL OR r.year = ?2)
                     ORDER BY b.name IS NULL, b.name, r.year, s.report_id, s.ord",
                )?;
                let mut rows = stmt.query(params![phrase, filter.year])?;
                while let Some(r) = rows.next()? {
                    let (id, bureau, year): (i64, Option<String>, Option<i32>) = (r.get(0)?, r.get(1)?, r.get(2)?);
                    let (ord, path, title): (i64, String, String) = (r.get(3)?, r.get(4)?, r.get(5)?);
                    match out.last_mut() {
                        Some(last) if last.report_id == id => {
                            last.sections.push(ord as usize);
                            last.headings.push(format!("{path} {title}"));
                        }
                        _ if !filter.admits(bureau.as_deref()) => {}
                        _ => out.push(CompareEntry {
                            report_id: id,
                            bureau,
                            year,
                            sections: vec![ord as usize],
                            headings: vec![format!("{path} {title}")],
                        }),
                    }
                }
            }
        }
        out.retain(|e| !e.sections.is_empty());
        Ok(out)
    }

    /// Every measure with its counts, the most reported first. Every
    /// report's figure list is read: at 100k reports, 3.7 million figures.
    pub fn measures(&self) -> Result<Vec<MeasureRow>> {
        #[derive(Default)]
        struct Tally {
            figures: i64,
            reports: i64,
            last_report: i64,
            /// Each base unit and how many figures use it, first seen first.
            units: Vec<(String, i64)>,
            /// The reports, ascending (u32::MAX for an id that does not fit).
            ids: Vec<u32>,
        }
        let state = self.change_state()?;
        let mut tallies: HashMap<String, Tally> = HashMap::new();
        let mut stmt = self
            .conn
            .prepare("SELECT report_id, data FROM figures ORDER BY report_id")?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            let report: i64 = r.get(0)?;
            super::figures::for_each_value(r.get_ref(1)?, |_, f| {
                if f.measure.is_empty() {
                    return Ok(());
                }
                let t = match tallies.get_mut(f.measure) {
                    Some(t) => t,
                    None => tallies.entry(f.measure.to_string()).or_default(),
                };
                t.figures += 1;
                if t.reports == 0 || t.last_report != report {
                    t.reports += 1;
                    t.last_report = report;
                    t.ids.push(u32::try_from(report).unwrap_or(u32::MAX));
                }
                match t.units.iter_mut().find(|(u, _)| *u == f.base_unit) {
                    Some((_, n)) => *n += 1,
                    None => t.units.push((f.base_unit.to_string(), 1)),
                }
                Ok(())
            })
            .with_context(|| format!("report {report}: its stored figures are damaged"))?;
        }
        let mut reports = HashMap::with_capacity(tallies.len());
        let mut out: Vec<MeasureRow> = tallies
            .into_iter()
            .map(|(measure, mut t)| {
                reports.insert(measure.clone(), std::mem::take(&mut t.ids));
                // Stable: units used as often keep the order they came in.
                t.units.sort_by_key(|u| std::cmp::Reverse(u.1));
                MeasureRow {
                    measure,
                    figures: t.figures,
                    reports: t.reports,
                    units: t.units.into_iter().map(|u| u.0).collect::<Vec<_>>().join(" "),
                }
            })
            .collect();
        out.sort_by(|a, b| {
            (b.reports, b.figures)
                .cmp(&(a.reports, a.figures))
                .then_with(|| a.measure.cmp(&b.measure))
        });
        // Kept only where every id fits (SQLite's ids never pass u32 here).
        let fits = reports.values().all(|ids: &Vec<u32>| !ids.contains(&u32::MAX));
        *self.measure_reports.borrow_mut() = fits.then_some(MeasureReports { state, reports });
        Ok(out)
    }

    /// What changes when the index does: SQLite's data version (other
    /// connections' commits) and this connection's own changes.
    fn change_state(&self) -> Result<(i64, u64)> {
        Ok((self.data_version()?, self.conn.total_changes()))
    }

    /// The reports that hold figures of `measure`, if the last
    /// [`Store::measures`] read an index that has not changed since.
    fn reports_of_measure(&self, measure: &str) -> Result<Option<Vec<i64>>> {
        // The measures pass leaves out figures without a measure.
        if measure.is_empty() {
            return Ok(None);
        }
        let state = self.change_state()?;
        let cache = self.measure_reports.borrow();
        Ok(cache.as_ref().filter(|c| c.state == state).map(|c| {
            c.reports
                .get(measure)
                .map(|ids| ids.iter().map(|&id| i64::from(id)).collect())
                .unwrap_or_default()
        }))
    }

    /// The figures of one measure (the label is normalised first, so
    /// "办理婚姻登记" finds the 婚姻登记 group), by bureau and year.
    pub fn measure_group(&self, label: &str, filter: &ReportFilter) -> Result<Vec<GroupRow>> {
        let measure = crate::ingest::measure::measure(label);
        // The measure's figures first, then their reports in the listing's
        // order. When the measures were just counted, only the reports
        // holding it are read; otherwise one pass over every list, in the
        // order they are stored (reading every list in the listing's order
        // took twice as long at 100k reports). A list whose bytes lack the
        // measure is not decoded.
        let mut found: HashMap<i64, Vec<(usize, StoredFigure)>> = HashMap::new();
        let mut keep = |report: i64, value: rusqlite::types::ValueRef<'_>| -> Result<()> {
            let mut kept = Vec::new();
            super::figures::for_each_value_with(value, &measure, |i, f| {
                if f.measure == measure {
                    kept.push((i, f.to_owned()));
                }
                Ok(())
            })
            .with_context(|| format!("report {report}: its stored figures are damaged"))?;
            if !kept.is_empty() {
                found.insert(report, kept);
            }
            Ok(())
        };
        match self.reports_of_measure(&measure)? {
            Some(reports) => {
                let mut one = self
                    .conn
                    .prepare_cached("SELECT data FROM figures WHERE report_id = ?1")?;
                for report in reports {
                    let mut rows = one.query([report])?;
                    if let Some(r) = rows.next()? {
                        keep(report, r.get_ref(0)?)?;
                    }
                }
            }
            None => {
                let mut scan = self.conn.prepare("SELECT report_id, data FROM figures")?;
                let mut lists = scan.query([])?;
                while let Some(r) = lists.next()? {
                    keep(r.get(0)?, r.get_ref(1)?)?;
                }
            }
        }
        let mut stmt = self.conn.prepare(
            "SELECT r.id, b.name, r.year
             FROM reports r
             LEFT JOIN bureaus b ON b.id = r.bureau_id
             WHERE ?1 IS NULL OR r.year = ?1
             ORDER BY b.name IS NULL, b.name, r.year, r.id",
        )?;
        let mut texts = super::reader::TextCache::default();
        let mut rows = stmt.query(params![filter.year])?;
        let mut out: Vec<GroupRow> = Vec::new();
        while let Some(r) = rows.next()? {
            let report_id: i64 = r.get(0)?;
            let Some(kept) = found.remove(&report_id) else {
                continue;
            };
            let bureau: Option<String> = r.get(1)?;
            if !filter.admits(bureau.as_deref()) {
                continue;
            }
            let labels = self.section_labels(report_id)?;
            for (figure, f) in kept {
                out.push(GroupRow {
                    report_id,
                    figure,
                    bureau: bureau.clone(),
                    year: r.get(2)?,
                    measure: measure.clone(),
                    section_path: labels.get(f.section).map(|s| s.0.clone()),
                    sentence: texts.sentence(self, report_id, f.paragraph as i64, f.start as i64)?,
                    label: f.label,
                    text: f.text,
                    value: f.value,
                    unit: f.unit,
                    approx: f.approx,
                    base_value: f.base_value,
                    base_unit: f.base_unit,
                });
            }
        }
        Ok(out)
    }
}

/// A bureau name for display.
pub fn bureau_label(b: Option<&str>) -> &str {
    b.unwrap_or(UNKNOWN_BUREAU)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deadline_is_the_first_of_april() {
        assert_eq!(on_time(Some(2023), Some("2024-03-10")), Some(true));
        assert_eq!(on_time(Some(2023), Some("2024-04-01")), Some(true));
        assert_eq!(on_time(Some(2023), Some("2024-04-02")), Some(false));
        assert_eq!(on_time(Some(2024), Some("2024-12-20")), Some(true));
        assert_eq!(on_time(None, Some("2024-03-10")), None);
        assert_eq!(on_time(Some(2023), None), None);
    }
}
