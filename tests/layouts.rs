//! Layout variants of the sample reports that the samples themselves do not
//! show (REPORTS.md "Layout found in the wild" and "Scraped collections"),
//! built from the samples by re-laying them out. Each variant must parse to
//! the same expectations as the original.

mod common;

use common::{Expect, SAMPLES, Strictness, check, sample_text};
use fazhi::ingest::parse_bytes;

/// The sample split into its head (title block, metadata), body and tail
/// (signature, trailing page text).
struct Doc {
    head: Vec<String>,
    body: Vec<String>,
    tail: Vec<String>,
}

fn split(text: &str) -> Doc {
    let lines: Vec<String> = text.lines().map(str::to_string).collect();
    let first_body = lines
        .iter()
        .position(|l| l.contains(['，', ',', '。']) || l.trim_end().ends_with(['：', ':']))
        .expect("a body line");
    let mut end = lines.len();
    while end > first_body {
        let l = lines[end - 1].trim_matches(|c: char| c.is_whitespace() || c == '\u{3000}');
        let signature_like = l.is_empty()
            || l.starts_with("扫一扫")
            || (l.chars().count() <= 30 && !l.contains(['，', '。', '：', ',', ':']));
        if !signature_like {
            break;
        }
        end -= 1;
    }
    Doc {
        head: lines[..first_body].to_vec(),
        body: lines[first_body..end].to_vec(),
        tail: lines[end..].to_vec(),
    }
}

fn join(doc: &Doc) -> String {
    let mut all: Vec<&str> = Vec::new();
    all.extend(doc.head.iter().map(String::as_str));
    all.extend(doc.body.iter().map(String::as_str));
    all.extend(doc.tail.iter().map(String::as_str));
    all.join("\n")
}

fn trimmed(l: &str) -> &str {
    l.trim_matches(|c: char| c.is_whitespace() || c == '\u{3000}')
}

fn parse_str(s: &str) -> fazhi::ingest::Report {
    parse_bytes(s.as_bytes()).expect("variant decodes")
}

fn for_each_sample(variant: &str, how: Strictness, make: impl Fn(&Expect, &str) -> Option<Vec<u8>>) {
    let mut tried = 0;
    for e in SAMPLES {
        if let Some(bytes) = make(e, &sample_text(e.file)) {
            let r = parse_bytes(&bytes).unwrap_or_else(|err| panic!("{} ({variant}): {err}", e.file));
            check(&r, e, how, variant);
            tried += 1;
        }
    }
    assert!(tried >= 3, "{variant}: only {tried} samples tried");
}

#[test]
fn gbk_encoded() {
    for_each_sample("GBK", Strictness::Exact, |_, t| {
        // Characters outside GBK (㎡) become &#NNNN; references, as web
        // pages write them; the decoder resolves them.
        let (bytes, _, _) = encoding_rs::GBK.encode(t);
        let r = parse_bytes(&bytes).expect("decodes");
        assert_eq!(r.encoding, "GB18030");
        Some(bytes.into_owned())
    });
}

#[test]
fn crlf_line_ends_and_bom() {
    for_each_sample("CRLF", Strictness::Exact, |_, t| {
        Some(t.replace('\n', "\r\n").into_bytes())
    });
    for_each_sample("BOM", Strictness::Exact, |_, t| {
        Some([b"\xEF\xBB\xBF".as_slice(), t.as_bytes()].concat())
    });
    for_each_sample("lone CR", Strictness::Exact, |_, t| {
        Some(t.replace('\n', "\r").into_bytes())
    });
}

#[test]
fn full_width_markers() {
    for_each_sample("full-width 1．（1）（一）", Strictness::Exact, |_, t| {
        let mut doc = split(t);
        for l in &mut doc.body {
            let indent: String = l
                .chars()
                .take_while(|c| c.is_whitespace() || *c == '\u{3000}')
                .collect();
            let rest = &l[indent.len()..];
            let converted = if let Some(m) = rest
                .find(['.', '、'])
                .filter(|&m| m <= 2 && rest[..m].chars().all(|c| c.is_ascii_digit()) && m > 0)
            {
                let digits: String = rest[..m]
                    .chars()
                    .map(|c| char::from_u32(c as u32 - '0' as u32 + '０' as u32).unwrap())
                    .collect();
                format!(
                    "{digits}．{}",
                    &rest[m + rest[m..].chars().next().unwrap().len_utf8()..]
                )
            } else if rest.starts_with('(') {
                rest.replacen('(', "（", 1).replacen(')', "）", 1)
            } else {
                rest.to_string()
            };
            *l = format!("{indent}{converted}");
        }
        Some(join(&doc).into_bytes())
    });
}

#[test]
fn ideographic_space_indentation() {
    for_each_sample("U+3000 indentation", Strictness::Exact, |_, t| {
        let mut doc = split(t);
        for l in &mut doc.body {
            *l = format!("\u{3000}\u{3000}{}", trimmed(l));
        }
        Some(join(&doc).into_bytes())
    });
}

#[test]
fn title_split_over_two_lines() {
    for_each_sample("title on two lines", Strictness::Exact, |e, t| {
        let title = e.title?;
        let chars: Vec<char> = title.chars().collect();
        let (a, b): (String, String) = (
            chars[..chars.len() / 2].iter().collect(),
            chars[chars.len() / 2..].iter().collect(),
        );
        assert!(t.contains(title));
        Some(t.replacen(title, &format!("{a}\n{b}"), 1).into_bytes())
    });
}

#[test]
fn crawler_header() {
    for_each_sample("crawler header", Strictness::Exact, |e, t| {
        let mut header = String::new();
        if let Some(title) = e.title {
            header.push_str(&format!("标题: {title}\n"));
        } else {
            header.push_str("标题:\n");
        }
        if let Some(p) = e.published {
            header.push_str(&format!("发布时间: {p} 09:30\n"));
        }
        header.push_str(&format!(
            "文号: \n发布机构: {}\n栏目: 法治政府建设\n原始链接: https://www.example.gov.cn/zwgk/2024/0320/123.html\n本地目录: /data/crawl/{}\n==== 正文 ====\n",
            e.bureau, e.file
        ));
        Some(format!("{header}{t}").into_bytes())
    });
    let e = &SAMPLES[3];
    let r = parse_str(&format!(
        "标题: {}\n发布时间: 2024-03-20 09:30\n正文:\n{}",
        e.title.unwrap(),
        sample_text(e.file)
    ));
    assert_eq!(r.published.as_deref(), Some("2024-03-20"));
    assert_eq!(r.meta.get("发布时间").map(String::as_str), Some("2024-03-20 09:30"));
}

#[test]
fn page_chrome() {
    for_each_sample("page chrome", Strictness::Exact, |_, t| {
        let mut doc = split(t);
        let top = [
            "当前位置：首页 > 政务公开 > 法治政府建设",
            "微信 微博 QQ空间",
            "【字体：大 中 小】 打印",
            "来源：本站  浏览次数：1024",
        ];
        for (i, l) in top.iter().enumerate() {
            doc.head.insert(i, l.to_string());
        }
        doc.body.insert(0, "市人民政府：".to_string());
        doc.tail.extend(
            [
                "附件下载",
                "附件：2023年法治政府建设情况报告.docx",
                "2023年法治政府建设情况报告.pdf",
                "（此件主动公开）",
                "抄送：市委依法治市办，市司法局。",
                "某某局办公室 2024年2月23日印发",
                "联系电话：0715-1234567",
                "翻译 搜索 复制",
                "扫一扫在手机打开当前页面",
            ]
            .map(String::from),
        );
        Some(join(&doc).into_bytes())
    });
}

#[test]
fn one_line_body() {
    for_each_sample("one-line body", Strictness::HeadingPrefix, |_, t| {
        let mut doc = split(t);
        let one: String = doc.body.iter().map(|l| trimmed(l)).collect();
        doc.body = vec![one];
        Some(join(&doc).into_bytes())
    });
}

#[test]
fn whole_page_on_one_line() {
    // Body, signature and trailing page text all on one physical line.
    for_each_sample("one-line page", Strictness::HeadingPrefix, |_, t| {
        let mut doc = split(t);
        let mut one: String = doc.body.iter().map(|l| trimmed(l)).collect();
        one.extend(doc.tail.iter().map(|l| trimmed(l)));
        one.push_str("扫一扫在手机打开当前页面");
        doc.body = vec![one];
        doc.tail.clear();
        Some(join(&doc).into_bytes())
    });
}

#[test]
fn span_broken_lines() {
    for_each_sample("span-broken", Strictness::HeadingPrefix, |_, t| {
        let mut doc = split(t);
        // Deterministic pseudo-random span lengths of 2..10 characters,
        // falling anywhere: inside numbers, between a number and its unit,
        // inside heading markers.
        let mut seed: u64 = 0x2545_F491_4F6C_DD1D;
        let mut broken = Vec::new();
        for l in &doc.body {
            let chars: Vec<char> = trimmed(l).chars().collect();
            let mut i = 0;
            while i < chars.len() {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                let n = 2 + (seed % 9) as usize;
                broken.push(chars[i..(i + n).min(chars.len())].iter().collect::<String>());
                i += n;
            }
        }
        doc.body = broken;
        Some(join(&doc).into_bytes())
    });
}

#[test]
fn no_signature() {
    // The bureau then comes from the title and the metadata block, the date
    // from 发文日期.
    let t = sample_text("maojian-district-civil-affairs-2023.txt");
    let cut = t.find("十堰市茅箭区民政局\n\n2024年3月10日").expect("signature");
    let r = parse_str(&t[..cut]);
    assert_eq!(r.bureau.as_deref(), Some("茅箭区民政局"));
    assert_eq!(r.published.as_deref(), Some("2024-03-10"));
    assert_eq!(r.year, Some(2023));
    let full = parse_str(&t);
    assert_eq!(r.sections, full.sections);
    assert_eq!(r.figures, full.figures);
    // Without title, metadata or signature only "市民政局" names the body:
    // too partial to be the bureau, and the run says so.
    let t = sample_text("xinzhou-city-civil-affairs-2020.txt");
    let cut = t.find("  忻州市民政局").expect("signature");
    let r = parse_str(&t[..cut]);
    assert_eq!(r.bureau, None);
    assert!(r.warnings.iter().any(|w| w.contains("bureau")));
    assert_eq!(r.year, Some(2020));
    assert_eq!(r.sections.len(), parse_str(&t).sections.len());
}

#[test]
fn html_leftovers() {
    for_each_sample("HTML leftovers", Strictness::Exact, |_, t| {
        let mut doc = split(t);
        for l in &mut doc.body {
            *l = format!(
                "<p style=\"text-indent:2em\"><span>{}</span></p>",
                trimmed(l).replacen('，', "&nbsp;，", 1)
            );
        }
        Some(join(&doc).into_bytes())
    });
}
