//! Expectations for the sample reports, shared by the sample tests and the
//! layout-variant tests (which must reach the same answers).
#![allow(dead_code)]

pub mod hostile;

use fazhi::ingest::{Part, Report};
use std::path::PathBuf;

pub struct Fig {
    pub text: &'static str,
    pub value: f64,
    pub unit: &'static str,
    pub approx: Option<&'static str>,
    pub label: &'static str,
}

pub const fn fig(text: &'static str, value: f64, unit: &'static str, label: &'static str) -> Fig {
    Fig {
        text,
        value,
        unit,
        approx: None,
        label,
    }
}

pub const fn approx(text: &'static str, value: f64, unit: &'static str, a: &'static str, label: &'static str) -> Fig {
    Fig {
        text,
        value,
        unit,
        approx: Some(a),
        label,
    }
}

pub struct Expect {
    pub file: &'static str,
    pub bureau: &'static str,
    pub year: i32,
    pub published: Option<&'static str>,
    pub title: Option<&'static str>,
    pub level1: &'static [&'static str],
    pub level2_count: usize,
    pub parts: &'static [&'static [Part]],
    /// (part, status)
    pub coverage: &'static [(Part, &'static str)],
    pub figures: &'static [Fig],
    /// Strings that must not be (part of) any figure's text.
    pub not_figures: &'static [&'static str],
}

use Part::*;

pub const SAMPLES: &[Expect] = &[
    Expect {
        file: "maojian-district-civil-affairs-2023.txt",
        bureau: "十堰市茅箭区民政局",
        year: 2023,
        published: Some("2024-03-10"),
        title: Some("茅箭区民政局2023年度法治政府建设年度报告"),
        level1: &[
            "一、2023年度推进法治政府建设的主要举措和成效",
            "二、2023年度党政主要负责人履行推进法治建设第一责任人职责、加强法治政府建设工作有关情况",
            "三、2023年度推进法治政府建设存在的不足和原因",
            "四、2024年主要工作思路和打算",
        ],
        level2_count: 8,
        parts: &[&[Measures], &[Leadership], &[Shortcomings], &[Plans]],
        coverage: &[
            (Measures, "section"),
            (Shortcomings, "section"),
            (Leadership, "section"),
            (Plans, "section"),
            (Other, "missing"),
        ],
        figures: &[
            fig("6次", 6.0, "次", "开展法治宣传活动"),
            approx("300余份", 300.0, "份", "余", "发放法治宣传资料"),
            approx("1000余人次", 1000.0, "人次", "余", "宣传覆盖群众"),
            fig("28场次", 28.0, "场次", "培训"),
            approx("980余人次", 980.0, "人次", "余", "培训"),
            approx("1个月左右", 1.0, "个月", "左右", "办理临时救助时间"),
            fig("169人", 169.0, "人", "机构护理员"),
            fig("80%", 80.0, "%", "持证率"),
            fig("七个", 7.0, "个", "乡镇"),
            fig("537个", 537.0, "个", "以社工站为平台培育孵化社区社会组织"),
            fig("59.4万元", 59.4, "万元", "救助金额"),
            fig("17家", 17.0, "家", "民办非企业单位"),
            fig("11个", 11.0, "个", "公益性公墓"),
            approx("99%以上", 99.0, "%", "以上", "“三沿五区”裸露坟墓治理率"),
            fig("582户", 582.0, "户", "走访"),
            fig("110次", 110.0, "次", "开展婚姻家庭矛盾调解"),
            approx("500余次", 500.0, "次", "余", "提供法律政策咨询"),
        ],
        not_figures: &["2023", "2024", "2021", "2025", "3月", "10日", "八五", "三重一大"],
    },
    Expect {
        file: "lianjiang-city-civil-affairs-2024.txt",
        bureau: "廉江市民政局",
        year: 2024,
        published: Some("2024-12-20"),
        title: None,
        level1: &[
            "一、深入学习贯彻党的二十大和二十届三中全会关于法治建设重大部署情况。",
            "二、深入学习习近平法治思想,紧密围绕省委“1310”具体部署推动法治政府建设情况",
            "三、2024年度党政主要领导履行推进法治建设第一责任人职责、加强法治政府建设工作情况",
            "四、2024年度推进法治政府建设的主要举措、成效以及贯彻落实《廉江市2024 年度法治政府建设工作要点》相关工作的情况",
            "五、存在的不足和原因",
            "六、下一年度推进法治政府建设的主要安排",
        ],
        level2_count: 7,
        parts: &[
            &[Measures],
            &[Measures],
            &[Leadership],
            &[Measures],
            &[Shortcomings],
            &[Plans],
        ],
        coverage: &[
            (Measures, "section"),
            (Shortcomings, "section"),
            (Leadership, "section"),
            (Plans, "section"),
            (Other, "missing"),
        ],
        figures: &[
            fig("577家", 577.0, "家", "社会组织"),
            fig("173家", 173.0, "家", "社会团体"),
            fig("404家", 404.0, "家", "民办非企业单位"),
            fig("4家", 4.0, "家", "民办非企业单位"),
            fig("14件", 14.0, "件", "收到信访件"),
            fig("14件", 14.0, "件", "答复"),
            fig("166件", 166.0, "件", "收到12345热线工单"),
            fig("165件", 165.0, "件", "答复"),
            fig("1件", 1.0, "件", "收到行政诉讼案件"),
            fig("3场", 3.0, "场", "开展普法宣传活动"),
        ],
        not_figures: &[
            "2024",
            "2020",
            "189",
            "60",
            "1310",
            "12345",
            "2年",
            "2 号",
            "十四五",
            "三会一课",
            "三项制度",
        ],
    },
    Expect {
        file: "xinzhou-city-civil-affairs-2020.txt",
        bureau: "忻州市民政局",
        year: 2020,
        published: Some("2021-01-15"),
        title: None,
        level1: &[
            "一、2020年推进法治政府建设的主要举措和成效",
            "二、推进法治政府建设存在的不足",
            "三、党政主要负责人履职推进法治建设第一责任人职责,加强法治政府建设",
            "四、2021年推进法治政府建设的主要安排",
        ],
        level2_count: 10,
        parts: &[&[Measures], &[Shortcomings], &[Leadership], &[Plans]],
        coverage: &[
            (Measures, "section"),
            (Shortcomings, "section"),
            (Leadership, "section"),
            (Plans, "section"),
            (Other, "missing"),
        ],
        figures: &[
            fig("2286元", 2286.0, "元", "连续提高最低生活保障标准"),
            fig("4778元", 4778.0, "元", "连续提高最低生活保障标准"),
            fig("153654人", 153654.0, "人", "保障特殊困难人群"),
            fig("185990人", 185990.0, "人", "农村低保保障"),
            fig("82.61%", 82.61, "%", "农村低保保障"),
            fig("525名", 525.0, "名", "符合条件的孤儿"),
            fig("614名", 614.0, "名", "事实无人抚养儿童"),
            fig("13756人次", 13756.0, "人次", "实施临时救助"),
            fig("15亿元", 15.0, "亿元", "下达困难群众救助补助金"),
            fig("535个", 535.0, "个", "建成农村老年人日间照料中心"),
            fig("20295张", 20295.0, "张", "养老床位数"),
            fig("35.19张", 35.19, "张", "平均每千名老人拥有床位"),
            fig("44.7%", 44.7, "%", "撤并率"),
            fig("1865个", 1865.0, "个", "培育社区社会组织"),
            fig("18次", 18.0, "次", "主持"),
        ],
        not_figures: &[
            "2015",
            "2020年",
            "2018",
            "2022",
            "七五",
            "十三五",
            "13710",
            "千名",
            "2021",
        ],
    },
    Expect {
        file: "hubin-district-civil-affairs-2023.txt",
        bureau: "湖滨区民政局",
        year: 2023,
        published: None,
        title: Some("关于2023年法治政府建设情况的报告"),
        level1: &[
            "一、法治政府建设工作开展情况",
            "二、依法履行职责，提高民政工作法治化水平",
            "三、存在问题和下步打算",
        ],
        level2_count: 7,
        parts: &[&[Measures], &[Measures], &[Shortcomings, Plans]],
        coverage: &[
            (Measures, "section"),
            (Shortcomings, "section"),
            (Leadership, "inline"),
            (Plans, "section"),
            (Other, "missing"),
        ],
        figures: &[
            fig("796家", 796.0, "家", "注册登记社会组织总数"),
            fig("100%", 100.0, "%", "登记合格率"),
            fig("12家", 12.0, "家", "养老服务机构"),
            fig("4277人", 4277.0, "人", "城乡低保"),
            fig("219人", 219.0, "人", "特困对象"),
            fig("306人次", 306.0, "人次", "临时救助"),
            fig("2529件", 2529.0, "件", "办理婚姻登记"),
            fig("1617对", 1617.0, "对", "结婚登记"),
            fig("418对", 418.0, "对", "实际办理离婚登记"),
            fig("120本", 120.0, "本", "补领离婚登记"),
        ],
        not_figures: &["12.4", "2023", "八五"],
    },
    Expect {
        file: "yanliang-district-civil-affairs-2023.txt",
        bureau: "西安市阎良区民政局",
        year: 2023,
        published: None,
        title: Some("2023年度法治政府建设情况报告"),
        level1: &[
            "一、党政主要负责人履行推进法治建设第一责任人职责，加强法治政府建设的有关情况",
            "二、主要举措和成效",
            "三、推进法治政府建设存在的不足和原因",
            "四、2024年推进法治政府建设的主要安排",
        ],
        level2_count: 5,
        parts: &[&[Leadership], &[Measures], &[Shortcomings], &[Plans]],
        coverage: &[
            (Measures, "section"),
            (Shortcomings, "section"),
            (Leadership, "section"),
            (Plans, "section"),
            (Other, "missing"),
        ],
        figures: &[
            fig("504件", 504.0, "件", "议事协商解决问题"),
            fig("5156㎡", 5156.0, "㎡", "增加社区办公活动用房面积"),
            fig("87.5万元", 87.5, "万元", "投资"),
            fig("3个", 3.0, "个", "建设农村社区服务中心"),
            fig("两批", 2.0, "批", "招录社区工作者"),
            fig("82人", 82.0, "人", "招录社区工作者"),
            approx("5000余册", 5000.0, "册", "余", "印发宣传资料"),
            fig("4452人次", 4452.0, "人次", "分散供养特困人员家庭开展入户调查和走访摸排"),
            approx("近40万元", 40.0, "万元", "近", "投入"),
            fig("3030件", 3030.0, "件", "办理婚姻登记"),
            fig("142对", 142.0, "对", "调解成功"),
        ],
        not_figures: &["600㎡", "5.12", "6.19", "33个", "2023全国", "12345"],
    },
    Expect {
        file: "shenzhen-longhua-district-gov-2019.txt",
        bureau: "深圳市龙华区人民政府",
        year: 2019,
        published: Some("2019-12-18"),
        title: None,
        level1: &[
            "一、积极统筹部署和指导监督，高效推进法治政府建设",
            "二、深入推进“放管服”改革和“数字政府”建设，营造良好营商环境",
            "三、加强制度建设，全面提升规范性文件管理水平",
            "四、强化重大行政决策程序，着力完善重大行政决策机制",
            "五、完善法律顾问制度，全面提升法治化水平",
            "六、推进行政执法规范化建设，促进严格规范公正文明执法",
            "七、积极开展行政复议和行政应诉工作，切实维护社会公众的正当合法权益",
            "八、2020年法治政府建设工作计划",
        ],
        level2_count: 17,
        parts: &[
            &[Measures],
            &[Measures],
            &[Measures],
            &[Measures],
            &[Measures],
            &[Measures],
            &[Measures],
            &[Plans],
        ],
        coverage: &[
            (Measures, "section"),
            (Shortcomings, "missing"),
            (Leadership, "missing"),
            (Plans, "section"),
            (Other, "missing"),
        ],
        figures: &[
            fig("28件", 28.0, "件", "审查区规范性文件"),
            fig("11件", 11.0, "件", "正式印发"),
            fig("12家", 12.0, "家", "区委、区政府共聘请法律顾问"),
            fig("34家", 34.0, "家", "区属企业等单位共聘请法律顾问"),
            approx("1500余宗", 1500.0, "宗", "余", "随机抽查"),
            approx("约600人", 600.0, "人", "约", "组织执法部门"),
            approx("近120人次", 120.0, "人次", "近", "组织参加全市行政执法岗前培训考试"),
            approx("270余宗", 270.0, "宗", "余", "接到来电投诉"),
            fig("103宗", 103.0, "宗", "收到行政复议申请"),
            fig("46宗", 46.0, "宗", "副职以上行政机关负责人出庭"),
        ],
        not_figures: &["2018", "2019", "2020", "三合一", "四统一"],
    },
    Expect {
        file: "shenzhen-guangming-district-gov-2021.txt",
        bureau: "深圳市光明区人民政府",
        year: 2021,
        published: Some("2022-01-05"),
        title: None,
        level1: &["一、2021年主要工作情况", "二、存在问题", "三、下一步工作计划"],
        level2_count: 11,
        parts: &[&[Measures], &[Shortcomings], &[Plans]],
        coverage: &[
            (Measures, "section"),
            (Shortcomings, "section"),
            (Leadership, "inline"),
            (Plans, "section"),
            (Other, "missing"),
        ],
        figures: &[
            fig("45家", 45.0, "家", "改革后共减少事业单位"),
            fig("47.9%", 47.9, "%", "精简率"),
            fig("110项", 110.0, "项", "实现“秒批”"),
            fig("99.9%", 99.9, "%", "主动好评率"),
            approx("500余项", 500.0, "项", "余", "关联电子证照事项"),
            approx("超过600项", 600.0, "项", "超过", "区政府法律顾问室共审查涉法事务"),
            fig("444人", 444.0, "人", "参考人数"),
            approx("近480批次", 480.0, "批次", "近", "开展工业产品抽样送检"),
            approx("760余宗", 760.0, "宗", "余", "立案查处各类制售假冒伪劣案件"),
            fig("4.46万个", 4.46, "万个", "企业"),
            approx("18000余条", 18000.0, "条", "余", "发布信息"),
            fig("99.88%", 99.88, "%", "优秀率"),
        ],
        not_figures: &["2007", "2021", "2020", "1+5", "500米"],
    },
];

/// Whether the tests run as root (file permissions then bind nobody).
pub fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions.
    unsafe { libc::geteuid() == 0 }
}

/// The fazhi binary as a command. As root it runs as the user nobody
/// (through setpriv), so that file permissions mean something.
pub fn fazhi_unprivileged() -> std::process::Command {
    if is_root() {
        let mut c = std::process::Command::new("setpriv");
        c.args([
            "--reuid=65534",
            "--regid=65534",
            "--clear-groups",
            env!("CARGO_BIN_EXE_fazhi"),
        ]);
        c
    } else {
        std::process::Command::new(env!("CARGO_BIN_EXE_fazhi"))
    }
}

/// Copies the samples into `dir/data` and indexes them into `dir/fazhi.db`,
/// which it returns.
pub fn index_samples(dir: &std::path::Path) -> PathBuf {
    let data = dir.join("data");
    std::fs::create_dir_all(&data).unwrap();
    for e in SAMPLES {
        std::fs::copy(sample_path(e.file), data.join(e.file)).unwrap();
    }
    let db = dir.join("fazhi.db");
    fazhi::store::Store::open(&db)
        .unwrap()
        .index(&[data], fazhi::store::writer::IndexOptions::default(), &mut |_| {})
        .unwrap();
    db
}

/// The text of the first paragraph of `bureau`'s first report that
/// `wanted` accepts, as stored in the index at `db`.
pub fn stored_paragraph(db: &std::path::Path, bureau: &str, wanted: impl Fn(&str) -> bool) -> String {
    let store = fazhi::store::Store::open_read_only(db).unwrap();
    let id = store.find_bureaus(bureau).unwrap()[0].reports[0].id;
    let report = store.report(id).unwrap().unwrap();
    report
        .paragraphs
        .into_iter()
        .find(|p| wanted(&p.text))
        .expect("the paragraph")
        .text
}

pub fn sample_path(file: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("sample-data").join(file)
}

pub fn sample_text(file: &str) -> String {
    std::fs::read_to_string(sample_path(file)).expect("sample file is readable")
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Strictness {
    /// Everything exactly as in the original layout.
    Exact,
    /// Headings run into their text (one-line bodies, span-broken lines):
    /// a title without its own 。 cannot be told from the sentence after it,
    /// so the expected heading must be a prefix; figure labels must match.
    HeadingPrefix,
}

pub fn check(r: &Report, e: &Expect, how: Strictness, variant: &str) {
    let ctx = format!("{} ({variant})", e.file);
    if let Err(why) = r.check_consistency() {
        panic!("{ctx}: {why}");
    }
    assert_eq!(r.bureau.as_deref(), Some(e.bureau), "bureau of {ctx}");
    assert_eq!(r.year, Some(e.year), "year of {ctx}");
    assert_eq!(r.published.as_deref(), e.published, "published date of {ctx}");
    assert_eq!(r.title.as_deref(), e.title, "title of {ctx}");
    let level1: Vec<&str> = r
        .sections
        .iter()
        .filter(|s| s.level == 1)
        .map(|s| s.heading.as_str())
        .collect();
    assert_eq!(level1.len(), e.level1.len(), "level-1 headings of {ctx}: {level1:#?}");
    for (got, want) in level1.iter().zip(e.level1) {
        match how {
            Strictness::Exact => assert_eq!(got, want, "level-1 heading of {ctx}"),
            Strictness::HeadingPrefix => {
                // Spaces inside a line ("《廉江市2024 年度") do not survive re-flowing.
                let squeeze = |s: &str| s.replace(' ', "");
                // A heading with no 。 of its own, run into its text, cannot
                // be told from the sentence after it; its first clause can.
                let (g, w) = (squeeze(got), squeeze(want));
                let first_clause = w.split([',', '，', '。']).next().unwrap_or(&w);
                assert!(
                    (g.starts_with(&w) || w.starts_with(&g)) && g.starts_with(first_clause),
                    "level-1 heading of {ctx}: {got} should agree with {want}"
                )
            }
        }
    }
    let level2 = r.sections.iter().filter(|s| s.level == 2).count();
    assert_eq!(level2, e.level2_count, "level-2 headings of {ctx}");
    let parts: Vec<&[Part]> = r
        .sections
        .iter()
        .filter(|s| s.level == 1)
        .map(|s| s.parts.as_slice())
        .collect();
    assert_eq!(parts, e.parts, "canonical parts of {ctx}");
    for (part, status) in e.coverage {
        assert_eq!(r.parts[part].status, *status, "coverage of {part:?} in {ctx}");
    }
    for f in e.figures {
        let found = r.figures.iter().any(|g| {
            g.text == f.text
                && g.value == f.value
                && g.unit == f.unit
                && g.approx.as_deref() == f.approx
                && g.label == f.label
        });
        let same_text: Vec<_> = r.figures.iter().filter(|g| g.text == f.text).collect();
        assert!(
            found,
            "figure {} ({}) in {ctx}; figures with that text: {same_text:#?}",
            f.text, f.label
        );
    }
    for nf in e.not_figures {
        let bad: Vec<&str> = r
            .figures
            .iter()
            .filter(|g| g.text.contains(nf))
            .map(|g| g.text.as_str())
            .collect();
        assert!(bad.is_empty(), "{nf} must not be a figure in {ctx}: {bad:?}");
    }
    // Every figure's range points at its text, inside its paragraph.
    for g in &r.figures {
        let p = &r.paragraphs[g.paragraph].text;
        assert_eq!(&p[g.start..g.end], g.text, "figure range in {ctx}");
        assert!(g.sentence.contains(&g.text), "figure sentence in {ctx}");
        assert_eq!(g.section, r.paragraphs[g.paragraph].section, "figure section in {ctx}");
    }
}

/// Turns an index of the current schema back into schema 7's shape, for
/// upgrade tests: figures are rows again (schema 16), sections and figures
/// store every value, paragraphs hold
/// their text, the trigram index reads them
/// from there, the tail index and the delete trigger are back, and there
/// are no compressed bodies.
#[allow(dead_code)]
pub fn back_to_schema_7(db: &std::path::Path) {
    let conn = rusqlite::Connection::open(db).unwrap();
    // Schema 17's figure lists become schema 16's rows.
    conn.execute_batch(
        "ALTER TABLE figures RENAME TO figure_lists;
         CREATE TABLE figures (
             report_id INTEGER NOT NULL REFERENCES reports(id) ON DELETE CASCADE,
             ord INTEGER NOT NULL, paragraph INTEGER NOT NULL, section INTEGER, text TEXT NOT NULL,
             value REAL NOT NULL, unit TEXT NOT NULL, approx TEXT, label TEXT NOT NULL,
             start INTEGER NOT NULL, end INTEGER NOT NULL,
             measure_own TEXT, measure_at INTEGER NOT NULL DEFAULT 0, base_value_own REAL, base_unit_own TEXT,
             measure TEXT GENERATED ALWAYS AS (coalesce(measure_own, substr(label, measure_at + 1))) VIRTUAL,
             base_value REAL GENERATED ALWAYS AS (coalesce(base_value_own, value)) VIRTUAL,
             base_unit TEXT GENERATED ALWAYS AS (coalesce(base_unit_own, unit)) VIRTUAL,
             PRIMARY KEY (report_id, ord)
         ) WITHOUT ROWID;
         CREATE INDEX figures_measure ON figures(measure);",
    )
    .unwrap();
    let lists: Vec<(i64, Vec<u8>)> = conn
        .prepare("SELECT report_id, data FROM figure_lists")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap();
    for (report, data) in lists {
        for (ord, f) in fazhi::store::figures::decode(&data).unwrap().into_iter().enumerate() {
            conn.execute(
                "INSERT INTO figures(report_id, ord, paragraph, section, text, value, unit, approx, label, start, end,
                                     measure_own, base_value_own, base_unit_own)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
                rusqlite::params![
                    report,
                    ord as i64,
                    f.paragraph as i64,
                    f.section.map(|s| s as i64),
                    f.text,
                    f.value,
                    f.unit,
                    f.approx,
                    f.label,
                    f.start as i64,
                    f.end as i64,
                    f.measure,
                    f.base_value,
                    f.base_unit
                ],
            )
            .unwrap();
        }
    }
    conn.execute_batch("DROP TABLE figure_lists;").unwrap();
    // Schema 9's generated columns become stored ones again.
    conn.execute_batch(
        "ALTER TABLE sections ADD COLUMN t7 TEXT NOT NULL DEFAULT '';
         UPDATE sections SET t7 = title;
         ALTER TABLE sections DROP COLUMN title;
         ALTER TABLE sections DROP COLUMN title_own;
         ALTER TABLE sections DROP COLUMN title_tail;
         ALTER TABLE sections RENAME COLUMN t7 TO title;
         DROP INDEX figures_measure;
         ALTER TABLE figures ADD COLUMN m7 TEXT NOT NULL DEFAULT '';
         ALTER TABLE figures ADD COLUMN bv7 REAL NOT NULL DEFAULT 0;
         ALTER TABLE figures ADD COLUMN bu7 TEXT NOT NULL DEFAULT '';
         UPDATE figures SET m7 = measure, bv7 = base_value, bu7 = base_unit;
         ALTER TABLE figures DROP COLUMN measure;
         ALTER TABLE figures DROP COLUMN base_value;
         ALTER TABLE figures DROP COLUMN base_unit;
         ALTER TABLE figures DROP COLUMN measure_own;
         ALTER TABLE figures DROP COLUMN measure_at;
         ALTER TABLE figures DROP COLUMN base_value_own;
         ALTER TABLE figures DROP COLUMN base_unit_own;
         ALTER TABLE figures RENAME COLUMN m7 TO measure;
         ALTER TABLE figures RENAME COLUMN bv7 TO base_value;
         ALTER TABLE figures RENAME COLUMN bu7 TO base_unit;
         CREATE INDEX figures_measure ON figures(measure);",
    )
    .unwrap();
    // Schema 10's paragraphs without rows get them back, text included.
    conn.execute_batch(
        "CREATE TABLE paragraphs (
             id        INTEGER PRIMARY KEY,
             report_id INTEGER NOT NULL REFERENCES reports(id) ON DELETE CASCADE,
             ord       INTEGER NOT NULL,
             section   INTEGER,
             text      TEXT NOT NULL
         );
         CREATE INDEX paragraphs_report ON paragraphs(report_id, ord);",
    )
    .unwrap();
    let bodies: Vec<(i64, i64, Vec<u8>)> = conn
        .prepare("SELECT b.report_id, coalesce(r.paragraph_base, 0), b.data FROM bodies b JOIN reports r ON r.id = b.report_id")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap();
    for (report, base, data) in bodies {
        let body = fazhi::store::body::decode(&data).unwrap();
        for (ord, (text, section)) in body.texts.iter().zip(&body.sections).enumerate() {
            conn.execute(
                "INSERT INTO paragraphs(id, report_id, ord, section, text) VALUES (?1, ?2, ?3, ?4, ?5)",
                rusqlite::params![base + ord as i64, report, ord as i64, section.map(|s| s as i64), text],
            )
            .unwrap();
        }
    }
    // Schema 11's short coverage and binary hash become JSON and hex again.
    let parts: Vec<(i64, String)> = conn
        .prepare("SELECT id, parts FROM reports")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap();
    for (id, stored) in parts {
        let json = fazhi::store::parts::to_json(&fazhi::store::parts::decode(&stored).unwrap());
        conn.execute(
            "UPDATE reports SET parts = ?2 WHERE id = ?1",
            rusqlite::params![id, json.to_string()],
        )
        .unwrap();
    }
    conn.execute_batch(
        "ALTER TABLE reports ADD COLUMN h7 TEXT NOT NULL DEFAULT '';
         UPDATE reports SET h7 = lower(hex(hash));
         ALTER TABLE reports DROP COLUMN hash;
         ALTER TABLE reports RENAME COLUMN h7 TO hash;",
    )
    .unwrap();
    conn.execute_batch(
        "DROP INDEX reports_paragraphs;
         ALTER TABLE reports DROP COLUMN paragraph_base;
         ALTER TABLE reports DROP COLUMN paragraph_count;",
    )
    .unwrap();
    conn.execute_batch(
        "DROP TABLE bodies;
         DROP TABLE paragraphs_vocab;
         DROP TABLE paragraphs_fts;
         CREATE VIRTUAL TABLE paragraphs_fts USING fts5(
             text, content='paragraphs', content_rowid='id', tokenize='trigram case_sensitive 1', detail=none
         );
         INSERT INTO paragraphs_fts(paragraphs_fts) VALUES ('rebuild');
         CREATE VIRTUAL TABLE paragraphs_vocab USING fts5vocab(paragraphs_fts, row);
         CREATE INDEX paragraphs_tail ON paragraphs(substr(text, -2));
         CREATE TRIGGER paragraphs_ad AFTER DELETE ON paragraphs
         WHEN old.id <= (SELECT id FROM fts_synced) BEGIN
             INSERT INTO paragraphs_fts(paragraphs_fts, rowid, text) VALUES ('delete', old.id, old.text);
         END;
         PRAGMA user_version = 7;",
    )
    .unwrap();
}
