//! The compilers a runtime can compile guests with.

/// The compilers a guest can be compiled with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Compiler {
    /// Cranelift: optimizing, the default (and the paper's); both runtimes
    /// have it.
    Cranelift,
    /// Singlepass: compiles in one pass, faster to compile, slower to run;
    /// wasmer only.
    Singlepass,
}

impl Compiler {
    /// Every compiler, built or not.
    pub const ALL: [Self; 2] = [Self::Cranelift, Self::Singlepass];

    /// The compiler's name.
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Self::Cranelift => "cranelift",
            Self::Singlepass => "singlepass",
        }
    }

    /// The compiler in a few words, for help texts.
    #[must_use]
    pub const fn about(self) -> &'static str {
        match self {
            Self::Cranelift => "optimizing (the paper's choice); every runtime has it",
            Self::Singlepass => {
                "compiles fast, runs slower; wasmer only, with the `singlepass` feature"
            }
        }
    }

    /// Whether this build includes the compiler.
    #[must_use]
    pub const fn is_built(self) -> bool {
        match self {
            Self::Cranelift => true,
            Self::Singlepass => cfg!(feature = "singlepass"),
        }
    }
}

impl std::fmt::Display for Compiler {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}
