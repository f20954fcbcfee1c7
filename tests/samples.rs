//! The sample reports, parsed from their files: exact expectations.

mod common;

use common::{SAMPLES, Strictness, check, sample_path};
use fazhi::ingest::parse_bytes;

#[test]
fn every_sample_parses_to_its_expectations() {
    for e in SAMPLES {
        let bytes = std::fs::read(sample_path(e.file)).expect("sample is readable");
        let r = parse_bytes(&bytes).expect("sample decodes");
        assert_eq!(r.encoding, "UTF-8");
        check(&r, e, Strictness::Exact, "original");
    }
}

#[test]
fn web_metadata_block_is_read() {
    let r = parse_bytes(&std::fs::read(sample_path("maojian-district-civil-affairs-2023.txt")).unwrap()).unwrap();
    let meta: Vec<(&str, &str)> = r.meta.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    assert_eq!(
        meta,
        vec![
            ("主题分类", "其他"),
            ("发布机构", "茅箭区民政局"),
            ("发文日期", "2024年03月10日 11:36:55"),
            ("文号", ""),
            ("索引号", "K26058142/2024-13705"),
        ]
    );
    // The metadata block is not report text.
    assert!(!r.paragraphs.iter().any(|p| p.text.contains("K26058142")));
    assert!(
        r.paragraphs[0]
            .text
            .starts_with("2023年,区民政局在区委、区政府的领导下")
    );
}

#[test]
fn inline_points_are_items_of_their_paragraph() {
    let r = parse_bytes(&std::fs::read(sample_path("hubin-district-civil-affairs-2023.txt")).unwrap()).unwrap();
    // 一、(一) holds one paragraph with three points run together.
    let p = r
        .paragraphs
        .iter()
        .find(|p| p.text.starts_with("一是高度重视"))
        .expect("paragraph");
    let titles: Vec<&str> = p.points.iter().map(|pt| pt.title.as_str()).collect();
    assert_eq!(
        titles,
        vec!["高度重视", "切实履行主要负责人推进法治建设第一责任人职责", "加强学习"]
    );
    assert_eq!(&p.text[p.points[1].start..p.points[1].start + 6], "二是");
    // The leadership part appears only as such a point: covered inline.
    assert_eq!(r.parts[&fazhi::ingest::Part::Leadership].sections, vec![1]);
}

#[test]
fn headings_with_body_text_and_deeper_levels() {
    let r = parse_bytes(&std::fs::read(sample_path("lianjiang-city-civil-affairs-2024.txt")).unwrap()).unwrap();
    let deep: Vec<(u8, &str, &str, &str)> = r
        .sections
        .iter()
        .filter(|s| s.path.starts_with("4.1"))
        .map(|s| (s.level, s.number.as_str(), s.title.as_str(), s.path.as_str()))
        .take(5)
        .collect();
    assert_eq!(
        deep,
        vec![
            (2, "(一)", "2024年度推进法治政府建设的主要举措和成效", "4.1"),
            (3, "1.", "依法履行重大行政决策程序", "4.1.1"),
            (3, "2.", "全面推行行政执法“三项制度”", "4.1.2"),
            (4, "(1)", "全面推行行政执法公示制度", "4.1.2.1"),
            (4, "(2)", "全面推行执法全过程记录制度", "4.1.2.2"),
        ]
    );
    // "(1)全面推行行政执法公示制度。在开展年度检查前…": the body stays text.
    let body = r
        .paragraphs
        .iter()
        .find(|p| p.section == Some(r.sections.iter().position(|s| s.path == "4.1.2.1").unwrap()));
    assert!(body.unwrap().text.starts_with("在开展年度检查前"));
    // A paragraph that starts with a year is not a heading.
    assert!(
        r.paragraphs
            .iter()
            .any(|p| p.text.starts_with("2024年,我局将全面贯彻落实"))
    );
}
