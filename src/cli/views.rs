//! `fazhi audit` and `fazhi figures --group`: the coverage table and
//! figures grouped by measure, as text, CSV or JSON.

use super::Global;
use super::commands::open_reader;
use super::output::{Out, csv_row};
use crate::ingest::Part;
use crate::store::reader::year_label;
use crate::store::views::{CoverageRow, ReportFilter, bureau_label};
use anyhow::Result;

/// §, ~ or - for a part's status.
fn mark(status: &str) -> &'static str {
    match status {
        "section" => "§",
        "inline" => "~",
        _ => "-",
    }
}

fn on_time_label(r: &CoverageRow) -> &'static str {
    match r.on_time {
        Some(true) => "yes",
        Some(false) => "LATE",
        None => "?",
    }
}

pub fn audit(g: &Global, filter: &ReportFilter, json: bool, csv: bool, out: &mut Out) -> Result<u8> {
    let store = open_reader(g)?;
    let rows = store.coverage(filter)?;
    if json {
        out.line(&serde_json::to_string_pretty(&rows)?)?;
        return Ok(0);
    }
    if csv {
        let mut head = vec!["bureau", "year", "published", "on_time"];
        for p in Part::ALL {
            head.push(p.name());
        }
        head.extend(["missing", "path"]);
        out.line(&csv_row(&head))?;
        for r in &rows {
            let cells: Vec<String> = r
                .parts
                .iter()
                .map(|c| {
                    if c.sections.is_empty() {
                        c.status.clone()
                    } else {
                        format!("{} {}", c.status, c.sections.join(" "))
                    }
                })
                .collect();
            let missing: Vec<&str> = r.missing.iter().map(|p| p.name()).collect();
            let mut line = vec![
                bureau_label(r.bureau.as_deref()).to_string(),
                r.year.map_or(String::new(), |y| y.to_string()),
                r.published.clone().unwrap_or_default(),
                match r.on_time {
                    Some(b) => b.to_string(),
                    None => String::new(),
                },
            ];
            line.extend(cells);
            line.push(missing.join(" "));
            line.push(r.path.clone());
            out.line(&csv_row(&line.iter().map(String::as_str).collect::<Vec<_>>()))?;
        }
        return Ok(0);
    }
    let heads: Vec<&str> = Part::ALL.iter().map(|p| p.chinese()).collect();
    out.line(&format!(
        "{}  year  published   on time  {}",
        pad("bureau", 24),
        heads.join("  ")
    ))?;
    for r in &rows {
        let cells: Vec<String> = r
            .parts
            .iter()
            .map(|c| {
                let text = format!("{}{}", mark(&c.status), c.sections.first().map_or("", String::as_str));
                pad(&text, crate::tui::wrap::width(c.part.chinese()))
            })
            .collect();
        out.line(&format!(
            "{}  {:<4}  {:<10}  {:<7}  {}",
            pad(&crate::cli::sanitize(bureau_label(r.bureau.as_deref())), 24),
            year_label(r.year),
            r.published.as_deref().unwrap_or("?"),
            on_time_label(r),
            cells.join("  ")
        ))?;
    }
    let complete = rows
        .iter()
        .filter(|r| r.missing.iter().all(|p| *p == Part::Other))
        .count();
    let late = rows.iter().filter(|r| r.on_time == Some(false)).count();
    out.err(&format!(
        "{} reports · {complete} cover the four required parts · {late} published after 1 April · § section, ~ inline, - missing",
        rows.len()
    ));
    Ok(0)
}

/// `s` padded with spaces to `w` display columns.
fn pad(s: &str, w: usize) -> String {
    let have = crate::tui::wrap::width(s);
    format!("{s}{}", " ".repeat(w.saturating_sub(have)))
}

/// A value without float noise: 594000, 12.75.
pub fn number(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        format!("{v}")
    }
}

#[allow(clippy::too_many_arguments)]
pub fn figure_groups(
    g: &Global,
    label: Option<&str>,
    filter: &ReportFilter,
    bureau: Option<&str>,
    limit: Option<usize>,
    json: bool,
    csv: bool,
    out: &mut Out,
) -> Result<u8> {
    let store = open_reader(g)?;
    let Some(label) = label else {
        let mut rows = store.measures()?;
        rows.truncate(limit.unwrap_or(usize::MAX));
        if json {
            out.line(&serde_json::to_string_pretty(&rows)?)?;
        } else if csv {
            out.line(&csv_row(&["measure", "reports", "figures", "units"]))?;
            for r in &rows {
                out.line(&csv_row(&[
                    &r.measure,
                    &r.reports.to_string(),
                    &r.figures.to_string(),
                    &r.units,
                ]))?;
            }
        } else {
            for r in &rows {
                out.line(&format!(
                    "{:>5} report(s) {:>6} figure(s)  {}  ({})",
                    r.reports, r.figures, r.measure, r.units
                ))?;
            }
        }
        return Ok(0);
    };
    let mut rows = store.measure_group(label, filter)?;
    if let Some(b) = bureau {
        rows.retain(|r| r.bureau.as_deref().is_some_and(|n| n.contains(b)));
    }
    rows.truncate(limit.unwrap_or(usize::MAX));
    if json {
        out.line(&serde_json::to_string_pretty(&rows)?)?;
    } else if csv {
        out.line(&csv_row(&[
            "measure",
            "bureau",
            "year",
            "label",
            "text",
            "value",
            "unit",
            "approx",
            "base_value",
            "base_unit",
            "section",
            "sentence",
        ]))?;
        for r in &rows {
            out.line(&csv_row(&[
                &r.measure,
                bureau_label(r.bureau.as_deref()),
                &r.year.map_or(String::new(), |y| y.to_string()),
                &r.label,
                &r.text,
                &number(r.value),
                &r.unit,
                r.approx.as_deref().unwrap_or(""),
                &number(r.base_value),
                &r.base_unit,
                r.section_path.as_deref().unwrap_or(""),
                &r.sentence,
            ]))?;
        }
    } else {
        for r in &rows {
            out.line(&format!(
                "{} · {}  {:>14} {}{}  {}  ({})",
                crate::cli::sanitize(bureau_label(r.bureau.as_deref())),
                year_label(r.year),
                number(r.base_value),
                r.base_unit,
                r.approx.as_deref().map(|a| format!(" [{a}]")).unwrap_or_default(),
                r.label,
                r.text
            ))?;
        }
        let measure = crate::ingest::measure::measure(label);
        out.err(&format!("{} figures measuring {measure}", rows.len()));
    }
    Ok(0)
}
