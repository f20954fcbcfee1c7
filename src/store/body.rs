//! A report's paragraphs as one compressed value (schema 8; sections
//! inside since schema 10; zstd since schema 14).
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
//! byte and the compressed stream of that: [`ZSTD_WITH_SECTIONS`] (a zstd
//! frame, written since schema 14) or [`WITH_SECTIONS`] (raw deflate,
//! schemas 10 to 13). Format [`TEXTS_ONLY`] (schema 8 and 9) has no
//! section numbers; it is read only to migrate, when the sections come
//! from the old paragraphs' rows. An index holds bodies of every format
//! it was written with, so each is read.

use anyhow::{Context, Result, bail};
use std::cell::RefCell;
use std::io::{Read, Write};

/// The format byte of a schema-8 body: lengths and texts, deflate.
const TEXTS_ONLY: u8 = 1;

/// The format byte of a schema-10 body: sections, lengths and texts,
/// deflate.
const WITH_SECTIONS: u8 = 2;

/// The format byte of a schema-14 body: the same layout as
/// [`WITH_SECTIONS`] in one zstd frame that records its size.
const ZSTD_WITH_SECTIONS: u8 = 3;

/// zstd's level. On the 10k bench corpus's reports, level 3 compressed
/// 3.7 times as fast as deflate at level 6 (44 against 165 ms for 13 MB)
/// and decompressed twice as fast, for 0.275 of the size against 0.254;
/// compressing was a tenth of an index run's work.
const ZSTD_LEVEL: i32 = 3;

/// deflate's level, for the bodies written when zstd cannot be set up
/// (it could not allocate its context).
const DEFLATE_LEVEL: u32 = 6;

/// No body decompresses to more than this: a report file is at most
/// `MAX_REPORT_BYTES` (64 MB) and its paragraphs hold less than that plus
/// two varints each. A damaged frame claiming more is an error, not an
/// allocation.
const MAX_RAW_BYTES: usize = 256 << 20;

thread_local! {
    /// zstd's contexts are costly to make (hundreds of kilobytes); each
    /// thread keeps one of each.
    static COMPRESSOR: RefCell<Option<zstd::bulk::Compressor<'static>>> = const { RefCell::new(None) };
    static DECOMPRESSOR: RefCell<Option<zstd::bulk::Decompressor<'static>>> = const { RefCell::new(None) };
}

/// A report's paragraphs: `sections[i]` is the section (its ord in the
/// report) that paragraph `i` belongs to, `None` for the preamble.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Body {
    pub sections: Vec<Option<usize>>,
    pub texts: Vec<String>,
}

pub(super) fn push_varint(out: &mut Vec<u8>, mut n: usize) {
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
    compress_zstd(ZSTD_WITH_SECTIONS, &raw).unwrap_or_else(|| compress(WITH_SECTIONS, &raw))
}

/// `format` then one zstd frame of `raw`, or `None` when zstd could not
/// work (no memory for its context). Figure lists are stored so too.
pub(super) fn compress_zstd(format: u8, raw: &[u8]) -> Option<Vec<u8>> {
    COMPRESSOR.with_borrow_mut(|slot| {
        if slot.is_none() {
            *slot = zstd::bulk::Compressor::new(ZSTD_LEVEL).ok();
        }
        // The bulk compressor writes the frame with its size, which
        // `decompress` reads first.
        let frame = slot.as_mut()?.compress(raw).ok()?;
        let mut out = Vec::with_capacity(1 + frame.len());
        out.push(format);
        out.extend_from_slice(&frame);
        Some(out)
    })
}

/// A deflate body of `format`.
fn compress(format: u8, raw: &[u8]) -> Vec<u8> {
    let mut out = vec![format];
    let mut enc = flate2::write::DeflateEncoder::new(&mut out, flate2::Compression::new(DEFLATE_LEVEL));
    // Writing to a Vec cannot fail.
    let _ = enc.write_all(raw);
    let _ = enc.finish();
    out
}

/// The layout inside a body, decompressed.
fn decompress(format: u8, stream: &[u8]) -> Result<Vec<u8>> {
    if format == ZSTD_WITH_SECTIONS {
        return decompress_zstd(stream, "paragraph body");
    }
    let mut raw = Vec::with_capacity(stream.len() * 3);
    flate2::read::DeflateDecoder::new(stream)
        .read_to_end(&mut raw)
        .context("paragraph body does not decompress")?;
    Ok(raw)
}

/// One zstd frame that records its size, as [`compress_zstd`] writes it;
/// `what` names the value in errors.
pub(super) fn decompress_zstd(stream: &[u8], what: &str) -> Result<Vec<u8>> {
    let size = zstd::bulk::Decompressor::upper_bound(stream)
        .filter(|&n| n <= MAX_RAW_BYTES)
        .with_context(|| format!("{what} has no readable size"))?;
    DECOMPRESSOR.with_borrow_mut(|slot| {
        let decompressor = match slot {
            Some(d) => d,
            None => slot.insert(zstd::bulk::Decompressor::new().context("cannot set up zstd")?),
        };
        decompressor
            .decompress(stream, size)
            .with_context(|| format!("{what} does not decompress"))
    })
}

/// A stored body's paragraphs from its column's value; a value that is
/// not a blob is damage like any other.
pub fn decode_value(value: rusqlite::types::ValueRef<'_>) -> Result<Body> {
    decode(value.as_blob()?)
}

/// A stored body's paragraphs; an error (never a panic) when the value is
/// damaged. A schema-8 body gives every paragraph the section `None`.
pub fn decode(data: &[u8]) -> Result<Body> {
    let lazy = Paragraphs::decode(data)?;
    let mut body = Body::default();
    for n in 0..lazy.len() {
        body.texts.push(lazy.text(n)?.unwrap_or_default().to_string());
        body.sections.push(lazy.section(n));
    }
    Ok(body)
}

/// A stored body decompressed, its paragraphs located but not read: each
/// text is checked (UTF-8) when it is asked for. Readers that want a few
/// paragraphs of many reports (a measure's sentences, search candidates)
/// spent about a fifth of their time checking and copying the others.
#[derive(Debug, Default)]
pub struct Paragraphs {
    raw: Vec<u8>,
    /// Per paragraph: its section and the byte range of its text in `raw`.
    spans: Vec<(Option<usize>, usize, usize)>,
}

impl Paragraphs {
    /// The paragraphs of a stored body; an error (never a panic) when its
    /// layout is damaged.
    pub fn decode(data: &[u8]) -> Result<Paragraphs> {
        let Some((&format, stream)) = data.split_first() else {
            bail!("empty paragraph body");
        };
        if ![TEXTS_ONLY, WITH_SECTIONS, ZSTD_WITH_SECTIONS].contains(&format) {
            bail!("paragraph body in unknown format {format}");
        }
        let raw = decompress(format, stream)?;
        let mut spans = Vec::new();
        let mut at = 0;
        while at < raw.len() {
            let n = spans.len();
            let section = if format != TEXTS_ONLY {
                let s = read_varint(&raw, &mut at).with_context(|| format!("paragraph {n}'s section"))?;
                s.checked_sub(1)
            } else {
                None
            };
            let len = read_varint(&raw, &mut at).with_context(|| format!("paragraph {n}'s length"))?;
            let Some(end) = at.checked_add(len).filter(|&end| end <= raw.len()) else {
                bail!("paragraph body ends inside paragraph {n}");
            };
            spans.push((section, at, end));
            at = end;
        }
        Ok(Paragraphs { raw, spans })
    }

    pub fn len(&self) -> usize {
        self.spans.len()
    }

    pub fn is_empty(&self) -> bool {
        self.spans.is_empty()
    }

    /// Paragraph `n`'s text (`None` past the last); an error when it is
    /// not UTF-8.
    pub fn text(&self, n: usize) -> Result<Option<&str>> {
        let Some(&(_, start, end)) = self.spans.get(n) else {
            return Ok(None);
        };
        let text = std::str::from_utf8(&self.raw[start..end]).with_context(|| format!("paragraph {n} is not UTF-8"))?;
        Ok(Some(text))
    }

    /// Paragraph `n`'s section (`None` for the preamble or past the last).
    pub fn section(&self, n: usize) -> Option<usize> {
        self.spans.get(n).and_then(|s| s.0)
    }
}

/// A LEB128 varint at `at`, which it moves past it.
pub(super) fn read_varint(raw: &[u8], at: &mut usize) -> Result<usize> {
    let mut n: usize = 0;
    let mut shift = 0;
    loop {
        let Some(&byte) = raw.get(*at) else {
            bail!("the value ends inside a number");
        };
        *at += 1;
        if shift > 56 {
            bail!("the value has an overlong number");
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
        assert_eq!(body[0], ZSTD_WITH_SECTIONS);
        let back = decode(&body).unwrap();
        assert_eq!(back.texts, paragraphs.map(|p| p.1));
        assert_eq!(back.sections, paragraphs.map(|p| p.0));
        assert_eq!(decode(&encode([])).unwrap(), Body::default());
        // Repetition compresses: 1,200 bytes of text take far less.
        assert!(body.len() < 200, "{}", body.len());
    }

    /// The bodies of schemas 10 to 13 (deflate) read as they did, in an
    /// index that holds both kinds.
    /// Paragraphs read one at a time give what the whole body gives; a
    /// paragraph that is not UTF-8 is an error when it is read, and only
    /// then.
    #[test]
    fn paragraphs_read_one_at_a_time() {
        let paragraphs = [(None, "总体情况"), (Some(0), ""), (Some(2), "婚姻登记5166对")];
        let stored = encode(paragraphs.iter().map(|&(s, t)| (s, t)));
        let lazy = Paragraphs::decode(&stored).unwrap();
        let whole = decode(&stored).unwrap();
        assert_eq!(lazy.len(), 3);
        for n in 0..3 {
            assert_eq!(lazy.text(n).unwrap(), Some(whole.texts[n].as_str()));
            assert_eq!(lazy.section(n), whole.sections[n]);
        }
        assert_eq!(lazy.text(3).unwrap(), None);
        assert_eq!(lazy.section(3), None);
        let mut raw = Vec::new();
        for (section, t) in [(1, &b"\xff\xfe"[..]), (2, "第二段".as_bytes())] {
            push_varint(&mut raw, section);
            push_varint(&mut raw, t.len());
            raw.extend_from_slice(t);
        }
        let bad = compress_zstd(ZSTD_WITH_SECTIONS, &raw).unwrap();
        let lazy = Paragraphs::decode(&bad).unwrap();
        assert_eq!(lazy.text(1).unwrap(), Some("第二段"));
        assert_eq!(lazy.section(1), Some(1));
        assert!(format!("{:#}", lazy.text(0).unwrap_err()).contains("paragraph 0 is not UTF-8"));
        assert!(decode(&bad).is_err());
    }

    #[test]
    fn deflate_bodies_still_read() {
        let mut raw = Vec::new();
        for (section, t) in [(0, "总体情况"), (2, "婚姻登记5166对")] {
            push_varint(&mut raw, section);
            push_varint(&mut raw, t.len());
            raw.extend_from_slice(t.as_bytes());
        }
        let old = compress(WITH_SECTIONS, &raw);
        assert_eq!(old[0], WITH_SECTIONS);
        let back = decode(&old).unwrap();
        assert_eq!(back.texts, ["总体情况", "婚姻登记5166对"]);
        assert_eq!(back.sections, [None, Some(1)]);
        assert_eq!(
            decode(&encode([(None, "总体情况"), (Some(1), "婚姻登记5166对")])).unwrap(),
            back
        );
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
        let paragraphs = [(None, "法治政府建设年度报告"), (Some(3), "第二段")];
        let raw = {
            let mut raw = Vec::new();
            for (section, t) in [(0, paragraphs[0].1), (4, paragraphs[1].1)] {
                push_varint(&mut raw, section);
                push_varint(&mut raw, t.len());
                raw.extend_from_slice(t.as_bytes());
            }
            raw
        };
        assert!(decode(&[]).is_err());
        for body in [encode(paragraphs), compress(WITH_SECTIONS, &raw)] {
            assert_eq!(decode(&body).unwrap().texts, paragraphs.map(|p| p.1));
            let mut other = body.clone();
            other[0] = 9;
            assert!(decode(&other).unwrap_err().to_string().contains("unknown format"));
            // Cut short or changed anywhere: an error or fewer texts,
            // never a panic.
            for cut in 1..body.len() {
                if let Ok(b) = decode(&body[..cut]) {
                    assert!(b.texts.len() < 2, "cut at {cut}");
                    assert_eq!(b.texts.len(), b.sections.len());
                }
            }
            for at in 1..body.len() {
                let mut flipped = body.clone();
                flipped[at] ^= 0x5a;
                if let Ok(b) = decode(&flipped) {
                    assert_eq!(b.texts.len(), b.sections.len());
                }
            }
        }
        // A length that runs past the end, and text that is not UTF-8, in
        // both compressions.
        let zstd_body = |raw: &[u8]| compress_zstd(ZSTD_WITH_SECTIONS, raw).unwrap();
        let deflate_body = |raw: &[u8]| compress(WITH_SECTIONS, raw);
        for raw_body in [&zstd_body as &dyn Fn(&[u8]) -> Vec<u8>, &deflate_body] {
            let err = |raw: &[u8]| format!("{:#}", decode(&raw_body(raw)).unwrap_err());
            assert!(err(&[0, 5, b'a']).contains("inside paragraph 0"));
            assert!(err(&[1, 2, 0xff, 0xfe]).contains("not UTF-8"));
            assert!(err(&[0x80]).contains("inside a number"));
            assert!(err(&[0, 1, b'a', 3]).contains("paragraph 1's length"));
            assert!(decode(&raw_body(&[0xff; 12])).is_err());
        }
        // A frame that records no size (a streaming compressor's) is
        // refused rather than guessed at.
        let mut unsized_frame = vec![ZSTD_WITH_SECTIONS];
        let mut enc = zstd::stream::write::Encoder::new(&mut unsized_frame, 3).unwrap();
        enc.write_all(&raw).unwrap();
        enc.finish().unwrap();
        assert!(format!("{:#}", decode(&unsized_frame).unwrap_err()).contains("no readable size"));
    }
}
