//! The browser's state (plain data) and `update`: key events become
//! actions, actions change the state and may ask for effects (load a
//! report, run a query, copy), which the event loop carries out off the UI
//! thread and feeds back as responses.

use super::doc::{self, Doc, LineKind};
use super::keymap::{Action, Keymap};
use super::layout::{Pane, Panes, panes};
use super::theme::Theme;
use super::views::{CompareState, CoverageState, FiguresState, Screen, ViewData, ViewQuery};
use crate::search::palette::{Hit as PaletteHit, Target};
use crate::search::pinyin::Pinyin;
use crate::store::reader::{BureauRow, Hit as SearchHit, StoredReport};
use crate::store::views::ReportFilter;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers, MouseButton, MouseEvent, MouseEventKind};
use fuzzy_matcher::skim::SkimMatcherV2;
use ratatui::layout::Rect;
use std::cell::RefCell;
use std::collections::BTreeSet;
use std::sync::Arc;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Normal,
    Filter,
    Palette,
    Search,
    Help,
}

/// Where to go once a report is loaded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Jump {
    Start,
    Section(usize),
    Figure(usize),
    /// A search hit: the paragraph, with the query's terms highlighted.
    Paragraph(usize, Vec<String>),
}

/// Work for the event loop.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    LoadReport { id: i64, jump: Jump },
    Palette { seq: u64, query: String },
    Search { seq: u64, query: String },
    Copy(String),
    Reload,
    View(ViewQuery),
}

/// Answers from the worker.
#[derive(Debug, Clone)]
pub enum Response {
    Index(Vec<BureauRow>, Arc<Pinyin>),
    Report(Box<StoredReport>, Jump),
    Palette(u64, Vec<PaletteHit>),
    Search(u64, Vec<SearchHit>),
    View(ViewData),
    Error(String),
}

/// What a key did in a popup with an input line.
enum PopupKey {
    Moved,
    Closed,
    Chosen(usize),
    Edited,
    Ignored,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TreeRow {
    /// A group's heading (with grouping on): the group of this bureau.
    Group(usize),
    Bureau(usize),
    Report(usize, usize),
}

/// How the bureau pane groups bureaus.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Grouping {
    #[default]
    None,
    /// By province, then city.
    Region,
    /// By department type (民政, 司法 …).
    Department,
}

impl Grouping {
    pub fn next(self) -> Grouping {
        match self {
            Grouping::None => Grouping::Region,
            Grouping::Region => Grouping::Department,
            Grouping::Department => Grouping::None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Grouping::None => "no grouping",
            Grouping::Region => "grouped by region",
            Grouping::Department => "grouped by department",
        }
    }

    /// The heading of `b`'s group.
    pub fn key(self, b: &BureauRow) -> String {
        match self {
            Grouping::None => String::new(),
            Grouping::Region => {
                let p = &b.kind.place;
                match (p.province, p.city) {
                    (Some(pr), Some(c)) if pr != c => format!("{pr} {c}"),
                    (Some(pr), _) => pr.to_string(),
                    (None, Some(c)) => c.to_string(),
                    (None, None) => "（地区不明）".to_string(),
                }
            }
            Grouping::Department => b.kind.department.unwrap_or("（部门不明）").to_string(),
        }
    }
}

/// The bureaus that pass the filter, in display order, with the matched
/// characters of each name; kept until the filter, the grouping or the
/// bureaus change (matching thousands of names every frame would not do).
#[derive(Debug, Default)]
struct FilterCache {
    key: Option<(String, Grouping, u64)>,
    matches: Vec<(usize, Vec<usize>)>,
}

#[derive(Debug, Default, Clone)]
pub struct Input {
    pub text: String,
    pub sel: usize,
    pub seq: u64,
}

impl Input {
    pub(super) fn edit(&mut self, key: &KeyEvent) -> bool {
        match key.code {
            KeyCode::Backspace => {
                self.text.pop();
            }
            KeyCode::Char('u') if key.modifiers.contains(KeyModifiers::CONTROL) => self.text.clear(),
            KeyCode::Char('w') if key.modifiers.contains(KeyModifiers::CONTROL) => {
                let t = self.text.trim_end();
                let cut = t.rfind(' ').map_or(0, |i| i + 1);
                self.text.truncate(cut);
            }
            KeyCode::Char(c) if !key.modifiers.intersects(KeyModifiers::CONTROL | KeyModifiers::ALT) => {
                self.text.push(c)
            }
            _ => return false,
        }
        self.sel = 0;
        true
    }
}

pub struct App {
    pub bureaus: Vec<BureauRow>,
    /// Bumped whenever `bureaus` is replaced.
    pub bureaus_gen: u64,
    pub grouping: Grouping,
    /// Readings of the index's characters, for matching by pinyin.
    pub pinyin: Arc<Pinyin>,
    filter_cache: RefCell<FilterCache>,
    /// The browser, or one of the views across reports.
    pub screen: Screen,
    pub coverage: CoverageState,
    pub compare: CompareState,
    pub figs: FiguresState,
    /// The views' filter: year, region, department type.
    pub view_filter: ReportFilter,
    /// The views' filter being typed (region or department type).
    pub view_filter_input: Option<Input>,
    pub expanded: BTreeSet<i64>,
    pub tree_sel: usize,
    pub filter: Input,
    pub report: Option<StoredReport>,
    /// For each section of the report: has it subsections? (Derived once
    /// per report, not per frame.)
    pub has_children: Vec<bool>,
    pub doc: Doc,
    pub terms: Vec<String>,
    pub collapsed: BTreeSet<usize>,
    pub outline_sel: usize,
    pub cursor: usize,
    pub scroll: usize,
    pub fig_sel: usize,
    pub current_figure: Option<usize>,
    pub focus: Pane,
    pub show_figures: bool,
    pub mode: Mode,
    pub palette: Input,
    pub palette_hits: Vec<PaletteHit>,
    /// The `palette.seq` whose results `palette_hits` are: behind while
    /// the worker matches (or, the first time, loads the items).
    pub palette_answered: u64,
    pub search: Input,
    pub search_hits: Vec<SearchHit>,
    pub visual: Option<usize>,
    /// First row of the help overlay shown (it scrolls on small screens).
    pub help_scroll: usize,
    pub status: Option<String>,
    pub area: Rect,
    pub panes: Panes,
    pub quit: bool,
    pub color: bool,
    pub theme: Theme,
    pub keymap: Keymap,
    pub loading: Option<i64>,
}

impl App {
    pub fn new(bureaus: Vec<BureauRow>, area: Rect) -> App {
        let mut app = App {
            bureaus,
            bureaus_gen: 0,
            grouping: Grouping::None,
            pinyin: Arc::default(),
            filter_cache: RefCell::default(),
            screen: Screen::Browse,
            coverage: CoverageState::default(),
            compare: CompareState::default(),
            figs: FiguresState::default(),
            view_filter: ReportFilter::default(),
            view_filter_input: None,
            expanded: BTreeSet::new(),
            tree_sel: 0,
            filter: Input::default(),
            report: None,
            has_children: Vec::new(),
            doc: Doc::default(),
            terms: Vec::new(),
            collapsed: BTreeSet::new(),
            outline_sel: 0,
            cursor: 0,
            scroll: 0,
            fig_sel: 0,
            current_figure: None,
            focus: Pane::Bureaus,
            show_figures: false,
            mode: Mode::Normal,
            palette: Input::default(),
            palette_hits: Vec::new(),
            palette_answered: 0,
            search: Input::default(),
            search_hits: Vec::new(),
            visual: None,
            help_scroll: 0,
            status: None,
            area,
            panes: Panes::default(),
            quit: false,
            color: std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
            theme: Theme::default(),
            keymap: Keymap::default(),
            loading: None,
        };
        if let Some(b) = app.bureaus.first() {
            app.expanded.insert(b.id);
        }
        app.resize(area);
        app
    }

    /// The first report, to show something useful at start.
    pub fn initial_effects(&mut self) -> Vec<Effect> {
        match self.bureaus.first().and_then(|b| b.reports.first()) {
            Some(r) => self.load(r.id, Jump::Start),
            None => Vec::new(),
        }
    }

    pub(super) fn load(&mut self, id: i64, jump: Jump) -> Vec<Effect> {
        if self.report.as_ref().is_some_and(|r| r.id == id) {
            self.jump(jump);
            return Vec::new();
        }
        self.loading = Some(id);
        vec![Effect::LoadReport { id, jump }]
    }

    // ------------------------------------------------------------ geometry

    pub fn resize(&mut self, area: Rect) {
        self.area = area;
        self.panes = panes(area, self.focus, self.show_figures);
        // Borders (2) and the cursor bar (1).
        let width = self.text_area().width.saturating_sub(3) as usize;
        if width != self.doc.width && width > 0 {
            self.rebuild_doc(width);
        }
        self.keep_cursor_visible();
    }

    /// The text pane's area (or where it would be when it is hidden, so
    /// wrapping stays stable on small terminals).
    fn text_area(&self) -> Rect {
        self.panes
            .text
            .unwrap_or_else(|| Rect::new(0, 0, self.area.width, self.area.height.saturating_sub(1)))
    }

    fn text_height(&self) -> usize {
        self.text_area().height.saturating_sub(2).max(1) as usize
    }

    fn rebuild_doc(&mut self, width: usize) {
        let para = self.doc.lines.get(self.cursor).and_then(|l| match l.kind {
            LineKind::Para { para } => Some(para),
            _ => None,
        });
        self.doc = match &self.report {
            Some(r) => doc::build(r, width, &self.terms),
            None => Doc {
                width,
                ..Doc::default()
            },
        };
        if let Some(p) = para.and_then(|p| self.doc.para_line.get(p).copied()) {
            self.cursor = p;
        }
        self.cursor = self.cursor.min(self.doc.lines.len().saturating_sub(1));
    }

    pub(super) fn set_focus(&mut self, pane: Pane) {
        self.focus = pane;
        let area = self.area;
        self.resize(area);
    }

    // ------------------------------------------------------------ derived views

    /// Does bureau `b` pass the filter `q`? The matched characters of its
    /// name (empty when the match was on its region or department).
    pub fn bureau_match(&self, b: &BureauRow, q: &str) -> Option<(i64, Vec<usize>)> {
        if let Some(best) = self.pinyin.best_match(&SkimMatcherV2::default(), &b.name, q) {
            return Some(best);
        }
        // "湖北" finds 十堰市茅箭区民政局 (its province), "民政" every 民政局.
        let place = b.kind.place.label();
        let dept = b.kind.department.unwrap_or("");
        [place.as_str(), dept]
            .into_iter()
            .filter(|s| !s.is_empty())
            .any(|s| s.contains(q) || self.pinyin.fuzzy(s, q, false).is_some())
            .then(|| (0, Vec::new()))
    }

    /// The bureaus shown (filtered, grouped) with their matched characters.
    pub fn shown_bureaus(&self) -> std::cell::Ref<'_, Vec<(usize, Vec<usize>)>> {
        let q = self.filter.text.trim();
        let key = (q.to_string(), self.grouping, self.bureaus_gen);
        if self.filter_cache.borrow().key.as_ref() != Some(&key) {
            let mut matches: Vec<(usize, Vec<usize>)> = self
                .bureaus
                .iter()
                .enumerate()
                .filter_map(|(bi, b)| {
                    if q.is_empty() {
                        Some((bi, Vec::new()))
                    } else {
                        self.bureau_match(b, q).map(|m| (bi, m.1))
                    }
                })
                .collect();
            if self.grouping != Grouping::None {
                // Stable: within a group, bureaus keep the index order.
                matches.sort_by_cached_key(|(bi, _)| self.grouping.key(&self.bureaus[*bi]));
            }
            *self.filter_cache.borrow_mut() = FilterCache {
                key: Some(key),
                matches,
            };
        }
        std::cell::Ref::map(self.filter_cache.borrow(), |c| &c.matches)
    }

    pub fn tree_rows(&self) -> Vec<TreeRow> {
        let filtering = !self.filter.text.trim().is_empty();
        let shown = self.shown_bureaus();
        let mut rows = Vec::with_capacity(shown.len());
        let mut group: Option<String> = None;
        for &(bi, _) in shown.iter() {
            let b = &self.bureaus[bi];
            if self.grouping != Grouping::None {
                let k = self.grouping.key(b);
                if group.as_ref() != Some(&k) {
                    rows.push(TreeRow::Group(bi));
                    group = Some(k);
                }
            }
            rows.push(TreeRow::Bureau(bi));
            if self.expanded.contains(&b.id) || filtering {
                rows.extend((0..b.reports.len()).map(|ri| TreeRow::Report(bi, ri)));
            }
        }
        rows
    }

    /// Sections shown in the outline (children of collapsed ones hidden).
    pub fn outline_rows(&self) -> Vec<usize> {
        let Some(r) = &self.report else { return Vec::new() };
        let hidden = |mut i: usize| {
            while let Some(p) = r.sections[i].parent {
                if self.collapsed.contains(&p) {
                    return true;
                }
                i = p;
            }
            false
        };
        (0..r.sections.len()).filter(|&i| !hidden(i)).collect()
    }

    /// Figures shown in the figures pane: those of the current report.
    pub fn figure_count(&self) -> usize {
        self.report.as_ref().map_or(0, |r| r.figures.len())
    }

    pub fn cursor_section(&self) -> Option<usize> {
        self.doc.lines.get(self.cursor).and_then(|l| l.section)
    }

    pub fn cursor_para(&self) -> Option<usize> {
        let lines = &self.doc.lines;
        // On a blank or heading line, the next paragraph.
        lines.get(self.cursor..)?.iter().find_map(|l| match l.kind {
            LineKind::Para { para } => Some(para),
            _ => None,
        })
    }

    /// How far the help overlay can scroll: its lines (the key rows and
    /// three more) less what fits inside its border.
    pub fn help_max_scroll(&self) -> usize {
        let lines = self.keymap.help_rows().len() + 3;
        let visible = (lines + 2).min(self.area.height as usize).saturating_sub(2);
        lines.saturating_sub(visible)
    }

    // ------------------------------------------------------------ responses

    pub fn apply(&mut self, resp: Response) -> Vec<Effect> {
        match resp {
            Response::Index(bureaus, pinyin) => {
                let n_before: usize = self.bureaus.iter().map(|b| b.reports.len()).sum();
                self.bureaus = bureaus;
                self.pinyin = pinyin;
                self.bureaus_gen += 1;
                let n_after: usize = self.bureaus.iter().map(|b| b.reports.len()).sum();
                self.tree_sel = self.tree_sel.min(self.tree_rows().len().saturating_sub(1));
                self.status = Some(format!(
                    "index reloaded: {n_after} reports ({} new)",
                    n_after.saturating_sub(n_before)
                ));
                if self.report.is_none() {
                    return self.initial_effects();
                }
            }
            Response::Report(r, jump) => {
                if self.loading.is_some_and(|id| id != r.id) {
                    return Vec::new();
                }
                self.loading = None;
                self.has_children = r.has_children();
                self.report = Some(*r);
                self.collapsed.clear();
                self.terms.clear();
                self.visual = None;
                self.current_figure = None;
                self.fig_sel = 0;
                self.cursor = 0;
                self.scroll = 0;
                self.outline_sel = 0;
                let width = self.doc.width.max(20);
                self.rebuild_doc(width);
                self.jump(jump);
            }
            Response::Palette(seq, hits) => {
                if seq == self.palette.seq {
                    self.palette_answered = seq;
                    self.palette_hits = hits;
                    self.palette.sel = self.palette.sel.min(self.palette_hits.len().saturating_sub(1));
                }
            }
            Response::Search(seq, hits) => {
                if seq == self.search.seq {
                    self.search_hits = hits;
                    self.search.sel = 0;
                }
            }
            Response::View(data) => return self.apply_view(data),
            Response::Error(e) => self.status = Some(e),
        }
        Vec::new()
    }

    fn jump(&mut self, jump: Jump) {
        let Some(r) = &self.report else { return };
        match jump {
            Jump::Start => self.cursor = 0,
            Jump::Section(s) => {
                if let Some(&l) = self.doc.section_line.get(s) {
                    // Open the way to it in the outline.
                    let mut p = r.sections.get(s).and_then(|x| x.parent);
                    while let Some(i) = p {
                        self.collapsed.remove(&i);
                        p = r.sections[i].parent;
                    }
                    self.cursor = l;
                    self.scroll = l;
                }
            }
            Jump::Figure(f) => {
                if let Some(&l) = self.doc.figure_line.get(f) {
                    self.cursor = l;
                    self.current_figure = Some(f);
                    self.fig_sel = f;
                    self.scroll = l.saturating_sub(self.text_height() / 3);
                }
            }
            Jump::Paragraph(p, terms) => {
                self.terms = terms;
                let width = self.doc.width;
                self.rebuild_doc(width);
                if let Some(&l) = self.doc.para_line.get(p) {
                    self.cursor = l;
                    self.scroll = l.saturating_sub(self.text_height() / 3);
                }
            }
        }
        self.sync_outline();
        self.select_tree_for_report();
        self.keep_cursor_visible();
    }

    /// The bureau tree shows where the current report is.
    pub(super) fn select_tree_for_report(&mut self) {
        let Some(id) = self.report.as_ref().map(|r| r.id) else {
            return;
        };
        let Some((bi, _)) = self
            .bureaus
            .iter()
            .enumerate()
            .find(|(_, b)| b.reports.iter().any(|r| r.id == id))
        else {
            return;
        };
        let bid = self.bureaus[bi].id;
        self.expanded.insert(bid);
        if let Some(pos) = self
            .tree_rows()
            .iter()
            .position(|row| matches!(row, TreeRow::Report(b, r) if *b == bi && self.bureaus[bi].reports[*r].id == id))
        {
            self.tree_sel = pos;
        }
    }

    /// The outline follows the text: select the section the cursor is in.
    fn sync_outline(&mut self) {
        if let Some(s) = self.cursor_section()
            && let Some(pos) = self.outline_rows().iter().position(|&i| i == s)
        {
            self.outline_sel = pos;
        }
    }

    fn keep_cursor_visible(&mut self) {
        let h = self.text_height();
        let last = self.doc.lines.len().saturating_sub(1);
        self.cursor = self.cursor.min(last);
        if self.cursor < self.scroll {
            self.scroll = self.cursor;
        } else if self.cursor >= self.scroll + h {
            self.scroll = self.cursor + 1 - h;
        }
        self.scroll = self.scroll.min(self.doc.lines.len().saturating_sub(h));
    }

    // ------------------------------------------------------------ input

    pub fn on_key(&mut self, key: KeyEvent) -> Vec<Effect> {
        if key.kind == crossterm::event::KeyEventKind::Release {
            return Vec::new();
        }
        match self.mode {
            Mode::Help => {
                // The arrows always scroll; so do the user's own up/down keys.
                match (key.code, self.keymap.lookup(&key)) {
                    (KeyCode::Down, _) | (_, Some(Action::Down)) => {
                        self.help_scroll = (self.help_scroll + 1).min(self.help_max_scroll())
                    }
                    (KeyCode::Up, _) | (_, Some(Action::Up)) => self.help_scroll = self.help_scroll.saturating_sub(1),
                    (KeyCode::PageDown, _) | (_, Some(Action::PageDown)) => {
                        self.help_scroll = (self.help_scroll + 8).min(self.help_max_scroll())
                    }
                    (KeyCode::PageUp, _) | (_, Some(Action::PageUp)) => {
                        self.help_scroll = self.help_scroll.saturating_sub(8)
                    }
                    _ => self.mode = Mode::Normal,
                }
                Vec::new()
            }
            Mode::Filter => self.filter_key(key),
            Mode::Palette => self.palette_key(key),
            Mode::Search => self.search_key(key),
            Mode::Normal if self.screen != Screen::Browse => self.view_key(key),
            Mode::Normal => {
                // Typing Chinese (an input method's output) in the bureau
                // pane filters it directly.
                if self.focus == Pane::Bureaus
                    && let KeyCode::Char(c) = key.code
                    && !c.is_ascii()
                {
                    self.mode = Mode::Filter;
                    self.filter.text.push(c);
                    self.tree_sel = 0;
                    return Vec::new();
                }
                match self.keymap.lookup(&key) {
                    Some(a) => self.update(a),
                    None => Vec::new(),
                }
            }
        }
    }

    fn filter_key(&mut self, key: KeyEvent) -> Vec<Effect> {
        match key.code {
            KeyCode::Esc => {
                self.filter.text.clear();
                self.mode = Mode::Normal;
            }
            KeyCode::Enter => {
                self.mode = Mode::Normal;
                return self.update(Action::Enter);
            }
            KeyCode::Up | KeyCode::Down => {
                return self.update(if key.code == KeyCode::Up {
                    Action::Up
                } else {
                    Action::Down
                });
            }
            _ => {
                if self.filter.edit(&key) {
                    self.tree_sel = 0;
                }
            }
        }
        Vec::new()
    }

    fn list_move(sel: &mut usize, len: usize, key: &KeyEvent) -> bool {
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        match key.code {
            KeyCode::Up => *sel = sel.saturating_sub(1),
            KeyCode::Char('p') if ctrl => *sel = sel.saturating_sub(1),
            KeyCode::Char('k') if ctrl => *sel = sel.saturating_sub(1),
            KeyCode::Down => *sel = (*sel + 1).min(len.saturating_sub(1)),
            KeyCode::Char('n') if ctrl => *sel = (*sel + 1).min(len.saturating_sub(1)),
            KeyCode::Char('j') if ctrl => *sel = (*sel + 1).min(len.saturating_sub(1)),
            KeyCode::PageUp => *sel = sel.saturating_sub(10),
            KeyCode::PageDown => *sel = (*sel + 10).min(len.saturating_sub(1)),
            _ => return false,
        }
        true
    }

    /// Keys of a popup with an input line over a result list (palette,
    /// search): what happened, for the caller to act on.
    fn popup_key(input: &mut Input, len: usize, key: &KeyEvent) -> PopupKey {
        if Self::list_move(&mut input.sel, len, key) {
            return PopupKey::Moved;
        }
        match key.code {
            KeyCode::Esc => PopupKey::Closed,
            KeyCode::Enter if input.sel < len => PopupKey::Chosen(input.sel),
            KeyCode::Enter => PopupKey::Ignored,
            _ if input.edit(key) => {
                input.seq += 1;
                PopupKey::Edited
            }
            _ => PopupKey::Ignored,
        }
    }

    fn palette_key(&mut self, key: KeyEvent) -> Vec<Effect> {
        match Self::popup_key(&mut self.palette, self.palette_hits.len(), &key) {
            PopupKey::Closed => self.mode = Mode::Normal,
            PopupKey::Chosen(i) => {
                let target = self.palette_hits[i].item.target;
                self.mode = Mode::Normal;
                return self.go_to(target);
            }
            PopupKey::Edited => {
                return vec![Effect::Palette {
                    seq: self.palette.seq,
                    query: self.palette.text.clone(),
                }];
            }
            PopupKey::Moved | PopupKey::Ignored => {}
        }
        Vec::new()
    }

    fn search_key(&mut self, key: KeyEvent) -> Vec<Effect> {
        match Self::popup_key(&mut self.search, self.search_hits.len(), &key) {
            PopupKey::Closed => self.mode = Mode::Normal,
            PopupKey::Chosen(i) => {
                let (report, paragraph) = (self.search_hits[i].report_id, self.search_hits[i].paragraph);
                self.mode = Mode::Normal;
                self.focus = Pane::Text;
                let terms = crate::search::Query::parse(&self.search.text).terms;
                return self.load(report, Jump::Paragraph(paragraph, terms));
            }
            PopupKey::Edited => {
                return vec![Effect::Search {
                    seq: self.search.seq,
                    query: self.search.text.clone(),
                }];
            }
            PopupKey::Moved | PopupKey::Ignored => {}
        }
        Vec::new()
    }

    fn go_to(&mut self, target: Target) -> Vec<Effect> {
        match target {
            Target::Bureau { bureau } => {
                self.filter.text.clear();
                self.expanded.insert(bureau);
                if let Some(pos) = self
                    .tree_rows()
                    .iter()
                    .position(|r| matches!(r, TreeRow::Bureau(bi) if self.bureaus[*bi].id == bureau))
                {
                    self.tree_sel = pos;
                }
                self.set_focus(Pane::Bureaus);
                Vec::new()
            }
            Target::Report { report } => {
                self.set_focus(Pane::Outline);
                self.load(report, Jump::Start)
            }
            Target::Section { report, section } => {
                self.set_focus(Pane::Text);
                self.load(report, Jump::Section(section))
            }
            Target::Figure { report, figure } => {
                self.set_focus(Pane::Text);
                self.load(report, Jump::Figure(figure))
            }
        }
    }

    pub fn on_mouse(&mut self, m: MouseEvent) -> Vec<Effect> {
        if self.mode != Mode::Normal {
            return Vec::new();
        }
        let Some(pane) = self.panes.at(m.column, m.row) else {
            return Vec::new();
        };
        match m.kind {
            MouseEventKind::ScrollDown | MouseEventKind::ScrollUp => {
                let prev = self.focus;
                self.focus = pane;
                let a = if m.kind == MouseEventKind::ScrollDown {
                    Action::Down
                } else {
                    Action::Up
                };
                let mut fx = Vec::new();
                for _ in 0..3 {
                    fx.extend(self.update(a));
                }
                if pane != prev {
                    self.focus = prev;
                }
                fx
            }
            MouseEventKind::Down(MouseButton::Left) => {
                self.set_focus(pane);
                let Some(area) = self.panes.get(pane) else {
                    return Vec::new();
                };
                let row = m.row.saturating_sub(area.y + 1) as usize;
                match pane {
                    Pane::Bureaus => {
                        let offset = list_offset(self.tree_sel, area.height.saturating_sub(2) as usize);
                        let n = self.tree_rows().len();
                        if offset + row < n {
                            self.tree_sel = offset + row;
                            return self.update(Action::Enter);
                        }
                    }
                    Pane::Outline => {
                        // Row 0 is the coverage line.
                        let offset = list_offset(self.outline_sel, area.height.saturating_sub(3) as usize);
                        if row >= 1 && offset + row - 1 < self.outline_rows().len() {
                            self.outline_sel = offset + row - 1;
                            return self.update(Action::Enter);
                        }
                    }
                    Pane::Text => {
                        self.cursor = (self.scroll + row).min(self.doc.lines.len().saturating_sub(1));
                        self.sync_outline();
                    }
                    Pane::Figures => {
                        let offset = list_offset(self.fig_sel, area.height.saturating_sub(2) as usize);
                        if offset + row < self.figure_count() {
                            self.fig_sel = offset + row;
                            return self.update(Action::Enter);
                        }
                    }
                }
                Vec::new()
            }
            _ => Vec::new(),
        }
    }

    // ------------------------------------------------------------ actions

    pub fn update(&mut self, action: Action) -> Vec<Effect> {
        self.status = None;
        match action {
            Action::Quit => self.quit = true,
            Action::Help => {
                self.mode = Mode::Help;
                self.help_scroll = 0;
            }
            Action::NextPane | Action::PrevPane => {
                let mut order = vec![Pane::Bureaus, Pane::Outline, Pane::Text];
                if self.show_figures {
                    order.push(Pane::Figures);
                }
                let i = order.iter().position(|p| *p == self.focus).unwrap_or(0);
                let n = order.len();
                let next = if action == Action::NextPane {
                    (i + 1) % n
                } else {
                    (i + n - 1) % n
                };
                self.set_focus(order[next]);
            }
            Action::Palette => {
                self.mode = Mode::Palette;
                self.palette.text.clear();
                self.palette.sel = 0;
                self.palette.seq += 1;
                return vec![Effect::Palette {
                    seq: self.palette.seq,
                    query: String::new(),
                }];
            }
            Action::Search => {
                self.mode = Mode::Search;
                self.search.sel = 0;
            }
            Action::Filter => {
                self.set_focus(Pane::Bureaus);
                self.mode = Mode::Filter;
            }
            Action::ToggleFigures => {
                self.show_figures = !self.show_figures;
                let focus = if self.show_figures {
                    Pane::Figures
                } else if self.focus == Pane::Figures {
                    Pane::Text
                } else {
                    self.focus
                };
                self.set_focus(focus);
            }
            Action::NextFigure | Action::PrevFigure => self.step_figure(action == Action::NextFigure),
            Action::Escape => {
                if self.visual.is_some() {
                    self.visual = None;
                } else if !self.terms.is_empty() {
                    self.terms.clear();
                    let w = self.doc.width;
                    self.rebuild_doc(w);
                } else {
                    self.filter.text.clear();
                    self.current_figure = None;
                }
            }
            Action::Visual => {
                self.visual = match self.visual {
                    Some(_) => None,
                    None => self.cursor_para(),
                };
                if self.visual.is_some() {
                    self.set_focus(Pane::Text);
                    let copy = self.keymap.hint(Action::CopyExcerpt).unwrap_or_else(|| "?".into());
                    self.status = Some(format!("visual: move to extend, {copy} to copy, Esc to cancel"));
                }
            }
            Action::CopyExcerpt => return self.copy_excerpt(),
            Action::CopySection => return self.copy_section(),
            Action::Refresh => return vec![Effect::Reload],
            Action::GroupBureaus => {
                self.grouping = self.grouping.next();
                self.tree_sel = 0;
                self.select_tree_for_report();
                self.status = Some(format!("bureaus: {}", self.grouping.name()));
            }
            Action::Compare | Action::Coverage | Action::FigureGroups | Action::YearNext | Action::YearPrev => {
                return self.view_action(action);
            }
            _ => return self.navigate(action),
        }
        Vec::new()
    }

    fn navigate(&mut self, action: Action) -> Vec<Effect> {
        match self.focus {
            Pane::Bureaus => {
                let rows = self.tree_rows();
                let n = rows.len();
                match action {
                    Action::Up => self.tree_sel = self.tree_sel.saturating_sub(1),
                    Action::Down => self.tree_sel = (self.tree_sel + 1).min(n.saturating_sub(1)),
                    Action::Top => self.tree_sel = 0,
                    Action::Bottom => self.tree_sel = n.saturating_sub(1),
                    Action::PageUp => self.tree_sel = self.tree_sel.saturating_sub(self.text_height()),
                    Action::PageDown => self.tree_sel = (self.tree_sel + self.text_height()).min(n.saturating_sub(1)),
                    Action::Left => {
                        if let Some(TreeRow::Group(bi) | TreeRow::Bureau(bi) | TreeRow::Report(bi, _)) =
                            rows.get(self.tree_sel).copied()
                        {
                            let id = self.bureaus[bi].id;
                            self.expanded.remove(&id);
                            if let Some(p) = self.tree_rows().iter().position(|r| *r == TreeRow::Bureau(bi)) {
                                self.tree_sel = p;
                            }
                        }
                    }
                    Action::Right | Action::Enter => match rows.get(self.tree_sel).copied() {
                        Some(TreeRow::Bureau(bi)) => {
                            let b = &self.bureaus[bi];
                            let (id, first) = (b.id, b.reports.first().map(|r| r.id));
                            let was_open = self.expanded.contains(&id);
                            self.expanded.insert(id);
                            if action == Action::Enter && was_open && self.filter.text.is_empty() {
                                self.expanded.remove(&id);
                            } else if let Some(first) = first {
                                return self.load(first, Jump::Start);
                            }
                        }
                        Some(TreeRow::Report(bi, ri)) => {
                            let id = self.bureaus[bi].reports[ri].id;
                            if action == Action::Enter {
                                self.set_focus(Pane::Outline);
                            }
                            return self.load(id, Jump::Start);
                        }
                        Some(TreeRow::Group(_)) | None => {}
                    },
                    _ => {}
                }
            }
            Pane::Outline => {
                let rows = self.outline_rows();
                let n = rows.len();
                match action {
                    Action::Up => self.outline_sel = self.outline_sel.saturating_sub(1),
                    Action::Down => self.outline_sel = (self.outline_sel + 1).min(n.saturating_sub(1)),
                    Action::Top => self.outline_sel = 0,
                    Action::Bottom => self.outline_sel = n.saturating_sub(1),
                    Action::PageUp => self.outline_sel = self.outline_sel.saturating_sub(self.text_height()),
                    Action::PageDown => {
                        self.outline_sel = (self.outline_sel + self.text_height()).min(n.saturating_sub(1))
                    }
                    Action::Left => {
                        if let Some(&s) = rows.get(self.outline_sel) {
                            let has_children = self.has_children.get(s).copied().unwrap_or(false);
                            if has_children && !self.collapsed.contains(&s) {
                                self.collapsed.insert(s);
                            } else if let Some(p) = self.report.as_ref().and_then(|r| r.sections[s].parent) {
                                self.collapsed.insert(p);
                                if let Some(pos) = self.outline_rows().iter().position(|&i| i == p) {
                                    self.outline_sel = pos;
                                }
                            }
                        }
                    }
                    Action::Right => {
                        if let Some(&s) = rows.get(self.outline_sel) {
                            self.collapsed.remove(&s);
                        }
                    }
                    Action::Enter => {
                        if let Some(&s) = rows.get(self.outline_sel) {
                            self.jump(Jump::Section(s));
                            self.set_focus(Pane::Text);
                        }
                        return Vec::new();
                    }
                    _ => {}
                }
                // The text follows the outline selection.
                if let Some(&s) = self.outline_rows().get(self.outline_sel)
                    && let Some(&l) = self.doc.section_line.get(s)
                {
                    self.cursor = l;
                    self.scroll = l;
                    self.keep_cursor_visible();
                }
            }
            Pane::Text => {
                let n = self.doc.lines.len();
                let h = self.text_height();
                match action {
                    Action::Up => self.cursor = self.cursor.saturating_sub(1),
                    Action::Down => self.cursor = (self.cursor + 1).min(n.saturating_sub(1)),
                    Action::Top => self.cursor = 0,
                    Action::Bottom => self.cursor = n.saturating_sub(1),
                    Action::PageUp => {
                        self.cursor = self.cursor.saturating_sub(h);
                        self.scroll = self.scroll.saturating_sub(h);
                    }
                    Action::PageDown => {
                        self.cursor = (self.cursor + h).min(n.saturating_sub(1));
                        self.scroll = (self.scroll + h).min(n.saturating_sub(h));
                    }
                    Action::Left => self.set_focus(Pane::Outline),
                    Action::Enter | Action::Right => {}
                    _ => {}
                }
                self.keep_cursor_visible();
                self.sync_outline();
            }
            Pane::Figures => {
                let n = self.figure_count();
                match action {
                    Action::Up => self.fig_sel = self.fig_sel.saturating_sub(1),
                    Action::Down => self.fig_sel = (self.fig_sel + 1).min(n.saturating_sub(1)),
                    Action::Top => self.fig_sel = 0,
                    Action::Bottom => self.fig_sel = n.saturating_sub(1),
                    Action::PageUp => self.fig_sel = self.fig_sel.saturating_sub(self.text_height()),
                    Action::PageDown => self.fig_sel = (self.fig_sel + self.text_height()).min(n.saturating_sub(1)),
                    Action::Enter | Action::Right if n > 0 => {
                        self.jump(Jump::Figure(self.fig_sel));
                    }
                    Action::Left => self.set_focus(Pane::Text),
                    _ => {}
                }
            }
        }
        Vec::new()
    }

    fn step_figure(&mut self, forward: bool) {
        let lines = &self.doc.figure_line;
        if lines.is_empty() {
            self.status = Some("this report has no figures".into());
            return;
        }
        let current = self.current_figure;
        let cursor = self.cursor;
        let next = if forward {
            (0..lines.len()).find(|&f| match current {
                Some(c) => f > c && lines[f] >= cursor,
                None => lines[f] >= cursor,
            })
        } else {
            (0..lines.len()).rev().find(|&f| match current {
                Some(c) => f < c && lines[f] <= cursor,
                None => lines[f] <= cursor,
            })
        };
        let next = next.unwrap_or(if forward { 0 } else { lines.len() - 1 });
        self.jump(Jump::Figure(next));
        if self.focus != Pane::Figures {
            self.set_focus(Pane::Text);
        }
    }

    // ------------------------------------------------------------ copy

    /// "—— 十堰市茅箭区民政局《…报告》，一、… > （四）…"
    pub fn citation(&self, section: Option<usize>) -> String {
        let Some(r) = &self.report else { return String::new() };
        let bureau = r.bureau.as_deref().unwrap_or(crate::store::reader::UNKNOWN_BUREAU);
        let title = match (&r.title, r.year) {
            (Some(t), _) => t.clone(),
            (None, Some(y)) => format!("{y}年度法治政府建设情况报告"),
            (None, None) => "法治政府建设情况报告".to_string(),
        };
        let mut path = Vec::new();
        let mut s = section;
        while let Some(i) = s {
            path.push(r.sections[i].heading.clone());
            s = r.sections[i].parent;
        }
        path.reverse();
        let year = r.year.map(|y| format!("（{y}年度）")).unwrap_or_default();
        let place = if path.is_empty() {
            String::new()
        } else {
            format!("，{}", path.join(" > "))
        };
        crate::cli::sanitize(&format!("—— {bureau}《{title}》{year}{place}"))
    }

    fn copy_excerpt(&mut self) -> Vec<Effect> {
        let Some(r) = &self.report else { return Vec::new() };
        if self.focus == Pane::Figures {
            if let Some(f) = r.figures.get(self.fig_sel) {
                let text = format!("{}\n{}", f.sentence, self.citation(f.section));
                return vec![Effect::Copy(text)];
            }
            return Vec::new();
        }
        let Some(p) = self.cursor_para() else { return Vec::new() };
        let (from, to) = match self.visual.take() {
            Some(a) => (a.min(p), a.max(p)),
            None => (p, p),
        };
        let body: Vec<&str> = r.paragraphs[from..=to].iter().map(|p| p.text.as_str()).collect();
        let text = format!("{}\n{}", body.join("\n"), self.citation(r.paragraphs[from].section));
        vec![Effect::Copy(text)]
    }

    fn copy_section(&mut self) -> Vec<Effect> {
        let Some(r) = &self.report else { return Vec::new() };
        let Some(sec) = self.cursor_section() else {
            return self.copy_excerpt();
        };
        let mut out: Vec<String> = Vec::new();
        for (i, s) in r.sections.iter().enumerate().filter(|(i, _)| r.within(Some(*i), sec)) {
            out.push(s.heading.clone());
            out.extend(
                r.paragraphs
                    .iter()
                    .filter(|p| p.section == Some(i))
                    .map(|p| p.text.clone()),
            );
        }
        let text = format!("{}\n{}", out.join("\n"), self.citation(Some(sec)));
        vec![Effect::Copy(text)]
    }
}

/// First visible row of a list of `height` rows that keeps `sel` in view
/// (the same rule ratatui's List uses when it starts from the top).
pub fn list_offset(sel: usize, height: usize) -> usize {
    if height == 0 {
        sel
    } else {
        sel.saturating_sub(height - 1)
    }
}
