//! Matching Chinese text by pinyin: full syllables (`maojian`), initials
//! (`mjq`), any prefix of a syllable (`maoj`), and characters mixed in
//! (`茅jian`), under every reading of a character (长 is chang and zhang, 六
//! is liu and lu, so 六安 is found as `luan` and 长沙 as `changsha`).
//!
//! The readings come from pinyin-data (the `pinyin` crate, plain style,
//! every heteronym), plus the place-name readings it lacks. At index time
//! the writer stores the readings of every Han character it sees in names,
//! headings and labels (the `pinyin` table); readers load that table into a
//! [`Pinyin`] and match against it, so typing costs a table lookup per
//! character and no conversion.

use pinyin::ToPinyinMulti;
use std::collections::{HashMap, HashSet};

/// Readings of characters in place names that pinyin-data's lists lack:
/// 乐亭 (Hebei) is Làotíng.
const PLACE_READINGS: &[(char, &str)] = &[('乐', "lao")];

/// Is `c` a Han character (CJK unified ideographs, extension A or later)?
pub fn is_han(c: char) -> bool {
    matches!(c as u32, 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x3134F)
}

/// Every reading of `c` without tones, lower case, most common first, no
/// repeats. ü is written `v`, and also `u` (people type both: lv, lu).
pub fn readings_of(c: char) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut add = |r: String| {
        if !r.is_empty() && !out.contains(&r) {
            out.push(r);
        }
    };
    if let Some(multi) = c.to_pinyin_multi() {
        for p in multi {
            let plain = p.plain();
            add(plain.replace('ü', "v"));
            if plain.contains('ü') {
                add(plain.replace('ü', "u"));
            }
        }
    }
    for &(ch, r) in PLACE_READINGS {
        if ch == c {
            add(r.to_string());
        }
    }
    out
}

/// The readings of the characters an index uses.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Pinyin {
    readings: HashMap<char, Box<[Box<str>]>>,
    /// The common characters' readings again, in a table indexed by code
    /// point: the matcher looks characters up millions of times per
    /// keystroke, and hashing each was most of its time.
    dense: Vec<Option<Box<[Box<str>]>>>,
    /// The first letters of each dense character's readings (bit 0 = a).
    dense_initials: Vec<u32>,
    /// Every prefix of two letters or more of every reading: a query letter
    /// that no such prefix can reach starts a new character's match.
    prefixes: HashSet<Box<str>>,
    /// The letters that are a whole reading by themselves (啊 a, 哦 o …).
    whole_letters: u32,
    /// The readings of two letters or more.
    wholes: HashSet<Box<str>>,
}

/// Calls `visit` with each pair (`a * 26 + b`) of a letter of `first`
/// and one of `second` (26-bit sets).
fn for_each_pair_of(first: u32, second: u32, visit: &mut impl FnMut(usize)) {
    let mut a = first;
    while a != 0 {
        let x = a.trailing_zeros() as usize;
        a &= a - 1;
        let mut b = second;
        while b != 0 {
            visit(x * 26 + b.trailing_zeros() as usize);
            b &= b - 1;
        }
    }
}

/// The bits (pair `k` on bit `k % 64`) of the pairs of `numbered` that
/// `each` visits.
fn bits_among(numbered: &[usize], each: impl FnOnce(&mut dyn FnMut(usize))) -> u64 {
    let mut bits = 0;
    each(&mut |pair| {
        if let Some(k) = numbered.iter().position(|&p| p == pair) {
            bits |= 1 << (k % 64);
        }
    });
    bits
}

/// The number of `pair` in `numbered`, which it joins if new.
fn number(numbered: &mut Vec<usize>, pair: usize) -> usize {
    numbered.iter().position(|&p| p == pair).unwrap_or_else(|| {
        numbered.push(pair);
        numbered.len() - 1
    })
}

/// The bit of a lower-case Latin letter in a 26-bit set (0 for anything
/// else).
#[inline]
pub fn letter_bit(c: char) -> u32 {
    if c.is_ascii_lowercase() {
        1 << (c as u32 - 'a' as u32)
    } else {
        0
    }
}

fn initials_of(readings: &[Box<str>]) -> u32 {
    readings
        .iter()
        .filter_map(|r| r.chars().next())
        .fold(0, |m, c| m | letter_bit(c))
}

/// The code points of the dense table: extension A and the unified
/// ideographs.
const DENSE: std::ops::Range<u32> = 0x3400..0xA000;

impl Pinyin {
    /// The readings of every Han character of `texts`, from the built-in
    /// data (what the writer stores; tests use it directly).
    pub fn for_texts<'a>(texts: impl IntoIterator<Item = &'a str>) -> Pinyin {
        let mut p = Pinyin::default();
        for t in texts {
            for c in t.chars().filter(|&c| is_han(c)) {
                if !p.readings.contains_key(&c) {
                    p.insert(c, readings_of(c));
                }
            }
        }
        p
    }

    pub fn insert(&mut self, c: char, readings: Vec<String>) {
        let readings: Box<[Box<str>]> = readings.into_iter().map(String::into_boxed_str).collect();
        for r in &readings {
            if let [letter] = r.as_bytes() {
                self.whole_letters |= letter_bit(char::from(*letter));
            }
            for (end, _) in r.char_indices().skip(2) {
                self.prefixes.insert(r[..end].into());
            }
            if r.len() >= 2 {
                self.prefixes.insert(r.clone());
                self.wholes.insert(r.clone());
            }
        }
        if DENSE.contains(&(c as u32)) {
            if self.dense.is_empty() {
                self.dense = vec![None; DENSE.len()];
                self.dense_initials = vec![0; DENSE.len()];
            }
            let slot = (c as u32 - DENSE.start) as usize;
            self.dense_initials[slot] = initials_of(&readings);
            self.dense[slot] = Some(readings.clone());
        }
        self.readings.insert(c, readings);
    }

    /// Adds a stored row: the readings separated by spaces.
    pub fn insert_stored(&mut self, c: char, readings: &str) {
        self.insert(
            c,
            readings
                .split(' ')
                .filter(|r| !r.is_empty())
                .map(String::from)
                .collect(),
        );
    }

    #[inline]
    pub fn get(&self, c: char) -> &[Box<str>] {
        let code = c as u32;
        if DENSE.contains(&code) {
            return self
                .dense
                .get((code - DENSE.start) as usize)
                .and_then(|r| r.as_deref())
                .unwrap_or(&[]);
        }
        if code < 0x80 {
            return &[];
        }
        self.readings.get(&c).map_or(&[], |r| r)
    }

    /// The first letters of `c`'s readings (bit 0 = a).
    #[inline]
    pub fn initials(&self, c: char) -> u32 {
        let code = c as u32;
        if DENSE.contains(&code) {
            return self
                .dense_initials
                .get((code - DENSE.start) as usize)
                .copied()
                .unwrap_or(0);
        }
        initials_of(self.get(c))
    }

    /// `query` ready for matching many texts: lower case, no spaces, and
    /// the characters that must each begin a character's match. None when
    /// it has no Latin letter (nothing to read as pinyin) or is too long.
    pub fn prepare(&self, query: &str) -> Option<Prepared> {
        let q: Vec<char> = query
            .chars()
            .filter(|c| !c.is_whitespace())
            .map(|c| c.to_ascii_lowercase())
            .collect();
        if q.is_empty() || q.len() > MAX_QUERY || !q.iter().any(|c| c.is_ascii_alphabetic()) {
            return None;
        }
        // A letter continues a syllable only if some reading starts with
        // the letters before it and it; otherwise (and for every other
        // character) it begins the match of a new character of the text.
        let mut starts = Vec::new();
        let mut piece = String::new();
        for &c in &q {
            piece.push(c);
            while piece.len() > 1 && !self.prefixes.contains(piece.as_str()) {
                piece.remove(0);
            }
            if !c.is_ascii_lowercase() {
                piece.clear();
                starts.push(c);
            } else if piece.len() == 1 {
                starts.push(c);
            }
        }
        // The most a character can add per query letter it consumes: a
        // match right after another, a whole reading if the letter alone
        // is one. A character consuming several letters of a syllable adds
        // less than that many characters would, and gaps only cost, so the
        // sum bounds every score but the first character's bonus (and the
        // first matched character has no predecessor).
        let bound = q
            .iter()
            .map(|&c| {
                MATCH
                    + CONTIGUOUS
                    + if self.whole_letters & letter_bit(c) != 0 {
                        WHOLE
                    } else {
                        0
                    }
            })
            .sum::<i64>()
            - CONTIGUOUS;
        // Per query position, the pieces a character can consume from
        // there (one letter or character, or a prefix of a reading) with
        // the most each can score; per two positions, the pair of letters
        // that begin them (0 when either is not a letter).
        let m = q.len();
        let mut pieces = vec![Vec::new(); m];
        for (i, piece) in pieces.iter_mut().enumerate() {
            let whole = self.whole_letters & letter_bit(q[i]) != 0;
            piece.push((1, MATCH + if whole { WHOLE } else { 0 }));
            let mut syllable = String::from(q[i]);
            for (len, &c) in q.iter().enumerate().skip(i + 1).map(|(j, c)| (j - i + 1, c)) {
                syllable.push(c);
                if !c.is_ascii_lowercase() || !self.prefixes.contains(syllable.as_str()) {
                    break;
                }
                let whole = if self.wholes.contains(syllable.as_str()) {
                    WHOLE
                } else {
                    0
                };
                piece.push((len, MATCH + SYLLABLE * (len as i64 - 1) + whole));
            }
        }
        let letters = q.iter().fold(0, |m, &c| m | letter_bit(c));
        let mut prepared = Prepared {
            query: q,
            starts,
            bound,
            pieces,
            links: Vec::new(),
            pairs: Vec::new(),
            any_link: 0,
            start_links: Vec::new(),
            start_pairs: Vec::new(),
            any_start: 0,
            letters,
            without_links: NONE,
        };
        prepared.number_pairs();
        Some(prepared)
    }

    /// No text scores more than this for `q`: what lets a ranking skip
    /// texts that cannot reach its best without scoring them.
    pub fn score_bound(&self, text: &str, q: &Prepared) -> i64 {
        q.bound_for(
            self.pair_bits(text, q),
            self.text_initials(text),
            self.begins(text.chars().next(), q).then(|| self.start_bits(text, q)),
        )
    }

    /// The letters that can begin the match of a character of `text`: the
    /// first letters of its characters' readings, and its own letters.
    pub fn text_initials(&self, text: &str) -> u32 {
        text.chars().fold(0, |m, c| m | self.begin_letters(c))
    }

    /// Calls `visit` once with each pair (`a * 26 + b`) `text` has (see
    /// [`Pinyin::for_each_pair`]).
    pub fn text_pairs(&self, text: &str, mut visit: impl FnMut(usize)) {
        let mut seen = [0u64; 11];
        self.for_each_pair(text, |pair| {
            if seen[pair / 64] & (1 << (pair % 64)) == 0 {
                seen[pair / 64] |= 1 << (pair % 64);
                visit(pair);
            }
        });
    }

    /// Calls `visit` with each pair (`a * 26 + b`) of a letter that can
    /// begin the match of a character of `text` and one that can begin
    /// the next's.
    fn for_each_pair(&self, text: &str, mut visit: impl FnMut(usize)) {
        let mut prev = 0u32;
        for c in text.chars() {
            let now = self.begin_letters(c);
            for_each_pair_of(prev, now, &mut visit);
            prev = now;
        }
    }

    /// The letters that can begin the match of character `c`: the first
    /// letters of its readings, or itself.
    fn begin_letters(&self, c: char) -> u32 {
        self.initials(c) | letter_bit(c.to_ascii_lowercase())
    }

    /// The bits of `q`'s pairs ([`Prepared::pairs`]) that `text` has: two
    /// adjacent characters whose matches the pair's letters can begin. A
    /// match earns the bonus for a run only across such a pair, so a text
    /// without a query's pairs has a lower bound ([`Prepared::bound_with`]).
    pub fn pair_bits(&self, text: &str, q: &Prepared) -> u64 {
        bits_among(&q.pairs, |visit| self.for_each_pair(text, visit))
    }

    /// Calls `visit` once with each pair of letters that can begin the
    /// matches of `text`'s first two characters.
    pub fn text_start_pairs(&self, text: &str, mut visit: impl FnMut(usize)) {
        let mut chars = text.chars();
        if let (Some(a), Some(b)) = (chars.next(), chars.next()) {
            for_each_pair_of(self.begin_letters(a), self.begin_letters(b), &mut visit);
        }
    }

    /// The bits of `q`'s start pairs ([`Prepared::start_pairs`]) that
    /// `text`'s first two characters have.
    pub fn start_bits(&self, text: &str, q: &Prepared) -> u64 {
        bits_among(&q.start_pairs, |visit| self.text_start_pairs(text, visit))
    }

    /// Whether a text whose first character is `first` can have it begin
    /// a match of `q` (and earn the first character's bonus): the texts
    /// that may score most.
    pub fn begins(&self, first: Option<char>, q: &Prepared) -> bool {
        first
            .zip(q.query.first())
            .is_some_and(|(c, &letter)| c.to_ascii_lowercase() == letter || self.initials(c) & letter_bit(letter) != 0)
    }

    /// Can `text` match a query with these `starts`? Each must begin a
    /// character's match, in order: the character itself, or one of its
    /// readings starting with it. A cheap walk that rejects most texts
    /// before the dynamic programme runs.
    fn may_match(&self, text: &str, starts: &[char]) -> bool {
        let mut k = 0;
        for c in text.chars() {
            let Some(&s) = starts.get(k) else { break };
            if c.to_ascii_lowercase() == s || self.initials(c) & letter_bit(s) != 0 {
                k += 1;
            }
        }
        k == starts.len()
    }

    pub fn len(&self) -> usize {
        self.readings.len()
    }

    pub fn is_empty(&self) -> bool {
        self.readings.is_empty()
    }

    /// Matches `query` against `text` by characters and pinyin. Returns the
    /// score and, when `indices` is set, the matched character positions.
    /// None when the query has no ASCII letter (nothing to read as pinyin)
    /// or does not match.
    pub fn fuzzy(&self, text: &str, query: &str, indices: bool) -> Option<(i64, Vec<usize>)> {
        self.fuzzy_prepared(text, &self.prepare(query)?, indices)
    }

    /// [`Pinyin::fuzzy`] with the query prepared once for many texts.
    pub fn fuzzy_prepared(&self, text: &str, q: &Prepared, indices: bool) -> Option<(i64, Vec<usize>)> {
        if !indices && let [letter] = q.query[..] {
            // One walk finds whether and how well it matches.
            return self.one_letter(text, letter).map(|s| (s, Vec::new()));
        }
        if !indices && let [first, second] = q.query[..] {
            // Its one walk finds whether it matches too.
            return self.two_letters(text, first, second).map(|s| (s, Vec::new()));
        }
        if !self.may_match(text, &q.starts) {
            return None;
        }
        self.run(text, &q.query, indices)
    }

    /// The better of a match by characters (fuzzy-matcher's skim) and by
    /// pinyin, with the matched positions: what the filters use.
    pub fn best_match(
        &self,
        skim: &fuzzy_matcher::skim::SkimMatcherV2,
        text: &str,
        query: &str,
    ) -> Option<(i64, Vec<usize>)> {
        use fuzzy_matcher::FuzzyMatcher;
        let chars = skim.fuzzy_indices(text, query);
        chars
            .into_iter()
            .chain(self.fuzzy(text, query, true))
            .max_by_key(|m| m.0)
    }

    /// What [`Pinyin::run`] scores for a one-letter query, without the
    /// programme: the best of each character the letter matches (as
    /// itself, or as the first letter of a reading; a reading that is the
    /// letter alone scores as a whole syllable), the first character
    /// scoring more. The first keystroke checks every item, so this is the
    /// hot path.
    fn one_letter(&self, text: &str, letter: char) -> Option<i64> {
        let bit = letter_bit(letter);
        let mut best = None;
        for (j, c) in text.chars().enumerate() {
            let literal = c.to_ascii_lowercase() == letter;
            if !literal && self.initials(c) & bit == 0 {
                continue;
            }
            let whole = self.get(c).iter().any(|r| r.len() == 1 && r.starts_with(letter));
            let score = MATCH + if j == 0 { FIRST } else { 0 } + if whole { WHOLE } else { 0 };
            best = best.max(Some(score));
            if score == MATCH + FIRST + WHOLE {
                break;
            }
        }
        best
    }

    /// What [`Pinyin::run`] scores for a two-character query `a b`,
    /// without the programme (the second keystroke also checks most
    /// items): either one character with a reading that starts with both,
    /// or a character matching `a` followed, after a gap that costs, by one
    /// matching `b` (right after it scores more).
    fn two_letters(&self, text: &str, a: char, b: char) -> Option<i64> {
        let (bit_a, bit_b) = (letter_bit(a), letter_bit(b));
        let whole = |readings: &[Box<str>], x: char| readings.iter().any(|r| r.len() == 1 && r.starts_with(x));
        let mut best: Option<i64> = None;
        // The best score with `a` consumed: by the previous character
        // (`on`), or by an earlier one with a gap since (`off`).
        let (mut on, mut off): (Option<i64>, Option<i64>) = (None, None);
        for (j, c) in text.chars().enumerate() {
            let lower = c.to_ascii_lowercase();
            let initials = self.initials(c);
            if initials & (bit_a | bit_b) == 0 && lower != a && lower != b {
                // Most characters are neither letter nor begin a reading
                // with one: they only lengthen the gap (what the steps
                // below come to for them, with less work).
                off = on.max(off).map(|s| s - GAP);
                on = None;
                continue;
            }
            let readings = self.get(c);
            let first = if j == 0 { FIRST } else { 0 };
            if lower == b || initials & bit_b != 0 {
                let score = MATCH + if whole(readings, b) { WHOLE } else { 0 };
                best = best.max(on.map(|s| s + score + CONTIGUOUS));
                best = best.max(off.map(|s| s + score));
            }
            if initials & bit_a != 0 {
                for r in readings {
                    let r = r.as_bytes();
                    if r.len() >= 2 && r[0] as u32 == a as u32 && r[1] as u32 == b as u32 {
                        let w = if r.len() == 2 { WHOLE } else { 0 };
                        best = best.max(Some(MATCH + first + SYLLABLE + w));
                    }
                }
            }
            off = on.max(off).map(|s| s - GAP);
            on = (lower == a || initials & bit_a != 0)
                .then(|| MATCH + first + if whole(readings, a) { WHOLE } else { 0 });
        }
        best
    }

    /// The dynamic programme over the text's characters. State after `j`
    /// characters: how much of the query is consumed (`i`), and whether
    /// character `j - 1` matched (for the contiguity bonus).
    fn run(&self, text: &str, q: &[char], trace: bool) -> Option<(i64, Vec<usize>)> {
        let m = q.len();
        let width = m + 1;
        // Scores of [off, on] states for the current prefix of the text
        // (on the stack: this runs for millions of items per keystroke).
        let mut cur_buf = [NONE; 2 * (MAX_QUERY + 1)];
        let mut next_buf = [NONE; 2 * (MAX_QUERY + 1)];
        let (mut cur, mut next) = (&mut cur_buf[..2 * width], &mut next_buf[..2 * width]);
        cur[0] = 0;
        // The furthest query position reached so far.
        let mut reach = 0;
        // With `trace`: for each character, each state's predecessor
        // (query position and state) and whether the character matched.
        let mut back: Vec<(u16, u8)> = Vec::new();
        let letters = q.iter().fold(0, |bits, &c| bits | letter_bit(c));
        let mut n = 0;
        for (j, c) in text.chars().enumerate() {
            n = j + 1;
            next.fill(NONE);
            let lower = c.to_ascii_lowercase();
            // The query letters this character can begin.
            let initials = self.initials(c);
            if !trace && initials & letters == 0 && !q.contains(&lower) {
                // Most characters begin none of the query's letters and are
                // none of its characters: every state only skips them (a
                // gap inside the match costs), as the general step below
                // would find after more work.
                for i in 0..=reach {
                    let s = cur[i].max(cur[width + i]);
                    next[i] = if s == NONE || i == 0 || i == m { s } else { s - GAP };
                }
                std::mem::swap(&mut cur, &mut next);
                continue;
            }
            let readings = self.get(c);
            if trace {
                back.resize((j + 1) * 2 * width, (u16::MAX, 0));
            }
            let mut new_reach = reach;
            for i in 0..=reach {
                for on in 0..2 {
                    let s = cur[on * width + i];
                    if s == NONE {
                        continue;
                    }
                    // Skip the character: a gap inside the match costs.
                    let skip = if i == 0 || i == m { s } else { s - GAP };
                    relax(next, &mut back, trace, j, width, (i, 0), skip, (i, on));
                    if i == m {
                        continue;
                    }
                    let bonus = if on == 1 { CONTIGUOUS } else { 0 } + if j == 0 { FIRST } else { 0 };
                    if q[i] == lower {
                        relax(next, &mut back, trace, j, width, (i + 1, 1), s + MATCH + bonus, (i, on));
                        new_reach = new_reach.max(i + 1);
                    }
                    if initials & letter_bit(q[i]) == 0 {
                        continue;
                    }
                    for r in readings {
                        let r = r.as_bytes();
                        let mut len = 0;
                        while len < r.len() && i + len < m && q[i + len] as u32 == r[len] as u32 {
                            len += 1;
                            let whole = if len == r.len() { WHOLE } else { 0 };
                            let score = s + MATCH + bonus + SYLLABLE * (len as i64 - 1) + whole;
                            relax(next, &mut back, trace, j, width, (i + len, 1), score, (i, on));
                            new_reach = new_reach.max(i + len);
                        }
                    }
                }
            }
            reach = new_reach;
            std::mem::swap(&mut cur, &mut next);
        }
        let (best, on) = [(cur[m], 0), (cur[width + m], 1)].into_iter().max_by_key(|x| x.0)?;
        if best == NONE {
            return None;
        }
        let mut idx = Vec::new();
        if trace {
            let (mut i, mut on) = (m, on);
            for j in (0..n).rev() {
                let (pi, pon) = back[(j * 2 + on) * width + i];
                if on == 1 {
                    idx.push(j);
                }
                i = pi as usize;
                on = pon as usize;
            }
            idx.reverse();
        }
        Some((best, idx))
    }
}

/// A query ready for matching many texts (see [`Pinyin::prepare`]).
#[derive(Clone)]
pub struct Prepared {
    query: Vec<char>,
    /// The query's characters that must each begin a character's match.
    starts: Vec<char>,
    /// The most any text can score, the first character's bonus aside.
    bound: i64,
    /// Per query position, the pieces (length, most score) one character
    /// can consume from there.
    pieces: Vec<Vec<(usize, i64)>>,
    /// Per two positions `i`, `j` (at `i * len + j`) where a piece from
    /// `i` ends at `j`, the bit of the pair of letters that begin them, or
    /// 0.
    links: Vec<u64>,
    /// The pairs (`a * 26 + b`) of the links, by bit (the 65th shares the
    /// first's bit, and so on).
    pairs: Vec<usize>,
    /// Every pair's bit, and the bound of a text with none of them.
    any_link: u64,
    /// Per position `j` where a piece from the query's start ends, the
    /// bit of the pair of letters that begin it and the next piece among
    /// `start_pairs`, or 0: a text whose first character earns the first
    /// character's bonus runs on from it only if its second character
    /// begins the next piece.
    start_links: Vec<u64>,
    start_pairs: Vec<usize>,
    any_start: u64,
    /// The query's letters.
    letters: u32,
    without_links: i64,
}

impl Prepared {
    /// [`Pinyin::score_bound`] for a text that does or does not begin
    /// with a character that can begin a match ([`Pinyin::begins`]).
    pub fn bound_if(&self, begins: bool) -> i64 {
        self.bound + if begins { FIRST } else { 0 }
    }

    /// The most a text with these [`Pinyin::pair_bits`] can score: over
    /// every way to cut the query into pieces that characters consume,
    /// each piece's most, plus the bonus for a run between two pieces
    /// whose first letters are a pair of adjacent characters of the text,
    /// or less a gap (at least one character) between two that are not.
    pub fn bound_with(&self, pairs: u64, begins: bool) -> i64 {
        self.bound_for(pairs, u32::MAX, begins.then_some(u64::MAX))
    }

    /// [`Prepared::bound_with`] for a text whose characters' readings
    /// begin with the letters `initials` (its own Latin letters included):
    /// a character's match begins with one of them, so a cut of the query
    /// into pieces where a piece begins with another letter is no match.
    /// (Letters that are a whole reading, like a and o, otherwise lift the
    /// bound of every text, as if it could match them one by one.)
    ///
    /// `start`: none if the text's first character cannot begin the match
    /// ([`Pinyin::begins`]); else the bits of the pairs of its first two
    /// characters ([`Prepared::start_pairs`], [`Pinyin::start_bits`]). A
    /// match that earns the first character's bonus runs on from it only
    /// across such a pair: most texts that begin with 法 do not go on with
    /// 治, and "fzx" bounded 72k of them a bonus above their score.
    pub fn bound_for(&self, pairs: u64, initials: u32, start: Option<u64>) -> i64 {
        let every = self.letters & !initials == 0;
        let relevant = pairs & self.any_link;
        let inside = if !every {
            self.bound_by(pairs, initials)
        } else if relevant == 0 {
            // Most texts have none of the query's pairs, or all of them.
            self.without_links
        } else if relevant == self.any_link {
            // Every pair present: the programme's own bound.
            self.bound
        } else {
            self.bound_by_pairs(pairs)
        };
        match start {
            None => inside,
            Some(start) if every && relevant == self.any_link && start & self.any_start == self.any_start => {
                self.bound + FIRST
            }
            Some(start) => inside.max(self.bound_at_start(pairs, initials, start)),
        }
    }

    /// The most a match whose first piece the text's first character
    /// consumes can score (see [`Prepared::bound_for`]).
    fn bound_at_start(&self, pairs: u64, initials: u32, start: u64) -> i64 {
        let m = self.query.len();
        let best = self.best_from(pairs, initials);
        let Some(first) = self.query.first() else {
            return NONE;
        };
        if initials & letter_bit(*first) == 0 && first.is_ascii_lowercase() {
            return NONE;
        }
        let mut most = NONE;
        for &(len, score) in &self.pieces[0] {
            let rest = if len == m {
                0
            } else if best[len] == NONE {
                continue;
            } else {
                let link = self.start_links[len];
                best[len]
                    + if link == 0 || start & link != 0 {
                        CONTIGUOUS
                    } else {
                        -GAP
                    }
            };
            most = most.max(score + FIRST + rest);
        }
        most
    }

    /// Gives each pair of letters that can begin two adjacent characters'
    /// matches (a piece from `i` ending at `j`, both letters) a bit of its
    /// own, in order of appearance, 64 at most (then they share).
    fn number_pairs(&mut self) {
        let m = self.query.len();
        let letter = |c: char| c.is_ascii_lowercase().then(|| c as usize - 'a' as usize);
        self.links = vec![0; m * m];
        self.pairs.clear();
        for i in 0..m {
            for &(len, _) in &self.pieces[i] {
                let j = i + len;
                let (Some(a), Some(b)) = (letter(self.query[i]), self.query.get(j).and_then(|&c| letter(c))) else {
                    continue;
                };
                self.links[i * m + j] = 1 << (number(&mut self.pairs, a * 26 + b) % 64);
            }
        }
        self.any_link = self.links.iter().fold(0, |m, l| m | l);
        self.without_links = self.bound_by_pairs(0);
        self.start_links = vec![0; m + 1];
        self.start_pairs.clear();
        for &(len, _) in self.pieces.first().map_or(&[][..], Vec::as_slice) {
            let (Some(a), Some(b)) = (letter(self.query[0]), self.query.get(len).and_then(|&c| letter(c))) else {
                continue;
            };
            // Pieces from the start are at most a reading long: a few bits.
            self.start_links[len] = 1 << (number(&mut self.start_pairs, a * 26 + b) % 64);
        }
        self.any_start = self.start_links.iter().fold(0, |m, l| m | l);
    }

    /// The query's pairs of letters (`a * 26 + b`), by bit: bit `k % 64`
    /// of a text's pairs ([`Pinyin::pair_bits`]) says whether it has pair
    /// `k`.
    pub fn pairs(&self) -> &[usize] {
        &self.pairs
    }

    /// The pairs of letters a text's first two characters may begin a
    /// match with (its first piece's and the next's), by bit.
    pub fn start_pairs(&self) -> &[usize] {
        &self.start_pairs
    }

    /// Every bit of [`Prepared::start_pairs`].
    pub fn any_start(&self) -> u64 {
        self.any_start
    }

    /// The query's letters (bit 0 = a).
    pub fn letters(&self) -> u32 {
        self.letters
    }

    /// The query's first character (lower case).
    pub fn first(&self) -> Option<char> {
        self.query.first().copied()
    }

    /// Every bit of the query's pairs ([`Prepared::pairs`]): a text
    /// with none of them has the bound `bound_with(0, …)`.
    pub fn any_link(&self) -> u64 {
        self.any_link
    }

    /// [`Prepared::bound_with`] without the first character's bonus.
    fn bound_by_pairs(&self, pairs: u64) -> i64 {
        self.bound_by(pairs, u32::MAX)
    }

    /// [`Prepared::bound_for`] without the first character's bonus.
    fn bound_by(&self, pairs: u64, initials: u32) -> i64 {
        self.best_from(pairs, initials)[0]
    }

    /// Per query position `i`, the most the query from `i` on can add, a
    /// character's match beginning there (`NONE` if none can).
    fn best_from(&self, pairs: u64, initials: u32) -> [i64; MAX_QUERY + 1] {
        let m = self.query.len();
        // best[i]: the most the query from position `i` on can add, a
        // character's match beginning there.
        let mut best = [NONE; MAX_QUERY + 1];
        best[m] = 0;
        for i in (0..m).rev() {
            if initials & letter_bit(self.query[i]) == 0 && self.query[i].is_ascii_lowercase() {
                continue;
            }
            for &(len, score) in &self.pieces[i] {
                let j = i + len;
                let rest = if j == m {
                    0
                } else if best[j] == NONE {
                    continue;
                } else {
                    let link = self.links[i * m + j];
                    best[j]
                        + if link == 0 || pairs & link != 0 {
                            CONTIGUOUS
                        } else {
                            -GAP
                        }
                };
                best[i] = best[i].max(score + rest);
            }
        }
        best
    }
}

impl Prepared {
    /// The letters that must each be a character's initial (or the
    /// character itself), for a prefilter over many texts.
    pub fn start_letters(&self) -> u32 {
        self.starts.iter().fold(0, |m, &c| m | letter_bit(c))
    }
}

/// A query longer than this is not read as pinyin (nobody types that much
/// pinyin; it bounds the work).
const MAX_QUERY: usize = 64;
const NONE: i64 = i64::MIN;
/// Scores, on the scale of fuzzy-matcher's skim scores for Chinese: a
/// matched character, each further letter of its syllable, a whole
/// syllable, a character right after a matched one, the text's first
/// character, and each skipped character inside the match.
const MATCH: i64 = 16;
const SYLLABLE: i64 = 2;
const WHOLE: i64 = 4;
const CONTIGUOUS: i64 = 8;
const FIRST: i64 = 8;
const GAP: i64 = 1;

#[allow(clippy::too_many_arguments)]
fn relax(
    next: &mut [i64],
    back: &mut [(u16, u8)],
    trace: bool,
    j: usize,
    width: usize,
    to: (usize, usize),
    score: i64,
    from: (usize, usize),
) {
    let slot = to.1 * width + to.0;
    if score > next[slot] {
        next[slot] = score;
        if trace {
            back[(j * 2 + to.1) * width + to.0] = (from.0 as u16, from.1 as u8);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hit(text: &str, q: &str) -> Option<Vec<usize>> {
        Pinyin::for_texts([text]).fuzzy(text, q, true).map(|x| x.1)
    }

    #[test]
    fn initials_full_and_mixed() {
        let t = "茅箭区民政局";
        assert_eq!(hit(t, "mjq"), Some(vec![0, 1, 2]));
        assert_eq!(hit(t, "maojian"), Some(vec![0, 1]));
        assert_eq!(hit(t, "maoj"), Some(vec![0, 1]));
        assert_eq!(hit(t, "茅jian"), Some(vec![0, 1]));
        // 民政局 in a row beats 茅 … 政局.
        assert_eq!(hit(t, "mzj"), Some(vec![3, 4, 5]));
        assert_eq!(hit(t, "mjqmzj"), Some(vec![0, 1, 2, 3, 4, 5]));
        assert_eq!(hit("婚姻登记", "hydj"), Some(vec![0, 1, 2, 3]));
        assert_eq!(hit("办理婚姻登记", "hunyin"), Some(vec![2, 3]));
        assert_eq!(hit(t, "xyz"), None);
        assert_eq!(hit(t, "jmq"), None, "order matters");
        // Characters alone are not this matcher's business.
        assert_eq!(hit(t, "茅箭"), None);
    }

    #[test]
    fn every_reading_counts() {
        assert!(hit("长沙市", "changsha").is_some());
        assert!(hit("长春市", "zhangchun").is_some());
        assert!(hit("六安市", "luan").is_some());
        assert!(hit("六安市", "la").is_some());
        assert!(hit("蚌埠市", "bengbu").is_some());
        assert!(hit("重庆市", "chongqing").is_some());
        assert!(hit("乐亭县", "laoting").is_some());
        assert!(hit("乐清市", "yueqing").is_some());
        assert!(hit("行唐县", "xingtang").is_some());
        assert!(hit("银行", "yinhang").is_some());
        assert!(hit("绿化", "lvhua").is_some());
        assert!(hit("绿化", "luhua").is_some());
    }

    /// Texts with one-letter readings (啊 a, 嗯 n, 哦 o), Latin letters,
    /// digits, heteronyms and place names.
    const SHORTCUT_TEXTS: [&str; 8] = [
        "茅箭区民政局",
        "阿拉善盟额尔古纳市",
        "嗯，哦，啊",
        "GDP增长 6.5%",
        "发放法治宣传资料",
        "长沙市六安县乐亭",
        "行政复议案件",
        "",
    ];

    /// The shortcuts (the closed forms of one- and two-character queries,
    /// the step over characters that can match nothing) score every text
    /// as the dynamic programme's general step does (which the trace
    /// always takes).
    fn assert_shortcut_as_programme(queries: impl Iterator<Item = String>) {
        let p = Pinyin::for_texts(SHORTCUT_TEXTS);
        for q in queries {
            let Some(prepared) = p.prepare(&q) else { continue };
            for text in SHORTCUT_TEXTS {
                let fast = p.fuzzy_prepared(text, &prepared, false).map(|x| x.0);
                let full = p
                    .may_match(text, &prepared.starts)
                    .then(|| p.run(text, &prepared.query, true))
                    .flatten();
                assert_eq!(fast, full.map(|x| x.0), "{text:?} {q:?}");
            }
        }
    }

    #[test]
    fn the_one_letter_shortcut_scores_as_the_programme() {
        assert_shortcut_as_programme(('a'..='z').map(String::from));
    }

    #[test]
    fn the_two_character_shortcut_scores_as_the_programme() {
        let mut chars: Vec<char> = ('a'..='z').collect();
        chars.extend(['茅', '民', 'G', '6']);
        let pairs = chars
            .iter()
            .flat_map(|&a| chars.iter().map(move |&b| [a, b].iter().collect()));
        assert_shortcut_as_programme(pairs.collect::<Vec<String>>().into_iter());
    }

    #[test]
    fn longer_queries_skip_characters_as_the_programme() {
        let letters = ['f', 'z', 'x', 'c', 'h', 'y', 'd', 'j', 'm', 'a', 'n', 'g', '茅', '6'];
        let mut triples = Vec::new();
        for a in letters {
            for b in letters {
                triples.extend(letters.map(|c| String::from_iter([a, b, c])));
            }
        }
        let words = [
            "fzxc", "maojian", "hydj", "xzfy", "changsha", "luting", "gdp6", "茅jian", "fafang",
        ];
        assert_shortcut_as_programme(triples.into_iter().chain(words.map(String::from)));
    }

    #[test]
    fn no_text_scores_above_the_bound_and_some_reach_it() {
        let texts = [SHORTCUT_TEXTS.as_slice(), &["发放", "法治宣传", "啊哦", "fzxc", "茅箭"]].concat();
        let p = Pinyin::for_texts(texts.iter().copied());
        let letters = ['f', 'z', 'x', 'c', 'a', 'o', 'e', 'm', 'j', '茅', '6'];
        let mut queries: Vec<String> = Vec::new();
        for a in letters {
            queries.push(a.to_string());
            for b in letters {
                queries.extend(letters.map(|c| String::from_iter([a, b, c])));
                queries.push(String::from_iter([a, b]));
            }
        }
        queries.extend(["maojian", "fafang", "fzxc", "茅jian", "ao"].map(String::from));
        let mut reached = Vec::new();
        for q in &queries {
            let Some(prepared) = p.prepare(q) else { continue };
            for text in &texts {
                let Some((score, _)) = p.fuzzy_prepared(text, &prepared, false) else {
                    continue;
                };
                let bound = p.score_bound(text, &prepared);
                assert!(score <= bound, "{text:?} {q:?}: {score} > {bound}");
                if score == bound {
                    reached.push((*text, q.as_str()));
                }
            }
        }
        for tight in [("发放", "ff"), ("法治宣传", "fzxc"), ("啊哦", "ao"), ("fzxc", "fzxc")] {
            assert!(reached.contains(&tight), "{tight:?} should reach the bound");
        }
    }

    /// The bound by the text's pairs of adjacent letters, on generated
    /// texts (polyphones, Latin letters, digits, spaces) and queries cut
    /// from their readings or made of any letters: never below the score,
    /// reached by some, and below the bound without the pairs for others.
    #[test]
    fn the_bound_by_adjacent_pairs_holds_and_is_tighter() {
        let pool: Vec<char> = "长行重乐茅箭区民政局法治宣传婚姻登记安啊马码aM6 ".chars().collect();
        let mut next = {
            let mut state = 0x2545_f491_u64;
            move |n: usize| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                (state % n as u64) as usize
            }
        };
        let texts: Vec<String> = (0..300)
            .map(|_| (0..1 + next(9)).map(|_| pool[next(pool.len())]).collect())
            .collect();
        let p = Pinyin::for_texts(texts.iter().map(String::as_str));
        let (mut checked, mut reached, mut tighter) = (0, 0, 0);
        for k in 0..600 {
            // A query from a text's readings (first letters or whole
            // syllables), or random letters.
            let source = &texts[next(texts.len())];
            let q: String = if k % 3 == 2 {
                (0..1 + next(4)).map(|_| char::from(b'a' + next(26) as u8)).collect()
            } else {
                let mut q = String::new();
                for c in source.chars() {
                    match (next(3), p.get(c).first()) {
                        (0, _) => {}
                        (1, Some(r)) => q.push_str(r),
                        (_, Some(r)) => q.push_str(&r[..1]),
                        (_, None) => q.push(c),
                    }
                }
                q
            };
            let Some(prepared) = p.prepare(&q) else { continue };
            for text in &texts {
                let Some((score, _)) = p.fuzzy_prepared(text, &prepared, false) else {
                    continue;
                };
                checked += 1;
                let begins = p.begins(text.chars().next(), &prepared);
                let bound = p.score_bound(text, &prepared);
                assert!(score <= bound, "{text:?} {q:?}: {score} > {bound}");
                assert!(bound <= prepared.bound_if(begins));
                reached += usize::from(score == bound);
                tighter += usize::from(bound < prepared.bound_if(begins));
            }
        }
        assert!(
            checked > 1000 && reached > 50 && tighter > 100,
            "{checked} {reached} {tighter}"
        );
    }

    /// A text none of whose characters begins with a or o cannot match
    /// "mao" letter by letter (啊 and 哦 make a and o whole readings, the
    /// best cut when nothing else is known): only a character read "mao"
    /// can, which 民政局 lacks as well, but the initials do not tell.
    #[test]
    fn the_bound_knows_which_letters_can_begin_a_character() {
        let p = Pinyin::for_texts(["民政局", "茅箭", "啊哦"]);
        let q = p.prepare("mao").unwrap();
        let initials = p.text_initials("民政局");
        assert_eq!(initials, letter_bit('m') | letter_bit('z') | letter_bit('j'));
        // m, then a and o each a whole reading, after gaps: 16 + 20 + 20 - 2.
        assert_eq!(q.bound_with(0, false), 54);
        // Only one character taking all three letters: 16 + 2 * 2 + 4.
        assert_eq!(q.bound_for(0, initials, None), 24);
        assert!(p.fuzzy("民政局", "mao", false).is_none());
        // Without m nothing can match at all.
        assert!(q.bound_for(0, letter_bit('z'), None) < 0);
    }

    /// A query's pairs are those where one of its pieces ends and the
    /// next begins, each on a bit of its own; a text has the bits of the
    /// pairs it has.
    #[test]
    fn a_query_numbers_its_own_pairs() {
        let p = Pinyin::for_texts(["宣传", "马", "茅箭"]);
        let pair = |a: char, b: char| (a as usize - 'a' as usize) * 26 + (b as usize - 'a' as usize);
        let q = p.prepare("xc").unwrap();
        assert_eq!(q.pairs(), [pair('x', 'c')]);
        assert_eq!(q.any_link(), 1);
        assert_eq!(p.pair_bits("宣传", &q), 1);
        assert_eq!(p.pair_bits("马", &q), 0);
        // m begins pieces of at most three letters (mao): no piece from m
        // ends at the n of "maojian", so (m, n) is no pair of it.
        let q = p.prepare("maojian").unwrap();
        assert!(q.pairs().contains(&pair('m', 'j')) && q.pairs().contains(&pair('j', 'i')));
        assert!(!q.pairs().contains(&pair('m', 'n')));
        let mj = q.pairs().iter().position(|&x| x == pair('m', 'j')).unwrap();
        assert_eq!(p.pair_bits("茅箭", &q), 1 << mj);
        // More than 64 pairs share bits, and the bound still holds.
        // Letters whose neighbours differ, then syllables (64 letters).
        let long = "abdgkpvcktdoanbqgxpicxtqonnoqtxcipxgqbnaodtkcvpkxuanchuanmaojian";
        let q = p.prepare(long).unwrap();
        assert!(q.pairs().len() > 64, "{}", q.pairs().len());
        let (score, _) = p.fuzzy_prepared(long, &q, false).unwrap();
        assert!(score <= p.score_bound(long, &q));
    }

    /// A text whose first character begins the match earns the first
    /// character's bonus, but runs on from it only if its second
    /// character begins the next piece: 发放法治宣传 begins with an f, and
    /// has (f, z) and (z, x), yet scores "fzx" as 法治宣传 less the bonus.
    #[test]
    fn the_bonus_for_the_first_character_runs_on_only_across_its_pair() {
        let p = Pinyin::for_texts(["发放法治宣传", "法治宣传"]);
        let q = p.prepare("fzx").unwrap();
        let score = |text: &str| p.fuzzy_prepared(text, &q, false).unwrap().0;
        assert_eq!(score("法治宣传"), 72);
        assert_eq!(p.score_bound("法治宣传", &q), 72);
        assert_eq!(score("发放法治宣传"), 64);
        assert_eq!(p.score_bound("发放法治宣传", &q), 64);
        // Without the first two characters' pairs: the bonus on top.
        let (pairs, initials) = (p.pair_bits("发放法治宣传", &q), p.text_initials("发放法治宣传"));
        assert_eq!(q.bound_for(pairs, initials, Some(u64::MAX)), 72);
        assert_eq!(p.start_bits("发放法治宣传", &q), 0);
    }

    #[test]
    fn letters_that_must_begin_a_character() {
        let p = Pinyin::for_texts(["茅箭区民政局", "婚姻登记", "长沙"]);
        let starts = |q: &str| p.prepare(q).unwrap().starts.iter().collect::<String>();
        assert_eq!(starts("mjq"), "mjq");
        assert_eq!(starts("maojian"), "mj");
        assert_eq!(starts("hunyindengji"), "hydj");
        assert_eq!(starts("茅jian"), "茅j");
        assert_eq!(starts("changsha"), "cs");
    }

    /// The prefilter never rejects a text the programme matches: queries
    /// made of reading prefixes of a text's characters (and of characters
    /// and letters of other texts) score the same with and without it.
    #[test]
    fn the_prefilter_rejects_no_match() {
        let texts = [
            "十堰市茅箭区民政局",
            "加强法治宣传教育",
            "办理婚姻登记3020对",
            "长沙市六安县乐亭GDP",
            "行政复议案件",
        ];
        let p = Pinyin::for_texts(texts);
        let mut seed = 7u64;
        let mut next = |n: usize| {
            seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            (seed >> 33) as usize % n
        };
        for _ in 0..3000 {
            let source: Vec<char> = texts[next(texts.len())].chars().collect();
            let mut q = String::new();
            for _ in 0..1 + next(4) {
                let c = source[next(source.len())];
                let readings = p.get(c);
                if readings.is_empty() || next(5) == 0 {
                    q.push(c);
                } else {
                    let r = &readings[next(readings.len())];
                    q.push_str(&r[..1 + next(r.len())]);
                }
            }
            let Some(prepared) = p.prepare(&q) else { continue };
            for text in texts {
                let with = p.fuzzy_prepared(text, &prepared, false).map(|x| x.0);
                let without = p.run(text, &prepared.query, false).map(|x| x.0);
                assert_eq!(with, without, "{text:?} {q:?}");
            }
        }
    }

    #[test]
    fn closer_matches_score_higher() {
        let p = Pinyin::for_texts(["茅箭区民政局", "茅塔乡建设局"]);
        let a = p.fuzzy("茅箭区民政局", "mj", false).map(|x| x.0);
        let b = p.fuzzy("茅塔乡建设局", "mj", false).map(|x| x.0);
        assert!(a > b, "{a:?} {b:?}");
        let full = p.fuzzy("茅箭区民政局", "maojian", false).map(|x| x.0);
        let initials = p.fuzzy("茅箭区民政局", "mj", false).map(|x| x.0);
        assert!(full > initials);
    }
}
