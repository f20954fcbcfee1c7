//! Heading numbering markers: 一、 （一） 1. （1） in half- and full-width
//! forms, with the slips found in the wild (spaces inside, mixed brackets).

use super::text::{chinese_number, digit_value, is_chinese_numeral};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MarkerKind {
    /// 一、
    CnComma,
    /// （一） or (一)
    CnParen,
    /// 1. 1、 1．
    ArDot,
    /// （1） or (1)
    ArParen,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Marker {
    pub kind: MarkerKind,
    pub ordinal: u32,
    /// Byte length of the marker as written, trailing spaces included.
    pub len: usize,
}

/// The marker at the start of `s`, if any.
pub fn marker_at(s: &str) -> Option<Marker> {
    let mut it = s.char_indices().peekable();
    let (_, first) = *it.peek()?;
    let open = matches!(first, '（' | '(');
    if open {
        it.next();
        skip_spaces(&mut it);
    }
    let num_start = it.peek()?.0;
    let (_, c) = *it.peek()?;
    let chinese = is_chinese_numeral(c) && c != '万' && c != '亿' && c != '千' && c != '百';
    let mut num_end = num_start;
    let mut count = 0;
    while let Some(&(i, c)) = it.peek() {
        let ok = if chinese {
            is_chinese_numeral(c) && !matches!(c, '万' | '亿' | '千' | '百' | '两')
        } else {
            digit_value(c).is_some()
        };
        if !ok {
            break;
        }
        count += 1;
        num_end = i + c.len_utf8();
        it.next();
    }
    // Three digits at most: "2023." opens no section, "100." after "99." does.
    let max = 3;
    if count == 0 || count > max {
        return None;
    }
    let numeral = &s[num_start..num_end];
    let ordinal = if chinese {
        chinese_number(numeral)? as u32
    } else {
        numeral
            .chars()
            .try_fold(0u32, |acc, c| Some(acc * 10 + digit_value(c)?))?
    };
    if ordinal == 0 {
        return None;
    }
    skip_spaces(&mut it);
    let (i, sep) = it.next()?;
    let mut end = i + sep.len_utf8();
    let kind = if open {
        if !matches!(sep, '）' | ')') {
            return None;
        }
        if chinese {
            MarkerKind::CnParen
        } else {
            MarkerKind::ArParen
        }
    } else if chinese {
        if !matches!(sep, '、' | '．') {
            return None;
        }
        MarkerKind::CnComma
    } else {
        if !matches!(sep, '.' | '、' | '．') {
            return None;
        }
        // "1.5万元" is a number, not a heading.
        if s[end..].chars().next().is_some_and(|c| digit_value(c).is_some()) {
            return None;
        }
        MarkerKind::ArDot
    };
    while let Some(&(j, c)) = it.peek() {
        if c == ' ' || c == '\u{3000}' {
            end = j + c.len_utf8();
            it.next();
        } else {
            break;
        }
    }
    Some(Marker {
        kind,
        ordinal,
        len: end,
    })
}

fn skip_spaces(it: &mut std::iter::Peekable<std::str::CharIndices<'_>>) {
    while it.peek().is_some_and(|&(_, c)| c == ' ' || c == '\u{3000}') {
        it.next();
    }
}

/// An inline enumeration point "一是", "二是" … at the start of `s`:
/// its ordinal and byte length.
pub fn point_at(s: &str) -> Option<(u32, usize)> {
    let numeral_len: usize = s
        .char_indices()
        .take_while(|&(_, c)| is_chinese_numeral(c) && !matches!(c, '万' | '亿' | '千' | '百' | '两'))
        .map(|(_, c)| c.len_utf8())
        .sum();
    if numeral_len == 0 || numeral_len > 9 || !s[numeral_len..].starts_with('是') {
        return None;
    }
    let ordinal = chinese_number(&s[..numeral_len])? as u32;
    (ordinal > 0).then_some((ordinal, numeral_len + '是'.len_utf8()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(s: &str) -> Option<(MarkerKind, u32, usize)> {
        marker_at(s).map(|m| (m.kind, m.ordinal, m.len))
    }

    #[test]
    fn recognises_the_four_levels() {
        use MarkerKind::*;
        assert_eq!(kind("一、主要举措"), Some((CnComma, 1, 6)));
        assert_eq!(kind("十二、其他"), Some((CnComma, 12, 9)));
        assert_eq!(kind("（三）规范"), Some((CnParen, 3, 9)));
        assert_eq!(kind("(三)规范"), Some((CnParen, 3, 5)));
        assert_eq!(kind("（ 三 ）规范"), Some((CnParen, 3, 11)));
        assert_eq!(kind("1.广泛开展"), Some((ArDot, 1, 2)));
        assert_eq!(kind("１．广泛开展"), Some((ArDot, 1, 6)));
        assert_eq!(kind("12、广泛开展"), Some((ArDot, 12, 5)));
        assert_eq!(kind("(1)全面推行"), Some((ArParen, 1, 3)));
        assert_eq!(kind("（2） 全面推行"), Some((ArParen, 2, 8)));
    }

    #[test]
    fn rejects_numbers_that_are_not_headings() {
        assert_eq!(kind("2023年,区民政局"), None);
        assert_eq!(kind("2024年我局开展3场"), None);
        assert_eq!(kind("1.5万元"), None);
        assert_eq!(kind("一是加强"), None);
        assert_eq!(kind("(扩大)会议"), None);
        assert_eq!(kind("两批"), None);
        assert_eq!(kind("1234. 四位数"), None);
    }

    #[test]
    fn points() {
        assert_eq!(point_at("一是加强"), Some((1, 6)));
        assert_eq!(point_at("十二是"), Some((12, 9)));
        assert_eq!(point_at("是"), None);
        assert_eq!(point_at("一把手"), None);
    }
}
