//! The parsed form of one report: what `fazhi parse --json` prints and what
//! the store keeps. Every offset is a byte offset into a paragraph's `text`.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The statutory parts of an annual report (regulation of 2019, Art. 25).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Part {
    Measures,
    Shortcomings,
    Leadership,
    Plans,
    Other,
}

impl Part {
    pub const ALL: [Part; 5] = [
        Part::Measures,
        Part::Shortcomings,
        Part::Leadership,
        Part::Plans,
        Part::Other,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Part::Measures => "measures",
            Part::Shortcomings => "shortcomings",
            Part::Leadership => "leadership",
            Part::Plans => "plans",
            Part::Other => "other",
        }
    }

    pub fn from_name(s: &str) -> Option<Part> {
        Part::ALL.into_iter().find(|p| p.name() == s)
    }

    /// The part's short Chinese name, for column heads and the outline.
    pub fn chinese(self) -> &'static str {
        match self {
            Part::Measures => "举措",
            Part::Shortcomings => "不足",
            Part::Leadership => "责任人",
            Part::Plans => "安排",
            Part::Other => "其他",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Section {
    /// Depth in the outline, 1 (一、) to 4 ((1)).
    pub level: u8,
    /// The numbering marker as written: "一、", "（一）", "1．", "(1)".
    pub number: String,
    /// The numeral's value (一 → 1).
    pub ordinal: u32,
    /// The whole heading as it appears, marker included, up to the end of
    /// its title (a trailing 。 included).
    pub heading: String,
    /// The title alone: no marker, no trailing punctuation.
    pub title: String,
    /// Index of the parent section in `Report::sections`.
    pub parent: Option<usize>,
    /// Statutory parts this section covers (top-level sections only).
    pub parts: Vec<Part>,
    /// Position among its siblings, from the root: "2.3" is the third child
    /// of the second top-level section.
    pub path: String,
}

/// An inline enumeration point ("一是…", "二是…") inside a paragraph.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Point {
    pub ordinal: u32,
    /// Byte range of the point's text in the paragraph, marker included.
    pub start: usize,
    pub end: usize,
    /// The point's first clause (up to the first 。；).
    pub title: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Paragraph {
    /// Section the paragraph belongs to; `None` for the preamble.
    pub section: Option<usize>,
    pub text: String,
    pub points: Vec<Point>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Figure {
    /// Exactly as in the document, approximation words included: "300余份".
    pub text: String,
    pub value: f64,
    /// Unit as written, multiplier included: "份", "万元", "%".
    pub unit: String,
    /// Approximation or bound word: 余, 多, 近, 约, 以上, 左右, 超过, 逾 …
    pub approx: Option<String>,
    /// The phrase that says what is counted: "发放法治宣传资料".
    pub label: String,
    pub sentence: String,
    pub paragraph: usize,
    pub section: Option<usize>,
    /// Byte range of `text` within the paragraph's text.
    pub start: usize,
    pub end: usize,
}

/// Where a statutory part is found in a report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PartCoverage {
    /// "section" (a top-level section is devoted to it), "inline" (only a
    /// sub-heading or a point inside another section) or "missing".
    pub status: &'static str,
    /// Indices of the sections where it is found.
    pub sections: Vec<usize>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    pub bureau: Option<String>,
    pub year: Option<i32>,
    /// YYYY-MM-DD.
    pub published: Option<String>,
    pub title: Option<String>,
    /// Web metadata and crawler header fields, by their label as written.
    pub meta: BTreeMap<String, String>,
    pub encoding: String,
    pub sections: Vec<Section>,
    pub paragraphs: Vec<Paragraph>,
    pub figures: Vec<Figure>,
    pub parts: BTreeMap<Part, PartCoverage>,
    /// Things the parser noticed but could repair (lossy decoding …).
    pub warnings: Vec<String>,
}

impl Report {
    /// Checks that the report agrees with itself: every index points inside
    /// the report, every byte range cuts its paragraph at character
    /// boundaries and holds the text it claims, parents come before their
    /// children one level up, and no text carries a control character. The
    /// fuzzers and the regression tests assert it on every parse.
    pub fn check_consistency(&self) -> Result<(), String> {
        let text_ok = |what: &str, t: &str| -> Result<(), String> {
            match t.chars().find(|&c| c.is_control() && c != '\n' && c != '\t') {
                Some(c) => Err(format!("{what} contains the control character {c:?}")),
                None => Ok(()),
            }
        };
        for (i, s) in self.sections.iter().enumerate() {
            if let Some(p) = s.parent {
                let parent = self
                    .sections
                    .get(p)
                    .ok_or(format!("section {i}: parent {p} out of range"))?;
                if p >= i || parent.level >= s.level {
                    return Err(format!("section {i}: parent {p} is not an earlier, higher section"));
                }
            } else if s.level != 1 && self.sections[..i].iter().any(|x| x.level < s.level) {
                return Err(format!("section {i}: level {} without a parent", s.level));
            }
            text_ok("a heading", &s.heading)?;
        }
        for (i, p) in self.paragraphs.iter().enumerate() {
            if p.section.is_some_and(|s| s >= self.sections.len()) {
                return Err(format!("paragraph {i}: section out of range"));
            }
            text_ok("a paragraph", &p.text)?;
            for pt in &p.points {
                if p.text.get(pt.start..pt.end).is_none() {
                    return Err(format!(
                        "paragraph {i}: point range {}..{} is not in the text",
                        pt.start, pt.end
                    ));
                }
            }
        }
        for (i, f) in self.figures.iter().enumerate() {
            let p = self
                .paragraphs
                .get(f.paragraph)
                .ok_or(format!("figure {i}: paragraph out of range"))?;
            if p.text.get(f.start..f.end) != Some(f.text.as_str()) {
                return Err(format!("figure {i}: {:?} is not at {}..{}", f.text, f.start, f.end));
            }
            if f.section != p.section {
                return Err(format!("figure {i}: section differs from its paragraph's"));
            }
            if !f.value.is_finite() {
                return Err(format!("figure {i}: value {} is not a number", f.value));
            }
        }
        if let Some(b) = &self.bureau {
            text_ok("the bureau", b)?;
        }
        Ok(())
    }
}
