//! The fuzzy palette: every bureau, report, section heading and figure of
//! the index, ranked with fuzzy-matcher's skim algorithm. A prefix narrows
//! the kind: `@` bureaus, `!` reports, `#` sections, `$` figures.
//!
//! [`Matcher`] keeps it fast on millions of items: a 64-bit character-set
//! mask per item rejects most items before the matcher runs, a query that
//! extends the previous one searches only the previous matches, the work is
//! split over the cores, only the best `limit` are kept (a heap, no full
//! sort), and matched positions are computed for those alone.
//!
//! A query with Latin letters is also read as pinyin ([`Pinyin::fuzzy`]):
//! each item also has the set of the first letters of its characters'
//! readings (and its own Latin letters), so pinyin queries are filtered as
//! cheaply as Chinese ones (the letters that must begin a character's
//! match must be among them), and the character matcher runs only on items
//! that contain every character of the query.

use super::pinyin::{Pinyin, Prepared, letter_bit};
use fuzzy_matcher::FuzzyMatcher;
use fuzzy_matcher::skim::SkimMatcherV2;
use serde::Serialize;
use std::sync::Arc;

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

    /// The kind's name in command output ("bureau", "section" …).
    pub fn name(self) -> &'static str {
        self.label()
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
/// items in index order. (For one-off use; [`Matcher`] keeps its work
/// between queries.)
pub fn rank(items: &[Item], query: &str, limit: usize) -> Vec<Hit> {
    Matcher::new(items.to_vec()).rank(query, limit)
}

/// One bit per character class (the character hashed to 0..64), ASCII
/// letters folded to lower case so smart-case matching is never rejected.
fn char_bit(c: char) -> u64 {
    let c = c.to_ascii_lowercase() as u32;
    1 << (c.wrapping_mul(2_654_435_761) >> 26)
}

fn char_mask(s: &str) -> u64 {
    s.chars().filter(|c| !c.is_whitespace()).fold(0, |m, c| m | char_bit(c))
}

/// The palette's items, stored compactly (millions of them): the texts in
/// one buffer, locations interned as a shared head ("bureau · year") and
/// tail ("2.3"), targets as two numbers, and a character-set mask each.
#[derive(Default)]
pub struct Matcher {
    text: String,
    ends: Vec<u32>,
    kinds: Vec<Kind>,
    ids: Vec<u32>,
    subs: Vec<u32>,
    heads: Vec<String>,
    /// The head of each bureau's item (true, id) and of each report's
    /// items (false, id): one per target, not per item (millions).
    head_of_target: std::collections::HashMap<(bool, u32), u32>,
    /// Items whose head differs from their target's.
    head_of_item: std::collections::HashMap<u32, u32>,
    last_target: Option<((bool, u32), u32)>,
    tails: Vec<String>,
    tail_of: Vec<u32>,
    masks: Vec<u64>,
    /// Per item, the first letters of its characters' readings and its own
    /// Latin letters (bit 0 = a).
    initials: Vec<u32>,
    /// Per item, every letter of its characters' readings and its own.
    letters: Vec<u32>,
    /// The readings of the items' characters.
    pinyin: Arc<Pinyin>,
    /// The last query (kind prefix included) and the items it matched:
    /// a longer query that starts with it can only match among those.
    last: Option<(String, Vec<u32>)>,
    interned: std::collections::HashMap<String, u32>,
    interned_tails: std::collections::HashMap<String, u32>,
}

/// Which items a query can match, by their masks: by characters, every
/// character of the query must be among the item's; by pinyin, every
/// letter among the letters of its readings or its own, every other
/// character among its characters, and each letter that must begin a
/// character's match among the first letters of its readings or its own
/// letters.
#[derive(Clone, Copy)]
struct Filter {
    kind: Option<Kind>,
    chars: u64,
    /// The query's characters other than letters (pinyin leaves them as
    /// they are).
    others: u64,
    letters: u32,
    starts: u32,
    pinyin: bool,
}

impl Filter {
    fn new(q: &str, kind: Option<Kind>, pinyin: Option<&Prepared>) -> Filter {
        let others = char_mask(&q.chars().filter(|c| !c.is_ascii_alphabetic()).collect::<String>());
        let letters = q.chars().fold(0, |m, c| m | letter_bit(c.to_ascii_lowercase()));
        let starts = pinyin.map_or(0, Prepared::start_letters);
        Filter {
            kind,
            chars: char_mask(q),
            others,
            letters,
            starts,
            pinyin: pinyin.is_some(),
        }
    }

    /// Can item `i` match by characters, by pinyin?
    fn ways(&self, m: &Matcher, i: usize) -> (bool, bool) {
        if self.kind.is_some_and(|k| m.kinds[i] != k) {
            return (false, false);
        }
        let mask = m.masks[i];
        let chars = mask & self.chars == self.chars;
        let pinyin = self.pinyin
            && mask & self.others == self.others
            && m.initials[i] & self.starts == self.starts
            && m.letters[i] & self.letters == self.letters;
        (chars, pinyin)
    }
}

/// One thread's share of a ranking: the items that matched, in index
/// order, and the best of them with their scores.
type Scored = (Vec<u32>, Vec<(i64, u32)>);

/// Best first: higher score, then bureaus before sections before figures,
/// then shorter texts, then index order.
fn better(m: &Matcher, a: (i64, u32), b: (i64, u32)) -> std::cmp::Ordering {
    b.0.cmp(&a.0)
        .then(m.kinds[a.1 as usize].cmp(&m.kinds[b.1 as usize]))
        .then(m.text_of(a.1 as usize).len().cmp(&m.text_of(b.1 as usize).len()))
        .then(a.1.cmp(&b.1))
}

fn intern(table: &mut Vec<String>, map: &mut std::collections::HashMap<String, u32>, s: &str) -> u32 {
    // Rows come grouped by report, so the last entry is the usual hit.
    if let Some(last) = table.last()
        && last == s
    {
        return table.len() as u32 - 1;
    }
    if let Some(&i) = map.get(s) {
        return i;
    }
    table.push(s.to_string());
    map.insert(s.to_string(), table.len() as u32 - 1);
    table.len() as u32 - 1
}

impl Matcher {
    pub fn new(items: Vec<Item>) -> Matcher {
        Matcher::with_pinyin(items, Arc::default())
    }

    /// A matcher that also reads queries as pinyin.
    pub fn with_pinyin(items: Vec<Item>, pinyin: Arc<Pinyin>) -> Matcher {
        let mut m = Matcher::empty(pinyin);
        for i in items {
            m.push(i.kind, &i.text, &i.location, "", i.target);
        }
        m.finish();
        m
    }

    /// No items yet; `push` them, then `finish`.
    pub fn empty(pinyin: Arc<Pinyin>) -> Matcher {
        Matcher {
            pinyin,
            ..Matcher::default()
        }
    }

    /// Adds an item whose location is `head`, or `head · tail`. (Ids are
    /// kept in 32 bits, a third of the memory of millions of items: an item
    /// whose id or position does not fit, which SQLite's ids never reach,
    /// is left out.)
    pub fn push(&mut self, kind: Kind, text: &str, head: &str, tail: &str, target: Target) {
        let (id, sub) = match target {
            Target::Bureau { bureau } => (bureau, 0),
            Target::Report { report } => (report, 0),
            Target::Section { report, section } => (report, section),
            Target::Figure { report, figure } => (report, figure),
        };
        let (Ok(id), Ok(sub)) = (u32::try_from(id), u32::try_from(sub)) else {
            return;
        };
        self.text.push_str(text);
        self.ends.push(self.text.len() as u32);
        self.kinds.push(kind);
        self.ids.push(id);
        self.subs.push(sub);
        let h = intern(&mut self.heads, &mut self.interned, head);
        let item = self.ends.len() as u32 - 1;
        let key = (kind == Kind::Bureau, id);
        // Items come grouped by report: the last target is the usual one.
        let target_head = match self.last_target {
            Some((k, th)) if k == key => th,
            _ => *self.head_of_target.entry(key).or_insert(h),
        };
        self.last_target = Some((key, target_head));
        if target_head != h {
            self.head_of_item.insert(item, h);
        }
        let t = intern(&mut self.tails, &mut self.interned_tails, tail);
        self.tail_of.push(t);
        self.masks.push(char_mask(text));
        let (mut letters, mut initials) = (0, 0);
        for c in text.chars() {
            let own = letter_bit(c.to_ascii_lowercase());
            initials |= own | self.pinyin.initials(c);
            letters |= own;
            for r in self.pinyin.get(c) {
                letters |= r.chars().fold(0, |m, l| m | letter_bit(l));
            }
        }
        self.initials.push(initials);
        self.letters.push(letters);
    }

    /// Drops what was only needed while adding items.
    pub fn finish(&mut self) {
        self.interned = Default::default();
        self.interned_tails = Default::default();
        self.text.shrink_to_fit();
        for v in [&mut self.ends, &mut self.tail_of, &mut self.subs] {
            v.shrink_to_fit();
        }
        self.ids.shrink_to_fit();
        self.initials.shrink_to_fit();
        self.letters.shrink_to_fit();
    }

    pub fn len(&self) -> usize {
        self.ends.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    fn text_of(&self, i: usize) -> &str {
        let start = if i == 0 { 0 } else { self.ends[i - 1] as usize };
        &self.text[start..self.ends[i] as usize]
    }

    /// The text of item `i`.
    pub fn text(&self, i: usize) -> Option<&str> {
        (i < self.len()).then(|| self.text_of(i))
    }

    /// Item `i` in full.
    pub fn item(&self, i: usize) -> Item {
        let kind = self.kinds[i];
        let (id, sub) = (i64::from(self.ids[i]), self.subs[i] as usize);
        let h = self.head_of_item.get(&(i as u32)).copied().unwrap_or_else(|| {
            self.head_of_target
                .get(&(kind == Kind::Bureau, self.ids[i]))
                .copied()
                .unwrap_or_default()
        });
        let head = &self.heads[h as usize];
        let tail = &self.tails[self.tail_of[i] as usize];
        Item {
            kind,
            text: self.text_of(i).to_string(),
            location: if tail.is_empty() {
                head.clone()
            } else {
                format!("{head} · {tail}")
            },
            target: match kind {
                Kind::Bureau => Target::Bureau { bureau: id },
                Kind::Report => Target::Report { report: id },
                Kind::Section => Target::Section {
                    report: id,
                    section: sub,
                },
                Kind::Figure => Target::Figure {
                    report: id,
                    figure: sub,
                },
            },
        }
    }

    /// Item `i`'s score for `q`: the better of the character match and,
    /// with `pinyin`, the pinyin match (and which one it was). `filter`
    /// says which of the two can match at all.
    fn score(
        &self,
        m: &SkimMatcherV2,
        i: usize,
        q: &str,
        pinyin: Option<&Prepared>,
        filter: &Filter,
    ) -> Option<(i64, bool)> {
        let (by_chars, by_pinyin) = filter.ways(self, i);
        if !(by_chars || by_pinyin) {
            return None;
        }
        let text = self.text_of(i);
        let chars = by_chars.then(|| m.fuzzy_match(text, q)).flatten().map(|s| (s, false));
        let Some(p) = pinyin.filter(|_| by_pinyin) else {
            return chars;
        };
        let py = self.pinyin.fuzzy_prepared(text, p, false).map(|(s, _)| (s, true));
        chars.into_iter().chain(py).max_by_key(|x| x.0)
    }

    /// The matched character positions of item `i`, from whichever match
    /// scored best.
    fn indices(&self, m: &SkimMatcherV2, i: usize, q: &str, pinyin: Option<&Prepared>, filter: &Filter) -> Vec<usize> {
        let text = self.text_of(i);
        match self.score(m, i, q, pinyin, filter) {
            Some((_, true)) => self.pinyin.fuzzy(text, q, true).map(|x| x.1).unwrap_or_default(),
            Some((_, false)) => m.fuzzy_indices(text, q).map(|x| x.1).unwrap_or_default(),
            None => Vec::new(),
        }
    }

    pub fn rank(&mut self, query: &str, limit: usize) -> Vec<Hit> {
        let (kind, q) = parse_query(query);
        let q = q.trim();
        if q.is_empty() {
            self.last = None;
            return (0..self.len())
                .filter(|&i| kind.is_none_or(|k| self.kinds[i] == k))
                .take(limit)
                .map(|i| Hit {
                    item: self.item(i),
                    score: 0,
                    indices: Vec::new(),
                })
                .collect();
        }
        let key = format!("{}{q}", kind.map_or(' ', Kind::prefix));
        let narrowed = match &self.last {
            Some((prev, _)) if key.starts_with(prev.as_str()) => self.last.take().map(|l| l.1),
            _ => None,
        };
        let prepared = if self.pinyin.is_empty() {
            None
        } else {
            self.pinyin.prepare(q)
        };
        let pinyin = prepared.as_ref();
        let filter = Filter::new(q, kind, pinyin);
        let this = &*self;
        // Score on every core; each thread has its own matcher (a shared
        // one was measured slower) and checks the masks of its share of the
        // items (the previous query's matches, or all of them) itself, so
        // no list of candidates is built.
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).min(8);
        let n = narrowed.as_ref().map_or(this.len(), Vec::len);
        let chunk = n.div_ceil(threads).max(1024);
        // Each thread keeps the items that matched (in index order, for the
        // next keystroke to narrow) and its own best `limit`: holding every
        // score, then sorting every match, cost more time and memory than
        // the matching on a large index.
        let top = |best: &mut Vec<(i64, u32)>| {
            if best.len() > limit {
                best.select_nth_unstable_by(limit, |a, b| better(this, *a, *b));
                best.truncate(limit);
            }
        };
        let from = narrowed.as_deref();
        let parts: Vec<Scored> = std::thread::scope(|scope| {
            let handles: Vec<_> = (0..n)
                .step_by(chunk)
                .map(|start| {
                    scope.spawn(move || {
                        let m = SkimMatcherV2::default();
                        let (mut matched, mut best) = (Vec::new(), Vec::new());
                        for k in start..(start + chunk).min(n) {
                            let i = from.map_or(k as u32, |ids| ids[k]);
                            // `score` checks the masks first: most items stop there.
                            if let Some((score, _)) = this.score(&m, i as usize, q, pinyin, &filter) {
                                matched.push(i);
                                best.push((score, i));
                                if best.len() >= 2 * limit.max(256) {
                                    top(&mut best);
                                }
                            }
                        }
                        top(&mut best);
                        (matched, best)
                    })
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap_or_default()).collect()
        });
        drop(narrowed);
        // The shares are contiguous runs of ascending items: their matches
        // concatenate in order (each share freed once copied).
        let mut ids: Vec<u32> = Vec::with_capacity(parts.iter().map(|p| p.0.len()).sum());
        let mut best: Vec<(i64, u32)> = Vec::new();
        for (matched, part_best) in parts {
            ids.extend(matched);
            best.extend(part_best);
        }
        top(&mut best);
        best.sort_by(|a, b| better(this, *a, *b));
        let m = SkimMatcherV2::default();
        let hits = best
            .into_iter()
            .map(|(score, i)| {
                let item = this.item(i as usize);
                let indices = this.indices(&m, i as usize, q, pinyin, &filter);
                Hit { item, score, indices }
            })
            .collect();
        self.last = Some((key, ids));
        hits
    }
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

    #[test]
    fn items_keep_their_own_locations() {
        let at = |kind, text: &str, location: &str, target| Item {
            kind,
            text: text.to_string(),
            location: location.to_string(),
            target,
        };
        let items = vec![
            at(Kind::Bureau, "湖滨区民政局", "2022, 2023", Target::Bureau { bureau: 7 }),
            at(
                Kind::Report,
                "湖滨区民政局 2023",
                "湖滨区民政局 · 2023",
                Target::Report { report: 7 },
            ),
            at(
                Kind::Section,
                "规范开展婚姻登记",
                "湖滨区民政局 · 2023 · 2.4",
                Target::Section { report: 7, section: 3 },
            ),
            // Same report, another head (items made by hand may do this).
            at(
                Kind::Figure,
                "办理婚姻登记 2529件",
                "另一处 · 1.1",
                Target::Figure { report: 7, figure: 0 },
            ),
        ];
        let m = Matcher::new(items.clone());
        for (i, it) in items.iter().enumerate() {
            assert_eq!(&m.item(i), it);
        }
    }

    #[test]
    fn narrowing_and_top_k_give_the_same_as_a_full_ranking() {
        let mut items = Vec::new();
        for i in 0..3000 {
            let text = match i % 4 {
                0 => format!("十堰市第{i}区民政局"),
                1 => format!("加强法治文化建设第{i}项"),
                2 => format!("发放法治宣传资料 {i}余份"),
                _ => format!("办理婚姻登记{i}对"),
            };
            items.push(item(
                [Kind::Bureau, Kind::Section, Kind::Figure, Kind::Figure][i % 4],
                &text,
            ));
        }
        let full = |q: &str, limit: usize| -> Vec<(String, i64)> {
            // The reference: score everything, sort everything.
            let (kind, q) = parse_query(q);
            let m = SkimMatcherV2::default();
            let mut v: Vec<(i64, usize)> = items
                .iter()
                .enumerate()
                .filter(|(_, it)| kind.is_none_or(|k| it.kind == k))
                .filter_map(|(i, it)| m.fuzzy_match(&it.text, q.trim()).map(|s| (s, i)))
                .collect();
            let reference = Matcher::new(items.clone());
            v.sort_by(|a, b| better(&reference, (a.0, a.1 as u32), (b.0, b.1 as u32)));
            v.into_iter()
                .take(limit)
                .map(|(s, i)| (items[i].text.clone(), s))
                .collect()
        };
        let mut m = Matcher::new(items.clone());
        // Typing a query one character at a time, then deleting, then
        // changing kind: every step equals the full ranking.
        for q in [
            "法",
            "法治",
            "法治宣",
            "法治宣传",
            "法治",
            "$法",
            "$法治",
            "民政",
            "2",
            "29",
            "299",
            "十堰民政",
        ] {
            let got: Vec<(String, i64)> = m.rank(q, 25).into_iter().map(|h| (h.item.text, h.score)).collect();
            assert_eq!(got, full(q, 25), "query {q:?}");
        }
    }
}
