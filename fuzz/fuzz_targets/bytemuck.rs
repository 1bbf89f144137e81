//! The Bytemuck ABI's fixed layouts: a request (24 bytes), the stats record
//! (72 bytes) and the packed buffer address. Every bit pattern decodes; every
//! value survives encode then decode, byte for byte.

#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use wsim_policies::wire::{
    REQUEST_WIRE_LEN, RequestWire, STATS_WIRE_LEN, decode_stats, encode_stats, pack_buffer,
    unpack_buffer,
};
use wsim_policies::{Request, Stats};

#[derive(Debug, Arbitrary)]
struct Input {
    id: u64,
    size: u64,
    next_access: i64,
    wire: [u8; REQUEST_WIRE_LEN],
    counters: [u64; 5],
    bytes_requested: u128,
    bytes_hit: u128,
    stats_record: [u8; STATS_WIRE_LEN],
    pointer: u32,
    len: u32,
    packed: i64,
}

fuzz_target!(|input: Input| {
    // A request, through the wire struct and back.
    let request = Request::new(input.id, input.size).next_at(input.next_access);
    let wire = RequestWire::new(request);
    let bytes = bytemuck::bytes_of(&wire);
    assert_eq!(bytes[..8], input.id.to_le_bytes());
    assert_eq!(bytes[8..16], input.size.to_le_bytes());
    assert_eq!(bytes[16..], input.next_access.to_le_bytes());
    assert_eq!(
        bytemuck::pod_read_unaligned::<RequestWire>(bytes).request(),
        request
    );

    // Any 24 bytes are a request, and encode back to themselves.
    let decoded = bytemuck::pod_read_unaligned::<RequestWire>(&input.wire).request();
    assert_eq!(bytemuck::bytes_of(&RequestWire::new(decoded)), &input.wire);

    // The stats record.
    let [requests, hits, evictions, objects, bytes_held] = input.counters;
    let stats = Stats {
        requests,
        hits,
        bytes_requested: input.bytes_requested,
        bytes_hit: input.bytes_hit,
        evictions,
        objects,
        bytes_held,
    };
    assert_eq!(decode_stats(&encode_stats(&stats)), stats);
    let record = decode_stats(&input.stats_record);
    assert_eq!(encode_stats(&record), input.stats_record);

    // The buffer address `buffer()` packs into one i64.
    assert_eq!(
        unpack_buffer(pack_buffer(input.pointer, input.len)),
        (input.pointer, input.len)
    );
    let (pointer, len) = unpack_buffer(input.packed);
    assert_eq!(pack_buffer(pointer, len), input.packed);
});
