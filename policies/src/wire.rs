//! What crosses the host/guest boundary, byte for byte. The host and every
//! guest compile this one module, so the two sides cannot drift apart.
//!
//! All integers are little-endian (WebAssembly's byte order). Signed wasm
//! parameters carry unsigned values as their bit patterns: an `i64` id of -1
//! is the id `u64::MAX`.

use bincode::{Decode, Encode};
use bytemuck::{Pod, Zeroable};

use crate::{Answer, Request, Stats};

/// The newest ABI, which a guest exports from `abi_version`. Version 2
/// carries each request's next access and the policy's parameters; version
/// 3 adds reports: each answer says whether a miss was taken in and how many
/// objects left, and `evicted()` lists them, so the host can audit every
/// answer.
pub const ABI_VERSION: i32 = 3;

/// The version a guest exports when it cannot report (a
/// [`GuestCache`](crate::guest::GuestCache) without reports): version 2.
pub const ABI_VERSION_WITHOUT_REPORTS: i32 = 2;

/// The oldest ABI the host still speaks: version 1 guests (no next
/// access, no parameters) run unchanged.
pub const OLDEST_ABI_VERSION: i32 = 1;

/// What the `access*`, `init` and `access_batch` exports return besides a
/// hit (1), a miss (0) or, for `access_batch`, a count of hits (0 or more).
#[repr(i32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    /// `init` has not been called.
    NotInitialized = -1,
    /// A length does not fit: a batch larger than the buffer, or a bincode
    /// buffer that is not the one `alloc` handed out.
    BadLength = -2,
    /// Bytes that do not decode as a request.
    Malformed = -3,
    /// `init` was called twice.
    AlreadyInitialized = -4,
    /// `init`'s parameters are not the policy's (version 2).
    BadParameters = -5,
}

impl Status {
    /// The status a code names, if any.
    #[must_use]
    pub const fn from_code(code: i32) -> Option<Self> {
        match code {
            -1 => Some(Self::NotInitialized),
            -2 => Some(Self::BadLength),
            -3 => Some(Self::Malformed),
            -4 => Some(Self::AlreadyInitialized),
            -5 => Some(Self::BadParameters),
            _ => None,
        }
    }

    /// What the status means, for error messages.
    #[must_use]
    pub const fn meaning(self) -> &'static str {
        match self {
            Self::NotInitialized => "the guest was not initialized",
            Self::BadLength => "a length the guest does not accept",
            Self::Malformed => "bytes the guest could not decode",
            Self::AlreadyInitialized => "the guest was initialized twice",
            Self::BadParameters => "parameters the policy does not take",
        }
    }
}

/// A request as the Bytemuck and Batch ABIs lay it out (version 2): `id`
/// at offset 0, `size` at 8, `next_access` (an `i64`) at 16, all
/// little-endian; 24 bytes, no padding.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Pod, Zeroable)]
pub struct RequestWire {
    id: u64,
    size: u64,
    next_access: i64,
}

/// Bytes of one [`RequestWire`].
pub const REQUEST_WIRE_LEN: usize = size_of::<RequestWire>();

impl RequestWire {
    /// A request in wire order, whatever the host's byte order.
    #[must_use]
    pub const fn new(request: Request) -> Self {
        Self {
            id: request.id.to_le(),
            size: request.size.to_le(),
            next_access: request.next_access.to_le(),
        }
    }

    /// The request these bytes hold.
    #[must_use]
    pub const fn request(self) -> Request {
        Request::new(u64::from_le(self.id), u64::from_le(self.size))
            .next_at(i64::from_le(self.next_access))
    }
}

/// Version 1's request layout, which the host still writes for version 1
/// guests: `id` then `size`, two little-endian `u64`s, 16 bytes. The
/// micro-benchmark's operands travel in it too.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Pod, Zeroable)]
pub struct RequestWireV1 {
    id: u64,
    size: u64,
}

/// Bytes of one [`RequestWireV1`].
pub const REQUEST_WIRE_V1_LEN: usize = size_of::<RequestWireV1>();

impl RequestWireV1 {
    /// A request's id and size in wire order (its next access dropped).
    #[must_use]
    pub const fn new(request: Request) -> Self {
        Self::pair(request.id, request.size)
    }

    /// Two `u64`s in wire order, as the micro-benchmark sends operands.
    #[must_use]
    pub const fn pair(first: u64, second: u64) -> Self {
        Self {
            id: first.to_le(),
            size: second.to_le(),
        }
    }

    /// The two `u64`s these bytes hold.
    #[must_use]
    pub const fn values(self) -> (u64, u64) {
        (u64::from_le(self.id), u64::from_le(self.size))
    }
}

/// Requests one Batch call can carry. The static buffer holds this many
/// requests followed by as many hit flags.
pub const BATCH_CAPACITY: usize = 4096;

/// Bytes of the static buffer of the Bytemuck and Batch ABIs.
pub const BUFFER_LEN: usize = BATCH_CAPACITY * (REQUEST_WIRE_LEN + 1);

/// The bytes of `requests` as the Batch ABI lays them out: one
/// [`RequestWire`] after another. On a little-endian host a `Request`'s
/// bytes are already wire bytes and are borrowed as they are; elsewhere they
/// are encoded into `scratch`.
pub fn encode_batch<'a>(requests: &'a [Request], scratch: &'a mut Vec<u8>) -> &'a [u8] {
    if cfg!(target_endian = "little") {
        // `Request` is `repr(C)`, `id`, `size`, `next_access`: the wire's
        // field order.
        return bytemuck::cast_slice(requests);
    }
    scratch.clear();
    for &request in requests {
        scratch.extend_from_slice(bytemuck::bytes_of(&RequestWire::new(request)));
    }
    scratch
}

/// The bytes of `requests` as version 1's Batch ABI lays them out: one
/// [`RequestWireV1`] after another, encoded into `scratch`.
pub fn encode_batch_v1<'a>(requests: &[Request], scratch: &'a mut Vec<u8>) -> &'a [u8] {
    scratch.clear();
    for &request in requests {
        scratch.extend_from_slice(bytemuck::bytes_of(&RequestWireV1::new(request)));
    }
    scratch
}

/// The requests in `bytes`, as [`encode_batch`] laid them out; trailing
/// bytes short of a whole request are ignored.
pub fn decode_batch(bytes: &[u8]) -> impl Iterator<Item = Request> + '_ {
    bytes
        .as_chunks::<REQUEST_WIRE_LEN>()
        .0
        .iter()
        .map(|wire| bytemuck::pod_read_unaligned::<RequestWire>(wire).request())
}

/// Why a guest's hit flags were refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FlagError {
    /// A flag byte the ABI does not define: other than 0 (miss) or 1 (hit),
    /// or in version 3 also 2 (a miss taken in).
    NotAFlag(u8),
    /// `access_batch` returned one count of hits and flagged another.
    Miscounted {
        /// What `access_batch` returned.
        returned: i32,
        /// How many flags were 1.
        flagged: usize,
    },
}

/// Reads the hit flags `access_batch` wrote, checking each is 0 or 1 and
/// that they add up to `returned`, the hits it reported; appends them to
/// `hits` only when all of that holds.
pub fn decode_hit_flags(
    flags: &[u8],
    returned: i32,
    hits: &mut Vec<bool>,
) -> Result<(), FlagError> {
    decode_flags(flags, 1, returned, hits)
}

/// [`decode_hit_flags`] for version 3's flags (0 a miss refused, 1 a hit,
/// 2 a miss taken in): which requests hit, for a run that wants no more.
pub fn decode_answer_hits(
    flags: &[u8],
    returned: i32,
    hits: &mut Vec<bool>,
) -> Result<(), FlagError> {
    decode_flags(flags, 2, returned, hits)
}

/// Appends which `flags` are 1 to `hits` in one pass, then takes them back
/// unless every flag is at most `highest` and the ones add up to
/// `returned`: the host's one pass over a batch's flags.
fn decode_flags(
    flags: &[u8],
    highest: u8,
    returned: i32,
    hits: &mut Vec<bool>,
) -> Result<(), FlagError> {
    let kept = hits.len();
    let mut largest = 0_u8;
    let mut flagged = 0_usize;
    hits.extend(flags.iter().map(|&flag| {
        largest = largest.max(flag);
        flagged += usize::from(flag == 1);
        flag == 1
    }));
    if largest > highest {
        hits.truncate(kept);
        let bad = flags.iter().copied().find(|&flag| flag > highest);
        return Err(FlagError::NotAFlag(bad.unwrap_or(largest)));
    }
    if usize::try_from(returned) != Ok(flagged) {
        hits.truncate(kept);
        return Err(FlagError::Miscounted { returned, flagged });
    }
    Ok(())
}

/// Packs the static buffer's address into the one `i64` that `buffer()`
/// returns: the pointer in the low 32 bits, the length in the high 32.
#[must_use]
pub const fn pack_buffer(pointer: u32, len: u32) -> i64 {
    ((len as u64) << 32 | pointer as u64) as i64
}

/// Splits what `buffer()` returned into pointer and length.
#[must_use]
#[expect(
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss,
    reason = "unpacking two u32 halves"
)]
pub const fn unpack_buffer(packed: i64) -> (u32, u32) {
    let packed = packed as u64;
    (packed as u32, (packed >> 32) as u32)
}

/// Two `u64`s as the Bincode ABI encodes them, with [`bincode_config`]:
/// each a bincode variable-length unsigned integer (a value below 251 is one
/// byte; otherwise a tag byte 251, 252 or 253 followed by a little-endian
/// `u16`, `u32` or `u64`). 2 to 18 bytes. A version 1 request is its id then
/// its size; the micro-benchmark's operands are `a` then `b`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Encode, Decode)]
struct BincodePair {
    first: u64,
    second: u64,
}

/// A version 2 request as the Bincode ABI encodes it: the id and the size as
/// [`BincodePair`]'s, then the next access as a bincode signed varint (the
/// zigzag of the `i64`, then as an unsigned varint: -1 is one byte, `01`).
/// 3 to 27 bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Encode, Decode)]
struct BincodeRequest {
    id: u64,
    size: u64,
    next_access: i64,
}

/// The bincode configuration of the Bincode ABI: bincode 2's `standard()`,
/// little-endian with variable-length integers and no size limit.
#[must_use]
pub const fn bincode_config() -> bincode::config::Configuration {
    bincode::config::standard()
}

/// The longest a Bincode-encoded pair (a version 1 request) can be.
pub const BINCODE_PAIR_MAX_LEN: usize = 18;

/// The longest a Bincode-encoded (version 2) request can be.
pub const BINCODE_MAX_LEN: usize = 27;

/// Encodes two `u64`s for the Bincode ABI into `out`, returning the length.
pub fn encode_bincode_pair(first: u64, second: u64, out: &mut [u8; BINCODE_PAIR_MAX_LEN]) -> usize {
    // Two u64 varints take at most 18 bytes, so the buffer always suffices.
    bincode::encode_into_slice(BincodePair { first, second }, out, bincode_config()).unwrap_or(0)
}

/// Decodes two Bincode-ABI `u64`s, which must fill `bytes` exactly.
pub fn decode_bincode_pair(bytes: &[u8]) -> Option<(u64, u64)> {
    let (pair, read): (BincodePair, usize) =
        bincode::decode_from_slice(bytes, bincode_config()).ok()?;
    (read == bytes.len()).then_some((pair.first, pair.second))
}

/// Encodes `request` for the (version 2) Bincode ABI into `out`, returning
/// the length.
pub fn encode_bincode(request: Request, out: &mut [u8; BINCODE_MAX_LEN]) -> usize {
    let wire = BincodeRequest {
        id: request.id,
        size: request.size,
        next_access: request.next_access,
    };
    // Two u64 varints and an i64 one take at most 27 bytes.
    bincode::encode_into_slice(wire, out, bincode_config()).unwrap_or(0)
}

/// Decodes a (version 2) Bincode-ABI request, which must fill `bytes`
/// exactly.
pub fn decode_bincode(bytes: &[u8]) -> Option<Request> {
    let (wire, read): (BincodeRequest, usize) =
        bincode::decode_from_slice(bytes, bincode_config()).ok()?;
    (read == bytes.len()).then_some(Request::new(wire.id, wire.size).next_at(wire.next_access))
}

/// An object a version 3 guest evicted, as `evicted()` lists them: `id` at
/// offset 0, at 8 the index among the call's requests of the request that
/// evicted it (a `u32`; 0 for the one-request ABIs), 4 bytes reserved (0);
/// 16 bytes, little-endian.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Pod, Zeroable)]
pub struct EvictionWire {
    /// The evicted object.
    pub id: u64,
    /// The request that evicted it, counted from 0 within the call.
    pub request: u32,
    /// Zero.
    pub reserved: u32,
}

/// Bytes of one [`EvictionWire`].
pub const EVICTION_WIRE_LEN: usize = size_of::<EvictionWire>();

impl EvictionWire {
    /// The record of `id`, evicted by the call's request `request`.
    #[must_use]
    pub const fn new(id: u64, request: u32) -> Self {
        Self {
            id: id.to_le(),
            request: request.to_le(),
            reserved: 0,
        }
    }

    /// The id and request index, in host order.
    #[must_use]
    pub const fn values(self) -> (u64, u32) {
        (u64::from_le(self.id), u32::from_le(self.request))
    }
}

/// A version 3 answer's low bits, in a one-request ABI's return code and in
/// each of Batch's flag bytes: 1 a hit, 2 a miss taken in, 0 a miss not
/// taken in.
#[must_use]
pub const fn answer_bits(answer: Answer) -> u8 {
    match answer {
        Answer::Hit => 1,
        Answer::Admitted => 2,
        Answer::Refused | Answer::Missed => 0,
    }
}

/// The answer low bits name, if any (3 names none).
#[must_use]
pub const fn answer_of_bits(bits: u8) -> Option<Answer> {
    match bits {
        0 => Some(Answer::Refused),
        1 => Some(Answer::Hit),
        2 => Some(Answer::Admitted),
        _ => None,
    }
}

/// A version 3 one-request ABI's return code: the answer's bits, and above
/// them (from bit 2) how many objects the request evicted, which
/// `evicted()` lists.
#[must_use]
pub fn encode_answer(answer: Answer, evictions: usize) -> i32 {
    let evictions =
        i32::try_from(evictions).map_or(i32::MAX >> 2, |count| count.min(i32::MAX >> 2));
    i32::from(answer_bits(answer)) | evictions << 2
}

/// What [`encode_answer`] encoded: the answer and the count of evictions;
/// `None` for a negative code (a status) or bits 3.
#[must_use]
#[expect(clippy::cast_sign_loss, reason = "checked non-negative")]
pub const fn decode_answer(code: i32) -> Option<(Answer, u32)> {
    if code < 0 {
        return None;
    }
    match answer_of_bits((code & 3) as u8) {
        Some(answer) => Some((answer, (code >> 2) as u32)),
        None => None,
    }
}

/// Reads the flags a version 3 `access_batch` wrote, each an
/// [`answer_bits`] value, checking the hits add up to `returned`; appends
/// the answers only when all of that holds.
pub fn decode_answer_flags(
    flags: &[u8],
    returned: i32,
    answers: &mut Vec<Answer>,
) -> Result<(), FlagError> {
    if let Some(&bad) = flags.iter().find(|&&flag| flag > 2) {
        return Err(FlagError::NotAFlag(bad));
    }
    let flagged = flags.iter().filter(|&&flag| flag == 1).count();
    if usize::try_from(returned) != Ok(flagged) {
        return Err(FlagError::Miscounted { returned, flagged });
    }
    answers.extend(flags.iter().filter_map(|&flag| answer_of_bits(flag)));
    Ok(())
}

/// Bytes of the stats record `stats()` points to.
pub const STATS_WIRE_LEN: usize = 72;

/// Encodes stats as nine little-endian `u64`s: requests, hits,
/// bytes_requested (low, high), bytes_hit (low, high), evictions, objects,
/// bytes_held.
#[must_use]
#[expect(
    clippy::cast_possible_truncation,
    reason = "splitting u128s into u64 halves"
)]
pub fn encode_stats(stats: &Stats) -> [u8; STATS_WIRE_LEN] {
    let words = [
        stats.requests,
        stats.hits,
        stats.bytes_requested as u64,
        (stats.bytes_requested >> 64) as u64,
        stats.bytes_hit as u64,
        (stats.bytes_hit >> 64) as u64,
        stats.evictions,
        stats.objects,
        stats.bytes_held,
    ];
    let mut bytes = [0; STATS_WIRE_LEN];
    for (chunk, word) in bytes.chunks_exact_mut(8).zip(words) {
        chunk.copy_from_slice(&word.to_le_bytes());
    }
    bytes
}

/// Decodes what [`encode_stats`] wrote.
#[must_use]
pub fn decode_stats(bytes: &[u8; STATS_WIRE_LEN]) -> Stats {
    let (words, _) = bytes.as_chunks::<8>();
    let word = |index: usize| {
        words
            .get(index)
            .map_or(0, |bytes| u64::from_le_bytes(*bytes))
    };
    let wide = |low: usize| u128::from(word(low)) | u128::from(word(low + 1)) << 64;
    Stats {
        requests: word(0),
        hits: word(1),
        bytes_requested: wide(2),
        bytes_hit: wide(4),
        evictions: word(6),
        objects: word(7),
        bytes_held: word(8),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codecs_round_trip_at_the_edges() {
        for (id, size, next) in [
            (0, 1, -1),
            (250, 251, 1),
            (u64::from(u32::MAX), 1 << 40, i64::MAX),
            (u64::MAX, u64::MAX, i64::MIN),
        ] {
            let request = Request::new(id, size).next_at(next);
            assert_eq!(RequestWire::new(request).request(), request);
            assert_eq!(RequestWireV1::new(request).values(), (id, size));
            let mut bytes = [0; BINCODE_MAX_LEN];
            let len = encode_bincode(request, &mut bytes);
            assert_eq!(decode_bincode(&bytes[..len]), Some(request));
            assert_eq!(decode_bincode(&bytes[..len - 1]), None, "a short buffer");
        }
        let stats = Stats {
            requests: 1,
            hits: 2,
            bytes_requested: u128::MAX - 3,
            bytes_hit: 1 << 70,
            evictions: 5,
            objects: 6,
            bytes_held: u64::MAX,
        };
        assert_eq!(decode_stats(&encode_stats(&stats)), stats);
        assert_eq!(
            unpack_buffer(pack_buffer(0xdead_beef, 69_632)),
            (0xdead_beef, 69_632)
        );
    }

    #[test]
    fn layouts_are_what_the_abi_document_says() {
        let request = Request::new(0x0102, 0x0304).next_at(0x0506);
        let bytes = bytemuck::bytes_of(&RequestWire::new(request)).to_vec();
        assert_eq!(
            bytes,
            [
                2, 1, 0, 0, 0, 0, 0, 0, 4, 3, 0, 0, 0, 0, 0, 0, 6, 5, 0, 0, 0, 0, 0, 0
            ]
        );
        let v1 = bytemuck::bytes_of(&RequestWireV1::new(request)).to_vec();
        assert_eq!(v1, [2, 1, 0, 0, 0, 0, 0, 0, 4, 3, 0, 0, 0, 0, 0, 0]);
        let mut out = [0; BINCODE_MAX_LEN];
        let len = encode_bincode(Request::new(7, 300), &mut out);
        assert_eq!(&out[..len], [7, 251, 44, 1, 1], "-1 is zigzag 1");
        let len = encode_bincode(Request::new(7, 300).next_at(2), &mut out);
        assert_eq!(&out[..len], [7, 251, 44, 1, 4], "2 is zigzag 4");
        let mut pair = [0; BINCODE_PAIR_MAX_LEN];
        let len = encode_bincode_pair(7, 300, &mut pair);
        assert_eq!(&pair[..len], [7, 251, 44, 1]);
    }

    #[test]
    fn the_batch_codec_round_trips_and_refuses_bad_flags() {
        let requests = [
            Request::new(1, 2).next_at(5),
            Request::new(u64::MAX, 1 << 33),
        ];
        let mut scratch = Vec::new();
        let bytes = encode_batch(&requests, &mut scratch).to_vec();
        assert_eq!(bytes.len(), 2 * REQUEST_WIRE_LEN);
        assert!(decode_batch(&bytes).eq(requests));
        assert_eq!(decode_batch(&bytes[..REQUEST_WIRE_LEN + 3]).count(), 1);
        let v1 = encode_batch_v1(&requests, &mut scratch).to_vec();
        assert_eq!(v1.len(), 2 * REQUEST_WIRE_V1_LEN);
        assert_eq!(&v1[..8], 1u64.to_le_bytes());

        let mut hits = Vec::new();
        assert_eq!(decode_hit_flags(&[1, 0, 1], 2, &mut hits), Ok(()));
        assert_eq!(hits, [true, false, true]);
        let mut hits = Vec::new();
        assert_eq!(
            decode_hit_flags(&[1, 2], 1, &mut hits),
            Err(FlagError::NotAFlag(2))
        );
        assert_eq!(
            decode_hit_flags(&[1, 1], 1, &mut hits),
            Err(FlagError::Miscounted {
                returned: 1,
                flagged: 2
            })
        );
        assert_eq!(
            decode_hit_flags(&[0], -2, &mut hits),
            Err(FlagError::Miscounted {
                returned: -2,
                flagged: 0
            })
        );
        assert!(hits.is_empty(), "nothing kept from refused flags");
        // Version 3: 2 (a miss taken in) is a flag too, not a hit.
        assert_eq!(decode_answer_hits(&[2, 1, 0], 1, &mut hits), Ok(()));
        assert_eq!(hits, [false, true, false]);
        assert_eq!(
            decode_answer_hits(&[1, 3], 1, &mut hits),
            Err(FlagError::NotAFlag(3))
        );
        assert_eq!(hits.len(), 3, "nothing kept from refused flags");
    }
}
