//! How each configuration of the micro-benchmark calls the multiply
//! guest: one function per way in, each timed by [`measure`].

use std::hint::black_box;

use wsim_backends::engine::{Guest, Lookup};
use wsim_backends::{Cached, Module, Uncached};
use wsim_policies::wire::{self, BINCODE_PAIR_MAX_LEN, REQUEST_WIRE_V1_LEN, RequestWireV1};

use super::{
    Config, Loading, Memory, Options, Samples, each_call, measure, multiply_natively, operands,
};
use crate::Error;

#[expect(
    clippy::cast_sign_loss,
    clippy::cast_possible_wrap,
    reason = "i64s carry u64 bits"
)]
pub(super) fn measure_config(
    config: Config,
    module: &Module,
    options: Options,
    progress: &mut dyn FnMut(),
) -> Result<Samples, Error> {
    let calls = options.calls;
    let instantiate = || module.instantiate().map_err(Error::from);
    match config {
        Config::Native | Config::Component | Config::ComponentList => Err(Error::Invalid(format!(
            "{} does not run on a core module",
            config.label()
        ))),
        Config::Bare => measure_bare(module, options, progress),
        Config::Pair {
            cached,
            loading,
            srs: false,
        } => {
            fn pair<L: Lookup>(
                options: Options,
                loading: Loading,
                module: &Module,
                progress: &mut dyn FnMut(),
            ) -> Result<Samples, Error> {
                measure(
                    options,
                    loading,
                    || {
                        let mut guest = module.instantiate()?;
                        let multiply = guest.export::<(i64, i64), i64, L>("multiply")?;
                        Ok((guest, multiply))
                    },
                    // Guest and handle as two separate variables.
                    |(guest, multiply), rep| {
                        each_call(rep, options.calls, |a, b| {
                            Ok(guest.call(multiply, (a as i64, b as i64))? as u64)
                        })
                    },
                    progress,
                )
            }
            if cached {
                pair::<Cached>(options, loading, module, progress)
            } else {
                pair::<Uncached>(options, loading, module, progress)
            }
        }
        Config::Pair {
            loading, srs: true, ..
        } => measure(
            options,
            loading,
            || SrsGuest::new(module),
            |guest, rep| each_call(rep, calls, |a, b| guest.multiply(a, b)),
            progress,
        ),
        Config::Bincode { cached } => {
            fn bincode<L: Lookup>(
                options: Options,
                module: &Module,
                progress: &mut dyn FnMut(),
            ) -> Result<Samples, Error> {
                measure(
                    options,
                    Loading::Preload,
                    || {
                        let mut guest = module.instantiate()?;
                        let alloc = guest.export::<i32, i32, L>("alloc")?;
                        let multiply = guest.export::<(i32, i32), i64, L>("multiply_bincode")?;
                        Ok((guest, alloc, multiply))
                    },
                    |(guest, alloc, multiply), rep| {
                        each_call(rep, options.calls, |a, b| {
                            let mut encoded = [0; BINCODE_PAIR_MAX_LEN];
                            let len = wire::encode_bincode_pair(a, b, &mut encoded);
                            #[expect(clippy::cast_possible_truncation, reason = "at most 18")]
                            let len_param = len as i32;
                            let pointer = guest.call(alloc, len_param)?;
                            guest.write(
                                pointer as u32,
                                &encoded[..len],
                                "the buffer `alloc` returned",
                            )?;
                            Ok(guest.call(multiply, (pointer, len_param))? as u64)
                        })
                    },
                    progress,
                )
            }
            if cached {
                bincode::<Cached>(options, module, progress)
            } else {
                bincode::<Uncached>(options, module, progress)
            }
        }
        Config::Bytemuck {
            cached,
            memory: Memory::Dynamic,
        } => {
            fn dynamic<L: Lookup>(
                options: Options,
                module: &Module,
                progress: &mut dyn FnMut(),
            ) -> Result<Samples, Error> {
                measure(
                    options,
                    Loading::Preload,
                    || {
                        let mut guest = module.instantiate()?;
                        let alloc = guest.export::<i32, i32, L>("alloc")?;
                        let multiply = guest.export::<i32, i64, L>("multiply_bytemuck_at")?;
                        Ok((guest, alloc, multiply))
                    },
                    |(guest, alloc, multiply), rep| {
                        #[expect(clippy::cast_possible_truncation, reason = "16")]
                        let len = REQUEST_WIRE_V1_LEN as i32;
                        each_call(rep, options.calls, |a, b| {
                            let pointer = guest.call(alloc, len)?;
                            let operands = RequestWireV1::pair(a, b);
                            guest.write(
                                pointer as u32,
                                bytemuck::bytes_of(&operands),
                                "the buffer `alloc` returned",
                            )?;
                            Ok(guest.call(multiply, pointer)? as u64)
                        })
                    },
                    progress,
                )
            }
            if cached {
                dynamic::<Cached>(options, module, progress)
            } else {
                dynamic::<Uncached>(options, module, progress)
            }
        }
        Config::Bytemuck {
            cached,
            memory: Memory::Static,
        } => {
            fn fixed<L: Lookup>(
                options: Options,
                module: &Module,
                progress: &mut dyn FnMut(),
            ) -> Result<Samples, Error> {
                measure(
                    options,
                    Loading::Preload,
                    || {
                        let mut guest = module.instantiate()?;
                        let address = static_buffer(&mut guest, REQUEST_WIRE_V1_LEN)?.0;
                        let multiply = guest.export::<(), i64, L>("multiply_bytemuck")?;
                        Ok((guest, address, multiply))
                    },
                    |(guest, address, multiply), rep| {
                        each_call(rep, options.calls, |a, b| {
                            let operands = RequestWireV1::pair(a, b);
                            guest.write(
                                *address,
                                bytemuck::bytes_of(&operands),
                                "the static buffer",
                            )?;
                            Ok(guest.call(multiply, ())? as u64)
                        })
                    },
                    progress,
                )
            }
            if cached {
                fixed::<Cached>(options, module, progress)
            } else {
                fixed::<Uncached>(options, module, progress)
            }
        }
        Config::Batch => measure(
            options,
            Loading::Preload,
            || {
                let mut guest = instantiate()?;
                let (address, len) = static_buffer(&mut guest, REQUEST_WIRE_V1_LEN + 8)?;
                let multiply = guest.export::<i32, i32, Cached>("multiply_batch")?;
                let capacity = len as usize / (REQUEST_WIRE_V1_LEN + 8);
                Ok((guest, address, capacity, multiply, Vec::new(), Vec::new()))
            },
            |(guest, address, capacity, multiply, pairs, products), rep| {
                let mut sum = 0u64;
                let mut index = 0;
                while index < calls {
                    let n = usize::try_from(calls - index)
                        .map_or(*capacity, |left| left.min(*capacity));
                    pairs.clear();
                    pairs.extend((index..index + n as u64).map(|index| {
                        let (a, b) = operands(rep, index);
                        RequestWireV1::pair(a, b)
                    }));
                    guest.write(
                        *address,
                        bytemuck::cast_slice(black_box(&pairs[..])),
                        "the static buffer",
                    )?;
                    #[expect(
                        clippy::cast_possible_truncation,
                        reason = "at most the buffer's capacity"
                    )]
                    let done = guest.call(multiply, n as i32)?;
                    if usize::try_from(done).ok() != Some(n) {
                        return Err(Error::Invalid(format!(
                            "multiply_batch({n}) returned {done}"
                        )));
                    }
                    products.resize(n * 8, 0);
                    #[expect(clippy::cast_possible_truncation, reason = "inside the buffer")]
                    let at = *address + (n * REQUEST_WIRE_V1_LEN) as u32;
                    guest.read(at, products, "the products")?;
                    for product in products.as_chunks::<8>().0 {
                        sum = sum.wrapping_add(u64::from_le_bytes(*product));
                    }
                    index += n as u64;
                }
                Ok(black_box(sum))
            },
            progress,
        ),
    }
}

/// The instance and its handle in one struct, the call a method: the
/// paper's "self-referential struct", which needed Ouroboros when wasmer's
/// handles borrowed the instance and is a plain struct now.
struct SrsGuest {
    guest: Guest,
    multiply: wsim_backends::engine::Export<(i64, i64), i64, Cached>,
}

impl SrsGuest {
    fn new(module: &Module) -> Result<Self, Error> {
        let mut guest = module.instantiate()?;
        let multiply = guest.export("multiply")?;
        Ok(Self { guest, multiply })
    }

    #[inline]
    #[expect(
        clippy::cast_sign_loss,
        clippy::cast_possible_wrap,
        reason = "i64s carry u64 bits"
    )]
    fn multiply(&mut self, a: u64, b: u64) -> Result<u64, Error> {
        Ok(self.guest.call(&self.multiply, (a as i64, b as i64))? as u64)
    }
}

/// The static buffer's address and length, checked to lie in memory and
/// hold `min_len` bytes.
fn static_buffer(guest: &mut Guest, min_len: usize) -> Result<(u32, u32), Error> {
    let buffer = guest.export::<(), i64, Cached>("buffer")?;
    let (address, len) = wire::unpack_buffer(guest.call(&buffer, ())?);
    if (len as usize) < min_len {
        return Err(Error::Invalid(format!(
            "{}: a static buffer of {len} bytes",
            guest.module()
        )));
    }
    guest.check_range(address, len as usize, "the static buffer")?;
    Ok((address, len))
}

/// The native floor, measured like every other configuration.
pub(super) fn measure_native(
    options: Options,
    progress: &mut dyn FnMut(),
) -> Result<Samples, Error> {
    measure(
        options,
        Loading::Preload,
        || Ok(()),
        |(), rep| each_call(rep, options.calls, |a, b| Ok(multiply_natively(a, b))),
        progress,
    )
}

/// The runtime's own typed call on `module`, nothing of wsim in between:
/// the engine picks the runtime once, outside the loop of calls.
#[expect(
    clippy::cast_sign_loss,
    clippy::cast_possible_wrap,
    reason = "i64s carry u64 bits"
)]
fn measure_bare(
    module: &Module,
    options: Options,
    progress: &mut dyn FnMut(),
) -> Result<Samples, Error> {
    let calls = options.calls;
    measure(
        options,
        Loading::Preload,
        || Ok(module.bare_function::<(i64, i64), i64>("multiply")?),
        |multiply, rep| {
            let mut sum = 0u64;
            multiply.call_each(
                calls,
                |index| {
                    let (a, b) = black_box(operands(rep, index));
                    (a as i64, b as i64)
                },
                |product| sum = sum.wrapping_add(black_box(product as u64)),
            )?;
            Ok(sum)
        },
        progress,
    )
}

/// The Component Model configurations, on the multiply component.
#[cfg(feature = "wasmtime")]
pub(super) fn measure_component(
    config: Config,
    component: &wsim_backends::Component,
    options: Options,
    progress: &mut dyn FnMut(),
) -> Result<Samples, Error> {
    use wsim_backends::multiply::Multiply;

    /// Pairs per `multiply-list` call: the Batch configuration's order of
    /// magnitude.
    const LIST_LEN: usize = 4096;

    let calls = options.calls;
    let prepare = || {
        let mut store = component.store();
        let linker = component.linker();
        let bindings = Multiply::instantiate(store.store_mut(), component.inner(), &linker)
            .map_err(|error| Error::Invalid(format!("{}: {error:#}", component.name())))?;
        Ok((store, bindings, Vec::new()))
    };
    match config {
        Config::Component => measure(
            options,
            Loading::Preload,
            prepare,
            |(store, bindings, _), rep| {
                each_call(rep, calls, |a, b| {
                    Ok(store.call("multiply", |store| bindings.call_multiply(store, a, b))?)
                })
            },
            progress,
        ),
        Config::ComponentList => measure(
            options,
            Loading::Preload,
            prepare,
            |(store, bindings, pairs), rep| {
                let mut sum = 0u64;
                let mut index = 0;
                while index < calls {
                    let n =
                        usize::try_from(calls - index).map_or(LIST_LEN, |left| left.min(LIST_LEN));
                    pairs.clear();
                    pairs.extend((index..index + n as u64).map(|index| operands(rep, index)));
                    let products = store.call("multiply-list", |store| {
                        bindings.call_multiply_list(store, black_box(&pairs[..]))
                    })?;
                    if products.len() != n {
                        return Err(Error::Invalid(format!(
                            "multiply-list of {n} pairs returned {} products",
                            products.len()
                        )));
                    }
                    sum = products
                        .iter()
                        .fold(sum, |sum, &product| sum.wrapping_add(product));
                    index += n as u64;
                }
                Ok(black_box(sum))
            },
            progress,
        ),
        _ => Err(Error::Invalid(format!(
            "{} does not run on a component",
            config.label()
        ))),
    }
}
