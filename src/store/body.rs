//! A report's paragraph texts as one compressed value (schema 8).
//!
//! Paragraph text was the largest part of the index. Compressed one by
//! one, a paragraph shrinks to about 0.7 of its size; a report compressed
//! whole shrinks to about 0.45 (the seven real samples, deflate), because
//! its paragraphs share their vocabulary. So the texts of a report are
//! stored together, and the full-text index keeps no copy of them.
//!
//! Layout before compression: for each paragraph, its length in bytes as a
//! LEB128 varint, then its UTF-8 text. The stored value is one format byte
//! ([`DEFLATE`]) and the raw deflate stream of that.

use anyhow::{Context, Result, bail};
use std::io::{Read, Write};

/// The format byte of a deflate-compressed body.
const DEFLATE: u8 = 1;

/// How hard deflate tries. Level 6 took 0.45 of the samples' size where 1
/// took 0.48, at about twice the time; compressing runs on the parsing
/// threads, which wait for the writer anyway.
const LEVEL: u32 = 6;

/// The stored form of a report's paragraph texts, in order.
pub fn encode<'a>(texts: impl IntoIterator<Item = &'a str>) -> Vec<u8> {
    let mut raw = Vec::new();
    for t in texts {
        let mut n = t.len();
        loop {
            let byte = (n & 0x7f) as u8;
            n >>= 7;
            if n == 0 {
                raw.push(byte);
                break;
            }
            raw.push(byte | 0x80);
        }
        raw.extend_from_slice(t.as_bytes());
    }
    let mut out = vec![DEFLATE];
    let mut enc = flate2::write::DeflateEncoder::new(&mut out, flate2::Compression::new(LEVEL));
    // Writing to a Vec cannot fail.
    let _ = enc.write_all(&raw);
    let _ = enc.finish();
    out
}

/// The paragraph texts of a stored body; an error (never a panic) when the
/// value is damaged.
pub fn decode(data: &[u8]) -> Result<Vec<String>> {
    let Some((&format, stream)) = data.split_first() else {
        bail!("empty paragraph body");
    };
    if format != DEFLATE {
        bail!("paragraph body in unknown format {format}");
    }
    let mut raw = Vec::with_capacity(stream.len() * 3);
    flate2::read::DeflateDecoder::new(stream)
        .read_to_end(&mut raw)
        .context("paragraph body does not decompress")?;
    let mut texts = Vec::new();
    let mut at = 0;
    while at < raw.len() {
        let mut len: usize = 0;
        let mut shift = 0;
        loop {
            let Some(&byte) = raw.get(at) else {
                bail!("paragraph body ends inside a length");
            };
            at += 1;
            if shift > 56 {
                bail!("paragraph body has an overlong length");
            }
            len |= usize::from(byte & 0x7f) << shift;
            shift += 7;
            if byte & 0x80 == 0 {
                break;
            }
        }
        let Some(bytes) = at.checked_add(len).and_then(|end| raw.get(at..end)) else {
            bail!("paragraph body ends inside paragraph {}", texts.len());
        };
        let text = std::str::from_utf8(bytes).with_context(|| format!("paragraph {} is not UTF-8", texts.len()))?;
        texts.push(text.to_string());
        at += len;
    }
    Ok(texts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn texts_come_back_as_they_went_in() {
        let long = "依法行政".repeat(100);
        let texts = ["", "一、主要举措", long.as_str(), "发放法治宣传资料300余份。", "a\nb"];
        let body = encode(texts);
        assert_eq!(body[0], DEFLATE);
        assert_eq!(decode(&body).unwrap(), texts);
        assert_eq!(decode(&encode([])).unwrap(), Vec::<String>::new());
        // Repetition compresses: 1,200 bytes of text take far less.
        assert!(body.len() < 200, "{}", body.len());
    }

    #[test]
    fn damaged_bodies_are_errors() {
        let body = encode(["法治政府建设年度报告", "第二段"]);
        assert!(decode(&[]).is_err());
        let mut other = body.clone();
        other[0] = 9;
        assert!(decode(&other).unwrap_err().to_string().contains("unknown format"));
        // Cut short anywhere: an error or fewer texts, never a panic.
        for cut in 1..body.len() {
            if let Ok(texts) = decode(&body[..cut]) {
                assert!(texts.len() < 2, "cut at {cut}");
            }
        }
        // A length that runs past the end, and text that is not UTF-8.
        let raw_body = |raw: &[u8]| {
            let mut out = vec![DEFLATE];
            let mut enc = flate2::write::DeflateEncoder::new(&mut out, flate2::Compression::new(1));
            enc.write_all(raw).unwrap();
            enc.finish().unwrap();
            out
        };
        assert!(
            decode(&raw_body(&[5, b'a']))
                .unwrap_err()
                .to_string()
                .contains("inside paragraph 0")
        );
        assert!(
            decode(&raw_body(&[2, 0xff, 0xfe]))
                .unwrap_err()
                .to_string()
                .contains("not UTF-8")
        );
        assert!(
            decode(&raw_body(&[0x80]))
                .unwrap_err()
                .to_string()
                .contains("inside a length")
        );
        assert!(decode(&raw_body(&[0xff; 12])).is_err());
    }
}
