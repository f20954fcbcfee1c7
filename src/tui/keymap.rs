//! Actions and the default key bindings, as data: the help overlay and the
//! README's key table are generated from the same table.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
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
}

impl Action {
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
            Action::Visual => "select a range of paragraphs (then y)",
            Action::Refresh => "reload the index (new reports)",
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
];

/// The action bound to a key in normal mode. Shift on a character key is
/// ignored when the character already says it (`G`, `N`, `?`, `:`).
pub fn lookup(key: &KeyEvent) -> Option<Action> {
    let mods = key.modifiers & (KeyModifiers::CONTROL | KeyModifiers::ALT | KeyModifiers::SHIFT);
    BINDINGS.iter().find_map(|(code, m, action)| {
        let same_mods = *m == mods
            || (matches!(code, KeyCode::Char(_))
                && !mods.contains(KeyModifiers::CONTROL)
                && !m.contains(KeyModifiers::CONTROL));
        (*code == key.code && same_mods).then_some(*action)
    })
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
        other => format!("{other:?}"),
    };
    if mods.contains(KeyModifiers::CONTROL) {
        format!("Ctrl-{}", base.to_uppercase())
    } else {
        base
    }
}

/// Each action with all its keys, in binding order: for the help overlay.
pub fn help_rows() -> Vec<(String, &'static str)> {
    let mut rows: Vec<(Action, Vec<String>)> = Vec::new();
    for (code, mods, action) in BINDINGS {
        let name = key_name(*code, *mods);
        match rows.iter_mut().find(|(a, _)| a == action) {
            Some((_, keys)) => keys.push(name),
            None => rows.push((*action, vec![name])),
        }
    }
    rows.into_iter()
        .map(|(a, keys)| (keys.join(" "), a.describe()))
        .collect()
}

/// The key table as Markdown rows (the README's table is checked against it).
pub fn markdown_table() -> String {
    let mut s = String::from("| keys | action |\n|---|---|\n");
    for (k, d) in help_rows() {
        let keys: Vec<String> = k.split(' ').map(|k| format!("`{k}`")).collect();
        s.push_str(&format!("| {} | {d} |\n", keys.join(" ")));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookups() {
        let k = |c, m| KeyEvent::new(c, m);
        assert_eq!(lookup(&k(KeyCode::Char('j'), KeyModifiers::NONE)), Some(Action::Down));
        assert_eq!(
            lookup(&k(KeyCode::Char('G'), KeyModifiers::SHIFT)),
            Some(Action::Bottom)
        );
        assert_eq!(lookup(&k(KeyCode::Char('G'), KeyModifiers::NONE)), Some(Action::Bottom));
        assert_eq!(
            lookup(&k(KeyCode::Char('p'), KeyModifiers::CONTROL)),
            Some(Action::Palette)
        );
        assert_eq!(lookup(&k(KeyCode::Char('p'), KeyModifiers::NONE)), None);
        assert_eq!(
            lookup(&k(KeyCode::BackTab, KeyModifiers::SHIFT)),
            Some(Action::PrevPane)
        );
        assert_eq!(lookup(&k(KeyCode::Char('?'), KeyModifiers::SHIFT)), Some(Action::Help));
    }

    #[test]
    fn help_lists_every_action_once() {
        let rows = help_rows();
        assert!(rows.iter().any(|(k, d)| k == "k ↑" || (k == "↑ k" && d.contains("up"))));
        assert!(rows.iter().any(|(k, _)| k == "Ctrl-P :"));
        let mut descs: Vec<&str> = rows.iter().map(|r| r.1).collect();
        descs.dedup();
        assert_eq!(descs.len(), rows.len());
    }
}
