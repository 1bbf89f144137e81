//! What every policy of the registry offers, by name: [`PolicyKind`]'s
//! names, parsing and printing, and the visitor its `match` calls.

use core::fmt;
use core::str::FromStr;

use crate::{EvictionPolicy, Parameter, Params, PolicyKind};

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

    /// The parameters the policy takes.
    #[must_use]
    pub fn parameters(self) -> &'static [Parameter] {
        struct Parameters;
        impl PolicyVisitor for Parameters {
            type Output = &'static [Parameter];
            fn visit<P: EvictionPolicy>(self) -> &'static [Parameter] {
                P::PARAMETERS
            }
        }
        self.visit(Parameters)
    }

    /// Whether the policy reads each request's next access.
    #[must_use]
    pub fn needs_next_access(self) -> bool {
        struct Needs;
        impl PolicyVisitor for Needs {
            type Output = bool;
            fn visit<P: EvictionPolicy>(self) -> bool {
                P::NEEDS_NEXT_ACCESS
            }
        }
        self.visit(Needs)
    }

    /// Whether `wsim run` runs it when `--policy` is not given.
    #[must_use]
    pub fn featured(self) -> bool {
        struct Featured;
        impl PolicyVisitor for Featured {
            type Output = bool;
            fn visit<P: EvictionPolicy>(self) -> bool {
                P::FEATURED
            }
        }
        self.visit(Featured)
    }

    /// The `libcachesim` class that runs this policy hit for hit, if any
    /// ([`EvictionPolicy::LIBCACHESIM`]).
    #[must_use]
    pub fn libcachesim(self) -> Option<&'static str> {
        struct Class;
        impl PolicyVisitor for Class {
            type Output = &'static str;
            fn visit<P: EvictionPolicy>(self) -> &'static str {
                P::LIBCACHESIM
            }
        }
        Some(self.visit(Class)).filter(|class| !class.is_empty())
    }

    /// The parameters in a few words, for help texts: `key=default, ...`.
    #[must_use]
    pub fn about(self) -> String {
        let parameters: Vec<String> = self
            .parameters()
            .iter()
            .map(|parameter| format!("{}={}", parameter.name, parameter.default))
            .collect();
        if parameters.is_empty() {
            String::new()
        } else {
            format!("parameters: {}", parameters.join(", "))
        }
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

/// A policy and its parameters, as `--policy` names it:
/// `s3fifo:small-size-ratio=0.2:move-to-main-threshold=1`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct PolicySpec {
    /// The policy.
    pub kind: PolicyKind,
    /// Its parameters, checked against [`PolicyKind::parameters`].
    pub params: Params,
}

impl PolicySpec {
    /// `kind` with every parameter at its default.
    #[must_use]
    pub fn of(kind: PolicyKind) -> Self {
        Self {
            kind,
            params: Params::default(),
        }
    }
}

/// The policy's name, then each parameter given as `:key=value`.
impl fmt::Display for PolicySpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.kind.name())?;
        if !self.params.is_empty() {
            write!(f, ":{}", self.params.to_string().replace(',', ":"))?;
        }
        Ok(())
    }
}

impl FromStr for PolicySpec {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        let (name, params) = text.trim().split_once(':').unwrap_or((text.trim(), ""));
        let kind: PolicyKind = name
            .parse()
            .map_err(|error: crate::Error| error.to_string())?;
        let params =
            Params::parse(params, kind.parameters()).map_err(|error| format!("{kind} {error}"))?;
        Ok(Self { kind, params })
    }
}

#[cfg(feature = "clap")]
impl clap::ValueEnum for PolicyKind {
    fn value_variants<'a>() -> &'a [Self] {
        &Self::ALL
    }

    fn to_possible_value(&self) -> Option<clap::builder::PossibleValue> {
        let value = clap::builder::PossibleValue::new(self.name());
        let about = self.about();
        Some(if about.is_empty() {
            value
        } else {
            value.help(about)
        })
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

    #[test]
    fn specs_name_a_policy_and_its_parameters() {
        for kind in PolicyKind::ALL {
            let spec: PolicySpec = kind.name().parse().unwrap();
            assert_eq!(spec, PolicySpec::of(kind));
            assert_eq!(spec.to_string(), kind.name());
            if let Some(parameter) = kind.parameters().first() {
                let text = format!("{kind}:{}={}", parameter.name, parameter.default);
                let spec: PolicySpec = text.parse().unwrap();
                assert_eq!(spec.to_string(), text);
            } else {
                assert!(format!("{kind}:k=1").parse::<PolicySpec>().is_err());
            }
        }
    }
}
