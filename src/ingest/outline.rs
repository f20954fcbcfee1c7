//! Logical lines → the section tree and the paragraphs under it.
//!
//! A line that starts with a numbering marker is a heading only when the
//! marker continues the numbering in force (the next sibling at some open
//! level, or the first child of a new level), so that "2023年…" or a stray
//! "3、" inside a list does not open a section. Marker kinds take their
//! depth from the order they appear in, which copes with "1、" used as the
//! second level. Headings run into the text before or after them (one-line
//! bodies) are split out under the same rule.

use super::marker::{Marker, MarkerKind, marker_at, point_at};
use super::model::{Paragraph, Point, Section};
use super::text::{is_sentence_end, trim};

pub struct Outline {
    pub sections: Vec<Section>,
    pub paragraphs: Vec<Paragraph>,
}

#[derive(Default)]
struct State {
    /// Open levels: marker kind, last ordinal, section index.
    stack: Vec<(MarkerKind, u32, usize)>,
    sections: Vec<Section>,
    paragraphs: Vec<Paragraph>,
    /// Per parent (None = root), how many children so far: for `path`.
    child_counts: std::collections::HashMap<Option<usize>, usize>,
}

/// How strictly a marker must continue the numbering.
#[derive(Clone, Copy, PartialEq)]
enum Strictness {
    /// At the start of a line: slips (a repeated or skipped number) pass.
    LineStart,
    /// Inside a line: only the exact next number or a first child.
    Inline,
}

impl State {
    /// Depth at which a marker would be accepted, if it continues the
    /// numbering.
    fn accepts(&self, m: &Marker, how: Strictness) -> Option<usize> {
        if let Some(d) = self.stack.iter().position(|(k, _, _)| *k == m.kind) {
            let prev = self.stack[d].1;
            let ok = match how {
                Strictness::LineStart => m.ordinal == prev + 1 || m.ordinal == prev || m.ordinal == prev + 2,
                Strictness::Inline => m.ordinal == prev + 1,
            };
            ok.then_some(d)
        } else {
            let first = m.ordinal == 1 || (how == Strictness::LineStart && self.stack.is_empty() && m.ordinal <= 2);
            (first && self.stack.len() < 4).then_some(self.stack.len())
        }
    }

    fn current_section(&self) -> Option<usize> {
        self.stack.last().map(|&(_, _, i)| i)
    }

    fn open(&mut self, m: &Marker, depth: usize, marker: &str, heading: &str, title: &str) {
        self.stack.truncate(depth);
        let parent = self.stack.last().map(|&(_, _, i)| i);
        let n = self.child_counts.entry(parent).or_default();
        *n += 1;
        let path = match parent {
            Some(p) => format!("{}.{}", self.sections[p].path, n),
            None => n.to_string(),
        };
        let idx = self.sections.len();
        self.sections.push(Section {
            level: (depth + 1) as u8,
            number: trim(marker).to_string(),
            ordinal: m.ordinal,
            heading: trim(heading).to_string(),
            title: title.to_string(),
            parent,
            parts: Vec::new(),
            path,
        });
        self.stack.push((m.kind, m.ordinal, idx));
    }

    fn paragraph(&mut self, text: &str) {
        let text = trim(text);
        if text.is_empty() || text.chars().all(|c| !c.is_alphanumeric()) {
            return;
        }
        self.paragraphs.push(Paragraph {
            section: self.current_section(),
            text: text.to_string(),
            points: Vec::new(),
        });
    }
}

pub fn build(lines: &[String]) -> Outline {
    let mut st = State::default();
    for line in lines {
        // Long packed lines (a whole body on one line) may hold Arabic
        // markers mid-line too; ordinary paragraphs only Chinese ones.
        let packed = line.chars().count() >= 300;
        take_line(&mut st, line, packed);
    }
    let mut paragraphs = st.paragraphs;
    mark_points(&mut paragraphs);
    Outline {
        sections: st.sections,
        paragraphs,
    }
}

fn take_line(st: &mut State, line: &str, packed: bool) {
    let mut rest = line;
    let mut at_line_start = true;
    while !rest.is_empty() {
        let how = if at_line_start {
            Strictness::LineStart
        } else {
            Strictness::Inline
        };
        at_line_start = false;
        let head = marker_at(rest).and_then(|m| st.accepts(&m, how).map(|d| (m, d)));
        let (body_start, title_span) = match head {
            Some((m, depth)) => {
                let after = &rest[m.len..];
                let (title, heading_len, body_off) = split_title(after);
                let heading = &rest[..m.len + heading_len];
                st.open(&m, depth, &rest[..m.len], heading, title);
                // "一、主要举措和成效（一）加强组织领导。…": the title ends
                // where its first sub-heading starts (looked for in the whole
                // first sentence, before any shortening of a long title).
                let sentence_end = after.find(is_sentence_end).unwrap_or(after.len());
                match first_child_in_title(st, after, sentence_end, packed) {
                    Some(p) => {
                        let whole = trim(after[..p].trim_end_matches(['：', ':', '，', ',']));
                        // A long run before the sub-heading is a title plus
                        // text: the title is its first clause, and the run
                        // stays in the text as a paragraph.
                        let first_clause = whole
                            .char_indices()
                            .find(|&(_, c)| matches!(c, '，' | ',' | '；' | ';' | '：' | ':'))
                            .map(|(i, _)| &whole[..i])
                            .filter(|t| t.chars().count() >= 4);
                        let long = whole.chars().count() > 60;
                        let (title, body_start) = match first_clause {
                            Some(t) if long => (t, m.len),
                            _ => (whole, m.len + p),
                        };
                        if let Some(s) = st.sections.last_mut() {
                            s.title = title.to_string();
                            s.heading = trim(&rest[..m.len + title.len()]).to_string();
                        }
                        (body_start, Some(m.len..m.len + p))
                    }
                    None => (m.len + body_off, Some(m.len..m.len + heading_len)),
                }
            }
            None => (0, None),
        };
        let next = find_inline_heading(st, rest, body_start, title_span.clone(), packed);
        let end = next.unwrap_or(rest.len());
        if body_start < end {
            st.paragraph(&rest[body_start..end]);
        }
        rest = &rest[end..];
    }
}

/// Splits a heading's text after the marker into title and body. Returns
/// (title, byte length of the heading part, byte offset where the body
/// starts). The title runs to the first 。 (or a joined "一是"), or is the
/// whole line when there is none.
fn split_title(after: &str) -> (&str, usize, usize) {
    let mut title_end = after.len();
    let mut heading_end = after.len();
    let mut body = after.len();
    let mut prev: Option<char> = None;
    for (i, c) in after.char_indices() {
        if is_sentence_end(c) {
            title_end = i;
            heading_end = i + c.len_utf8();
            body = heading_end;
            break;
        }
        // A heading run straight into its first point: "加强组织领导一是…".
        if i > 0
            && point_at(&after[i..]).is_some_and(|(o, _)| o == 1)
            && prev.is_some_and(|p| !matches!(p, '，' | '、'))
        {
            title_end = i;
            heading_end = i;
            body = i;
            break;
        }
        prev = Some(c);
    }
    // A heading that is a whole long sentence ("6.在茅箭辖区注册成立的…有
    // 17家,他们在…"): the title is its first clause, and the sentence stays
    // in the text as a paragraph so nothing in it (figures) is lost.
    let sentence_chars = after[..title_end].chars().count();
    let has_end = title_end < after.len();
    // Counting something is what text does, not titles ("（一）强化社会组织
    // 执法监督目前，我区…达796家" is a heading run into its first sentence).
    let has_figure = || super::figures::any_in(&after[..title_end]);
    if ((has_end && sentence_chars > 50) || (!has_end && sentence_chars > 80) || has_figure())
        && let Some((i, _)) = after[..title_end]
            .char_indices()
            .find(|&(_, c)| matches!(c, '，' | ',' | '；' | '：' | ';' | ':'))
            .filter(|&(i, _)| after[..i].chars().count() >= 4)
    {
        title_end = i;
        heading_end = i;
        body = 0;
    }
    let title = after[..title_end].trim_end_matches(|c: char| {
        c.is_whitespace() || matches!(c, '：' | ':' | '，' | ',' | '；' | ';' | '、' | '\u{3000}')
    });
    (trim(title), heading_end, body)
}

/// Position in a heading's title (`after[..len]`) where a first-level
/// child heading starts, when the title runs straight into it.
fn first_child_in_title(st: &State, after: &str, len: usize, packed: bool) -> Option<usize> {
    let title = &after[..len];
    for (n, (i, c)) in title.char_indices().enumerate().skip(1) {
        if n > 120 {
            break;
        }
        let candidate =
            matches!(c, '（' | '(') || super::text::is_chinese_numeral(c) || (packed && super::text::is_digit(c));
        if !candidate {
            continue;
        }
        if let Some(m) = marker_at(&after[i..]) {
            let arabic = matches!(m.kind, MarkerKind::ArDot | MarkerKind::ArParen);
            if (!arabic || packed) && st.accepts(&m, Strictness::Inline) == Some(st.stack.len()) {
                return Some(i);
            }
        }
    }
    None
}

/// The next place in `rest` (after `from`) where a heading starts inside
/// the line. The marker must follow the end of a sentence or clause, or end
/// a short title ("一、主要举措和成效（一）加强组织领导"), and continue the
/// numbering exactly.
fn find_inline_heading(
    st: &State,
    rest: &str,
    from: usize,
    title_span: Option<std::ops::Range<usize>>,
    packed: bool,
) -> Option<usize> {
    let mut prev: Option<char> = rest[..from].chars().rev().find(|&c| c != ' ' && c != '\u{3000}');
    for (i, c) in rest[from..].char_indices() {
        let at = from + i;
        let candidate =
            matches!(c, '（' | '(') || super::text::is_chinese_numeral(c) || (packed && super::text::is_digit(c));
        if candidate
            && at > 0
            && let Some(m) = marker_at(&rest[at..])
        {
            let arabic = matches!(m.kind, MarkerKind::ArDot | MarkerKind::ArParen);
            let after_break =
                prev.is_some_and(|p| matches!(p, '。' | '！' | '？' | '；' | '：' | '!' | '?' | ';' | ':' | '”'));
            // Right after a title that had no 。 of its own.
            let after_title = title_span.as_ref().is_some_and(|r| r.end == at && r.len() <= 400)
                && st.accepts(&m, Strictness::Inline) == Some(st.stack.len());
            if (!arabic || packed) && (after_break || after_title) && st.accepts(&m, Strictness::Inline).is_some() {
                return Some(at);
            }
        }
        if c != ' ' && c != '\u{3000}' {
            prev = Some(c);
        }
    }
    None
}

/// Records inline points 一是/二是 … in each paragraph (whose `points` are
/// empty). Points continue their numbering across the paragraphs of a
/// section. They follow from the texts and sections alone, so the index
/// derives them again instead of storing them.
pub fn mark_points(paragraphs: &mut [Paragraph]) {
    let mut last: (Option<usize>, u32) = (None, 0);
    for p in paragraphs.iter_mut() {
        if p.section != last.0 {
            last = (p.section, 0);
        }
        let mut starts: Vec<(u32, usize, usize)> = Vec::new();
        let mut prev: Option<char> = None;
        for (i, _) in p.text.char_indices() {
            let boundary = prev.is_none_or(|c| {
                matches!(
                    c,
                    '。' | '；' | '：' | '！' | '？' | ';' | ':' | '，' | ' ' | '”' | '）'
                )
            });
            if boundary
                && let Some((ord, len)) = point_at(&p.text[i..])
                && (ord == last.1 + 1 || ord == 1)
            {
                starts.push((ord, i, len));
                last.1 = ord;
            }
            prev = p.text[i..].chars().next();
        }
        for (k, &(ord, start, len)) in starts.iter().enumerate() {
            let end = starts.get(k + 1).map_or(p.text.len(), |s| s.1);
            let body = &p.text[start + len..end];
            let t_end = body.find(['。', '；', '！', '？', ';']).unwrap_or(body.len());
            let title: String = trim(&body[..t_end])
                .trim_start_matches([':', '：'])
                .chars()
                .take(60)
                .collect();
            p.points.push(Point {
                ordinal: ord,
                start,
                end,
                title,
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn outline(text: &str) -> Outline {
        build(&text.lines().map(str::to_string).collect::<Vec<_>>())
    }

    #[test]
    fn levels_and_titles() {
        let o = outline(
            "2023年,区民政局坚持依法行政。\n一、主要举措和成效\n(一)加强组织领导。成立领导小组。\n1.广泛开展学习。内容\n(1)全面推行公示制度。\n2024年我局开展3场活动。\n(二)深入学习\n二、存在的不足和原因",
        );
        let s: Vec<(u8, &str, &str, Option<usize>, &str)> = o
            .sections
            .iter()
            .map(|s| (s.level, s.number.as_str(), s.title.as_str(), s.parent, s.path.as_str()))
            .collect();
        assert_eq!(
            s,
            vec![
                (1, "一、", "主要举措和成效", None, "1"),
                (2, "(一)", "加强组织领导", Some(0), "1.1"),
                (3, "1.", "广泛开展学习", Some(1), "1.1.1"),
                (4, "(1)", "全面推行公示制度", Some(2), "1.1.1.1"),
                (2, "(二)", "深入学习", Some(0), "1.2"),
                (1, "二、", "存在的不足和原因", None, "2"),
            ]
        );
        assert_eq!(o.sections[1].heading, "(一)加强组织领导。");
        let p: Vec<(&str, Option<usize>)> = o.paragraphs.iter().map(|p| (p.text.as_str(), p.section)).collect();
        assert_eq!(
            p,
            vec![
                ("2023年,区民政局坚持依法行政。", None),
                ("成立领导小组。", Some(1)),
                ("内容", Some(2)),
                ("2024年我局开展3场活动。", Some(3)),
            ]
        );
    }

    #[test]
    fn one_line_body_is_split_at_its_headings() {
        let body = "现将情况报告如下：一、主要举措和成效（一）加强组织领导。成立领导小组，开展活动6次。（二）深入学习。组织学习12次。二、存在问题一是学习不够深入；二是力量薄弱。三、下一步打算继续加强学习。".to_string();
        let o = outline(&body);
        let titles: Vec<&str> = o.sections.iter().map(|s| s.title.as_str()).collect();
        assert_eq!(
            titles,
            vec![
                "主要举措和成效",
                "加强组织领导",
                "深入学习",
                "存在问题",
                "下一步打算继续加强学习"
            ]
        );
        let p: Vec<&str> = o.paragraphs.iter().map(|p| p.text.as_str()).collect();
        assert_eq!(
            p,
            vec![
                "现将情况报告如下：",
                "成立领导小组，开展活动6次。",
                "组织学习12次。",
                "一是学习不够深入；二是力量薄弱。"
            ]
        );
        assert_eq!(o.paragraphs[3].points.len(), 2);
        assert_eq!(o.paragraphs[3].points[1].title, "力量薄弱");
    }

    #[test]
    fn out_of_sequence_numbers_are_paragraphs() {
        let o = outline("一、主要举措\n3、其他事项另行报告。\n(二)并非小节\n二、问题");
        assert_eq!(o.sections.len(), 2);
        assert_eq!(o.paragraphs.len(), 2);
    }

    #[test]
    fn repeated_number_slip_is_a_sibling() {
        let o = outline("一、举措\n（一）甲\n（一）乙\n（三）丙");
        let paths: Vec<&str> = o.sections.iter().map(|s| s.path.as_str()).collect();
        assert_eq!(paths, vec!["1", "1.1", "1.2", "1.3"]);
    }
}
