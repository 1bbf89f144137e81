//! The micro-benchmark's configurations: the paper's Table 1 and what
//! `wsim micro` runs beside it.

use serde::Serialize;

/// How the module is loaded relative to the timing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Loading {
    /// Compiled and instantiated before timing.
    Preload,
    /// Instantiated inside each timed repetition.
    Hotload,
}

/// Where the operands are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Memory {
    /// A buffer the guest allocates per call.
    Dynamic,
    /// The guest's static buffer, its address fetched once.
    Static,
}

/// One configuration of the micro-benchmark.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Config {
    /// A direct call to a native function: the floor.
    Native,
    /// The runtime's own typed call with nothing of wsim in between.
    Bare,
    /// The operands as two wasm arguments.
    Pair {
        /// Export resolved once.
        cached: bool,
        /// When the module is instantiated.
        loading: Loading,
        /// Instance and handle in one struct.
        srs: bool,
    },
    /// The operands bincode-encoded into a buffer the guest allocates.
    Bincode {
        /// Exports resolved once.
        cached: bool,
    },
    /// The operands as a C struct.
    Bytemuck {
        /// Exports resolved once.
        cached: bool,
        /// Into a per-call buffer, or the static one.
        memory: Memory,
    },
    /// Many multiplies per call through the static buffer.
    Batch,
    /// A Component Model call per multiply (wasmtime).
    Component,
    /// Many multiplies per Component Model call, as lists (wasmtime).
    ComponentList,
}

/// The paper's Table 1, in its order.
pub const TABLE_1: [Config; 12] = {
    use Config::{Bincode, Bytemuck, Pair};
    use Loading::{Hotload, Preload};
    [
        Pair {
            cached: false,
            loading: Hotload,
            srs: false,
        },
        Pair {
            cached: false,
            loading: Preload,
            srs: false,
        },
        Pair {
            cached: true,
            loading: Hotload,
            srs: false,
        },
        Pair {
            cached: true,
            loading: Preload,
            srs: false,
        },
        Pair {
            cached: true,
            loading: Hotload,
            srs: true,
        },
        Pair {
            cached: true,
            loading: Preload,
            srs: true,
        },
        Bincode { cached: false },
        Bincode { cached: true },
        Bytemuck {
            cached: false,
            memory: Memory::Dynamic,
        },
        Bytemuck {
            cached: true,
            memory: Memory::Dynamic,
        },
        Bytemuck {
            cached: false,
            memory: Memory::Static,
        },
        Bytemuck {
            cached: true,
            memory: Memory::Static,
        },
    ]
};

/// Every configuration `wsim micro` runs: the floor, the bare call,
/// Table 1, Batch, and the Component Model's two.
#[must_use]
pub fn all_configs() -> Vec<Config> {
    let mut configs = vec![Config::Native, Config::Bare];
    configs.extend(TABLE_1);
    configs.extend([Config::Batch, Config::Component, Config::ComponentList]);
    configs
}

impl Config {
    /// The test number in the paper's Table 1, if it is one of its rows.
    #[must_use]
    pub fn test(self) -> Option<usize> {
        TABLE_1
            .iter()
            .position(|&row| row == self)
            .map(|index| index + 1)
    }

    /// A short name: `4 pair cached preload`.
    #[must_use]
    pub fn label(self) -> String {
        let lookup = |cached: bool| if cached { "cached" } else { "uncached" };
        let name = match self {
            Self::Native => "native".to_owned(),
            Self::Bare => "bare".to_owned(),
            Self::Pair {
                cached,
                loading,
                srs,
            } => format!(
                "pair {} {}{}",
                lookup(cached),
                match loading {
                    Loading::Preload => "preload",
                    Loading::Hotload => "hotload",
                },
                if srs { " srs" } else { "" }
            ),
            Self::Bincode { cached } => format!("bincode {}", lookup(cached)),
            Self::Bytemuck { cached, memory } => format!(
                "bytemuck {} {}",
                lookup(cached),
                match memory {
                    Memory::Dynamic => "dynamic",
                    Memory::Static => "static",
                }
            ),
            Self::Batch => "batch (per item)".to_owned(),
            Self::Component => "component".to_owned(),
            Self::ComponentList => "component list (per item)".to_owned(),
        };
        match self.test() {
            Some(test) => format!("{test} {name}"),
            None => name,
        }
    }

    pub(super) fn abi(self) -> &'static str {
        match self {
            Self::Native => "native",
            Self::Bare | Self::Pair { .. } => "pair",
            Self::Bincode { .. } => "bincode",
            Self::Bytemuck { .. } => "bytemuck",
            Self::Batch => "batch",
            Self::Component => "component",
            Self::ComponentList => "component list",
        }
    }

    /// Whether it runs on a component (wasmtime) rather than on each
    /// runtime's core module.
    #[must_use]
    pub const fn is_component(self) -> bool {
        matches!(self, Self::Component | Self::ComponentList)
    }
}
