//! The micro-benchmark's guest (the paper's Table 1): one wrapping multiply
//! of two `u64`s behind each ABI, so a call measures the crossing and
//! nothing else. The products come back as `i64` bit patterns.
//!
//! | export | ABI |
//! | --- | --- |
//! | `multiply(a: i64, b: i64) -> i64` | Pair |
//! | `alloc(len: i32) -> i32`, `multiply_bincode(ptr: i32, len: i32) -> i64` | Bincode, dynamic memory |
//! | `alloc(16)`, `multiply_bytemuck_at(ptr: i32) -> i64` | Bytemuck, dynamic memory |
//! | `buffer() -> i64`, `multiply_bytemuck() -> i64` | Bytemuck, static memory |
//! | `buffer()`, `multiply_batch(n: i32) -> i32` | Batch: `n` operand pairs (16 bytes each) at the buffer's start, `n` products (8 bytes each) written after them; returns `n`, or -2 if they do not fit |
//!
//! A malformed buffer multiplies to 0, which the host's check value catches.

#![cfg(target_arch = "wasm32")]

use wsim_policies::guest;
use wsim_policies::wire::{self, REQUEST_WIRE_V1_LEN, RequestWireV1, Status};

#[expect(clippy::cast_sign_loss, clippy::cast_possible_wrap, reason = "i64s carry u64 bits")]
fn product(a: u64, b: u64) -> i64 {
    a.wrapping_mul(b) as i64
}

#[expect(clippy::cast_sign_loss, reason = "i64s carry u64 bits")]
#[unsafe(no_mangle)]
pub extern "C" fn multiply(a: i64, b: i64) -> i64 {
    product(a as u64, b as u64)
}

#[unsafe(no_mangle)]
pub extern "C" fn alloc(len: i32) -> i32 {
    guest::alloc(len)
}

#[unsafe(no_mangle)]
pub extern "C" fn multiply_bincode(pointer: i32, len: i32) -> i64 {
    guest::take_allocation(pointer, len)
        .and_then(|buffer| wire::decode_bincode_pair(&buffer))
        .map_or(0, |(a, b)| product(a, b))
}

/// Two operands as version 1's 16-byte request record carries them.
fn operands(bytes: &[u8]) -> Option<(u64, u64)> {
    let (head, _) = bytes.split_first_chunk::<REQUEST_WIRE_V1_LEN>()?;
    Some(bytemuck::pod_read_unaligned::<RequestWireV1>(head).values())
}

#[unsafe(no_mangle)]
pub extern "C" fn multiply_bytemuck_at(pointer: i32) -> i64 {
    #[expect(clippy::cast_possible_truncation, clippy::cast_possible_wrap, reason = "16")]
    let len = REQUEST_WIRE_V1_LEN as i32;
    guest::take_allocation(pointer, len)
        .and_then(|buffer| operands(&buffer))
        .map_or(0, |(a, b)| product(a, b))
}

#[unsafe(no_mangle)]
pub extern "C" fn buffer() -> i64 {
    guest::buffer()
}

#[unsafe(no_mangle)]
pub extern "C" fn multiply_bytemuck() -> i64 {
    guest::with_buffer(|buffer| operands(buffer)).map_or(0, |(a, b)| product(a, b))
}

#[unsafe(no_mangle)]
pub extern "C" fn multiply_batch(n: i32) -> i32 {
    guest::with_buffer(|buffer| {
        let Some(count) = usize::try_from(n).ok().filter(|&n| n * (REQUEST_WIRE_V1_LEN + 8) <= buffer.len()) else {
            return Status::BadLength as i32;
        };
        let (pairs, rest) = buffer.split_at_mut(count * REQUEST_WIRE_V1_LEN);
        for (pair, out) in pairs.as_chunks::<REQUEST_WIRE_V1_LEN>().0.iter().zip(rest.as_chunks_mut::<8>().0) {
            let (a, b) = operands(pair).unwrap_or((0, 0));
            *out = product(a, b).to_le_bytes();
        }
        n
    })
}
