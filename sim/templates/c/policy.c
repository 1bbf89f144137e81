/* {{name}}: a wsim cache eviction policy in C, made by `wsim new`. Say here
 * which paper it comes from and its rule in a sentence or two.
 *
 * As made it is FIFO (the object taken in longest ago leaves first):
 * change the four functions below to your rule. wsim_policy.h keeps the
 * cache contract around them (hits, refusing objects larger than the
 * cache, evicting until an object fits, the counters, every export of the
 * ABI) and the objects themselves:
 *
 *   wsim_find(id)          the node holding id, or WSIM_EMPTY
 *   wsim_admit(id, size)   caches id as the newest node; returns the node
 *   wsim_drop(n)           uncaches node n and lists it for wsim's audit;
 *                          returns its size. The only way an object leaves.
 *   wsim_make_newest(n)    moves node n to the newest end (LRU on a hit)
 *   wsim_oldest, wsim_newest, wsim_nodes[n].older/.newer   the list
 *   wsim_nodes[n].mark     a 32-bit field of the policy's own
 */
#define WSIM_POLICY_NAME "{{name}}"
#include "wsim_policy.h"

/* Called once, when wsim makes the cache. */
static void policy_init(void) {}

/* 1 if `id` is cached (recording the hit as the policy needs), else 0. */
static int policy_hit(uint64_t id) { return wsim_find(id) != WSIM_EMPTY; }

/* Caches `id`, which is not cached and fits. */
static void policy_admit(uint64_t id, uint64_t size) { wsim_admit(id, size); }

/* Removes the next victim with wsim_drop; returns its size. */
static uint64_t policy_evict(void) { return wsim_drop(wsim_oldest); }
