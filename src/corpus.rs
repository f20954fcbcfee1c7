//! A generator of realistic reports for benchmarks and scale tests
//! (`fazhi gen-corpus N DIR`): thousands of distinct bureaus (real city and
//! county names × departments), years 2019–2025, the five statutory parts
//! with the heading levels and figure shapes of real reports, varied
//! sentences and varied layouts (full- and half-width markers, indentation,
//! web metadata headers, CRLF, GBK). Sub-headings and figure phrases are
//! composed from parts (tens of thousands of headings, hundreds of
//! phrases), so that they repeat across reports less than a fixed list
//! would, though still more than real ones (the statutory top-level
//! headings recur, as in real collections). The same seed gives the same
//! corpus, byte for byte; report `i` depends only on (seed, i).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// Changes whenever the same seed would give other bytes, so that a kept
/// corpus (the benchmark's) is not taken for the new one.
pub const VERSION: u32 = 2;

/// Real prefecture-level cities with some of their counties and districts.
const PLACES: &[(&str, &[&str])] = &[
    (
        "十堰市",
        &[
            "茅箭区",
            "张湾区",
            "郧阳区",
            "郧西县",
            "竹山县",
            "竹溪县",
            "房县",
            "丹江口市",
        ],
    ),
    (
        "武汉市",
        &[
            "江岸区",
            "江汉区",
            "硚口区",
            "汉阳区",
            "武昌区",
            "青山区",
            "洪山区",
            "蔡甸区",
        ],
    ),
    (
        "宜昌市",
        &[
            "西陵区",
            "伍家岗区",
            "点军区",
            "猇亭区",
            "夷陵区",
            "远安县",
            "兴山县",
            "秭归县",
        ],
    ),
    (
        "襄阳市",
        &[
            "襄城区",
            "樊城区",
            "襄州区",
            "南漳县",
            "谷城县",
            "保康县",
            "老河口市",
            "枣阳市",
        ],
    ),
    (
        "西安市",
        &[
            "新城区",
            "碑林区",
            "莲湖区",
            "灞桥区",
            "未央区",
            "雁塔区",
            "阎良区",
            "临潼区",
        ],
    ),
    (
        "宝鸡市",
        &[
            "渭滨区",
            "金台区",
            "陈仓区",
            "凤翔区",
            "岐山县",
            "扶风县",
            "眉县",
            "陇县",
        ],
    ),
    (
        "深圳市",
        &[
            "罗湖区",
            "福田区",
            "南山区",
            "宝安区",
            "龙岗区",
            "盐田区",
            "龙华区",
            "光明区",
        ],
    ),
    (
        "湛江市",
        &[
            "赤坎区",
            "霞山区",
            "坡头区",
            "麻章区",
            "遂溪县",
            "徐闻县",
            "廉江市",
            "雷州市",
        ],
    ),
    (
        "忻州市",
        &[
            "忻府区",
            "定襄县",
            "五台县",
            "代县",
            "繁峙县",
            "宁武县",
            "静乐县",
            "原平市",
        ],
    ),
    (
        "太原市",
        &[
            "小店区",
            "迎泽区",
            "杏花岭区",
            "尖草坪区",
            "万柏林区",
            "晋源区",
            "清徐县",
            "古交市",
        ],
    ),
    (
        "三门峡市",
        &["湖滨区", "陕州区", "渑池县", "卢氏县", "义马市", "灵宝市"],
    ),
    (
        "洛阳市",
        &[
            "老城区",
            "西工区",
            "瀍河回族区",
            "涧西区",
            "偃师区",
            "孟津区",
            "洛龙区",
            "新安县",
        ],
    ),
    (
        "长沙市",
        &[
            "芙蓉区",
            "天心区",
            "岳麓区",
            "开福区",
            "雨花区",
            "望城区",
            "长沙县",
            "浏阳市",
        ],
    ),
    (
        "株洲市",
        &[
            "荷塘区",
            "芦淞区",
            "石峰区",
            "天元区",
            "渌口区",
            "攸县",
            "茶陵县",
            "醴陵市",
        ],
    ),
    (
        "成都市",
        &[
            "锦江区",
            "青羊区",
            "金牛区",
            "武侯区",
            "成华区",
            "龙泉驿区",
            "青白江区",
            "新都区",
        ],
    ),
    (
        "绵阳市",
        &[
            "涪城区",
            "游仙区",
            "安州区",
            "三台县",
            "盐亭县",
            "梓潼县",
            "北川羌族自治县",
            "江油市",
        ],
    ),
    (
        "杭州市",
        &[
            "上城区",
            "拱墅区",
            "西湖区",
            "滨江区",
            "萧山区",
            "余杭区",
            "富阳区",
            "临安区",
        ],
    ),
    (
        "宁波市",
        &[
            "海曙区",
            "江北区",
            "北仑区",
            "镇海区",
            "鄞州区",
            "奉化区",
            "象山县",
            "宁海县",
        ],
    ),
    (
        "南京市",
        &[
            "玄武区",
            "秦淮区",
            "建邺区",
            "鼓楼区",
            "浦口区",
            "栖霞区",
            "雨花台区",
            "江宁区",
        ],
    ),
    (
        "苏州市",
        &[
            "虎丘区",
            "吴中区",
            "相城区",
            "姑苏区",
            "吴江区",
            "常熟市",
            "张家港市",
            "昆山市",
        ],
    ),
    (
        "济南市",
        &[
            "历下区",
            "市中区",
            "槐荫区",
            "天桥区",
            "历城区",
            "长清区",
            "章丘区",
            "济阳区",
        ],
    ),
    (
        "青岛市",
        &[
            "市南区",
            "市北区",
            "黄岛区",
            "崂山区",
            "李沧区",
            "城阳区",
            "即墨区",
            "胶州市",
        ],
    ),
    (
        "合肥市",
        &[
            "瑶海区",
            "庐阳区",
            "蜀山区",
            "包河区",
            "长丰县",
            "肥东县",
            "肥西县",
            "巢湖市",
        ],
    ),
    (
        "六安市",
        &["金安区", "裕安区", "叶集区", "霍邱县", "舒城县", "金寨县", "霍山县"],
    ),
    (
        "蚌埠市",
        &["龙子湖区", "蚌山区", "禹会区", "淮上区", "怀远县", "五河县", "固镇县"],
    ),
    (
        "南昌市",
        &[
            "东湖区",
            "西湖区",
            "青云谱区",
            "青山湖区",
            "新建区",
            "红谷滩区",
            "南昌县",
            "进贤县",
        ],
    ),
    (
        "福州市",
        &[
            "鼓楼区",
            "台江区",
            "仓山区",
            "马尾区",
            "晋安区",
            "长乐区",
            "闽侯县",
            "福清市",
        ],
    ),
    (
        "昆明市",
        &[
            "五华区",
            "盘龙区",
            "官渡区",
            "西山区",
            "东川区",
            "呈贡区",
            "晋宁区",
            "安宁市",
        ],
    ),
    (
        "兰州市",
        &[
            "城关区",
            "七里河区",
            "西固区",
            "安宁区",
            "红古区",
            "永登县",
            "皋兰县",
            "榆中县",
        ],
    ),
    (
        "石家庄市",
        &[
            "长安区",
            "桥西区",
            "新华区",
            "井陉矿区",
            "裕华区",
            "藁城区",
            "鹿泉区",
            "栾城区",
        ],
    ),
];

const DEPARTMENTS: &[&str] = &[
    "民政局",
    "司法局",
    "人力资源和社会保障局",
    "应急管理局",
    "财政局",
    "教育局",
    "卫生健康局",
    "生态环境分局",
    "住房和城乡建设局",
    "交通运输局",
    "农业农村局",
    "水利局",
    "商务局",
    "文化和旅游局",
    "市场监督管理局",
    "自然资源和规划局",
    "退役军人事务局",
    "医疗保障局",
    "统计局",
    "审计局",
    "林业局",
    "城市管理局",
    "信访局",
    "数据局",
    "人民政府",
    "发展和改革局",
    "乡村振兴局",
    "体育局",
    "科学技术局",
    "行政审批服务局",
];

/// (what is done, unit, typical size): figures as reports state them.
const FIGURES: &[(&str, &str, u32)] = &[
    ("开展法治宣传活动", "次", 40),
    ("开展普法讲座", "场", 30),
    ("开展“宪法宣传周”活动", "场", 10),
    ("开展送法进社区活动", "次", 25),
    ("开展以案释法活动", "次", 20),
    ("开展法治文艺演出", "场", 8),
    ("发放法治宣传资料", "份", 5000),
    ("发放普法宣传册", "册", 3000),
    ("发放法律明白卡", "张", 4000),
    ("办理行政复议案件", "件", 60),
    ("办理行政应诉案件", "件", 30),
    ("审查规范性文件", "件", 30),
    ("清理规范性文件", "件", 80),
    ("审核合同", "份", 200),
    ("审查重大行政决策事项", "项", 15),
    ("培训执法人员", "人次", 800),
    ("组织执法人员参加法律知识考试", "人次", 300),
    ("化解矛盾纠纷", "起", 300),
    ("调解民间纠纷", "件", 400),
    ("办理婚姻登记", "对", 3000),
    ("办理离婚登记", "对", 900),
    ("受理群众来信来访", "件", 500),
    ("办理信访事项", "件", 300),
    ("开展执法检查", "次", 120),
    ("开展专项整治行动", "次", 15),
    ("评查行政执法案卷", "卷", 100),
    ("投入专项资金", "万元", 900),
    ("发放救助资金", "万元", 3000),
    ("发放城乡低保金", "万元", 5000),
    ("发放临时救助金", "万元", 400),
    ("救助困难群众", "人次", 6000),
    ("接待法律咨询", "人次", 2000),
    ("办结政务服务事项", "件", 20000),
    ("组织学法考试", "场", 12),
    ("举办领导干部学法讲座", "场", 6),
    ("聘请法律顾问", "名", 8),
    ("公开政府信息", "条", 1500),
    ("办理依申请公开事项", "件", 60),
    ("办理人大代表建议和政协委员提案", "件", 90),
    ("查处违法案件", "宗", 150),
    ("作出行政处罚决定", "件", 200),
    ("提供法律援助", "件", 400),
    ("登记社会组织", "家", 50),
    ("检查养老机构", "家次", 80),
    ("排查安全隐患", "处", 600),
];

/// Words a report puts before a figure's phrase, or nothing.
const FIGURE_LEADS: &[&str] = &[
    "",
    "",
    "",
    "",
    "全年",
    "累计",
    "共",
    "先后",
    "依法",
    "组织",
    "全区",
    "今年以来",
];

/// The measures' sub-headings: (adverb)(verb)(object)(，effect).
const HEADING_ADVERBS: &[&str] = &["", "", "持续", "深入", "全面", "不断", "切实", "进一步", "扎实", "着力"];
const HEADING_VERBS: &[&str] = &[
    "加强", "推进", "深化", "规范", "完善", "健全", "落实", "提升", "强化", "优化",
];
const HEADING_OBJECTS: &[&str] = &[
    "组织领导",
    "法治宣传教育",
    "行政执法规范化建设",
    "重大行政决策程序",
    "行政规范性文件管理",
    "合法性审查",
    "政务公开",
    "矛盾纠纷多元化解",
    "行政执法监督",
    "法治机关建设",
    "“放管服”改革",
    "依法行政能力建设",
    "法律顾问制度",
    "社会救助规范化管理",
    "婚姻登记服务",
    "养老服务监管",
    "殡葬管理改革",
    "社会组织登记管理",
    "行政复议和行政应诉工作",
    "社会信用体系建设",
    "法治化营商环境建设",
    "安全生产执法",
    "公共法律服务体系建设",
    "“谁执法谁普法”责任制",
    "领导干部学法用法",
    "行政权力运行监督",
    "数字政府建设",
    "基层治理法治化",
    "应急管理法治保障",
    "习近平法治思想学习宣传",
];
const HEADING_EFFECTS: &[&str] = &[
    "提升依法行政水平",
    "筑牢法治根基",
    "营造良好法治环境",
    "推动工作提质增效",
    "保障群众合法权益",
    "确保权力规范运行",
    "夯实法治基础",
    "增强群众获得感",
];

/// A sub-heading of the measures or of next year's plans: composed, so
/// that few headings repeat across reports.
fn measure_heading(rng: &mut Rng) -> String {
    let mut h = format!(
        "{}{}{}",
        rng.pick(HEADING_ADVERBS),
        rng.pick(HEADING_VERBS),
        rng.pick(HEADING_OBJECTS)
    );
    if rng.chance(35) {
        h.push('，');
        let effect = rng.pick(HEADING_EFFECTS);
        h.push_str(effect);
    }
    h
}

const APPROX: &[&str] = &["", "", "", "余", "多", "近", "约", "超过"];

const OPENINGS: &[&str] = &[
    "在{gov}的坚强领导下，我局坚持以习近平新时代中国特色社会主义思想为指导，深入学习贯彻习近平法治思想，全面落实法治政府建设各项任务。",
    "{year}年，我局认真贯彻落实党中央、国务院关于法治政府建设的决策部署，按照《法治政府建设实施纲要（2021—2025年）》要求，扎实推进依法行政。",
    "根据《法治政府建设与责任落实督察工作规定》要求，现将我局{year}年度法治政府建设工作情况报告如下。",
];

const SENTENCES: &[&str] = &[
    "坚持把法治建设纳入年度工作要点，与业务工作同部署、同推进、同考核",
    "严格落实重大行政决策程序规定，决策前广泛听取意见并进行合法性审查",
    "全面推行行政执法公示制度、执法全过程记录制度和重大执法决定法制审核制度",
    "建立健全行政执法案卷评查机制，执法规范化水平持续提升",
    "通过门户网站、政务新媒体等渠道主动公开政府信息",
    "落实“谁执法谁普法”普法责任制，推动普法宣传进社区、进企业、进学校",
    "常态化开展矛盾纠纷排查化解，及时回应群众诉求",
    "建立法律顾问制度，重大事项均经法律顾问审查把关",
    "健全内部控制制度，加强对权力运行的制约和监督",
    "优化审批流程，压缩办理时限，提升群众办事便利度",
];

const SHORTCOMINGS: &[&str] = &[
    "法治宣传教育的针对性和实效性有待进一步增强",
    "基层执法人员法治素养参差不齐，执法规范化水平仍需提升",
    "运用法治思维和法治方式解决问题的能力还有待提高",
    "行政规范性文件清理工作不够及时",
    "法治建设专业人才不足，力量较为薄弱",
];

const PLANS: &[&str] = &[
    "持续深入学习贯彻习近平法治思想",
    "全面提升依法行政能力和水平",
    "进一步规范行政执法行为",
    "加强法治宣传教育，营造良好法治氛围",
    "深化政务公开，主动接受社会监督",
];

/// splitmix64: small, fast and good enough to vary text.
struct Rng(u64);

impl Rng {
    fn new(seed: u64, i: u64) -> Rng {
        // The stream is state, state + G, state + 2G …: starting report i
        // at seed ^ i·G made report i + 1 nearly report i's stream one draw
        // later, so reports repeated each other's texts. Starting at a hash
        // of (seed, i) puts the streams far apart.
        let mut start = Rng(seed ^ i.wrapping_mul(0x9E37_79B9_7F4A_7C15));
        Rng(start.next())
    }
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len())]
    }
    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }
}

/// Every bureau the generator can name: (city, county or city itself,
/// department) flattened.
pub fn bureau_count() -> usize {
    PLACES.iter().map(|(_, c)| c.len() + 1).sum::<usize>() * DEPARTMENTS.len()
}

fn bureau(k: usize) -> String {
    let place = k / DEPARTMENTS.len();
    let dept = DEPARTMENTS[k % DEPARTMENTS.len()];
    let mut i = place;
    for (city, counties) in PLACES {
        if i == 0 {
            return format!("{city}{dept}");
        }
        i -= 1;
        if i < counties.len() {
            return format!("{city}{}{dept}", counties[i]);
        }
        i -= counties.len();
    }
    format!("{}{dept}", PLACES[0].0)
}

fn cn_numeral(n: usize) -> String {
    const D: [&str; 10] = ["", "一", "二", "三", "四", "五", "六", "七", "八", "九"];
    match n {
        1..=9 => D[n].to_string(),
        10 => "十".to_string(),
        11..=19 => format!("十{}", D[n - 10]),
        _ => format!("{}十{}", D[n / 10], D[n % 10]),
    }
}

/// The layout choices for one report.
struct Layout {
    full_width: bool,
    indent: &'static str,
    meta_header: bool,
    crlf: bool,
    gbk: bool,
}

fn figure_phrase(rng: &mut Rng) -> String {
    let (what, unit, typical) = *rng.pick(FIGURES);
    let what = format!("{}{what}", rng.pick(FIGURE_LEADS));
    let approx = *rng.pick(APPROX);
    let value = 1 + rng.below(typical as usize * 2);
    let value = if unit == "万元" && rng.chance(40) {
        format!("{}.{}", value, rng.below(10))
    } else {
        value.to_string()
    };
    match approx {
        "" => format!("{what}{value}{unit}"),
        "近" | "约" | "超过" => format!("{what}{approx}{value}{unit}"),
        a => format!("{what}{value}{a}{unit}"),
    }
}

fn paragraph(rng: &mut Rng, with_points: bool) -> String {
    let mut p = String::new();
    let n = 2 + rng.below(4);
    for k in 0..n {
        if with_points {
            p.push_str(&format!("{}是", cn_numeral(k + 1)));
        }
        let sentence: &str = SENTENCES[rng.below(SENTENCES.len())];
        p.push_str(sentence);
        if rng.chance(70) {
            p.push('，');
            p.push_str(&figure_phrase(rng));
        }
        p.push(if with_points && k + 1 < n { '；' } else { '。' });
    }
    p
}

/// Report `i` of the corpus with this seed: its file name and bytes.
pub fn report(seed: u64, i: u64) -> (PathBuf, Vec<u8>) {
    let mut rng = Rng::new(seed, i);
    let bureau = bureau(rng.below(bureau_count()));
    let year = 2019 + rng.below(7) as i32;
    let layout = Layout {
        full_width: rng.chance(50),
        indent: ["", "", "\u{3000}\u{3000}", "    "][rng.below(4)],
        meta_header: rng.chance(40),
        crlf: rng.chance(15),
        gbk: rng.chance(10),
    };
    let (lp, rp, dot) = if layout.full_width {
        ("（", "）", "．")
    } else {
        ("(", ")", ".")
    };
    let mut s = String::new();
    let title = match rng.below(3) {
        0 => format!("{bureau}{year}年法治政府建设年度报告"),
        1 => format!("{bureau}关于{year}年度法治政府建设情况的报告"),
        _ => format!("{bureau}{year}年度法治政府建设工作报告"),
    };
    let month = 1 + rng.below(4);
    let day = 1 + rng.below(28);
    s.push_str(&title);
    s.push_str("\n\n");
    if layout.meta_header {
        let _ = write!(
            s,
            "索引号\n{:06}/{}-{:05}\n发布机构\n{bureau}\n发文日期\n{}年{:02}月{:02}日\n\n",
            rng.below(1_000_000),
            year + 1,
            rng.below(100_000),
            year + 1,
            month,
            day
        );
    }
    let gov = "区委、区政府";
    let opening = rng
        .pick(OPENINGS)
        .replace("{gov}", gov)
        .replace("{year}", &year.to_string());
    let _ = writeln!(s, "{}{opening}\n", layout.indent);

    let mut top = 0;
    let mut section = |s: &mut String, rng: &mut Rng, heading: String, body: &mut dyn FnMut(&mut String, &mut Rng)| {
        top += 1;
        let _ = writeln!(s, "{}{}、{heading}\n", layout.indent, cn_numeral(top));
        body(s, rng);
    };
    section(
        &mut s,
        &mut rng,
        format!("{year}年度推进法治政府建设的主要举措和成效"),
        &mut |s, rng| {
            let subs = 3 + rng.below(6);
            for k in 0..subs {
                let heading = measure_heading(rng);
                let _ = writeln!(s, "{}{lp}{}{rp}{heading}。\n", layout.indent, cn_numeral(k + 1));
                let _ = writeln!(s, "{}{}\n", layout.indent, paragraph(rng, false));
                if rng.chance(30) {
                    for m in 1..=2 + rng.below(3) {
                        let _ = writeln!(s, "{}{m}{dot}{}\n", layout.indent, paragraph(rng, false));
                    }
                }
                if rng.chance(15) {
                    let _ = writeln!(s, "{}{}\n", layout.indent, paragraph(rng, true));
                }
            }
        },
    );
    section(
        &mut s,
        &mut rng,
        format!("{year}年度党政主要负责人履行推进法治建设第一责任人职责情况"),
        &mut |s, rng| {
            let _ = writeln!(s, "{}{}\n", layout.indent, paragraph(rng, rng.0 % 2 == 0));
        },
    );
    section(
        &mut s,
        &mut rng,
        format!("{year}年度推进法治政府建设存在的不足和原因"),
        &mut |s, rng| {
            let n = 1 + rng.below(3);
            let mut p = String::new();
            for k in 0..n {
                let _ = write!(p, "{}是{}；", cn_numeral(k + 1), *rng.pick(SHORTCOMINGS));
            }
            p.pop();
            p.push('。');
            let _ = writeln!(s, "{}{p}\n", layout.indent);
        },
    );
    section(
        &mut s,
        &mut rng,
        format!("{}年度推进法治政府建设的主要安排", year + 1),
        &mut |s, rng| {
            for k in 0..2 + rng.below(3) {
                let plan = if rng.chance(50) {
                    rng.pick(PLANS).to_string()
                } else {
                    measure_heading(rng)
                };
                let _ = writeln!(s, "{}{lp}{}{rp}{plan}。\n", layout.indent, cn_numeral(k + 1));
                let _ = writeln!(s, "{}{}\n", layout.indent, paragraph(rng, false));
            }
        },
    );
    if rng.chance(30) {
        section(
            &mut s,
            &mut rng,
            "其他需要报告的事项".to_string(),
            &mut |s, rng| {
                let _ = writeln!(s, "{}{}\n", layout.indent, paragraph(rng, false));
            },
        );
    }
    let _ = write!(s, "{bureau}\n{}年{month}月{day}日\n", year + 1);

    if layout.crlf {
        s = s.replace('\n', "\r\n");
    }
    let bytes = if layout.gbk {
        encoding_rs::GBK.encode(&s).0.into_owned()
    } else {
        s.into_bytes()
    };
    (PathBuf::from(format!("{:03}/{i:07}.txt", i / 1000)), bytes)
}

/// Writes reports `0..n` under `dir`; returns the bytes written.
pub fn write_corpus(dir: &Path, n: u64, seed: u64) -> std::io::Result<u64> {
    let mut total = 0;
    for i in 0..n {
        let (name, bytes) = report(seed, i);
        let path = dir.join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(&path, &bytes)?;
        total += bytes.len() as u64;
    }
    Ok(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_gives_the_same_report() {
        assert_eq!(report(7, 42), report(7, 42));
        assert_ne!(report(7, 42).1, report(8, 42).1);
        assert_ne!(report(7, 42).1, report(7, 43).1);
    }

    #[test]
    fn generated_reports_parse_as_reports() {
        let mut bureaus = std::collections::BTreeSet::new();
        for i in 0..300 {
            let (name, bytes) = report(1, i);
            let r = crate::ingest::parse_bytes(&bytes).unwrap();
            r.check_consistency().unwrap();
            let b = r
                .bureau
                .clone()
                .unwrap_or_else(|| panic!("{}: no bureau", name.display()));
            bureaus.insert(b);
            let year = r.year.unwrap_or_else(|| panic!("{}: no year", name.display()));
            assert!((2019..=2025).contains(&year), "{}: year {year}", name.display());
            let top: Vec<_> = r.sections.iter().filter(|s| s.level == 1).collect();
            assert!(
                (4..=5).contains(&top.len()),
                "{}: {} top-level sections",
                name.display(),
                top.len()
            );
            assert!(!r.figures.is_empty(), "{}: no figures", name.display());
            assert!(r.parts.values().filter(|c| c.status == "missing").count() <= 1);
        }
        assert!(bureaus.len() > 250, "only {} bureaus", bureaus.len());
        assert!(bureau_count() > 6000);
    }
}
