//! Drawing the views across reports (compare, coverage, figures). Reads
//! the state only.

use super::app::{App, list_offset};
use super::keymap::Action;
use super::view::{Theme, highlighted, list_state};
use super::views::{PARTS, Screen};
use super::wrap::wrap;
use crate::cli::sanitize;
use crate::ingest::Part;
use crate::store::reader::year_label;
use crate::store::views::bureau_label;
use ratatui::Frame;
use ratatui::layout::{Constraint, Direction, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{
    Bar, BarChart, BarGroup, Cell, Clear, List, ListItem, Paragraph, Row, Sparkline, Table, TableState,
};

pub fn draw(f: &mut Frame<'_>, area: Rect, app: &App, t: &Theme) {
    let [body, status] = Layout::vertical([Constraint::Min(1), Constraint::Length(1)]).areas(area);
    match app.screen {
        Screen::Coverage => draw_coverage(f, body, app, t),
        Screen::Compare => draw_compare(f, body, app, t),
        Screen::Figures => draw_figures(f, body, app, t),
        Screen::Browse => {}
    }
    draw_status(f, status, app, t);
    if let Some(input) = &app.view_filter_input {
        let w = 50.min(area.width);
        let r = Rect::new(area.x + (area.width - w) / 2, area.y + area.height / 3, w, 3);
        f.render_widget(Clear, r);
        let text = format!("{}▏", sanitize(&input.text));
        f.render_widget(
            Paragraph::new(text).block(t.block(" region or department (民政, 湖北, 十堰 …) ".into(), true)),
            r,
        );
    }
}

/// "2023 · 湖北", or "all years" when nothing is filtered.
fn filter_label(app: &App) -> String {
    let d = app.view_filter.describe();
    let years = app.keymap.hint(Action::YearNext).unwrap_or_default();
    let filter = app.keymap.hint(Action::Filter).unwrap_or_default();
    if d.is_empty() {
        format!("all years ({years} year, {filter} region/department)")
    } else {
        format!("{d} ({years} year, {filter} region/department)")
    }
}

fn draw_status(f: &mut Frame<'_>, area: Rect, app: &App, t: &Theme) {
    let hint = |a: Action| app.keymap.hint(a).unwrap_or_default();
    let view_keys = match app.screen {
        Screen::Coverage => format!("{} open report", hint(Action::Enter)),
        Screen::Compare => format!(
            "{}/{} step · {} scroll · s side by side · {} open · {} choose again",
            hint(Action::Down),
            hint(Action::Up),
            hint(Action::PageDown),
            hint(Action::Enter),
            hint(Action::Compare)
        ),
        Screen::Figures => format!(
            "{} filter · {} table · s sort · {} open sentence",
            hint(Action::Filter),
            hint(Action::NextPane),
            hint(Action::Enter)
        ),
        Screen::Browse => String::new(),
    };
    let text = match &app.status {
        Some(msg) => sanitize(msg),
        None => format!(
            "{view_keys} · {} back · {} help",
            hint(Action::Escape),
            hint(Action::Help)
        ),
    };
    f.render_widget(
        Paragraph::new(Line::from(Span::styled(text, t.dim())))
            .style(Style::default().add_modifier(Modifier::REVERSED)),
        area,
    );
}

/// A part's cell: § section, ~ inline, - missing, with where it is.
fn part_cell<'a>(status: &str, sections: &[String], t: &Theme) -> Cell<'a> {
    match status {
        "section" => Cell::from(format!("§{}", sections.first().map_or("", String::as_str))),
        "inline" => Cell::from(Span::styled(
            format!("~{}", sections.first().map_or("", String::as_str)),
            t.accent(),
        )),
        _ => Cell::from(Span::styled("- 缺", missing_style(t))),
    }
}

fn missing_style(t: &Theme) -> Style {
    t.fg(Color::Red).add_modifier(Modifier::BOLD)
}

fn draw_coverage(f: &mut Frame<'_>, area: Rect, app: &App, t: &Theme) {
    let c = &app.coverage;
    let mut head = vec!["机构 bureau", "年度", "发布 published", "按时"];
    head.extend(PARTS.iter().map(|p| p.chinese()));
    let rows: Vec<Row> = c
        .rows
        .iter()
        .map(|r| {
            let mut cells = vec![
                Cell::from(sanitize(bureau_label(r.bureau.as_deref()))),
                Cell::from(year_label(r.year)),
                Cell::from(r.published.clone().unwrap_or_else(|| "?".into())),
                match r.on_time {
                    Some(true) => Cell::from("✓"),
                    Some(false) => Cell::from(Span::styled("迟 late", missing_style(t))),
                    None => Cell::from(Span::styled("?", t.dim())),
                },
            ];
            cells.extend(r.parts.iter().map(|p| part_cell(&p.status, &p.sections, t)));
            Row::new(cells)
        })
        .collect();
    let complete = c
        .rows
        .iter()
        .filter(|r| r.missing.iter().all(|p| *p == Part::Other))
        .count();
    let late = c.rows.iter().filter(|r| r.on_time == Some(false)).count();
    let title = if c.loading && c.rows.is_empty() {
        " 覆盖 coverage · loading… ".to_string()
    } else {
        format!(
            " 覆盖 coverage · {} reports · {complete} with the four required parts · {late} late · {} ",
            c.rows.len(),
            filter_label(app)
        )
    };
    let widths = [
        Constraint::Min(16),
        Constraint::Length(5),
        Constraint::Length(11),
        Constraint::Length(7),
        Constraint::Length(8),
        Constraint::Length(8),
        Constraint::Length(8),
        Constraint::Length(8),
        Constraint::Length(6),
    ];
    let table = Table::new(rows, widths)
        .header(Row::new(head).style(Style::default().add_modifier(Modifier::BOLD)))
        .block(t.block(title, true))
        .row_highlight_style(t.current());
    let mut st = TableState::default().with_selected(Some(c.sel));
    *st.offset_mut() = list_offset(c.sel, area.height.saturating_sub(3) as usize);
    f.render_stateful_widget(table, area, &mut st);
    if c.rows.is_empty() && !c.loading {
        let inner = Rect::new(area.x + 2, area.y + 2, area.width.saturating_sub(4), 1);
        f.render_widget(Paragraph::new("no report matches the filter"), inner);
    }
}

fn draw_compare(f: &mut Frame<'_>, area: Rect, app: &App, t: &Theme) {
    let c = &app.compare;
    let Some(what) = &c.what else {
        // The chooser.
        let mut lines = vec![
            Line::from("Read one statutory part across reports. Choose a part (1–5, ↑↓ Enter),"),
            Line::from("or type words of a heading and press Enter:"),
            Line::from(""),
        ];
        for (i, p) in PARTS.iter().enumerate() {
            let text = format!(" {}  {}  {}", i + 1, p.chinese(), p.name());
            lines.push(if i == c.choose.sel && c.choose.text.is_empty() {
                Line::from(Span::styled(text, t.current()))
            } else {
                Line::from(text)
            });
        }
        lines.push(Line::from(""));
        lines.push(Line::from(vec![
            Span::raw(" heading: "),
            Span::styled(format!("{}▏", sanitize(&c.choose.text)), t.accent()),
        ]));
        f.render_widget(
            Paragraph::new(lines).block(t.block(format!(" 对照 compare · {} ", filter_label(app)), true)),
            area,
        );
        return;
    };
    let list_w = (area.width / 3).clamp(20, 40);
    let [list_area, text_area] = Layout::horizontal([Constraint::Length(list_w), Constraint::Min(10)]).areas(area);
    let items: Vec<ListItem> = c
        .entries
        .iter()
        .enumerate()
        .map(|(i, e)| {
            let pin = if c.pinned == Some(i) { "◧ " } else { "" };
            ListItem::new(Line::from(vec![
                Span::raw(format!("{pin}{}", sanitize(bureau_label(e.bureau.as_deref())))),
                Span::styled(format!(" {}", year_label(e.year)), t.dim()),
            ]))
        })
        .collect();
    let title = if c.loading {
        " loading… ".to_string()
    } else {
        format!(" {} · {} reports ", what.describe(), c.entries.len())
    };
    f.render_stateful_widget(
        List::new(items)
            .block(t.block(title, true))
            .highlight_style(t.current()),
        list_area,
        &mut list_state(c.sel, list_area.height.saturating_sub(2) as usize),
    );
    if c.entries.is_empty() && !c.loading {
        f.render_widget(
            Paragraph::new("No report has this part (with this filter).")
                .block(t.block(" 对照 compare ".into(), false)),
            text_area,
        );
        return;
    }
    match c.pinned {
        Some(p) => {
            let [left, right] =
                Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)]).areas(text_area);
            draw_piece(f, left, app, p, t);
            draw_piece(f, right, app, c.sel, t);
        }
        None => draw_piece(f, text_area, app, c.sel, t),
    }
}

/// One entry's text in the compare view, scrolled by the shared offset.
fn draw_piece(f: &mut Frame<'_>, area: Rect, app: &App, entry: usize, t: &Theme) {
    let c = &app.compare;
    let Some(e) = c.entries.get(entry) else { return };
    let title = format!(
        " {} · {} · {} ",
        sanitize(bureau_label(e.bureau.as_deref())),
        year_label(e.year),
        sanitize(&e.headings.join(" / "))
    );
    let inner_w = area.width.saturating_sub(2) as usize;
    let mut lines: Vec<Line> = Vec::new();
    match c.piece(entry) {
        None => lines.push(Line::from(Span::styled("loading…", t.dim()))),
        Some(p) => {
            for (heading, text) in &p.lines {
                let text = sanitize(text);
                let style = if *heading {
                    Style::default().add_modifier(Modifier::BOLD)
                } else {
                    Style::default()
                };
                for r in wrap(&text, inner_w.max(4)) {
                    lines.push(Line::from(Span::styled(text[r].to_string(), style)));
                }
                lines.push(Line::from(""));
            }
        }
    }
    let scroll = c.scroll.min(lines.len().saturating_sub(1));
    let shown: Vec<Line> = lines.into_iter().skip(scroll).collect();
    f.render_widget(Paragraph::new(shown).block(t.block(title, false)), area);
}

/// 594000 → "594,000"; fractions kept.
fn grouped(v: f64) -> String {
    let s = crate::cli::number(v);
    let (int, frac) = s.split_once('.').map_or((s.as_str(), ""), |(a, b)| (a, b));
    let neg = int.starts_with('-');
    let digits: Vec<char> = int.trim_start_matches('-').chars().collect();
    let mut out = String::new();
    for (i, ch) in digits.iter().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(*ch);
    }
    format!(
        "{}{out}{}{frac}",
        if neg { "-" } else { "" },
        if frac.is_empty() { "" } else { "." }
    )
}

fn draw_figures(f: &mut Frame<'_>, area: Rect, app: &App, t: &Theme) {
    let g = &app.figs;
    let list_w = (area.width / 3).clamp(20, 36);
    let [list_area, right] = Layout::horizontal([Constraint::Length(list_w), Constraint::Min(10)]).areas(area);
    let items: Vec<ListItem> = g
        .shown
        .iter()
        .map(|(i, idx)| {
            let m = &g.measures[*i];
            let mut spans = highlighted(&sanitize(&m.measure), idx, t);
            spans.push(Span::styled(format!(" {}", m.reports), t.dim()));
            ListItem::new(Line::from(spans))
        })
        .collect();
    let title = if g.filtering || !g.filter.text.is_empty() {
        format!(" 指标 / filter: {}▏", sanitize(&g.filter.text))
    } else if g.loading && g.measures.is_empty() {
        " 指标 measures · loading… ".to_string()
    } else {
        format!(" 指标 measures {} ", g.shown.len())
    };
    f.render_stateful_widget(
        List::new(items)
            .block(t.block(title, !g.on_rows))
            .highlight_style(if g.on_rows {
                Style::default().add_modifier(Modifier::BOLD)
            } else {
                t.current()
            }),
        list_area,
        &mut list_state(g.msel, list_area.height.saturating_sub(2) as usize),
    );
    let trend = g.trend();
    let chart_h = if right.height >= 16 { right.height / 3 } else { 0 };
    let trend_h = if !trend.is_empty() && right.height >= 20 { 4 } else { 0 };
    let [table_area, chart_area, trend_area] = Layout::vertical([
        Constraint::Min(4),
        Constraint::Length(chart_h),
        Constraint::Length(trend_h),
    ])
    .areas(right);
    // The table.
    let rows: Vec<Row> = g
        .rows
        .iter()
        .map(|r| {
            Row::new(vec![
                Cell::from(sanitize(bureau_label(r.bureau.as_deref()))),
                Cell::from(year_label(r.year)),
                Cell::from(Line::from(grouped(r.base_value)).right_aligned()),
                Cell::from(format!("{} {}", r.base_unit, r.approx.as_deref().unwrap_or(""))),
                Cell::from(sanitize(&format!("{} {}", r.label, r.text))),
            ])
        })
        .collect();
    let title = match &g.current {
        Some(m) if g.loading => format!(" {} · loading… ", sanitize(m)),
        Some(m) => format!(
            " {} · {} figures · sorted by {} · {} ",
            sanitize(m),
            g.rows.len(),
            g.sort.name(),
            filter_label(app)
        ),
        None => " figures ".to_string(),
    };
    let table = Table::new(
        rows,
        [
            Constraint::Min(14),
            Constraint::Length(5),
            Constraint::Length(15),
            Constraint::Length(8),
            Constraint::Min(10),
        ],
    )
    .header(
        Row::new(vec!["机构 bureau", "年度", "值 value", "单位", "原文 as written"])
            .style(Style::default().add_modifier(Modifier::BOLD)),
    )
    .block(t.block(title, g.on_rows))
    .row_highlight_style(if g.on_rows {
        t.current()
    } else {
        Style::default().add_modifier(Modifier::BOLD)
    });
    let mut st = TableState::default().with_selected(Some(g.sel));
    *st.offset_mut() = list_offset(g.sel, table_area.height.saturating_sub(3) as usize);
    f.render_stateful_widget(table, table_area, &mut st);
    // The bar chart: the rows in the table's order from the selection on,
    // as many as fit, one unit only (the selected row's).
    if chart_h > 2 {
        let unit = g.rows.get(g.sel).map(|r| r.base_unit.clone()).unwrap_or_default();
        let fit = chart_h.saturating_sub(2) as usize;
        let start = g.sel.min(g.rows.len().saturating_sub(fit));
        let bars: Vec<Bar> = g
            .rows
            .iter()
            .enumerate()
            .skip(start)
            .filter(|(_, r)| r.base_unit == unit)
            .take(fit)
            .map(|(i, r)| {
                let label = format!("{} {}", sanitize(bureau_label(r.bureau.as_deref())), year_label(r.year));
                let bar = Bar::default()
                    .value(r.base_value.max(0.0).round() as u64)
                    .text_value(grouped(r.base_value))
                    .label(Line::from(label));
                if i == g.sel {
                    bar.style(t.accent().add_modifier(Modifier::BOLD))
                } else {
                    bar
                }
            })
            .collect();
        let chart = BarChart::default()
            .direction(Direction::Horizontal)
            .bar_width(1)
            .bar_gap(0)
            .bar_style(t.fg(t.c.figure))
            .data(BarGroup::new(bars))
            .block(t.block(
                format!(" {} ({unit}) ", sanitize(g.current.as_deref().unwrap_or(""))),
                false,
            ));
        f.render_widget(chart, chart_area);
    }
    if trend_h > 0 {
        let who = g
            .rows
            .get(g.sel)
            .map(|r| sanitize(bureau_label(r.bureau.as_deref())))
            .unwrap_or_default();
        let data: Vec<u64> = trend.iter().map(|(_, v)| v.max(0.0).round() as u64).collect();
        let years = format!(
            " {who} {}–{}: {} ",
            trend[0].0,
            trend[trend.len() - 1].0,
            trend.iter().map(|(_, v)| grouped(*v)).collect::<Vec<_>>().join(" → ")
        );
        f.render_widget(
            Sparkline::default()
                .data(&data)
                .style(t.accent())
                .block(t.block(years, false)),
            trend_area,
        );
    }
}
