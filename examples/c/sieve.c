/* SIEVE (Zhang et al., NSDI 2024) in C, as libCacheSim runs it: objects
 * queue from oldest to newest with a visited bit, set by a hit. A hand
 * starts at the oldest object and moves toward newer ones, clearing the bit
 * of each visited object it passes (wrapping from the newest back to the
 * oldest) and evicting the first unvisited one; it then rests on the object
 * just newer than the victim. New objects join unvisited at the newest end. */
#define WSIM_POLICY_NAME "c-sieve"
#include "wsim_policy.h"

static uint32_t hand = WSIM_EMPTY;

static void policy_init(void) {}

static int policy_hit(uint64_t id) {
    uint32_t n = wsim_find(id);
    if (n == WSIM_EMPTY) return 0;
    wsim_nodes[n].mark = 1;
    return 1;
}

static void policy_admit(uint64_t id, uint64_t size) { wsim_admit(id, size); }

static uint64_t policy_evict(void) {
    uint32_t n = hand != WSIM_EMPTY ? hand : wsim_oldest;
    while (wsim_nodes[n].mark) {
        wsim_nodes[n].mark = 0;
        n = wsim_nodes[n].newer != WSIM_EMPTY ? wsim_nodes[n].newer : wsim_oldest;
    }
    hand = wsim_nodes[n].newer;
    return wsim_drop(n);
}
