//! Canonical statutory parts: which top-level sections cover measures,
//! shortcomings, leadership, plans and other matters, and a per-report
//! coverage summary.

use super::model::{Paragraph, Part, PartCoverage, Section};
use std::collections::BTreeMap;

/// Heading words that tag a top-level section with a part. A section may
/// match several parts ("存在问题和下步打算").
const STRONG: &[(Part, &[&str])] = &[
    (
        Part::Leadership,
        &["第一责任人", "主要负责人", "主要领导履行", "党政主要领导"],
    ),
    (
        Part::Shortcomings,
        &[
            "不足",
            "差距",
            "短板",
            "存在问题",
            "存在的问题",
            "存在的困难",
            "问题和",
            "问题与",
            "薄弱环节",
            "困难和问题",
        ],
    ),
    (
        Part::Plans,
        &[
            "安排",
            "打算",
            "思路",
            "下一步",
            "下步",
            "计划",
            "下一年",
            "展望",
            "工作重点",
            "努力方向",
        ],
    ),
    (Part::Other, &["其他", "其它"]),
    (
        Part::Measures,
        &[
            "主要举措",
            "成效",
            "主要做法",
            "工作开展情况",
            "依法履行职责",
            "工作措施",
            "工作成效",
        ],
    ),
];

/// Weaker measures words: only when no other part matched ("加强法治政府
/// 建设工作情况" under the leadership heading is not a measures section).
const WEAK_MEASURES: &[&str] = &[
    "主要工作",
    "工作情况",
    "开展情况",
    "推进情况",
    "落实情况",
    "建设情况",
    "举措",
    "做法",
];

/// Words in sub-headings or points that show a part inline.
const INLINE: &[(Part, &[&str])] = &[
    (Part::Leadership, &["第一责任人"]),
    (
        Part::Shortcomings,
        &["存在的问题", "存在问题", "存在的不足", "不足之处", "问题和不足", "差距"],
    ),
    (Part::Plans, &["下一步", "下步", "下一年度", "明年"]),
];

pub fn tag_section(title: &str) -> Vec<Part> {
    let first = |words: &[&str]| words.iter().filter_map(|w| title.find(w)).min();
    let found: Vec<(Part, usize)> = STRONG
        .iter()
        .filter_map(|(p, words)| first(words).map(|at| (*p, at)))
        .collect();
    // "存在问题和下步打算我局…取得了一定的成效": in a heading run into its
    // text, measures words after the shortcomings/plans words are the text's.
    let later_parts = found
        .iter()
        .filter(|(p, _)| matches!(p, Part::Shortcomings | Part::Plans))
        .map(|&(_, at)| at)
        .min();
    let mut parts: Vec<Part> = found
        .iter()
        .filter(|&&(p, at)| !(p == Part::Measures && later_parts.is_some_and(|l| l < at)))
        .map(|&(p, _)| p)
        .collect();
    if parts.is_empty() && WEAK_MEASURES.iter().any(|w| title.contains(w)) {
        parts.push(Part::Measures);
    }
    parts.sort();
    parts
}

/// Tags top-level sections and returns the coverage summary. A top-level
/// section with no telling words is a measures section when it comes before
/// the shortcomings and plans (reports often list their measures as
/// sections of their own: "二、深入推进'放管服'改革…"), otherwise other.
pub fn tag(sections: &mut [Section], paragraphs: &[Paragraph]) -> BTreeMap<Part, PartCoverage> {
    let mut later_part_seen = false;
    for s in sections.iter_mut().filter(|s| s.parent.is_none()) {
        let mut parts = tag_section(&s.title);
        if parts.is_empty() {
            parts.push(if later_part_seen { Part::Other } else { Part::Measures });
        }
        if parts.iter().any(|p| matches!(p, Part::Shortcomings | Part::Plans)) {
            later_part_seen = true;
        }
        s.parts = parts;
    }
    let mut coverage: BTreeMap<Part, PartCoverage> = BTreeMap::new();
    for part in Part::ALL {
        let sections_with: Vec<usize> = sections
            .iter()
            .enumerate()
            .filter(|(_, s)| s.parent.is_none() && s.parts.contains(&part))
            .map(|(i, _)| i)
            .collect();
        let entry = if !sections_with.is_empty() {
            PartCoverage {
                status: "section",
                sections: sections_with,
            }
        } else {
            let inline = inline_sections(part, sections, paragraphs);
            PartCoverage {
                status: if inline.is_empty() { "missing" } else { "inline" },
                sections: inline,
            }
        };
        coverage.insert(part, entry);
    }
    coverage
}

fn inline_sections(part: Part, sections: &[Section], paragraphs: &[Paragraph]) -> Vec<usize> {
    let words: &[&str] = INLINE.iter().find(|(p, _)| *p == part).map_or(&[], |(_, w)| w);
    if words.is_empty() {
        return Vec::new();
    }
    let mut found: Vec<usize> = Vec::new();
    for (i, s) in sections.iter().enumerate() {
        if s.parent.is_some() && words.iter().any(|w| s.title.contains(w)) {
            found.push(i);
        }
    }
    for p in paragraphs {
        let Some(sec) = p.section else { continue };
        let hit = p.points.iter().any(|pt| words.iter().any(|w| pt.title.contains(w)));
        if hit && !found.contains(&sec) {
            found.push(sec);
        }
    }
    found.sort_unstable();
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headings_to_parts() {
        use Part::*;
        assert_eq!(tag_section("2023年度推进法治政府建设的主要举措和成效"), vec![Measures]);
        assert_eq!(tag_section("存在问题和下步打算"), vec![Shortcomings, Plans]);
        assert_eq!(
            tag_section("2023年度党政主要负责人履行推进法治建设第一责任人职责、加强法治政府建设工作有关情况"),
            vec![Leadership]
        );
        assert_eq!(tag_section("2024年主要工作思路和打算"), vec![Plans]);
        assert_eq!(tag_section("其他需要报告的情况"), vec![Other]);
        assert_eq!(tag_section("法治政府建设工作开展情况"), vec![Measures]);
        assert!(tag_section("深入推进放管服改革").is_empty());
    }
}
