//! The fuzzy palette: every bureau, report, section heading and figure of
//! the index, ranked with fuzzy-matcher's skim algorithm. A prefix narrows
//! the kind: `@` bureaus, `!` reports, `#` sections, `$` figures.
//!
//! [`Matcher`] keeps it fast on millions of items: items that share a text
//! (headings and figure phrases recur across reports) are scored once, a
//! 128-bit character-set mask per text rejects most texts before the
//! matcher runs, a query that extends the previous one searches only the
//! previous matches, the work is split over the cores, only the best
//! `limit` items are kept (a heap, no full sort), and matched positions
//! are computed for those alone. The texts that begin with the query's
//! first character are scored first, on every thread; after them, a text
//! whose bound (from its first character and the characters where it
//! gives a bonus, both kept per text) cannot beat the worst of a full top,
//! the thread's own or the best any thread has reached ([`Bar`]), is not
//! even read.
//!
//! A query with Latin letters is also read as pinyin ([`Pinyin::fuzzy`]):
//! the texts are also kept in sets by the first letters of their
//! characters' readings (and their own Latin letters), so pinyin queries
//! are filtered 64 texts at a time by ANDing the sets of their letters
//! ([`TextSets`]: the letters that must begin a character's match must be
//! among them), and the character matcher runs only on texts that contain
//! every character of the query. The texts are also kept in sets by the
//! pairs of initials of their adjacent characters ([`PairIndex`]): a
//! pinyin query earns the bonus for a run only across such a pair, which
//! bounds most texts far below the query's best (see
//! [`Prepared::bound_with`]).
//!
//! The texts themselves are kept in about half their UTF-8 bytes
//! ([`Texts`]) and decoded when scored.
//!
//! What a keystroke keeps for the next is a bitmap of texts, one bit each:
//! a first keystroke keeps most of millions of texts, and lists of their
//! ids cost more to build, copy and narrow than the matching.

use super::codebook::Texts;
use super::items::{ItemTexts, Targets};
use super::pairs::{PairIndex, QueryPairs};
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

    /// The kind whose `as u8` is `i` (the last for any larger).
    fn of_index(i: u32) -> Kind {
        match i {
            0 => Kind::Bureau,
            1 => Kind::Report,
            2 => Kind::Section,
            _ => Kind::Figure,
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
/// items in index order. (For one-off use; [`Matcher`] keeps its work
/// between queries.)
pub fn rank(items: &[Item], query: &str, limit: usize) -> Vec<Hit> {
    Matcher::new(items.to_vec()).rank(query, limit)
}

/// fuzzy-matcher's skim score of a one-character pattern, without its
/// matrix: its best occurrence, which scores a match (less a case
/// mismatch), less a gap, plus the bonus of where it stands (a word's head,
/// after punctuation, a camel hump; twice at the start). The first
/// keystroke scores most texts, so this is the hot path; a test checks it
/// against the matcher on every kind of character.
fn one_char_score(text: &str, p: char) -> Option<i64> {
    // Smart case: an upper-case pattern matches its case only.
    let case_sensitive = p.is_ascii_uppercase();
    let mut best = None;
    let mut prev = '\0';
    for (j, c) in text.chars().enumerate() {
        if let Some(matched) = skim_match(c, p, case_sensitive) {
            best = best.max(Some(i64::from(matched - 1 + skim_bonus(prev, c, j))));
        }
        prev = c;
    }
    best
}

/// fuzzy-matcher's skim score of a two-character pattern, without its
/// matrix (the second keystroke also scores most texts): the best `b` after
/// an `a`, scoring its match plus, right after the `a`, the `a`'s score and
/// the larger of its own bonus and the consecutive bonus, or, after a gap,
/// the best earlier `a` less the gap (3 to open, 1 per character) plus its
/// own bonus. The arithmetic, the sentinel for "none" included, is the
/// matcher's; a test checks it on generated texts of every kind of
/// character.
fn two_char_score(text: &str, a: char, b: char) -> Option<i64> {
    const NONE: i32 = i16::MIN as i32;
    let case_sensitive = a.is_ascii_uppercase() || b.is_ascii_uppercase();
    let mut best: Option<i32> = None;
    // The first row of the matrix at the previous column: an `a` matched
    // there (`on`), or the best earlier `a` with the gap since (`off`);
    // undefined until the first `a`.
    let (mut on, mut off) = (NONE, NONE);
    let mut seen_a = false;
    let mut prev = '\0';
    for (j, c) in text.chars().enumerate() {
        let bonus = skim_bonus(prev, c, j);
        if seen_a && let Some(matched) = skim_match(c, b, case_sensitive) {
            let score = (on + bonus.max(4)).max(off + bonus) + matched;
            best = best.max(Some(score));
        }
        let next_on = skim_match(c, a, case_sensitive).map_or(NONE, |matched| matched - 1 + bonus);
        if seen_a {
            off = (on - 4).max(off - 1);
        }
        if next_on != NONE {
            seen_a = true;
        }
        on = next_on;
        prev = c;
    }
    best.map(i64::from)
}

/// The matcher's score for text character `c` against pattern character
/// `p` (a case mismatch costs 2), if they match.
fn skim_match(c: char, p: char, case_sensitive: bool) -> Option<i32> {
    if case_sensitive {
        (c == p).then_some(16)
    } else if c.eq_ignore_ascii_case(&p) {
        Some(if c == p { 16 } else { 14 })
    } else {
        None
    }
}

/// The matcher's bonus for where character `j`, `c`, stands after `prev`:
/// a word's head, after punctuation, a camel hump; twice at the start.
fn skim_bonus(prev: char, c: char, j: usize) -> i32 {
    fn class(c: char) -> u8 {
        match c {
            '\0' => 0,
            ' ' | '/' | '\\' | '|' | '(' | ')' | '[' | ']' | '{' | '}' => 1,
            '!'..='\'' | '*'..='.' | ':'..='@' | '^'..='`' | '~' => 2,
            '0'..='9' => 3,
            'A'..='Z' => 4,
            _ => 5,
        }
    }
    let bonus = match (class(prev), class(c)) {
        (0 | 1, _) => 8,
        (2, _) => 7,
        (3 | 5, 4) => 6,
        _ => 0,
    };
    if j == 0 { 2 * bonus } else { bonus }
}

/// Two of 128 bits per character (hashed twice, a Bloom filter), ASCII
/// letters folded to lower case so smart-case matching is never rejected.
/// With a text's dozen characters a sixth of the bits are set, so a
/// character the text lacks passes one time in 35; one bit of 64 let
/// through one in six, each then read and scored.
fn char_bit(c: char) -> u128 {
    let c = c.to_ascii_lowercase() as u32;
    (1 << (c.wrapping_mul(2_654_435_761) >> 25)) | (1 << (c.wrapping_mul(0x85eb_ca6b) >> 25))
}

/// A character's bit in a text's `bonus_chars`.
fn bonus_bit(c: char) -> u16 {
    let c = c.to_ascii_lowercase() as u32;
    1 << (c.wrapping_mul(2_654_435_761) >> 28)
}

fn char_mask(s: &str) -> u128 {
    s.chars().filter(|c| !c.is_whitespace()).fold(0, |m, c| m | char_bit(c))
}

/// The palette's items, stored compactly (millions of them). Items that
/// share a text share one copy of it and are scored once, since a score
/// depends on the text alone: the statutory headings recur in every
/// report of a collection and figure phrases across bureaus, so a large
/// index has several times fewer texts than items. Per text: the
/// character-set mask, the pinyin letter sets and the kinds of its items;
/// per item: its text, kind and target, its location interned as a shared
/// head ("bureau · year") and tail ("2.3").
#[derive(Default)]
pub struct Matcher {
    /// The distinct texts, encoded.
    texts: Texts,
    /// Per text, its length in UTF-8 bytes (which ranks equal scores), or
    /// 255 if that or more.
    lens: Vec<u8>,
    masks: Vec<u128>,
    /// Per text, the characters that stand where the matcher gives a bonus
    /// (after a space or punctuation, a camel hump; not the first), hashed
    /// to 16 bits: a query none of whose characters are among them scores
    /// at most a run's bonus past the first character ([`Matcher::bound`]).
    bonus_chars: Vec<u16>,
    /// Per text, its first character ('\0' if it has none; `NOT_BMP` if
    /// it takes more than 16 bits): whether it can begin a match, and so
    /// earn the first character's bonus, is known without reading the
    /// text.
    firsts: Vec<u16>,
    /// Sets of texts by letter (see [`TextSets`]): those with a character
    /// whose reading begins with the letter, or the letter itself
    /// (`INITIALS`); with it anywhere in a reading or as itself
    /// (`LETTERS`); and by the kinds of their items (`KINDS`) and whether
    /// they have a Latin letter (`LATIN_TEXTS`).
    sets: TextSets,
    /// Per letter, the texts whose first character can begin a match of
    /// it, and the last query's first letter's. Each text has one or two,
    /// so as bitmaps most of 26 were nearly empty (17 MiB at 100k in the
    /// worst case); as gaps they take 4 MiB.
    first_letters: PairIndex,
    query_first: QueryPairs,
    /// Per pair of letters that begin adjacent characters, the texts with
    /// it: a pinyin query's bound is tighter for a text without its pairs.
    /// Built by `finish`.
    pairs: PairIndex,
    /// The sets of the last pinyin query's pairs, by its bits.
    query_pairs: QueryPairs,
    /// Per pair of letters that begin a text's first two characters, the
    /// texts with it ([`Prepared::bound_for`]), and the last query's.
    start_pairs: PairIndex,
    query_starts: QueryPairs,
    /// Which text each item has, and the items of each text.
    item_texts: ItemTexts,
    /// Per item: its kind, target (id and sub-id) and location tail
    /// (`LONG_TAIL` for a tail numbered 65,535 or more, kept in
    /// `long_tails`).
    kinds: Vec<Kind>,
    targets: Targets,
    tail_of: Vec<u16>,
    long_tails: FastMap<u32, u32>,
    heads: Vec<String>,
    /// The head of each bureau's item (true, id) and of each report's
    /// items (false, id): one per target, not per item (millions).
    head_of_target: FastMap<(bool, u32), u32>,
    /// Items whose head differs from their target's.
    head_of_item: FastMap<u32, u32>,
    last_target: Option<((bool, u32), u32)>,
    tails: Vec<String>,
    /// The readings of the texts' characters.
    pinyin: Arc<Pinyin>,
    /// The last query (kind prefix included) and the texts it matched (and
    /// some that may match): a longer query that starts with it can only
    /// match among those.
    last: Option<(String, Vec<u64>)>,
    interned: FastMap<String, u32>,
    interned_tails: FastMap<String, u32>,
    /// While adding items: each text's id by a hash of the text (the text
    /// itself is compared on a hit; a collision only costs a shared copy).
    text_ids: FastMap<u64, u32>,
    /// Gives every item a text of its own (to measure the worst case).
    unshared: bool,
}

/// Which texts a query can match, by their masks: by characters, every
/// character of the query must be among the text's; by pinyin, every
/// letter among the letters of its readings or its own, every other
/// character among its characters, and each letter that must begin a
/// character's match among the first letters of its readings or its own
/// letters. With a kind, the text must have an item of that kind.
#[derive(Clone, Copy)]
struct Filter {
    kind: Option<Kind>,
    chars: u128,
    /// The query's characters other than letters (pinyin leaves them as
    /// they are).
    others: u128,
    letters: u32,
    starts: u32,
    pinyin: bool,
    /// The query is Latin letters alone.
    letters_only: bool,
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
            letters_only: !q.is_empty() && q.chars().all(|c| c.is_ascii_alphabetic()),
        }
    }

    /// Can text `t` match by characters, by pinyin?
    fn ways(&self, m: &Matcher, t: usize) -> (bool, bool) {
        let (w, bit) = (t / 64, 1u64 << (t % 64));
        let (chars, pinyin) = self.word_ways(m, w, bit);
        (chars & bit != 0, pinyin & bit != 0)
    }

    /// Which of the texts `from` (those of word `w` of a bitmap of texts)
    /// can match by characters, and which by pinyin. The letters are
    /// checked 64 texts at a time, by ANDing the sets of texts that have
    /// them ([`TextSets`]); a text's own 16-byte mask is read only where
    /// the query has a character other than a letter, or where a text has
    /// a Latin letter a query of letters could match as itself.
    fn word_ways(&self, m: &Matcher, w: usize, from: u64) -> (u64, u64) {
        let sets = m.sets.block(w);
        let word = |set: usize| sets.get(set).copied().unwrap_or(0);
        let mut texts = from;
        if let Some(k) = self.kind {
            texts &= word(KINDS + k as usize);
        }
        if texts == 0 {
            return (0, 0);
        }
        let mut pinyin = if self.pinyin { texts } else { 0 };
        for_each_bit(u64::from(self.starts), |l| pinyin &= word(INITIALS + l));
        for_each_bit(u64::from(self.letters & !self.starts), |l| pinyin &= word(LETTERS + l));
        // Only a text with Latin letters can match a query of letters as
        // characters, and pinyin needs no mask for them.
        let read = if self.letters_only {
            texts & word(LATIN_TEXTS)
        } else {
            texts
        };
        let others = self.others != 0;
        let mut chars = 0;
        let mut with_others = 0;
        for_each_bit(read, |i| {
            let mask = m.masks[w * 64 + i];
            chars |= u64::from(mask & self.chars == self.chars) << i;
            with_others |= u64::from(mask & self.others == self.others) << i;
        });
        if others {
            // The query's other characters, as themselves.
            pinyin &= with_others;
        }
        (chars, pinyin)
    }
}

/// Calls `f` with the index of each set bit of `bits`, lowest first.
#[inline]
pub(super) fn for_each_bit(mut bits: u64, mut f: impl FnMut(usize)) {
    while bits != 0 {
        f(bits.trailing_zeros() as usize);
        bits &= bits - 1;
    }
}

/// Sets of texts, each a bitmap with one bit per text, kept set by set
/// ("bit-sliced"): a keystroke ANDs the few sets its query names, 64 texts
/// at a time, where reading each text's own filters cost a cache miss per
/// text and most of a first keystroke's time. Word `w` of every set lies
/// together (`count` words), so the sets grow in one array and a keystroke
/// reads a few neighbouring words per 64 texts.
#[derive(Default)]
struct TextSets {
    count: usize,
    words: Vec<u64>,
}

impl TextSets {
    fn new(count: usize) -> TextSets {
        TextSets {
            count,
            words: Vec::new(),
        }
    }

    /// Room for text `t` (a word more for each set when `t` starts one).
    fn make_room(&mut self, t: usize) {
        if t.is_multiple_of(64) {
            self.words.resize(self.words.len() + self.count, 0);
        }
    }

    /// Room for `texts` texts made at once (see [`Matcher::reserve`]).
    fn reserve(&mut self, texts: usize) {
        self.words.reserve_exact(texts.div_ceil(64) * self.count);
    }

    fn insert(&mut self, set: usize, t: usize) {
        if let Some(w) = self.words.get_mut(t / 64 * self.count + set) {
            *w |= 1 << (t % 64);
        }
    }

    /// Word `w` of every set (texts `64 w` to `64 w + 63`), by set.
    #[inline]
    fn block(&self, w: usize) -> &[u64] {
        self.words.get(w * self.count..(w + 1) * self.count).unwrap_or(&[])
    }

    /// Word `w` of set `set` (texts `64 w` to `64 w + 63`).
    #[inline]
    fn word(&self, set: usize, w: usize) -> u64 {
        self.words.get(w * self.count + set).copied().unwrap_or(0)
    }

    fn contains(&self, set: usize, t: usize) -> bool {
        self.word(set, t / 64) >> (t % 64) & 1 != 0
    }

    /// Of `bits`, the sets (by index) that have text `t`.
    fn which(&self, bits: u64, t: usize) -> u64 {
        let mut out = 0;
        for_each_bit(bits, |b| {
            if self.contains(b, t) {
                out |= 1 << b;
            }
        });
        out
    }
}

/// `Matcher::tail_of` of an item whose tail is in `long_tails`.
const LONG_TAIL: u16 = u16::MAX;

/// `Matcher::firsts` of a text whose first character takes more than 16
/// bits.
const NOT_BMP: u16 = u16::MAX;

/// The sets of `Matcher::sets`.
const INITIALS: usize = 0;
const LETTERS: usize = 26;
const KINDS: usize = 52;
const LATIN_TEXTS: usize = 56;
const SETS: usize = 57;

/// A query as every text is checked against it.
struct Query<'a> {
    q: &'a str,
    pinyin: Option<&'a Prepared>,
    filter: Filter,
    /// The query's length in characters, and its first.
    len: usize,
    first: Option<char>,
    /// Smart case: an upper-case letter makes the character match exact.
    case_sensitive: bool,
    /// The query's characters as `bonus_chars` has them.
    bonus_chars: u16,
}

impl<'a> Query<'a> {
    fn new(q: &'a str, pinyin: Option<&'a Prepared>, filter: Filter) -> Query<'a> {
        let len = q.chars().count();
        Query {
            q,
            pinyin,
            filter,
            len,
            first: q.chars().next(),
            case_sensitive: q.chars().any(|c| c.is_ascii_uppercase()),
            bonus_chars: q.chars().fold(0, |m, c| m | bonus_bit(c)),
        }
    }

    /// The most the query can score on a text that does not begin with a
    /// character that can begin its match ([`Matcher::bound`] at its
    /// largest).
    fn bound_elsewhere(&self) -> i64 {
        let chars = 23 + 24 * (self.len as i64 - 1);
        let pinyin = self.pinyin.map_or(i64::MIN, |p| p.bound_if(false));
        chars.max(pinyin)
    }

    /// Whether a text whose first character is `c` can have it match the
    /// query's first by characters.
    fn begins(&self, c: char) -> bool {
        self.first
            .is_some_and(|p| skim_match(c, p, self.case_sensitive).is_some())
    }
}

/// An item's place in a ranking, smallest first: higher score, then
/// bureaus before reports before sections before figures, then shorter
/// texts, then index order.
type Rank = (std::cmp::Reverse<i64>, Kind, u32, u32);

/// A query's pinyin bounds already worked out, by what decides them: the
/// text's pairs and initials among the query's, and whether it begins the
/// match and with which of the query's start pairs. A query meets a few
/// dozen of these over millions of texts, and cutting the query into
/// pieces for each took a seventh of a keystroke.
struct Bounds {
    /// Direct-mapped: (pairs, the rest of the key, bound).
    entries: Vec<(u64, u64, i64)>,
}

impl Bounds {
    fn new() -> Bounds {
        // No key has the top bit set.
        Bounds {
            entries: vec![(0, u64::MAX, 0); 1024],
        }
    }

    fn get(&mut self, p: &Prepared, pairs: u64, initials: u32, start: Option<u64>) -> i64 {
        let initials = initials & 0x3ff_ffff;
        // Initials (26 bits), whether the text begins the match, and its
        // start pairs: a few bits (the pieces from the query's start are
        // at most a reading long), else no entry.
        let key = match start {
            None => u64::from(initials),
            Some(start) if start >> 36 == 0 => u64::from(initials) | 1 << 26 | start << 27,
            Some(_) => return p.bound_for(pairs, initials, start),
        };
        let slot = (pairs ^ key.wrapping_mul(0x9e37_79b9_7f4a_7c15)).wrapping_mul(0xff51_afd7_ed55_8ccd) >> 54;
        let Some(entry) = self.entries.get_mut(slot as usize) else {
            return p.bound_for(pairs, initials, start);
        };
        if entry.0 != pairs || entry.1 != key {
            *entry = (pairs, key, p.bound_for(pairs, initials, start));
        }
        entry.2
    }
}

/// What a text must beat to make a ranking's top of `limit` items: the
/// best of the worst places of the full tops of every share so far (each
/// share raises it as its own top fills), packed into one atomic word
/// ([`Bar::pack`]). Without it, a share whose texts rank low (the
/// bureaus, whose names begin most matches, come first) would score
/// every text until its own top filled.
struct Bar {
    limit: usize,
    worst: std::sync::atomic::AtomicU64,
}

impl Bar {
    fn new(limit: usize) -> Bar {
        Bar {
            limit,
            worst: std::sync::atomic::AtomicU64::new(u64::MAX),
        }
    }

    /// A place as 64 bits in the same order: its score, kind and length.
    /// The item is left out and taken as the last, so the packed place is
    /// never better than the place itself; a score outside ±2^29 (no
    /// matcher gives one) is taken as no bar at all.
    fn pack(place: &Rank) -> u64 {
        let score = (1i64 << 29) - place.0.0;
        if !(0..1 << 30).contains(&score) {
            return u64::MAX;
        }
        (score as u64) << 34 | (place.1 as u64) << 32 | u64::from(place.2)
    }

    fn unpack(packed: u64) -> Option<Rank> {
        (packed != u64::MAX).then(|| {
            let kind = Kind::of_index((packed >> 32 & 3) as u32);
            let score = (1i64 << 29) - (packed >> 34) as i64;
            (std::cmp::Reverse(score), kind, packed as u32, u32::MAX)
        })
    }

    /// The place a text must beat: the bar, or `own` (a share's full
    /// top's worst) if better.
    fn worst(&self, own: Option<Rank>) -> Option<Rank> {
        let shared = Bar::unpack(self.worst.load(std::sync::atomic::Ordering::Relaxed));
        match (own, shared) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// Raises the bar to `place`, the worst of a full top, if higher.
    fn raise(&self, place: &Rank) {
        let packed = Bar::pack(place);
        if packed < self.worst.load(std::sync::atomic::Ordering::Relaxed) {
            self.worst.fetch_min(packed, std::sync::atomic::Ordering::Relaxed);
        }
    }
}

/// The best items of a share of the texts, the worst on top.
type Top = std::collections::BinaryHeap<Rank>;

/// What the first pass over one share of the texts leaves, as that share
/// of bitmaps of texts: those kept for the next keystroke (matched, or
/// not read), those left for the second pass (which may match by
/// characters, by pinyin; and the quiet ones, see `rank`), and the best
/// items of those scored.
#[derive(Default)]
struct Leads {
    kept: Vec<u64>,
    by_chars: Vec<u64>,
    by_pinyin: Vec<u64>,
    quiet: Vec<u64>,
    best: Top,
}

/// Word `w` of a bitmap with every one of `texts` texts set.
fn word_of_all(w: usize, texts: usize) -> u64 {
    let rest = texts.saturating_sub(w * 64);
    if rest >= 64 { u64::MAX } else { (1u64 << rest) - 1 }
}

/// Splits the words of a bitmap of texts (`from`, or every one of
/// `texts`) into at most `threads` runs with about as many texts each
/// (and at least 16 words, 1024 texts: a thread costs more than that).
fn split_words(from: Option<&[u64]>, texts: usize, threads: usize) -> Vec<std::ops::Range<usize>> {
    let words = texts.div_ceil(64);
    let total: usize = from.map_or(texts, |f| f.iter().map(|w| w.count_ones() as usize).sum());
    let per = total.div_ceil(threads.max(1)).max(1024);
    let mut shares = Vec::new();
    let (mut start, mut count) = (0, 0);
    for w in 0..words {
        count += from.map_or_else(|| word_of_all(w, texts), |f| f[w]).count_ones() as usize;
        if count >= per && w + 1 - start >= 16 {
            shares.push(start..w + 1);
            (start, count) = (w + 1, 0);
        }
    }
    if start < words {
        shares.push(start..words);
    }
    shares
}

fn intern(table: &mut Vec<String>, map: &mut FastMap<String, u32>, s: &str) -> u32 {
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

/// The palette's maps (most only live in memory while items are added):
/// foldhash, not the standard SipHash, which took a tenth of loading 5.6
/// million items. Fixed seeds: nothing here faces an adversary, and loads
/// stay repeatable.
pub(super) type FastMap<K, V> = std::collections::HashMap<K, V, foldhash::fast::FixedState>;

fn hash_text(s: &str) -> u64 {
    use std::hash::BuildHasher;
    foldhash::fast::FixedState::default().hash_one(s)
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

    /// Room for `items` items (and as many texts) made at once: growing
    /// arrays of millions by doubling copies each, and the copies, not the
    /// arrays, set the load's peak memory. (Room never written to is not
    /// resident; `finish` gives back what the texts did not use.)
    pub fn reserve(&mut self, items: usize) {
        self.item_texts.reserve(items);
        self.tail_of.reserve_exact(items);
        self.kinds.reserve_exact(items);
        self.texts.reserve(items);
        self.sets.reserve(items);
        self.masks.reserve_exact(items);
        self.bonus_chars.reserve_exact(items);
        self.firsts.reserve_exact(items);
        self.lens.reserve_exact(items);
    }

    /// No items yet; `push` them, then `finish`.
    pub fn empty(pinyin: Arc<Pinyin>) -> Matcher {
        Matcher {
            pinyin,
            sets: TextSets::new(SETS),
            ..Matcher::default()
        }
    }

    /// No items yet, and none will share a text: what an index whose
    /// items never repeat one costs (for measuring).
    pub fn empty_unshared(pinyin: Arc<Pinyin>) -> Matcher {
        Matcher {
            unshared: true,
            ..Matcher::empty(pinyin)
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
        let texts = self.texts();
        let t = self.intern_text(text);
        self.sets.insert(KINDS + kind as usize, t as usize);
        self.item_texts.push(t, t as usize == texts);
        self.kinds.push(kind);
        self.targets.push(kind as u8, id, sub);
        let h = intern(&mut self.heads, &mut self.interned, head);
        let item = self.kinds.len() as u32 - 1;
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
        let tail = intern(&mut self.tails, &mut self.interned_tails, tail);
        match u16::try_from(tail) {
            Ok(short) if short != LONG_TAIL => self.tail_of.push(short),
            _ => {
                self.tail_of.push(LONG_TAIL);
                self.long_tails.insert(item, tail);
            }
        }
    }

    /// The id of `text`, added with its masks if it is new.
    fn intern_text(&mut self, text: &str) -> u32 {
        let hash = (!self.unshared).then(|| hash_text(text));
        self.texts.encode(text);
        if let Some(hash) = hash
            && let Some(&t) = self.text_ids.get(&hash)
            && self.texts.pending_is(t as usize)
        {
            self.texts.drop_pending();
            return t;
        }
        let t = self.texts.add();
        self.lens.push(u8::try_from(text.len()).unwrap_or(u8::MAX));
        self.masks.push(char_mask(text));
        let mut prev = '\0';
        let mut bonus_chars = 0;
        for (j, c) in text.chars().enumerate() {
            if j > 0 && skim_bonus(prev, c, j) > 0 {
                bonus_chars |= bonus_bit(c);
            }
            prev = c;
        }
        self.bonus_chars.push(bonus_chars);
        let first = text.chars().next().unwrap_or('\0');
        self.firsts.push(u16::try_from(u32::from(first)).unwrap_or(NOT_BMP));
        if self.sets.count == 0 {
            // A matcher made by `Default`, not `empty`.
            self.sets = TextSets::new(SETS);
        }
        self.sets.make_room(t);
        let own = |c: char| letter_bit(c.to_ascii_lowercase());
        let (mut letters, mut initials) = (0, 0);
        for c in text.chars() {
            initials |= own(c) | self.pinyin.initials(c);
            letters |= own(c);
            for r in self.pinyin.get(c) {
                letters |= r.chars().fold(0, |m, l| m | letter_bit(l));
            }
        }
        for_each_bit(u64::from(initials), |l| self.sets.insert(INITIALS + l, t));
        for_each_bit(u64::from(letters), |l| self.sets.insert(LETTERS + l, t));
        let latin = text.chars().any(|c| c.is_ascii_alphabetic());
        if latin {
            self.sets.insert(LATIN_TEXTS, t);
        }
        let t = t as u32;
        if let Some(hash) = hash {
            self.text_ids.entry(hash).or_insert(t);
        }
        t
    }

    /// Groups the items by text and drops what was only needed while
    /// adding them.
    pub fn finish(&mut self) {
        self.interned = Default::default();
        self.interned_tails = Default::default();
        self.text_ids = Default::default();
        let kinds = &self.kinds;
        self.item_texts.finish(|i| kinds.get(i).map_or(0, |&k| k as u8));
        self.targets.finish();
        self.texts.finish();
        self.tail_of.shrink_to_fit();
        self.masks.shrink_to_fit();
        self.sets.words.shrink_to_fit();
        self.find_pairs();
        self.bonus_chars.shrink_to_fit();
        self.firsts.shrink_to_fit();
        self.lens.shrink_to_fit();
        self.kinds.shrink_to_fit();
    }

    /// Sets the texts of each pair of letters that begin adjacent
    /// characters (see [`PairIndex::build`]).
    fn find_pairs(&mut self) {
        let this = &*self;
        let pairs = PairIndex::build(this.texts(), |t, visit| {
            this.with_text(t, |text| this.pinyin.text_pairs(text, &mut *visit));
        });
        let starts = PairIndex::build(this.texts(), |t, visit| {
            this.with_text(t, |text| this.pinyin.text_start_pairs(text, &mut *visit));
        });
        let first_letters = PairIndex::build(this.texts(), |t, visit| {
            let first = this.first(t);
            let letters = letter_bit(first.to_ascii_lowercase()) | this.pinyin.initials(first);
            for_each_bit(u64::from(letters), &mut *visit);
        });
        self.pairs = pairs;
        self.start_pairs = starts;
        self.first_letters = first_letters;
    }

    pub fn len(&self) -> usize {
        self.kinds.len()
    }

    pub fn is_empty(&self) -> bool {
        self.kinds.is_empty()
    }

    /// How many distinct texts the items have.
    pub fn texts(&self) -> usize {
        self.texts.len()
    }

    /// Calls `f` with text `t`, decoded into this thread's buffer (no
    /// allocation per text: a ranking decodes hundreds of thousands).
    fn with_text<R>(&self, t: usize, f: impl FnOnce(&str) -> R) -> R {
        thread_local! {
            static DECODED: std::cell::RefCell<String> = const { std::cell::RefCell::new(String::new()) };
        }
        DECODED.with(|cell| match cell.try_borrow_mut() {
            Ok(mut buffer) => {
                buffer.clear();
                self.texts.decode(t, &mut buffer);
                f(&buffer)
            }
            // Called from inside `f` (nothing does): a buffer of its own.
            Err(_) => f(&self.text_string(t)),
        })
    }

    fn text_string(&self, t: usize) -> String {
        let mut s = String::new();
        self.texts.decode(t, &mut s);
        s
    }

    /// The length of text `t` in UTF-8 bytes, without reading the text
    /// unless it is 255 bytes or more: the text is a cache miss for each
    /// text a ranking only bounds and never reads.
    fn text_len(&self, t: usize) -> u32 {
        match self.lens[t] {
            u8::MAX => self.with_text(t, |text| text.len() as u32),
            len => u32::from(len),
        }
    }

    /// The first character of text `t` ('\0' if none).
    #[inline]
    fn first(&self, t: usize) -> char {
        match self.firsts[t] {
            NOT_BMP => self.texts.first(t).unwrap_or('\0'),
            c => char::from_u32(u32::from(c)).unwrap_or('\0'),
        }
    }

    fn text_of(&self, i: usize) -> String {
        self.text_string(self.item_texts.text_of(i) as usize)
    }

    /// The text of item `i`.
    pub fn text(&self, i: usize) -> Option<String> {
        (i < self.len()).then(|| self.text_of(i))
    }

    /// Item `i` in full.
    pub fn item(&self, i: usize) -> Item {
        let kind = self.kinds[i];
        let (id, sub) = self.targets.get(i);
        let (id, sub) = (i64::from(id), sub as usize);
        let h = self.head_of_item.get(&(i as u32)).copied().unwrap_or_else(|| {
            self.head_of_target
                .get(&(kind == Kind::Bureau, id as u32))
                .copied()
                .unwrap_or_default()
        });
        let head = &self.heads[h as usize];
        let tail = match self.tail_of[i] {
            LONG_TAIL => self.long_tails.get(&(i as u32)).copied().unwrap_or_default(),
            short => u32::from(short),
        };
        let tail = self.tails.get(tail as usize).map_or("", String::as_str);
        Item {
            kind,
            text: self.text_of(i),
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

    /// Text `t`'s score for `q` in these ways (by characters, by pinyin):
    /// the better of the two matches, and whether it was pinyin's.
    fn score_by(
        &self,
        m: &SkimMatcherV2,
        t: usize,
        q: &str,
        pinyin: Option<&Prepared>,
        (by_chars, by_pinyin): (bool, bool),
    ) -> Option<(i64, bool)> {
        if !(by_chars || by_pinyin) {
            return None;
        }
        self.with_text(t, |text| self.score_text(m, text, q, pinyin, (by_chars, by_pinyin)))
    }

    /// [`Matcher::score_by`] on the text itself.
    fn score_text(
        &self,
        m: &SkimMatcherV2,
        text: &str,
        q: &str,
        pinyin: Option<&Prepared>,
        (by_chars, by_pinyin): (bool, bool),
    ) -> Option<(i64, bool)> {
        let mut one = q.chars();
        let chars = match (by_chars, one.next(), one.next()) {
            (false, ..) => None,
            (true, Some(c), None) => one_char_score(text, c),
            (true, Some(a), Some(b)) if one.next().is_none() => two_char_score(text, a, b),
            (true, ..) => m.fuzzy_match(text, q),
        }
        .map(|s| (s, false));
        let Some(p) = pinyin.filter(|_| by_pinyin) else {
            return chars;
        };
        let py = self.pinyin.fuzzy_prepared(text, p, false).map(|(s, _)| (s, true));
        chars.into_iter().chain(py).max_by_key(|x| x.0)
    }

    /// The matched character positions in text `t`, from whichever match
    /// scored best.
    fn indices(&self, m: &SkimMatcherV2, t: usize, q: &str, pinyin: Option<&Prepared>, filter: &Filter) -> Vec<usize> {
        let text = self.text_string(t);
        match self.score_text(m, &text, q, pinyin, filter.ways(self, t)) {
            Some((_, true)) => self.pinyin.fuzzy(&text, q, true).map(|x| x.1).unwrap_or_default(),
            Some((_, false)) => m.fuzzy_indices(&text, q).map(|x| x.1).unwrap_or_default(),
            None => Vec::new(),
        }
    }

    /// The kind of text `t`'s first items.
    fn best_kind(&self, t: usize) -> Kind {
        // The sets lie together per 64 texts: no other cache line.
        let kind = (0..4).find(|&k| self.sets.contains(KINDS + k, t)).unwrap_or(0);
        Kind::of_index(kind as u32)
    }

    /// Whether no item of text `t` (which has an item of `kind`, if
    /// given) could take a place before `worst` if the text scored
    /// `bound`. The kind and length decide it but on a tie: the members
    /// are read only then (a cache miss per text).
    fn cannot_beat(&self, t: usize, bound: i64, kind: Option<Kind>, worst: &Rank) -> bool {
        let k = kind.unwrap_or_else(|| self.best_kind(t));
        match (std::cmp::Reverse(bound), k, self.text_len(t)).cmp(&(worst.0, worst.1, worst.2)) {
            std::cmp::Ordering::Less => false,
            std::cmp::Ordering::Greater => true,
            std::cmp::Ordering::Equal => self.best_possible(t, bound, kind).is_none_or(|b| b >= *worst),
        }
    }

    /// The best place any item of text `t` could take in a ranking if the
    /// text scored `bound`.
    fn best_possible(&self, t: usize, bound: i64, kind: Option<Kind>) -> Option<Rank> {
        let len = self.text_len(t);
        self.item_texts
            .items_of(t)
            .find(|&i| kind.is_none_or(|want| self.kinds[i as usize] == want))
            .map(|i| (std::cmp::Reverse(bound), self.kinds[i as usize], len, i))
    }

    /// Offers the items of text `t` (which scored `score`) to `best`, which
    /// keeps the `limit` best. The items come by kind, then index, and share
    /// the score and the length, so the first that does not make it ends
    /// the text's turn.
    fn offer(
        &self,
        t: usize,
        score: i64,
        kind: Option<Kind>,
        limit: usize,
        best: &mut std::collections::BinaryHeap<Rank>,
    ) {
        let len = self.text_len(t);
        for i in self.item_texts.items_of(t) {
            let k = self.kinds[i as usize];
            if kind.is_some_and(|want| want != k) {
                continue;
            }
            let rank = (std::cmp::Reverse(score), k, len, i);
            if best.len() < limit {
                best.push(rank);
            } else if let Some(mut worst) = best.peek_mut()
                && rank < *worst
            {
                *worst = rank;
            } else {
                break;
            }
        }
    }

    /// The most `query` can score on text `t` in these ways (by
    /// characters, by pinyin). By characters, the matcher scores 15 plus the
    /// first match's bonus (16 at the text's start; elsewhere at most 8,
    /// or none if no character of the query stands where a bonus is
    /// given), then per character 16 plus at most 8 (a bonus or a run,
    /// whichever is larger), or 4 (a run) if none stands there; a test
    /// checks it against the matcher on generated texts. By pinyin,
    /// [`Pinyin::score_bound`].
    fn bound(&self, t: usize, query: &Query, (by_chars, by_pinyin): (bool, bool), bounds: &mut Bounds) -> i64 {
        let first = self.first(t);
        let chars = by_chars.then(|| {
            let quiet = self.bonus_chars[t] & query.bonus_chars == 0;
            let start = match (query.begins(first), quiet) {
                (true, _) => 31,
                (false, true) => 15,
                (false, false) => 23,
            };
            start + if quiet { 20 } else { 24 } * (query.len as i64 - 1)
        });
        let pinyin = query.pinyin.filter(|_| by_pinyin).map(|p| {
            bounds.get(
                p,
                self.query_pairs.which(p.any_link(), t),
                self.initials_among(p.letters(), t),
                self.pinyin
                    .begins(Some(first), p)
                    .then(|| self.query_starts.which(p.any_start(), t)),
            )
        });
        chars.max(pinyin).unwrap_or(i64::MIN)
    }

    /// Of `letters`, those that begin a reading of a character of text `t`
    /// (or are one of its own letters).
    fn initials_among(&self, letters: u32, t: usize) -> u32 {
        (self.sets.which(u64::from(letters) << INITIALS, t) >> INITIALS) as u32
    }

    /// Scores text `t` into `best` unless its bound shows it cannot make
    /// the top: cannot beat the worst of `best` when full, nor what `bar`
    /// holds from the other shares. Whether to keep it for the next
    /// keystroke: it matched, or was not read (narrowing only needs a
    /// superset, and the next keystroke checks it again).
    #[allow(clippy::too_many_arguments)]
    fn visit(
        &self,
        m: &SkimMatcherV2,
        t: usize,
        ways: (bool, bool),
        query: &Query,
        bar: &Bar,
        bounds: &mut Bounds,
        best: &mut Top,
    ) -> bool {
        let own = best.peek().filter(|_| best.len() >= bar.limit).copied();
        if let Some(worst) = bar.worst(own)
            && self.cannot_beat(t, self.bound(t, query, ways, bounds), query.filter.kind, &worst)
        {
            return true;
        }
        let Some((score, _)) = self.score_by(m, t, query.q, query.pinyin, ways) else {
            return false;
        };
        self.offer(t, score, query.filter.kind, bar.limit, best);
        if best.len() >= bar.limit
            && let Some(worst) = best.peek()
        {
            bar.raise(worst);
        }
        true
    }

    /// The first pass over one share of the texts, those of words `words`
    /// of the bitmap of texts (`from`, the previous query's, or every
    /// text): the texts that can earn the first character's bonus are
    /// scored, so the top fills with the best early; the others are only
    /// sorted into bitmaps for the second pass ([`Matcher::rank_rest`]).
    /// (Bitmaps, not lists of ids: a first keystroke leaves most of
    /// millions of texts, and building, copying and narrowing lists of
    /// them cost more than the matching.)
    fn rank_leads(&self, words: std::ops::Range<usize>, from: Option<&[u64]>, query: &Query, bar: &Bar) -> Leads {
        let m = SkimMatcherV2::default();
        let mut bounds = Bounds::new();
        let texts = self.texts();
        let first_word = words.start;
        let n = words.len();
        let mut share = Leads {
            kept: vec![0; n],
            by_chars: vec![0; n],
            by_pinyin: vec![0; n],
            quiet: vec![0; n],
            best: Top::new(),
        };
        let any_link = query.pinyin.map_or(0, Prepared::any_link);
        // The set of texts whose first character can begin a pinyin
        // match, when the query begins with a letter.
        let first_letter = query
            .pinyin
            .and_then(Prepared::first)
            .is_some_and(|c| c.is_ascii_lowercase());
        for w in words {
            let i = w - first_word;
            let from = from.map_or_else(|| word_of_all(w, texts), |f| f[w]);
            if from == 0 {
                continue;
            }
            let (chars, pinyin) = query.filter.word_ways(self, w, from);
            let any = chars | pinyin;
            if any == 0 {
                continue;
            }
            let mut leads = match first_letter {
                true => pinyin & self.query_first.word(0, w),
                false => {
                    let mut leads = 0;
                    for_each_bit(pinyin, |b| {
                        leads |= u64::from(self.leads(w * 64 + b, query, (false, true))) << b;
                    });
                    leads
                }
            };
            for_each_bit(chars & !leads, |b| {
                leads |= u64::from(self.leads(w * 64 + b, query, (true, false))) << b;
            });
            for_each_bit(leads, |b| {
                let t = w * 64 + b;
                let ways = (chars >> b & 1 != 0, pinyin >> b & 1 != 0);
                if self.visit(&m, t, ways, query, bar, &mut bounds, &mut share.best) {
                    share.kept[i] |= 1 << b;
                }
            });
            let rest = any & !leads;
            // Quiet: only pinyin can match them, and they have none of
            // the query's pairs.
            let with_pairs = self.query_pairs.any(any_link, w);
            share.quiet[i] = rest & !chars & !with_pairs;
            share.by_chars[i] = rest & chars;
            share.by_pinyin[i] = rest & pinyin & !share.quiet[i];
        }
        share
    }

    /// The second pass over one share of the texts, words `words` of the
    /// bitmaps of those that may match by characters and by pinyin: each
    /// is scored unless its bound cannot beat `floor`, the worst of the
    /// first pass's top, or this share's own. The texts kept for the next
    /// keystroke (this share of a bitmap), and the best `limit` items.
    fn rank_rest(
        &self,
        words: std::ops::Range<usize>,
        (by_chars, by_pinyin): (&[u64], &[u64]),
        query: &Query,
        bar: &Bar,
    ) -> (Vec<u64>, Top) {
        let m = SkimMatcherV2::default();
        let mut bounds = Bounds::new();
        let mut kept = vec![0u64; words.len()];
        let mut best = Top::new();
        // The score a text must reach to have a chance: the worst of
        // `floor` and of this share's top once full.
        let cut = |best: &Top| {
            let own = best.peek().filter(|_| best.len() >= bar.limit).copied();
            bar.worst(own).map(|w| w.0.0)
        };
        let mut at_least = cut(&best);
        for (k, w) in words.enumerate() {
            let mut bits = by_chars[w] | by_pinyin[w];
            // Texts that only pinyin can match, none of which begins it:
            // their pairs and initials alone bound them, so most are
            // settled by reading bits of sets, not what `visit` reads.
            if let (Some(p), Some(cut)) = (query.pinyin, at_least) {
                let mut only = by_pinyin[w] & !by_chars[w];
                while only != 0 {
                    let bit = only & only.wrapping_neg();
                    only ^= bit;
                    let t = w * 64 + bit.trailing_zeros() as usize;
                    let pairs = self.query_pairs.which(p.any_link(), t);
                    if bounds.get(p, pairs, self.initials_among(p.letters(), t), None) < cut {
                        bits ^= bit;
                        kept[k] |= bit;
                    }
                }
            }
            while bits != 0 {
                let bit = bits & bits.wrapping_neg();
                bits ^= bit;
                let t = w * 64 + bit.trailing_zeros() as usize;
                let ways = (by_chars[w] & bit != 0, by_pinyin[w] & bit != 0);
                if self.visit(&m, t, ways, query, bar, &mut bounds, &mut best) {
                    kept[k] |= bit;
                }
                at_least = cut(&best);
            }
        }
        (kept, best)
    }

    /// Whether text `t`, which can match in these ways, begins with a
    /// character that can begin the match (and earn the first bonus).
    fn leads(&self, t: usize, query: &Query, (by_chars, by_pinyin): (bool, bool)) -> bool {
        let first = self.first(t);
        (by_chars && query.begins(first))
            || (by_pinyin && query.pinyin.is_some_and(|p| self.pinyin.begins(Some(first), p)))
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
        let previous = std::mem::take(&mut self.query_pairs);
        let previous_starts = std::mem::take(&mut self.query_starts);
        let previous_first = std::mem::take(&mut self.query_first);
        if let Some(p) = &prepared {
            self.query_pairs = self.pairs.for_query(p.pairs(), previous);
            self.query_starts = self.start_pairs.for_query(p.start_pairs(), previous_starts);
            if let Some(c) = p.first().filter(char::is_ascii_lowercase) {
                let letter = (c as u8 - b'a') as usize;
                self.query_first = self.first_letters.for_query(&[letter], previous_first);
            }
        }
        let pinyin = prepared.as_ref();
        let filter = Filter::new(q, kind, pinyin);
        let query = Query::new(q, pinyin, filter);
        let query = &query;
        let this = &*self;
        // Score on every core; each thread has its own matcher (a shared
        // one was measured slower) and filters its share of the texts (the
        // previous query's matches, or all of them) itself. The shares are
        // runs of the bitmap's words with about as many texts each.
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).min(8);
        let from = narrowed.as_deref();
        let shares = split_words(from, this.texts(), threads);
        // Each thread keeps its own best `limit` items: holding every
        // score, then sorting every match, cost more time and memory than
        // the matching on a large index.
        let bar = Bar::new(limit);
        let leads: Vec<Leads> = std::thread::scope(|scope| {
            let bar = &bar;
            let handles: Vec<_> = shares
                .into_iter()
                .map(|words| scope.spawn(move || this.rank_leads(words, from, query, bar)))
                .collect();
            handles.into_iter().map(|h| h.join().unwrap_or_default()).collect()
        });
        drop(narrowed);
        // The shares are contiguous runs of words: their bitmaps
        // concatenate.
        let words = this.texts().div_ceil(64);
        let (mut texts, mut by_chars, mut by_pinyin, mut quiet) = (
            Vec::with_capacity(words),
            Vec::with_capacity(words),
            Vec::with_capacity(words),
            Vec::with_capacity(words),
        );
        let mut best: Vec<Rank> = Vec::new();
        for share in leads {
            texts.extend(share.kept);
            by_chars.extend(share.by_chars);
            by_pinyin.extend(share.by_pinyin);
            quiet.extend(share.quiet);
            best.extend(share.best);
        }
        // The worst of the first pass's top over every share: the texts
        // that begin a match may all lie in one share (the bureaus come
        // first), and a share's own top alone would leave the others to
        // score millions of texts that cannot make it.
        let floor = (best.len() >= limit && limit > 0).then(|| *best.select_nth_unstable(limit - 1).1);
        let beaten = |bound: i64| {
            floor
                .as_ref()
                .is_some_and(|worst| (std::cmp::Reverse(bound), Kind::Bureau, 0, 0) >= *worst)
        };
        // When no text that does not begin the match could make the top,
        // none is visited: all are kept, unread; when no quiet one could
        // (only pinyin can match it, and it has none of the query's pairs,
        // so its bound is known without reading it), those are.
        let quiet_bound = query.pinyin.map_or(i64::MIN, |p| p.bound_with(0, false));
        if beaten(query.bound_elsewhere()) {
            for (k, t) in texts.iter_mut().enumerate() {
                *t |= by_chars[k] | by_pinyin[k] | quiet[k];
            }
        } else {
            let quiet_to = if beaten(quiet_bound) {
                &mut texts
            } else {
                &mut by_pinyin
            };
            for (t, q) in quiet_to.iter_mut().zip(&quiet) {
                *t |= q;
            }
            drop(quiet);
            // The second pass, split again by the texts left to visit.
            let visit: Vec<u64> = by_chars.iter().zip(&by_pinyin).map(|(a, b)| a | b).collect();
            let shares = split_words(Some(&visit), this.texts(), threads);
            drop(visit);
            let ways = (&by_chars[..], &by_pinyin[..]);
            if let Some(floor) = &floor {
                bar.raise(floor);
            }
            let bar = &bar;
            let rest: Vec<(std::ops::Range<usize>, Vec<u64>, Top)> = std::thread::scope(|scope| {
                let handles: Vec<_> = shares
                    .into_iter()
                    .map(|words| {
                        scope.spawn(move || {
                            let (kept, best) = this.rank_rest(words.clone(), ways, query, bar);
                            (words, kept, best)
                        })
                    })
                    .collect();
                handles.into_iter().filter_map(|h| h.join().ok()).collect()
            });
            for (words, kept, share_best) in rest {
                for (t, k) in texts[words].iter_mut().zip(kept) {
                    *t |= k;
                }
                best.extend(share_best);
            }
        }
        best.sort_unstable();
        best.truncate(limit);
        let m = SkimMatcherV2::default();
        let hits = best
            .into_iter()
            .map(|(std::cmp::Reverse(score), _, _, i)| {
                let item = this.item(i as usize);
                let t = this.item_texts.text_of(i as usize) as usize;
                let indices = this.indices(&m, t, q, pinyin, &filter);
                Hit { item, score, indices }
            })
            .collect();
        self.last = Some((key, texts));
        hits
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Repeatable numbers below `n` (xorshift) for generated texts.
    fn numbers(mut state: u64) -> impl FnMut(usize) -> usize {
        move |n| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % n as u64) as usize
        }
    }

    fn item(kind: Kind, text: &str) -> Item {
        Item {
            kind,
            text: text.to_string(),
            location: String::new(),
            target: Target::Bureau { bureau: 1 },
        }
    }

    #[test]
    fn shares_cover_every_word_once_with_as_many_texts_each() {
        assert_eq!(word_of_all(0, 3), 0b111);
        assert_eq!(word_of_all(1, 128), u64::MAX);
        assert_eq!(word_of_all(2, 130), 0b11);
        assert_eq!(word_of_all(3, 130), 0);
        // Every text: two halves of whole words.
        assert_eq!(split_words(None, 64 * 100, 2), vec![0..50, 50..100]);
        // Few texts: one share.
        assert_eq!(split_words(None, 900, 2), vec![0..15]);
        // A narrowed bitmap whose texts are all at the end: the shares
        // split those, not the words.
        let mut from = vec![0u64; 100];
        for w in &mut from[60..] {
            *w = u64::MAX;
        }
        let shares = split_words(Some(&from), 6400, 2);
        assert_eq!(shares, vec![0..80, 80..100]);
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
        // Texts that begin with a query's character, that have it after a
        // space or a bracket, in a camel hump, and that have it nowhere a
        // bonus is given: every bound the ranking skips texts by.
        for i in 0..3000 {
            let text = match i % 7 {
                0 => format!("十堰市第{i}区民政局"),
                1 => format!("加强法治文化建设第{i}项"),
                2 => format!("发放法治宣传资料 {i}余份"),
                3 => format!("法治宣传第{i}期"),
                4 => format!("(法治)宣传{i}"),
                5 => format!("{i}法治GDP"),
                _ => format!("办理婚姻登记{i}对"),
            };
            let kinds = [Kind::Bureau, Kind::Section, Kind::Figure, Kind::Section, Kind::Report];
            items.push(item(kinds[i % 5], &text));
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
            v.sort_by_key(|&(s, i)| (std::cmp::Reverse(s), items[i].kind, items[i].text.len(), i));
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
            "宣",
            "宣传",
            "g",
            "gd",
            "GDP",
            "法治 宣传",
            "#法治宣",
        ] {
            let got: Vec<(String, i64)> = m.rank(q, 25).into_iter().map(|h| (h.item.text, h.score)).collect();
            assert_eq!(got, full(q, 25), "query {q:?}");
        }
    }

    #[test]
    fn long_texts_and_first_characters_past_16_bits_rank_as_a_full_ranking() {
        // Texts of 250 to 330 UTF-8 bytes that score alike on "法治":
        // equal scores rank by length, which is kept per text only below
        // 255 bytes. And texts that
        // begin with a character past 16 bits, kept apart from the others'
        // first characters.
        let mut items = Vec::new();
        for i in 0..400 {
            let text = match i % 3 {
                0 => format!("法治{i}{}", "的".repeat(82 + i % 23)),
                1 => format!("😀法治{i}"),
                _ => format!("𠀀治法{i}"),
            };
            items.push(item([Kind::Section, Kind::Figure][i % 2], &text));
        }
        let m = SkimMatcherV2::default();
        let mut matcher = Matcher::new(items.clone());
        for q in ["法治", "治", "😀", "😀法", "𠀀治", "𠀀"] {
            let mut v: Vec<(i64, usize)> = items
                .iter()
                .enumerate()
                .filter_map(|(i, it)| m.fuzzy_match(&it.text, q).map(|s| (s, i)))
                .collect();
            v.sort_by_key(|&(s, i)| (std::cmp::Reverse(s), items[i].kind, items[i].text.len(), i));
            let want: Vec<(String, i64)> = v
                .into_iter()
                .take(30)
                .map(|(s, i)| (items[i].text.clone(), s))
                .collect();
            let got: Vec<(String, i64)> = matcher
                .rank(q, 30)
                .into_iter()
                .map(|h| (h.item.text, h.score))
                .collect();
            assert_eq!(got, want, "query {q:?}");
        }
    }

    #[test]
    fn items_that_share_a_text_rank_as_if_each_had_its_own() {
        // Few texts, many items: the same heading or figure phrase under
        // every kind, interleaved, so ties are broken by kind and index.
        let texts = [
            "加强法治宣传",
            "法治宣传 12次",
            "婚姻登记",
            "法治政府建设",
            "宣传法治",
            "十堰市法治办",
        ];
        let kinds = [
            Kind::Figure,
            Kind::Section,
            Kind::Bureau,
            Kind::Figure,
            Kind::Report,
            Kind::Section,
            Kind::Figure,
        ];
        let items: Vec<Item> = (0..2000)
            .map(|i| Item {
                target: Target::Report { report: i as i64 },
                ..item(kinds[i % kinds.len()], texts[(i * 7 / 3) % texts.len()])
            })
            .collect();
        let index_of = |t: Target| match t {
            Target::Bureau { bureau: i } | Target::Report { report: i } => i as usize,
            Target::Section { report: i, .. } | Target::Figure { report: i, .. } => i as usize,
        };
        let mut m = Matcher::new(items.clone());
        assert_eq!(m.len(), 2000);
        assert_eq!(m.texts(), texts.len());
        // The worst case the benchmark measures: the same ranking, a text each.
        let mut unshared = Matcher::empty_unshared(Arc::default());
        for it in &items {
            unshared.push(it.kind, &it.text, &it.location, "", it.target);
        }
        unshared.finish();
        assert_eq!(unshared.texts(), 2000);
        let matcher = SkimMatcherV2::default();
        for (q, limit) in [
            ("法", 30),
            ("法治", 7),
            ("法治宣", 500),
            ("$法治", 40),
            ("#宣传", 3),
            ("登记", 0),
            ("治", 2000),
        ] {
            let (kind, text) = parse_query(q);
            let mut want: Vec<(i64, Kind, usize, usize)> = items
                .iter()
                .enumerate()
                .filter(|(_, it)| kind.is_none_or(|k| it.kind == k))
                .filter_map(|(i, it)| {
                    matcher
                        .fuzzy_match(&it.text, text)
                        .map(|s| (-s, it.kind, it.text.len(), i))
                })
                .collect();
            want.sort();
            want.truncate(limit);
            let got: Vec<(i64, Kind, usize, usize)> = m
                .rank(q, limit)
                .into_iter()
                .map(|h| (-h.score, h.item.kind, h.item.text.len(), index_of(h.item.target)))
                .collect();
            assert_eq!(got, want, "query {q:?}");
            assert_eq!(unshared.rank(q, limit), m.rank(q, limit), "query {q:?}");
        }
    }

    #[test]
    fn pinyin_rankings_skip_only_texts_that_cannot_make_the_top() {
        // Texts that tie and texts that cannot reach the top, under every
        // kind; typed one letter at a time, so narrowing keeps the texts
        // that were skipped.
        let texts = [
            "法治宣传",
            "加强法治宣传教育",
            "发放法治宣传资料 300余份",
            "发放法治宣传资料 12份",
            "十堰市茅箭区民政局",
            "茅箭区民政局 2023",
            "行政复议案件",
            "办理行政复议案件 5件",
            "婚姻登记",
            "fzxc 法治",
            "防止返贫",
            "啊哦",
        ];
        let kinds = [Kind::Figure, Kind::Section, Kind::Bureau, Kind::Figure, Kind::Report];
        let items: Vec<Item> = (0..3000)
            .map(|i| Item {
                target: Target::Report { report: i as i64 },
                ..item(kinds[i % kinds.len()], texts[(i * 5 / 3 + i / 7) % texts.len()])
            })
            .collect();
        let pinyin = Arc::new(Pinyin::for_texts(texts));
        let mut m = Matcher::with_pinyin(items.clone(), pinyin.clone());
        assert_typed_rankings_are_full(
            &mut m,
            &items,
            &pinyin,
            &[
                ("fzxcjy", 1),
                ("fzxc", 5),
                ("mjmz", 3),
                ("xzfy", 40),
                ("$fzxc", 2),
                ("fafang", 1),
                ("ao", 7),
            ],
        );
    }

    #[test]
    fn shares_that_lack_the_leading_texts_rank_as_a_full_ranking() {
        // Thousands of distinct texts, so the ranking splits them over
        // threads; the texts that begin with 茅 or 马 (bureaus first, as an
        // index has them) all lie in the first share, so the others rely
        // on the bar the first share raises, ties included.
        const CHARS: &[char] = &[
            '法', '治', '宣', '传', '教', '育', '民', '政', '局', '茅', '箭', '区', '行', '复', '议', '案', '件', '婚',
            '姻', '登', '记', '防', '止', '返', '贫', '马', '安', '啊', '哦', '1', '2', 'x', ' ', '、',
        ];
        let mut next = numbers(0x9e37_79b9);
        let kinds = [Kind::Figure, Kind::Figure, Kind::Figure, Kind::Section];
        let items: Vec<Item> = (0..6000)
            .map(|i| {
                let mut text: String = if i < 600 {
                    ['茅', '马'][i % 2].to_string()
                } else {
                    String::new()
                };
                // Of one length, so places tie but on the index.
                for _ in 0..4 {
                    text.push(CHARS[next(CHARS.len())]);
                }
                // Distinct: no two items share a text.
                text.push_str(&format!("{i:04}"));
                Item {
                    target: Target::Report { report: i as i64 },
                    ..item(if i < 600 { Kind::Bureau } else { kinds[i % 4] }, &text)
                }
            })
            .collect();
        let texts: Vec<&str> = items.iter().map(|i| i.text.as_str()).collect();
        let pinyin = Arc::new(Pinyin::for_texts(texts.iter().copied()));
        let mut m = Matcher::with_pinyin(items.clone(), pinyin.clone());
        assert!(split_words(None, m.texts(), 2).len() > 1);
        assert_typed_rankings_are_full(
            &mut m,
            &items,
            &pinyin,
            &[
                ("maojian", 20),
                ("mjmz", 50),
                ("fzxc", 200),
                ("茅jian", 30),
                ("$ma", 10),
                ("an", 5),
            ],
        );
    }

    /// Types each word into `m` one character at a time, and checks every
    /// ranking against scoring every item (by characters and by pinyin)
    /// and sorting them all. Each item's target holds its index.
    fn assert_typed_rankings_are_full(m: &mut Matcher, items: &[Item], pinyin: &Pinyin, words: &[(&str, usize)]) {
        let skim = SkimMatcherV2::default();
        let index_of = |t: Target| match t {
            Target::Bureau { bureau: i } | Target::Report { report: i } => i as usize,
            Target::Section { report: i, .. } | Target::Figure { report: i, .. } => i as usize,
        };
        for &(word, limit) in words {
            for end in 1..=word.chars().count() {
                let q: String = word.chars().take(end).collect();
                let (kind, text) = parse_query(&q);
                if text.is_empty() {
                    continue;
                }
                let mut want: Vec<(i64, Kind, usize, usize)> = items
                    .iter()
                    .enumerate()
                    .filter(|(_, it)| kind.is_none_or(|k| it.kind == k))
                    .filter_map(|(i, it)| {
                        let chars = skim.fuzzy_match(&it.text, text);
                        let py = pinyin.fuzzy(&it.text, text, false).map(|x| x.0);
                        chars.max(py).map(|s| (-s, it.kind, it.text.len(), i))
                    })
                    .collect();
                want.sort();
                want.truncate(limit);
                let got: Vec<(i64, Kind, usize, usize)> = m
                    .rank(&q, limit)
                    .into_iter()
                    .map(|h| (-h.score, h.item.kind, h.item.text.len(), index_of(h.item.target)))
                    .collect();
                assert_eq!(got, want, "query {q:?}");
            }
        }
    }

    #[test]
    fn a_matcher_made_by_default_keeps_its_sets() {
        let mut m = Matcher::default();
        m.push(
            Kind::Section,
            "法治宣传",
            "某局 · 2023",
            "1.2",
            Target::Section { report: 1, section: 0 },
        );
        m.finish();
        assert_eq!(m.rank("#法治", 5).len(), 1);
        assert_eq!(m.rank("$法治", 5).len(), 0);
    }

    #[test]
    fn a_packed_place_keeps_the_order_and_is_never_better() {
        let mut next = numbers(7);
        let kinds = [Kind::Bureau, Kind::Report, Kind::Section, Kind::Figure];
        let places: Vec<Rank> = (0..2000)
            .map(|_| {
                (
                    std::cmp::Reverse(next(400) as i64 - 100),
                    kinds[next(4)],
                    next(60) as u32,
                    next(1000) as u32,
                )
            })
            .collect();
        for a in &places {
            let packed = Bar::unpack(Bar::pack(a)).expect("a score in range packs");
            assert!(packed >= *a);
            assert_eq!((packed.0, packed.1, packed.2), (a.0, a.1, a.2));
            for b in &places {
                if (a.0, a.1, a.2) != (b.0, b.1, b.2) {
                    assert_eq!(Bar::pack(a) < Bar::pack(b), a < b);
                }
            }
        }
        // A bar is only ever raised.
        let bar = Bar::new(10);
        bar.raise(&places[0]);
        bar.raise(&places[1]);
        let best = places[0].min(places[1]);
        assert_eq!(bar.worst(None).map(|w| (w.0, w.1, w.2)), Some((best.0, best.1, best.2)));
    }

    #[test]
    fn one_character_queries_score_as_the_matcher() {
        let texts = [
            "十堰市茅箭区民政局",
            "法治宣传 12次",
            "GDP增长 6.5%，fzxc",
            "a-b_c.d/e(f)g[h]i{j}k|l m",
            "aBcD 1A2b!C\"d#e$f%g&h'i*j+k,l",
            ":a;b<c=d>e?f@g^h_i`j~k",
            "AaAa aA",
            "",
        ];
        let skim = SkimMatcherV2::default();
        let mut chars: Vec<char> = texts.iter().flat_map(|t| t.chars()).collect();
        chars.extend(['z', 'Z', '法', '。']);
        chars.sort();
        chars.dedup();
        for text in texts {
            for &c in &chars {
                let want = skim.fuzzy_match(text, &c.to_string());
                assert_eq!(one_char_score(text, c), want, "{text:?} {c:?}");
            }
        }
    }

    #[test]
    fn two_character_queries_score_as_the_matcher() {
        // Generated texts over characters of every class the matcher
        // tells apart, repeated so that gaps, runs and repeats all occur.
        let alphabet: Vec<char> = "法治法aAbB1 -_/.宣z".chars().collect();
        let mut next = numbers(0x2545_f491_4f6c_dd1d);
        let skim = SkimMatcherV2::default();
        let pairs: Vec<(char, char)> = ['法', '治', 'a', 'A', 'b', '1', '-', '宣']
            .iter()
            .flat_map(|&a| ['法', '治', 'a', 'B', 'b', '1', ' ', '宣'].map(|b| (a, b)))
            .collect();
        for _ in 0..600 {
            let len = next(24);
            let text: String = (0..len).map(|_| alphabet[next(alphabet.len())]).collect();
            for &(a, b) in &pairs {
                let want = skim.fuzzy_match(&text, &String::from_iter([a, b]));
                assert_eq!(two_char_score(&text, a, b), want, "{text:?} {a:?}{b:?}");
            }
        }
        // And on real texts.
        for text in ["发放法治宣传资料 300余份", "加强法治政府建设", "十堰市茅箭区民政局"] {
            for q in ["法治", "治法", "宣传", "民政", "茅局"] {
                let mut c = q.chars();
                let (a, b) = (c.next().unwrap_or('法'), c.next().unwrap_or('治'));
                assert_eq!(two_char_score(text, a, b), skim.fuzzy_match(text, q), "{text:?} {q:?}");
            }
        }
    }

    #[test]
    fn no_text_scores_above_its_bound_and_some_reach_it() {
        // Generated texts over characters of every class the matcher tells
        // apart, so that starts, bonuses, runs and gaps all occur.
        let alphabet: Vec<char> = "法治宣传aAbB1 -_/.(z".chars().collect();
        let mut next = numbers(0x9e37_79b9_7f4a_7c15);
        let mut texts: Vec<String> = (0..500)
            .map(|_| (0..next(16) + 1).map(|_| alphabet[next(alphabet.len())]).collect())
            .collect();
        texts.extend(["法治宣传", "加强法治宣传", "(法治) 宣传", "aBc", "a b c"].map(String::from));
        let m = Matcher::new(texts.iter().map(|t| item(Kind::Section, t)).collect());
        let skim = SkimMatcherV2::default();
        let queries = [
            "法",
            "治",
            "宣",
            "a",
            "A",
            "b",
            "1",
            "(",
            "法治",
            "治宣",
            "ab",
            "aB",
            "法 宣",
            "法治宣",
            "宣传",
            "法治宣传",
            "abc",
            "a1b",
            "(法",
            "治传",
        ];
        let mut reached = Vec::new();
        for (i, text) in texts.iter().enumerate() {
            let t = m.item_texts.text_of(i) as usize;
            for q in queries {
                let query = Query::new(q, None, Filter::new(q, None, None));
                let Some(score) = skim.fuzzy_match(text, q) else {
                    continue;
                };
                let bound = m.bound(t, &query, (true, false), &mut Bounds::new());
                assert!(score <= bound, "{text:?} {q:?}: {score} > {bound}");
                if score == bound {
                    reached.push((text.as_str(), q));
                }
            }
        }
        for tight in [
            ("法治宣传", "法治宣传"),
            ("加强法治宣传", "法治"),
            ("加强法治宣传", "宣"),
            ("(法治) 宣传", "宣"),
            ("a b c", "b"),
        ] {
            assert!(
                reached.contains(&tight),
                "{tight:?} should reach the bound: {:?}",
                reached.iter().filter(|r| r.0 == tight.0).collect::<Vec<_>>()
            );
        }
    }
}
