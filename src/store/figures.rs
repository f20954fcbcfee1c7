//! A report's figures as one value (schema 17).
//!
//! Until schema 16 each figure was a row of 15 columns, and an index by
//! measure another entry: 37 rows per report on the bench corpus, which
//! were the largest part of the index (28 MB and 9 MB of 101 MB at 10k
//! reports) and a fifth of an index run's time (at 100k reports a run
//! without them took 26–28 s against 32–35 s). No reader looks a figure
//! up alone: the browser wants a report's figures, the palette and the
//! measures views want them all. So a report's figures are stored
//! together, compressed, in one row, written by a single statement.
//!
//! Layout before compression, for each figure in order: its paragraph, its
//! section (ord plus one, 0 for the preamble), its start and end (byte
//! offsets in the paragraph's text), each a LEB128 varint; its value (an
//! f64, little-endian); its text, unit, approximation (length plus one, 0
//! for none) and label, each a varint length and UTF-8; its measure (a
//! varint: 0 then the measure as a string, or the measure's byte offset
//! in the label plus one when it ends the label); a byte of flags, then the
//! base value (bit 0: an f64 follows, else it is the value) and the base
//! unit (bit 1: a string follows, else it is the unit). The stored value is
//! a format byte and that layout: [`ZSTD`] (a zstd frame) or [`RAW`], which
//! is written only when zstd cannot allocate its context.

use super::body::{compress_zstd, decompress_zstd, push_varint, read_varint};
use anyhow::{Context, Result, bail};

/// The format byte of a list stored as it is.
const RAW: u8 = 1;

/// The format byte of a list compressed in one zstd frame.
const ZSTD: u8 = 2;

/// A figure as the index keeps it: what the parser found, with its
/// measure and its value in the measure's base unit.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredFigure {
    pub paragraph: usize,
    pub section: Option<usize>,
    pub text: String,
    pub value: f64,
    pub unit: String,
    pub approx: Option<String>,
    pub label: String,
    pub start: usize,
    pub end: usize,
    pub measure: String,
    pub base_value: f64,
    pub base_unit: String,
}

/// A figure's fields, borrowed, for [`encode`].
#[derive(Debug, Clone, Copy)]
pub struct FigureFields<'a> {
    pub paragraph: usize,
    pub section: Option<usize>,
    pub text: &'a str,
    pub value: f64,
    pub unit: &'a str,
    pub approx: Option<&'a str>,
    pub label: &'a str,
    pub start: usize,
    pub end: usize,
    pub measure: &'a str,
    pub base_value: f64,
    pub base_unit: &'a str,
}

impl StoredFigure {
    pub fn fields(&self) -> FigureFields<'_> {
        FigureFields {
            paragraph: self.paragraph,
            section: self.section,
            text: &self.text,
            value: self.value,
            unit: &self.unit,
            approx: self.approx.as_deref(),
            label: &self.label,
            start: self.start,
            end: self.end,
            measure: &self.measure,
            base_value: self.base_value,
            base_unit: &self.base_unit,
        }
    }

    /// The figure as the parser gives it (its sentence left empty: the
    /// caller has the paragraph).
    pub fn into_figure(self) -> crate::ingest::Figure {
        crate::ingest::Figure {
            paragraph: self.paragraph,
            section: self.section,
            text: self.text,
            value: self.value,
            unit: self.unit,
            approx: self.approx,
            label: self.label,
            sentence: String::new(),
            start: self.start,
            end: self.end,
        }
    }
}

fn push_str(out: &mut Vec<u8>, s: &str) {
    push_varint(out, s.len());
    out.extend_from_slice(s.as_bytes());
}

/// The stored form of a report's figures, in order.
pub fn encode<'a>(figures: impl IntoIterator<Item = FigureFields<'a>>) -> Vec<u8> {
    let mut raw = Vec::new();
    for f in figures {
        push_varint(&mut raw, f.paragraph);
        push_varint(&mut raw, f.section.map_or(0, |s| s.saturating_add(1)));
        push_varint(&mut raw, f.start);
        push_varint(&mut raw, f.end);
        raw.extend_from_slice(&f.value.to_le_bytes());
        push_str(&mut raw, f.text);
        push_str(&mut raw, f.unit);
        match f.approx {
            Some(a) => {
                push_varint(&mut raw, a.len() + 1);
                raw.extend_from_slice(a.as_bytes());
            }
            None => push_varint(&mut raw, 0),
        }
        push_str(&mut raw, f.label);
        match f.label.strip_suffix(f.measure) {
            Some(head) => push_varint(&mut raw, head.len() + 1),
            None => {
                push_varint(&mut raw, 0);
                push_str(&mut raw, f.measure);
            }
        }
        // Bits compared, so that a NaN base value is kept as it is.
        let own_value = f.base_value.to_bits() != f.value.to_bits();
        let own_unit = f.base_unit != f.unit;
        raw.push(u8::from(own_value) | u8::from(own_unit) << 1);
        if own_value {
            raw.extend_from_slice(&f.base_value.to_le_bytes());
        }
        if own_unit {
            push_str(&mut raw, f.base_unit);
        }
    }
    compress_zstd(ZSTD, &raw).unwrap_or_else(|| {
        let mut out = Vec::with_capacity(1 + raw.len());
        out.push(RAW);
        out.extend_from_slice(&raw);
        out
    })
}

/// A stored list from its column's value; a value that is not a blob is
/// damage like any other.
pub fn decode_value(value: rusqlite::types::ValueRef<'_>) -> Result<Vec<StoredFigure>> {
    decode(value.as_blob().context("figure list is not a blob")?)
}

/// A stored list of figures; an error (never a panic) when it is damaged.
pub fn decode(data: &[u8]) -> Result<Vec<StoredFigure>> {
    let mut figures = Vec::new();
    for_each(data, |_, f| {
        figures.push(f.to_owned());
        Ok(())
    })?;
    Ok(figures)
}

/// [`for_each`] on a stored list's column value; a value that is not a
/// blob is damage like any other.
pub fn for_each_value(
    value: rusqlite::types::ValueRef<'_>,
    visit: impl FnMut(usize, FigureFields<'_>) -> Result<()>,
) -> Result<()> {
    for_each(value.as_blob().context("figure list is not a blob")?, visit)
}

/// Calls `visit` with each figure of a stored list (its index and its
/// fields, borrowed): readers that keep few of them copy only those.
pub fn for_each(data: &[u8], visit: impl FnMut(usize, FigureFields<'_>) -> Result<()>) -> Result<()> {
    visit_layout(&layout(data)?, visit)
}

/// [`for_each_value`] for the lists that may hold figures of `measure`:
/// a list whose bytes do not contain it (as the end of a label, or as a
/// measure of its own) is skipped unread. Every figure of the lists read
/// is visited; the caller still compares. Finding one measure at 100k
/// reports spent most of its time checking the texts of lists without it.
pub fn for_each_value_with(
    value: rusqlite::types::ValueRef<'_>,
    measure: &str,
    visit: impl FnMut(usize, FigureFields<'_>) -> Result<()>,
) -> Result<()> {
    let layout = layout(value.as_blob().context("figure list is not a blob")?)?;
    if !measure.is_empty() && memchr::memmem::find(&layout, measure.as_bytes()).is_none() {
        return Ok(());
    }
    visit_layout(&layout, visit)
}

/// The layout of a stored list, decompressed.
fn layout(data: &[u8]) -> Result<std::borrow::Cow<'_, [u8]>> {
    let Some((&format, stream)) = data.split_first() else {
        bail!("empty figure list");
    };
    Ok(match format {
        RAW => stream.into(),
        ZSTD => decompress_zstd(stream, "figure list")?.into(),
        _ => bail!("figure list in unknown format {format}"),
    })
}

fn visit_layout(layout: &[u8], mut visit: impl FnMut(usize, FigureFields<'_>) -> Result<()>) -> Result<()> {
    let mut at = 0;
    let mut n = 0;
    while at < layout.len() {
        let f = read_figure(layout, &mut at).with_context(|| format!("figure list: figure {n} is damaged"))?;
        visit(n, f)?;
        n += 1;
    }
    Ok(())
}

impl FigureFields<'_> {
    pub fn to_owned(&self) -> StoredFigure {
        StoredFigure {
            paragraph: self.paragraph,
            section: self.section,
            text: self.text.to_string(),
            value: self.value,
            unit: self.unit.to_string(),
            approx: self.approx.map(str::to_string),
            label: self.label.to_string(),
            start: self.start,
            end: self.end,
            measure: self.measure.to_string(),
            base_value: self.base_value,
            base_unit: self.base_unit.to_string(),
        }
    }
}

fn read_figure<'a>(raw: &'a [u8], at: &mut usize) -> Result<FigureFields<'a>> {
    let paragraph = read_varint(raw, at)?;
    let section = read_varint(raw, at)?.checked_sub(1);
    let start = read_varint(raw, at)?;
    let end = read_varint(raw, at)?;
    let value = read_f64(raw, at)?;
    let text = read_str(raw, at)?;
    let unit = read_str(raw, at)?;
    let approx = match read_varint(raw, at)?.checked_sub(1) {
        Some(len) => Some(read_bytes(raw, at, len)?),
        None => None,
    };
    let label = read_str(raw, at)?;
    let measure = match read_varint(raw, at)?.checked_sub(1) {
        Some(offset) => match label.get(offset..) {
            Some(m) => m,
            None => bail!("its measure starts outside its label"),
        },
        None => read_str(raw, at)?,
    };
    let Some(&flags) = raw.get(*at) else {
        bail!("the value ends before its base unit");
    };
    *at += 1;
    let base_value = if flags & 1 != 0 { read_f64(raw, at)? } else { value };
    let base_unit = if flags & 2 != 0 { read_str(raw, at)? } else { unit };
    Ok(FigureFields {
        paragraph,
        section,
        text,
        value,
        unit,
        approx,
        label,
        start,
        end,
        measure,
        base_value,
        base_unit,
    })
}

fn read_f64(raw: &[u8], at: &mut usize) -> Result<f64> {
    let Some(bytes) = at.checked_add(8).and_then(|end| raw.get(*at..end)) else {
        bail!("the value ends inside a number");
    };
    *at += 8;
    let mut b = [0u8; 8];
    b.copy_from_slice(bytes);
    Ok(f64::from_le_bytes(b))
}

fn read_str<'a>(raw: &'a [u8], at: &mut usize) -> Result<&'a str> {
    let len = read_varint(raw, at)?;
    read_bytes(raw, at, len)
}

fn read_bytes<'a>(raw: &'a [u8], at: &mut usize, len: usize) -> Result<&'a str> {
    let Some(bytes) = at.checked_add(len).and_then(|end| raw.get(*at..end)) else {
        bail!("the value ends inside a text");
    };
    *at += len;
    std::str::from_utf8(bytes).context("a text is not UTF-8")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn figure(label: &str, measure: &str, base: (f64, &str)) -> StoredFigure {
        StoredFigure {
            paragraph: 3,
            section: Some(1),
            text: "300余份".into(),
            value: 300.0,
            unit: "份".into(),
            approx: Some("余".into()),
            label: label.into(),
            start: 21,
            end: 30,
            measure: measure.into(),
            base_value: base.0,
            base_unit: base.1.into(),
        }
    }

    #[test]
    fn figures_come_back_as_they_went_in() {
        let figures = [
            // The measure ends the label; base value and unit its own.
            figure("发放法治宣传资料", "法治宣传资料", (300.0, "份")),
            // A measure of its own, a base value and unit that differ.
            StoredFigure {
                paragraph: 0,
                section: None,
                text: "1.2万元".into(),
                value: 1.2,
                unit: "万元".into(),
                approx: None,
                label: "办理婚姻登记".into(),
                start: 0,
                end: 9,
                measure: "婚姻登记（对）".into(),
                base_value: 12000.0,
                base_unit: "元".into(),
            },
            // An empty measure, a NaN base value.
            figure("", "", (f64::NAN, "份")),
        ];
        let stored = encode(figures.iter().map(StoredFigure::fields));
        assert_eq!(stored[0], ZSTD);
        let back = decode(&stored).unwrap();
        assert_eq!(back[..2], figures[..2]);
        assert!(back[2].base_value.is_nan());
        assert_eq!(back[2].measure, "");
        assert_eq!(decode(&encode([])).unwrap(), []);
    }

    /// A list written without zstd reads the same.
    #[test]
    fn raw_lists_read() {
        let f = figure("发放法治宣传资料", "法治宣传资料", (300.0, "份"));
        let stored = encode([f.fields()]);
        let raw = decompress_zstd(&stored[1..], "test").unwrap();
        let mut plain = vec![RAW];
        plain.extend_from_slice(&raw);
        assert_eq!(decode(&plain).unwrap(), [f]);
    }

    /// Damage is an error that says which figure, never a panic.
    #[test]
    fn damaged_lists_are_errors() {
        let f = figure("发放法治宣传资料", "法治宣传资料", (300.0, "份"));
        let stored = encode([f.fields(), f.fields()]);
        let raw = decompress_zstd(&stored[1..], "test").unwrap();
        assert!(decode(&[]).is_err());
        assert!(decode(&[9, 1, 2]).unwrap_err().to_string().contains("unknown format 9"));
        for cut in 1..raw.len() {
            let mut plain = vec![RAW];
            plain.extend_from_slice(&raw[..cut]);
            // Every cut ends inside a figure except the one between them.
            match decode(&plain) {
                Ok(list) => assert_eq!(list.len(), 1, "cut at {cut}"),
                Err(e) => assert!(format!("{e:#}").contains("figure list: figure"), "{e:#}"),
            }
        }
        // A measure offset past the label's end. The measure's varint is
        // where the layout of a figure whose measure is its own differs.
        let mut wrong = raw.clone();
        let own = encode([StoredFigure {
            measure: "别的".into(),
            ..f.clone()
        }
        .fields()]);
        let own_raw = decompress_zstd(&own[1..], "test").unwrap();
        let measure_at = own_raw
            .iter()
            .zip(&raw)
            .position(|(a, b)| a != b)
            .expect("the two layouts differ at the measure");
        wrong[measure_at] = 100;
        let mut plain = vec![RAW];
        plain.extend_from_slice(&wrong);
        let e = decode(&plain).unwrap_err();
        assert!(format!("{e:#}").contains("outside its label"), "{e:#}");
    }
}
