//! What a figure measures, comparable across reports: the label without
//! the verbs, scope words and counting suffixes that differ from report to
//! report (办理婚姻登记 / 婚姻登记件数 / 全年婚姻登记 → 婚姻登记), and the value in
//! its base unit (59.4万元 → 594,000 元). Approximation words (余, 约, 近 …)
//! stay with the figure as qualifiers; they are not part of the value.

/// Leading words about time or scope: "今年以来累计…", "全区共…".
const SCOPE: &[&str] = &[
    "截至目前",
    "截止目前",
    "截至年底",
    "今年以来",
    "年内",
    "全年",
    "全区",
    "全市",
    "全县",
    "全镇",
    "全省",
    "全局",
    "目前",
    "累计",
    "共计",
    "先后",
    "共",
    "已",
];

/// Leading verbs that say what was done to the counted thing. Only verbs
/// that never name the thing itself (登记, 调解, 培训 are measures).
const VERBS: &[&str] = &[
    "办理",
    "发放",
    "开展",
    "受理",
    "完成",
    "收到",
    "实施",
    "组织",
    "举办",
    "建成",
    "新增",
    "提供",
    "处理",
    "接待",
    "审核",
    "审查",
    "下达",
    "投入",
    "筹集",
    "出动",
    "化解",
    "落实",
    "帮助",
    "帮扶",
    "救助了",
    "办结",
    "录入",
    "印发",
    "制定",
    "修订",
    "清理",
    "参加",
    "参与",
    "召开",
    "签订",
];

/// Trailing words that say "the number of": 件数, 人数, 总数 ….
const COUNTING: &[&str] = &[
    "件数",
    "人数",
    "次数",
    "户数",
    "个数",
    "场次数",
    "总数",
    "总量",
    "数量",
    "数",
];

/// Words ending in 数 that are not "the number of".
const NOT_COUNTING: &[&str] = &["指数", "系数", "基数", "倍数", "分数", "参数", "函数", "变数"];

/// The normalised label: what is measured, for grouping figures across
/// reports.
pub fn measure(label: &str) -> String {
    let mut s: String = label
        .chars()
        .filter(|c| !matches!(c, '“' | '”' | '"' | '‘' | '’' | '「' | '」' | ' ' | '\u{3000}'))
        .collect();
    // Strip scope words and verbs from the front, repeatedly ("全年共办理").
    loop {
        let before = s.len();
        for w in SCOPE.iter().chain(VERBS) {
            if let Some(rest) = s.strip_prefix(w)
                && rest.chars().count() >= 2
            {
                s = rest.to_string();
            }
        }
        if s.len() == before {
            break;
        }
    }
    loop {
        let before = s.len();
        for w in COUNTING {
            if NOT_COUNTING.iter().any(|n| s.ends_with(n)) {
                break;
            }
            if let Some(rest) = s.strip_suffix(w)
                && rest.chars().count() >= 2
            {
                s = rest.to_string();
            }
        }
        if s.len() == before {
            break;
        }
    }
    s
}

/// Multiplier prefixes of units, longest first.
const MULTIPLIERS: &[(&str, f64)] = &[
    ("万亿", 1e12),
    ("千万", 1e7),
    ("百万", 1e6),
    ("十万", 1e5),
    ("亿", 1e8),
    ("万", 1e4),
    ("千", 1e3),
    ("百", 1e2),
];

/// Units that start with a multiplier character but are units of their
/// own.
const WHOLE_UNITS: &[&str] = &["百分点", "百分比", "千分点", "千分比"];

/// The value in its base unit: (594000, "元") for (59.4, "万元").
pub fn base(value: f64, unit: &str) -> (f64, String) {
    if WHOLE_UNITS.contains(&unit) {
        return (value, unit.to_string());
    }
    for &(prefix, factor) in MULTIPLIERS {
        if let Some(rest) = unit.strip_prefix(prefix) {
            // Round away float noise (59.4 × 10000 = 593999.99…).
            let v = value * factor;
            let v = (v * 1e6).round() / 1e6;
            return (v, rest.to_string());
        }
    }
    (value, unit.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_group() {
        assert_eq!(measure("婚姻登记"), "婚姻登记");
        assert_eq!(measure("办理婚姻登记"), "婚姻登记");
        assert_eq!(measure("婚姻登记件数"), "婚姻登记");
        assert_eq!(measure("全年共办理婚姻登记"), "婚姻登记");
        assert_eq!(measure("实施临时救助"), "临时救助");
        assert_eq!(measure("养老床位数"), "养老床位");
        assert_eq!(measure("行政村总数"), "行政村");
        assert_eq!(measure("“三沿五区”裸露坟墓治理率"), "三沿五区裸露坟墓治理率");
        // Too little left: keep the label.
        assert_eq!(measure("共有"), "共有");
        assert_eq!(measure("违法行为"), "违法行为");
        assert_eq!(measure("满意度指数"), "满意度指数");
        assert_eq!(measure("培训"), "培训");
    }

    #[test]
    fn units_to_base() {
        assert_eq!(base(59.4, "万元"), (594_000.0, "元".to_string()));
        assert_eq!(base(15.0, "亿元"), (1_500_000_000.0, "元".to_string()));
        assert_eq!(base(1.2, "万人次"), (12_000.0, "人次".to_string()));
        assert_eq!(base(3.0, "千万元"), (30_000_000.0, "元".to_string()));
        assert_eq!(base(300.0, "份"), (300.0, "份".to_string()));
        assert_eq!(base(2.5, "百分点"), (2.5, "百分点".to_string()));
        assert_eq!(base(80.0, "%"), (80.0, "%".to_string()));
        assert_eq!(base(12.75, "万元"), (127_500.0, "元".to_string()));
    }
}
