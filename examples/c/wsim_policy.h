/*
 * The wsim guest ABI, version 3 (docs/ABI.md), for policies written in C:
 * the Bytemuck and Batch ABIs, `init`, `stats`, `abi_version` and the
 * reports of version 3 (`evicted`, answer codes), and the cache contract
 * of DESIGN.md (hits, refusing objects larger than the cache, evicting
 * until an object fits, the counters).
 *
 * Define WSIM_ABI_VERSION as 2 or 1 before including it for a module that
 * speaks an older version, which wsim still runs unchanged: version 2
 * reports nothing (so wsim's audit can make only the checks that need no
 * reports), version 1 also has 16-byte requests and `init(capacity)`.
 * These C policies take no parameters, so `init` refuses any
 * (WSIM_BAD_PARAMETERS), and they have no use for the next access, which
 * the header reads past.
 *
 * A policy includes this header once and defines:
 *
 *   int      policy_hit(uint64_t id);   1 if cached (recording the hit), else 0
 *   void     policy_admit(uint64_t id, uint64_t size);  caches an absent id
 *   uint64_t policy_evict(void);        removes the next victim with wsim_drop,
 *                                       returns its size
 *   void     policy_init(void);         called once, from `init`
 *
 * and may define WSIM_POLICY_NAME ("mru") before including it: the
 * optional `name` export hands it to wsim, which names the policy's rows
 * by it instead of by the module's file name.
 *
 * The header keeps the objects for it: a list from oldest to newest
 * (wsim_admit appends, wsim_drop removes, wsim_make_newest moves a node to
 * the newest end) and an index from id to node (wsim_find). wsim_drop is how objects leave: it also lists them for
 * `evicted`, so the host can audit every answer. Memory comes from
 * wsim_alloc: fresh zeroed pages, never freed. Build with:
 *
 *   clang --target=wasm32-unknown-unknown -O2 -ffreestanding -nostdlib \
 *         -Wl,--no-entry -o policy.wasm policy.c
 */
#ifndef WSIM_POLICY_H
#define WSIM_POLICY_H

typedef unsigned char uint8_t;
typedef int int32_t;
typedef unsigned int uint32_t;
typedef long long int64_t;
typedef unsigned long long uint64_t;
typedef __SIZE_TYPE__ size_t;
typedef __UINTPTR_TYPE__ uintptr_t;

#define WSIM_EXPORT(name) __attribute__((export_name(name)))

#ifndef WSIM_ABI_VERSION
#define WSIM_ABI_VERSION 3
#endif
#if WSIM_ABI_VERSION == 3 || WSIM_ABI_VERSION == 2
/* A request record: id, size, next access (docs/ABI.md, "Request record"). */
#define WSIM_RECORD 24
#elif WSIM_ABI_VERSION == 1
/* A request record: id, size. */
#define WSIM_RECORD 16
#else
#error "WSIM_ABI_VERSION must be 1, 2 or 3"
#endif

/* Status codes (docs/ABI.md, "Status codes"). */
enum {
    WSIM_NOT_INITIALIZED = -1,
    WSIM_BAD_LENGTH = -2,
    WSIM_ALREADY_INITIALIZED = -4,
    WSIM_BAD_PARAMETERS = -5,
};

static int policy_hit(uint64_t id);
static void policy_admit(uint64_t id, uint64_t size);
static uint64_t policy_evict(void);
static void policy_init(void);

/* clang may call these for struct copies even in freestanding code. */
void *memcpy(void *to, const void *from, size_t n) {
    uint8_t *d = to;
    const uint8_t *s = from;
    while (n--) *d++ = *s++;
    return to;
}
void *memset(void *to, int byte, size_t n) {
    uint8_t *d = to;
    while (n--) *d++ = (uint8_t)byte;
    return to;
}

/* ---- memory: a bump allocator over memory.grow ---- */

extern uint8_t __heap_base;
static uintptr_t wsim_heap_next;

/* `bytes` of zeroed memory, 8-byte aligned; traps (unreachable) when the
 * host's memory cap refuses more pages. */
static void *wsim_alloc(uint64_t bytes) {
    if (wsim_heap_next == 0) wsim_heap_next = (uintptr_t)&__heap_base;
    uintptr_t start = (wsim_heap_next + 7) & ~(uintptr_t)7;
    uint64_t end = (uint64_t)start + bytes;
    uint64_t have = (uint64_t)__builtin_wasm_memory_size(0) * 65536;
    if (end > have) {
        uint64_t pages = (end - have + 65535) / 65536;
        if (__builtin_wasm_memory_grow(0, (size_t)pages) == (size_t)-1) __builtin_trap();
    }
    wsim_heap_next = (uintptr_t)end;
    return (void *)start;
}

/* ---- an index from id to a slot number (open addressing) ---- */

#define WSIM_EMPTY 0xffffffffu

static uint64_t *wsim_index_keys;
static uint32_t *wsim_index_slots;  /* WSIM_EMPTY marks a free bucket */
static uint32_t wsim_index_mask;    /* buckets - 1; buckets a power of two */
static uint32_t wsim_index_len;

static uint32_t wsim_hash(uint64_t id) {
    id ^= id >> 33;
    id *= 0xff51afd7ed558ccdULL;
    id ^= id >> 33;
    id *= 0xc4ceb9fe1a85ec53ULL;
    id ^= id >> 33;
    return (uint32_t)id;
}

static void wsim_index_make(uint32_t buckets) {
    wsim_index_keys = wsim_alloc((uint64_t)buckets * sizeof(uint64_t));
    wsim_index_slots = wsim_alloc((uint64_t)buckets * sizeof(uint32_t));
    for (uint32_t i = 0; i < buckets; i++) wsim_index_slots[i] = WSIM_EMPTY;
    wsim_index_mask = buckets - 1;
    wsim_index_len = 0;
}

/* The slot of `id`, or WSIM_EMPTY. */
static uint32_t wsim_index_get(uint64_t id) {
    for (uint32_t at = wsim_hash(id) & wsim_index_mask;; at = (at + 1) & wsim_index_mask) {
        uint32_t slot = wsim_index_slots[at];
        if (slot == WSIM_EMPTY) return WSIM_EMPTY;
        if (wsim_index_keys[at] == id) return slot;
    }
}

static void wsim_index_put_new(uint64_t id, uint32_t slot) {
    uint32_t at = wsim_hash(id) & wsim_index_mask;
    while (wsim_index_slots[at] != WSIM_EMPTY) at = (at + 1) & wsim_index_mask;
    wsim_index_keys[at] = id;
    wsim_index_slots[at] = slot;
    wsim_index_len++;
}

/* Adds `id`, which is absent; grows the table at half full. */
static void wsim_index_insert(uint64_t id, uint32_t slot) {
    if ((uint64_t)(wsim_index_len + 1) * 2 > (uint64_t)wsim_index_mask + 1) {
        uint64_t *keys = wsim_index_keys;
        uint32_t *slots = wsim_index_slots;
        uint32_t buckets = wsim_index_mask + 1;
        wsim_index_make(buckets * 2);
        for (uint32_t i = 0; i < buckets; i++)
            if (slots[i] != WSIM_EMPTY) wsim_index_put_new(keys[i], slots[i]);
    }
    wsim_index_put_new(id, slot);
}

/* Removes `id`, which is present, shifting later entries of its run back
 * so lookups never need tombstones. */
static void wsim_index_remove(uint64_t id) {
    uint32_t at = wsim_hash(id) & wsim_index_mask;
    while (wsim_index_keys[at] != id || wsim_index_slots[at] == WSIM_EMPTY)
        at = (at + 1) & wsim_index_mask;
    uint32_t hole = at;
    for (uint32_t next = (hole + 1) & wsim_index_mask; wsim_index_slots[next] != WSIM_EMPTY;
         next = (next + 1) & wsim_index_mask) {
        uint32_t home = wsim_hash(wsim_index_keys[next]) & wsim_index_mask;
        /* Move `next` into the hole unless its home lies cyclically in (hole, next]. */
        int stays = hole <= next ? (hole < home && home <= next) : (hole < home || home <= next);
        if (!stays) {
            wsim_index_keys[hole] = wsim_index_keys[next];
            wsim_index_slots[hole] = wsim_index_slots[next];
            hole = next;
        }
    }
    wsim_index_slots[hole] = WSIM_EMPTY;
    wsim_index_len--;
}

/* ---- the cached objects: a list from oldest to newest ---- */

typedef struct {
    uint64_t id, size;
    uint32_t older, newer; /* node numbers, WSIM_EMPTY at either end */
    uint32_t mark;         /* the policy's own bit (SIEVE: visited) */
} wsim_node;

static wsim_node *wsim_nodes;
static uint32_t wsim_nodes_capacity, wsim_nodes_made;
static uint32_t wsim_free_node = WSIM_EMPTY; /* reused nodes, linked by `newer` */
static uint32_t wsim_oldest = WSIM_EMPTY, wsim_newest = WSIM_EMPTY;
static uint64_t wsim_objects;

/* The node holding `id`, or WSIM_EMPTY. */
static uint32_t wsim_find(uint64_t id) { return wsim_index_get(id); }

/* Caches `id` as the newest object; returns its node. */
static uint32_t wsim_admit(uint64_t id, uint64_t size) {
    uint32_t n = wsim_free_node;
    if (n != WSIM_EMPTY) {
        wsim_free_node = wsim_nodes[n].newer;
    } else {
        if (wsim_nodes_made == wsim_nodes_capacity) {
            uint32_t capacity = wsim_nodes_capacity ? wsim_nodes_capacity * 2 : 1024;
            wsim_node *nodes = wsim_alloc((uint64_t)capacity * sizeof(wsim_node));
            for (uint32_t i = 0; i < wsim_nodes_made; i++) nodes[i] = wsim_nodes[i];
            wsim_nodes = nodes;
            wsim_nodes_capacity = capacity;
        }
        n = wsim_nodes_made++;
    }
    wsim_node *node = &wsim_nodes[n];
    node->id = id;
    node->size = size;
    node->mark = 0;
    node->newer = WSIM_EMPTY;
    node->older = wsim_newest;
    if (wsim_newest != WSIM_EMPTY) wsim_nodes[wsim_newest].newer = n;
    else wsim_oldest = n;
    wsim_newest = n;
    wsim_index_insert(id, n);
    wsim_objects++;
    return n;
}

/* Moves node `n` to the newest end, as LRU does on a hit. Inline, so a
 * policy that never calls it gets no warning. */
static inline void wsim_make_newest(uint32_t n) {
    if (n == WSIM_EMPTY || n == wsim_newest) return;
    wsim_node *node = &wsim_nodes[n];
    if (node->older != WSIM_EMPTY) wsim_nodes[node->older].newer = node->newer;
    else wsim_oldest = node->newer;
    wsim_nodes[node->newer].older = node->older;
    node->older = wsim_newest;
    node->newer = WSIM_EMPTY;
    wsim_nodes[wsim_newest].newer = n;
    wsim_newest = n;
}

/* ---- version 3's reports: the objects evicted since `evicted` ---- */

/* An `evicted` record (docs/ABI.md, "Reports"): 16 bytes. */
typedef struct {
    uint64_t id;
    uint32_t request, reserved;
} wsim_eviction;

static wsim_eviction *wsim_evicted;
static uint32_t wsim_evicted_len, wsim_evicted_capacity;
/* Whether the host has called `evicted` (it audits): only then are
 * evictions listed. */
static int wsim_recording;
/* Whether the list `evicted` returned is still the host's to read: the
 * next request starts a new one. */
static int wsim_returned;
/* Requests served since `evicted`, and the index of the current one. */
static uint32_t wsim_served, wsim_request_index;
/* The current request's evictions, which its answer code counts. */
static uint32_t wsim_request_evictions;

/* Called before each request is served. */
static void wsim_begin_request(void) {
    if (wsim_returned) {
        wsim_evicted_len = 0;
        wsim_returned = 0;
    }
    wsim_request_index = wsim_served;
    wsim_served += (uint32_t)wsim_recording;
    wsim_request_evictions = 0;
}

static void wsim_report_eviction(uint64_t id) {
    wsim_request_evictions++;
    if (!wsim_recording) return;
    if (wsim_evicted_len == wsim_evicted_capacity) {
        uint32_t capacity = wsim_evicted_capacity ? wsim_evicted_capacity * 2 : 256;
        wsim_eviction *log = wsim_alloc((uint64_t)capacity * sizeof(wsim_eviction));
        for (uint32_t i = 0; i < wsim_evicted_len; i++) log[i] = wsim_evicted[i];
        wsim_evicted = log;
        wsim_evicted_capacity = capacity;
    }
    wsim_eviction *record = &wsim_evicted[wsim_evicted_len++];
    record->id = id;
    record->request = wsim_request_index;
    record->reserved = 0;
}

/* Uncaches node `n`, listing it for `evicted`; returns its size. */
static uint64_t wsim_drop(uint32_t n) {
    wsim_node *node = &wsim_nodes[n];
    wsim_report_eviction(node->id);
    if (node->older != WSIM_EMPTY) wsim_nodes[node->older].newer = node->newer;
    else wsim_oldest = node->newer;
    if (node->newer != WSIM_EMPTY) wsim_nodes[node->newer].older = node->older;
    else wsim_newest = node->older;
    wsim_index_remove(node->id);
    node->newer = wsim_free_node;
    wsim_free_node = n;
    wsim_objects--;
    return node->size;
}

/* ---- the cache contract and the counters ---- */

static int wsim_initialized;
static uint64_t wsim_capacity, wsim_used;
static uint64_t wsim_requests, wsim_hits, wsim_evictions;
/* u128 counters as (low, high) pairs. */
static uint64_t wsim_bytes_requested[2], wsim_bytes_hit[2];

static void wsim_add128(uint64_t counter[2], uint64_t value) {
    uint64_t low = counter[0] + value;
    counter[1] += low < counter[0];
    counter[0] = low;
}

/* Answers (docs/ABI.md, "Reports"): a hit, a miss taken in, a miss not. */
enum { WSIM_MISS = 0, WSIM_HIT = 1, WSIM_ADMITTED = 2 };

/* Serves one request; returns its answer. */
static int wsim_serve(uint64_t id, uint64_t size) {
    wsim_requests++;
    wsim_add128(wsim_bytes_requested, size);
    if (policy_hit(id)) {
        wsim_hits++;
        wsim_add128(wsim_bytes_hit, size);
        return WSIM_HIT;
    }
    if (size > wsim_capacity) return WSIM_MISS;
    while (wsim_capacity - wsim_used < size) {
        wsim_used -= policy_evict();
        wsim_evictions++;
    }
    policy_admit(id, size);
    wsim_used += size;
    return WSIM_ADMITTED;
}

/* What an `access*` export returns for `answer` (version 3: the answer and
 * the count of evictions above it; before: 1 hit, 0 miss). */
static int32_t wsim_code(int answer) {
#if WSIM_ABI_VERSION == 3
    return answer | (int32_t)wsim_request_evictions << 2;
#else
    return answer == WSIM_HIT;
#endif
}

/* ---- the exports ---- */

#define WSIM_BATCH 4096
/* Requests (WSIM_RECORD bytes each), then one hit flag per request. */
static uint8_t wsim_buffer[WSIM_BATCH * (WSIM_RECORD + 1)] __attribute__((aligned(8)));
static uint64_t wsim_stats_record[9];

static uint64_t wsim_load64(const uint8_t *bytes) {
    uint64_t value = 0;
    for (int i = 7; i >= 0; i--) value = value << 8 | bytes[i];
    return value;
}

WSIM_EXPORT("abi_version") int32_t wsim_abi_version(void) { return WSIM_ABI_VERSION; }

#if WSIM_ABI_VERSION >= 2
/* The host wrote `params_len` bytes of `key=value,...` at the buffer's start. */
WSIM_EXPORT("init") int32_t wsim_init(int64_t capacity, int32_t params_len) {
    if (params_len != 0) return WSIM_BAD_PARAMETERS;
#else
WSIM_EXPORT("init") int32_t wsim_init(int64_t capacity) {
#endif
    if (wsim_initialized) return WSIM_ALREADY_INITIALIZED;
    wsim_initialized = 1;
    wsim_capacity = (uint64_t)capacity;
    wsim_index_make(1024);
    policy_init();
    return 0;
}

WSIM_EXPORT("buffer") int64_t wsim_buffer_export(void) {
    return (int64_t)((uint64_t)sizeof wsim_buffer << 32 | (uint32_t)(uintptr_t)wsim_buffer);
}

WSIM_EXPORT("access_bytemuck") int32_t wsim_access_bytemuck(void) {
    if (!wsim_initialized) return WSIM_NOT_INITIALIZED;
    wsim_begin_request();
    return wsim_code(wsim_serve(wsim_load64(wsim_buffer), wsim_load64(wsim_buffer + 8)));
}

WSIM_EXPORT("access_batch") int32_t wsim_access_batch(int32_t n) {
    if (!wsim_initialized) return WSIM_NOT_INITIALIZED;
    if (n < 0 || n > WSIM_BATCH) return WSIM_BAD_LENGTH;
    uint8_t *flags = wsim_buffer + WSIM_RECORD * n;
    int32_t hits = 0;
    for (int32_t i = 0; i < n; i++) {
        const uint8_t *request = wsim_buffer + WSIM_RECORD * i;
        wsim_begin_request();
        int answer = wsim_serve(wsim_load64(request), wsim_load64(request + 8));
        /* Version 3 flags a miss taken in as 2; older versions, 0. */
        flags[i] = (uint8_t)(WSIM_ABI_VERSION == 3 ? answer : answer == WSIM_HIT);
        hits += answer == WSIM_HIT;
    }
    return hits;
}

#if WSIM_ABI_VERSION == 3
/* The objects evicted since the last call, each with the index of the
 * request that evicted it counted from that call: address and count,
 * packed as `buffer` packs its address and length. The first call lists
 * none and starts the listing. */
WSIM_EXPORT("evicted") int64_t wsim_evicted_export(void) {
    if (wsim_returned) wsim_evicted_len = 0;
    wsim_recording = 1;
    wsim_returned = 1;
    wsim_served = 0;
    return (int64_t)((uint64_t)wsim_evicted_len << 32 | (uint32_t)(uintptr_t)wsim_evicted);
}
#endif

#ifdef WSIM_POLICY_NAME
_Static_assert(sizeof WSIM_POLICY_NAME - 1 >= 1 && sizeof WSIM_POLICY_NAME - 1 <= 64,
               "WSIM_POLICY_NAME is 1 to 64 bytes (docs/ABI.md, `name`)");
/* The policy's name, packed as `buffer` packs its address and length. */
WSIM_EXPORT("name") int64_t wsim_name(void) {
    static const char name[] = WSIM_POLICY_NAME;
    return (int64_t)((uint64_t)(sizeof name - 1) << 32 | (uint32_t)(uintptr_t)name);
}
#endif

WSIM_EXPORT("stats") int32_t wsim_stats(void) {
    if (!wsim_initialized) return WSIM_NOT_INITIALIZED;
    uint64_t words[9] = {
        wsim_requests,           wsim_hits,        wsim_bytes_requested[0],
        wsim_bytes_requested[1], wsim_bytes_hit[0], wsim_bytes_hit[1],
        wsim_evictions,          wsim_objects,     wsim_used,
    };
    /* wasm32 is little-endian: the words are the record's bytes. */
    for (int i = 0; i < 9; i++) wsim_stats_record[i] = words[i];
    return (int32_t)(uintptr_t)wsim_stats_record;
}

#endif
