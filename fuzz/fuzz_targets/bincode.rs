//! The Bincode ABI's codec. Arbitrary bytes never panic the decoder; what
//! decodes re-encodes to something that decodes the same; and any request
//! survives encode then decode.

#![no_main]

use libfuzzer_sys::fuzz_target;
use wsim_policies::Request;
use wsim_policies::wire::{BINCODE_MAX_LEN, decode_bincode, encode_bincode};

fuzz_target!(|input: (u64, u64, i64, &[u8])| {
    let (id, size, next_access, bytes) = input;

    let request = Request::new(id, size).next_at(next_access);
    let mut encoded = [0; BINCODE_MAX_LEN];
    let len = encode_bincode(request, &mut encoded);
    assert!(
        (3..=BINCODE_MAX_LEN).contains(&len),
        "{request:?} took {len} bytes"
    );
    assert_eq!(decode_bincode(&encoded[..len]), Some(request));
    // Bytes missing or left over are refused, not half-read.
    assert_eq!(decode_bincode(&encoded[..len - 1]), None);

    // Whatever the guest is handed, it decodes or refuses; when it decodes,
    // encoding the result gives bytes that decode to it again.
    if let Some(decoded) = decode_bincode(bytes) {
        let mut again = [0; BINCODE_MAX_LEN];
        let len = encode_bincode(decoded, &mut again);
        assert_eq!(decode_bincode(&again[..len]), Some(decoded));
        assert!(len <= bytes.len(), "the canonical form is the shortest");
    }
});
