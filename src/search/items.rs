//! Which text each palette item has, the items of each text, and each
//! item's target, in a few bits per item where arrays of 32-bit numbers
//! took 20 bytes.
//!
//! Real reports rarely repeat a heading or a figure's phrase word for word
//! (the sample reports' 354 items have 352 texts), so most items are the
//! first with their text, and a text's number is how many such items came
//! before it: one bit per item says which ([`ItemTexts`]). Only the items
//! that repeat a text, and the texts they repeat, are listed.
//!
//! Items come grouped by report, sections and figures in order, so their
//! targets are runs: a report's sections are one run of ids with
//! consecutive sub-ids ([`Targets`]).

use super::palette::FastMap;

/// Words of `fresh` per entry of `ItemTexts::ranks`.
const RANK_WORDS: usize = 8;

/// The text of each item, and the items of each text.
#[derive(Default)]
pub(super) struct ItemTexts {
    items: usize,
    /// Bit `i`: item `i` was the first with its text, whose number is then
    /// the count of such items before it.
    fresh: Vec<u64>,
    /// Per `RANK_WORDS` words of `fresh`, the bits set before them.
    ranks: Vec<u32>,
    /// The first item of every 64th text (text `64 k`).
    samples: Vec<u32>,
    /// The text of each item that repeats one, in item order.
    repeats: Vec<u32>,
    /// Bit `t`: text `t` has more than one item, listed in `lists` at the
    /// range `many[t]`, by kind, then index.
    has_many: Vec<u64>,
    many: FastMap<u32, (u32, u32)>,
    lists: Vec<u32>,
}

/// The items of one text, by kind, then index.
pub(super) enum ItemsOf<'a> {
    One(Option<u32>),
    Many(std::slice::Iter<'a, u32>),
}

impl Iterator for ItemsOf<'_> {
    type Item = u32;

    #[inline]
    fn next(&mut self) -> Option<u32> {
        match self {
            ItemsOf::One(one) => one.take(),
            ItemsOf::Many(many) => many.next().copied(),
        }
    }
}

impl ItemTexts {
    /// Room for `items` items made at once.
    pub(super) fn reserve(&mut self, items: usize) {
        self.fresh.reserve_exact(items.div_ceil(64));
    }

    /// Adds the next item, whose text is `text`: new if `fresh` (then its
    /// number is the count of fresh items so far).
    pub(super) fn push(&mut self, text: u32, fresh: bool) {
        let i = self.items;
        if i.is_multiple_of(64) {
            self.fresh.push(0);
        }
        if let Some(w) = self.fresh.last_mut()
            && fresh
        {
            *w |= 1 << (i % 64);
        }
        if !fresh {
            self.repeats.push(text);
        }
        self.items += 1;
    }

    /// Builds the directories and the lists of texts with several items;
    /// `kind_of(i)` orders a text's items (then their index).
    pub(super) fn finish(&mut self, kind_of: impl Fn(usize) -> u8) {
        self.fresh.shrink_to_fit();
        self.ranks = Vec::with_capacity(self.fresh.len().div_ceil(RANK_WORDS));
        self.samples = Vec::new();
        let mut before = 0u32;
        for (w, &word) in self.fresh.iter().enumerate() {
            if w % RANK_WORDS == 0 {
                self.ranks.push(before);
            }
            // A sample at each 64th set bit: the one that leaves `before`
            // a multiple of 64 is bit `64 k - before` of this word.
            let ones = word.count_ones();
            let next_sample = (before as usize).next_multiple_of(64);
            if next_sample < before as usize + ones as usize {
                let k = (next_sample - before as usize) as u32;
                self.samples.push((w * 64) as u32 + select_in_word(word, k));
            }
            before += ones;
        }
        let texts = before as usize;
        self.has_many = vec![0; texts.div_ceil(64)];
        // Every item of a text with several: (text, kind, item), sorted.
        let mut shared: Vec<(u32, u8, u32)> = Vec::new();
        let mut r = 0;
        for i in 0..self.items {
            if self.is_fresh(i) {
                continue;
            }
            let Some(&t) = self.repeats.get(r) else {
                break;
            };
            r += 1;
            shared.push((t, kind_of(i), i as u32));
            if let Some(w) = self.has_many.get_mut(t as usize / 64)
                && *w >> (t % 64) & 1 == 0
            {
                *w |= 1 << (t % 64);
                if let Some(first) = self.first_item(t as usize) {
                    shared.push((t, kind_of(first as usize), first));
                }
            }
        }
        shared.sort_unstable();
        self.lists = shared.iter().map(|s| s.2).collect();
        self.many = FastMap::default();
        let mut start = 0;
        for run in shared.chunk_by(|a, b| a.0 == b.0) {
            let end = start + run.len() as u32;
            self.many.insert(run[0].0, (start, end));
            start = end;
        }
        self.repeats.shrink_to_fit();
    }

    fn is_fresh(&self, i: usize) -> bool {
        self.fresh.get(i / 64).is_some_and(|w| w >> (i % 64) & 1 != 0)
    }

    /// The fresh items before item `i`.
    fn rank(&self, i: usize) -> usize {
        let w = i / 64;
        let Some(&base) = self.ranks.get(w / RANK_WORDS) else {
            return 0;
        };
        let block = self.fresh.get(w / RANK_WORDS * RANK_WORDS..w).unwrap_or_default();
        let whole: u32 = block.iter().map(|x| x.count_ones()).sum();
        let part = self
            .fresh
            .get(w)
            .map_or(0, |x| (x & ((1u64 << (i % 64)) - 1)).count_ones());
        (base + whole + part) as usize
    }

    /// The item that brought text `t`.
    #[inline]
    fn first_item(&self, t: usize) -> Option<u32> {
        let mut at = *self.samples.get(t / 64)? as usize;
        let mut k = (t % 64) as u32;
        let mut w = at / 64;
        let mut word = self.fresh.get(w)? & (u64::MAX << (at % 64));
        loop {
            let ones = word.count_ones();
            if k < ones {
                at = w * 64 + select_in_word(word, k) as usize;
                return Some(at as u32);
            }
            k -= ones;
            w += 1;
            word = *self.fresh.get(w)?;
        }
    }

    /// The text of item `i`.
    pub(super) fn text_of(&self, i: usize) -> u32 {
        let fresh_before = self.rank(i);
        if self.is_fresh(i) {
            fresh_before as u32
        } else {
            self.repeats.get(i - fresh_before).copied().unwrap_or(0)
        }
    }

    /// The items of text `t`, by kind, then index.
    #[inline]
    pub(super) fn items_of(&self, t: usize) -> ItemsOf<'_> {
        let many = self.has_many.get(t / 64).is_some_and(|w| w >> (t % 64) & 1 != 0);
        match many.then(|| self.many.get(&(t as u32))).flatten() {
            Some(&(start, end)) => ItemsOf::Many(self.lists[start as usize..end as usize].iter()),
            None => ItemsOf::One(self.first_item(t)),
        }
    }
}

/// The position of the `k`-th set bit of `word` (from 0; `k` less than
/// its count).
#[inline]
fn select_in_word(mut word: u64, mut k: u32) -> u32 {
    let mut base = 0;
    loop {
        let ones = (word & 0xFF).count_ones();
        if k < ones || base >= 56 {
            break;
        }
        k -= ones;
        word >>= 8;
        base += 8;
    }
    for _ in 0..k {
        word &= word.wrapping_sub(1);
    }
    base + word.trailing_zeros().min(63)
}

/// One run of items with the same target id and consecutive sub-ids.
#[derive(Clone, Copy)]
struct Run {
    first: u32,
    id: u32,
    sub: u32,
}

/// Each item's target id and sub-id, as runs.
#[derive(Default)]
pub(super) struct Targets {
    runs: Vec<Run>,
    /// The last item's kind, which a run shares.
    last_kind: u8,
    items: u32,
}

impl Targets {
    /// Adds the next item's target.
    pub(super) fn push(&mut self, kind: u8, id: u32, sub: u32) {
        let i = self.items;
        self.items += 1;
        if let Some(last) = self.runs.last()
            && self.last_kind == kind
            && last.id == id
            && u64::from(last.sub) + u64::from(i - last.first) == u64::from(sub)
        {
            return;
        }
        self.last_kind = kind;
        self.runs.push(Run { first: i, id, sub });
    }

    pub(super) fn finish(&mut self) {
        self.runs.shrink_to_fit();
    }

    /// Item `i`'s target id and sub-id.
    pub(super) fn get(&self, i: usize) -> (u32, u32) {
        let r = self.runs.partition_point(|r| r.first as usize <= i);
        match r.checked_sub(1).and_then(|r| self.runs.get(r)) {
            Some(run) => (run.id, run.sub + (i as u32 - run.first)),
            None => (0, 0),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn select_finds_each_set_bit() {
        for word in [
            u64::MAX,
            0x8000_0000_0000_0001,
            0xF0F0_0000_0000_0F0F,
            1 << 63,
            0b1011_0110,
        ] {
            let positions: Vec<u32> = (0..64).filter(|b| word >> b & 1 != 0).collect();
            for (k, &p) in positions.iter().enumerate() {
                assert_eq!(select_in_word(word, k as u32), p, "{word:x} {k}");
            }
        }
    }

    /// Items whose texts follow `texts` (a text is new when it is one more
    /// than the largest so far), with kinds from `kind_of`.
    fn built(texts: &[u32], kind_of: impl Fn(usize) -> u8) -> ItemTexts {
        let mut it = ItemTexts::default();
        let mut next = 0;
        for &t in texts {
            let fresh = t == next;
            if fresh {
                next += 1;
            }
            it.push(t, fresh);
        }
        it.finish(kind_of);
        it
    }

    #[test]
    fn items_and_texts_map_both_ways() {
        // Repeats early, late, across word and sample boundaries; a text
        // whose repeat has a better kind than its first item.
        let mut next_random = {
            let mut state = 0x9e37_79b9_7f4a_7c15u64;
            move |n: u32| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                (state % u64::from(n)) as u32
            }
        };
        for share in [0, 1, 5, 50] {
            let mut texts = Vec::new();
            let mut next = 0u32;
            for _ in 0..3000 {
                if next > 0 && next_random(100) < share {
                    texts.push(next_random(next));
                } else {
                    texts.push(next);
                    next += 1;
                }
            }
            let kind_of = |i: usize| (i * 7 % 4) as u8;
            let it = built(&texts, kind_of);
            assert_eq!(it.items, texts.len());
            for (i, &t) in texts.iter().enumerate() {
                assert_eq!(it.text_of(i), t, "share {share}, item {i}");
            }
            for t in 0..next {
                let mut want: Vec<(u8, u32)> = (0..texts.len())
                    .filter(|&i| texts[i] == t)
                    .map(|i| (kind_of(i), i as u32))
                    .collect();
                want.sort_unstable();
                let got: Vec<u32> = it.items_of(t as usize).collect();
                assert_eq!(
                    got,
                    want.iter().map(|w| w.1).collect::<Vec<_>>(),
                    "share {share}, text {t}"
                );
            }
            assert_eq!(it.items_of(next as usize).count(), 0);
        }
    }

    #[test]
    fn targets_keep_each_items_id_and_sub_id() {
        let mut targets = Targets::default();
        // A bureau, its reports, one report's sections 0..5, another's
        // with a gap, then figures of the first report.
        let items: Vec<(u8, u32, u32)> = [(0, 3, 0), (1, 3, 0), (1, 4, 0)]
            .into_iter()
            .chain((0..5).map(|s| (2, 3, s)))
            .chain([(2, 4, 0), (2, 4, 1), (2, 4, 7), (2, 4, 8)])
            .chain((0..4).map(|f| (3, 3, f)))
            .chain([(3, u32::MAX, u32::MAX)])
            .collect();
        for &(kind, id, sub) in &items {
            targets.push(kind, id, sub);
        }
        targets.finish();
        for (i, &(_, id, sub)) in items.iter().enumerate() {
            assert_eq!(targets.get(i), (id, sub), "item {i}");
        }
        // Runs: the bureau, two reports, the sections of 3, two runs of
        // 4's, the figures, the last.
        assert_eq!(targets.runs.len(), 8);
    }
}
