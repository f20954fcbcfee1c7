//! Small character and numeral helpers shared by the parser's stages.

/// Value of a Chinese numeral such as 十三, 两百零五, 三万, 〇 (up to 亿).
pub fn chinese_number(s: &str) -> Option<f64> {
    if s.is_empty() {
        return None;
    }
    let mut total = 0f64; // completed 万/亿 groups
    let mut section = 0f64; // below 万
    let mut digit: Option<f64> = None;
    for c in s.chars() {
        if let Some(d) = chinese_digit(c) {
            digit = Some(d);
            continue;
        }
        let unit = match c {
            '十' | '拾' => 10.0,
            '百' | '佰' => 100.0,
            '千' | '仟' => 1000.0,
            '万' => 10_000.0,
            '亿' => 100_000_000.0,
            _ => return None,
        };
        if unit >= 10_000.0 {
            section += digit.take().unwrap_or(0.0);
            if section == 0.0 {
                section = 1.0;
            }
            total = (total + section) * unit;
            section = 0.0;
        } else {
            section += digit.take().unwrap_or(1.0) * unit;
        }
    }
    Some(total + section + digit.unwrap_or(0.0))
}

pub fn chinese_digit(c: char) -> Option<f64> {
    Some(match c {
        '零' | '〇' | 'Ｏ' => 0.0,
        '一' | '壹' => 1.0,
        '二' | '两' | '贰' => 2.0,
        '三' | '叁' => 3.0,
        '四' | '肆' => 4.0,
        '五' | '伍' => 5.0,
        '六' | '陆' => 6.0,
        '七' | '柒' => 7.0,
        '八' | '捌' => 8.0,
        '九' | '玖' => 9.0,
        _ => return None,
    })
}

pub fn is_chinese_numeral(c: char) -> bool {
    chinese_digit(c).is_some() || matches!(c, '十' | '百' | '千' | '万' | '亿')
}

/// Full-width digits and ASCII digits alike.
pub fn digit_value(c: char) -> Option<u32> {
    match c {
        '0'..='9' => Some(c as u32 - '0' as u32),
        '０'..='９' => Some(c as u32 - '０' as u32),
        _ => None,
    }
}

pub fn is_digit(c: char) -> bool {
    digit_value(c).is_some()
}

/// An Arabic number as written ("1,234.5", "１２", "59.4") to its value.
pub fn arabic_number(s: &str) -> Option<f64> {
    let mut ascii = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            ',' | ' ' => {}
            '．' | '.' => ascii.push('.'),
            c => ascii.push(char::from_digit(digit_value(c)?, 10)?),
        }
    }
    ascii.parse().ok()
}

pub fn is_han(c: char) -> bool {
    matches!(c, '\u{4E00}'..='\u{9FFF}' | '\u{3400}'..='\u{4DBF}' | '\u{20000}'..='\u{2A6DF}' | '〇')
}

/// Punctuation that ends a sentence.
pub fn is_sentence_end(c: char) -> bool {
    matches!(c, '。' | '！' | '？' | '!' | '?')
}

/// Punctuation that ends a clause (a label never reaches across it).
pub fn is_clause_break(c: char) -> bool {
    is_sentence_end(c) || matches!(c, '，' | ',' | '；' | ';' | '：' | ':' | '、')
}

/// Characters that a wrapped or reflowed line should not start with.
pub fn is_closing_punct(c: char) -> bool {
    matches!(
        c,
        '，' | '。' | '、' | '；' | '：' | '）' | '」' | '』' | '”' | '’' | '》' | '！' | '？' | ')' | ','
    )
}

/// Leading and trailing white space, ideographic space (U+3000) included.
pub fn trim(s: &str) -> &str {
    s.trim_matches(|c: char| c.is_whitespace() || c == '\u{3000}')
}

/// Parses a date written as 2024年3月10日, 2024年03月10日 11:36:55,
/// 2024-03-20 09:30, 2024/3/20, 2024.3.20 or 二〇二四年三月十日.
pub fn parse_date(s: &str) -> Option<String> {
    let s = trim(s);
    let re = regex_date();
    if let Some(c) = re.captures(s) {
        let y: i32 = c[1].parse().ok()?;
        let m: u32 = c[2].parse().ok()?;
        let d: u32 = c[3].parse().ok()?;
        return valid_date(y, m, d);
    }
    // Chinese numerals: 二〇二四年三月十日
    let (y, rest) = s.split_once('年')?;
    let (m, rest) = rest.split_once('月')?;
    let (d, _) = rest.split_once('日')?;
    let year: String = y
        .chars()
        .map(|c| chinese_digit(c).map(|d| char::from_digit(d as u32, 10).unwrap_or('?')))
        .collect::<Option<String>>()?;
    let y: i32 = year.parse().ok()?;
    let m = chinese_number(trim(m))? as u32;
    let d = chinese_number(trim(d))? as u32;
    valid_date(y, m, d)
}

fn valid_date(y: i32, m: u32, d: u32) -> Option<String> {
    ((1949..=2100).contains(&y) && (1..=12).contains(&m) && (1..=31).contains(&d))
        .then(|| format!("{y:04}-{m:02}-{d:02}"))
}

fn regex_date() -> &'static regex::Regex {
    static RE: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    RE.get_or_init(|| {
        regex::Regex::new(r"^(\d{4})\s*[年\-/.]\s*(\d{1,2})\s*[月\-/.]\s*(\d{1,2})\s*日?").expect("valid regex")
    })
}

/// A whole line that is a date and nothing else (a signature date).
pub fn is_date_line(s: &str) -> bool {
    let s = trim(s);
    let n = s.chars().count();
    n <= 24 && parse_date(s).is_some() && (s.ends_with('日') || s.chars().last().is_some_and(|c| c.is_ascii_digit()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_numerals() {
        assert_eq!(chinese_number("七"), Some(7.0));
        assert_eq!(chinese_number("两"), Some(2.0));
        assert_eq!(chinese_number("十三"), Some(13.0));
        assert_eq!(chinese_number("二十"), Some(20.0));
        assert_eq!(chinese_number("一百零五"), Some(105.0));
        assert_eq!(chinese_number("三万"), Some(30000.0));
        assert_eq!(chinese_number("十二万五千"), Some(125000.0));
        assert_eq!(chinese_number("是"), None);
    }

    #[test]
    fn arabic_numbers() {
        assert_eq!(arabic_number("1,234.5"), Some(1234.5));
        assert_eq!(arabic_number("１２"), Some(12.0));
        assert_eq!(arabic_number("59．4"), Some(59.4));
    }

    #[test]
    fn dates() {
        assert_eq!(parse_date("2024年3月10日"), Some("2024-03-10".into()));
        assert_eq!(parse_date("2024年03月10日 11:36:55"), Some("2024-03-10".into()));
        assert_eq!(parse_date("2024-03-20 09:30"), Some("2024-03-20".into()));
        assert_eq!(parse_date("二〇二四年三月十日"), Some("2024-03-10".into()));
        assert_eq!(parse_date("2024年13月10日"), None);
        assert!(is_date_line("2021年1月15日"));
        assert!(!is_date_line("2021年1月15日召开会议"));
    }
}
