//! Line wrapping for Chinese text. ratatui's wrapper breaks only at spaces,
//! which Chinese does not have, so lines are wrapped here by display width:
//! no line starts with closing punctuation (，。、；：）」…), none ends with
//! an opening mark (“（《), and a run of Latin letters or digits is not cut
//! when it fits on the next line.

use std::ops::Range;
use unicode_width::UnicodeWidthChar;

fn no_line_start(c: char) -> bool {
    matches!(
        c,
        '，' | '。'
            | '、'
            | '；'
            | '：'
            | '？'
            | '！'
            | '）'
            | '」'
            | '』'
            | '”'
            | '’'
            | '》'
            | '〉'
            | '】'
            | '…'
            | '·'
            | ','
            | '.'
            | ';'
            | ':'
            | '?'
            | '!'
            | ')'
            | '%'
            | '％'
    )
}

fn no_line_end(c: char) -> bool {
    matches!(c, '（' | '「' | '『' | '“' | '‘' | '《' | '〈' | '【' | '(')
}

fn is_word(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '.' | ',' | '%' | '-' | '_')
}

pub fn width(s: &str) -> usize {
    s.chars().map(|c| c.width().unwrap_or(0)).sum()
}

/// Byte ranges of `text`, one per display line of at most `max` columns.
pub fn wrap(text: &str, max: usize) -> Vec<Range<usize>> {
    let max = max.max(2);
    let chars: Vec<(usize, char, usize)> = text
        .char_indices()
        .map(|(i, c)| (i, c, c.width().unwrap_or(0)))
        .collect();
    let mut lines = Vec::new();
    let mut start = 0; // index into chars
    while start < chars.len() {
        // Continuation lines do not start with a space.
        if !lines.is_empty() {
            while start < chars.len() && chars[start].1 == ' ' {
                start += 1;
            }
            if start >= chars.len() {
                break;
            }
        }
        let mut w = 0;
        let mut end = start;
        while end < chars.len() && w + chars[end].2 <= max {
            w += chars[end].2;
            end += 1;
        }
        if end < chars.len() && end > start {
            let mut cut = end;
            // Keep a Latin word or number whole when it fits on a line.
            if is_word(chars[cut].1) && is_word(chars[cut - 1].1) {
                let mut ws = cut;
                while ws > start && is_word(chars[ws - 1].1) {
                    ws -= 1;
                }
                let mut we = cut;
                while we < chars.len() && is_word(chars[we].1) {
                    we += 1;
                }
                let word_w: usize = chars[ws..we].iter().map(|c| c.2).sum();
                if ws > start && word_w <= max {
                    cut = ws;
                }
            }
            // Closing punctuation never starts a line: take the character
            // before it down too (repeatedly, for "。”").
            while cut > start + 1 && no_line_start(chars[cut].1) {
                cut -= 1;
            }
            // An opening mark never ends one.
            while cut > start + 1 && no_line_end(chars[cut - 1].1) {
                cut -= 1;
            }
            end = cut;
        }
        let byte_start = chars[start].0;
        let byte_end = chars.get(end).map_or(text.len(), |c| c.0);
        lines.push(byte_start..byte_end);
        start = end;
    }
    if lines.is_empty() {
        lines.push(0..0);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(text: &str, w: usize) -> Vec<&str> {
        wrap(text, w).into_iter().map(|r| &text[r]).collect()
    }

    #[test]
    fn wraps_by_display_width() {
        assert_eq!(lines("一二三四五六七", 6), vec!["一二三", "四五六", "七"]);
        assert_eq!(lines("一二三四五六七", 7), vec!["一二三", "四五六", "七"]);
    }

    #[test]
    fn no_line_starts_with_closing_punctuation() {
        // "，" would start line 2: "三" comes down with it.
        assert_eq!(lines("一二三，四五六", 6), vec!["一二", "三，四", "五六"]);
        assert_eq!(lines("一二三。”四五", 6), vec!["一二", "三。”", "四五"]);
        for l in lines("开展活动6次，发放资料300余份，宣传覆盖群众达1000余人次。", 10) {
            assert!(!l.starts_with(['，', '。']), "{l}");
        }
    }

    #[test]
    fn opening_marks_do_not_end_a_line() {
        assert_eq!(lines("一二“三四", 6), vec!["一二", "“三四"]);
    }

    #[test]
    fn latin_and_numbers_stay_whole() {
        assert_eq!(lines("发放资料12345份", 12), vec!["发放资料", "12345份"]);
        assert_eq!(lines("使用OSC 52复制", 9), vec!["使用OSC ", "52复制"]);
        // Longer than a line: cut hard.
        assert_eq!(lines("abcdefghij", 4), vec!["abcd", "efgh", "ij"]);
    }
}
