//! A report laid out for the text pane: headings and wrapped paragraphs as
//! display lines, each carrying the byte ranges to highlight (figures,
//! search matches). Rebuilt when the report, the width or the search terms
//! change — never while drawing.

use super::wrap::wrap;
use crate::cli::sanitize;
use crate::search::match_ranges;
use crate::store::reader::StoredReport;
use std::ops::Range;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mark {
    Figure(usize),
    Match,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineKind {
    Heading { section: usize, level: u8 },
    Para { para: usize },
    Blank,
}

#[derive(Debug, Clone, PartialEq)]
pub struct DocLine {
    pub text: String,
    pub kind: LineKind,
    /// The section the line belongs to (None: preamble).
    pub section: Option<usize>,
    /// Byte ranges within `text` to highlight.
    pub marks: Vec<(Range<usize>, Mark)>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Doc {
    pub lines: Vec<DocLine>,
    pub width: usize,
    /// First line of each section's heading.
    pub section_line: Vec<usize>,
    /// First line of each paragraph.
    pub para_line: Vec<usize>,
    /// Line on which each figure starts.
    pub figure_line: Vec<usize>,
}

pub fn build(r: &StoredReport, width: usize, terms: &[String]) -> Doc {
    let width = width.max(4);
    let mut doc = Doc {
        width,
        section_line: vec![0; r.sections.len()],
        para_line: vec![0; r.paragraphs.len()],
        figure_line: vec![0; r.figures.len()],
        ..Doc::default()
    };
    // Paragraphs in document order, with the headings before them.
    let mut next_section = 0;
    let mut emit_headings_until = |doc: &mut Doc, upto: Option<usize>| {
        let last = upto.map_or(0, |s| s + 1);
        while next_section < last.min(r.sections.len()) {
            let s = &r.sections[next_section];
            if !doc.lines.is_empty() {
                doc.lines.push(blank(doc.lines.last().and_then(|l| l.section)));
            }
            doc.section_line[next_section] = doc.lines.len();
            let text = sanitize(&s.heading);
            for range in wrap(&text, width) {
                doc.lines.push(DocLine {
                    text: text[range].to_string(),
                    kind: LineKind::Heading {
                        section: next_section,
                        level: s.level,
                    },
                    section: Some(next_section),
                    marks: Vec::new(),
                });
            }
            next_section += 1;
        }
    };
    for (pi, p) in r.paragraphs.iter().enumerate() {
        emit_headings_until(&mut doc, p.section);
        if !doc.lines.is_empty() {
            doc.lines.push(blank(p.section));
        }
        doc.para_line[pi] = doc.lines.len();
        let text = sanitize(&p.text);
        let mut marks: Vec<(Range<usize>, Mark)> = r
            .figures
            .iter()
            .enumerate()
            .filter(|(_, f)| f.paragraph == pi && f.end <= text.len())
            .map(|(fi, f)| (f.start..f.end, Mark::Figure(fi)))
            .collect();
        marks.extend(match_ranges(&text, terms).into_iter().map(|m| (m, Mark::Match)));
        for range in wrap(&text, width) {
            let line_no = doc.lines.len();
            let local: Vec<(Range<usize>, Mark)> = marks
                .iter()
                .filter(|(m, _)| m.start < range.end && m.end > range.start)
                .map(|(m, k)| {
                    (
                        m.start.max(range.start) - range.start..m.end.min(range.end) - range.start,
                        *k,
                    )
                })
                .collect();
            for (m, k) in &marks {
                if let Mark::Figure(fi) = k
                    && m.start >= range.start
                    && m.start < range.end
                {
                    doc.figure_line[*fi] = line_no;
                }
            }
            doc.lines.push(DocLine {
                text: text[range].to_string(),
                kind: LineKind::Para { para: pi },
                section: p.section,
                marks: local,
            });
        }
    }
    emit_headings_until(&mut doc, r.sections.len().checked_sub(1));
    doc
}

fn blank(section: Option<usize>) -> DocLine {
    DocLine {
        text: String::new(),
        kind: LineKind::Blank,
        section,
        marks: Vec::new(),
    }
}
