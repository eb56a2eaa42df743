//! Whole-buffer inflate (RFC 1950 around RFC 1951) for the small streams a QR code carries.
//!
//! zlib-rs (through flate2) is built for long streams: for each dynamic-Huffman block it fills a
//! 1024-entry literal/length table and a 512-entry distance table entry by entry, and for a
//! certificate of a few hundred bytes building those tables is half of the inflate, and
//! inflate the largest cost of a verify after the signature. Here:
//! - a table is built by doubling: the codes of each length are written once each, then the
//!   filled part is copied onto the next, so a table costs a few block copies and one store
//!   per symbol; codes longer than the table's bits (rare in short streams) are decoded
//!   canonically (RFC 1951 3.2.2), bit by bit;
//! - the symbols are counted and sorted in two halves side by side, so that neighbours of
//!   equal length do not wait on each other's increment;
//! - the decoding loops work on a local copy of the bit reader, which then stays in
//!   registers; one refill serves several literals, and short matches are copied byte by byte
//!   rather than through a call to memmove.
//!
//! The input is one slice and the output one growing `Vec`, capped at `limit`. It accepts and
//! refuses what zlib's one-call inflate does (zlib-rs is the oracle in the tests): a preset
//! dictionary, a bad block type, over-subscribed or incomplete codes, a repeat with no length
//! before it, a missing end-of-block code, a distance before the start of the output, a wrong
//! Adler-32, and a stream that ends early are each an error naming the fault.

use std::sync::OnceLock;

/// Why a stream was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Fault {
    /// The data ends before the stream does.
    Truncated,
    /// The output would pass the limit.
    TooLarge,
    /// The stream is damaged; the text says how (zlib's words where it has them).
    Corrupt(&'static str),
}

/// A complete stream: the inflated bytes and how many input bytes it took (trailer included).
pub(crate) struct Inflated {
    pub(crate) data: Vec<u8>,
    pub(crate) consumed: usize,
}

type Result<T> = std::result::Result<T, Fault>;

/// Bits of the literal/length and distance lookup tables; longer codes take the slow path.
const LITLEN_BITS: u32 = 10;
const DIST_BITS: u32 = 8;
/// Largest code length in deflate, and the code-length code's.
const MAX_LEN: usize = 15;

/// Base lengths and extra bits of length symbols 257..=285.
const LEN_BASE: [u16; 29] = [
    3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131,
    163, 195, 227, 258,
];
const LEN_EXTRA: [u8; 29] = [
    0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0,
];
/// Base distances and extra bits of distance symbols 0..=29.
const DIST_BASE: [u16; 30] = [
    1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537,
    2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577,
];
const DIST_EXTRA: [u8; 30] = [
    0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13,
    13,
];
/// The order in which a dynamic block gives the code-length code's lengths.
const CODE_LENGTH_ORDER: [usize; 19] = [
    16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15,
];

/// Inflates the zlib stream at the start of `data`; bytes after it are left for the caller to
/// judge (`consumed` says where the stream ended). The caller (`zlib::inflate`) has checked the
/// header's method and check bits, with a message of its own; this checks the rest of it.
pub(crate) fn inflate(data: &[u8], limit: usize) -> Result<Inflated> {
    let (cmf, flg) = match data {
        [cmf, flg, ..] => (*cmf, *flg),
        _ => return Err(Fault::Truncated),
    };
    if cmf >> 4 > 7 {
        return Err(Fault::Corrupt("invalid window size"));
    }
    if flg & 0x20 != 0 {
        return Err(Fault::Corrupt("the stream needs a preset dictionary"));
    }
    let mut bits = Bits::new(data, 2);
    let mut out = Vec::with_capacity(data.len().saturating_mul(4).max(64).min(limit));
    // The dynamic blocks' codes, made when the first one comes.
    let mut tables: Option<(LitLen, Dist)> = None;
    loop {
        bits.refill();
        let last = bits.take(1)? == 1;
        match bits.take(2)? {
            0 => stored(&mut bits, &mut out, limit)?,
            1 => {
                let (litlen, dist) = fixed_tables()?;
                bits = codes(bits, &mut out, limit, litlen, dist)?;
            }
            2 => {
                let (litlen, dist) = tables.get_or_insert_with(|| (LitLen::empty(), Dist::empty()));
                bits = dynamic_tables(bits, litlen, dist)?;
                bits = codes(bits, &mut out, limit, litlen, dist)?;
            }
            _ => return Err(Fault::Corrupt("invalid block type")),
        }
        if last {
            break;
        }
    }
    let at = bits.byte_position();
    let trailer = data
        .get(at..)
        .and_then(<[u8]>::first_chunk::<4>)
        .ok_or(Fault::Truncated)?;
    if simd_adler32::adler32(&out.as_slice()) != u32::from_be_bytes(*trailer) {
        return Err(Fault::Corrupt("incorrect data check"));
    }
    Ok(Inflated {
        data: out,
        consumed: at + 4,
    })
}

/// Least-significant-bit-first reader over the whole input. `buf` holds `count` unread bits;
/// above them lie the input's next bits or zeros, never anything else; `pos` is the next byte
/// not yet counted.
#[derive(Clone, Copy)]
struct Bits<'a> {
    data: &'a [u8],
    pos: usize,
    buf: u64,
    count: u32,
}

impl<'a> Bits<'a> {
    fn new(data: &'a [u8], pos: usize) -> Self {
        Bits {
            data,
            pos,
            buf: 0,
            count: 0,
        }
    }

    /// Loads whole bytes until at least 56 bits are held or the input is used up.
    #[inline(always)]
    fn refill(&mut self) {
        if let Some(word) = self.data.get(self.pos..).and_then(<[u8]>::first_chunk::<8>) {
            // Whole bytes up to 56..=63 held bits: count | 56 is count + 8 * ((63 - count) / 8).
            self.buf |= u64::from_le_bytes(*word) << self.count;
            self.pos += ((63 - self.count) >> 3) as usize;
            self.count |= 56;
        } else {
            // (`count` stays below 64: the fast path above shifts by it.)
            while self.count < 56 {
                let Some(&byte) = self.data.get(self.pos) else {
                    break;
                };
                self.buf |= u64::from(byte) << self.count;
                self.pos += 1;
                self.count += 8;
            }
        }
    }

    /// The held bits without consuming them; past the end of the input they read zero, and
    /// `consume` refuses to go beyond what is held.
    #[inline(always)]
    fn peek(&self) -> u64 {
        self.buf
    }

    #[inline(always)]
    fn consume(&mut self, n: u32) -> Result<()> {
        if n > self.count {
            return Err(Fault::Truncated);
        }
        self.buf >>= n;
        self.count -= n;
        Ok(())
    }

    /// Takes `n` (≤ 32) bits that must already be held, or loads them.
    #[inline(always)]
    fn take(&mut self, n: u32) -> Result<u32> {
        if n > self.count {
            self.refill();
        }
        let v = (self.buf & ((1u64 << n) - 1)) as u32;
        self.consume(n)?;
        Ok(v)
    }

    /// Drops the bits up to the next byte boundary.
    fn align(&mut self) {
        let drop = self.count % 8;
        self.buf >>= drop;
        self.count -= drop;
    }

    /// The input position of the first unread whole byte (after `align`).
    fn byte_position(&mut self) -> usize {
        self.align();
        self.pos - (self.count / 8) as usize
    }

    /// Forgets the buffered bits and continues reading bytes at `pos`.
    fn restart_at(&mut self, pos: usize) {
        self.pos = pos;
        self.buf = 0;
        self.count = 0;
    }
}

/// A Huffman code as a lookup table of `1 << bits` entries, indexed by the next `bits` input
/// bits. An entry is `symbol << 4 | length`; zero marks a code longer than `bits` (decoded by
/// `slow`), or no code at all in the one incomplete code deflate allows.
struct Table<const N: usize> {
    entries: [u16; N],
    bits: u32,
    /// Codes per length, and the symbols sorted by (length, symbol): the canonical code.
    count: [u16; MAX_LEN + 1],
    symbols: [u16; 288],
    has_long: bool,
}

/// What a code's lengths must satisfy beyond not over-subscribing.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// Must be complete.
    CodeLengths,
    /// May be incomplete only as a single code of length one, or have no codes at all.
    Data,
}

impl<const N: usize> Table<N> {
    fn empty() -> Self {
        Table {
            entries: [0; N],
            bits: 1,
            count: [0; MAX_LEN + 1],
            symbols: [0; 288],
            has_long: false,
        }
    }

    /// Builds the code of `lengths` (one per symbol) in place, with at most `max_bits` of
    /// lookup, after checking that the lengths make a code deflate allows.
    fn build(&mut self, lengths: &[u8], max_bits: u32, kind: Kind) -> Result<()> {
        // The symbols in two halves, counted and sorted side by side: neighbours of equal
        // length then do not wait on each other's increment.
        let [count_low, count_high] = count_halves(lengths);
        let mut count = [0u16; MAX_LEN + 1];
        for ((c, l), h) in count.iter_mut().zip(count_low).zip(count_high) {
            *c = l + h;
        }
        count[0] = 0;
        let max = count.iter().rposition(|&c| c != 0).unwrap_or(0);
        // Kraft: `left` is the number of unused codes of the current length.
        let mut left: i32 = 1;
        for &c in count.iter().skip(1) {
            left = left * 2 - i32::from(c);
            if left < 0 {
                return Err(Fault::Corrupt(match kind {
                    Kind::CodeLengths => "invalid code lengths set",
                    Kind::Data => "invalid code: over-subscribed",
                }));
            }
        }
        if left > 0 && (kind == Kind::CodeLengths || max > 1) {
            return Err(Fault::Corrupt(match kind {
                Kind::CodeLengths => "invalid code lengths set",
                Kind::Data => "invalid code: incomplete",
            }));
        }
        // Symbols sorted by length, then by value: the order canonical codes are assigned in.
        // Unused symbols are sorted too, after all the others, so the loop has no branch.
        let mut offsets_low = [0u16; MAX_LEN + 1];
        let mut sum = 0;
        for (offset, &c) in offsets_low.iter_mut().zip(&count).skip(1) {
            *offset = sum;
            sum += c;
        }
        offsets_low[0] = sum;
        let (low, high) = lengths.split_at(lengths.len() / 2);
        let mut offsets_high = offsets_low;
        for (offset, c) in offsets_high.iter_mut().zip(count_low) {
            *offset += c;
        }
        let symbols = &mut self.symbols;
        let mut place = |offsets: &mut [u16; MAX_LEN + 1], sym: usize, len: u8| {
            let slot = per_length(offsets, len);
            if let Some(s) = symbols.get_mut(usize::from(*slot)) {
                *s = sym as u16;
            }
            *slot += 1;
        };
        let half = low.len();
        for (i, (&a, &b)) in low.iter().zip(high).enumerate() {
            place(&mut offsets_low, i, a);
            place(&mut offsets_high, half + i, b);
        }
        if let Some(&last) = high.get(half) {
            place(&mut offsets_high, 2 * half, last);
        }
        let bits = max_bits.min(max.max(1) as u32);
        // No code is shorter than `first`: at that size the table starts empty, and doubling
        // carries every other entry.
        let first = (1..=bits)
            .find(|&l| count.get(l as usize).is_some_and(|&c| c != 0))
            .unwrap_or(bits);
        let entries = &mut self.entries;
        entries.iter_mut().take(1 << first).for_each(|e| *e = 0);
        // Codes of length first..=bits, shortest first; after each length the table filled so
        // far (the first 2^len entries) is copied onto the next 2^len, so every entry whose low
        // `len` bits are a code's (bit-reversed) value holds that code.
        let mut code: u32 = 0;
        let mut next = 0usize;
        for len in first..=bits {
            let size = 1usize << len;
            if len > first {
                let half = size / 2;
                entries.copy_within(0..half, half);
            }
            for _ in 0..count.get(len as usize).copied().unwrap_or(0) {
                let sym = symbols.get(next).copied().unwrap_or(0);
                let at = reverse(code, len) as usize;
                if let Some(e) = entries.get_mut(at) {
                    *e = sym << 4 | len as u16;
                }
                code += 1;
                next += 1;
            }
            code <<= 1;
        }
        self.bits = bits;
        self.count = count;
        self.has_long = max as u32 > bits;
        Ok(())
    }

    /// Decodes one symbol from the held bits.
    #[inline(always)]
    fn decode(&self, bits: &mut Bits<'_>) -> Result<u16> {
        // `bits` ≤ log2(N): the second mask changes nothing but lets the bounds check go.
        let index = (bits.peek() & ((1u64 << self.bits) - 1)) as usize & (N - 1);
        let entry = self.entries.get(index).copied().unwrap_or(0);
        let (symbol, len) = if entry != 0 {
            (entry >> 4, u32::from(entry & 0xF))
        } else {
            self.slow(bits.peek())?
        };
        bits.consume(len)?;
        Ok(symbol)
    }

    /// Canonical decoding one bit at a time, for codes longer than the table's bits: the
    /// symbol and its code's length. (It takes the bits by value so that the reader's state
    /// can stay in registers in the decoding loops.)
    #[cold]
    fn slow(&self, held: u64) -> Result<(u16, u32)> {
        if !self.has_long {
            return Err(Fault::Corrupt("invalid code"));
        }
        let (mut code, mut first, mut index) = (0i32, 0i32, 0i32);
        for (len, &count) in self.count.iter().enumerate().skip(1) {
            code |= ((held >> (len - 1)) & 1) as i32;
            let count = i32::from(count);
            if code - count < first {
                let at = (index + code - first) as usize;
                let symbol = self.symbols.get(at).copied();
                return symbol
                    .map(|s| (s, len as u32))
                    .ok_or(Fault::Corrupt("invalid code"));
            }
            index += count;
            first = (first + count) << 1;
            code <<= 1;
        }
        Err(Fault::Corrupt("invalid code"))
    }
}

/// How many symbols have each length (zero included) in the first and in the second half of
/// `lengths`. Lengths are at most 15: they come from 3-bit fields and the symbols 0..=15.
fn count_halves(lengths: &[u8]) -> [[u16; MAX_LEN + 1]; 2] {
    let (low, high) = lengths.split_at(lengths.len() / 2);
    let (mut count_low, mut count_high) = ([0u16; MAX_LEN + 1], [0u16; MAX_LEN + 1]);
    for (&a, &b) in low.iter().zip(high) {
        *per_length(&mut count_low, a) += 1;
        *per_length(&mut count_high, b) += 1;
    }
    if let Some(&last) = high.get(low.len()) {
        *per_length(&mut count_high, last) += 1;
    }
    [count_low, count_high]
}

/// The slot of `len` (taken mod 16: lengths never exceed 15) in a per-length array.
#[inline(always)]
#[allow(clippy::indexing_slicing)] // masked to 0..=15, inside a 16-entry array
fn per_length(slots: &mut [u16; MAX_LEN + 1], len: u8) -> &mut u16 {
    &mut slots[usize::from(len & 15)]
}

/// The low `len` bits of `code`, reversed: deflate sends codes most significant bit first.
#[inline(always)]
fn reverse(code: u32, len: u32) -> u32 {
    code.reverse_bits() >> (32 - len)
}

type LitLen = Table<{ 1 << LITLEN_BITS }>;
type Dist = Table<{ 1 << DIST_BITS }>;

/// The fixed codes of block type 1 (RFC 1951 3.2.6), built once.
fn fixed_tables() -> Result<&'static (LitLen, Dist)> {
    static FIXED: OnceLock<Option<(LitLen, Dist)>> = OnceLock::new();
    FIXED
        .get_or_init(|| {
            let mut lengths = [0u8; 288];
            for (sym, len) in lengths.iter_mut().enumerate() {
                *len = match sym {
                    0..=143 => 8,
                    144..=255 => 9,
                    256..=279 => 7,
                    _ => 8,
                };
            }
            // Thirty distance codes and two never valid in data: 32 codes of length 5.
            let (mut litlen, mut dist) = (LitLen::empty(), Dist::empty());
            litlen.build(&lengths, LITLEN_BITS, Kind::Data).ok()?;
            dist.build(&[5u8; 32], DIST_BITS, Kind::Data).ok()?;
            Some((litlen, dist))
        })
        .as_ref()
        // The fixed lengths are complete codes, so they always build.
        .ok_or(Fault::Corrupt("the fixed codes do not build"))
}

/// Reads a dynamic block's header (RFC 1951 3.2.7) and builds its two codes.
///
/// The reader is taken and given back by value, so that its state stays in registers.
fn dynamic_tables<'a>(
    mut bits: Bits<'a>,
    litlen: &mut LitLen,
    dist: &mut Dist,
) -> Result<Bits<'a>> {
    bits.refill();
    let nlen = bits.take(5)? as usize + 257;
    let ndist = bits.take(5)? as usize + 1;
    let ncode = bits.take(4)? as usize + 4;
    if nlen > 286 || ndist > 30 {
        return Err(Fault::Corrupt("too many length or distance symbols"));
    }
    let mut code_lengths = [0u8; 19];
    for &at in CODE_LENGTH_ORDER.iter().take(ncode) {
        bits.refill();
        if let Some(l) = code_lengths.get_mut(at) {
            *l = bits.take(3)? as u8;
        }
    }
    let mut code_length_code = Table::<128>::empty();
    code_length_code.build(&code_lengths, 7, Kind::CodeLengths)?;
    let mut lengths = [0u8; 286 + 30];
    let total = nlen + ndist;
    let mut at = 0;
    while at < total {
        // A code-length code (≤ 7 bits) and its repeat count (≤ 7 bits).
        if bits.count < 14 {
            bits.refill();
        }
        let sym = code_length_code.decode(&mut bits)?;
        if sym < 16 {
            if let Some(l) = lengths.get_mut(at) {
                *l = sym as u8;
            }
            at += 1;
            continue;
        }
        let (value, repeat) = match sym {
            16 => {
                let Some(&previous) = at.checked_sub(1).and_then(|p| lengths.get(p)) else {
                    return Err(Fault::Corrupt("invalid bit length repeat"));
                };
                (previous, 3 + bits.take(2)? as usize)
            }
            17 => (0, 3 + bits.take(3)? as usize),
            _ => (0, 11 + bits.take(7)? as usize),
        };
        if at + repeat > total {
            return Err(Fault::Corrupt("invalid bit length repeat"));
        }
        // The lengths start at zero, so a run of zeros only moves on.
        if value != 0 {
            if let Some(run) = lengths.get_mut(at..at + repeat) {
                run.fill(value);
            }
        }
        at += repeat;
    }
    let (lit, distances) = lengths.split_at(nlen);
    if lit.get(256).copied().unwrap_or(0) == 0 {
        return Err(Fault::Corrupt("invalid code -- missing end-of-block"));
    }
    litlen
        .build(lit, LITLEN_BITS, Kind::Data)
        .map_err(|_| Fault::Corrupt("invalid literal/lengths set"))?;
    let distances = distances.get(..ndist).unwrap_or(&[]);
    dist.build(distances, DIST_BITS, Kind::Data)
        .map_err(|_| Fault::Corrupt("invalid distances set"))?;
    Ok(bits)
}

/// Copies a stored block (RFC 1951 3.2.4).
fn stored(bits: &mut Bits<'_>, out: &mut Vec<u8>, limit: usize) -> Result<()> {
    let start = bits.byte_position();
    let header = bits.data.get(start..start + 4).ok_or(Fault::Truncated)?;
    let (len, nlen) = match *header {
        [a, b, c, d] => (u16::from_le_bytes([a, b]), u16::from_le_bytes([c, d])),
        _ => return Err(Fault::Truncated),
    };
    if len != !nlen {
        return Err(Fault::Corrupt("invalid stored block lengths"));
    }
    let from = start + 4;
    let body = bits
        .data
        .get(from..from + usize::from(len))
        .ok_or(Fault::Truncated)?;
    if out.len() + body.len() > limit {
        return Err(Fault::TooLarge);
    }
    out.extend_from_slice(body);
    bits.restart_at(from + body.len());
    Ok(())
}

/// Decodes a Huffman-coded block's symbols up to its end-of-block code.
///
/// The reader is taken and given back by value, so that its state stays in registers.
fn codes<'a>(
    mut bits: Bits<'a>,
    out: &mut Vec<u8>,
    limit: usize,
    litlen: &LitLen,
    dist: &Dist,
) -> Result<Bits<'a>> {
    loop {
        // A code is at most 15 bits: a refill (to 56 or more) serves several literals.
        if bits.count < 15 {
            bits.refill();
        }
        let sym = litlen.decode(&mut bits)?;
        if sym < 256 {
            if out.len() >= limit {
                return Err(Fault::TooLarge);
            }
            out.push(sym as u8);
            continue;
        }
        if sym == 256 {
            return Ok(bits);
        }
        // A length's extra bits (≤ 5), the distance code (≤ 15) and its extra bits (≤ 13).
        if bits.count < 33 {
            bits.refill();
        }
        let i = usize::from(sym - 257);
        let (Some(&base), Some(&extra)) = (LEN_BASE.get(i), LEN_EXTRA.get(i)) else {
            return Err(Fault::Corrupt("invalid literal/length code"));
        };
        let length = usize::from(base) + bits.take(u32::from(extra))? as usize;
        let d = usize::from(dist.decode(&mut bits)?);
        let (Some(&base), Some(&extra)) = (DIST_BASE.get(d), DIST_EXTRA.get(d)) else {
            return Err(Fault::Corrupt("invalid distance code"));
        };
        let distance = usize::from(base) + bits.take(u32::from(extra))? as usize;
        if distance > out.len() {
            return Err(Fault::Corrupt("invalid distance too far back"));
        }
        if out.len() + length > limit {
            return Err(Fault::TooLarge);
        }
        let from = out.len() - distance;
        // Short copies byte by byte (cheaper than a call to memmove); overlapping ones too, as
        // each byte may be one the copy itself just wrote.
        if length <= 16 || distance < length {
            out.reserve(length);
            for k in from..from + length {
                let byte = out.get(k).copied().unwrap_or(0);
                out.push(byte);
            }
            continue;
        }
        let mut left = length;
        while left > 0 {
            let n = left.min(out.len() - from);
            out.extend_from_within(from..from + n);
            left -= n;
        }
    }
}
