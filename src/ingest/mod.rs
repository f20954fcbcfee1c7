//! Ingest: bytes → text → [`Report`]. Pure functions, no I/O.
//!
//! The stages, in order: [`decode`] (encoding, binary refusal, terminal
//! safety), [`page`] (crawler headers, page chrome, title block, signature,
//! re-flow of span-broken lines), [`outline`] (section tree, paragraphs,
//! inline points), [`parts`] (statutory parts), [`figures`], [`meta`]
//! (bureau, year, publication date).

pub mod decode;
pub mod figures;
pub mod marker;
pub mod measure;
pub mod meta;
pub mod model;
pub mod outline;
pub mod page;
pub mod parts;
pub mod text;

pub use decode::DecodeError;
pub use model::{Figure, Paragraph, Part, PartCoverage, Point, Report, Section};

/// Parses a report file's bytes.
pub fn parse_bytes(bytes: &[u8]) -> Result<Report, DecodeError> {
    let decoded = decode::decode(bytes)?;
    let mut report = parse_text(&decoded.text);
    report.encoding = decoded.encoding;
    if decoded.lossy {
        report
            .warnings
            .push("some bytes could not be decoded and were replaced with U+FFFD".to_string());
    }
    if decoded.nuls_removed > 0 {
        report
            .warnings
            .push(format!("{} stray NUL bytes were removed", decoded.nuls_removed));
    }
    Ok(report)
}

/// Parses already decoded text (run through [`decode::normalize`] first
/// when it comes from outside).
pub fn parse_text(text: &str) -> Report {
    let page = page::read_page(text);
    let outline::Outline {
        mut sections,
        paragraphs,
    } = outline::build(&page.body);
    let parts = parts::tag(&mut sections, &paragraphs);
    let figures = figures::extract(&paragraphs);
    let published = meta::choose_published(&page);
    let head: Vec<&str> = paragraphs.iter().take(3).map(|p| p.text.as_str()).collect();
    let year = meta::choose_year(&page, &head, &sections, published.as_deref());
    let bureau = meta::choose_bureau(&page, head.first().copied());
    let title = page
        .title
        .clone()
        .or_else(|| page.meta.get("标题").cloned())
        .filter(|t| !t.is_empty());
    let mut warnings = Vec::new();
    if sections.is_empty() {
        warnings.push("no numbered headings found".to_string());
    }
    if bureau.is_none() {
        warnings.push("issuing bureau not found".to_string());
    }
    if year.is_none() {
        warnings.push("report year not found".to_string());
    }
    Report {
        bureau,
        year,
        published,
        title,
        meta: page.meta,
        encoding: "UTF-8".to_string(),
        sections,
        paragraphs,
        figures,
        parts,
        warnings,
    }
}
