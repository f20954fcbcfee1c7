//! Drawing: reads the state, never the database. Highlights use bold and
//! underline as well as colour, so they show under NO_COLOR.

use super::app::{App, Mode, TreeRow, list_offset};
use super::doc::{LineKind, Mark};
use super::keymap::Action;
use super::layout::Pane;
use super::theme::Colors;
use super::wrap::width;
use crate::cli::sanitize;
use crate::ingest::Part;
use crate::store::reader::year_label;
use ratatui::Frame;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Borders, Clear, List, ListItem, ListState, Paragraph};

/// How this frame paints: the theme's colours, or none under `NO_COLOR`.
pub(super) struct Theme {
    pub(super) color: bool,
    pub(super) c: Colors,
}

impl Theme {
    pub(super) fn fg(&self, c: Color) -> Style {
        if self.color {
            Style::default().fg(c)
        } else {
            Style::default()
        }
    }
    pub(super) fn figure(&self) -> Style {
        self.fg(self.c.figure)
            .add_modifier(Modifier::BOLD | Modifier::UNDERLINED)
    }
    pub(super) fn current(&self) -> Style {
        Style::default().add_modifier(Modifier::REVERSED | Modifier::BOLD)
    }
    pub(super) fn matched(&self) -> Style {
        self.fg(self.c.matched)
            .add_modifier(Modifier::BOLD | Modifier::UNDERLINED)
    }
    pub(super) fn accent(&self) -> Style {
        self.fg(self.c.accent)
    }
    pub(super) fn dim(&self) -> Style {
        if self.color {
            Style::default().fg(self.c.dim)
        } else {
            Style::default().add_modifier(Modifier::DIM)
        }
    }
    pub(super) fn block<'a>(&self, title: String, focused: bool) -> Block<'a> {
        let b = Block::default().borders(Borders::ALL).title(title);
        if focused {
            b.border_type(BorderType::Thick)
                .border_style(self.accent().add_modifier(Modifier::BOLD))
        } else {
            b.border_style(self.dim())
        }
    }
}

pub fn draw(f: &mut Frame<'_>, app: &App) {
    let t = Theme {
        color: app.color,
        c: app.theme.colors(),
    };
    let area = f.area();
    if app.bureaus.is_empty() {
        draw_empty(f, area, app, &t);
        return;
    }
    if app.screen != super::views::Screen::Browse {
        super::draw_views::draw(f, area, app, &t);
        if app.mode == Mode::Help {
            draw_help(f, area, app, &t);
        }
        return;
    }
    let p = app.panes;
    if let Some(r) = p.bureaus {
        draw_bureaus(f, r, app, &t);
    }
    if let Some(r) = p.outline {
        draw_outline(f, r, app, &t);
    }
    if let Some(r) = p.text {
        draw_text(f, r, app, &t);
    }
    if let Some(r) = p.figures {
        draw_figures(f, r, app, &t);
    }
    draw_status(f, p.status, app, &t);
    match app.mode {
        Mode::Help => draw_help(f, area, app, &t),
        Mode::Palette => draw_palette(f, area, app, &t),
        Mode::Search => draw_search(f, area, app, &t),
        Mode::Normal | Mode::Filter => {}
    }
}

fn draw_empty(f: &mut Frame<'_>, area: Rect, app: &App, t: &Theme) {
    let text = vec![
        Line::from(Span::styled(
            "The index is empty.",
            Style::default().add_modifier(Modifier::BOLD),
        )),
        Line::from(""),
        Line::from("Index a folder of reports, then open fazhi again:"),
        Line::from(""),
        Line::from("    fazhi index FOLDER"),
        Line::from(""),
        Line::from("or index and open in one go:  fazhi FOLDER"),
        Line::from(""),
        Line::from(Span::styled(
            app.keymap
                .hint(Action::Quit)
                .map_or(String::new(), |k| format!("{k} to quit")),
            t.dim(),
        )),
    ];
    f.render_widget(Paragraph::new(text).block(t.block(" fazhi ".into(), true)), area);
}

pub(super) fn list_state(sel: usize, height: usize) -> ListState {
    ListState::default()
        .with_selected(Some(sel))
        .with_offset(list_offset(sel, height))
}

fn draw_bureaus(f: &mut Frame<'_>, area: Rect, app: &App, t: &Theme) {
    let rows = app.tree_rows();
    let current = app.report.as_ref().map(|r| r.id);
    let shown = app.shown_bureaus();
    // Matched characters per bureau, for highlighting (pinyin matches too);
    // nothing to look up without a filter.
    let matched: std::collections::HashMap<usize, &Vec<usize>> = if app.filter.text.trim().is_empty() {
        std::collections::HashMap::new()
    } else {
        shown.iter().map(|(bi, m)| (*bi, m)).collect()
    };
    // Only the rows in view become list items: with thousands of bureaus,
    // building (and measuring) every item took most of each frame.
    let height = area.height.saturating_sub(2) as usize;
    let offset = list_offset(app.tree_sel, height);
    let items: Vec<ListItem> = rows
        .iter()
        .skip(offset)
        .take(height.max(1))
        .map(|row| match *row {
            TreeRow::Group(bi) => ListItem::new(Line::from(Span::styled(
                format!("■ {}", app.grouping.key(&app.bureaus[bi])),
                t.accent().add_modifier(Modifier::BOLD),
            ))),
            TreeRow::Bureau(bi) => {
                let b = &app.bureaus[bi];
                let open = if app.expanded.contains(&b.id) || !app.filter.text.is_empty() {
                    "▾"
                } else {
                    "▸"
                };
                let mut spans = vec![Span::raw(format!("{open} "))];
                let indices = matched.get(&bi).map_or(&[][..], |v| v.as_slice());
                spans.extend(highlighted(&sanitize(&b.name), indices, t));
                spans.push(Span::styled(format!(" {}", b.reports.len()), t.dim()));
                ListItem::new(Line::from(spans))
            }
            TreeRow::Report(bi, ri) => {
                let r = &app.bureaus[bi].reports[ri];
                let year = r.year.map_or("年份不明".to_string(), |y| format!("{y}年"));
                let mark = if Some(r.id) == current { "●" } else { " " };
                ListItem::new(Line::from(format!("   {mark} {year}")))
            }
        })
        .collect();
    let n: usize = app.bureaus.iter().map(|b| b.reports.len()).sum();
    let title = if app.mode == Mode::Filter || !app.filter.text.is_empty() {
        format!(" 机构 / filter: {}▏", sanitize(&app.filter.text))
    } else if app.grouping != super::app::Grouping::None {
        format!(" 机构 {} · 报告 {n} · {} ", app.bureaus.len(), app.grouping.name())
    } else {
        format!(" 机构 {} · 报告 {n} ", app.bureaus.len())
    };
    let focused = app.focus == Pane::Bureaus;
    let list = List::new(items)
        .block(t.block(title, focused))
        .highlight_style(if focused {
            t.current()
        } else {
            Style::default().add_modifier(Modifier::BOLD)
        });
    let mut st = ListState::default().with_selected(Some(app.tree_sel.saturating_sub(offset)));
    f.render_stateful_widget(list, area, &mut st);
    if app.mode == Mode::Filter {
        let x = area.x + 1 + width(" 机构 / filter: ") as u16 + width(&app.filter.text) as u16;
        f.set_cursor_position((x.min(area.right().saturating_sub(2)), area.y));
    }
}

fn part_name(p: Part) -> &'static str {
    p.chinese()
}

fn draw_outline(f: &mut Frame<'_>, area: Rect, app: &App, t: &Theme) {
    let focused = app.focus == Pane::Outline;
    let Some(r) = &app.report else {
        f.render_widget(Paragraph::new("").block(t.block(" 目录 ".into(), focused)), area);
        return;
    };
    let inner = Rect::new(
        area.x + 1,
        area.y + 1,
        area.width.saturating_sub(2),
        area.height.saturating_sub(2),
    );
    f.render_widget(t.block(format!(" 目录 · {} 节 ", r.sections.len()), focused), area);
    // Coverage of the statutory parts: ✓ a section, ~ inline only, ✗ missing.
    let mut cov: Vec<Span> = Vec::new();
    for p in Part::ALL {
        let status = r
            .parts
            .get(p.name())
            .and_then(|v| v.get("status"))
            .and_then(|s| s.as_str())
            .unwrap_or("missing");
        let (sym, style) = match status {
            "section" => ("✓", t.fg(t.c.covered)),
            "inline" => ("~", t.fg(t.c.inline)),
            _ => ("✗", t.fg(t.c.missing).add_modifier(Modifier::BOLD)),
        };
        cov.push(Span::styled(format!("{sym}{} ", part_name(p)), style));
    }
    if inner.height == 0 {
        return;
    }
    f.render_widget(
        Paragraph::new(Line::from(cov)),
        Rect::new(inner.x, inner.y, inner.width, 1),
    );
    let rows = app.outline_rows();
    let items: Vec<ListItem> = rows
        .iter()
        .map(|&i| {
            let s = &r.sections[i];
            let has_children = app.has_children.get(i).copied().unwrap_or(false);
            let fold = match (has_children, app.collapsed.contains(&i)) {
                (false, _) => " ",
                (true, true) => "▸",
                (true, false) => "▾",
            };
            let mut spans = vec![Span::raw(format!(
                "{}{fold}{}{}",
                "  ".repeat(s.level as usize - 1),
                sanitize(&s.number),
                sanitize(&s.title)
            ))];
            if !s.parts.is_empty() {
                let tags: Vec<&str> = s.parts.iter().map(|p| part_name(*p)).collect();
                spans.push(Span::styled(format!(" [{}]", tags.join("·")), t.dim()));
            }
            ListItem::new(Line::from(spans))
        })
        .collect();
    let list_area = Rect::new(inner.x, inner.y + 1, inner.width, inner.height.saturating_sub(1));
    let list = List::new(items).highlight_style(if focused {
        t.current()
    } else {
        Style::default().add_modifier(Modifier::BOLD)
    });
    let mut st = list_state(app.outline_sel, list_area.height as usize);
    f.render_stateful_widget(list, list_area, &mut st);
}

fn draw_text(f: &mut Frame<'_>, area: Rect, app: &App, t: &Theme) {
    let focused = app.focus == Pane::Text;
    let title = match &app.report {
        Some(r) => format!(
            " {} · {} ",
            sanitize(r.bureau.as_deref().unwrap_or(crate::store::reader::UNKNOWN_BUREAU)),
            r.year.map_or("年份不明".to_string(), |y| format!("{y}年度"))
        ),
        None if app.loading.is_some() => " loading… ".into(),
        None => " 正文 ".into(),
    };
    let h = area.height.saturating_sub(2) as usize;
    let visual = app.visual.zip(app.cursor_para()).map(|(a, b)| (a.min(b), a.max(b)));
    let mut lines: Vec<Line> = Vec::with_capacity(h);
    for (i, l) in app.doc.lines.iter().enumerate().skip(app.scroll).take(h) {
        let mut base = match l.kind {
            LineKind::Heading { level: 1, .. } => t.accent().add_modifier(Modifier::BOLD),
            LineKind::Heading { .. } => Style::default().add_modifier(Modifier::BOLD),
            _ => Style::default(),
        };
        if let (Some((a, b)), LineKind::Para { para }) = (visual, l.kind)
            && para >= a
            && para <= b
        {
            base = base.add_modifier(Modifier::REVERSED);
        }
        let mut spans: Vec<Span> = Vec::new();
        // The cursor: a bar in the left margin.
        let bar = if i == app.cursor && focused { "▌" } else { " " };
        spans.push(Span::styled(bar, t.accent()));
        let mut at = 0;
        let mut marks = l.marks.clone();
        marks.sort_by_key(|(r, _)| r.start);
        for (r, m) in marks {
            if r.start < at {
                continue;
            }
            spans.push(Span::styled(l.text[at..r.start].to_string(), base));
            let style = match m {
                Mark::Figure(fi) if Some(fi) == app.current_figure => t.current(),
                Mark::Figure(_) => t.figure(),
                Mark::Match => t.matched(),
            };
            spans.push(Span::styled(l.text[r.clone()].to_string(), base.patch(style)));
            at = r.end;
        }
        spans.push(Span::styled(l.text[at..].to_string(), base));
        lines.push(Line::from(spans));
    }
    let block = t.block(title, focused);
    f.render_widget(Paragraph::new(lines).block(block), area);
}

fn draw_figures(f: &mut Frame<'_>, area: Rect, app: &App, t: &Theme) {
    let focused = app.focus == Pane::Figures;
    let Some(r) = &app.report else { return };
    let items: Vec<ListItem> = r
        .figures
        .iter()
        .map(|fig| {
            ListItem::new(Line::from(vec![
                Span::styled(sanitize(&fig.text), t.figure()),
                Span::raw(" "),
                Span::raw(sanitize(&fig.label)),
            ]))
        })
        .collect();
    let list = List::new(items)
        .block(t.block(format!(" 数据 · {} ", r.figures.len()), focused))
        .highlight_style(if focused {
            t.current()
        } else {
            Style::default().add_modifier(Modifier::BOLD)
        });
    let mut st = list_state(app.fig_sel, area.height.saturating_sub(2) as usize);
    f.render_stateful_widget(list, area, &mut st);
}

fn draw_status(f: &mut Frame<'_>, area: Rect, app: &App, t: &Theme) {
    let mut spans: Vec<Span> = Vec::new();
    if let Some(msg) = &app.status {
        spans.push(Span::styled(
            sanitize(msg),
            Style::default().add_modifier(Modifier::BOLD),
        ));
    } else if let Some(r) = &app.report {
        let sec = app.cursor_section().map(|s| {
            let s = &r.sections[s];
            format!("{} {}", s.path, sanitize(&s.title))
        });
        spans.push(Span::raw(format!(
            "{} · {} · {} · {}/{}",
            sanitize(r.bureau.as_deref().unwrap_or("?")),
            year_label(r.year),
            sec.unwrap_or_else(|| "前言".into()),
            app.cursor + 1,
            app.doc.lines.len()
        )));
    }
    // The user's own keys (the config file can move any of them).
    let hints: String = [
        (Action::Help, "help"),
        (Action::Palette, "jump"),
        (Action::Search, "search"),
        (Action::CopyExcerpt, "copy"),
        (Action::Quit, "quit"),
    ]
    .iter()
    .filter_map(|&(a, what)| app.keymap.hint(a).map(|k| format!("{k} {what}")))
    .collect::<Vec<_>>()
    .join(" · ");
    let hints = format!("  {hints}");
    let used = spans.iter().map(|s| width(&s.content)).sum::<usize>();
    if used + width(&hints) <= area.width as usize {
        spans.push(Span::styled(hints, t.dim()));
    }
    f.render_widget(
        Paragraph::new(Line::from(spans)).style(Style::default().add_modifier(Modifier::REVERSED)),
        area,
    );
}

fn popup(area: Rect, w: u16, h: u16) -> Rect {
    let w = w.min(area.width);
    let h = h.min(area.height);
    Rect::new(area.x + (area.width - w) / 2, area.y + (area.height - h) / 3, w, h)
}

/// Clears a popup's area, first blanking wide characters cut by its left
/// or right edge so no half character is left on screen.
fn clear_popup(f: &mut Frame<'_>, r: Rect) {
    blank_cut_wide_chars(f.buffer_mut(), r);
    f.render_widget(Clear, r);
}

fn blank_cut_wide_chars(buf: &mut Buffer, r: Rect) {
    for y in r.top()..r.bottom() {
        // A wide character starting just left of the popup spills into it.
        if r.x > buf.area.x {
            let x = r.x - 1;
            if width(buf[(x, y)].symbol()) > 1 {
                buf[(x, y)].set_symbol(" ");
            }
        }
        // A wide character starting on the popup's last column spills out.
        let last = r.right().saturating_sub(1);
        if last < buf.area.right() && width(buf[(last, y)].symbol()) > 1 && r.right() < buf.area.right() {
            buf[(r.right(), y)].set_symbol(" ");
        }
    }
}

pub(super) fn draw_help(f: &mut Frame<'_>, area: Rect, app: &App, t: &Theme) {
    let scroll = app.help_scroll;
    let rows = app.keymap.help_rows();
    // The key column is as wide as the longest key list.
    let key_width = rows.iter().map(|(k, _)| width(k)).max().unwrap_or(0).max(12) + 2;
    let mut lines: Vec<Line> = rows
        .iter()
        .map(|(k, d)| {
            Line::from(vec![
                Span::styled(
                    format!("{k}{}", " ".repeat(key_width - width(k))),
                    Style::default().add_modifier(Modifier::BOLD),
                ),
                Span::raw(*d),
            ])
        })
        .collect();
    lines.push(Line::from(""));
    lines.push(Line::from(Span::styled(
        "Palette: @ bureaus  ! reports  # sections  $ figures · ↑↓ Ctrl-N/P choose · Enter go · Esc close",
        t.dim(),
    )));
    lines.push(Line::from(Span::styled(
        "Mouse: click to focus and select, wheel to scroll · any key closes this help",
        t.dim(),
    )));
    let r = popup(area, 96, lines.len() as u16 + 2);
    clear_popup(f, r);
    // On small screens the list scrolls (j/k); the title says so.
    let visible = r.height.saturating_sub(2) as usize;
    let max_scroll = lines.len().saturating_sub(visible);
    let scroll = scroll.min(max_scroll);
    let title = if max_scroll > 0 {
        " keys · j/k scroll ".to_string()
    } else {
        " keys ".to_string()
    };
    f.render_widget(
        Paragraph::new(lines)
            .scroll((scroll as u16, 0))
            .block(t.block(title, true)),
        r,
    );
}

pub(super) fn highlighted(text: &str, indices: &[usize], t: &Theme) -> Vec<Span<'static>> {
    text.chars()
        .enumerate()
        .map(|(i, c)| {
            if indices.contains(&i) {
                Span::styled(c.to_string(), t.matched())
            } else {
                Span::raw(c.to_string())
            }
        })
        .collect()
}

/// A popup with a title and an input line, the cursor at the end of the
/// input (at its display column, so input methods compose in place).
/// Returns the area inside the border, or None when there is no room.
fn input_popup(f: &mut Frame<'_>, area: Rect, t: &Theme, title: &str, prompt: String) -> Option<Rect> {
    let r = popup(
        area,
        area.width.saturating_sub(8).min(110),
        area.height.saturating_sub(4).min(24),
    );
    clear_popup(f, r);
    let block = t.block(title.to_string(), true);
    let inner = block.inner(r);
    f.render_widget(block, r);
    if inner.height == 0 {
        return None;
    }
    let cursor_x = inner.x + (width(&prompt) as u16).min(inner.width.saturating_sub(1));
    f.render_widget(Paragraph::new(prompt), Rect::new(inner.x, inner.y, inner.width, 1));
    f.set_cursor_position((cursor_x, inner.y));
    Some(inner)
}

fn draw_palette(f: &mut Frame<'_>, area: Rect, app: &App, t: &Theme) {
    let Some(inner) = input_popup(
        f,
        area,
        t,
        " jump to · @机构 !报告 #章节 $数据 ",
        format!("› {}", sanitize(&app.palette.text)),
    ) else {
        return;
    };
    let items: Vec<ListItem> = app
        .palette_hits
        .iter()
        .map(|h| {
            let kind = match h.item.kind {
                crate::search::palette::Kind::Bureau => "机构",
                crate::search::palette::Kind::Report => "报告",
                crate::search::palette::Kind::Section => "章节",
                crate::search::palette::Kind::Figure => "数据",
            };
            let mut spans = vec![Span::styled(format!("{kind} "), t.dim())];
            spans.extend(highlighted(&sanitize(&h.item.text), &h.indices, t));
            spans.push(Span::styled(format!("  {}", sanitize(&h.item.location)), t.dim()));
            ListItem::new(Line::from(spans))
        })
        .collect();
    let list_area = Rect::new(inner.x, inner.y + 1, inner.width, inner.height.saturating_sub(1));
    if items.is_empty() {
        let msg = if app.palette.text.is_empty() {
            "type to search"
        } else if app.palette_answered != app.palette.seq {
            // On a large index the first query also waits for the items.
            "matching…"
        } else {
            "no match"
        };
        f.render_widget(Paragraph::new(Span::styled(msg, t.dim())), list_area);
        return;
    }
    let list = List::new(items).highlight_style(t.current());
    let mut st = list_state(app.palette.sel, list_area.height as usize);
    f.render_stateful_widget(list, list_area, &mut st);
}

fn draw_search(f: &mut Frame<'_>, area: Rect, app: &App, t: &Theme) {
    let Some(inner) = input_popup(
        f,
        area,
        t,
        " search all reports ",
        format!("/ {}", sanitize(&app.search.text)),
    ) else {
        return;
    };
    let list_area = Rect::new(inner.x, inner.y + 1, inner.width, inner.height.saturating_sub(1));
    if app.search_hits.is_empty() {
        let msg = if app.search.text.is_empty() {
            "type words; all must occur"
        } else {
            "no paragraph matches"
        };
        f.render_widget(Paragraph::new(Span::styled(msg, t.dim())), list_area);
        return;
    }
    let items: Vec<ListItem> = app
        .search_hits
        .iter()
        .map(|h| {
            let head = format!(
                "{} · {} · {}",
                sanitize(h.bureau.as_deref().unwrap_or("?")),
                year_label(h.year),
                h.section_path.as_deref().unwrap_or("前言")
            );
            let snippet = sanitize(&h.snippet);
            let mut spans = vec![Span::styled(format!("{head}  "), t.dim())];
            let mut at = 0;
            for m in &h.matches {
                let (s, e) = (m[0], m[1]);
                if s < at || e > snippet.len() || !snippet.is_char_boundary(s) || !snippet.is_char_boundary(e) {
                    continue;
                }
                spans.push(Span::raw(snippet[at..s].to_string()));
                spans.push(Span::styled(snippet[s..e].to_string(), t.matched()));
                at = e;
            }
            spans.push(Span::raw(snippet[at..].to_string()));
            ListItem::new(Line::from(spans))
        })
        .collect();
    let list = List::new(items).highlight_style(t.current());
    let mut st = list_state(app.search.sel, list_area.height as usize);
    f.render_stateful_widget(list, list_area, &mut st);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn popup_edges_leave_no_half_characters() {
        let mut buf = Buffer::empty(Rect::new(0, 0, 12, 1));
        buf.set_string(0, 0, "一二三四五六", Style::default());
        // A popup over columns 3..7 cuts 二 (2–3) on the left and 四 (6–7) on the right.
        blank_cut_wide_chars(&mut buf, Rect::new(3, 0, 4, 1));
        assert_eq!(buf[(2, 0)].symbol(), " ");
        assert_eq!(buf[(7, 0)].symbol(), " ");
        assert_eq!(buf[(0, 0)].symbol(), "一");
        assert_eq!(buf[(8, 0)].symbol(), "五");
    }
}
