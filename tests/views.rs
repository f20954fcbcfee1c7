//! Pinyin, regions, figures grouped by measure, coverage and the compare
//! view, on an index of the sample reports: exact expectations, and the
//! views drawn into ratatui's TestBackend.

mod common;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use fazhi::ingest::Part;
use fazhi::store::Store;
use fazhi::store::views::{CompareWhat, ReportFilter};
use fazhi::tui::app::{App, Effect, Grouping, Response, TreeRow};
use fazhi::tui::views::{Screen, fetch};
use fazhi::tui::{view, wrap};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::layout::Rect;
use std::sync::Arc;

struct Fixture {
    _dir: tempfile::TempDir,
    store: Store,
}

fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let db = common::index_samples(dir.path());
    let store = Store::open_read_only(&db).unwrap();
    Fixture { _dir: dir, store }
}

fn app(fx: &Fixture, w: u16, h: u16) -> App {
    let mut app = App::new(fx.store.bureaus().unwrap(), Rect::new(0, 0, w, h));
    app.pinyin = Arc::new(fx.store.pinyin().unwrap());
    app
}

/// Carries out effects as the event loop and the worker would.
fn run(fx: &Fixture, app: &mut App, mut fx_list: Vec<Effect>) {
    while !fx_list.is_empty() {
        let mut next = Vec::new();
        for e in fx_list {
            let resp = match e {
                Effect::View(q) => Response::View(fetch(&fx.store, q).unwrap()),
                Effect::LoadReport { id, jump } => {
                    Response::Report(Box::new(fx.store.report(id).unwrap().unwrap()), jump)
                }
                _ => continue,
            };
            next.extend(app.apply(resp));
        }
        fx_list = next;
    }
}

fn press(fx: &Fixture, app: &mut App, keys: &str) {
    for c in keys.chars() {
        let code = match c {
            '\r' => KeyCode::Enter,
            '\x1b' => KeyCode::Esc,
            '\t' => KeyCode::Tab,
            c => KeyCode::Char(c),
        };
        let effects = app.on_key(KeyEvent::new(code, KeyModifiers::NONE));
        run(fx, app, effects);
    }
}

fn screen(app: &App) -> String {
    let mut t = Terminal::new(TestBackend::new(app.area.width, app.area.height)).unwrap();
    t.draw(|f| view::draw(f, app)).unwrap();
    let buf = t.backend().buffer().clone();
    (0..buf.area.height)
        .map(|y| {
            let mut s = String::new();
            let mut x = 0;
            while x < buf.area.width {
                let sym = buf[(x, y)].symbol();
                s.push_str(sym);
                x += wrap::width(sym).max(1) as u16;
            }
            s
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn palette_matches_pinyin_on_the_index() {
    let fx = fixture();
    let mut m = fx.store.palette().unwrap();
    let top = |m: &mut fazhi::search::palette::Matcher, q: &str| {
        let h = m.rank(q, 5).into_iter().next().expect(q);
        (h.item.text, h.indices)
    };
    assert_eq!(top(&mut m, "@mjq"), ("十堰市茅箭区民政局".to_string(), vec![3, 4, 5]));
    assert_eq!(top(&mut m, "@maojian"), ("十堰市茅箭区民政局".to_string(), vec![3, 4]));
    assert_eq!(top(&mut m, "@茅jian"), ("十堰市茅箭区民政局".to_string(), vec![3, 4]));
    assert_eq!(
        top(&mut m, "@szgm"),
        ("深圳市光明区人民政府".to_string(), vec![0, 1, 3, 4])
    );
    assert_eq!(top(&mut m, "#hydj").0, "规范开展婚姻登记");
    assert_eq!(top(&mut m, "$hydj").0, "办理婚姻登记 2529件");
    // The pinyin is stored at index time: every Han character of names,
    // headings and labels has its readings in the table.
    let p = fx.store.pinyin().unwrap();
    assert_eq!(p.get('茅'), &["mao".into()]);
    assert!(p.get('长').iter().any(|r| &**r == "zhang"));
}

#[test]
fn bureau_filter_matches_pinyin_region_and_department() {
    let fx = fixture();
    let mut app = app(&fx, 100, 30);
    let names = |app: &App| -> Vec<String> {
        app.tree_rows()
            .iter()
            .filter_map(|r| match r {
                TreeRow::Bureau(b) => Some(app.bureaus[*b].name.clone()),
                _ => None,
            })
            .collect()
    };
    app.filter.text = "yanliang".into();
    assert_eq!(names(&app), ["西安市阎良区民政局"]);
    assert_eq!(app.shown_bureaus()[0].1, vec![3, 4]);
    app.filter.text = "xayl".into();
    assert_eq!(names(&app), ["西安市阎良区民政局"]);
    assert_eq!(app.shown_bureaus()[0].1, vec![0, 1, 3, 4]);
    // By region: Shenzhen's two districts are in 广东, and so is Lianjiang.
    app.filter.text = "广东".into();
    assert_eq!(
        names(&app),
        ["廉江市民政局", "深圳市光明区人民政府", "深圳市龙华区人民政府"]
    );
    app.filter.text = "guangdong".into();
    assert_eq!(names(&app).len(), 3);
    app.filter.text = "人民政府".into();
    assert_eq!(names(&app), ["深圳市光明区人民政府", "深圳市龙华区人民政府"]);
    app.filter.text.clear();
    // Grouped by region: a heading per province and city.
    press(&fx, &mut app, "o");
    assert_eq!(app.grouping, Grouping::Region);
    let groups: Vec<String> = app
        .tree_rows()
        .iter()
        .filter_map(|r| match r {
            TreeRow::Group(b) => Some(app.grouping.key(&app.bureaus[*b])),
            _ => None,
        })
        .collect();
    assert_eq!(
        groups,
        [
            "山西省 忻州市",
            "广东省 深圳市",
            "广东省 湛江市",
            "河南省 三门峡市",
            "湖北省 十堰市",
            "陕西省 西安市"
        ]
    );
    let s = screen(&app);
    assert!(s.contains("■ 广东省 深圳市"), "{s}");
    press(&fx, &mut app, "o");
    assert_eq!(app.grouping, Grouping::Department);
    let s = screen(&app);
    assert!(s.contains("■ 人民政府") && s.contains("■ 民政"), "{s}");
}

#[test]
fn regions_of_every_sample_bureau() {
    let fx = fixture();
    let got: Vec<(String, String, Option<&str>)> = fx
        .store
        .bureaus()
        .unwrap()
        .into_iter()
        .map(|b| (b.name, b.kind.place.label(), b.kind.department))
        .collect();
    let want = [
        ("十堰市茅箭区民政局", "湖北省 十堰市 茅箭区", Some("民政")),
        ("廉江市民政局", "广东省 湛江市 廉江市", Some("民政")),
        ("忻州市民政局", "山西省 忻州市", Some("民政")),
        ("深圳市光明区人民政府", "广东省 深圳市 光明区", Some("人民政府")),
        ("深圳市龙华区人民政府", "广东省 深圳市 龙华区", Some("人民政府")),
        ("湖滨区民政局", "河南省 三门峡市 湖滨区", Some("民政")),
        ("西安市阎良区民政局", "陕西省 西安市 阎良区", Some("民政")),
    ];
    let want: Vec<(String, String, Option<&str>)> = want
        .iter()
        .map(|(a, b, c)| (a.to_string(), b.to_string(), *c))
        .collect();
    assert_eq!(got, want);
}

#[test]
fn coverage_of_every_sample_report() {
    let fx = fixture();
    let rows = fx.store.coverage(&ReportFilter::default()).unwrap();
    let got: Vec<String> = rows
        .iter()
        .map(|r| {
            let cells: Vec<String> = r
                .parts
                .iter()
                .map(|c| format!("{}:{}:{}", c.part.name(), c.status, c.sections.join("+")))
                .collect();
            format!(
                "{} {} {:?} {}",
                r.bureau.as_deref().unwrap_or("?"),
                r.year.unwrap_or(0),
                r.on_time,
                cells.join(" ")
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            "十堰市茅箭区民政局 2023 Some(true) measures:section:1 shortcomings:section:3 leadership:section:2 plans:section:4 other:missing:",
            "廉江市民政局 2024 Some(true) measures:section:1+2+4 shortcomings:section:5 leadership:section:3 plans:section:6 other:missing:",
            "忻州市民政局 2020 Some(true) measures:section:1 shortcomings:section:2 leadership:section:3 plans:section:4 other:missing:",
            "深圳市光明区人民政府 2021 Some(true) measures:section:1 shortcomings:section:2 leadership:inline:1.1 plans:section:3 other:missing:",
            "深圳市龙华区人民政府 2019 Some(true) measures:section:1+2+3+4+5+6+7 shortcomings:missing: leadership:missing: plans:section:8 other:missing:",
            "湖滨区民政局 2023 None measures:section:1+2 shortcomings:section:3 leadership:inline:1.1 plans:section:3 other:missing:",
            "西安市阎良区民政局 2023 None measures:section:2 shortcomings:section:3 leadership:section:1 plans:section:4 other:missing:",
        ]
    );
    let year = fx
        .store
        .coverage(&ReportFilter {
            year: Some(2023),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(year.len(), 3);
    let region = fx
        .store
        .coverage(&ReportFilter {
            region: Some("广东".into()),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(region.len(), 3);
}

#[test]
fn figures_grouped_by_measure_with_base_units() {
    let fx = fixture();
    let measures = fx.store.measures().unwrap();
    let top: Vec<(&str, i64, i64)> = measures
        .iter()
        .take(3)
        .map(|m| (m.measure.as_str(), m.reports, m.figures))
        .collect();
    assert_eq!(top, [("临时救助", 3, 3), ("培训", 2, 3), ("民办非企业单位", 2, 3)]);
    let all = ReportFilter::default();
    // 办理婚姻登记 in two reports: the label is normalised before lookup.
    let rows = fx.store.measure_group("婚姻登记件数", &all).unwrap();
    let got: Vec<(String, f64, &str)> = rows
        .iter()
        .map(|r| (r.bureau.clone().unwrap(), r.base_value, r.base_unit.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            ("湖滨区民政局".to_string(), 2529.0, "件"),
            ("西安市阎良区民政局".to_string(), 3030.0, "件")
        ]
    );
    let relief = fx.store.measure_group("临时救助", &all).unwrap();
    let got: Vec<(f64, &str, Option<&str>, &str)> = relief
        .iter()
        .map(|r| {
            (
                r.base_value,
                r.base_unit.as_str(),
                r.approx.as_deref(),
                r.label.as_str(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            (10_000_000.0, "元", Some("余"), "临时救助"),
            (13_756.0, "人次", None, "实施临时救助"),
            (306.0, "人次", None, "临时救助"),
        ]
    );
    // 59.4万元 → 594,000 元.
    let amount = fx.store.measure_group("救助金额", &all).unwrap();
    assert_eq!((amount[0].base_value, amount[0].base_unit.as_str()), (594_000.0, "元"));
}

#[test]
fn coverage_view_renders_and_opens_a_report() {
    let fx = fixture();
    let mut app = app(&fx, 120, 20);
    press(&fx, &mut app, "a");
    assert_eq!(app.screen, Screen::Coverage);
    let s = screen(&app);
    assert!(
        s.contains("覆盖 coverage · 7 reports · 6 with the four required parts · 0 late"),
        "{s}"
    );
    let line = s.lines().find(|l| l.contains("深圳市龙华区人民政府")).unwrap();
    assert!(
        line.contains("2019-12-18") && line.contains("§1") && line.contains("- 缺") && line.contains("§8"),
        "{line}"
    );
    let line = s.lines().find(|l| l.contains("湖滨区民政局")).unwrap();
    assert!(line.contains("~1.1"), "{line}");
    // A year filter, then a region filter.
    press(&fx, &mut app, "]");
    assert_eq!(app.view_filter.year, Some(2019));
    assert!(screen(&app).contains("1 reports"));
    press(&fx, &mut app, "[");
    press(&fx, &mut app, "i湖北\r");
    assert_eq!(app.view_filter.region.as_deref(), Some("湖北"));
    assert_eq!(app.coverage.rows.len(), 1);
    // Enter opens the report in the browser.
    press(&fx, &mut app, "\r");
    assert_eq!(app.screen, Screen::Browse);
    assert_eq!(
        app.report.as_ref().unwrap().bureau.as_deref(),
        Some("十堰市茅箭区民政局")
    );
}

#[test]
fn compare_view_reads_a_part_across_reports_and_side_by_side() {
    let fx = fixture();
    let mut app = app(&fx, 120, 30);
    press(&fx, &mut app, "c");
    let s = screen(&app);
    assert!(s.contains("2  不足  shortcomings") && s.contains("heading:"), "{s}");
    press(&fx, &mut app, "2");
    assert_eq!(app.compare.what, Some(CompareWhat::Part(Part::Shortcomings)));
    // Six reports have a shortcomings section (龙华 2019 has none).
    assert_eq!(app.compare.entries.len(), 6);
    let s = screen(&app);
    assert!(s.contains("不足 (shortcomings) · 6 reports"), "{s}");
    assert!(
        s.contains("十堰市茅箭区民政局 · 2023 · 3 2023年度推进法治政府建设存在的不足和原因"),
        "{s}"
    );
    assert!(s.contains("三、2023年度推进法治政府建设存在的不足和原因"), "{s}");
    // Step to the next report.
    press(&fx, &mut app, "j");
    let s = screen(&app);
    assert!(s.contains("廉江市民政局 · 2024 · 5 存在的不足和原因"), "{s}");
    assert!(s.contains("一是法治工作力量薄弱"), "{s}");
    // Side by side: the first stays on the left, the next on the right;
    // scrolling moves both.
    press(&fx, &mut app, "ks");
    assert_eq!(app.compare.pinned, Some(0));
    assert_eq!(app.compare.sel, 1);
    let s = screen(&app);
    let title = s.lines().next().unwrap();
    assert!(
        title.contains("十堰市茅箭区民政局 · 2023") && title.contains("廉江市民政局 · 2024"),
        "{title}"
    );
    press(&fx, &mut app, " ");
    assert!(app.compare.scroll > 0);
    // By heading words, filtered to one year.
    press(&fx, &mut app, "c");
    press(&fx, &mut app, "婚姻\r");
    assert_eq!(app.compare.what, Some(CompareWhat::Heading("婚姻".into())));
    let bureaus: Vec<&str> = app.compare.entries.iter().filter_map(|e| e.bureau.as_deref()).collect();
    assert_eq!(bureaus, ["湖滨区民政局"]);
    assert_eq!(app.compare.entries[0].headings, ["2.4 规范开展婚姻登记"]);
    // Enter opens the section in the browser.
    press(&fx, &mut app, "\r");
    assert_eq!(app.screen, Screen::Browse);
    assert_eq!(app.report.as_ref().unwrap().bureau.as_deref(), Some("湖滨区民政局"));
}

#[test]
fn figures_view_table_chart_and_opening_a_sentence() {
    let fx = fixture();
    let mut app = app(&fx, 120, 40);
    press(&fx, &mut app, "F");
    assert_eq!(app.screen, Screen::Figures);
    assert_eq!(app.figs.current.as_deref(), Some("临时救助"));
    let s = screen(&app);
    assert!(s.contains("临时救助 · 3 figures · sorted by bureau"), "{s}");
    assert!(s.contains("10,000,000 元 余"), "{s}");
    // Filter the measures by pinyin initials; the match is highlighted.
    press(&fx, &mut app, "ihydj\r");
    assert_eq!(app.figs.current.as_deref(), Some("婚姻登记"));
    assert_eq!(app.figs.shown[0].1, vec![0, 1, 2, 3]);
    // Sort by value: the larger first; the chart shows both bars.
    press(&fx, &mut app, "\ts");
    press(&fx, &mut app, "s");
    let values: Vec<f64> = app.figs.rows.iter().map(|r| r.base_value).collect();
    assert_eq!(values, [3030.0, 2529.0]);
    let s = screen(&app);
    assert!(s.contains("婚姻登记 (件)"), "{s}");
    assert!(s.contains("西安市阎良区民政局 2023 3,030"), "{s}");
    // Enter opens the sentence in its report.
    press(&fx, &mut app, "\r");
    assert_eq!(app.screen, Screen::Browse);
    let r = app.report.as_ref().unwrap();
    assert_eq!(r.bureau.as_deref(), Some("西安市阎良区民政局"));
    assert_eq!(app.current_figure.map(|f| r.figures[f].text.as_str()), Some("3030件"));
}

#[test]
fn views_fit_small_and_large_terminals() {
    let fx = fixture();
    for (w, h) in [(80, 24), (200, 60), (30, 8)] {
        let mut app = app(&fx, w, h);
        for keys in ["a", "c2", "cs", "F", "F\t"] {
            press(&fx, &mut app, keys);
            let s = screen(&app);
            assert_eq!(s.lines().count(), h as usize);
        }
    }
}
