//! Report metadata: the issuing bureau (most complete form found), the year
//! reported on, the publication date and the title.

use super::model::Section;
use super::page::{Page, is_org_name};
use super::text::{chinese_digit, parse_date, trim};
use regex::Regex;
use std::sync::OnceLock;

/// Removes a doubled department name: "廉江市民政局民政局" → "廉江市民政局".
pub fn repair_bureau(name: &str) -> String {
    let chars: Vec<char> = name.chars().collect();
    for len in (2..=chars.len() / 2).rev() {
        let n = chars.len();
        if chars[n - len..] == chars[n - 2 * len..n - len] {
            return chars[..n - len].iter().collect();
        }
    }
    name.to_string()
}

/// A bureau name that only names a department ("区民政局", "市民政局",
/// "我局") says too little to be the bureau.
fn is_partial(name: &str) -> bool {
    let first = name.chars().next();
    matches!(first, Some('我' | '本' | '该' | '各' | '全' | '上' | '下'))
        || name.chars().count() < 4
        || matches!(first, Some('区' | '市' | '县' | '省' | '镇' | '乡' | '州' | '旗'))
}

/// Finds an issuing body named in running text at the start of a sentence
/// ("2024年,廉江市民政局民政局坚持…").
fn org_in_text(text: &str) -> Option<String> {
    static RE: OnceLock<Regex> = OnceLock::new();
    let re = RE.get_or_init(|| {
        Regex::new(r"^(?:(?:\d{4}|[一二三四五六七八九〇零]{4})年度?[,，]?\s*)?(\p{Han}{3,30})").expect("valid regex")
    });
    let head = re.captures(text)?.get(1)?.as_str();
    // The longest prefix of the run that ends in an organisation suffix.
    const SUFFIXES: &[&str] = &[
        "人民政府",
        "委员会",
        "管理局",
        "政府",
        "局",
        "委",
        "厅",
        "办公室",
        "中心",
    ];
    let mut best: Option<&str> = None;
    for (i, c) in head.char_indices() {
        let end = i + c.len_utf8();
        let prefix = &head[..end];
        if end > 3 * 24 {
            break;
        }
        if SUFFIXES.iter().any(|s| prefix.ends_with(s)) {
            best = Some(prefix);
        }
        if matches!(
            c,
            '坚' | '以' | '在' | '认' | '深' | '全' | '紧' | '按' | '始' | '围' | '积' | '高'
        ) && best.is_some()
        {
            break;
        }
    }
    let name = repair_bureau(best?);
    (!is_partial(&name)).then_some(name)
}

/// "茅箭区民政局2023年度法治政府建设年度报告" → "茅箭区民政局".
fn org_in_title(title: &str) -> Option<String> {
    static RE: OnceLock<Regex> = OnceLock::new();
    let re = RE.get_or_init(|| {
        Regex::new(r"^(\p{Han}{3,30}?)(?:关于)?(?:\d{4}|[一二三四五六七八九〇零]{4})\s*年").expect("valid regex")
    });
    let name = re.captures(title)?.get(1)?.as_str().trim_end_matches("关于");
    let name = repair_bureau(name);
    (is_org_name(&name) && !is_partial(&name)).then_some(name)
}

/// Chooses the most complete name: one that contains the others
/// (十堰市茅箭区民政局 ⊇ 茅箭区民政局), else the first found in order of
/// trust.
pub fn choose_bureau(page: &Page, first_paragraph: Option<&str>) -> Option<String> {
    let mut cands: Vec<String> = Vec::new();
    let mut push = |c: Option<String>| {
        if let Some(c) = c {
            let c = repair_bureau(trim(&c));
            if !c.is_empty() && !is_partial(&c) && is_org_name(&c) && !cands.contains(&c) {
                cands.push(c);
            }
        }
    };
    push(page.signature_org.clone());
    push(page.title_org.clone());
    for key in ["发布机构", "发文机关", "发文单位", "来源", "信息来源", "部门"] {
        push(page.meta.get(key).cloned());
    }
    push(page.title.as_deref().and_then(org_in_title));
    push(page.meta.get("标题").and_then(|t| org_in_title(t)));
    push(first_paragraph.and_then(org_in_text));
    let best = cands.iter().max_by_key(|c| {
        (
            cands.iter().filter(|o| c.contains(o.as_str())).count(),
            c.chars().count(),
        )
    })?;
    Some(best.clone())
}

fn year_of(s: &str) -> Option<i32> {
    static RE: OnceLock<Regex> = OnceLock::new();
    let re = RE.get_or_init(|| {
        Regex::new(r"((?:19|20)\d{2}|[一二〇零][〇零一二三四五六七八九]{3})\s*年").expect("valid regex")
    });
    let y = re.captures(s)?.get(1)?.as_str();
    let digits: String = y
        .chars()
        .map(|c| c.to_digit(10).or_else(|| chinese_digit(c).map(|d| d as u32)))
        .map(|d| d.and_then(|d| char::from_digit(d, 10)))
        .collect::<Option<String>>()?;
    digits.parse().ok().filter(|y| (1990..=2100).contains(y))
}

/// The year reported on: from the title, the opening ("2023年,…",
/// "现将我局2023年…报告如下"), a measures heading, a plans heading (the
/// year after), or the publication date (a report published in the first
/// half of a year is on the year before).
pub fn choose_year(
    page: &Page,
    paragraphs_head: &[&str],
    sections: &[Section],
    published: Option<&str>,
) -> Option<i32> {
    if let Some(y) = page.title.as_deref().and_then(year_of) {
        return Some(y);
    }
    if let Some(y) = page.meta.get("标题").and_then(|t| year_of(t)) {
        return Some(y);
    }
    static OPEN: OnceLock<Regex> = OnceLock::new();
    let open = OPEN.get_or_init(|| {
        Regex::new(r"^((?:19|20)\d{2})\s*年(?:度|以来)?[,，、]?|现将\p{Han}{0,12}?((?:19|20)\d{2})\s*年")
            .expect("valid regex")
    });
    for p in paragraphs_head {
        for c in open.captures_iter(p) {
            if let Some(m) = c.get(1).or_else(|| c.get(2))
                && let Ok(y) = m.as_str().parse()
            {
                return Some(y);
            }
        }
    }
    let top = || sections.iter().filter(|s| s.parent.is_none());
    for s in top() {
        if s.parts.contains(&super::model::Part::Measures)
            && let Some(y) = year_of(&s.title)
        {
            return Some(y);
        }
    }
    for s in top() {
        if s.parts.contains(&super::model::Part::Plans)
            && let Some(y) = year_of(&s.title)
        {
            return Some(y - 1);
        }
    }
    let date = published?;
    let y: i32 = date.get(..4)?.parse().ok()?;
    let m: u32 = date.get(5..7)?.parse().ok()?;
    Some(if m <= 6 { y - 1 } else { y })
}

/// The publication date: the crawler's or the page's date first (when the
/// report went public), then the signature date.
pub fn choose_published(page: &Page) -> Option<String> {
    [
        "发布时间",
        "发布日期",
        "发文日期",
        "日期",
        "date",
        "published",
        "成文日期",
    ]
    .iter()
    .find_map(|k| page.meta.get(*k).and_then(|v| parse_date(v)))
    .or_else(|| page.signature_date.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bureau_repairs_and_partials() {
        assert_eq!(repair_bureau("廉江市民政局民政局"), "廉江市民政局");
        assert_eq!(repair_bureau("十堰市茅箭区民政局"), "十堰市茅箭区民政局");
        assert!(is_partial("区民政局"));
        assert!(is_partial("市民政局"));
        assert!(is_partial("我局"));
        assert!(!is_partial("湖滨区民政局"));
        assert_eq!(
            org_in_text("2024年,廉江市民政局民政局坚持以习近平新时代").as_deref(),
            Some("廉江市民政局")
        );
        assert_eq!(
            org_in_text("2023年，湖滨区民政局坚持以习近平").as_deref(),
            Some("湖滨区民政局")
        );
        assert_eq!(org_in_text("2020年,市民政局以习近平总书记"), None);
        assert_eq!(
            org_in_title("茅箭区民政局2023年度法治政府建设年度报告").as_deref(),
            Some("茅箭区民政局")
        );
        assert_eq!(
            org_in_title("湖滨区民政局关于2023年法治政府建设情况的报告").as_deref(),
            Some("湖滨区民政局")
        );
    }
}
