//! The page layer: from normalised text to the report body. Reads crawler
//! headers and web metadata blocks, drops page chrome, takes off the title
//! block and the signature, and re-flows lines broken at HTML spans, so
//! that the outline and figure stages see one logical line per paragraph or
//! heading.

use super::marker::{marker_at, point_at};
use super::text::{is_date_line, is_digit, is_han, parse_date, trim};
use regex::Regex;
use std::collections::BTreeMap;
use std::sync::OnceLock;

#[derive(Debug, Default, Clone, PartialEq)]
pub struct Page {
    /// Crawler header and web metadata fields, by label as written.
    pub meta: BTreeMap<String, String>,
    /// Title block lines, the bureau line (if any) excluded.
    pub title: Option<String>,
    /// A line of the title block that names the issuing body alone.
    pub title_org: Option<String>,
    pub signature_org: Option<String>,
    /// YYYY-MM-DD
    pub signature_date: Option<String>,
    /// Logical lines: each a paragraph or a heading (possibly with body).
    pub body: Vec<String>,
    /// Lines dropped as page chrome, counted for diagnostics.
    pub chrome_lines: usize,
    /// The body was re-flowed from span-broken lines.
    pub reflowed: bool,
}

#[derive(Debug, Clone)]
struct Line {
    text: String,
    indent: bool,
}

impl Line {
    fn blank(&self) -> bool {
        self.text.is_empty()
    }
}

pub fn read_page(text: &str) -> Page {
    let mut page = Page::default();
    let mut lines: Vec<Line> = text
        .split('\n')
        .map(|l| Line {
            indent: l.starts_with([' ', '\u{3000}']),
            text: trim(l).to_string(),
        })
        .collect();
    take_crawler_header(&mut lines, &mut page.meta);
    let before = lines.len();
    lines.retain(|l| !is_chrome(&l.text, &mut page.meta));
    page.chrome_lines = before - lines.len();
    // After chrome detection, which reads toolbars by their spaces.
    for l in &mut lines {
        l.text = close_cjk_gaps(&l.text);
    }
    take_meta_block(&mut lines, &mut page.meta);
    take_title_block(&mut lines, &mut page);
    take_signature(&mut lines, &mut page);
    drop_addressee(&mut lines);
    let (body, reflowed) = reflow(&lines);
    page.body = body;
    page.reflowed = reflowed;
    page
}

/// Removes spaces between two CJK characters ("依法履行职责 ，提高", left
/// by &nbsp; and markup): Chinese text puts no spaces between words.
fn close_cjk_gaps(t: &str) -> String {
    if !t.contains([' ', '\u{3000}']) {
        return t.to_string();
    }
    let cjk = |c: char| {
        is_han(c)
            || matches!(c, '\u{3000}'..='\u{303F}' | '\u{FF01}'..='\u{FF0F}' | '\u{FF1A}'..='\u{FF20}' | '“' | '”' | '‘' | '’')
    };
    let chars: Vec<char> = t.chars().collect();
    let mut out = String::with_capacity(t.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == ' ' || c == '\u{3000}' {
            let mut j = i;
            while j < chars.len() && (chars[j] == ' ' || chars[j] == '\u{3000}') {
                j += 1;
            }
            let before = out.chars().next_back();
            let after = chars.get(j).copied();
            if before.is_some_and(|b| cjk(b) && b != '、') && after.is_some_and(cjk) {
                i = j;
                continue;
            }
        }
        out.push(c);
        i += 1;
    }
    out
}

// ---------------------------------------------------------------- header

const HEADER_KEYS: &[&str] = &[
    "标题",
    "题目",
    "名称",
    "发布时间",
    "发布日期",
    "发文日期",
    "成文日期",
    "日期",
    "时间",
    "文号",
    "发文字号",
    "发布机构",
    "发文机关",
    "发文单位",
    "来源",
    "信息来源",
    "来源网站",
    "网站",
    "栏目",
    "分类",
    "主题分类",
    "索引号",
    "原始链接",
    "链接",
    "网址",
    "本地目录",
    "本地路径",
    "路径",
    "文件",
    "文件名",
    "作者",
    "关键词",
    "浏览次数",
    "点击数",
    "采集时间",
    "抓取时间",
    "爬取时间",
    "地区",
    "部门",
    "年份",
    "年度",
    "url",
    "title",
    "date",
    "source",
    "link",
    "path",
    "published",
];

fn header_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| Regex::new(r"^([\p{Han}A-Za-z_]{1,8})\s*[:：]\s*(.*)$").expect("valid regex"))
}

fn is_header_key(k: &str) -> bool {
    HEADER_KEYS.iter().any(|h| h.eq_ignore_ascii_case(k))
}

/// `key: value` lines before the body, ended by a `正文:` / `==== 正文 ====`
/// separator or by the first line that is not one.
fn take_crawler_header(lines: &mut Vec<Line>, meta: &mut BTreeMap<String, String>) {
    let first = match lines.iter().position(|l| !l.blank()) {
        Some(i) => i,
        None => return,
    };
    let starts = header_re()
        .captures(&lines[first].text)
        .is_some_and(|c| is_header_key(&c[1]));
    if !starts {
        return;
    }
    let mut i = first;
    while i < lines.len() {
        let t = lines[i].text.clone();
        if t.is_empty() {
            i += 1;
            continue;
        }
        if let Some(rest) = separator_rest(&t) {
            lines[i].text = rest;
            if lines[i].text.is_empty() {
                i += 1;
            }
            break;
        }
        match header_re().captures(&t) {
            Some(c) if is_header_key(&c[1]) => {
                let v = trim(&c[2]).to_string();
                meta.entry(c[1].to_string()).or_insert(v);
                i += 1;
            }
            _ => break,
        }
    }
    lines.drain(..i);
}

/// A body separator line; returns the text after it on the same line.
fn separator_rest(t: &str) -> Option<String> {
    static RE: OnceLock<Regex> = OnceLock::new();
    let re = RE.get_or_init(|| {
        Regex::new(r"^(?:[=\-─—*#~_]{2,}\s*)?(?:正文|内容|全文|content)\s*(?:[=\-─—*#~_]{2,}|[:：])?\s*(.*)$|^[=\-─—*#~_]{3,}$")
            .expect("valid regex")
    });
    let c = re.captures(t)?;
    Some(trim(c.get(1).map_or("", |m| m.as_str())).to_string())
}

// ---------------------------------------------------------------- chrome

/// Chrome lines by their start: breadcrumbs, bylines, attachments, contact
/// details, the notice of publication, "previous / next" links, the closing
/// formula, toolbar buttons.
const CHROME_AT_START: &[&str] = &[
    r"^(当前位置|您当前的位置|您现在的位置|你现在的位置|您的位置|你的位置|所在位置|当前页面)\s*[:：]",
    r"^(来源|信息来源|作者|责任编辑|编辑|审核|发布人|浏览次数|阅读次数|点击次数|访问量|浏览量|字号|字体)\s*[:：]",
    r"^附件(下载)?\s*[:：]?\s*$",
    r"^附件\s*\d*\s*[:：]",
    r"^[（(]\s*此件(主动|不予|依申请)?公开\s*[）)]$",
    r"^[（(]\s*此件不公开\s*[）)]$",
    r"^抄送\s*[:：]",
    r"^(联系人|联系电话|咨询电话|电话|传真|邮编|邮政编码|地址|通讯地址|电子邮箱|邮箱|E-?mail)\s*[:：]",
    r"^(上一篇|下一篇|上一条|下一条|相关链接|相关文章|相关阅读|相关稿件)",
    r"^(专此|特此)报告[。.]?$",
    r"^【?\s*(打印|关闭|打印本页|关闭窗口|返回顶部|收藏|分享)\s*】?$",
];

/// Chrome lines by words anywhere in them: a breadcrumb's "首页 >", the QR
/// code prompt, the site footer.
const CHROME_ANYWHERE: &[&str] = &[
    r"首页\s*[>＞»›/|]",
    r"扫一扫在手机(上)?打开当前页",
    r"(版权所有|ICP备|网站标识码|网站地图|主办单位|承办单位|技术支持|政府网站找错|公网安备)",
];

/// A line that is only a file name: an attachment's link.
const CHROME_FILE_NAME: &str = r"(?i)^\S{0,80}\.(docx?|pdf|xlsx?|wps|zip|rar|ofd|et|jpg|png)$";

/// A document's issuing line: "2024年3月1日印发".
const CHROME_ISSUED: &str = r"\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日\s*印发$";

/// Whether a line (short enough to be chrome) is one of the lines above.
/// Every line of every report is asked, so the patterns are arranged for
/// speed: those anchored at the start are one regex (one anchored
/// automaton took an eighth of the time of eleven tried in turn); those
/// found anywhere stay apart, since each starts from a literal the regex
/// engine looks for first (joined with the others they ran five times
/// slower); and the two that read a whole line run only on lines that end
/// as they must. Chrome tests took a fifth of parsing before.
fn chrome_pattern(t: &str) -> bool {
    struct Res {
        at_start: Regex,
        anywhere: Vec<Regex>,
        file_name: Regex,
        issued: Regex,
    }
    static RES: OnceLock<Res> = OnceLock::new();
    let res = RES.get_or_init(|| {
        let joined: Vec<String> = CHROME_AT_START.iter().map(|p| format!("(?:{p})")).collect();
        Res {
            at_start: Regex::new(&joined.join("|")).expect("valid regex"),
            anywhere: CHROME_ANYWHERE
                .iter()
                .map(|p| Regex::new(p).expect("valid regex"))
                .collect(),
            file_name: Regex::new(CHROME_FILE_NAME).expect("valid regex"),
            issued: Regex::new(CHROME_ISSUED).expect("valid regex"),
        }
    });
    res.at_start.is_match(t)
        || res.anywhere.iter().any(|re| re.is_match(t))
        // Every extension ends in a letter; case-insensitive, "s" also
        // matches the long s.
        || (t.ends_with(|c: char| c.is_ascii_alphabetic() || c == 'ſ') && res.file_name.is_match(t))
        || (t.ends_with("印发") && res.issued.is_match(t))
}

/// Words that make up share widgets and toolbars: a line of nothing else is
/// chrome.
const WIDGET_WORDS: &[&str] = &[
    "微信",
    "微博",
    "QQ空间",
    "QQ",
    "分享",
    "分享到",
    "分享至",
    "朋友圈",
    "打印",
    "关闭",
    "翻译",
    "搜索",
    "复制",
    "收藏",
    "字号",
    "字体",
    "大",
    "中",
    "小",
    "默认",
    "繁体",
    "简体",
    "无障碍",
    "返回顶部",
    "打印本页",
    "关闭窗口",
    "手机版",
    "扫一扫",
    "【",
    "】",
    "|",
    "·",
    "：",
    ":",
    "/",
    "视力保护色",
    "保护视力色",
    "A",
    "A+",
    "A-",
    "放大",
    "缩小",
    "还原",
];

fn is_widget_line(t: &str) -> bool {
    let mut any = false;
    for token in t.split(|c: char| c.is_whitespace() || matches!(c, '|' | '【' | '】' | '[' | ']' | '丨' | '：' | ':'))
    {
        if token.is_empty() {
            continue;
        }
        let token = token.trim_matches(|c| matches!(c, '：' | ':'));
        if token.is_empty() {
            continue;
        }
        if !WIDGET_WORDS.contains(&token) {
            return false;
        }
        any = true;
    }
    any
}

/// Whole lines of page chrome. Key/value pairs found on such lines (来源,
/// 发布时间 …) are kept as metadata.
fn is_chrome(t: &str, meta: &mut BTreeMap<String, String>) -> bool {
    // Chrome is short; a long line is report text (a one-line body may end
    // in chrome words, which `trim_trailing_chrome` takes off).
    if t.is_empty() || t.chars().count() > 200 {
        return false;
    }
    let chrome = is_widget_line(t) || chrome_pattern(t);
    if chrome {
        static KV: OnceLock<Regex> = OnceLock::new();
        let kv = KV.get_or_init(|| {
            Regex::new(r"(来源|信息来源|发布时间|发布日期|发布机构|作者)\s*[:：]\s*(\S+(?: \d{1,2}:\d{2}(?::\d{2})?)?)")
                .expect("valid regex")
        });
        for c in kv.captures_iter(t) {
            meta.entry(c[1].to_string()).or_insert_with(|| c[2].to_string());
        }
    }
    chrome
}

// ---------------------------------------------------------------- meta block

const META_LABELS: &[&str] = &[
    "索引号",
    "主题分类",
    "发文日期",
    "成文日期",
    "发布日期",
    "发布机构",
    "发文机关",
    "文号",
    "发文字号",
    "生效日期",
    "有效性",
    "信息来源",
    "公开方式",
    "公开范围",
    "体裁分类",
    "组配分类",
    "服务对象",
    "主题词",
    "公文种类",
    "所属机构",
    "信息分类",
    "文件编号",
    "标题",
    "名称",
];

fn meta_label(t: &str) -> Option<(&'static str, &str)> {
    META_LABELS.iter().find_map(|l| {
        let rest = t.strip_prefix(l)?;
        let rest = rest.trim_start_matches([' ', '\u{3000}']);
        if rest.is_empty() {
            return Some((*l, ""));
        }
        let rest = rest.strip_prefix([':', '：'])?;
        Some((*l, trim(rest)))
    })
}

/// The web metadata table found on government pages: label lines (索引号,
/// 发文日期 …) each followed by a value line, or `label：value` lines.
fn take_meta_block(lines: &mut Vec<Line>, meta: &mut BTreeMap<String, String>) {
    let limit = lines.len().min(60);
    let mut remove = vec![false; lines.len()];
    let mut i = 0;
    while i < limit {
        let Some((label, value)) = meta_label(&lines[i].text) else {
            i += 1;
            continue;
        };
        remove[i] = true;
        let mut value = value.to_string();
        if value.is_empty() {
            if let Some(next) = lines.get(i + 1) {
                let n = &next.text;
                let is_value = !n.is_empty() && meta_label(n).is_none() && n.chars().count() <= 80 && !n.contains('。');
                if is_value {
                    value = n.clone();
                    remove[i + 1] = true;
                    i += 1;
                }
            }
        } else {
            // Several pairs flattened onto one line.
            let mut parts = split_pairs(&value);
            value = parts.remove(0).1;
            for (l, v) in parts {
                meta.entry(l).or_insert(v);
            }
        }
        meta.entry(label.to_string()).or_insert(value);
        i += 1;
    }
    let mut k = 0;
    lines.retain(|_| {
        k += 1;
        !remove[k - 1]
    });
}

/// "K2605/2024 发文日期：2024年03月10日" → [("", "K2605/2024"), ("发文日期", …)].
fn split_pairs(value: &str) -> Vec<(String, String)> {
    let mut out = vec![(String::new(), String::new())];
    let mut rest = value;
    loop {
        let next = META_LABELS
            .iter()
            .filter_map(|l| {
                let p = rest.find(l)?;
                let after = rest[p + l.len()..].trim_start();
                after.starts_with([':', '：']).then_some((p, *l))
            })
            .min();
        match next {
            Some((p, l)) => {
                out.last_mut().expect("non-empty").1 = trim(&rest[..p]).to_string();
                let after = rest[p + l.len()..].trim_start();
                rest = &after[after.chars().next().map_or(0, |c| c.len_utf8())..];
                out.push((l.to_string(), String::new()));
            }
            None => {
                out.last_mut().expect("non-empty").1 = trim(rest).to_string();
                return out;
            }
        }
    }
}

// ---------------------------------------------------------------- title

const ORG_SUFFIXES: &[&str] = &[
    "人民政府办公室",
    "人民政府办公厅",
    "人民政府",
    "办公室",
    "办公厅",
    "委员会",
    "管理局",
    "局",
    "厅",
    "委",
    "办",
    "中心",
    "检察院",
    "法院",
    "院",
    "署",
    "部",
    "站",
    "队",
    "监狱",
    "政府",
];

/// A line that names an issuing body and nothing else: "西安市阎良区民政局".
pub fn is_org_name(t: &str) -> bool {
    let n = t.chars().count();
    (4..=32).contains(&n)
        && t.chars().all(|c| is_han(c) || matches!(c, '（' | '）' | '(' | ')'))
        && ORG_SUFFIXES.iter().any(|s| t.ends_with(s))
        && !t.contains("报告")
        && !t.starts_with("关于")
}

fn is_title_line(t: &str) -> bool {
    let n = t.chars().count();
    if n == 0 || n > 64 || t.contains(['。', '，', '；', ',', ';', '：', ':']) {
        return false;
    }
    if marker_at(t).is_some() || is_date_line(t) {
        return false;
    }
    is_org_name(t) || ["报告", "法治", "年度", "情况"].iter().any(|w| t.contains(w))
}

fn take_title_block(lines: &mut Vec<Line>, page: &mut Page) {
    let mut title = String::new();
    let mut end = 0;
    let mut seen = 0;
    for (i, l) in lines.iter().enumerate() {
        if l.blank() {
            continue;
        }
        // A title broken mid-word ("茅箭区民政局2023年" / "度法治政府…")
        // is title-like only together with its next line.
        let with_next = lines[i + 1..]
            .iter()
            .find(|n| !n.blank())
            .is_some_and(|n| l.text.chars().count() <= 30 && is_title_line(&format!("{}{}", l.text, n.text)));
        let continues = !title.is_empty()
            && !title.ends_with("报告")
            && l.text.chars().count() <= 30
            && is_title_line(&format!("{title}{}", l.text));
        // "现将有关情况报告" / "如下：": a sentence broken by the markup.
        let runs_into_sentence = lines[i + 1..].iter().find(|n| !n.blank()).is_some_and(|n| {
            n.text.chars().count() <= 8
                && n.text.ends_with(['：', ':', '。'])
                && !is_org_name(n.text.trim_end_matches(['：', ':']))
        });
        let opener = l.text.starts_with("现将") || l.text.starts_with("根据");
        if seen >= 5 || opener || runs_into_sentence || !(is_title_line(&l.text) || with_next || continues) {
            break;
        }
        seen += 1;
        end = i + 1;
        if is_org_name(&l.text) && title.is_empty() && page.title_org.is_none() {
            page.title_org = Some(l.text.clone());
        } else {
            title.push_str(&l.text);
        }
    }
    if !title.is_empty() {
        page.title = Some(title);
    }
    lines.drain(..end);
}

// ---------------------------------------------------------------- signature

/// Page text run onto the end of a one-line body.
const TRAILING_CHROME: &[&str] = &[
    "扫一扫在手机打开当前页面",
    "扫一扫在手机上打开当前页面",
    "【打印】",
    "【关闭】",
    "打印本页",
    "关闭窗口",
];

fn trim_trailing_chrome(lines: &mut [Line]) {
    if let Some(last) = lines.iter_mut().rev().find(|l| !l.blank()) {
        loop {
            let t = trim(&last.text);
            match TRAILING_CHROME.iter().find(|c| t.ends_with(*c)) {
                Some(c) => last.text = trim(&t[..t.len() - c.len()]).to_string(),
                None => break,
            }
        }
    }
}

/// "…不断促进民政各项工作再上新台阶。十堰市茅箭区民政局2024年3月10日": a
/// signature run onto the end of the last paragraph. Splits it off.
fn split_run_on_signature(lines: &mut Vec<Line>) {
    static RE: OnceLock<Regex> = OnceLock::new();
    let re = RE.get_or_init(|| {
        Regex::new(r"[。！？；]\s*(?:(?:专此|特此)报告[。.]?\s*)?([\p{Han}（）()]{4,32}?)\s*((?:19|20)\d{2}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日)$")
            .expect("valid regex")
    });
    let Some(last) = lines.last() else { return };
    if last.text.chars().count() <= 40 {
        return;
    }
    let Some(c) = re.captures(&last.text) else { return };
    let (Some(org), Some(date), Some(all)) = (c.get(1), c.get(2), c.get(0)) else {
        return;
    };
    if !is_org_name(org.as_str()) {
        return;
    }
    let keep = all.start() + all.as_str().chars().next().map_or(0, char::len_utf8);
    let (org, date) = (org.as_str().to_string(), date.as_str().to_string());
    let indent = last.indent;
    if let Some(l) = lines.last_mut() {
        l.text.truncate(keep);
    }
    lines.push(Line { text: org, indent });
    lines.push(Line { text: date, indent });
}

fn take_signature(lines: &mut Vec<Line>, page: &mut Page) {
    while lines.last().is_some_and(Line::blank) {
        lines.pop();
    }
    trim_trailing_chrome(lines);
    split_run_on_signature(lines);
    let Some(last) = lines.last() else { return };
    let t = last.text.clone();
    if is_date_line(&t) {
        page.signature_date = parse_date(&t);
        lines.pop();
    } else if let Some((org, date)) = t.rsplit_once([' ', '\u{3000}']) {
        // "十堰市茅箭区民政局 2024年3月10日" on one line.
        if is_date_line(date) && is_org_name(trim(org)) {
            page.signature_date = parse_date(date);
            page.signature_org = Some(trim(org).to_string());
            lines.pop();
            return;
        }
    }
    while lines.last().is_some_and(Line::blank) {
        lines.pop();
    }
    let n = lines.len();
    if n >= 1 && is_org_name(&lines[n - 1].text) {
        page.signature_org = lines.pop().map(|l| l.text);
    } else if n >= 2 && page.signature_date.is_some() {
        // A name broken over two lines by the page's markup.
        let joined = format!("{}{}", lines[n - 2].text, lines[n - 1].text);
        if is_org_name(&joined) && lines[n - 2].text.chars().count() < 16 {
            lines.truncate(n - 2);
            page.signature_org = Some(joined);
        }
    }
}

/// "市人民政府：" before the body: the addressee, not report text.
fn drop_addressee(lines: &mut Vec<Line>) {
    if let Some(i) = lines.iter().position(|l| !l.blank()) {
        let t = lines[i].text.trim_end_matches([':', '：']);
        if t.len() < lines[i].text.len() && is_org_name(t) {
            lines.remove(i);
        }
    }
}

// ---------------------------------------------------------------- reflow

/// Ends a sentence or a clause after which a paragraph may end.
fn ends_paragraph(t: &str) -> bool {
    let mut rev = t.chars().rev();
    match rev.next() {
        Some('。' | '！' | '？' | '!' | '?' | '；' | ';' | '：' | ':' | '…') => true,
        Some('”' | '’' | '）' | ')' | '」' | '』' | '"') => {
            rev.next().is_some_and(|c| matches!(c, '。' | '！' | '？' | '!' | '?'))
        }
        _ => false,
    }
}

/// A line that stands as a heading of its own (marker, short, no sentence).
fn is_heading_line(t: &str) -> bool {
    marker_at(t).is_some() && t.chars().count() <= 60
}

fn punctuation_only(t: &str) -> bool {
    !t.is_empty() && t.chars().all(|c| !is_han(c) && !c.is_alphanumeric())
}

/// "一是" or "一是：" alone on a line: a point marker set like a heading.
fn lone_point(t: &str) -> bool {
    point_at(t).is_some_and(|(_, len)| trim(&t[len..]).trim_matches([':', '：']).is_empty())
}

/// Does the text that starts at line `i` (joined with what follows, since a
/// marker may itself be broken: "（" / "三" / "）") begin with a heading marker?
fn starts_heading(lines: &[Line], i: usize) -> bool {
    let mut probe = String::new();
    for l in lines[i..].iter().filter(|l| !l.blank()).take(4) {
        probe.push_str(&l.text);
        if probe.chars().count() >= 8 {
            break;
        }
    }
    marker_at(&probe).is_some()
}

/// Span-broken text: many line ends fall mid-sentence.
fn is_span_broken(lines: &[Line]) -> bool {
    let idx: Vec<usize> = (0..lines.len()).filter(|&i| !lines[i].blank()).collect();
    let mut mid = 0;
    for w in idx.windows(2) {
        let (a, b) = (&lines[w[0]].text, w[1]);
        let broken = punctuation_only(a)
            || (!ends_paragraph(a) && !is_heading_line(a) && !is_date_line(a) && !starts_heading(lines, b));
        if broken {
            mid += 1;
        }
    }
    let total = idx.len().saturating_sub(1);
    mid >= 3 && mid * 4 >= total
}

/// Joins lines into logical lines (paragraphs and headings).
fn reflow(lines: &[Line]) -> (Vec<String>, bool) {
    let span = is_span_broken(lines);
    // In span-broken text indentation may be the only paragraph signal.
    let indent_marks_paragraphs = span && {
        let nonblank: Vec<&Line> = lines.iter().filter(|l| !l.blank()).collect();
        let mut after_end = (0, 0);
        let mut after_mid = (0, 0);
        for w in nonblank.windows(2) {
            let slot = if ends_paragraph(&w[0].text) {
                &mut after_end
            } else {
                &mut after_mid
            };
            slot.0 += usize::from(w[1].indent);
            slot.1 += 1;
        }
        after_end.1 > 0 && after_end.0 * 10 >= after_end.1 * 6 && after_mid.0 * 10 <= after_mid.1 * 2
    };
    let mut out: Vec<String> = Vec::new();
    let mut cur: Option<String> = None;
    let mut blank_since = false;
    for i in 0..lines.len() {
        let l = &lines[i];
        if l.blank() {
            blank_since = true;
            continue;
        }
        let join = match &cur {
            None => false,
            Some(prev) => {
                if lone_point(prev) {
                    true
                } else if starts_heading(lines, i) && !prev.ends_with(['（', '(']) {
                    false
                } else if is_heading_line(prev) && point_at(&l.text).is_some() {
                    // "二、存在问题" / "一是…": the points start the body.
                    false
                } else if is_date_line(prev) || is_date_line(&l.text) {
                    false
                } else if span {
                    if indent_marks_paragraphs {
                        !l.indent || (!ends_paragraph(prev) && punctuation_only(&l.text))
                    } else {
                        !ends_paragraph(prev) || punctuation_only(&l.text)
                    }
                } else {
                    // Clean text: repair only a break that cannot be a
                    // paragraph end (a number cut from its unit, a line that
                    // starts with closing punctuation).
                    !blank_since
                        && !ends_paragraph(prev)
                        && !is_heading_line(prev)
                        && (l.text.starts_with(super::text::is_closing_punct)
                            || (prev.ends_with(is_digit) && l.text.starts_with(|c: char| is_han(c) || c == '%')))
                }
            }
        };
        match (&mut cur, join) {
            (Some(prev), true) => {
                let ascii_seam = prev.ends_with(|c: char| c.is_ascii_alphanumeric())
                    && l.text.starts_with(|c: char| c.is_ascii_alphabetic());
                if ascii_seam {
                    prev.push(' ');
                }
                prev.push_str(&l.text);
            }
            _ => {
                if let Some(p) = cur.take() {
                    out.push(p);
                }
                cur = Some(l.text.clone());
            }
        }
        blank_since = false;
    }
    out.extend(cur);
    (out, span)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every kind of chrome line is recognised, however the patterns are
    /// arranged for speed, and report lines that share their words are not.
    #[test]
    fn chrome_lines_of_every_kind_and_report_lines_like_them() {
        let mut meta = BTreeMap::new();
        for chrome in [
            "当前位置：首页 > 政务公开",
            "网站首页 > 法治政府",
            "来源：区司法局",
            "附件下载",
            "附件1：统计表",
            "2023年工作报告.PDF",
            "报告附件.docx",
            "（此件主动公开）",
            "(此件不公开)",
            "抄送：市司法局",
            "联系电话：0719-1234567",
            "2024年3月1日印发",
            "扫一扫在手机打开当前页",
            "上一篇：关于开展普法宣传的通知",
            "版权所有：十堰市人民政府",
            "特此报告。",
            "【打印本页】",
            "【 关闭窗口 】",
        ] {
            assert!(is_chrome(chrome, &mut meta), "{chrome}");
        }
        for text in [
            "来源于群众的意见建议",
            "印发《法治政府建设实施方案》",
            "2024年3月1日印发《方案》",
            "全年印发文件3份",
            "办理附件材料",
            "特此报告如下",
            "首页内容更新",
            "发放宣传资料.共300份",
        ] {
            assert!(!is_chrome(text, &mut meta), "{text}");
        }
        assert_eq!(meta.get("来源").map(String::as_str), Some("区司法局"));
    }

    #[test]
    fn crawler_header_and_chrome() {
        let text = "标题: 某某区民政局2023年度法治政府建设情况报告\n发布时间: 2024-03-20 09:30\n文号: \n原始链接: https://example.gov.cn/a.html\n==== 正文 ====\n当前位置：首页 > 政务公开 > 法治政府\n微信 微博 QQ空间\n2023年，区民政局坚持依法行政。\n附件下载\n（此件主动公开）\n";
        let p = read_page(text);
        assert_eq!(
            p.meta.get("标题").map(String::as_str),
            Some("某某区民政局2023年度法治政府建设情况报告")
        );
        assert_eq!(p.meta.get("发布时间").map(String::as_str), Some("2024-03-20 09:30"));
        assert_eq!(p.meta.get("文号").map(String::as_str), Some(""));
        assert_eq!(p.body, vec!["2023年，区民政局坚持依法行政。".to_string()]);
        assert_eq!(p.chrome_lines, 4);
    }

    #[test]
    fn span_broken_lines_are_reflowed() {
        let text = "2023年，区民政局坚持\n依法行政，发放资料15\n份。\n（\n三\n）加强宣传。开展活动\n6次。\n二、存在问题\n一是\n学习不够。";
        let p = read_page(text);
        assert!(p.reflowed);
        assert_eq!(
            p.body,
            vec![
                "2023年，区民政局坚持依法行政，发放资料15份。",
                "（三）加强宣传。开展活动6次。",
                "二、存在问题",
                "一是学习不够。"
            ]
        );
    }
}
