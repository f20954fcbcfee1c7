//! The palette's texts in fewer bytes than UTF-8. A Chinese character
//! takes three bytes in UTF-8, and millions of headings and figure phrases
//! were the largest part of the palette's memory. Here each character
//! gets a number in the order it is first met: the first 240 take one
//! byte, the next 3,840 two, any other four. The characters a collection
//! uses most (法, 治, 政, 府, the digits…) are met in its first few
//! reports, so on the sample reports the texts take 47% of their UTF-8
//! bytes (42% with the numbers given by frequency, which would need
//! every text read before the first is stored).
//!
//! A text is decoded to score it: the few dozen nanoseconds that takes
//! are small beside the matcher's run over it.

use super::palette::FastMap;

/// Numbers below this take one byte.
const ONE_BYTE: u32 = 0xF0;
/// Lead bytes `0xF0..0xFF` carry the high bits of two-byte numbers.
const TWO_BYTES: u32 = ONE_BYTE + 15 * 256;
/// The lead byte of a four-byte number (its next three bytes,
/// big-endian, less `TWO_BYTES`).
const LONG: u8 = 0xFF;

/// Each character met so far and its number.
#[derive(Default)]
pub(super) struct Codebook {
    chars: Vec<char>,
    numbers: FastMap<char, u32>,
}

impl Codebook {
    /// Appends `text` to `out`, numbering the characters not met before.
    pub(super) fn encode(&mut self, text: &str, out: &mut Vec<u8>) {
        if self.numbers.len() < self.chars.len() {
            // After `finish`.
            self.numbers = self.chars.iter().enumerate().map(|(n, &c)| (c, n as u32)).collect();
        }
        for c in text.chars() {
            let n = match self.numbers.get(&c) {
                Some(&n) => n,
                None => {
                    let n = self.chars.len() as u32;
                    self.chars.push(c);
                    self.numbers.insert(c, n);
                    n
                }
            };
            if n < ONE_BYTE {
                out.push(n as u8);
            } else if n < TWO_BYTES {
                let m = n - ONE_BYTE;
                out.extend([ONE_BYTE as u8 + (m >> 8) as u8, m as u8]);
            } else {
                // Unicode has fewer than 2^24 characters.
                let m = n - TWO_BYTES;
                out.extend([LONG, (m >> 16) as u8, (m >> 8) as u8, m as u8]);
            }
        }
    }

    /// Appends the text that `bytes` encode to `out`. Bytes that no
    /// `encode` wrote (none reach here) decode to U+FFFD.
    pub(super) fn decode(&self, bytes: &[u8], out: &mut String) {
        let mut i = 0;
        while let Some((c, width)) = self.next(bytes, i) {
            out.push(c);
            i += width;
        }
    }

    /// The first character `bytes` encode, if any.
    pub(super) fn first(&self, bytes: &[u8]) -> Option<char> {
        self.next(bytes, 0).map(|(c, _)| c)
    }

    /// The character encoded at `bytes[i..]`, and its width in bytes.
    #[inline]
    fn next(&self, bytes: &[u8], i: usize) -> Option<(char, usize)> {
        let b = *bytes.get(i)?;
        let (n, width) = if u32::from(b) < ONE_BYTE {
            (u32::from(b), 1)
        } else if b != LONG {
            let low = bytes.get(i + 1).copied().unwrap_or(0);
            (ONE_BYTE + (u32::from(b) - ONE_BYTE) * 256 + u32::from(low), 2)
        } else {
            let rest = bytes.get(i + 1..i + 4).unwrap_or(&[0, 0, 0]);
            let m = rest.iter().fold(0, |m, &b| m << 8 | u32::from(b));
            (TWO_BYTES + m, 4)
        };
        Some((self.chars.get(n as usize).copied().unwrap_or('\u{FFFD}'), width))
    }

    /// Gives back the room the map of numbers takes: it only serves
    /// `encode`, which makes it again if called after.
    pub(super) fn finish(&mut self) {
        self.numbers = FastMap::default();
        self.chars.shrink_to_fit();
    }
}

/// Texts encoded one after the other. Where each begins is kept per 64
/// texts, with each text's length in a byte (a longer one in `long`):
/// a text is found by adding up to 63 lengths, where an end per text in
/// 32 bits took four bytes of each.
#[derive(Default)]
pub(super) struct Texts {
    book: Codebook,
    bytes: Vec<u8>,
    /// Where texts `64 k`, for each `k`, begin.
    bases: Vec<u32>,
    /// Each text's length in bytes, or `u8::MAX` if it is in `long`.
    lens: Vec<u8>,
    long: FastMap<u32, u32>,
    /// Bit `k`: a text among `64 k` to `64 k + 63` is in `long`.
    long_blocks: Vec<u64>,
    /// Where the text being added begins.
    pending: usize,
}

impl Texts {
    pub(super) fn reserve(&mut self, texts: usize) {
        self.lens.reserve_exact(texts);
    }

    /// How many texts there are.
    pub(super) fn len(&self) -> usize {
        self.lens.len()
    }

    /// Encodes `text` after the others, not yet added: either `add` or
    /// `drop_pending` follows.
    pub(super) fn encode(&mut self, text: &str) {
        self.pending = self.bytes.len();
        self.book.encode(text, &mut self.bytes);
    }

    /// Whether the pending text is text `t`.
    pub(super) fn pending_is(&self, t: usize) -> bool {
        self.bytes(t) == self.bytes.get(self.pending..).unwrap_or_default()
    }

    /// Forgets the text `encode` left pending.
    pub(super) fn drop_pending(&mut self) {
        self.bytes.truncate(self.pending);
    }

    /// Adds the pending text as the next; its number.
    pub(super) fn add(&mut self) -> usize {
        let t = self.lens.len();
        if t.is_multiple_of(64) {
            self.bases.push(self.pending as u32);
            if (t / 64).is_multiple_of(64) {
                self.long_blocks.push(0);
            }
        }
        let len = self.bytes.len() - self.pending;
        match u8::try_from(len) {
            Ok(short) if short != u8::MAX => self.lens.push(short),
            _ => {
                self.lens.push(u8::MAX);
                self.long.insert(t as u32, len as u32);
                if let Some(block) = self.long_blocks.get_mut(t / 64 / 64) {
                    *block |= 1 << (t / 64 % 64);
                }
            }
        }
        self.pending = self.bytes.len();
        t
    }

    /// Text `t`'s length in bytes.
    #[inline]
    fn len_of(&self, t: usize) -> usize {
        match self.lens.get(t) {
            Some(&u8::MAX) => self.long.get(&(t as u32)).map_or(0, |&l| l as usize),
            Some(&len) => usize::from(len),
            None => 0,
        }
    }

    /// Text `t`, encoded.
    #[inline]
    pub(super) fn bytes(&self, t: usize) -> &[u8] {
        let block = t / 64;
        let Some(&base) = self.bases.get(block) else {
            return &[];
        };
        let before = self.lens.get(block * 64..t).unwrap_or_default();
        let mut start = base as usize + before.iter().map(|&l| usize::from(l)).sum::<usize>();
        if self
            .long_blocks
            .get(block / 64)
            .is_some_and(|b| b >> (block % 64) & 1 != 0)
        {
            for (j, &l) in before.iter().enumerate() {
                if l == u8::MAX {
                    start = start - usize::from(u8::MAX) + self.len_of(block * 64 + j);
                }
            }
        }
        self.bytes.get(start..start + self.len_of(t)).unwrap_or_default()
    }

    /// Appends text `t` to `out`.
    pub(super) fn decode(&self, t: usize, out: &mut String) {
        self.book.decode(self.bytes(t), out);
    }

    /// Text `t`'s first character, if any.
    pub(super) fn first(&self, t: usize) -> Option<char> {
        self.book.first(self.bytes(t))
    }

    pub(super) fn finish(&mut self) {
        self.book.finish();
        self.bytes.shrink_to_fit();
        self.bases.shrink_to_fit();
        self.lens.shrink_to_fit();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn texts_round_trip_in_one_two_and_four_bytes() {
        let mut book = Codebook::default();
        let mut out = Vec::new();
        book.encode("发放法治宣传资料300余份", &mut out);
        // Twelve characters met for the first time, one byte each; the
        // second 0 has the first's number.
        assert_eq!(out, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 9, 10, 11]);
        // 240 more characters fill the one-byte numbers; the next take two
        // bytes, and past 4,080 four.
        let many: String = (0..5000u32).filter_map(|n| char::from_u32(0x3400 + n)).collect();
        let mut long = Vec::new();
        book.encode(&many, &mut long);
        let mut back = String::new();
        book.decode(&long, &mut back);
        assert_eq!(back, many);
        assert_eq!(book.chars.len(), 12 + 5000);
        let mut again = Vec::new();
        book.encode("放😀", &mut again);
        assert_eq!(again[0], 1);
        assert_eq!(again.len(), 1 + 4);
        let mut s = String::from("<");
        book.decode(&again, &mut s);
        assert_eq!(s, "<放😀");
        assert_eq!(book.first(&again[1..]), Some('😀'));
        assert_eq!(book.first(&[]), None);
        // A two-byte number: the 300th character met.
        let c = book.chars[300];
        let mut two = Vec::new();
        book.encode(&c.to_string(), &mut two);
        assert_eq!(two, [0xF0, 60]);
        assert_eq!(book.first(&two), Some(c));
    }

    #[test]
    fn texts_are_found_past_long_ones() {
        let mut texts = Texts::default();
        let mut want = Vec::new();
        for i in 0..300 {
            // Some texts of 255 bytes or more, in some blocks of 64.
            let text = match i % 97 {
                5 | 6 => "法".repeat(100 + i),
                7 => format!("{i}{}", "x".repeat(300)),
                _ => format!("第{i}项"),
            };
            texts.encode(&text);
            if i % 10 == 3 {
                // Pending, then dropped: not added.
                texts.drop_pending();
                continue;
            }
            assert_eq!(texts.add(), want.len());
            want.push(text);
        }
        texts.finish();
        assert_eq!(texts.len(), want.len());
        for (t, text) in want.iter().enumerate() {
            let mut s = String::new();
            texts.decode(t, &mut s);
            assert_eq!(&s, text, "text {t}");
            assert_eq!(texts.first(t), text.chars().next());
        }
        assert_eq!(texts.bytes(want.len()), b"");
    }

    #[test]
    fn numbers_survive_finish_and_bad_bytes_decode_to_a_replacement() {
        let mut book = Codebook::default();
        let mut a = Vec::new();
        book.encode("民政局", &mut a);
        book.finish();
        let mut b = Vec::new();
        book.encode("局长民", &mut b);
        assert_eq!(b, [2, 3, 0]);
        let mut s = String::new();
        book.decode(&[0, 200, 0xF3], &mut s);
        assert_eq!(s, "民\u{FFFD}\u{FFFD}");
    }
}
