//! A corpus of hostile and broken report files, generated (never committed
//! as binaries): what a folder scraped from hundreds of websites contains.
//! Each case says what indexing it must give.

use super::sample_text;
use std::ffi::OsString;
use std::path::Path;

/// The sample every text variant is made from; each variant renames its
/// district so the reports can be told apart in the index.
const BASE: &str = "maojian-district-civil-affairs-2023.txt";

pub enum Expect {
    Indexed {
        bureau: String,
        year: i32,
        encoding: &'static str,
        sections: usize,
        /// A warning the report must carry.
        warning: Option<&'static str>,
    },
    /// Reported as failed, with this in the reason.
    Failed(&'static str),
}

pub struct Case {
    /// The path under the corpus folder (bytes, so names need not be UTF-8).
    pub name: OsString,
    pub expect: Expect,
}

fn variant(district: &str) -> String {
    sample_text(BASE).replace("茅箭", district)
}

fn bureau(district: &str) -> String {
    format!("十堰市{district}区民政局")
}

fn indexed(district: &str, encoding: &'static str) -> Expect {
    Expect::Indexed {
        bureau: bureau(district),
        year: 2023,
        encoding,
        sections: BASE_SECTIONS,
        warning: None,
    }
}

/// The clean sample's sections, at all levels (its outline is checked
/// exactly in samples.rs).
const BASE_SECTIONS: usize = 21;

fn case(name: impl Into<OsString>, expect: Expect) -> Case {
    Case {
        name: name.into(),
        expect,
    }
}

/// 10 + 100 + 9,900 = 10,010 headings: 一、 … 十、, each with （一）…（十）,
/// each with 1. … 99.
fn many_headings() -> String {
    let cn = ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十"];
    let mut s = String::from("竹山县司法局2023年法治政府建设年度报告\n\n");
    for (i, a) in cn.iter().enumerate() {
        s.push_str(&format!("{a}、第{}部分工作\n", i + 1));
        for b in cn {
            s.push_str(&format!("（{b}）分项工作\n"));
            for n in 1..=99 {
                s.push_str(&format!("{n}.第{n}项任务\n完成任务{n}件。\n"));
            }
        }
    }
    s
}

/// Numbering nested eight deep, fifty times: four levels are sections, the
/// deeper markers stay text.
fn deep_nesting() -> String {
    let mut s = String::from("竹溪县司法局2023年法治政府建设年度报告\n\n");
    let cn = ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十"];
    for i in 0..50 {
        let n = i + 1;
        let (tens, ones) = (n / 10, n % 10);
        let mut top = String::new();
        if tens > 1 {
            top.push_str(cn[tens - 1]);
        }
        if tens > 0 {
            top.push('十');
        }
        if ones > 0 {
            top.push_str(cn[ones - 1]);
        }
        s.push_str(&format!(
            "{top}、第{}部分\n（一）第一层\n1.第二层\n（1）第三层\n①第四层\na)第五层\ni.第六层\n——第七层发放资料{}份。\n",
            i + 1,
            i + 300
        ));
    }
    s
}

fn escapes() -> String {
    variant("武当")
        .replacen(
            "一、",
            "\x1b]52;c;ZXZpbA==\x07\x1b]0;pwned\x07\x1b]2;pwned\x1b\\\x1b[2J\x1b[31m一、",
            3,
        )
        .replacen("法治", "\x1bP+q544e\x1b\\法治\u{9b}31m\x1b[?1049l", 5)
}

/// A distinct three-character county name for each of up to 10,648 files.
fn county(i: usize) -> String {
    const C: [char; 22] = [
        '安', '平', '和', '兴', '宁', '康', '泰', '丰', '华', '新', '东', '西', '南', '北', '长', '青', '永', '定',
        '清', '阳', '山', '林',
    ];
    [C[i / 484 % 22], C[i / 22 % 22], C[i % 22]].iter().collect()
}

/// Writes the corpus into `dir` and returns what each file must give.
/// `many` small reports go into `many/`.
pub fn write_corpus(dir: &Path, many: usize) -> Vec<Case> {
    use encoding_rs::GB18030;
    let mut cases = Vec::new();
    let w = |name: &str, bytes: &[u8]| std::fs::write(dir.join(name), bytes).unwrap();

    w("empty.txt", b"");
    cases.push(case("empty.txt", Expect::Failed("empty file")));
    w("blank.txt", " \n\t\n\u{3000}\r\n".as_bytes());
    cases.push(case("blank.txt", Expect::Failed("empty file")));
    let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
    png.extend((0..200u32).map(|i| (i * 7 % 251) as u8));
    w("png.txt", &png);
    cases.push(case("png.txt", Expect::Failed("PNG image")));
    let mut zip = b"PK\x03\x04\x14\0\0\0".to_vec();
    zip.extend((0..200u32).map(|i| (i * 13 % 251) as u8));
    w("zip.txt", &zip);
    cases.push(case("zip.txt", Expect::Failed("ZIP archive")));
    let text = variant("黄石");
    let mut nul = text.as_bytes()[..300].to_vec();
    nul.extend([0u8; 64]);
    w("nul.txt", &nul);
    cases.push(case("nul.txt", Expect::Failed("contains NUL bytes")));

    let zhangwan = variant("张湾");
    let (gb, _, _) = GB18030.encode(&zhangwan);
    w("gb18030.txt", &gb);
    cases.push(case("gb18030.txt", indexed("张湾", "GB18030")));
    // GBK without the title line: the bureau comes from the page's
    // metadata and the signature.
    let untitled = variant("郧阳").split_once('\n').unwrap().1.to_string();
    let (gbk, _, _) = encoding_rs::GBK.encode(&untitled);
    w("gbk-untitled.txt", &gbk);
    cases.push(case("gbk-untitled.txt", indexed("郧阳", "GB18030")));

    let utf16 = |s: &str, le: bool, bom: bool| -> Vec<u8> {
        let mut out = if bom {
            if le { vec![0xFF, 0xFE] } else { vec![0xFE, 0xFF] }
        } else {
            Vec::new()
        };
        for u in s.encode_utf16() {
            out.extend(if le { u.to_le_bytes() } else { u.to_be_bytes() });
        }
        out
    };
    w("utf16le.txt", &utf16(&variant("竹山"), true, true));
    cases.push(case("utf16le.txt", indexed("竹山", "UTF-16LE (BOM)")));
    w("utf16be.txt", &utf16(&variant("竹溪"), false, true));
    cases.push(case("utf16be.txt", indexed("竹溪", "UTF-16BE (BOM)")));
    w("utf16le-nobom.txt", &utf16(&variant("郧西"), true, false));
    cases.push(case("utf16le-nobom.txt", indexed("郧西", "UTF-16LE (no BOM)")));

    // Invalid UTF-8 in the middle of a valid file.
    let text = variant("丹江");
    let mut mid = text.len() / 2;
    while !text.is_char_boundary(mid) {
        mid += 1;
    }
    let mut bad = text.as_bytes()[..mid].to_vec();
    bad.extend(b"\xFF\xFE\xC3");
    bad.extend(&text.as_bytes()[mid..]);
    w("bad-utf8.txt", &bad);
    cases.push(case(
        "bad-utf8.txt",
        Expect::Indexed {
            bureau: bureau("丹江"),
            year: 2023,
            encoding: "UTF-8",
            sections: BASE_SECTIONS,
            warning: Some("replaced with U+FFFD"),
        },
    ));

    w("escapes.txt", escapes().as_bytes());
    cases.push(case("escapes.txt", indexed("武当", "UTF-8")));
    let bidi = variant("神农").replace("民政局", "民政\u{202E}局\u{2066}\u{200B}");
    w("bidi.txt", bidi.as_bytes());
    cases.push(case("bidi.txt", indexed("神农", "UTF-8")));

    w("headings.txt", many_headings().as_bytes());
    cases.push(case(
        "headings.txt",
        Expect::Indexed {
            bureau: "竹山县司法局".into(),
            year: 2023,
            encoding: "UTF-8",
            sections: 10_010,
            warning: None,
        },
    ));
    w("deep.txt", deep_nesting().as_bytes());
    cases.push(case(
        "deep.txt",
        Expect::Indexed {
            bureau: "竹溪县司法局".into(),
            year: 2023,
            encoding: "UTF-8",
            sections: 200,
            warning: None,
        },
    ));

    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStringExt;
        use std::os::unix::fs::PermissionsExt;
        // Two names that are not UTF-8 and read the same when made lossy.
        for (bytes, district) in [(b"name-\xFF.txt".to_vec(), "黄龙"), (b"name-\xFE.txt".to_vec(), "白浪")] {
            let name = OsString::from_vec(bytes);
            std::fs::write(dir.join(&name), variant(district)).unwrap();
            cases.push(case(name, indexed(district, "UTF-8")));
        }
        w("unreadable.txt", variant("花果").as_bytes());
        std::fs::set_permissions(dir.join("unreadable.txt"), std::fs::Permissions::from_mode(0o000)).unwrap();
        cases.push(case("unreadable.txt", Expect::Failed("Permission denied")));
        std::os::unix::fs::symlink("loop.txt", dir.join("loop.txt")).unwrap();
        cases.push(case("loop.txt", Expect::Failed("Too many levels of symbolic links")));
        std::fs::create_dir(dir.join("sub")).unwrap();
        std::os::unix::fs::symlink("..", dir.join("sub/up")).unwrap();
        let fifo = std::ffi::CString::new(dir.join("fifo.txt").into_os_string().into_vec()).unwrap();
        // SAFETY: a valid NUL-terminated path.
        assert_eq!(unsafe { libc::mkfifo(fifo.as_ptr(), 0o644) }, 0);
        cases.push(case("fifo.txt", Expect::Failed("not a regular file")));
    }

    if many > 0 {
        std::fs::create_dir(dir.join("many")).unwrap();
        for i in 0..many {
            let name = format!("many/{i:05}.txt");
            let county = county(i);
            let text = format!(
                "{county}县民政局2022年法治政府建设年度报告\n\n一、主要举措和成效\n发放法治宣传资料{}份，开展培训{}次。\n\
                 二、存在的不足\n基层力量薄弱。\n三、2023年工作安排\n继续推进依法行政。\n",
                i + 100,
                i % 50 + 1
            );
            w(&name, text.as_bytes());
            cases.push(case(
                name,
                Expect::Indexed {
                    bureau: format!("{county}县民政局"),
                    year: 2022,
                    encoding: "UTF-8",
                    sections: 3,
                    warning: None,
                },
            ));
        }
    }
    cases
}

/// The big ones, for the slow script: a 50 MB report and a 10 MB line.
pub fn write_big(dir: &Path) -> Vec<Case> {
    let body = variant("巨石");
    let (head, rest) = body.split_once("一、").unwrap();
    let mut big = String::from(head);
    big.push_str("一、");
    while big.len() < 50 << 20 {
        big.push_str(rest);
    }
    std::fs::write(dir.join("big-50mb.txt"), &big).unwrap();
    let one_line: String = variant("长线").replace('\n', " ").repeat(10 << 20 >> 12);
    std::fs::write(dir.join("line-10mb.txt"), one_line.as_bytes()).unwrap();
    vec![]
}
