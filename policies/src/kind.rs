//! What every policy of the registry offers, by name: [`PolicyKind`]'s
//! names, parsing and printing, and the visitor its `match` calls.

use core::fmt;
use core::str::FromStr;

use crate::{EvictionPolicy, PolicyKind};

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

    /// The policy's position in [`PolicyKind::ALL`].
    #[must_use]
    pub const fn index(self) -> usize {
        self as usize
    }

    /// Every policy's name, comma-separated, for messages.
    #[must_use]
    pub fn names() -> String {
        Self::ALL.map(Self::name).join(", ")
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

#[cfg(feature = "clap")]
impl clap::ValueEnum for PolicyKind {
    fn value_variants<'a>() -> &'a [Self] {
        &Self::ALL
    }

    fn to_possible_value(&self) -> Option<clap::builder::PossibleValue> {
        Some(clap::builder::PossibleValue::new(self.name()))
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for PolicyKind {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.name())
    }
}

#[cfg(feature = "serde")]
impl<'de> serde::Deserialize<'de> for PolicyKind {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let name = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        name.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_distinct_lower_case_and_parse_back() {
        for (index, kind) in PolicyKind::ALL.into_iter().enumerate() {
            let name = kind.name();
            assert_eq!(kind.index(), index, "{name}");
            assert_eq!(name, name.to_ascii_lowercase(), "{name}");
            assert_eq!(name.parse::<PolicyKind>().ok(), Some(kind), "{name}");
            assert_eq!(
                PolicyKind::ALL
                    .iter()
                    .filter(|other| other.name() == name)
                    .count(),
                1,
                "{name}"
            );
        }
        assert!("no-such-policy".parse::<PolicyKind>().is_err());
    }
}
