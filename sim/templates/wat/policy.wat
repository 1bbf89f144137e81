;; {{name}}: a wsim cache policy in WebAssembly text, made by `wsim new`:
;; a complete guest of ABI version 3 for the Pair ABI (docs/ABI.md), small
;; enough to read in one sitting. It holds one object: a request for that
;; object hits; a miss for an object that fits evicts the one held and
;; takes the new one in; a larger object is refused.
;;
;; Memory: the stats record at address 0 (nine u64s: requests, hits,
;; bytes requested and bytes hit as u128 low/high pairs, evictions,
;; objects, bytes held); the name (at most 64 bytes) at 96; the static
;; buffer, where `init`'s parameters arrive, at 256; the eviction records
;; `evicted` lists at 1024 (16 bytes each: id u64, request index u32,
;; reserved u32).
(module
  (memory (export "memory") 2)
  (data (i32.const 96) "{{name}}")

  (global $ready (mut i32) (i32.const 0))
  (global $capacity (mut i64) (i64.const 0))
  ;; The object held, if $holds.
  (global $holds (mut i32) (i32.const 0))
  (global $id (mut i64) (i64.const 0))
  ;; The eviction list: whether the host asked for it, its length, whether
  ;; `evicted` handed it out (the next request starts a new one), and the
  ;; requests served since `evicted`.
  (global $recording (mut i32) (i32.const 0))
  (global $listed (mut i32) (i32.const 0))
  (global $returned (mut i32) (i32.const 0))
  (global $served (mut i32) (i32.const 0))

  (func (export "abi_version") (result i32) (i32.const 3))

  ;; The policy's name, packed as address (low 32 bits) and length.
  (func (export "name") (result i64)
    (i64.or (i64.shl (i64.const {{name_len}}) (i64.const 32)) (i64.const 96)))

  ;; The static buffer: 512 bytes at 256.
  (func (export "buffer") (result i64)
    (i64.or (i64.shl (i64.const 512) (i64.const 32)) (i64.const 256)))

  ;; Takes no parameters: any is refused (status -5); a second init is -4.
  (func (export "init") (param $capacity i64) (param $params_len i32) (result i32)
    (if (global.get $ready) (then (return (i32.const -4))))
    (if (local.get $params_len) (then (return (i32.const -5))))
    (global.set $capacity (local.get $capacity))
    (global.set $ready (i32.const 1))
    (i32.const 0))

  ;; Adds $value to the u128 counter at $at (low, then high u64).
  (func $add128 (param $at i32) (param $value i64)
    (local $low i64)
    (local.set $low (i64.add (i64.load (local.get $at)) (local.get $value)))
    (if (i64.lt_u (local.get $low) (local.get $value))
      (then (i64.store offset=8 (local.get $at)
              (i64.add (i64.load offset=8 (local.get $at)) (i64.const 1)))))
    (i64.store (local.get $at) (local.get $low)))

  ;; Lists object $id as evicted by request $index, if the host asked.
  (func $list (param $id i64) (param $index i32)
    (local $at i32)
    (if (i32.eqz (global.get $recording)) (then (return)))
    ;; The host drains the list every 4,096 requests; one page holds them.
    (if (i32.ge_u (global.get $listed) (i32.const 4096)) (then unreachable))
    (local.set $at (i32.add (i32.const 1024) (i32.shl (global.get $listed) (i32.const 4))))
    (i64.store (local.get $at) (local.get $id))
    (i32.store offset=8 (local.get $at) (local.get $index))
    (i32.store offset=12 (local.get $at) (i32.const 0))
    (global.set $listed (i32.add (global.get $listed) (i32.const 1))))

  ;; Pair: one request. Returns 1 for a hit, 2 for a miss taken in (plus
  ;; 4 for each object evicted), 0 for a miss refused, -1 before `init`.
  (func (export "access") (param $id i64) (param $size i64) (param $next i64) (result i32)
    (local $index i32)
    (local $evicted i32)
    (if (i32.eqz (global.get $ready)) (then (return (i32.const -1))))
    (if (global.get $returned)
      (then (global.set $listed (i32.const 0))
            (global.set $returned (i32.const 0))))
    (local.set $index (global.get $served))
    (global.set $served (i32.add (global.get $served) (global.get $recording)))
    (i64.store (i32.const 0) (i64.add (i64.load (i32.const 0)) (i64.const 1)))
    (call $add128 (i32.const 16) (local.get $size))
    (if (i32.and (global.get $holds) (i64.eq (global.get $id) (local.get $id)))
      (then
        (i64.store (i32.const 8) (i64.add (i64.load (i32.const 8)) (i64.const 1)))
        (call $add128 (i32.const 32) (local.get $size))
        (return (i32.const 1))))
    (if (i64.gt_u (local.get $size) (global.get $capacity))
      (then (return (i32.const 0))))
    (if (global.get $holds)
      (then
        (call $list (global.get $id) (local.get $index))
        (i64.store (i32.const 48) (i64.add (i64.load (i32.const 48)) (i64.const 1)))
        (local.set $evicted (i32.const 1))))
    (global.set $holds (i32.const 1))
    (global.set $id (local.get $id))
    (i64.store (i32.const 56) (i64.const 1))
    (i64.store (i32.const 64) (local.get $size))
    (i32.or (i32.const 2) (i32.shl (local.get $evicted) (i32.const 2))))

  ;; The objects evicted since the last call: address and count packed.
  ;; The first call lists none and starts the listing.
  (func (export "evicted") (result i64)
    (if (global.get $returned) (then (global.set $listed (i32.const 0))))
    (global.set $recording (i32.const 1))
    (global.set $returned (i32.const 1))
    (global.set $served (i32.const 0))
    (i64.or (i64.shl (i64.extend_i32_u (global.get $listed)) (i64.const 32))
            (i64.const 1024)))

  ;; The stats record lives at address 0, which is as good as any.
  (func (export "stats") (result i32)
    (if (i32.eqz (global.get $ready)) (then (return (i32.const -1))))
    (i32.const 0)))
