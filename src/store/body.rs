//! A report's paragraphs as one compressed value (schema 8; sections
//! inside since schema 10).
//!
//! Paragraph text was the largest part of the index. Compressed one by
//! one, a paragraph shrinks to about 0.7 of its size; a report compressed
//! whole shrinks to about 0.45 (the seven real samples, deflate), because
//! its paragraphs share their vocabulary. So the texts of a report are
//! stored together, and the full-text index keeps no copy of them.
//!
//! Layout before compression, for each paragraph: the section it belongs
//! to (its ord plus one, 0 for the preamble) and its length in bytes, each
//! a LEB128 varint, then its UTF-8 text. The stored value is one format
//! byte ([`WITH_SECTIONS`]) and the raw deflate stream of that. Format
//! [`TEXTS_ONLY`] (schema 8 and 9) has no section numbers; it is read only
//! to migrate, when the sections come from the old paragraphs' rows.

use anyhow::{Context, Result, bail};
use std::io::{Read, Write};

/// The format byte of a schema-8 body: lengths and texts.
const TEXTS_ONLY: u8 = 1;

/// The format byte of a schema-10 body: sections, lengths and texts.
const WITH_SECTIONS: u8 = 2;

/// How hard deflate tries. Level 6 took 0.45 of the samples' size where 1
/// took 0.48, at about twice the time; compressing runs on the parsing
/// threads, which wait for the writer anyway.
const LEVEL: u32 = 6;

/// A report's paragraphs: `sections[i]` is the section (its ord in the
/// report) that paragraph `i` belongs to, `None` for the preamble.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Body {
    pub sections: Vec<Option<usize>>,
    pub texts: Vec<String>,
}

fn push_varint(out: &mut Vec<u8>, mut n: usize) {
    loop {
        let byte = (n & 0x7f) as u8;
        n >>= 7;
        if n == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

/// The stored form of a report's paragraphs (section, text), in order.
pub fn encode<'a>(paragraphs: impl IntoIterator<Item = (Option<usize>, &'a str)>) -> Vec<u8> {
    let mut raw = Vec::new();
    for (section, text) in paragraphs {
        push_varint(&mut raw, section.map_or(0, |s| s.saturating_add(1)));
        push_varint(&mut raw, text.len());
        raw.extend_from_slice(text.as_bytes());
    }
    compress(WITH_SECTIONS, &raw)
}

fn compress(format: u8, raw: &[u8]) -> Vec<u8> {
    let mut out = vec![format];
    let mut enc = flate2::write::DeflateEncoder::new(&mut out, flate2::Compression::new(LEVEL));
    // Writing to a Vec cannot fail.
    let _ = enc.write_all(raw);
    let _ = enc.finish();
    out
}

/// A stored body's paragraphs; an error (never a panic) when the value is
/// damaged. A schema-8 body gives every paragraph the section `None`.
pub fn decode(data: &[u8]) -> Result<Body> {
    let Some((&format, stream)) = data.split_first() else {
        bail!("empty paragraph body");
    };
    if format != TEXTS_ONLY && format != WITH_SECTIONS {
        bail!("paragraph body in unknown format {format}");
    }
    let mut raw = Vec::with_capacity(stream.len() * 3);
    flate2::read::DeflateDecoder::new(stream)
        .read_to_end(&mut raw)
        .context("paragraph body does not decompress")?;
    let mut body = Body::default();
    let mut at = 0;
    while at < raw.len() {
        let n = body.texts.len();
        let section = if format == WITH_SECTIONS {
            let s = read_varint(&raw, &mut at).with_context(|| format!("paragraph {n}'s section"))?;
            s.checked_sub(1)
        } else {
            None
        };
        let len = read_varint(&raw, &mut at).with_context(|| format!("paragraph {n}'s length"))?;
        let Some(bytes) = at.checked_add(len).and_then(|end| raw.get(at..end)) else {
            bail!("paragraph body ends inside paragraph {n}");
        };
        let text = std::str::from_utf8(bytes).with_context(|| format!("paragraph {n} is not UTF-8"))?;
        body.sections.push(section);
        body.texts.push(text.to_string());
        at += len;
    }
    Ok(body)
}

fn read_varint(raw: &[u8], at: &mut usize) -> Result<usize> {
    let mut n: usize = 0;
    let mut shift = 0;
    loop {
        let Some(&byte) = raw.get(*at) else {
            bail!("paragraph body ends inside a number");
        };
        *at += 1;
        if shift > 56 {
            bail!("paragraph body has an overlong number");
        }
        n |= usize::from(byte & 0x7f) << shift;
        shift += 7;
        if byte & 0x80 == 0 {
            return Ok(n);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paragraphs_come_back_as_they_went_in() {
        let long = "依法行政".repeat(100);
        let paragraphs = [
            (None, ""),
            (Some(0), "一、主要举措"),
            (Some(0), long.as_str()),
            (Some(200), "发放法治宣传资料300余份。"),
            (Some(1), "a\nb"),
        ];
        let body = encode(paragraphs);
        assert_eq!(body[0], WITH_SECTIONS);
        let back = decode(&body).unwrap();
        assert_eq!(back.texts, paragraphs.map(|p| p.1));
        assert_eq!(back.sections, paragraphs.map(|p| p.0));
        assert_eq!(decode(&encode([])).unwrap(), Body::default());
        // Repetition compresses: 1,200 bytes of text take far less.
        assert!(body.len() < 200, "{}", body.len());
    }

    /// A schema-8 body (texts only) still reads, for the migration.
    #[test]
    fn texts_only_bodies_read_without_sections() {
        let mut raw = Vec::new();
        for t in ["总体情况", "", "婚姻登记5166对"] {
            push_varint(&mut raw, t.len());
            raw.extend_from_slice(t.as_bytes());
        }
        let back = decode(&compress(TEXTS_ONLY, &raw)).unwrap();
        assert_eq!(back.texts, ["总体情况", "", "婚姻登记5166对"]);
        assert_eq!(back.sections, [None, None, None]);
    }

    #[test]
    fn damaged_bodies_are_errors() {
        let body = encode([(None, "法治政府建设年度报告"), (Some(3), "第二段")]);
        assert!(decode(&[]).is_err());
        let mut other = body.clone();
        other[0] = 9;
        assert!(decode(&other).unwrap_err().to_string().contains("unknown format"));
        // Cut short anywhere: an error or fewer texts, never a panic.
        for cut in 1..body.len() {
            if let Ok(b) = decode(&body[..cut]) {
                assert!(b.texts.len() < 2, "cut at {cut}");
                assert_eq!(b.texts.len(), b.sections.len());
            }
        }
        // A length that runs past the end, and text that is not UTF-8.
        let raw_body = |raw: &[u8]| compress(WITH_SECTIONS, raw);
        let err = |raw: &[u8]| format!("{:#}", decode(&raw_body(raw)).unwrap_err());
        assert!(err(&[0, 5, b'a']).contains("inside paragraph 0"));
        assert!(err(&[1, 2, 0xff, 0xfe]).contains("not UTF-8"));
        assert!(err(&[0x80]).contains("inside a number"));
        assert!(err(&[0, 1, b'a', 3]).contains("paragraph 1's length"));
        assert!(decode(&raw_body(&[0xff; 12])).is_err());
    }
}
