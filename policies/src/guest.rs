//! The guest side of every ABI: what [`export_policy!`](crate::export_policy)
//! forwards each export to. See `docs/ABI.md` for the contract.
//!
//! A guest is single-threaded and the host never re-enters it, so state
//! lives in [`GuestCell`]s: plain cells whose contents exactly one export
//! touches at a time. Every function here returns a status instead of
//! panicking on what the host sends.

pub use crate::guest_cell::GuestCell;
use crate::wire::{
    self, BATCH_CAPACITY, BUFFER_LEN, EVICTION_WIRE_LEN, EvictionWire, REQUEST_WIRE_LEN,
    RequestWire, STATS_WIRE_LEN, Status,
};
use crate::{Answer, Cache, EvictionPolicy, Params, Request, Stats};

/// A cache a guest can host: made from a capacity and parameters, and
/// never failing after that.
pub trait GuestCache: Sized {
    /// An empty cache of `capacity` bytes (or objects) with `params`
    /// (`key=value,...`); `None` when they are not the policy's.
    fn configured(capacity: u64, params: &str) -> Option<Self>;
    /// Whether [`serve_reported`](Self::serve_reported) reports: then the
    /// guest speaks ABI version 3 and every answer can be audited; else
    /// version 2.
    const REPORTS: bool = false;
    /// The policy's name, which the `name` export hands the host for the
    /// rows of its results; `None` names the module by its file.
    const NAME: Option<&'static str> = None;

    /// Serves a request; `true` on a hit.
    fn serve(&mut self, request: Request) -> bool;

    /// Serves a request, saying whether a miss was taken in and handing
    /// `evicted` every object that left the cache while serving it. Only
    /// called when [`REPORTS`](Self::REPORTS) is set.
    fn serve_reported(&mut self, request: Request, evicted: impl FnMut(u64)) -> Answer {
        let _ = evicted;
        Answer::from_hit(self.serve(request))
    }

    /// The counters so far.
    fn counters(&mut self) -> Stats;
}

impl<P: EvictionPolicy> GuestCache for Cache<P> {
    const REPORTS: bool = true;
    const NAME: Option<&'static str> = Some(P::NAME);

    fn configured(capacity: u64, params: &str) -> Option<Self> {
        let params = Params::parse(params, P::PARAMETERS).ok()?;
        Some(Self::with_params(capacity, &params))
    }

    #[inline]
    fn serve(&mut self, request: Request) -> bool {
        self.access(request)
    }

    #[inline]
    fn serve_reported(&mut self, request: Request, evicted: impl FnMut(u64)) -> Answer {
        self.serve(request, evicted)
    }

    fn counters(&mut self) -> Stats {
        self.stats()
    }
}

/// `abi_version() -> i32`: 3 for a cache that reports, else 2.
pub const fn abi_version<C: GuestCache>() -> i32 {
    if C::REPORTS {
        wire::ABI_VERSION
    } else {
        wire::ABI_VERSION_WITHOUT_REPORTS
    }
}

/// The objects evicted since the last `evicted()` call, which the next
/// lists; nothing is recorded until the host first calls it.
struct EvictionList {
    /// Whether the host has asked for the list (it audits).
    recording: bool,
    /// Requests served since the last `evicted()`: the next one's index.
    served: u32,
    records: Vec<EvictionWire>,
    /// The list `evicted()` returned, which stays readable until the next
    /// `access*` call starts a new one.
    returned: bool,
}

impl EvictionList {
    /// Serves one request through `cache`, recording its evictions when
    /// asked; the answer and the count of evictions.
    #[inline]
    fn serve<C: GuestCache>(&mut self, cache: &mut C, request: Request) -> (Answer, usize) {
        if core::mem::take(&mut self.returned) {
            self.records.clear();
        }
        let mut count = 0;
        let answer = if self.recording {
            let (index, records) = (self.served, &mut self.records);
            self.served += 1;
            cache.serve_reported(request, |id| {
                count += 1;
                records.push(EvictionWire::new(id, index));
            })
        } else {
            cache.serve_reported(request, |_| count += 1)
        };
        (answer, count)
    }
}

static EVICTED: GuestCell<EvictionList> = GuestCell::new(EvictionList {
    recording: false,
    served: 0,
    records: Vec::new(),
    returned: false,
});

/// `evicted() -> i64` (version 3): the objects evicted since the previous
/// call, as [`EvictionWire`]s tagged with the index of the request that
/// evicted each, counted from that call: their address and count packed
/// like `buffer()`. The first call returns none and starts the recording.
pub fn evicted() -> i64 {
    EVICTED.with(|list| {
        if list.returned {
            list.records.clear();
        }
        list.recording = true;
        list.returned = true;
        list.served = 0;
        #[expect(clippy::cast_possible_truncation, reason = "within wasm32 memory")]
        let count = list.records.len() as u32;
        #[expect(clippy::cast_sign_loss, reason = "an address's bits")]
        let pointer = address(list.records.as_ptr()) as u32;
        wire::pack_buffer(pointer, count)
    })
}

const _: () = assert!(EVICTION_WIRE_LEN == 16);

/// The static buffer of the Bytemuck and Batch ABIs, whose address the host
/// learns once from `buffer()`.
static BUFFER: GuestCell<[u8; BUFFER_LEN]> = GuestCell::new([0; BUFFER_LEN]);

/// The allocation `alloc` handed out for the next `access_bincode`.
static PENDING: GuestCell<Option<Vec<u8>>> = GuestCell::new(None);

/// Where `stats()` leaves its record.
static STATS: GuestCell<[u8; STATS_WIRE_LEN]> = GuestCell::new([0; STATS_WIRE_LEN]);

/// A guest-memory address as the `i32` wasm passes it. Addresses fit: wasm32
/// memory is 4 GiB at most.
#[expect(
    clippy::cast_possible_truncation,
    clippy::cast_possible_wrap,
    reason = "wasm32 addresses are 32 bits"
)]
fn address<T>(pointer: *const T) -> i32 {
    pointer as usize as u32 as i32
}

/// Serves one request for a one-request ABI: the answer code (version 3:
/// [`wire::encode_answer`], the evictions recorded in [`EVICTED`]; version
/// 2: 1 hit, 0 miss), or a status.
fn serve<C: GuestCache>(state: &GuestCell<Option<C>>, request: Request) -> i32 {
    state.with(|cache| {
        let Some(cache) = cache.as_mut() else {
            return Status::NotInitialized as i32;
        };
        if !C::REPORTS {
            return i32::from(cache.serve(request));
        }
        EVICTED.with(|list| {
            let (answer, count) = list.serve(cache, request);
            wire::encode_answer(answer, count)
        })
    })
}

/// The message of the panic that stopped the guest, kept for the host.
static PANIC_MESSAGE: GuestCell<String> = GuestCell::new(String::new());

/// Longest panic message kept, in bytes.
const PANIC_MESSAGE_LIMIT: usize = 1024;

/// Keeps every panic's message (and where it was raised) in
/// [`PANIC_MESSAGE`] before the guest aborts, so the host can say more than
/// "unreachable". Set by `init`.
fn keep_panic_messages() {
    std::panic::set_hook(Box::new(|info| {
        let what = info.payload_as_str().unwrap_or("a panic without a message");
        let mut message = match info.location() {
            Some(place) => format!("{what} (at {place})"),
            None => what.to_owned(),
        };
        if message.len() > PANIC_MESSAGE_LIMIT {
            let mut end = PANIC_MESSAGE_LIMIT;
            while !message.is_char_boundary(end) {
                end -= 1;
            }
            message.truncate(end);
        }
        // The panic may have struck inside another cell's `with`, never
        // inside this one's: only this hook and `panic_message` touch it.
        PANIC_MESSAGE.with(|kept| *kept = message);
    }));
}

/// `panic_message() -> i64`: the last panic's message, UTF-8, as address and
/// length packed like `buffer()`; 0 if the guest has not panicked.
pub fn panic_message() -> i64 {
    PANIC_MESSAGE.with(|message| {
        if message.is_empty() {
            return 0;
        }
        #[expect(
            clippy::cast_possible_truncation,
            reason = "at most PANIC_MESSAGE_LIMIT"
        )]
        let len = message.len() as u32;
        #[expect(clippy::cast_sign_loss, reason = "an address's bits")]
        let pointer = address(message.as_ptr()) as u32;
        wire::pack_buffer(pointer, len)
    })
}

/// `name() -> i64`: the policy's name, UTF-8, as address and length packed
/// like `buffer()`; 0 when the cache has none.
pub fn name<C: GuestCache>() -> i64 {
    let Some(name) = C::NAME else {
        return 0;
    };
    #[expect(clippy::cast_possible_truncation, reason = "a policy's name")]
    let len = name.len() as u32;
    #[expect(clippy::cast_sign_loss, reason = "an address's bits")]
    let pointer = address(name.as_ptr()) as u32;
    wire::pack_buffer(pointer, len)
}

/// `init(capacity: i64, params_len: i32) -> i32`: makes the cache with the
/// parameters the host wrote at the start of the static buffer
/// (`params_len` bytes of UTF-8 `key=value,...`); 0 on success.
#[expect(clippy::cast_sign_loss, reason = "the i64 carries a u64's bits")]
pub fn init<C: GuestCache>(state: &GuestCell<Option<C>>, capacity: i64, params_len: i32) -> i32 {
    keep_panic_messages();
    let Some(len) = usize::try_from(params_len)
        .ok()
        .filter(|&len| len <= BUFFER_LEN)
    else {
        return Status::BadLength as i32;
    };
    let configured = BUFFER.with(|buffer| {
        let params = core::str::from_utf8(&buffer[..len]).ok()?;
        C::configured(capacity as u64, params)
    });
    let Some(configured) = configured else {
        return Status::BadParameters as i32;
    };
    state.with(|cache| {
        if cache.is_some() {
            return Status::AlreadyInitialized as i32;
        }
        *cache = Some(configured);
        0
    })
}

/// Pair: `access(id: i64, size: i64, next_access: i64) -> i32`.
#[expect(clippy::cast_sign_loss, reason = "the i64s carry u64 bits")]
pub fn access_pair<C: GuestCache>(
    state: &GuestCell<Option<C>>,
    id: i64,
    size: i64,
    next_access: i64,
) -> i32 {
    serve(
        state,
        Request::new(id as u64, size as u64).next_at(next_access),
    )
}

/// Bincode: `alloc(len: i32) -> i32`, a fresh buffer of `len` bytes for the
/// next `access_bincode`; 0 if `len` is negative.
pub fn alloc(len: i32) -> i32 {
    let Ok(len) = usize::try_from(len) else {
        return 0;
    };
    let buffer = vec![0; len];
    let pointer = address(buffer.as_ptr());
    PENDING.with(|pending| *pending = Some(buffer));
    pointer
}

/// Takes back the buffer `alloc` handed out, if `pointer` and `len` are
/// its address and length; the buffer is freed when dropped.
pub fn take_allocation(pointer: i32, len: i32) -> Option<Vec<u8>> {
    let buffer = PENDING.with(Option::take)?;
    (address(buffer.as_ptr()) == pointer && usize::try_from(len) == Ok(buffer.len()))
        .then_some(buffer)
}

/// Runs `f` on the static buffer of the Bytemuck and Batch ABIs.
pub fn with_buffer<R>(f: impl FnOnce(&mut [u8; BUFFER_LEN]) -> R) -> R {
    BUFFER.with(f)
}

/// Bincode: `access_bincode(ptr: i32, len: i32) -> i32`, decoding the
/// buffer `alloc` returned and freeing it.
pub fn access_bincode<C: GuestCache>(state: &GuestCell<Option<C>>, pointer: i32, len: i32) -> i32 {
    let Some(buffer) = take_allocation(pointer, len) else {
        return Status::BadLength as i32;
    };
    match wire::decode_bincode(&buffer) {
        Some(request) => serve(state, request),
        None => Status::Malformed as i32,
    }
}

/// Bytemuck and Batch: `buffer() -> i64`, the static buffer's address and
/// length packed as [`wire::pack_buffer`] says.
pub fn buffer() -> i64 {
    #[expect(clippy::cast_possible_truncation, reason = "BUFFER_LEN is 102,400")]
    let len = BUFFER_LEN as u32;
    #[expect(clippy::cast_sign_loss, reason = "an address's bits")]
    let pointer = address(BUFFER.as_ptr()) as u32;
    wire::pack_buffer(pointer, len)
}

/// Bytemuck: `access_bytemuck() -> i32`, serving the [`RequestWire`] at the
/// start of the static buffer.
pub fn access_bytemuck<C: GuestCache>(state: &GuestCell<Option<C>>) -> i32 {
    let request = BUFFER.with(|buffer| {
        let (head, _) = buffer.split_first_chunk::<REQUEST_WIRE_LEN>()?;
        Some(bytemuck::pod_read_unaligned::<RequestWire>(head).request())
    });
    match request {
        Some(request) => serve(state, request),
        None => Status::BadLength as i32,
    }
}

/// Batch: `access_batch(n: i32) -> i32`, serving the `n` [`RequestWire`]s at
/// the start of the static buffer in order and writing one flag byte per
/// request right after them (1 hit, 0 miss; version 3 also 2, a miss taken
/// in, with the evictions left for `evicted()`); returns the hits.
pub fn access_batch<C: GuestCache>(state: &GuestCell<Option<C>>, n: i32) -> i32 {
    let Some(n) = usize::try_from(n).ok().filter(|&n| n <= BATCH_CAPACITY) else {
        return Status::BadLength as i32;
    };
    state.with(|cache| {
        let Some(cache) = cache.as_mut() else {
            return Status::NotInitialized as i32;
        };
        BUFFER.with(|buffer| {
            let (requests, rest) = buffer.split_at_mut(n * REQUEST_WIRE_LEN);
            let mut hits = 0;
            if !C::REPORTS {
                for (request, flag) in wire::decode_batch(requests).zip(rest.iter_mut()) {
                    let hit = cache.serve(request);
                    *flag = u8::from(hit);
                    hits += i32::from(hit);
                }
                return hits;
            }
            EVICTED.with(|list| {
                for (request, flag) in wire::decode_batch(requests).zip(rest.iter_mut()) {
                    let (answer, _) = list.serve(cache, request);
                    *flag = wire::answer_bits(answer);
                    hits += i32::from(answer.is_hit());
                }
            });
            hits
        })
    })
}

/// `stats() -> i32`: writes the counters as [`wire::encode_stats`] lays them
/// out and returns their address; a negative status if not initialized.
pub fn stats<C: GuestCache>(state: &GuestCell<Option<C>>) -> i32 {
    let Some(stats) = state.with(|cache| cache.as_mut().map(GuestCache::counters)) else {
        return Status::NotInitialized as i32;
    };
    STATS.with(|record| *record = wire::encode_stats(&stats));
    address(STATS.as_ptr())
}
