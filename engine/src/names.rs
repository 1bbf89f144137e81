//! Runtimes, compilers and lookups by name: which runtimes a build has,
//! and their names on command lines (`clap::ValueEnum`, feature `clap`)
//! and in reports (`serde::Serialize`, feature `serde`), always the names
//! their `name()` gives.

use crate::{Compiler, Runtime};

impl Runtime {
    /// The runtime used when none is named: the first one built.
    #[must_use]
    pub fn default_built() -> Self {
        Self::ALL
            .into_iter()
            .find(|runtime| runtime.is_built())
            .unwrap_or(Self::ALL[0])
    }

    /// The compiler this runtime compiles with when `asked` is wanted:
    /// `asked` if the runtime has it, else its default (wasmtime has
    /// Cranelift alone, so `--compiler singlepass` means wasmer's).
    #[must_use]
    pub fn compiler_for(self, asked: Compiler) -> Compiler {
        let compilers = self.compilers();
        if compilers.contains(&asked) {
            asked
        } else {
            compilers[0]
        }
    }

    /// The runtime that hosts components (the Component Model), when this
    /// build includes one.
    #[must_use]
    pub fn hosting_components() -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|runtime| runtime.is_built() && runtime.hosts_components())
    }

    /// The runtime in a few words, for help texts: its compilers, whether it
    /// hosts components, whether this build has it.
    #[must_use]
    pub fn about(self) -> String {
        let compilers: Vec<&str> = self.compilers().iter().map(|c| c.name()).collect();
        format!(
            "compiles with {}{}{}",
            compilers.join(" or "),
            if self.hosts_components() {
                "; hosts the Component Model"
            } else {
                ""
            },
            if self.is_built() {
                ""
            } else {
                "; not in this build"
            }
        )
    }

    /// The runtimes this build includes.
    #[must_use]
    pub fn built() -> Vec<Self> {
        Self::ALL
            .into_iter()
            .filter(|runtime| runtime.is_built())
            .collect()
    }
}

impl std::fmt::Display for Runtime {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(feature = "clap")]
macro_rules! value_enum {
    ($($ty:ty),+) => {$(
        impl clap::ValueEnum for $ty {
            fn value_variants<'a>() -> &'a [Self] {
                &Self::ALL
            }

            fn to_possible_value(&self) -> Option<clap::builder::PossibleValue> {
                Some(clap::builder::PossibleValue::new(self.name()).help(self.about()))
            }
        }
    )+};
}

#[cfg(feature = "serde")]
macro_rules! serialize_by_name {
    ($($ty:ty),+) => {$(
        impl serde::Serialize for $ty {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.name())
            }
        }
    )+};
}

#[cfg(feature = "clap")]
value_enum!(crate::Runtime, crate::Compiler, crate::LookupKind);
#[cfg(feature = "serde")]
serialize_by_name!(crate::Runtime, crate::Compiler, crate::LookupKind);
