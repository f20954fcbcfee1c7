//! Keys and answers of the views across reports (compare, coverage,
//! figures): the part of `update` that runs while a view is up.

use super::app::{App, Effect, Jump, Mode};
use super::keymap::Action;
use super::layout::Pane;
use super::views::{PARTS, Piece, Screen, ViewData, ViewQuery, apply_filter_text};
use crate::store::views::CompareWhat;
use crossterm::event::{KeyCode, KeyEvent};

/// Moves a list selection by a navigation action; true if it was one.
fn move_sel(sel: &mut usize, len: usize, action: Action, page: usize) -> bool {
    let last = len.saturating_sub(1);
    *sel = match action {
        Action::Up => sel.saturating_sub(1),
        Action::Down => (*sel + 1).min(last),
        Action::PageUp => sel.saturating_sub(page),
        Action::PageDown => (*sel + page).min(last),
        Action::Top => 0,
        Action::Bottom => last,
        _ => return false,
    };
    true
}

impl App {
    fn page(&self) -> usize {
        (self.area.height as usize).saturating_sub(8).max(1)
    }

    /// Opens a view, or acts on the year filter.
    pub(super) fn view_action(&mut self, action: Action) -> Vec<Effect> {
        self.mode = Mode::Normal;
        match action {
            Action::Coverage => {
                self.screen = Screen::Coverage;
                self.coverage.loading = true;
                vec![Effect::View(ViewQuery::Coverage(self.view_filter.clone()))]
            }
            Action::Compare => {
                self.screen = Screen::Compare;
                self.compare.what = None;
                self.compare.choose.text.clear();
                Vec::new()
            }
            Action::FigureGroups => {
                self.screen = Screen::Figures;
                if self.figs.measures.is_empty() {
                    self.figs.loading = true;
                    return vec![Effect::View(ViewQuery::Measures)];
                }
                Vec::new()
            }
            Action::YearNext | Action::YearPrev => {
                // All years, then each year of the index in order.
                let mut years: Vec<i32> = self
                    .bureaus
                    .iter()
                    .flat_map(|b| b.reports.iter().filter_map(|r| r.year))
                    .collect();
                years.sort_unstable();
                years.dedup();
                let mut choices: Vec<Option<i32>> = vec![None];
                choices.extend(years.into_iter().map(Some));
                let i = choices.iter().position(|y| *y == self.view_filter.year).unwrap_or(0);
                let n = choices.len();
                let j = if action == Action::YearNext {
                    (i + 1) % n
                } else {
                    (i + n - 1) % n
                };
                self.view_filter.year = choices[j];
                self.refetch()
            }
            _ => Vec::new(),
        }
    }

    /// The current view's query again (after its filter changed).
    fn refetch(&mut self) -> Vec<Effect> {
        let f = self.view_filter.clone();
        match self.screen {
            Screen::Coverage => {
                self.coverage.loading = true;
                vec![Effect::View(ViewQuery::Coverage(f))]
            }
            Screen::Compare => match self.compare.what.clone() {
                Some(w) => {
                    self.compare.loading = true;
                    vec![Effect::View(ViewQuery::Compare(w, f))]
                }
                None => Vec::new(),
            },
            Screen::Figures => match self.figs.current.clone() {
                Some(m) => {
                    self.figs.loading = true;
                    vec![Effect::View(ViewQuery::Group(m, f))]
                }
                None => Vec::new(),
            },
            Screen::Browse => Vec::new(),
        }
    }

    /// A key while a view is up.
    pub(super) fn view_key(&mut self, key: KeyEvent) -> Vec<Effect> {
        // Typing the views' filter (region or department type).
        if let Some(input) = self.view_filter_input.as_mut() {
            match key.code {
                KeyCode::Esc => self.view_filter_input = None,
                KeyCode::Enter => {
                    let text = input.text.clone();
                    self.view_filter_input = None;
                    apply_filter_text(&mut self.view_filter, &text);
                    return self.refetch();
                }
                _ => {
                    input.edit(&key);
                }
            }
            return Vec::new();
        }
        match self.screen {
            Screen::Compare if self.compare.what.is_none() => return self.compare_chooser_key(key),
            Screen::Figures if self.figs.filtering => return self.figures_filter_key(key),
            _ => {}
        }
        // View-local letters first (they are not in the keymap, whose keys
        // belong to the browser's panes).
        if let KeyCode::Char(c) = key.code {
            match (self.screen, c) {
                (Screen::Compare, 's') => return self.toggle_split(),
                (Screen::Figures, 's') => {
                    self.figs.sort = self.figs.sort.next();
                    self.figs.sort_rows();
                    self.figs.sel = 0;
                    return Vec::new();
                }
                _ => {}
            }
        }
        let Some(action) = self.keymap.lookup(&key) else {
            return Vec::new();
        };
        match action {
            Action::Escape => {
                self.screen = Screen::Browse;
                return Vec::new();
            }
            Action::Quit => self.quit = true,
            Action::Help => {
                self.mode = Mode::Help;
                self.help_scroll = 0;
            }
            Action::Filter | Action::Search if self.screen == Screen::Figures && !self.figs.on_rows => {
                self.figs.filtering = true;
            }
            Action::Filter => {
                let text = self
                    .view_filter
                    .department
                    .clone()
                    .or_else(|| self.view_filter.region.clone())
                    .unwrap_or_default();
                self.view_filter_input = Some(super::app::Input {
                    text,
                    ..Default::default()
                });
            }
            Action::Compare | Action::Coverage | Action::FigureGroups | Action::YearNext | Action::YearPrev => {
                return self.view_action(action);
            }
            Action::Palette | Action::Search => {
                self.screen = Screen::Browse;
                return self.update(action);
            }
            _ => {
                return match self.screen {
                    Screen::Coverage => self.coverage_nav(action),
                    Screen::Compare => self.compare_nav(action),
                    Screen::Figures => self.figures_nav(action),
                    Screen::Browse => Vec::new(),
                };
            }
        }
        Vec::new()
    }

    fn coverage_nav(&mut self, action: Action) -> Vec<Effect> {
        let page = self.page();
        if move_sel(&mut self.coverage.sel, self.coverage.rows.len(), action, page) {
            return Vec::new();
        }
        if matches!(action, Action::Enter | Action::Right)
            && let Some(r) = self.coverage.rows.get(self.coverage.sel)
        {
            let id = r.report_id;
            self.screen = Screen::Browse;
            self.set_focus(Pane::Outline);
            return self.load(id, Jump::Start);
        }
        Vec::new()
    }

    fn compare_chooser_key(&mut self, key: KeyEvent) -> Vec<Effect> {
        let c = &mut self.compare.choose;
        match key.code {
            KeyCode::Esc => self.screen = Screen::Browse,
            KeyCode::Up => c.sel = c.sel.saturating_sub(1),
            KeyCode::Down => c.sel = (c.sel + 1).min(PARTS.len() - 1),
            KeyCode::Char(d @ '1'..='5') if c.text.is_empty() => {
                c.sel = (d as usize) - ('1' as usize);
                return self.choose_compare();
            }
            KeyCode::Enter => return self.choose_compare(),
            _ => {
                c.edit(&key);
            }
        }
        Vec::new()
    }

    fn choose_compare(&mut self) -> Vec<Effect> {
        let c = &self.compare.choose;
        let what = match c.text.trim() {
            "" => CompareWhat::Part(PARTS[c.sel.min(PARTS.len() - 1)]),
            phrase => CompareWhat::Heading(phrase.to_string()),
        };
        self.compare.what = Some(what);
        self.compare.entries.clear();
        self.compare.pieces.clear();
        self.compare.pinned = None;
        self.compare.sel = 0;
        self.compare.scroll = 0;
        self.refetch()
    }

    /// Asks for the text of an entry unless it is loaded.
    fn want_piece(&mut self, entry: usize) -> Vec<Effect> {
        match self.compare.entries.get(entry) {
            Some(e) if self.compare.piece(entry).is_none() => {
                vec![Effect::View(ViewQuery::Piece(e.report_id, e.sections.clone()))]
            }
            _ => Vec::new(),
        }
    }

    fn toggle_split(&mut self) -> Vec<Effect> {
        let c = &mut self.compare;
        c.pinned = match c.pinned {
            Some(_) => None,
            None if c.entries.len() > 1 => Some(c.sel),
            None => {
                self.status = Some("nothing to put beside it: only one report has this part".into());
                return Vec::new();
            }
        };
        // The right pane shows the next report, so the two differ at once.
        if c.pinned.is_some() {
            c.sel = (c.sel + 1) % c.entries.len();
            c.scroll = 0;
            return self.want_piece(self.compare.sel);
        }
        Vec::new()
    }

    fn compare_nav(&mut self, action: Action) -> Vec<Effect> {
        let n = self.compare.entries.len();
        match action {
            Action::Up | Action::Down | Action::Top | Action::Bottom | Action::NextFigure | Action::PrevFigure => {
                let a = match action {
                    Action::NextFigure => Action::Down,
                    Action::PrevFigure => Action::Up,
                    a => a,
                };
                move_sel(&mut self.compare.sel, n, a, 1);
                self.compare.scroll = 0;
                self.want_piece(self.compare.sel)
            }
            // The text scrolls; in split view both sides together.
            Action::PageDown | Action::Right => {
                self.compare.scroll += self.page();
                Vec::new()
            }
            Action::PageUp | Action::Left => {
                self.compare.scroll = self.compare.scroll.saturating_sub(self.page());
                Vec::new()
            }
            Action::Enter => match self.compare.entries.get(self.compare.sel) {
                Some(e) => {
                    let (id, s) = (e.report_id, e.sections[0]);
                    self.screen = Screen::Browse;
                    self.set_focus(Pane::Text);
                    self.load(id, Jump::Section(s))
                }
                None => Vec::new(),
            },
            _ => Vec::new(),
        }
    }

    fn figures_filter_key(&mut self, key: KeyEvent) -> Vec<Effect> {
        match key.code {
            KeyCode::Esc | KeyCode::Enter | KeyCode::Tab => {
                self.figs.filtering = false;
                if key.code == KeyCode::Esc {
                    self.figs.filter.text.clear();
                    self.figs.refilter(&self.pinyin);
                }
                return self.want_group();
            }
            KeyCode::Up | KeyCode::Down => {
                let a = if key.code == KeyCode::Up {
                    Action::Up
                } else {
                    Action::Down
                };
                move_sel(&mut self.figs.msel, self.figs.shown.len(), a, 1);
                return self.want_group();
            }
            _ => {
                if self.figs.filter.edit(&key) {
                    self.figs.msel = 0;
                    self.figs.refilter(&self.pinyin);
                }
            }
        }
        Vec::new()
    }

    /// Asks for the selected measure's figures unless they are shown.
    fn want_group(&mut self) -> Vec<Effect> {
        let Some(m) = self.figs.selected_measure().map(|m| m.measure.clone()) else {
            return Vec::new();
        };
        if self.figs.current.as_ref() == Some(&m) {
            return Vec::new();
        }
        self.figs.current = Some(m.clone());
        self.figs.loading = true;
        vec![Effect::View(ViewQuery::Group(m, self.view_filter.clone()))]
    }

    fn figures_nav(&mut self, action: Action) -> Vec<Effect> {
        let page = self.page();
        if matches!(
            action,
            Action::NextPane | Action::PrevPane | Action::Left | Action::Right
        ) {
            self.figs.on_rows = match action {
                Action::Left => false,
                Action::Right => true,
                _ => !self.figs.on_rows,
            };
            return Vec::new();
        }
        if self.figs.on_rows {
            if move_sel(&mut self.figs.sel, self.figs.rows.len(), action, page) {
                return Vec::new();
            }
            if action == Action::Enter
                && let Some(r) = self.figs.rows.get(self.figs.sel)
            {
                let (id, f) = (r.report_id, r.figure);
                self.screen = Screen::Browse;
                self.set_focus(Pane::Text);
                return self.load(id, Jump::Figure(f));
            }
            return Vec::new();
        }
        if move_sel(&mut self.figs.msel, self.figs.shown.len(), action, page) {
            return self.want_group();
        }
        if action == Action::Enter {
            self.figs.on_rows = true;
            return self.want_group();
        }
        Vec::new()
    }

    /// A view's answer from the worker.
    pub(super) fn apply_view(&mut self, data: ViewData) -> Vec<Effect> {
        match data {
            ViewData::Coverage(rows) => {
                self.coverage.rows = rows;
                self.coverage.loading = false;
                self.coverage.sel = self.coverage.sel.min(self.coverage.rows.len().saturating_sub(1));
            }
            ViewData::Compare(entries) => {
                self.compare.entries = entries;
                self.compare.loading = false;
                self.compare.sel = 0;
                self.compare.pinned = None;
                self.compare.pieces.clear();
                return self.want_piece(0);
            }
            ViewData::Piece(p) => {
                let keep = |c: &super::views::CompareState, x: &Piece| {
                    [Some(c.sel), c.pinned]
                        .into_iter()
                        .flatten()
                        .filter_map(|i| c.entries.get(i))
                        .any(|e| e.report_id == x.report_id && e.sections == x.sections)
                };
                self.compare.pieces.push(p);
                let c = &self.compare;
                let kept: Vec<Piece> = c.pieces.iter().filter(|x| keep(c, x)).cloned().collect();
                self.compare.pieces = kept;
            }
            ViewData::Measures(m) => {
                self.figs.measures = m;
                self.figs.loading = false;
                self.figs.refilter(&self.pinyin);
                return self.want_group();
            }
            ViewData::Group(m, rows) => {
                if self.figs.current.as_ref() == Some(&m) {
                    self.figs.rows = rows;
                    self.figs.loading = false;
                    self.figs.sort_rows();
                    self.figs.sel = 0;
                }
            }
        }
        Vec::new()
    }
}
