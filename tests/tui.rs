//! The browser's state, update and rendering, on an index of the sample
//! reports, drawn into ratatui's TestBackend.

mod common;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers, MouseButton, MouseEvent, MouseEventKind};
use fazhi::search::palette::{Kind, rank};
use fazhi::store::Store;
use fazhi::store::writer::IndexOptions;
use fazhi::tui::app::{App, Effect, Jump, Mode, Response, TreeRow};
use fazhi::tui::keymap::Action;
use fazhi::tui::layout::Pane;
use fazhi::tui::theme::Theme;
use fazhi::tui::{doc, view, wrap};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier};

struct Fixture {
    _dir: tempfile::TempDir,
    store: Store,
}

fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    std::fs::create_dir(&data).unwrap();
    for e in common::SAMPLES {
        std::fs::copy(common::sample_path(e.file), data.join(e.file)).unwrap();
    }
    let mut store = Store::open(&dir.path().join("i.db")).unwrap();
    store.index(&[data], IndexOptions::default(), &mut |_| {}).unwrap();
    Fixture { _dir: dir, store }
}

/// An app showing `bureau`'s report, as after the worker answered.
fn app_on(fx: &Fixture, bureau: &str, w: u16, h: u16) -> App {
    let bureaus = fx.store.bureaus().unwrap();
    let mut app = App::new(bureaus, Rect::new(0, 0, w, h));
    app.color = true;
    load(fx, &mut app, bureau, Jump::Start);
    app
}

fn report_id(fx: &Fixture, bureau: &str) -> i64 {
    fx.store.find_bureaus(bureau).unwrap()[0].reports[0].id
}

fn load(fx: &Fixture, app: &mut App, bureau: &str, jump: Jump) {
    let id = report_id(fx, bureau);
    let r = fx.store.report(id).unwrap().unwrap();
    app.loading = Some(id);
    app.apply(Response::Report(Box::new(r), jump));
}

fn render(app: &App) -> (Buffer, Terminal<TestBackend>) {
    let mut t = Terminal::new(TestBackend::new(app.area.width, app.area.height)).unwrap();
    t.draw(|f| view::draw(f, app)).unwrap();
    (t.backend().buffer().clone(), t)
}

/// A row as text: wide characters once, their continuation cells skipped.
fn row(buf: &Buffer, y: u16) -> String {
    let mut s = String::new();
    let mut x = buf.area.x;
    while x < buf.area.right() {
        let sym = buf[(x, y)].symbol();
        s.push_str(sym);
        x += wrap::width(sym).max(1) as u16;
    }
    s
}

fn screen(buf: &Buffer) -> String {
    (buf.area.y..buf.area.bottom())
        .map(|y| row(buf, y))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Cells (x, y) where `needle` is drawn.
fn find(buf: &Buffer, needle: &str) -> Option<(u16, u16)> {
    for y in buf.area.y..buf.area.bottom() {
        let mut x = buf.area.x;
        while x < buf.area.right() {
            let mut s = String::new();
            let mut cx = x;
            while cx < buf.area.right() && s.len() < needle.len() {
                let sym = buf[(cx, y)].symbol();
                s.push_str(sym);
                cx += wrap::width(sym).max(1) as u16;
            }
            if s == needle {
                return Some((x, y));
            }
            x += wrap::width(buf[(x, y)].symbol()).max(1) as u16;
        }
    }
    None
}

fn key(c: char) -> KeyEvent {
    KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)
}

fn copied(fx: Vec<Effect>) -> String {
    match fx.as_slice() {
        [Effect::Copy(t)] => t.clone(),
        other => panic!("expected one copy, got {other:?}"),
    }
}

#[test]
fn three_panes_with_coverage_and_status() {
    let fx = fixture();
    let app = app_on(&fx, "茅箭", 120, 40);
    let (buf, _) = render(&app);
    let s = screen(&buf);
    assert!(s.contains("机构 7 · 报告 7"), "{s}");
    assert!(s.contains("目录 · 21 节"));
    assert!(s.contains("✓举措 ✓不足 ✓责任人 ✓安排 ✗其他"));
    assert!(s.contains("十堰市茅箭区民政局 · 2023年度"));
    assert!(s.contains("▾一、2023年度推进法治政府建设的"));
    assert!(row(&buf, 39).starts_with("十堰市茅箭区民政局 · 2023 · 前言 · 1/"));
    // The bureau tree marks the open report.
    assert!(s.contains("● 2023年"));
}

#[test]
fn figures_are_highlighted_without_relying_on_colour() {
    let fx = fixture();
    for color in [true, false] {
        let mut app = app_on(&fx, "茅箭", 120, 40);
        app.color = color;
        app.update(Action::NextFigure); // the first figure, "6次", becomes current
        app.update(Action::NextFigure); // "300余份" current; "6次" plain highlighted
        let (buf, _) = render(&app);
        let (x, y) = find(&buf, "6次").expect("figure on screen");
        let cell = &buf[(x, y)];
        assert!(
            cell.modifier.contains(Modifier::BOLD | Modifier::UNDERLINED),
            "{cell:?}"
        );
        assert_eq!(cell.fg == Color::Yellow, color);
        let (x, y) = find(&buf, "300余份").expect("current figure on screen");
        assert!(buf[(x, y)].modifier.contains(Modifier::REVERSED));
        // Surrounding text is plain.
        let (x, y) = find(&buf, "宣传活动").unwrap();
        assert!(!buf[(x, y)].modifier.contains(Modifier::UNDERLINED));
    }
}

#[test]
fn no_color_drops_every_colour_of_every_theme_but_keeps_the_highlights() {
    let fx = fixture();
    for theme in Theme::ALL {
        for color in [true, false] {
            let mut app = app_on(&fx, "茅箭", 120, 40);
            app.theme = theme;
            app.color = color;
            app.update(Action::NextFigure);
            app.update(Action::NextFigure);
            let (buf, _) = render(&app);
            let coloured = buf
                .content
                .iter()
                .filter(|c| c.fg != Color::Reset || c.bg != Color::Reset)
                .count();
            if color {
                assert!(coloured > 0, "{theme:?}: no colour at all");
                let (x, y) = find(&buf, "6次").unwrap();
                assert_eq!(buf[(x, y)].fg, theme.colors().figure, "{theme:?}");
            } else {
                assert_eq!(coloured, 0, "{theme:?}: colour under NO_COLOR");
            }
            let (x, y) = find(&buf, "6次").unwrap();
            assert!(buf[(x, y)].modifier.contains(Modifier::BOLD | Modifier::UNDERLINED));
            let (x, y) = find(&buf, "300余份").unwrap();
            assert!(buf[(x, y)].modifier.contains(Modifier::REVERSED));
        }
    }
}

#[test]
fn remapped_keys_take_effect_and_show_in_the_help() {
    let fx = fixture();
    let cfg = fazhi::config::Config::parse("[keys]\nquit = \"x\"\ndown = [\"s\", \"down\"]\nhelp = \"f1\"\n").unwrap();
    let mut app = app_on(&fx, "茅箭", 120, 40);
    app.keymap = cfg.keymap;
    app.focus = Pane::Outline;
    let before = app.outline_sel;
    app.on_key(key('j'));
    assert_eq!(app.outline_sel, before, "j still moves");
    app.on_key(key('s'));
    assert_eq!(app.outline_sel, before + 1, "s does not move");
    app.on_key(KeyEvent::new(KeyCode::F(1), KeyModifiers::NONE));
    assert_eq!(app.mode, Mode::Help);
    let (buf, _) = render(&app);
    // Compare with runs of spaces squeezed: the key column's width follows
    // the longest key list.
    let s = screen(&buf)
        .split(' ')
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    assert!(s.contains("┃x quit"), "{s}");
    assert!(s.contains("┃s ↓ move down"), "{s}");
    assert!(s.contains("┃F1 show or hide this help"), "{s}");
    // The status line's hints name the user's keys.
    assert!(s.contains("F1 help · ^P jump · / search · y copy · x quit"), "{s}");
    app.on_key(key('q'));
    assert_eq!(app.mode, Mode::Normal);
    app.on_key(key('q'));
    assert!(!app.quit, "q still quits");
    app.on_key(key('x'));
    assert!(app.quit);
}

#[test]
fn chinese_wrapping_keeps_every_character_and_the_punctuation_rules() {
    let fx = fixture();
    for b in fx.store.bureaus().unwrap() {
        let r = fx.store.report(b.reports[0].id).unwrap().unwrap();
        for width in [8, 13, 20, 37, 60] {
            let d = doc::build(&r, width, &[]);
            for (pi, p) in r.paragraphs.iter().enumerate() {
                let lines: Vec<&str> = d
                    .lines
                    .iter()
                    .filter(|l| l.kind == doc::LineKind::Para { para: pi })
                    .map(|l| l.text.as_str())
                    .collect();
                assert_eq!(
                    lines.concat().replace(' ', ""),
                    p.text.replace(' ', ""),
                    "width {width}"
                );
                for l in &lines {
                    assert!(wrap::width(l) <= width, "{l:?} wider than {width}");
                    if l.chars().count() > 1 {
                        assert!(!l.starts_with(['，', '。', '、', '；', '：', '）', '”', '》']), "{l:?}");
                        assert!(!l.ends_with(['（', '“', '《']), "{l:?}");
                    }
                }
            }
        }
    }
    // On screen: the text pane's lines fit inside its borders.
    let app = app_on(&fx, "忻州", 120, 40);
    let (buf, _) = render(&app);
    let text = app.panes.text.unwrap();
    for y in text.y + 1..text.bottom() - 1 {
        assert_eq!(buf[(text.right() - 1, y)].symbol(), "│");
    }
}

#[test]
fn tiny_terminals_degrade_instead_of_panicking() {
    let fx = fixture();
    for (w, h) in [(40, 10), (30, 6), (12, 4), (3, 2), (1, 1), (200, 60), (80, 24)] {
        let mut app = app_on(&fx, "湖滨", w, h);
        for a in [
            Action::NextPane,
            Action::Down,
            Action::ToggleFigures,
            Action::NextFigure,
            Action::Help,
        ] {
            app.update(a);
            render(&app);
        }
        app.mode = Mode::Palette;
        render(&app);
    }
    let app = app_on(&fx, "湖滨", 40, 10);
    assert_eq!(
        app.panes.bureaus.is_some() as u8 + app.panes.outline.is_some() as u8 + app.panes.text.is_some() as u8,
        1
    );
    // 80×24: the pane in use beside the text.
    let mut app = app_on(&fx, "湖滨", 80, 24);
    assert!(app.panes.text.is_some() && app.panes.bureaus.is_some() && app.panes.outline.is_none());
    app.update(Action::NextPane);
    assert!(app.panes.text.is_some() && app.panes.outline.is_some() && app.panes.bureaus.is_none());
}

#[test]
fn empty_index_says_how_to_index() {
    let app = App::new(Vec::new(), Rect::new(0, 0, 80, 20));
    let (buf, _) = render(&app);
    let s = screen(&buf);
    assert!(s.contains("The index is empty."));
    assert!(s.contains("fazhi index FOLDER"));
}

#[test]
fn palette_ranks_highlights_and_jumps() {
    let fx = fixture();
    let mut app = app_on(&fx, "茅箭", 120, 40);
    let fxs = app.update(Action::Palette);
    assert!(matches!(fxs.as_slice(), [Effect::Palette { query, .. }] if query.is_empty()));
    for c in "婚姻登记".chars() {
        app.on_key(key(c));
    }
    assert_eq!(app.palette.text, "婚姻登记");
    // Until the worker answers (on a large index the first query also
    // loads the items), the popup says it is matching, not that nothing
    // matched.
    let s = screen(&render(&app).0);
    assert!(s.contains("matching…") && !s.contains("no match"), "{s}");
    app.apply(Response::Palette(app.palette.seq - 1, Vec::new()));
    assert!(
        screen(&render(&app).0).contains("matching…"),
        "an older answer is not this query's"
    );
    let items = fx.store.palette_items().unwrap();
    let hits = rank(&items, &app.palette.text, 50);
    app.apply(Response::Palette(app.palette.seq, hits));
    let (buf, mut term) = render(&app);
    let s = screen(&buf);
    assert!(s.contains("› 婚姻登记"), "{s}");
    assert!(s.contains("章节 规范开展婚姻登记  湖滨区民政局 · 2023 · 2.4"));
    let (x, y) = find(&buf, "规范开展婚姻登记").unwrap();
    // "婚" is the fifth character (two columns each): matched, so marked.
    assert!(buf[(x + 8, y)].modifier.contains(Modifier::BOLD | Modifier::UNDERLINED));
    assert!(!buf[(x, y)].modifier.contains(Modifier::UNDERLINED));
    // The input cursor sits after the typed text, at its display column.
    let (px, py) = find(&buf, "› 婚姻登记").unwrap();
    let cur = term.get_cursor_position().unwrap();
    assert_eq!((cur.x, cur.y), (px + 2 + 8, py));
    // No wide character is cut by the popup's edges.
    // (The popup spans rows 5..29 from column px - 1.)
    let popup_left = px - 1;
    for y in 5..29 {
        assert!(
            wrap::width(buf[(popup_left - 1, y)].symbol()) <= 1,
            "half character at row {y}"
        );
    }
    // Enter on the section: the other report is asked for, then shown there.
    let fxs = app.on_key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE));
    let hubin = report_id(&fx, "湖滨");
    let Effect::LoadReport { id, jump } = &fxs[0] else {
        panic!("{fxs:?}")
    };
    assert_eq!(*id, hubin);
    let Jump::Section(s) = jump else { panic!("{jump:?}") };
    load(&fx, &mut app, "湖滨", jump.clone());
    assert_eq!(app.mode, Mode::Normal);
    assert_eq!(app.focus, Pane::Text);
    assert_eq!(app.cursor, app.doc.section_line[*s]);
    assert_eq!(app.report.as_ref().unwrap().sections[*s].path, "2.4");
    assert!(matches!(app.tree_rows()[app.tree_sel], TreeRow::Report(..)));
    // Kind prefixes narrow the list.
    assert!(
        rank(&items, "$婚姻登记", 50)
            .iter()
            .all(|h| h.item.kind == Kind::Figure)
    );
}

#[test]
fn search_jumps_to_the_paragraph_with_matches_marked() {
    let fx = fixture();
    let mut app = app_on(&fx, "茅箭", 120, 40);
    app.update(Action::Search);
    for c in "低保 临时".chars() {
        app.on_key(key(c));
    }
    let hits = fx.store.search(&app.search.text, 50).unwrap();
    let hubin = hits
        .iter()
        .position(|h| h.bureau.as_deref() == Some("湖滨区民政局"))
        .expect("a hit in 湖滨");
    app.apply(Response::Search(app.search.seq, hits));
    let (buf, _) = render(&app);
    assert!(screen(&buf).contains("湖滨区民政局 · 2023 · 2.3"));
    for _ in 0..hubin {
        app.on_key(KeyEvent::new(KeyCode::Down, KeyModifiers::NONE));
    }
    let fxs = app.on_key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE));
    let Effect::LoadReport { jump, .. } = &fxs[0] else {
        panic!()
    };
    load(&fx, &mut app, "湖滨", jump.clone());
    let (buf, _) = render(&app);
    let (x, y) = find(&buf, "低保").unwrap();
    assert!(buf[(x, y)].modifier.contains(Modifier::BOLD | Modifier::UNDERLINED));
    assert!(row(&buf, 39).contains("2.3 社会救助规范有序"));
    // Esc clears the marks.
    app.update(Action::Escape);
    assert!(app.terms.is_empty());
}

#[test]
fn panes_outline_and_text_follow_each_other() {
    let fx = fixture();
    let mut app = app_on(&fx, "茅箭", 120, 40);
    assert_eq!(app.focus, Pane::Bureaus);
    app.update(Action::NextPane);
    assert_eq!(app.focus, Pane::Outline);
    app.update(Action::PrevPane);
    assert_eq!(app.focus, Pane::Bureaus);
    app.update(Action::NextPane);
    for _ in 0..4 {
        app.update(Action::Down);
    }
    app.update(Action::Enter);
    assert_eq!(app.focus, Pane::Text);
    let r = app.report.as_ref().unwrap();
    assert_eq!(r.sections[app.cursor_section().unwrap()].path, "1.4");
    // Scrolling the text moves the outline selection.
    for _ in 0..12 {
        app.update(Action::Down);
    }
    let s = app.outline_rows()[app.outline_sel];
    assert_eq!(Some(s), app.cursor_section());
    assert_eq!(app.report.as_ref().unwrap().sections[s].path, "1.5");
    // Collapse a section in the outline: its children disappear.
    app.update(Action::Left); // text → outline
    app.update(Action::Top);
    let before = app.outline_rows().len();
    app.update(Action::Left);
    assert_eq!(app.outline_rows().len(), before - 17);
    app.update(Action::Right);
    assert_eq!(app.outline_rows().len(), before);
}

#[test]
fn figure_stepping_and_the_figures_pane() {
    let fx = fixture();
    let mut app = app_on(&fx, "茅箭", 120, 40);
    let n = app.report.as_ref().unwrap().figures.len();
    app.update(Action::NextFigure);
    assert_eq!(app.current_figure, Some(0));
    app.update(Action::NextFigure);
    assert_eq!(app.current_figure, Some(1));
    app.update(Action::PrevFigure);
    assert_eq!(app.current_figure, Some(0));
    app.update(Action::PrevFigure);
    assert_eq!(app.current_figure, Some(n - 1), "wraps around");
    app.update(Action::ToggleFigures);
    assert_eq!(app.focus, Pane::Figures);
    let (buf, _) = render(&app);
    assert!(screen(&buf).contains(&format!("数据 · {n}")));
    app.update(Action::Top);
    app.update(Action::Down);
    app.update(Action::Enter);
    assert_eq!(app.current_figure, Some(1));
    assert_eq!(app.cursor, app.doc.figure_line[1]);
    let text = copied(app.update(Action::CopyExcerpt));
    assert_eq!(
        text,
        "截至目前,全年共开展法治宣传活动6次,发放法治宣传资料300余份,宣传覆盖群众达1000余人次。\n\
         —— 十堰市茅箭区民政局《茅箭区民政局2023年度法治政府建设年度报告》（2023年度），\
         一、2023年度推进法治政府建设的主要举措和成效 > (四)加强法治文化建设。"
    );
}

#[test]
fn copy_paragraph_range_and_section_with_citation() {
    let fx = fixture();
    let mut app = app_on(&fx, "湖滨", 120, 40);
    let r = app.report.clone().unwrap();
    let s = r.sections.iter().position(|s| s.path == "2.4").unwrap();
    app.update(Action::NextPane);
    app.update(Action::NextPane);
    assert_eq!(app.focus, Pane::Text);
    app.cursor = app.doc.section_line[s];
    let text = copied(app.update(Action::CopyExcerpt));
    let cite = "—— 湖滨区民政局《关于2023年法治政府建设情况的报告》（2023年度），二、依法履行职责，提高民政工作法治化水平 > （四）规范开展婚姻登记";
    let p = r.paragraphs.iter().find(|p| p.section == Some(s)).unwrap();
    assert_eq!(text, format!("{}\n{cite}", p.text));
    // Visual mode: from the paragraph of 2.3 to the one of 2.4.
    let s3 = s - 1;
    app.cursor = app.doc.section_line[s3] + 2;
    app.update(Action::Visual);
    assert!(app.visual.is_some());
    app.cursor = app.doc.section_line[s] + 2;
    let text = copied(app.update(Action::CopyExcerpt));
    assert!(text.starts_with("目前湖滨区有城乡低保4277人"));
    assert!(text.contains("\n婚姻登记坚持依法依规从严审核"));
    assert!(text.ends_with("> （三）社会救助规范有序"));
    assert!(app.visual.is_none());
    // Y: the whole section with its heading.
    let text = copied(app.update(Action::CopySection));
    assert!(text.starts_with("（四）规范开展婚姻登记\n婚姻登记坚持"));
}

#[test]
fn bureau_filter_keys_and_mouse() {
    let fx = fixture();
    let mut app = app_on(&fx, "茅箭", 120, 40);
    // Typing Chinese in the bureau pane filters it.
    app.on_key(key('湖'));
    app.on_key(key('滨'));
    assert_eq!(app.mode, Mode::Filter);
    assert_eq!(app.tree_rows(), vec![TreeRow::Bureau(5), TreeRow::Report(5, 0)]);
    let (buf, _) = render(&app);
    assert!(screen(&buf).contains("机构 / filter: 湖滨"));
    app.on_key(KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE));
    assert_eq!(app.tree_rows().len(), 8);
    // Click the fourth bureau row: selected, and its report is asked for.
    let area = app.panes.bureaus.unwrap();
    let fxs = app.on_mouse(MouseEvent {
        kind: MouseEventKind::Down(MouseButton::Left),
        column: area.x + 3,
        row: area.y + 1 + 3,
        modifiers: KeyModifiers::NONE,
    });
    assert_eq!(app.tree_sel, 3);
    assert!(matches!(fxs.as_slice(), [Effect::LoadReport { .. }]));
    // The wheel scrolls the pane under the mouse.
    let text = app.panes.text.unwrap();
    app.on_mouse(MouseEvent {
        kind: MouseEventKind::ScrollDown,
        column: text.x + 5,
        row: text.y + 5,
        modifiers: KeyModifiers::NONE,
    });
    assert_eq!(app.cursor, 3);
    // q quits; ? opens help, any key closes it.
    app.on_key(key('?'));
    assert_eq!(app.mode, Mode::Help);
    let (buf, _) = render(&app);
    for d in [
        "jump to any bureau, report, section or figure",
        "copy the whole section with a citation",
    ] {
        assert!(screen(&buf).contains(d), "{d}");
    }
    app.on_key(key('x'));
    assert_eq!(app.mode, Mode::Normal);
    app.on_key(key('q'));
    assert!(app.quit);
}

#[test]
fn readme_key_table_matches_the_keymap() {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let table = fazhi::tui::keymap::Keymap::default().markdown_table();
    assert!(
        readme.contains(&table),
        "README.md's key table is out of date; it should contain:\n{table}"
    );
}

#[test]
fn random_walk_never_panics() {
    let fx = fixture();
    let items = fx.store.palette_items().unwrap();
    let keys: Vec<KeyEvent> = [
        "j", "k", "h", "l", "g", "G", "n", "N", "f", "y", "Y", "v", "?", ":", "/", "i", "r", "x", "湖", "婚", "1", "$",
        "#", "a", "c", "F", "o", "]", "[", "s", "2", "m",
    ]
    .iter()
    .map(|s| key(s.chars().next().unwrap()))
    .chain(
        [
            KeyCode::Tab,
            KeyCode::BackTab,
            KeyCode::Enter,
            KeyCode::Esc,
            KeyCode::Backspace,
            KeyCode::PageDown,
            KeyCode::PageUp,
            KeyCode::Up,
            KeyCode::Down,
        ]
        .into_iter()
        .map(|c| KeyEvent::new(c, KeyModifiers::NONE)),
    )
    .chain([KeyEvent::new(KeyCode::Char('p'), KeyModifiers::CONTROL)])
    .collect();
    let sizes = [(120, 40), (80, 24), (40, 10), (200, 60), (20, 5)];
    let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = |n: usize| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed % n as u64) as usize
    };
    let bureaus = fx.store.bureaus().unwrap();
    for round in 0..4 {
        let (w, h) = sizes[round % sizes.len()];
        let mut app = App::new(bureaus.clone(), Rect::new(0, 0, w, h));
        let mut pending: Vec<Effect> = app.initial_effects();
        for step in 0..150 {
            // Carry out effects as the event loop would, synchronously.
            for e in std::mem::take(&mut pending) {
                let resp = match e {
                    Effect::LoadReport { id, jump } => {
                        Response::Report(Box::new(fx.store.report(id).unwrap().unwrap()), jump)
                    }
                    Effect::Palette { seq, query } => Response::Palette(seq, rank(&items, &query, 200)),
                    Effect::Search { seq, query } => Response::Search(seq, fx.store.search(&query, 200).unwrap()),
                    Effect::Reload => Response::Index(
                        fx.store.bureaus().unwrap(),
                        std::sync::Arc::new(fx.store.pinyin().unwrap()),
                    ),
                    Effect::View(q) => Response::View(fazhi::tui::views::fetch(&fx.store, q).unwrap()),
                    Effect::Copy(t) => {
                        assert!(t.contains("——"), "a citation: {t}");
                        continue;
                    }
                };
                pending.extend(app.apply(resp));
            }
            match next(10) {
                0 => {
                    let (w, h) = sizes[next(sizes.len())];
                    app.resize(Rect::new(0, 0, w, h));
                }
                1 => {
                    let kind = [
                        MouseEventKind::Down(MouseButton::Left),
                        MouseEventKind::ScrollDown,
                        MouseEventKind::ScrollUp,
                    ][next(3)];
                    pending.extend(app.on_mouse(MouseEvent {
                        kind,
                        column: next(app.area.width as usize + 1) as u16,
                        row: next(app.area.height as usize + 1) as u16,
                        modifiers: KeyModifiers::NONE,
                    }));
                }
                _ => {
                    let k = keys[next(keys.len())];
                    if k.code != KeyCode::Char('q') {
                        pending.extend(app.on_key(k));
                    }
                }
            }
            // Drawing is the slow part of a debug build: every fourth step.
            if step % 4 == 0 {
                render(&app);
            }
        }
        render(&app);
    }
}

#[test]
fn help_scrolls_on_a_small_screen() {
    let fx = fixture();
    let mut app = app_on(&fx, "湖滨", 60, 10);
    app.on_key(key('?'));
    let (buf, _) = render(&app);
    let s = screen(&buf);
    assert!(s.contains("keys · j/k scroll"), "{s}");
    assert!(s.contains("quit") && !s.contains("Mouse:"));
    for _ in 0..40 {
        app.on_key(key('j'));
    }
    assert_eq!(app.help_scroll, app.help_max_scroll());
    let (buf, _) = render(&app);
    assert!(screen(&buf).contains("Mouse:"));
    app.on_key(key('k'));
    assert_eq!(app.help_scroll, app.help_max_scroll() - 1);
    app.on_key(key('x'));
    assert_eq!(app.mode, Mode::Normal);
}
