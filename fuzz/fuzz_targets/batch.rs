//! The Batch ABI's buffer: requests in, hit flags out. Requests survive the
//! trip; the host's reading of the flags a guest wrote never panics, and
//! accepts exactly the well-formed ones.

#![no_main]

use libfuzzer_sys::fuzz_target;
use wsim_policies::Request;
use wsim_policies::wire::{
    BATCH_CAPACITY, FlagError, REQUEST_WIRE_LEN, decode_batch, decode_hit_flags, encode_batch,
};

fuzz_target!(|input: (Vec<(u64, u64, i64)>, Vec<bool>, &[u8], i32)| {
    let (pairs, hit_list, flags, returned) = input;

    let requests: Vec<Request> = pairs
        .iter()
        .take(BATCH_CAPACITY)
        .map(|&(id, size, next_access)| Request::new(id, size).next_at(next_access))
        .collect();
    let mut scratch = Vec::new();
    let bytes = encode_batch(&requests, &mut scratch).to_vec();
    assert_eq!(bytes.len(), requests.len() * REQUEST_WIRE_LEN);
    assert!(decode_batch(&bytes).eq(requests.iter().copied()));
    // A partial request at the end is not a request.
    assert_eq!(
        decode_batch(&bytes[..bytes.len().saturating_sub(1)]).count(),
        requests.len().saturating_sub(1)
    );

    // Flags a well-behaved guest writes are read back as they were.
    let written: Vec<u8> = hit_list.iter().map(|&hit| u8::from(hit)).collect();
    let count = hit_list.iter().filter(|&&hit| hit).count();
    let mut hits = Vec::new();
    assert_eq!(
        decode_hit_flags(&written, i32::try_from(count).unwrap(), &mut hits),
        Ok(())
    );
    assert_eq!(hits, hit_list);

    // Whatever a guest writes and returns: accepted exactly when every flag
    // is 0 or 1 and they add up to what it returned; nothing kept otherwise.
    let mut hits = Vec::new();
    let well_formed = flags.iter().all(|&flag| flag <= 1)
        && usize::try_from(returned) == Ok(flags.iter().filter(|&&flag| flag == 1).count());
    match decode_hit_flags(flags, returned, &mut hits) {
        Ok(()) => {
            assert!(well_formed);
            assert!(
                hits.iter()
                    .zip(flags)
                    .all(|(&hit, &flag)| hit == (flag == 1))
            );
        }
        Err(FlagError::NotAFlag(bad)) => {
            assert!(!well_formed && bad > 1 && hits.is_empty());
        }
        Err(FlagError::Miscounted { .. }) => assert!(!well_formed && hits.is_empty()),
    }
});
