//! The fuzzy palette: every bureau, report, section heading and figure of
//! the index, ranked with fuzzy-matcher's skim algorithm. A prefix narrows
//! the kind: `@` bureaus, `!` reports, `#` sections, `$` figures.

use fuzzy_matcher::FuzzyMatcher;
use fuzzy_matcher::skim::SkimMatcherV2;
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Bureau,
    Report,
    Section,
    Figure,
}

impl Kind {
    pub fn label(self) -> &'static str {
        match self {
            Kind::Bureau => "bureau",
            Kind::Report => "report",
            Kind::Section => "section",
            Kind::Figure => "figure",
        }
    }

    pub fn prefix(self) -> char {
        match self {
            Kind::Bureau => '@',
            Kind::Report => '!',
            Kind::Section => '#',
            Kind::Figure => '$',
        }
    }
}

/// Where an item leads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum Target {
    Bureau { bureau: i64 },
    Report { report: i64 },
    Section { report: i64, section: usize },
    Figure { report: i64, figure: usize },
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Item {
    pub kind: Kind,
    /// What the query is matched against.
    pub text: String,
    /// Where it lives: bureau · year · section.
    pub location: String,
    pub target: Target,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Hit {
    pub item: Item,
    pub score: i64,
    /// Character indices of `item.text` that matched.
    pub indices: Vec<usize>,
}

/// Splits a kind prefix off the query.
pub fn parse_query(q: &str) -> (Option<Kind>, &str) {
    let q = q.trim_start();
    for k in [Kind::Bureau, Kind::Report, Kind::Section, Kind::Figure] {
        if let Some(rest) = q.strip_prefix(k.prefix()) {
            return (Some(k), rest.trim_start());
        }
    }
    (None, q)
}

/// The best `limit` items for `query`, best first. An empty query lists
/// items in index order.
pub fn rank(items: &[Item], query: &str, limit: usize) -> Vec<Hit> {
    let (kind, q) = parse_query(query);
    let q = q.trim();
    let candidates = items.iter().filter(|i| kind.is_none_or(|k| i.kind == k));
    if q.is_empty() {
        return candidates
            .take(limit)
            .map(|i| Hit {
                item: i.clone(),
                score: 0,
                indices: Vec::new(),
            })
            .collect();
    }
    let matcher = SkimMatcherV2::default();
    let mut hits: Vec<(i64, &Item, Vec<usize>)> = candidates
        .filter_map(|i| matcher.fuzzy_indices(&i.text, q).map(|(s, idx)| (s, i, idx)))
        .collect();
    // Best score first; among equals, bureaus before sections before
    // figures, then shorter texts.
    hits.sort_by(|a, b| {
        b.0.cmp(&a.0)
            .then(a.1.kind.cmp(&b.1.kind))
            .then(a.1.text.len().cmp(&b.1.text.len()))
    });
    hits.truncate(limit);
    hits.into_iter()
        .map(|(score, item, indices)| Hit {
            item: item.clone(),
            score,
            indices,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(kind: Kind, text: &str) -> Item {
        Item {
            kind,
            text: text.to_string(),
            location: String::new(),
            target: Target::Bureau { bureau: 1 },
        }
    }

    #[test]
    fn ranks_and_narrows_by_kind() {
        let items = vec![
            item(Kind::Bureau, "十堰市茅箭区民政局"),
            item(Kind::Section, "加强法治文化建设"),
            item(Kind::Figure, "发放法治宣传资料 300余份"),
        ];
        let hits = rank(&items, "法治", 10);
        assert_eq!(hits.len(), 2);
        assert_eq!(rank(&items, "$法治", 10).len(), 1);
        assert_eq!(rank(&items, "# 法治", 10)[0].item.kind, Kind::Section);
        let h = &rank(&items, "茅箭", 10)[0];
        assert_eq!(h.item.kind, Kind::Bureau);
        assert_eq!(h.indices, vec![3, 4]);
        assert_eq!(rank(&items, "@", 10).len(), 1);
    }
}
