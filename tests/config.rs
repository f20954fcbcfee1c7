//! The config file: good files, every kind of mistake, and files written
//! for an older fazhi.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use fazhi::config::{ClipboardMethod, Config};
use fazhi::tui::keymap::Action;
use fazhi::tui::theme::Theme;

fn err(text: &str) -> String {
    format!("{:#}", Config::parse(text).expect_err("should be refused"))
}

fn key(c: char) -> KeyEvent {
    KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)
}

#[test]
fn an_empty_file_is_the_defaults() {
    assert_eq!(Config::parse("").unwrap(), Config::default());
    assert_eq!(Config::parse("# nothing\n\n").unwrap(), Config::default());
}

#[test]
fn a_full_config_is_read() {
    let cfg = Config::parse(
        r#"
version = 1
database = "/data/fazhi.db"

[ui]
theme = "light"
mouse = false

[clipboard]
method = "file"
file = "/tmp/excerpts.txt"

[keys]
quit = "x"
palette = ["p", "ctrl-p", ":"]
next_figure = "ctrl-n"
down = ["j", "down", "ctrl-j"]
"#,
    )
    .unwrap();
    assert_eq!(cfg.database.as_deref(), Some(std::path::Path::new("/data/fazhi.db")));
    assert_eq!(cfg.theme, Theme::Light);
    assert!(!cfg.mouse);
    assert_eq!(cfg.clipboard, ClipboardMethod::File);
    assert_eq!(
        cfg.clipboard_file.as_deref(),
        Some(std::path::Path::new("/tmp/excerpts.txt"))
    );
    let m = &cfg.keymap;
    assert_eq!(m.lookup(&key('x')), Some(Action::Quit));
    assert_eq!(m.lookup(&key('q')), None);
    assert_eq!(m.lookup(&key('p')), Some(Action::Palette));
    assert_eq!(
        m.lookup(&KeyEvent::new(KeyCode::Char('n'), KeyModifiers::CONTROL)),
        Some(Action::NextFigure)
    );
    // n was only next_figure's; naming next_figure took it away.
    assert_eq!(m.lookup(&key('n')), None);
    assert_eq!(
        m.lookup(&KeyEvent::new(KeyCode::Char('j'), KeyModifiers::CONTROL)),
        Some(Action::Down)
    );
    // Actions not named keep their keys.
    assert_eq!(m.lookup(&key('/')), Some(Action::Search));
}

#[test]
fn a_key_can_move_to_another_action_and_an_action_can_be_unbound() {
    let cfg = Config::parse("[keys]\nfilter = \"f\"\nvisual = []\n").unwrap();
    assert_eq!(cfg.keymap.lookup(&key('f')), Some(Action::Filter));
    // toggle_figures lost f and has no key left; i no longer filters.
    assert!(cfg.keymap.keys_of(Action::ToggleFigures).is_empty());
    assert_eq!(cfg.keymap.lookup(&key('i')), None);
    assert_eq!(cfg.keymap.lookup(&key('v')), None);
}

#[test]
fn a_wrong_key_names_the_line_and_the_key_syntax() {
    let e = err("[keys]\nquit = \"hyper-q\"\n");
    assert!(e.contains("line 2, column 8"), "{e}");
    assert!(e.contains("unknown key `hyper-q`"), "{e}");
    assert!(e.contains("ctrl-, alt- or shift-"), "{e}");
    let e = err("[keys]\nquit = 5\n");
    assert!(
        e.contains("line 2") && e.contains("expected a key such as \"q\""),
        "{e}"
    );
}

#[test]
fn a_wrong_value_names_the_line_and_the_accepted_values() {
    let e = err("version = 1\n[ui]\ntheme = \"blue\"\n");
    assert!(e.contains("line 3, column 9"), "{e}");
    assert!(
        e.contains("unknown theme `blue`, expected one of: terminal, dark, light"),
        "{e}"
    );
    let e = err("[clipboard]\nmethod = \"x11\"\n");
    assert!(e.contains("line 2"), "{e}");
    assert!(e.contains("expected one of: auto, osc52, tmux, screen, file"), "{e}");
    let e = err("[ui]\nmouse = \"yes\"\n");
    assert!(e.contains("line 2") && e.contains("expected a boolean"), "{e}");
    let e = err("[clipboard]\nmethod = \"file\"\n");
    assert!(e.contains("line 2") && e.contains("needs file = \"PATH\""), "{e}");
}

#[test]
fn an_unknown_action_or_setting_names_the_line_and_the_choices() {
    let e = err("[keys]\nquit = \"q\"\njump = \"x\"\n");
    assert!(e.contains("line 3, column 1"), "{e}");
    assert!(
        e.contains("unknown action `jump`, expected one of: quit, help, next_pane"),
        "{e}"
    );
    let e = err("[ui]\ncolour = \"dark\"\n");
    assert!(
        e.contains("line 2") && e.contains("unknown field `colour`, expected `theme` or `mouse`"),
        "{e}"
    );
    let e = err("[display]\ntheme = \"dark\"\n");
    assert!(e.contains("line 1") && e.contains("unknown field `display`"), "{e}");
}

#[test]
fn one_key_for_two_actions_is_refused_with_both_lines() {
    let e = err("[keys]\nquit = \"x\"\nhelp = [\"?\", \"x\"]\n");
    assert_eq!(e, "line 3: [keys]: x is given to both quit (line 2) and help");
    // Shift is part of a character: G and shift-g are the same key.
    let e = err("[keys]\ntop = \"G\"\nbottom = \"shift-g\"\n");
    assert!(e.contains("G is given to both top (line 2) and bottom"), "{e}");
}

#[test]
fn an_older_config_keeps_working() {
    // No version line and only the settings that existed then: the rest
    // takes its defaults.
    let cfg = Config::parse("[ui]\nmouse = false\n").unwrap();
    assert!(!cfg.mouse);
    assert_eq!(cfg.theme, Theme::Terminal);
    assert_eq!(cfg.keymap, fazhi::tui::keymap::Keymap::default());
    // A single key as a string as well as a list.
    let cfg = Config::parse("version = 1\n[keys]\nquit = \"Q\"\n").unwrap();
    assert_eq!(cfg.keymap.lookup(&key('Q')), Some(Action::Quit));
    // A file from a newer fazhi is refused with a reason, not misread.
    let e = err("version = 2\n");
    assert!(e.contains("line 1") && e.contains("written for a newer fazhi"), "{e}");
}

#[test]
fn the_default_text_is_the_default_config_and_lists_every_action() {
    let text = Config::default_text();
    assert_eq!(Config::parse(&text).unwrap(), Config::default());
    for a in Action::ALL {
        assert!(text.contains(&format!("\n{} = [", a.name())), "{} missing", a.name());
        assert!(text.contains(a.describe()));
    }
    // Each setting is explained by a comment.
    for setting in ["database", "theme", "mouse", "method", "file"] {
        let line = text
            .lines()
            .position(|l| l.trim_start_matches("# ").starts_with(setting))
            .unwrap();
        assert!(
            text.lines().nth(line - 1).unwrap().starts_with('#'),
            "{setting} has no comment"
        );
    }
}
