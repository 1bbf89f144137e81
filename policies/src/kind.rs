//! The one place that lists the policies.

use core::fmt;
use core::str::FromStr;

use crate::{EvictionPolicy, Fifo, GdSize, Lfu, Lru};

/// Every policy wsim knows, by name. The CLI, the reports and the guest
/// builds all enumerate policies through this enum and its one `match`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "lowercase"))]
pub enum PolicyKind {
    /// First in, first out.
    Fifo,
    /// Least recently used.
    Lru,
    /// Least frequently used, ties to the least recently used.
    Lfu,
    /// GreedyDual-Size, cost 1.
    Gdsize,
}

/// Code generic over the policy type, run for a [`PolicyKind`] chosen at run
/// time: the `match` lives in [`PolicyKind::visit`], the code stays
/// monomorphized.
pub trait PolicyVisitor {
    /// What the visit returns.
    type Output;
    /// Runs with `P` as the policy.
    fn visit<P: EvictionPolicy + 'static>(self) -> Self::Output;
}

impl PolicyKind {
    /// Every policy, in the order reports list them.
    pub const ALL: [Self; 4] = [Self::Fifo, Self::Lru, Self::Lfu, Self::Gdsize];

    /// Runs `visitor` with this policy's type.
    pub fn visit<V: PolicyVisitor>(self, visitor: V) -> V::Output {
        match self {
            Self::Fifo => visitor.visit::<Fifo>(),
            Self::Lru => visitor.visit::<Lru>(),
            Self::Lfu => visitor.visit::<Lfu>(),
            Self::Gdsize => visitor.visit::<GdSize>(),
        }
    }

    /// The policy's name, as [`EvictionPolicy::NAME`] gives it.
    #[must_use]
    pub fn name(self) -> &'static str {
        struct Name;
        impl PolicyVisitor for Name {
            type Output = &'static str;
            fn visit<P: EvictionPolicy>(self) -> &'static str {
                P::NAME
            }
        }
        self.visit(Name)
    }
}

impl fmt::Display for PolicyKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for PolicyKind {
    type Err = crate::Error;

    fn from_str(name: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|kind| kind.name().eq_ignore_ascii_case(name))
            .ok_or_else(|| crate::Error::UnknownPolicy(name.to_owned()))
    }
}
