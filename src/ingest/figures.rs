//! Figures: quantities with their unit, approximation word and the label
//! phrase that says what they count ("发放法治宣传资料300余份").
//!
//! A number is a figure only with a unit or measure word after it; years,
//! dates, document and hotline numbers, ordinals (第…), formulas (1+3+N),
//! thresholds (30人以上的), plan names and anything inside quotation marks
//! or book-title marks are not.

use super::model::{Figure, Paragraph};
use super::text::{
    arabic_number, chinese_number, is_chinese_numeral, is_clause_break, is_digit, is_han, is_sentence_end, trim,
};
use regex::Regex;
use std::sync::OnceLock;

/// Measure words after which the counted thing may follow the figure
/// ("建设3个农村社区服务中心", "七个乡镇").
const COUNT_WORDS: &[&str] = &[
    "个", "名", "家", "项", "批", "所", "处", "座", "条", "件", "类", "支", "位", "户", "对", "套", "间", "栋", "台",
    "辆", "块", "部", "篇", "门", "场", "次", "轮", "期", "届", "宗", "起", "张", "本", "册", "份", "幅", "例", "笔",
    "组", "队", "株", "棵", "艘", "架",
];

const OTHER_UNITS: &[&str] = &[
    "人次",
    "户次",
    "件次",
    "个次",
    "场次",
    "班次",
    "航次",
    "批次",
    "人",
    "学时",
    "课时",
    "小时",
    "分钟",
    "个工作日",
    "工作日",
    "个月",
    "天",
    "周",
    "元",
    "%",
    "％",
    "‰",
    "个百分点",
    "百分点",
    "倍",
    "㎡",
    "m²",
    "平方米",
    "平方公里",
    "平方千米",
    "公里",
    "千米",
    "米",
    "亩",
    "公顷",
    "吨",
    "千克",
    "公斤",
    "立方米",
    "千瓦",
    "床",
    "年",
];

/// Units that take a 万/亿 multiplier in front.
const MULTIPLIABLE: &[&str] = &[
    "元",
    "人次",
    "人",
    "户",
    "件",
    "份",
    "册",
    "平方米",
    "亩",
    "吨",
    "个",
    "名",
    "张",
    "次",
    "套",
    "株",
    "千瓦",
    "公里",
];

/// Units a Chinese numeral may take ("七个", "两批", "十三人").
const CN_UNITS: &[&str] = &[
    "个工作日",
    "个月",
    "个",
    "批",
    "人次",
    "人",
    "名",
    "家",
    "项",
    "场次",
    "场",
    "件",
    "所",
    "户",
    "轮",
    "期",
    "类",
    "支",
    "座",
    "条",
    "处",
    "份",
    "本",
    "册",
    "位",
    "组",
    "套",
    "宗",
    "起",
    "次",
    "天",
];

/// Fixed phrases that contain a numeral and a measure word but count
/// nothing: slogans and political formulas.
const IDIOMS: &[&str] = &[
    "三项制度",
    "四个意识",
    "四个自信",
    "两个维护",
    "两个确立",
    "四个全面",
    "五位一体",
    "四位一体",
    "三重一大",
    "三会一课",
    "两学一做",
    "一约四会",
    "两个责任",
    "三个代表",
    "两个一百年",
    "四个一",
    "六个一",
    "五个一",
    "三个一",
    "两个至上",
    "三个务必",
    "三个区分开来",
    "四个最严",
    "两项制度",
];

const APPROX_BEFORE: &[&str] = &[
    "不超过",
    "不少于",
    "不低于",
    "不高于",
    "不到",
    "不足",
    "超过",
    "约",
    "近",
    "逾",
    "超",
];
const APPROX_AFTER: &[&str] = &["以上", "左右", "以下", "以内", "余", "多"];

fn units() -> &'static Vec<String> {
    static U: OnceLock<Vec<String>> = OnceLock::new();
    U.get_or_init(|| {
        let mut v: Vec<String> = COUNT_WORDS.iter().chain(OTHER_UNITS).map(|s| s.to_string()).collect();
        for m in ["千万", "百万", "万", "亿", "千"] {
            for b in MULTIPLIABLE {
                v.push(format!("{m}{b}"));
            }
        }
        v.push("万".into());
        v.push("亿".into());
        v.sort_by_key(|u| std::cmp::Reverse(u.len()));
        v.dedup();
        v
    })
}

/// The units by their first character, each list in the order of
/// [`units`] (longest first): a figure's text is compared only with the
/// units that can start it (comparing with all of them was a tenth of
/// parsing).
fn units_by_first() -> &'static std::collections::HashMap<char, Vec<&'static str>> {
    static U: OnceLock<std::collections::HashMap<char, Vec<&'static str>>> = OnceLock::new();
    U.get_or_init(|| {
        let mut m: std::collections::HashMap<char, Vec<&'static str>> = std::collections::HashMap::new();
        for u in units() {
            if let Some(c) = u.chars().next() {
                m.entry(c).or_default().push(u.as_str());
            }
        }
        m
    })
}

/// The longest unit that `s` starts with.
fn match_unit(s: &str) -> Option<&'static str> {
    let first = s.chars().next()?;
    units_by_first().get(&first)?.iter().copied().find(|u| s.starts_with(u))
}

/// Byte ranges inside quotation marks, book titles and document-number
/// brackets: numbers there name things, they do not count them.
fn masked_ranges(text: &str) -> Vec<(usize, usize)> {
    let pairs = [
        ('“', '”', 40),
        ('"', '"', 40),
        ('「', '」', 40),
        ('‘', '’', 40),
        ('《', '》', 120),
        ('〔', '〕', 10),
        ('[', ']', 10),
    ];
    let mut out = Vec::new();
    for (open, close, max_chars) in pairs {
        let mut from = 0;
        while let Some(o) = text[from..].find(open).map(|i| from + i) {
            let body = o + open.len_utf8();
            // Look for the closing mark only as far as a quotation may reach,
            // so unbalanced marks cost no more than their window.
            let mut window = (body + max_chars * 4 + close.len_utf8()).min(text.len());
            while !text.is_char_boundary(window) {
                window -= 1;
            }
            match text[body..window].find(close) {
                Some(c) if text[body..body + c].chars().count() <= max_chars => {
                    out.push((o, body + c + close.len_utf8()));
                    from = body + c + close.len_utf8();
                }
                _ => from = body,
            }
        }
    }
    out
}

struct RawFigure {
    start: usize,
    end: usize,
    value: f64,
    unit: String,
    approx: Option<String>,
}

pub fn extract(paragraphs: &[Paragraph]) -> Vec<Figure> {
    let mut out = Vec::new();
    for (pi, p) in paragraphs.iter().enumerate() {
        out.extend(in_paragraph(&p.text, pi, p.section));
    }
    out
}

pub fn in_paragraph(text: &str, paragraph: usize, section: Option<usize>) -> Vec<Figure> {
    let masked = masked_ranges(text);
    let raws = find_numbers(text, &masked);
    let sentences = sentence_ranges(text);
    let mut figures: Vec<Figure> = Vec::new();
    // Figures come in text order: walk the sentences alongside them.
    let mut si = 0;
    for r in raws {
        while si + 1 < sentences.len() && sentences[si].1 <= r.start {
            si += 1;
        }
        let (ss, se) = sentences.get(si).copied().unwrap_or((0, text.len()));
        let prev = figures.last().filter(|f| f.start >= ss);
        let label = label_for(text, ss, &r, prev.map(|f| (f.end, f.label.as_str())));
        figures.push(Figure {
            text: text[r.start..r.end].to_string(),
            value: r.value,
            unit: r.unit,
            approx: r.approx,
            label,
            sentence: trim(&text[ss..se]).to_string(),
            paragraph,
            section,
            start: r.start,
            end: r.end,
        });
    }
    figures
}

/// Whether `text` states any figure: what `!in_paragraph(text, ..)
/// .is_empty()` says, without working out the figures' labels and
/// sentences (asked of every heading).
pub fn any_in(text: &str) -> bool {
    !find_numbers(text, &masked_ranges(text)).is_empty()
}

/// The sentence of `text` that contains byte `pos`, trimmed: what
/// [`Figure::sentence`] holds for a figure starting at `pos`. (The index
/// stores only the range and derives the sentence from the paragraph.)
pub fn sentence_at(text: &str, pos: usize) -> &str {
    let (s, e) = sentence_ranges(text)
        .into_iter()
        .find(|&(_, e)| e > pos)
        .unwrap_or((0, text.len()));
    trim(&text[s..e])
}

fn sentence_ranges(text: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = 0;
    for (i, c) in text.char_indices() {
        if is_sentence_end(c) {
            let mut end = i + c.len_utf8();
            if text[end..].starts_with(['”', '’', '）', ')']) {
                end += text[end..].chars().next().map_or(0, char::len_utf8);
            }
            if end > start {
                out.push((start, end));
            }
            start = end;
        }
    }
    if start < text.len() {
        out.push((start, text.len()));
    }
    out
}

fn find_numbers(text: &str, masked: &[(usize, usize)]) -> Vec<RawFigure> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < text.len() {
        let c = text[i..].chars().next().unwrap_or(' ');
        let (ns, ne, chinese) = if is_digit(c) {
            (i, arabic_end(text, i), false)
        } else if is_chinese_numeral(c) && !matches!(c, '万' | '亿' | '千' | '百') {
            let end = i + text[i..]
                .char_indices()
                .find(|&(_, c)| !is_chinese_numeral(c))
                .map_or(text.len() - i, |(j, _)| j);
            (i, end, true)
        } else {
            i += c.len_utf8();
            continue;
        };
        let next = ne.max(i + c.len_utf8());
        if !masked.iter().any(|&(s, e)| ns >= s && ns < e) {
            let found = if chinese {
                chinese_figure(text, ns, ne)
            } else {
                arabic_figure(text, ns, ne)
            };
            if let Some(f) = found {
                i = f.end;
                out.push(f);
                continue;
            }
        }
        i = next;
    }
    out
}

/// End of an Arabic number starting at `i`: digits, `,ddd` groups, one
/// decimal part.
fn arabic_end(text: &str, i: usize) -> usize {
    let b = text.as_bytes();
    let digits_end = |mut j: usize| {
        while j < text.len() {
            match text[j..].chars().next() {
                Some(c) if is_digit(c) => j += c.len_utf8(),
                _ => break,
            }
        }
        j
    };
    let mut end = digits_end(i);
    // Thousands groups: 1,234,567
    while end + 4 <= text.len()
        && b[end] == b','
        && b[end + 1..end + 4].iter().all(u8::is_ascii_digit)
        && !b.get(end + 4).is_some_and(u8::is_ascii_digit)
    {
        end += 4;
    }
    for dot in [".", "．"] {
        if text[end..].starts_with(dot) {
            let after = end + dot.len();
            let d_end = digits_end(after);
            if d_end > after {
                end = d_end;
            }
            break;
        }
    }
    end
}

fn char_before(text: &str, i: usize) -> Option<char> {
    text[..i].chars().next_back()
}

fn char_at(text: &str, i: usize) -> Option<char> {
    text[i..].chars().next()
}

fn approx_before(text: &str, ns: usize) -> Option<(usize, &'static str)> {
    APPROX_BEFORE
        .iter()
        .find(|w| text[..ns].ends_with(*w))
        .map(|w| (ns - w.len(), *w))
}

fn arabic_figure(text: &str, ns: usize, ne: usize) -> Option<RawFigure> {
    let numeral = &text[ns..ne];
    let before = char_before(text, ns);
    // Ordinals, codes, formulas, ranges, phone numbers, versions.
    if before.is_some_and(|c| {
        c.is_ascii_alphanumeric()
            || matches!(
                c,
                '第' | '每'
                    | '+'
                    | '＋'
                    | '-'
                    | '—'
                    | '–'
                    | '~'
                    | '～'
                    | '/'
                    | '.'
                    | '·'
                    | '・'
                    | '#'
                    | '_'
                    | '号'
                    | '×'
                    | '*'
            )
    }) {
        return None;
    }
    let ascii_digits = numeral.chars().filter(|c| is_digit(*c)).count();
    if numeral.starts_with(['0', '０']) && ascii_digits > 1 && !numeral.contains(['.', '．']) {
        return None;
    }
    let mut j = ne;
    // "1234.5 万元": one space between number and unit.
    if text[j..].starts_with(' ') && !text[j + 1..].starts_with(' ') {
        j += 1;
    }
    let rest = &text[j..];
    if rest.starts_with([
        '+', '＋', '-', '—', '–', '~', '～', '/', ':', '：', '·', '・', '×', '*', '.',
    ]) || rest.starts_with(|c: char| c.is_ascii_alphabetic() && c != 'm')
    {
        return None;
    }
    let value = arabic_number(numeral)?;
    // Years: 2023年, 2021—2025年 (the range is caught above), 2023年度.
    if rest.starts_with('年') && (1900.0..=2100.0).contains(&value) && ascii_digits == 4 {
        return None;
    }
    // Dates and times: 3月, 10日, 8时, 5号.
    if rest.starts_with(['月', '日', '时', '点', '号', '届', '级', '岁']) && !rest.starts_with("点") {
        return None;
    }
    unit_and_approx(text, ns, j, value, false)
}

fn chinese_figure(text: &str, ns: usize, ne: usize) -> Option<RawFigure> {
    let numeral = &text[ns..ne];
    if IDIOMS.iter().any(|w| text[ns..].starts_with(w)) {
        return None;
    }
    if char_before(text, ns).is_some_and(|c| c == '第' || c == '初' || c == '周' || c == '星' || is_digit(c)) {
        return None;
    }
    if matches!(char_before(text, ns), Some('届' | '每')) {
        return None;
    }
    let value = chinese_number(numeral)?;
    // 一 alone is nearly always idiomatic (一次性, 一个档案, 一人领学).
    if value < 2.0 {
        return None;
    }
    let unit = CN_UNITS.iter().find(|u| text[ne..].starts_with(*u))?;
    let after = ne + unit.len();
    if ["全会", "会议", "全体会议", "党代会", "方面"]
        .iter()
        .any(|w| text[after..].starts_with(w))
    {
        return None;
    }
    // "六个一", "两委", a numeral right after the unit: formula, not count.
    if char_at(text, after).is_some_and(|c| is_chinese_numeral(c) && c != '万' && c != '亿') {
        return None;
    }
    let (start, approx) = match approx_before(text, ns) {
        Some((s, w)) => (s, Some(w.to_string())),
        None => (ns, None),
    };
    Some(RawFigure {
        start,
        end: after,
        value,
        unit: unit.to_string(),
        approx,
    })
}

fn unit_and_approx(text: &str, ns: usize, mut j: usize, value: f64, _chinese: bool) -> Option<RawFigure> {
    let mut approx: Option<String> = None;
    for w in ["余", "多"] {
        if text[j..].starts_with(w) {
            approx = Some(w.to_string());
            j += w.len();
            break;
        }
    }
    let unit = match_unit(&text[j..])?;
    // "年" only as a span of years: "满2年", not "2023年".
    if unit == "年" && value >= 100.0 {
        return None;
    }
    let mut end = j + unit.len();
    if approx.is_none()
        && let Some(w) = APPROX_AFTER.iter().find(|w| text[end..].starts_with(*w))
    {
        // "30人以上的", "600㎡以上社区阵地": a threshold, not a count.
        if matches!(*w, "以上" | "以下" | "以内") {
            let after = end + w.len();
            if char_at(text, after).is_some_and(|c| is_han(c) || c == '“') {
                return None;
            }
        }
        if !matches!(*w, "余" | "多") || char_at(text, end + w.len()).is_some_and(|c| !is_han(c)) {
            approx = Some(w.to_string());
            end += w.len();
        }
    }
    // "满2年的" is a condition.
    if text[..ns].ends_with('满') {
        return None;
    }
    let mut start = ns;
    if approx.is_none()
        && let Some((s, w)) = approx_before(text, ns)
    {
        start = s;
        approx = Some(w.to_string());
    }
    Some(RawFigure {
        start,
        end,
        value,
        unit: unit.to_string(),
        approx,
    })
}

// ---------------------------------------------------------------- labels

fn leading_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(concat!(
            r"^(?:截至目前|截止目前|截至到?|截止到?|到目前为止|目前|今年以来|今年|去年|年内|全年|当年|近年来|近年|同时|其中|此外|另外|",
            r"累计|合计|总计|先后|共计|共|全区|全市|全县|全省|全镇|全乡|全系统|全局|我局|本局|我区|我市|我县|我省|本区|本市|本县|",
            r"辖区内|辖区|各级|均|已|并|还|通过|为|向|对|将|占|在|从|由|有(?:[^效序力])|\p{Han}{1,4}?(?:省|市|区|县)(?:共有|共|有|累计|全年|已))"
        ))
        .expect("valid regex")
    })
}

const TRAILING: &[&str] = &[
    "共计",
    "共有",
    "累计",
    "合计",
    "总计",
    "可达",
    "达到",
    "增加到",
    "增加至",
    "提高到",
    "提高至",
    "提升到",
    "提升至",
    "减少到",
    "减少至",
    "下降到",
    "下降至",
    "降至",
    "降到",
    "增至",
    "不超过",
    "不低于",
    "不少于",
    "不到",
    "不足",
    "超过",
    "分别",
    "最长",
    "最多",
    "最少",
    "为止",
    "共",
    "达",
    "为",
    "有",
    "计",
    "约",
    "近",
    "是",
    "至",
    "到",
    "由",
    "从",
    "均",
    "已",
    "了",
    "各",
    "的",
    "逾",
    "仅",
    "就",
    "将",
    "在",
    "全区",
    "全市",
    "全县",
    "全省",
    "我区",
    "我市",
    "我县",
    "其他",
    "其它",
    "等",
];

/// Whether `c` may be a Unicode decimal digit: true for every one (and
/// for other numeric characters). The common Han characters are answered
/// without `char::is_numeric`'s table (none of them is numeric), which
/// was a thirtieth of parsing.
fn may_be_digit(c: char) -> bool {
    c.is_ascii_digit() || (!c.is_ascii() && !('\u{4e00}'..='\u{9fff}').contains(&c) && c.is_numeric())
}

/// The first word of [`TRAILING`] that `s` ends with. The words are
/// grouped by their last character, each group in the list's order, so a
/// label is compared only with the words that can end it (comparing it
/// with all 63 was a twentieth of parsing).
fn trailing_word(s: &str) -> Option<&'static str> {
    static BY_LAST: OnceLock<std::collections::HashMap<char, Vec<&'static str>>> = OnceLock::new();
    let by_last = BY_LAST.get_or_init(|| {
        let mut m: std::collections::HashMap<char, Vec<&'static str>> = std::collections::HashMap::new();
        for &t in TRAILING {
            if let Some(c) = t.chars().next_back() {
                m.entry(c).or_default().push(t);
            }
        }
        m
    });
    let last = s.chars().next_back()?;
    by_last.get(&last)?.iter().copied().find(|t| s.ends_with(t))
}

/// Verbs that say what was done, not what was counted: with one of these
/// alone before a count, the counted thing follows the figure.
const VERB_ONLY: &[&str] = &[
    "新增", "建设", "建成", "成立", "开展", "办理", "完成", "发放", "组织", "举办", "增加", "培育", "招录", "推荐",
    "清理", "审查", "印发", "收到", "受理", "接到", "处理", "办结", "出具", "减少", "投资", "投入", "争取", "设立",
    "建立", "打击", "培训", "走访", "召开", "新建", "改造", "提升", "实施", "撤销", "聘请", "制定", "出台", "拥有",
    "涉及", "下发", "提出", "解决", "调解", "救助", "帮扶", "慰问", "资助", "支持", "形成", "创建", "评选", "表彰",
    "审核", "检查", "抽查", "督导", "指导", "培养", "选树", "推动", "落实", "参与", "参加", "邀请", "确定",
];

/// Words naming an attribute of the thing counted just before ("增加用房
/// 11处，面积5156㎡").
const ATTRIBUTES: &[&str] = &[
    "面积", "金额", "资金", "人数", "数量", "比例", "规模", "总数", "总额", "其中",
];

fn strip_label(s: &str) -> String {
    static PAREN: OnceLock<Regex> = OnceLock::new();
    static DATES: OnceLock<Regex> = OnceLock::new();
    static BOOKS: OnceLock<Regex> = OnceLock::new();
    let paren = PAREN.get_or_init(|| Regex::new(r"[（(][^（()）]*[)）]").expect("valid regex"));
    let dates = DATES.get_or_init(|| {
        Regex::new(r"(?:19|20)\d{2}\s*[—\-–~至到]\s*(?:19|20)\d{2}\s*年|(?:19|20)\d{2}\s*年(?:度|底|末|初)?(?:以来)?(?:的)?|\d{1,2}月(?:份)?(?:以来|底|末)?|\d{1,2}日")
            .expect("valid regex")
    });
    let books = BOOKS.get_or_init(|| Regex::new(r"《[^》]*》(?:等)?|^[^《]*》(?:等)?").expect("valid regex"));
    // Each pattern runs only where the character it needs is: most
    // labels have no brackets, digits or book titles, and running all
    // three everywhere was a tenth of parsing.
    let mut s = if s.contains(['（', '(']) {
        paren.replace_all(s, "").into_owned()
    } else {
        s.to_string()
    };
    // Every alternative needs a digit (`\d`: a Unicode decimal digit).
    if s.chars().any(may_be_digit) {
        s = dates.replace_all(&s, "").into_owned();
    }
    // Document titles name the documents, not what is counted; keep them
    // only when nothing else is left.
    if s.contains(['《', '》']) {
        let without_books = books.replace_all(&s, "").into_owned();
        if trim(&without_books).chars().count() >= 2 {
            s = without_books;
        }
    }
    // Brackets left open by a clause cut: "（其中转送".
    s = s
        .trim_start_matches(['（', '('])
        .trim_end_matches(['）', ')'])
        .to_string();
    let mut s = trim(&s).to_string();
    // Words that open a sentence: what precedes them belongs to something
    // else (a heading run into its text: "社会救助规范有序目前湖滨区有…").
    // (Each holds 目 or 来: a label without either is not searched six times.)
    if s.contains(['目', '来']) {
        for opener in ["截至目前", "截止目前", "到目前为止", "目前", "今年以来", "近年来"] {
            if let Some(i) = s.rfind(opener)
                && i > 0
                && s[i + opener.len()..].chars().count() >= 2
            {
                s = s[i..].to_string();
                break;
            }
        }
    }
    loop {
        let before = s.len();
        if let Some(m) = leading_re().find(&s)
            && (m.end() < s.len() || m.as_str().chars().count() <= 2)
        {
            // Keep the character after 有 that the pattern consumed.
            let cut = if m.as_str().starts_with('有') && m.as_str().chars().count() == 2 {
                '有'.len_utf8()
            } else {
                m.end()
            };
            s = s[cut..].to_string();
        }
        if let Some(t) = trailing_word(&s) {
            s.truncate(s.len() - t.len());
        }
        s = trim(&s)
            .trim_matches(|c: char| matches!(c, '，' | ',' | '、' | '；' | '：' | ':' | '-' | '—'))
            .to_string();
        if s.len() == before {
            break;
        }
    }
    // Unbalanced quotes left at the edges by a clause cut.
    let opens = s.matches('“').count();
    let closes = s.matches('”').count();
    if opens > closes && s.starts_with('“') {
        s.remove(0);
    }
    if closes > opens && s.ends_with('”') {
        s.pop();
    }
    // A long label keeps its end, the words next to the number, cut after
    // a 的 where there is one ("…从事社会工作服务的民办非企业单位").
    let n = s.chars().count();
    if n > 24 {
        let tail: String = s.chars().skip(n - 24).collect();
        s = match tail.rfind('的') {
            Some(i) if tail[i + '的'.len_utf8()..].chars().count() >= 2 => tail[i + '的'.len_utf8()..].to_string(),
            _ => tail,
        };
    }
    s
}

/// Start of the clause that ends at `end`, skipping over brackets (a 、 inside
/// "(老年人、未成年人)" does not end a clause).
/// `after_figure`: the span starts right after another figure, whose counted
/// noun it begins with ("525名孤儿、614名…"), so a short item there is not
/// part of a list of places.
fn clause_start(text: &str, from: usize, end: usize, after_figure: bool) -> usize {
    let mut depth = 0i32;
    let seg = &text[from..end];
    for (i, c) in seg.char_indices().rev() {
        match c {
            '）' | ')' | '”' | '》' => depth += 1,
            '（' | '(' | '“' | '《' => depth -= 1,
            c if depth <= 0 && is_clause_break(c) => {
                // "省、市培训12次": a 、 after a one- or two-character item
                // lists places or kinds inside one clause.
                if c == '、' {
                    let item_start = seg[..i]
                        .char_indices()
                        .rev()
                        .find(|&(_, c)| is_clause_break(c))
                        .map_or(0, |(j, c)| j + c.len_utf8());
                    let after = seg[i + c.len_utf8()..].chars().count();
                    let short_item = !after_figure && seg[item_start..i].chars().count() <= 2;
                    if short_item || (1..=3).contains(&after) {
                        continue;
                    }
                }
                return from + i + c.len_utf8();
            }
            _ => {}
        }
    }
    from
}

/// The phrase right after a figure that may name what it counts.
fn following_noun(text: &str, end: usize) -> String {
    const STOP: &[&str] = &[
        "全部", "均", "已", "分别", "都", "被", "将", "进行", "开展", "实现", "参加", "发放", "的", "建立", "成立",
        "设立", "落实", "完成", "达到", "获得", "纳入", "参与", "和", "与", "及",
    ];
    let mut out = String::new();
    let mut rest = &text[end..];
    while let Some(c) = rest.chars().next() {
        if !(is_han(c) || matches!(c, '“' | '”'))
            || STOP.iter().any(|w| rest.starts_with(w))
            || out.chars().count() >= 12
        {
            break;
        }
        out.push(c);
        rest = &rest[c.len_utf8()..];
    }
    out
}

fn label_for(text: &str, sentence_start: usize, r: &RawFigure, prev: Option<(usize, &str)>) -> String {
    let from = prev.map_or(sentence_start, |(e, _)| e.max(sentence_start));
    let cs = clause_start(text, from, r.start, prev.is_some_and(|(e, _)| e >= sentence_start));
    let raw = &text[cs..r.start];
    let pre = strip_label(raw);
    let count_word = COUNT_WORDS.contains(&r.unit.as_str()) || CN_UNITS.contains(&r.unit.as_str());
    let follow = if count_word {
        strip_label(&following_noun(text, r.end))
    } else {
        String::new()
    };
    let ends_de = trim(raw).ends_with('的');
    if !follow.is_empty() && (pre.chars().count() < 2 || VERB_ONLY.contains(&pre.as_str()) || ends_de) {
        return if ends_de && pre.chars().count() >= 2 {
            format!("{pre}的{follow}")
        } else {
            format!("{pre}{follow}")
        };
    }
    if let Some((_, prev_label)) = prev {
        if pre.chars().count() < 2 {
            return prev_label.to_string();
        }
        if ATTRIBUTES.contains(&pre.as_str()) && !prev_label.ends_with(pre.as_str()) {
            return format!("{prev_label}{pre}");
        }
    }
    if pre.chars().count() >= 2 {
        return pre;
    }
    // Nothing usable before the figure in its clause: the clause before it
    // ("连续提高最低生活保障标准，从…的2286元").
    if cs > sentence_start {
        // Step back over the break character that ended the previous clause.
        let prev_end = text[..cs]
            .char_indices()
            .next_back()
            .map_or(cs, |(i, _)| i)
            .max(sentence_start);
        let before = clause_start(text, sentence_start, prev_end, false);
        let prev_clause = strip_label(&text[before..cs]);
        if prev_clause.chars().count() >= 2 {
            return prev_clause;
        }
    }
    pre
}

#[cfg(test)]
mod tests {
    use super::*;

    fn figs(text: &str) -> Vec<(String, f64, String, Option<String>, String)> {
        in_paragraph(text, 0, None)
            .into_iter()
            .map(|f| (f.text, f.value, f.unit, f.approx, f.label))
            .collect()
    }

    fn f(t: &str, v: f64, u: &str, a: Option<&str>, l: &str) -> (String, f64, String, Option<String>, String) {
        (t.into(), v, u.into(), a.map(String::from), l.into())
    }

    /// `any_in` says what extracting the figures says, masked numbers
    /// (quotations, titles, document numbers) and Chinese numerals included.
    #[test]
    fn any_in_agrees_with_the_figures_found() {
        for text in [
            "发放法治宣传资料300余份",
            "（一）加强组织领导",
            "学习《条例》第十二条",
            "印发“十四五”规划",
            "办理三件",
            "〔2023〕5号文件",
            "",
            "共开展培训十二次，覆盖二百人",
        ] {
            assert_eq!(any_in(text), !in_paragraph(text, 0, None).is_empty(), "{text}");
        }
        assert!(any_in("发放法治宣传资料300余份"));
        // No Han character of the common block is numeric.
        assert!(('\u{4e00}'..='\u{9fff}').all(|c| !c.is_numeric()));
        assert!(['3', '３', '٣', '〇'].into_iter().all(may_be_digit));
        assert!(!any_in("（一）加强组织领导"));
    }

    #[test]
    fn common_shapes() {
        assert_eq!(
            figs("截至目前,全年共开展法治宣传活动6次,发放法治宣传资料300余份,宣传覆盖群众达1000余人次。"),
            vec![
                f("6次", 6.0, "次", None, "开展法治宣传活动"),
                f("300余份", 300.0, "份", Some("余"), "发放法治宣传资料"),
                f("1000余人次", 1000.0, "人次", Some("余"), "宣传覆盖群众"),
            ]
        );
        assert_eq!(
            figs("累计实施救助279人次,救助金额59.4万元。"),
            vec![
                f("279人次", 279.0, "人次", None, "实施救助"),
                f("59.4万元", 59.4, "万元", None, "救助金额")
            ]
        );
        assert_eq!(
            figs("连续提高最低生活保障标准，从2015年的2286元提高到2020年的4778元，始终实现。"),
            vec![
                f("2286元", 2286.0, "元", None, "连续提高最低生活保障标准"),
                f("4778元", 4778.0, "元", None, "连续提高最低生活保障标准"),
            ]
        );
    }

    #[test]
    fn more_shapes() {
        assert_eq!(
            figs("投入逾12亿元。")[0],
            f("逾12亿元", 12.0, "亿元", Some("逾"), "投入")
        );
        assert_eq!(
            figs("安排资金1234.5 万元。")[0],
            f("1234.5 万元", 1234.5, "万元", None, "安排资金")
        );
        assert_eq!(figs("查处35批210人次。").len(), 2);
        assert_eq!(
            figs("七个乡镇、街道社会工作站高标准落地。")[0],
            f("七个", 7.0, "个", None, "乡镇")
        );
        assert_eq!(figs("先后两批招录社区工作者82人。")[0].0, "两批");
        assert_eq!(
            figs("全区火化率达100%，治理率达99%以上，")[1],
            f("99%以上", 99.0, "%", Some("以上"), "治理率")
        );
        assert_eq!(figs("共有1,234,567人参加。")[0].1, 1234567.0);
        assert_eq!(figs("培训１２场次。")[0].1, 12.0);
    }

    #[test]
    fn non_figures() {
        for t in [
            "2023年,区民政局在区委领导下。",
            "于2024年3月10日印发。",
            "（廉府函〔2024〕189号）",
            "按照《社会组织信用信息管理办法》(民政部令第60号)规定",
            "“第33个全国助残日”和第33个全国助残日",
            "收到12345热线工单",
            "省委“1310”具体部署，13710督办推进",
            "“十四五”规划和八五普法，十三五任务",
            "《法治茅箭建设规划(2021—2025年)》和2021—2025年",
            "构建1+3+N体系和2+N模式",
            "“136”工程，排名全省第3，“3·15”和5·12",
            "对30人以上的群体，新增600㎡以上社区阵地",
            "电话0715-1234567",
            "省政府令第12号",
            "一是加强，二是推进，三会一课，四个意识，六个一，一把手",
            "利用“12.4”宪法日和“5.12防灾减灾日”",
            "被列入活动异常名录满2年的",
        ] {
            assert_eq!(figs(t), vec![], "{t}");
        }
    }
}
