//! Actions and the default key bindings, as data: the help overlay and the
//! README's key table are generated from the same table.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Action {
    Quit,
    Help,
    NextPane,
    PrevPane,
    Up,
    Down,
    Left,
    Right,
    Top,
    Bottom,
    PageUp,
    PageDown,
    Enter,
    Escape,
    NextFigure,
    PrevFigure,
    ToggleFigures,
    Palette,
    Search,
    Filter,
    CopyExcerpt,
    CopySection,
    Visual,
    Refresh,
    GroupBureaus,
    Compare,
    Coverage,
    FigureGroups,
    YearNext,
    YearPrev,
}

impl Action {
    /// Every action, in the order the help lists them.
    pub const ALL: [Action; 30] = [
        Action::Quit,
        Action::Help,
        Action::NextPane,
        Action::PrevPane,
        Action::Up,
        Action::Down,
        Action::Left,
        Action::Right,
        Action::Top,
        Action::Bottom,
        Action::PageUp,
        Action::PageDown,
        Action::Enter,
        Action::Escape,
        Action::NextFigure,
        Action::PrevFigure,
        Action::ToggleFigures,
        Action::Palette,
        Action::Search,
        Action::Filter,
        Action::CopyExcerpt,
        Action::CopySection,
        Action::Visual,
        Action::Refresh,
        Action::GroupBureaus,
        Action::Compare,
        Action::Coverage,
        Action::FigureGroups,
        Action::YearNext,
        Action::YearPrev,
    ];

    /// The action's name in the config file.
    pub fn name(self) -> &'static str {
        match self {
            Action::Quit => "quit",
            Action::Help => "help",
            Action::NextPane => "next_pane",
            Action::PrevPane => "prev_pane",
            Action::Up => "up",
            Action::Down => "down",
            Action::Left => "left",
            Action::Right => "right",
            Action::Top => "top",
            Action::Bottom => "bottom",
            Action::PageUp => "page_up",
            Action::PageDown => "page_down",
            Action::Enter => "enter",
            Action::Escape => "escape",
            Action::NextFigure => "next_figure",
            Action::PrevFigure => "prev_figure",
            Action::ToggleFigures => "toggle_figures",
            Action::Palette => "palette",
            Action::Search => "search",
            Action::Filter => "filter",
            Action::CopyExcerpt => "copy_excerpt",
            Action::CopySection => "copy_section",
            Action::Visual => "visual",
            Action::Refresh => "refresh",
            Action::GroupBureaus => "group_bureaus",
            Action::Compare => "compare",
            Action::Coverage => "coverage",
            Action::FigureGroups => "figure_groups",
            Action::YearNext => "year_next",
            Action::YearPrev => "year_prev",
        }
    }

    pub fn from_name(name: &str) -> Option<Action> {
        Action::ALL.into_iter().find(|a| a.name() == name)
    }

    pub fn describe(self) -> &'static str {
        match self {
            Action::Quit => "quit",
            Action::Help => "show or hide this help",
            Action::NextPane => "next pane",
            Action::PrevPane => "previous pane",
            Action::Up => "move up",
            Action::Down => "move down",
            Action::Left => "collapse / parent",
            Action::Right => "expand / open",
            Action::Top => "go to the top",
            Action::Bottom => "go to the bottom",
            Action::PageUp => "page up",
            Action::PageDown => "page down",
            Action::Enter => "open the selected item",
            Action::Escape => "close a popup, end a selection or filter",
            Action::NextFigure => "next figure in the text",
            Action::PrevFigure => "previous figure in the text",
            Action::ToggleFigures => "show or hide the figures pane",
            Action::Palette => "jump to any bureau, report, section or figure",
            Action::Search => "search the full text of every report",
            Action::Filter => "filter the bureaus (typing Chinese in the pane starts it too)",
            Action::CopyExcerpt => "copy the paragraph (or the figure's sentence) with a citation",
            Action::CopySection => "copy the whole section with a citation",
            Action::Visual => "select a range of paragraphs (then copy)",
            Action::Refresh => "reload the index (new reports)",
            Action::GroupBureaus => "group the bureaus by region, by department, or not",
            Action::Compare => "compare view: one statutory part (or heading) across reports",
            Action::Coverage => "coverage view: the five parts of every report, on-time publication",
            Action::FigureGroups => "figures view: one measure across reports, table and chart",
            Action::YearNext => "in the views: next year (all years, then each)",
            Action::YearPrev => "in the views: previous year",
        }
    }
}

/// (key, modifiers, action): the default bindings.
pub const BINDINGS: &[(KeyCode, KeyModifiers, Action)] = &[
    (KeyCode::Char('q'), KeyModifiers::NONE, Action::Quit),
    (KeyCode::Char('c'), KeyModifiers::CONTROL, Action::Quit),
    (KeyCode::Char('?'), KeyModifiers::NONE, Action::Help),
    (KeyCode::Tab, KeyModifiers::NONE, Action::NextPane),
    (KeyCode::BackTab, KeyModifiers::SHIFT, Action::PrevPane),
    (KeyCode::Up, KeyModifiers::NONE, Action::Up),
    (KeyCode::Char('k'), KeyModifiers::NONE, Action::Up),
    (KeyCode::Down, KeyModifiers::NONE, Action::Down),
    (KeyCode::Char('j'), KeyModifiers::NONE, Action::Down),
    (KeyCode::Left, KeyModifiers::NONE, Action::Left),
    (KeyCode::Char('h'), KeyModifiers::NONE, Action::Left),
    (KeyCode::Right, KeyModifiers::NONE, Action::Right),
    (KeyCode::Char('l'), KeyModifiers::NONE, Action::Right),
    (KeyCode::Char('g'), KeyModifiers::NONE, Action::Top),
    (KeyCode::Home, KeyModifiers::NONE, Action::Top),
    (KeyCode::Char('G'), KeyModifiers::SHIFT, Action::Bottom),
    (KeyCode::End, KeyModifiers::NONE, Action::Bottom),
    (KeyCode::PageUp, KeyModifiers::NONE, Action::PageUp),
    (KeyCode::Char('b'), KeyModifiers::CONTROL, Action::PageUp),
    (KeyCode::PageDown, KeyModifiers::NONE, Action::PageDown),
    (KeyCode::Char('f'), KeyModifiers::CONTROL, Action::PageDown),
    (KeyCode::Char(' '), KeyModifiers::NONE, Action::PageDown),
    (KeyCode::Enter, KeyModifiers::NONE, Action::Enter),
    (KeyCode::Esc, KeyModifiers::NONE, Action::Escape),
    (KeyCode::Char('n'), KeyModifiers::NONE, Action::NextFigure),
    (KeyCode::Char('N'), KeyModifiers::SHIFT, Action::PrevFigure),
    (KeyCode::Char('f'), KeyModifiers::NONE, Action::ToggleFigures),
    (KeyCode::Char('p'), KeyModifiers::CONTROL, Action::Palette),
    (KeyCode::Char(':'), KeyModifiers::NONE, Action::Palette),
    (KeyCode::Char('/'), KeyModifiers::NONE, Action::Search),
    (KeyCode::Char('i'), KeyModifiers::NONE, Action::Filter),
    (KeyCode::Char('y'), KeyModifiers::NONE, Action::CopyExcerpt),
    (KeyCode::Char('Y'), KeyModifiers::SHIFT, Action::CopySection),
    (KeyCode::Char('v'), KeyModifiers::NONE, Action::Visual),
    (KeyCode::Char('r'), KeyModifiers::NONE, Action::Refresh),
    (KeyCode::Char('o'), KeyModifiers::NONE, Action::GroupBureaus),
    (KeyCode::Char('c'), KeyModifiers::NONE, Action::Compare),
    (KeyCode::Char('a'), KeyModifiers::NONE, Action::Coverage),
    (KeyCode::Char('F'), KeyModifiers::SHIFT, Action::FigureGroups),
    (KeyCode::Char(']'), KeyModifiers::NONE, Action::YearNext),
    (KeyCode::Char('['), KeyModifiers::NONE, Action::YearPrev),
];

/// The keys of normal mode: the defaults, changed by the config file's
/// `[keys]` table. Popups (palette, search, filter) keep their own editing
/// keys.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Keymap {
    bindings: Vec<(KeyCode, KeyModifiers, Action)>,
}

impl Default for Keymap {
    fn default() -> Keymap {
        // Stored normalised, so two keymaps with the same keys are equal.
        Keymap {
            bindings: BINDINGS
                .iter()
                .map(|&(c, m, a)| {
                    let (c, m) = normalize(c, m);
                    (c, m, a)
                })
                .collect(),
        }
    }
}

impl Keymap {
    /// The action bound to a key. Shift on a character key is ignored when
    /// the character already says it (`G`, `N`, `?`, `:`).
    pub fn lookup(&self, key: &KeyEvent) -> Option<Action> {
        let want = normalize(key.code, key.modifiers);
        self.bindings
            .iter()
            .find_map(|&(code, mods, action)| (normalize(code, mods) == want).then_some(action))
    }

    /// Gives `action` exactly these keys: its old keys go, and each key
    /// leaves whatever action it had (so any key can move to any action).
    /// An empty list unbinds the action.
    pub fn bind(&mut self, action: Action, keys: &[(KeyCode, KeyModifiers)]) {
        let taken: Vec<_> = keys.iter().map(|&(c, m)| normalize(c, m)).collect();
        self.bindings
            .retain(|&(c, m, a)| a != action && !taken.contains(&normalize(c, m)));
        let at = self.bindings.iter().position(|&(_, _, a)| a > action);
        let new = taken.iter().map(|&(c, m)| (c, m, action));
        match at {
            Some(i) => {
                self.bindings.splice(i..i, new);
            }
            None => self.bindings.extend(new),
        }
    }

    /// The keys bound to an action, as written in the help.
    pub fn keys_of(&self, action: Action) -> Vec<String> {
        self.bindings
            .iter()
            .filter(|&&(_, _, a)| a == action)
            .map(|&(c, m, _)| key_name(c, m))
            .collect()
    }

    /// The keys bound to an action, as written in the config file.
    pub fn keys_of_config(&self, action: Action) -> Vec<String> {
        self.bindings
            .iter()
            .filter(|&&(_, _, a)| a == action)
            .map(|&(c, m, _)| config_key_name(c, m))
            .collect()
    }

    /// The first key of an action, short, for hints ("?", "^P"); None when
    /// the action has no key.
    pub fn hint(&self, action: Action) -> Option<String> {
        let name = self.keys_of(action).into_iter().next()?;
        Some(match name.strip_prefix("Ctrl-") {
            Some(rest) => format!("^{rest}"),
            None => name,
        })
    }

    /// Whether two keys are the same once Shift on characters is ignored.
    pub fn same_key(a: (KeyCode, KeyModifiers), b: (KeyCode, KeyModifiers)) -> bool {
        normalize(a.0, a.1) == normalize(b.0, b.1)
    }

    /// Each action with all its keys, in the order of `Action::ALL`: for the
    /// help overlay. Unbound actions are listed with no key.
    pub fn help_rows(&self) -> Vec<(String, &'static str)> {
        Action::ALL
            .iter()
            .map(|&a| (self.keys_of(a).join(" "), a.describe()))
            .collect()
    }

    /// The key table as Markdown rows (the README's table is checked
    /// against the default keymap's).
    pub fn markdown_table(&self) -> String {
        let mut s = String::from("| keys | action | config name |\n|---|---|---|\n");
        for &a in &Action::ALL {
            let keys: Vec<String> = self.keys_of(a).iter().map(|k| format!("`{k}`")).collect();
            s.push_str(&format!("| {} | {} | `{}` |\n", keys.join(" "), a.describe(), a.name()));
        }
        s
    }
}

/// Shift is part of the character for printable keys (`G` is Shift-g), so
/// it is dropped there; Shift-Tab arrives as BackTab with or without Shift.
fn normalize(code: KeyCode, mods: KeyModifiers) -> (KeyCode, KeyModifiers) {
    let mut mods = mods & (KeyModifiers::CONTROL | KeyModifiers::ALT | KeyModifiers::SHIFT);
    let code = match code {
        KeyCode::Char(c) if mods.contains(KeyModifiers::CONTROL) => KeyCode::Char(c.to_ascii_lowercase()),
        other => other,
    };
    if matches!(code, KeyCode::Char(_) | KeyCode::BackTab) {
        mods.remove(KeyModifiers::SHIFT);
    }
    (code, mods)
}

/// Parses a key as written in the config file: `j`, `G`, `?`, `ctrl-p`,
/// `alt-x`, `shift-tab`, `space`, `enter`, `esc`, `tab`, `up`, `pgdn`,
/// `f5`. Names and modifiers are case-insensitive; a single character is
/// taken as it is.
pub fn parse_key(s: &str) -> Result<(KeyCode, KeyModifiers), String> {
    let mut mods = KeyModifiers::NONE;
    let mut rest = s;
    loop {
        let lower = rest.to_ascii_lowercase();
        let (m, len) = if lower.starts_with("ctrl-") {
            (KeyModifiers::CONTROL, 5)
        } else if lower.starts_with("alt-") {
            (KeyModifiers::ALT, 4)
        } else if lower.starts_with("shift-") {
            (KeyModifiers::SHIFT, 6)
        } else {
            break;
        };
        if rest.len() == len {
            break;
        }
        mods |= m;
        rest = &rest[len..];
    }
    let mut chars = rest.chars();
    let code = match (chars.next(), chars.next()) {
        (Some(c), None) if !c.is_control() => KeyCode::Char(c),
        _ => match rest.to_ascii_lowercase().as_str() {
            "space" => KeyCode::Char(' '),
            "enter" | "return" => KeyCode::Enter,
            "esc" | "escape" => KeyCode::Esc,
            "tab" if mods.contains(KeyModifiers::SHIFT) => KeyCode::BackTab,
            "tab" => KeyCode::Tab,
            "backtab" => KeyCode::BackTab,
            "backspace" => KeyCode::Backspace,
            "delete" | "del" => KeyCode::Delete,
            "insert" | "ins" => KeyCode::Insert,
            "up" => KeyCode::Up,
            "down" => KeyCode::Down,
            "left" => KeyCode::Left,
            "right" => KeyCode::Right,
            "home" => KeyCode::Home,
            "end" => KeyCode::End,
            "pgup" | "pageup" => KeyCode::PageUp,
            "pgdn" | "pagedown" => KeyCode::PageDown,
            f if f.starts_with('f') && f[1..].parse::<u8>().is_ok_and(|n| (1..=12).contains(&n)) => {
                KeyCode::F(f[1..].parse().unwrap_or(1))
            }
            _ => {
                return Err(format!(
                    "unknown key `{s}`: write a character (j, G, ?), a name (space, enter, esc, tab, backspace, \
                     delete, insert, up, down, left, right, home, end, pgup, pgdn, f1–f12), \
                     optionally after ctrl-, alt- or shift-"
                ));
            }
        },
    };
    if code == KeyCode::Char(' ') || !matches!(code, KeyCode::Char(_)) || mods.contains(KeyModifiers::CONTROL) {
        Ok((code, mods))
    } else {
        // `shift-g` means `G`.
        let code = match code {
            KeyCode::Char(c) if mods.contains(KeyModifiers::SHIFT) => KeyCode::Char(c.to_ascii_uppercase()),
            other => other,
        };
        Ok((code, mods - KeyModifiers::SHIFT))
    }
}

/// A key as the config file writes it (`parse_key` reads it back).
pub fn config_key_name(code: KeyCode, mods: KeyModifiers) -> String {
    let (code, mods) = normalize(code, mods);
    let base = match code {
        KeyCode::Char(' ') => "space".to_string(),
        KeyCode::Char(c) => c.to_string(),
        KeyCode::Tab => "tab".into(),
        KeyCode::BackTab => "shift-tab".into(),
        KeyCode::Up => "up".into(),
        KeyCode::Down => "down".into(),
        KeyCode::Left => "left".into(),
        KeyCode::Right => "right".into(),
        KeyCode::Home => "home".into(),
        KeyCode::End => "end".into(),
        KeyCode::PageUp => "pgup".into(),
        KeyCode::PageDown => "pgdn".into(),
        KeyCode::Enter => "enter".into(),
        KeyCode::Esc => "esc".into(),
        KeyCode::Backspace => "backspace".into(),
        KeyCode::Delete => "delete".into(),
        KeyCode::Insert => "insert".into(),
        KeyCode::F(n) => format!("f{n}"),
        other => format!("{other:?}").to_lowercase(),
    };
    let mut name = String::new();
    for (m, prefix) in [
        (KeyModifiers::CONTROL, "ctrl-"),
        (KeyModifiers::ALT, "alt-"),
        (KeyModifiers::SHIFT, "shift-"),
    ] {
        if mods.contains(m) {
            name.push_str(prefix);
        }
    }
    name + &base
}

/// A key as people write it: "Ctrl-P", "Shift-Tab", "j", "PgDn".
pub fn key_name(code: KeyCode, mods: KeyModifiers) -> String {
    let base = match code {
        KeyCode::Char(' ') => "Space".to_string(),
        KeyCode::Char(c) => c.to_string(),
        KeyCode::Tab => "Tab".into(),
        KeyCode::BackTab => "Shift-Tab".into(),
        KeyCode::Up => "↑".into(),
        KeyCode::Down => "↓".into(),
        KeyCode::Left => "←".into(),
        KeyCode::Right => "→".into(),
        KeyCode::Home => "Home".into(),
        KeyCode::End => "End".into(),
        KeyCode::PageUp => "PgUp".into(),
        KeyCode::PageDown => "PgDn".into(),
        KeyCode::Enter => "Enter".into(),
        KeyCode::Esc => "Esc".into(),
        KeyCode::F(n) => format!("F{n}"),
        other => format!("{other:?}"),
    };
    let mut name = String::new();
    if mods.contains(KeyModifiers::CONTROL) {
        name.push_str("Ctrl-");
    }
    if mods.contains(KeyModifiers::ALT) {
        name.push_str("Alt-");
    }
    if mods.contains(KeyModifiers::SHIFT) && !matches!(code, KeyCode::Char(_) | KeyCode::BackTab) {
        name.push_str("Shift-");
    }
    if mods.contains(KeyModifiers::CONTROL) {
        name.push_str(&base.to_uppercase());
    } else {
        name.push_str(&base);
    }
    name
}

#[cfg(test)]
mod tests {
    use super::*;

    fn k(c: KeyCode, m: KeyModifiers) -> KeyEvent {
        KeyEvent::new(c, m)
    }

    #[test]
    fn lookups() {
        let map = Keymap::default();
        let look = |c, m| map.lookup(&k(c, m));
        assert_eq!(look(KeyCode::Char('j'), KeyModifiers::NONE), Some(Action::Down));
        assert_eq!(look(KeyCode::Char('G'), KeyModifiers::SHIFT), Some(Action::Bottom));
        assert_eq!(look(KeyCode::Char('G'), KeyModifiers::NONE), Some(Action::Bottom));
        assert_eq!(look(KeyCode::Char('p'), KeyModifiers::CONTROL), Some(Action::Palette));
        assert_eq!(look(KeyCode::Char('p'), KeyModifiers::NONE), None);
        assert_eq!(look(KeyCode::BackTab, KeyModifiers::SHIFT), Some(Action::PrevPane));
        assert_eq!(look(KeyCode::BackTab, KeyModifiers::NONE), Some(Action::PrevPane));
        assert_eq!(look(KeyCode::Char('?'), KeyModifiers::SHIFT), Some(Action::Help));
        assert_eq!(look(KeyCode::Char('j'), KeyModifiers::ALT), None);
    }

    #[test]
    fn help_lists_every_action_once() {
        let rows = Keymap::default().help_rows();
        assert_eq!(rows.len(), Action::ALL.len());
        assert!(rows.iter().any(|(k, d)| k == "↑ k" && d.contains("up")));
        assert!(rows.iter().any(|(k, _)| k == "Ctrl-P :"));
    }

    #[test]
    fn names_round_trip() {
        for a in Action::ALL {
            assert_eq!(Action::from_name(a.name()), Some(a));
        }
        assert_eq!(Action::from_name("jump"), None);
    }

    #[test]
    fn keys_parse_as_written() {
        let none = KeyModifiers::NONE;
        assert_eq!(parse_key("j"), Ok((KeyCode::Char('j'), none)));
        assert_eq!(parse_key("G"), Ok((KeyCode::Char('G'), none)));
        assert_eq!(parse_key("shift-g"), Ok((KeyCode::Char('G'), none)));
        assert_eq!(parse_key("-"), Ok((KeyCode::Char('-'), none)));
        assert_eq!(parse_key("Ctrl-P"), Ok((KeyCode::Char('P'), KeyModifiers::CONTROL)));
        assert_eq!(
            parse_key("ctrl-alt-x"),
            Ok((KeyCode::Char('x'), KeyModifiers::CONTROL | KeyModifiers::ALT))
        );
        assert_eq!(parse_key("shift-tab"), Ok((KeyCode::BackTab, KeyModifiers::SHIFT)));
        assert_eq!(parse_key("space"), Ok((KeyCode::Char(' '), none)));
        assert_eq!(parse_key("PgDn"), Ok((KeyCode::PageDown, none)));
        assert_eq!(parse_key("f5"), Ok((KeyCode::F(5), none)));
        assert_eq!(parse_key("ctrl--"), Ok((KeyCode::Char('-'), KeyModifiers::CONTROL)));
        for bad in ["", "jj", "ctrl-", "ctrl", "f13", "hyper-x", "页面"] {
            assert!(parse_key(bad).is_err(), "{bad:?} should be refused");
        }
    }

    #[test]
    fn binding_moves_a_key_to_another_action() {
        let mut map = Keymap::default();
        map.bind(Action::Palette, &[(KeyCode::Char('p'), KeyModifiers::NONE)]);
        map.bind(Action::Quit, &[(KeyCode::Char('x'), KeyModifiers::CONTROL)]);
        map.bind(Action::Down, &[(KeyCode::Char('n'), KeyModifiers::NONE)]);
        let look = |c, m| map.lookup(&k(c, m));
        assert_eq!(look(KeyCode::Char('p'), KeyModifiers::NONE), Some(Action::Palette));
        assert_eq!(look(KeyCode::Char('p'), KeyModifiers::CONTROL), None);
        assert_eq!(look(KeyCode::Char('q'), KeyModifiers::NONE), None);
        assert_eq!(look(KeyCode::Char('x'), KeyModifiers::CONTROL), Some(Action::Quit));
        assert_eq!(look(KeyCode::Char('n'), KeyModifiers::NONE), Some(Action::Down));
        assert_eq!(look(KeyCode::Char('j'), KeyModifiers::NONE), None);
        assert_eq!(map.keys_of(Action::NextFigure), Vec::<String>::new());
        assert_eq!(map.keys_of(Action::Quit), vec!["Ctrl-X"]);
    }
}
