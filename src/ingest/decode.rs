//! Bytes → text. Detects the encoding (BOMs, UTF-8, GB18030/GBK by
//! chardetng), refuses binary and empty files, then normalises the text so
//! that nothing a file contains can drive a terminal later.

use encoding_rs::{Encoding, GB18030, UTF_8, UTF_16BE, UTF_16LE};
use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DecodeError {
    Empty,
    Binary(&'static str),
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DecodeError::Empty => write!(f, "empty file (no text)"),
            DecodeError::Binary(kind) => write!(f, "binary file ({kind}), not a text report"),
        }
    }
}

impl std::error::Error for DecodeError {}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decoded {
    pub text: String,
    /// "UTF-8", "UTF-8 (BOM)", "GB18030", "UTF-16LE (BOM)" …
    pub encoding: String,
    /// Set when undecodable bytes were replaced.
    pub lossy: bool,
    /// Stray NUL bytes dropped from an otherwise textual file.
    pub nuls_removed: usize,
}

/// Magic numbers of formats people leave in report folders.
const MAGIC: &[(&[u8], &str)] = &[
    (b"\x89PNG", "PNG image"),
    (b"PK\x03\x04", "ZIP archive or Office document"),
    (b"%PDF", "PDF document"),
    (b"GIF8", "GIF image"),
    (b"\xFF\xD8\xFF", "JPEG image"),
    (b"\xD0\xCF\x11\xE0", "legacy Office document"),
    (b"Rar!", "RAR archive"),
    (b"\x1F\x8B", "gzip archive"),
    (b"7z\xBC\xAF", "7-Zip archive"),
    (b"SQLite format 3", "SQLite database"),
    (b"\x7FELF", "executable"),
];

pub fn decode(bytes: &[u8]) -> Result<Decoded, DecodeError> {
    let (raw, encoding, lossy) = if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        let (t, had_errors) = UTF_8.decode_without_bom_handling(rest);
        (t.into_owned(), "UTF-8 (BOM)".to_string(), had_errors)
    } else if let Some(rest) = bytes.strip_prefix(b"\xFF\xFE") {
        let (t, had_errors) = UTF_16LE.decode_without_bom_handling(rest);
        (t.into_owned(), "UTF-16LE (BOM)".to_string(), had_errors)
    } else if let Some(rest) = bytes.strip_prefix(b"\xFE\xFF") {
        let (t, had_errors) = UTF_16BE.decode_without_bom_handling(rest);
        (t.into_owned(), "UTF-16BE (BOM)".to_string(), had_errors)
    } else {
        if let Some((_, kind)) = MAGIC.iter().find(|(m, _)| bytes.starts_with(m)) {
            return Err(DecodeError::Binary(kind));
        }
        let nuls = bytes.iter().filter(|&&b| b == 0).count();
        if nuls > 0 {
            return decode_with_nuls(bytes, nuls);
        }
        match std::str::from_utf8(bytes) {
            Ok(s) => (s.to_string(), "UTF-8".to_string(), false),
            Err(_) => {
                let enc = guess_legacy(bytes);
                let (t, had_errors) = enc.decode_without_bom_handling(bytes);
                let name = if enc == GB18030 { "GB18030" } else { enc.name() };
                (t.into_owned(), name.to_string(), had_errors)
            }
        }
    };
    let binary = looks_binary(&raw);
    // The decoded text is kept as it is when nothing in it needs
    // normalizing, not copied once more.
    let text = if raw.chars().any(needs_normalizing) {
        normalize_all(&raw)
    } else {
        raw
    };
    if text.trim().is_empty() {
        return Err(DecodeError::Empty);
    }
    if binary {
        return Err(DecodeError::Binary("mostly control characters"));
    }
    Ok(Decoded {
        text,
        encoding,
        lossy,
        nuls_removed: 0,
    })
}

/// A file with NUL bytes: UTF-16 without a BOM (the NULs are the high bytes
/// of ASCII characters, all on odd or all on even offsets), a text with a
/// few stray NULs (a scraping accident: removed, with a warning), or binary.
fn decode_with_nuls(bytes: &[u8], nuls: usize) -> Result<Decoded, DecodeError> {
    let odd = bytes.iter().skip(1).step_by(2).filter(|&&b| b == 0).count();
    let even = nuls - odd;
    for (zeros, other, enc, name) in [
        (odd, even, UTF_16LE, "UTF-16LE (no BOM)"),
        (even, odd, UTF_16BE, "UTF-16BE (no BOM)"),
    ] {
        if bytes.len().is_multiple_of(2) && zeros >= 8 && other * 4 <= zeros {
            let (t, had_errors) = enc.decode_without_bom_handling(bytes);
            let replaced = t.chars().filter(|&c| c == '\u{FFFD}').count();
            if replaced * 100 <= t.chars().count() {
                let mut d = decode(t.as_bytes())?;
                d.encoding = name.to_string();
                d.lossy |= had_errors;
                return Ok(d);
            }
        }
    }
    if nuls * 100 <= bytes.len() {
        let cleaned: Vec<u8> = bytes.iter().copied().filter(|&b| b != 0).collect();
        let mut d = decode(&cleaned)?;
        d.nuls_removed = nuls;
        return Ok(d);
    }
    Err(DecodeError::Binary("contains NUL bytes"))
}

/// Which legacy encoding a non-UTF-8 file is in. Chinese government sites
/// use GBK/GB18030; chardetng tells them from the rest. A file that is UTF-8
/// with a few broken bytes stays UTF-8 (decoded with replacements) rather
/// than becoming mojibake.
fn guess_legacy(bytes: &[u8]) -> &'static Encoding {
    let valid_utf8_share = utf8_valid_share(bytes);
    if valid_utf8_share > 0.98 {
        return UTF_8;
    }
    if gb18030_at_a_glance(bytes) {
        return GB18030;
    }
    let mut det = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
    det.feed(bytes, true);
    let enc = det.guess(Some(b"cn"), chardetng::Utf8Detection::Allow);
    if enc == encoding_rs::GBK || enc == GB18030 {
        GB18030
    } else if enc == encoding_rs::BIG5 || enc == UTF_8 {
        enc
    } else {
        // Reports are Chinese; when the detector hesitates GB18030 is the
        // encoding that decodes every byte sequence meaningfully.
        GB18030
    }
}

/// A file that decodes as GB18030 without a single error and then speaks
/// of 法治 or 政府, as every report of the genre does, is GB18030: the
/// detector, which weighs every byte against a dozen encodings, took half
/// of the time of decoding such a file. The same bytes read as Big5 or
/// another legacy encoding hardly ever decode cleanly and spell both
/// characters of either word.
fn gb18030_at_a_glance(bytes: &[u8]) -> bool {
    GB18030
        .decode_without_bom_handling_and_without_replacement(bytes)
        .is_some_and(|t| t.contains("法治") || t.contains("政府"))
}

fn utf8_valid_share(bytes: &[u8]) -> f64 {
    let mut valid = 0usize;
    let mut rest = bytes;
    while !rest.is_empty() {
        match std::str::from_utf8(rest) {
            Ok(s) => {
                valid += s.len();
                break;
            }
            Err(e) => {
                valid += e.valid_up_to();
                let skip = e.error_len().unwrap_or(rest.len() - e.valid_up_to());
                rest = &rest[e.valid_up_to() + skip..];
            }
        }
    }
    valid as f64 / bytes.len().max(1) as f64
}

fn looks_binary(raw: &str) -> bool {
    let total = raw.chars().take(4096).count();
    let control = raw
        .chars()
        .take(4096)
        .filter(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
        .count();
    total > 0 && control * 10 > total
}

/// Line ends to `\n`; HTML entities decoded and tags removed; control,
/// bidi and zero-width characters removed; odd spaces made plain.
pub fn normalize(raw: &str) -> String {
    // Most files need none of it: one look at each character is a fifth of
    // the passes below (decoding was the slowest step of parsing).
    if !raw.chars().any(needs_normalizing) {
        return raw.to_string();
    }
    normalize_all(raw)
}

fn normalize_all(raw: &str) -> String {
    let unified = raw.replace("\r\n", "\n").replace('\r', "\n");
    let untagged = strip_tags(&unified);
    let decoded = decode_entities(&untagged);
    let mut out = String::with_capacity(decoded.len());
    let mut chars = decoded.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\u{1B}' | '\u{9B}' | '\u{9D}' => skip_escape(c, &mut chars),
            '\n' => out.push('\n'),
            '\t' | '\u{A0}' | '\u{2002}'..='\u{200A}' | '\u{202F}' | '\u{205F}' => out.push(' '),
            c if is_invisible(c) => {}
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// Is `c` changed or removed by [`normalize`], or does it start something
/// that is (a tag, an entity, a CR line end)?
fn needs_normalizing(c: char) -> bool {
    match c {
        '\n' => false,
        '\r' | '<' | '&' | '\t' | '\u{A0}' | '\u{2002}'..='\u{200A}' | '\u{202F}' | '\u{205F}' => true,
        c => c.is_control() || is_invisible(c),
    }
}

/// Skips the rest of an ANSI escape sequence (CSI `ESC [ … final`, OSC
/// `ESC ] … BEL/ST`, DCS/APC/PM strings, or a two-character escape), so that
/// neither the ESC nor its parameters survive into the text.
fn skip_escape(first: char, chars: &mut std::iter::Peekable<std::str::Chars<'_>>) {
    let kind = match first {
        '\u{9B}' => '[',
        '\u{9D}' => ']',
        _ => match chars.next() {
            Some(k) => k,
            None => return,
        },
    };
    match kind {
        '[' => {
            for c in chars.by_ref() {
                if ('\u{40}'..='\u{7E}').contains(&c) || c == '\n' {
                    break;
                }
            }
        }
        ']' | 'P' | '_' | '^' | 'X' => {
            while let Some(c) = chars.next() {
                if c == '\u{07}' || c == '\u{9C}' || c == '\n' {
                    break;
                }
                if c == '\u{1B}' && chars.peek() == Some(&'\\') {
                    chars.next();
                    break;
                }
            }
        }
        _ => {}
    }
}

/// Characters that reorder or hide text on a terminal: bidi embeddings and
/// isolates, zero-width characters, the BOM, Unicode line separators.
fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{2069}'
            | '\u{FEFF}'
            | '\u{2028}'
            | '\u{2029}'
            | '\u{061C}'
            | '\u{FFF9}'..='\u{FFFB}'
    )
}

/// Removes HTML tags (`<p>`, `</span>`, `<br/>`, `<!-- -->`), turning block
/// tags into line breaks. Only well-formed tags are touched: a bare `<` in
/// text (《》 are not ASCII) stays.
fn strip_tags(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(pos) = rest.find('<') {
        out.push_str(&rest[..pos]);
        let after = &rest[pos..];
        if let Some(end) = tag_end(after) {
            let tag = after[1..end].trim_start_matches('/').to_ascii_lowercase();
            let name: String = tag.chars().take_while(|c| c.is_ascii_alphanumeric()).collect();
            if matches!(
                name.as_str(),
                "p" | "br" | "div" | "li" | "tr" | "h1" | "h2" | "h3" | "h4" | "h5" | "h6"
            ) {
                out.push('\n');
            }
            rest = &after[end + 1..];
        } else {
            out.push('<');
            rest = &after[1..];
        }
    }
    out.push_str(rest);
    out
}

/// End of a tag starting at `s[0] == '<'`, if it is one.
fn tag_end(s: &str) -> Option<usize> {
    let bytes = s.as_bytes();
    if s.starts_with("<!--") {
        return s.find("-->").map(|i| i + 2);
    }
    let first = *bytes.get(1)?;
    let tagish = first.is_ascii_alphabetic() || first == b'/' || first == b'!';
    if !tagish {
        return None;
    }
    let end = s[1..].find(['>', '<', '\n']).map(|i| i + 1)?;
    (bytes[end] == b'>' && end <= 400).then_some(end)
}

fn decode_entities(s: &str) -> String {
    if !s.contains('&') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(pos) = rest.find('&') {
        out.push_str(&rest[..pos]);
        let after = &rest[pos..];
        let semi = after[1..].find(';').map(|i| i + 1).filter(|&i| i <= 10);
        let decoded = semi.and_then(|i| entity(&after[1..i]).map(|c| (c, i)));
        match decoded {
            Some((c, i)) => {
                out.push(c);
                rest = &after[i + 1..];
            }
            None => {
                out.push('&');
                rest = &after[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

fn entity(name: &str) -> Option<char> {
    if let Some(num) = name.strip_prefix('#') {
        let code = if let Some(hex) = num.strip_prefix(['x', 'X']) {
            u32::from_str_radix(hex, 16).ok()?
        } else {
            num.parse().ok()?
        };
        return char::from_u32(code);
    }
    Some(match name {
        "nbsp" | "ensp" | "emsp" | "thinsp" => ' ',
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "quot" => '"',
        "apos" => '\'',
        "ldquo" => '“',
        "rdquo" => '”',
        "lsquo" => '‘',
        "rsquo" => '’',
        "mdash" => '—',
        "ndash" => '–',
        "hellip" => '…',
        "middot" => '·',
        "times" => '×',
        "deg" => '°',
        "copy" => '©',
        "laquo" => '«',
        "raquo" => '»',
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gbk_is_detected_and_decoded() {
        let text = "湖滨区民政局\n关于2023年法治政府建设情况的报告\n2023年，湖滨区民政局坚持以习近平新时代中国特色社会主义思想为指导。";
        let (bytes, _, _) = encoding_rs::GBK.encode(text);
        let d = decode(&bytes).expect("decodes");
        assert_eq!(d.encoding, "GB18030");
        assert_eq!(d.text, text);
        assert!(!d.lossy);
    }

    /// The shortcut takes what the detector would call GBK, and leaves
    /// Big5 to it.
    #[test]
    fn gb18030_at_a_glance_agrees_with_the_detector() {
        let detect = |bytes: &[u8]| {
            let mut det = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
            det.feed(bytes, true);
            det.guess(Some(b"cn"), chardetng::Utf8Detection::Allow)
        };
        for file in std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/sample-data")).unwrap() {
            let text = std::fs::read_to_string(file.unwrap().path()).unwrap();
            let (gbk, _, _) = GB18030.encode(&text);
            assert!(gb18030_at_a_glance(&gbk));
            assert_eq!(detect(&gbk), encoding_rs::GBK);
            let (big5, _, _) = encoding_rs::BIG5.encode(&text);
            assert!(!gb18030_at_a_glance(&big5));
        }
        let traditional = "湖濱區民政局關於二〇二三年法治政府建設情況的報告。本局堅持依法行政，推進政務公開，\
                           規範行政執法行為，加強法治宣傳教育，健全行政決策機制，落實法律顧問制度。";
        let (big5, _, unmappable) = encoding_rs::BIG5.encode(traditional);
        assert!(!unmappable);
        assert!(!gb18030_at_a_glance(&big5));
    }

    #[test]
    fn utf16_with_bom() {
        let text = "一、主要举措和成效";
        let mut le = vec![0xFF, 0xFE];
        le.extend(text.encode_utf16().flat_map(|u| u.to_le_bytes()));
        assert_eq!(decode(&le).unwrap().text, text);
        let mut be = vec![0xFE, 0xFF];
        be.extend(text.encode_utf16().flat_map(|u| u.to_be_bytes()));
        let d = decode(&be).unwrap();
        assert_eq!(d.text, text);
        assert_eq!(d.encoding, "UTF-16BE (BOM)");
    }

    #[test]
    fn bom_crlf_entities_tags_and_controls() {
        let raw = "\u{FEFF}一、举措&nbsp;和成效\r\n<p>发放资料300余份</p>\r\x1b[31m红\x1b]52;c;aGk=\x07\u{202E}反";
        let d = decode(raw.as_bytes()).unwrap();
        assert_eq!(d.encoding, "UTF-8 (BOM)");
        assert_eq!(d.text, "一、举措 和成效\n\n发放资料300余份\n\n红反");
        assert!(!d.text.contains('\x1b'));
    }

    #[test]
    fn refuses_empty_and_binary() {
        assert_eq!(decode(b""), Err(DecodeError::Empty));
        assert_eq!(decode(b"  \n\r\n \t"), Err(DecodeError::Empty));
        assert_eq!(decode(b"\x89PNG\r\n\x1a\n\0\0"), Err(DecodeError::Binary("PNG image")));
        assert_eq!(decode(b"a\0b\0c\0d"), Err(DecodeError::Binary("contains NUL bytes")));
    }

    #[test]
    fn broken_utf8_stays_utf8() {
        let mut bytes = "截至目前，全年共开展法治宣传活动6次，".repeat(20).into_bytes();
        bytes.insert(30, 0xFF);
        let d = decode(&bytes).unwrap();
        assert_eq!(d.encoding, "UTF-8");
        assert!(d.lossy);
        assert!(d.text.contains("开展法治宣传活动6次"));
    }

    #[test]
    fn utf16_without_bom_and_stray_nuls() {
        let text = "一、2023年工作情况\n发放资料300余份。\n二、存在的不足\n";
        let le: Vec<u8> = text.encode_utf16().flat_map(u16::to_le_bytes).collect();
        let be: Vec<u8> = text.encode_utf16().flat_map(u16::to_be_bytes).collect();
        let d = decode(&le).unwrap();
        assert_eq!((d.text.as_str(), d.encoding.as_str()), (text, "UTF-16LE (no BOM)"));
        let d = decode(&be).unwrap();
        assert_eq!((d.text.as_str(), d.encoding.as_str()), (text, "UTF-16BE (no BOM)"));
        // Two stray NULs in a long UTF-8 text: dropped and counted.
        let mut bytes = text.repeat(20).into_bytes();
        bytes.insert(30, 0);
        bytes.insert(90, 0);
        let d = decode(&bytes).unwrap();
        assert_eq!(d.text, text.repeat(20));
        assert_eq!(d.nuls_removed, 2);
    }

    /// The shortcut is exact: every character that `needs_normalizing`
    /// lets through is one the full pass keeps as it is.
    #[test]
    fn text_passed_through_is_what_normalizing_would_give() {
        let mut kept = 0;
        for c in (0..=0x3100u32).chain(0xFE00..=0x10000).filter_map(char::from_u32) {
            let s = format!("a{c}b\n{c}\n");
            if !needs_normalizing(c) {
                assert_eq!(normalize_all(&s), s, "U+{:04X}", c as u32);
                kept += 1;
            }
            assert_eq!(normalize(&s), normalize_all(&s), "U+{:04X}", c as u32);
        }
        assert!(kept > 12_000, "{kept}");
        for s in [
            "法治<p>政府</p>",
            "a &amp; b",
            "x\r\ny",
            "a\u{200B}b",
            "\u{1B}[31m红\u{1B}[0m",
        ] {
            assert_ne!(normalize(s), s);
            assert_eq!(normalize(s), normalize_all(s));
        }
    }

    #[test]
    fn ampersand_text_is_kept() {
        assert_eq!(normalize("A&B &amp; C &#x4E00;"), "A&B & C 一");
        assert_eq!(normalize("a < b 《法》"), "a < b 《法》");
    }
}
