/* FIFO in C: evicts the object admitted longest ago; hits change nothing.
 * Must agree with wsim's Rust FIFO (policies/src/fifo.rs) hit for hit. */
#define WSIM_POLICY_NAME "c-fifo"
#include "wsim_policy.h"

static void policy_init(void) {}

static int policy_hit(uint64_t id) { return wsim_find(id) != WSIM_EMPTY; }

static void policy_admit(uint64_t id, uint64_t size) { wsim_admit(id, size); }

static uint64_t policy_evict(void) { return wsim_drop(wsim_oldest); }
