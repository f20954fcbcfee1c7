//! Which palette texts have each pair of letters that can begin two
//! adjacent characters' matches (宣传 has (x, c)): a pinyin query earns
//! the bonus for a run only across its own pairs, so a text without them
//! is bounded far below the query's best ([`super::pinyin::Prepared`]).
//!
//! The sets are exact, one per pair that occurs: a pair in many texts is
//! a bitmap, a rarer one the gaps between its texts (varints). A query
//! decodes the few dozen sets of its own pairs ([`QueryPairs`]). A 64-bit
//! filter per text, pairs sharing bits by a hash or by their counts, cost
//! less memory, but a rare pair's bit was set by the common pairs it
//! shared it with: 107k texts have (m, j), 1.24M had its bit.

use std::sync::Arc;

/// Pairs of 26 letters.
const PAIRS: usize = 26 * 26;

/// Where one pair's texts are.
#[derive(Clone)]
enum List {
    None,
    /// One bit per text, at `words[at..]` of [`PairIndex::bitmaps`].
    Bitmap {
        at: usize,
    },
    /// The texts in order, each as its distance from the one before less
    /// one, in LEB128 varints, in [`PairIndex::gaps`]: one run per chunk
    /// of the texts ([`PairIndex::chunk`]; a run's first from the chunk's
    /// start), so the chunks are filled in parallel. Run `c` ends at
    /// `ends[c]`, the first starts at `start`.
    Gaps {
        start: usize,
        ends: Box<[usize]>,
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

/// Per pair, how many texts of a chunk have it, and the bytes of their
/// gaps.
struct ChunkCount {
    texts: Vec<usize>,
    bytes: Vec<usize>,
}

/// Where one chunk's texts go: per pair, its run of gaps or its words of
/// a bitmap.
enum Place<'a> {
    None,
    Bitmap(&'a mut [u64]),
    Gaps(&'a mut [u8]),
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
                            texts: vec![0; PAIRS],
                            bytes: vec![0; PAIRS],
                        };
                        let mut last = vec![range.start as i64 - 1; PAIRS];
                        for t in range {
                            pairs_of(t, &mut |p| {
                                count.texts[p] += 1;
                                count.bytes[p] += varint_len((t as i64 - last[p] - 1) as u64);
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
                let (count, bytes) = counts.iter().fold((0, 0), |(n, b), c| (n + c.texts[p], b + c.bytes[p]));
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
                            gap_bytes += c.bytes[p];
                            gap_bytes
                        })
                        .collect();
                    List::Gaps { start, ends }
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
                List::Gaps { start, ends } => {
                    let mut at = *start;
                    for (place, &end) in places.iter_mut().zip(ends.iter()) {
                        let (part, rest) = std::mem::take(&mut gaps_left).split_at_mut(end - at);
                        place.push(Place::Gaps(part));
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
                            Place::Gaps(bytes) => {
                                at[p] = write_varint(bytes, at[p], (t as i64 - last[p] - 1) as u64);
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
            Some(List::Gaps { start, ends }) => {
                let mut start = *start;
                for (c, &end) in ends.iter().enumerate() {
                    let run = self.gaps.get(start..end).unwrap_or(&[]);
                    start = end;
                    let mut t = (c * self.chunk) as i64 - 1;
                    let mut at = 0;
                    while let Some((gap, next)) = read_varint(run, at) {
                        at = next;
                        t += gap as i64 + 1;
                        if let Some(w) = bitmap.get_mut(t as usize / 64) {
                            *w |= 1 << (t % 64);
                        }
                    }
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

fn varint_len(v: u64) -> usize {
    (64 - v.leading_zeros() as usize).max(1).div_ceil(7)
}

/// Writes `v` at `at` (where `varint_len` said it fits) and returns
/// where the next goes.
fn write_varint(out: &mut [u8], mut at: usize, mut v: u64) -> usize {
    loop {
        let byte = if v >= 0x80 { v as u8 | 0x80 } else { v as u8 };
        if let Some(b) = out.get_mut(at) {
            *b = byte;
        }
        at += 1;
        v >>= 7;
        if byte < 0x80 {
            return at;
        }
    }
}

/// The varint at `at` and where the next begins, or none at the end (or
/// in a cut one).
fn read_varint(bytes: &[u8], mut at: usize) -> Option<(u64, usize)> {
    let mut v = 0u64;
    for shift in (0..64).step_by(7) {
        let b = *bytes.get(at)?;
        at += 1;
        v |= u64::from(b & 0x7f) << shift;
        if b < 0x80 {
            return Some((v, at));
        }
    }
    None
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
    fn varints_round_trip() {
        let values = [0, 1, 127, 128, 16_383, 16_384, u64::from(u32::MAX), u64::MAX];
        let mut bytes = vec![0; values.iter().map(|&v| varint_len(v)).sum()];
        let mut at = 0;
        for v in values {
            at = write_varint(&mut bytes, at, v);
        }
        assert_eq!(at, bytes.len());
        let mut at = 0;
        for v in values {
            let (got, next) = read_varint(&bytes, at).unwrap();
            assert_eq!(got, v);
            at = next;
        }
        assert_eq!(read_varint(&bytes, at), None);
        assert_eq!(read_varint(&[0x80], 0), None);
    }
}
