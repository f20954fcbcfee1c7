//! Which palette texts have each pair of letters that can begin two
//! adjacent characters' matches (宣传 has (x, c)): a pinyin query earns
//! the bonus for a run only across its own pairs, so a text without them
//! is bounded far below the query's best ([`super::pinyin::Prepared`]).
//!
//! The sets are exact, one per pair that occurs: a pair in many texts is
//! a bitmap, a rarer one the gaps between its texts, in a code whose
//! order suits the pair ([`GapCode`]). At 100k in the worst case the
//! sets took 71 MiB with a varint byte per gap, 52 MiB in this code,
//! nearly all of them now gaps. A query
//! decodes the few dozen sets of its own pairs ([`QueryPairs`]). A 64-bit
//! filter per text, pairs sharing bits by a hash or by their counts, cost
//! less memory, but a rare pair's bit was set by the common pairs it
//! shared it with: 107k texts have (m, j), 1.24M had its bit.

use std::sync::Arc;

/// Pairs of 26 letters.
const PAIRS: usize = 26 * 26;

/// A set whose gaps take more bytes is decoded on every core.
const PARALLEL_DECODE_BYTES: usize = 16 * 1024;

/// Where one pair's texts are.
#[derive(Clone)]
enum List {
    None,
    /// One bit per text, at `words[at..]` of [`PairIndex::bitmaps`].
    Bitmap {
        at: usize,
    },
    /// The texts in order, each as its distance from the one before less
    /// one, in `code`, in [`PairIndex::gaps`]: one run of whole bytes per
    /// chunk of the texts ([`PairIndex::chunk`]; a run's first from the
    /// chunk's start), so the chunks are filled in parallel. Run `c` ends
    /// at `ends[c]`, the first starts at `start`.
    Gaps {
        start: usize,
        ends: Box<[usize]>,
        code: GapCode,
    },
}

/// The texts of every pair of letters. The sets lie in two arrays, not
/// one allocation each: hundreds of allocations of a megabyte or less
/// took a third more memory than they held.
pub struct PairIndex {
    texts: usize,
    /// Texts per chunk (whole words of a bitmap).
    chunk: usize,
    lists: Vec<List>,
    bitmaps: Box<[u64]>,
    gaps: Box<[u8]>,
}

impl Default for PairIndex {
    fn default() -> PairIndex {
        PairIndex {
            texts: 0,
            chunk: 64,
            lists: vec![List::None; PAIRS],
            bitmaps: Box::default(),
            gaps: Box::default(),
        }
    }
}

/// The bits a gap can have (0 for 0): texts are numbered in 32 bits
/// (their offsets are), so a gap is below 2^32.
const LENGTHS: usize = 33;

/// Per pair, how many gaps of each length in bits (`LENGTHS`) a chunk's
/// texts have: which decides the pair's code, and each run's exact size
/// in any code.
struct ChunkCount {
    lengths: Vec<[u32; LENGTHS]>,
}

impl ChunkCount {
    fn texts(&self, p: usize) -> usize {
        self.lengths[p].iter().map(|&n| n as usize).sum()
    }

    /// The bytes of pair `p`'s run in `code`.
    fn bytes(&self, p: usize, code: GapCode) -> usize {
        code.bits_of_lengths(&self.lengths[p]).div_ceil(8)
    }
}

/// Where one chunk's texts go: per pair, its run of gaps or its words of
/// a bitmap.
enum Place<'a> {
    None,
    Bitmap(&'a mut [u64]),
    Gaps(&'a mut [u8], GapCode),
}

impl PairIndex {
    /// The sets of `texts` texts, whose pairs `pairs_of(t, visit)` visits
    /// (each once per text). It runs twice over every text, on every core
    /// (a chunk of the texts each): to count each pair's texts and the
    /// bytes of their gaps, which decides each set's form and size, then
    /// to fill them, each chunk in its own part (no set grows).
    pub fn build(texts: usize, pairs_of: impl Fn(usize, &mut dyn FnMut(usize)) + Sync) -> PairIndex {
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).min(8);
        PairIndex::build_in_chunks(texts, texts.div_ceil(threads).max(4096), pairs_of)
    }

    /// [`PairIndex::build`] with chunks of `chunk` texts (rounded up to a
    /// whole word).
    fn build_in_chunks(
        texts: usize,
        chunk: usize,
        pairs_of: impl Fn(usize, &mut dyn FnMut(usize)) + Sync,
    ) -> PairIndex {
        let chunk = chunk.max(1).next_multiple_of(64);
        let chunks: Vec<std::ops::Range<usize>> =
            (0..texts).step_by(chunk).map(|s| s..(s + chunk).min(texts)).collect();
        let pairs_of = &pairs_of;
        let counts: Vec<ChunkCount> = std::thread::scope(|scope| {
            let handles: Vec<_> = chunks
                .iter()
                .map(|range| {
                    let range = range.clone();
                    scope.spawn(move || {
                        let mut count = ChunkCount {
                            lengths: vec![[0; LENGTHS]; PAIRS],
                        };
                        let mut last = vec![range.start as i64 - 1; PAIRS];
                        for t in range {
                            pairs_of(t, &mut |p| {
                                let gap = (t as i64 - last[p] - 1) as u64;
                                count.lengths[p][bit_length(gap).min(LENGTHS - 1)] += 1;
                                last[p] = t as i64;
                            });
                        }
                        count
                    })
                })
                .collect();
            handles.into_iter().filter_map(|h| h.join().ok()).collect()
        });
        let words = texts.div_ceil(64);
        let (mut bitmap_words, mut gap_bytes) = (0, 0);
        let lists: Vec<List> = (0..PAIRS)
            .map(|p| {
                let count: usize = counts.iter().map(|c| c.texts(p)).sum();
                let mut lengths = [0u32; LENGTHS];
                for c in &counts {
                    for (all, n) in lengths.iter_mut().zip(c.lengths[p]) {
                        *all += n;
                    }
                }
                let code = GapCode::best_for(&lengths);
                let bytes: usize = counts.iter().map(|c| c.bytes(p, code)).sum();
                if count == 0 {
                    List::None
                } else if bytes * 8 >= texts {
                    // The gaps would take more than a bit per text.
                    bitmap_words += words;
                    List::Bitmap {
                        at: bitmap_words - words,
                    }
                } else {
                    let start = gap_bytes;
                    let ends = counts
                        .iter()
                        .map(|c| {
                            gap_bytes += c.bytes(p, code);
                            gap_bytes
                        })
                        .collect();
                    List::Gaps { start, ends, code }
                }
            })
            .collect();
        let mut bitmaps = vec![0u64; bitmap_words].into_boxed_slice();
        let mut gaps = vec![0u8; gap_bytes].into_boxed_slice();
        // Each chunk's part of every set.
        let mut places: Vec<Vec<Place>> = chunks.iter().map(|_| Vec::with_capacity(PAIRS)).collect();
        let (mut bitmaps_left, mut gaps_left) = (&mut bitmaps[..], &mut gaps[..]);
        for list in &lists {
            match list {
                List::None => places.iter_mut().for_each(|p| p.push(Place::None)),
                List::Bitmap { .. } => {
                    let (bitmap, rest) = bitmaps_left.split_at_mut(words);
                    bitmaps_left = rest;
                    for (place, part) in places.iter_mut().zip(bitmap.chunks_mut(chunk / 64)) {
                        place.push(Place::Bitmap(part));
                    }
                }
                List::Gaps { start, ends, code } => {
                    let mut at = *start;
                    for (place, &end) in places.iter_mut().zip(ends.iter()) {
                        let (part, rest) = std::mem::take(&mut gaps_left).split_at_mut(end - at);
                        place.push(Place::Gaps(part, *code));
                        (gaps_left, at) = (rest, end);
                    }
                }
            }
        }
        std::thread::scope(|scope| {
            for (range, mut place) in chunks.iter().cloned().zip(places) {
                scope.spawn(move || {
                    let mut last = vec![range.start as i64 - 1; PAIRS];
                    let mut at = vec![0usize; PAIRS];
                    let first_word = range.start / 64;
                    for t in range {
                        pairs_of(t, &mut |p| match &mut place[p] {
                            Place::Bitmap(words) => {
                                if let Some(w) = words.get_mut(t / 64 - first_word) {
                                    *w |= 1 << (t % 64);
                                }
                            }
                            Place::Gaps(bytes, code) => {
                                at[p] = code.write(bytes, at[p], (t as i64 - last[p] - 1) as u64);
                                last[p] = t as i64;
                            }
                            Place::None => {}
                        });
                    }
                });
            }
        });
        PairIndex {
            texts,
            chunk,
            lists,
            bitmaps,
            gaps,
        }
    }

    /// The texts with `pair`, one bit each.
    fn bitmap(&self, pair: usize) -> Arc<[u64]> {
        let words = self.texts.div_ceil(64);
        let mut shared = zeroed(words);
        let Some(bitmap) = Arc::get_mut(&mut shared) else {
            return shared;
        };
        match self.lists.get(pair) {
            Some(List::Bitmap { at }) => {
                if let Some(words) = self.bitmaps.get(*at..at + words) {
                    bitmap.copy_from_slice(words);
                }
            }
            Some(List::Gaps { start, ends, code }) => {
                // Each chunk's run fills its own words: the runs of a
                // large set are decoded on every core.
                let mut start = *start;
                let mut jobs: Vec<(&[u8], &mut [u64])> = Vec::with_capacity(ends.len());
                for (&end, words) in ends.iter().zip(bitmap.chunks_mut(self.chunk / 64)) {
                    jobs.push((self.gaps.get(start..end).unwrap_or(&[]), words));
                    start = end;
                }
                let total: usize = jobs.iter().map(|j| j.0.len()).sum();
                let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).min(8);
                if total < PARALLEL_DECODE_BYTES || threads < 2 || jobs.len() < 2 {
                    for (run, words) in jobs {
                        code.decode_run(run, words);
                    }
                } else {
                    let per = jobs.len().div_ceil(threads);
                    std::thread::scope(|scope| {
                        let mut jobs = jobs;
                        while !jobs.is_empty() {
                            let rest = jobs.split_off(per.min(jobs.len()));
                            let mine = std::mem::replace(&mut jobs, rest);
                            scope.spawn(move || {
                                for (run, words) in mine {
                                    code.decode_run(run, words);
                                }
                            });
                        }
                    });
                }
            }
            _ => {}
        }
        shared
    }

    /// The sets of a query's pairs (`pairs`, by bit, as
    /// [`super::pinyin::Prepared::pairs`] gives them), reusing those of
    /// `previous` (the last query's: a keystroke adds a few pairs).
    pub fn for_query(&self, pairs: &[usize], previous: QueryPairs) -> QueryPairs {
        let mut decoded = previous.decoded;
        decoded.retain(|(p, _)| pairs.contains(p));
        for &p in pairs {
            if !decoded.iter().any(|(q, _)| *q == p) {
                decoded.push((p, self.bitmap(p)));
            }
        }
        let bitmap = |p: usize| decoded.iter().find(|(q, _)| *q == p).map(|(_, b)| b.clone());
        let mut sets: Vec<Arc<[u64]>> = Vec::with_capacity(pairs.len().min(64));
        for (k, &p) in pairs.iter().enumerate() {
            let Some(b) = bitmap(p) else { continue };
            if k < 64 {
                sets.push(b);
            } else if let Some(shared) = sets.get_mut(k % 64) {
                // Past 64 pairs a bit has several: the texts with any.
                *shared = shared.iter().zip(b.iter()).map(|(a, b)| a | b).collect();
            }
        }
        QueryPairs { decoded, sets }
    }
}

/// The sets of one query's pairs, by bit.
#[derive(Default)]
pub struct QueryPairs {
    /// Each pair's texts, kept for the next keystroke.
    decoded: Vec<(usize, Arc<[u64]>)>,
    sets: Vec<Arc<[u64]>>,
}

impl QueryPairs {
    /// Word `w` (texts `64 w` to `64 w + 63`) of the texts with the pair
    /// on `bit`.
    #[inline]
    pub fn word(&self, bit: usize, w: usize) -> u64 {
        self.sets.get(bit).and_then(|s| s.get(w)).copied().unwrap_or(0)
    }

    /// Word `w` of the texts with any pair on `bits`.
    pub fn any(&self, bits: u64, w: usize) -> u64 {
        let mut any = 0;
        super::palette::for_each_bit(bits, |b| any |= self.word(b, w));
        any
    }

    /// Of `bits`, those of the pairs text `t` has.
    #[inline]
    pub fn which(&self, bits: u64, t: usize) -> u64 {
        let mut out = 0;
        super::palette::for_each_bit(bits, |b| out |= (self.word(b, t / 64) >> (t % 64) & 1) << b);
        out
    }
}

/// A bitmap of `words` words, all zero, made in place (a `Vec` made into
/// an `Arc` is copied).
fn zeroed(words: usize) -> Arc<[u64]> {
    std::iter::repeat_n(0, words).collect()
}

/// The number of bits in `v` (0 for 0).
fn bit_length(v: u64) -> usize {
    64 - v.leading_zeros() as usize
}

/// A code for the gaps of one pair's set: an exponential-Golomb code of
/// order `k`. A gap below 2^k takes its k bits after a 1; a longer one of
/// b bits takes b - k in Elias gamma, then its b - 1 bits below the top
/// one. A pair whose texts are a tenth of all has gaps near 10, in about
/// 5 bits where a byte each took 8; a rare pair's take about their
/// length, as bytes of 7 bits did, but no whole byte. Bits are kept
/// lowest first; a gap's size in bits depends only on its length in
/// bits, so counts of lengths give any order's exact size.
#[derive(Clone, Copy, Debug, PartialEq)]
struct GapCode {
    k: u32,
}

impl GapCode {
    /// The order that takes the fewest bits for gaps of these lengths.
    fn best_for(lengths: &[u32; LENGTHS]) -> GapCode {
        (0..24)
            .map(|k| GapCode { k })
            .min_by_key(|code| code.bits_of_lengths(lengths))
            .unwrap_or(GapCode { k: 0 })
    }

    /// The bits a gap of `b` bits takes.
    fn bits(self, b: usize) -> usize {
        let k = self.k as usize;
        let m = b.saturating_sub(k);
        // Elias gamma of m + 1, then the gap's bits.
        2 * (bit_length(m as u64 + 1) - 1) + 1 + if m == 0 { k } else { b - 1 }
    }

    fn bits_of_lengths(self, lengths: &[u32; LENGTHS]) -> usize {
        lengths
            .iter()
            .enumerate()
            .map(|(b, &n)| n as usize * self.bits(b))
            .sum()
    }

    /// Writes `gap` at bit `at` of `out` (zeroed, with room, as counted)
    /// and returns where the next goes.
    fn write(self, out: &mut [u8], at: usize, gap: u64) -> usize {
        let b = bit_length(gap);
        let k = self.k as usize;
        let m = b.saturating_sub(k) as u64;
        let gamma = bit_length(m + 1) - 1;
        // `gamma` zeros, a one, then m + 1's bits below its top.
        let mut at = put_bits(out, at + gamma, 1, 1);
        at = put_bits(out, at, m + 1, gamma);
        if m == 0 {
            put_bits(out, at, gap, k)
        } else {
            put_bits(out, at, gap, b - 1)
        }
    }

    /// Sets the bits of the texts of `run` (one chunk's) in `words` (the
    /// chunk's words of a bitmap). Runs end in at most 7 bits of padding,
    /// shorter than any gap.
    fn decode_run(self, run: &[u8], words: &mut [u64]) {
        let mut bits = BitReader::new(run);
        let mut t = -1i64;
        while let Some(gap) = self.read(&mut bits) {
            t += gap as i64 + 1;
            if let Some(w) = words.get_mut(t as usize / 64) {
                *w |= 1 << (t % 64);
            }
        }
    }

    /// The next gap `bits` holds, or none at the end (the run's
    /// padding, or a cut gap).
    #[inline]
    fn read(self, bits: &mut BitReader) -> Option<u64> {
        bits.refill();
        // Every gap takes less than the 57 bits a refill leaves.
        let zeros = bits.buf.trailing_zeros() as usize;
        if zeros >= bits.avail || zeros >= 32 {
            return None;
        }
        bits.take(zeros + 1);
        let m = (1u64 << zeros | bits.take(zeros)) - 1;
        let width = if m == 0 {
            self.k as usize
        } else {
            self.k as usize + m as usize - 1
        };
        if width > bits.avail {
            return None;
        }
        let low = bits.take(width);
        Some(if m == 0 { low } else { 1 << width | low })
    }
}

/// Reads bits lowest first, a byte at a time into a word.
struct BitReader<'a> {
    bytes: &'a [u8],
    next: usize,
    buf: u64,
    avail: usize,
}

impl<'a> BitReader<'a> {
    fn new(bytes: &'a [u8]) -> BitReader<'a> {
        BitReader {
            bytes,
            next: 0,
            buf: 0,
            avail: 0,
        }
    }

    /// At least 57 bits in the word, unless the bytes end first.
    #[inline]
    fn refill(&mut self) {
        if self.avail > 56 {
            return;
        }
        if let Some(&[a, b, c, d, e, f, g, h]) = self.bytes.get(self.next..self.next + 8) {
            // Eight bytes at once, keeping the whole ones that fit: the
            // rest are set again, in the same places, by the next refill.
            self.buf |= u64::from_le_bytes([a, b, c, d, e, f, g, h]) << self.avail;
            let whole = (63 - self.avail) / 8;
            self.next += whole;
            self.avail += whole * 8;
            return;
        }
        while self.avail <= 56 {
            let Some(&b) = self.bytes.get(self.next) else {
                break;
            };
            self.buf |= u64::from(b) << self.avail;
            self.avail += 8;
            self.next += 1;
        }
    }

    /// The next `n` bits (fewer than 64, at most `avail`).
    #[inline]
    fn take(&mut self, n: usize) -> u64 {
        let v = self.buf & ((1u64 << n) - 1);
        self.buf >>= n;
        self.avail -= n;
        v
    }
}

/// ORs the low `n` bits of `v` into `out` at bit `at`, lowest first;
/// returns `at + n`.
fn put_bits(out: &mut [u8], at: usize, v: u64, n: usize) -> usize {
    let v = if n >= 64 { v } else { v & ((1 << n) - 1) };
    let mut bits = u128::from(v) << (at % 8);
    let mut i = at / 8;
    while bits != 0 {
        if let Some(byte) = out.get_mut(i) {
            *byte |= bits as u8;
        }
        bits >>= 8;
        i += 1;
    }
    at + n
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Pairs in every text (bitmaps), in a few (gaps, with distances past
    /// one byte), and in none: each query's sets hold exactly the texts
    /// that have the pair, whatever the form, and bits past 64 hold the
    /// texts of every pair on them.
    #[test]
    fn sets_hold_exactly_the_texts_with_each_pair() {
        let texts = 20_000;
        let pairs_of = |t: usize| -> Vec<usize> {
            let mut v = vec![0];
            if t.is_multiple_of(3) {
                v.push(1);
            }
            if t % 1000 == 7 || t == 19_999 {
                v.push(2);
            }
            if t.is_multiple_of(200) {
                v.extend(3..80);
            }
            v
        };
        // Five chunks, filled in parallel, their runs decoded in turn.
        let index = PairIndex::build_in_chunks(texts, 4096, |t, visit| pairs_of(t).into_iter().for_each(visit));
        assert_eq!(index.chunk, 4096);
        assert!(matches!(index.lists[0], List::Bitmap { .. }));
        assert!(matches!(index.lists[1], List::Bitmap { .. }));
        assert!(matches!(index.lists[2], List::Gaps { .. }));
        assert!(matches!(index.lists[100], List::None));
        let query: Vec<usize> = (0..80).chain([100]).collect();
        let q = index.for_query(&query, QueryPairs::default());
        for t in 0..texts {
            let has = pairs_of(t);
            for (k, &p) in query.iter().enumerate() {
                let on_bit: Vec<usize> = query.iter().copied().skip(k % 64).step_by(64).collect();
                let expected = on_bit.iter().any(|p| has.contains(p));
                assert_eq!(q.which(1 << (k % 64), t) != 0, expected, "text {t} pair {p}");
            }
        }
        // A keystroke later, with fewer pairs: the same sets.
        let q = index.for_query(&[2, 1], q);
        assert_eq!(q.decoded.len(), 2);
        assert_eq!(q.which(0b11, 7), 0b01);
        assert_eq!(q.which(0b11, 19_999), 0b01);
        assert_eq!(q.which(0b11, 3), 0b10);
        assert_eq!(q.which(0b11, 8), 0);
        assert_eq!(
            q.any(0b11, 0),
            (0..64)
                .filter(|t| t % 3 == 0 || t % 1000 == 7)
                .fold(0, |m, t| m | 1 << t)
        );
    }

    #[test]
    fn gaps_round_trip_in_every_order() {
        let gaps = [
            0,
            1,
            2,
            3,
            7,
            8,
            100,
            127,
            128,
            16_383,
            16_384,
            1 << 31,
            u64::from(u32::MAX),
        ];
        for k in [0, 1, 3, 7, 12, 23] {
            let code = GapCode { k };
            let mut lengths = [0u32; LENGTHS];
            for &g in &gaps {
                lengths[bit_length(g)] += 1;
            }
            let bits = code.bits_of_lengths(&lengths);
            let mut bytes = vec![0u8; bits.div_ceil(8)];
            let mut at = 0;
            for &g in &gaps {
                let next = code.write(&mut bytes, at, g);
                assert_eq!(next - at, code.bits(bit_length(g)), "k {k} gap {g}");
                at = next;
            }
            assert_eq!(at, bits);
            let mut bits = BitReader::new(&bytes);
            for &g in &gaps {
                assert_eq!(code.read(&mut bits), Some(g), "k {k}");
            }
            // The padding reads as the end.
            assert_eq!(code.read(&mut bits), None, "k {k}");
        }
        // Gaps near 10 take 5 bits in the best order.
        let mut lengths = [0u32; LENGTHS];
        lengths[bit_length(9)] = 1000;
        let best = GapCode::best_for(&lengths);
        assert_eq!((best, best.bits(4)), (GapCode { k: 4 }, 5));
    }
}
