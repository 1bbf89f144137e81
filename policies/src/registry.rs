//! The macro that turns the policy list in `lib.rs` into everything that
//! enumerates policies: the modules, [`PolicyKind`](crate::PolicyKind), its
//! [`ALL`](crate::PolicyKind::ALL) and the one `match` in
//! [`visit`](crate::PolicyKind::visit).

/// `policies! { module::Type, ... }`: declares each policy's module,
/// re-exports its type, and makes one [`PolicyKind`](crate::PolicyKind)
/// variant per line, in report order.
macro_rules! policies {
    ($($module:ident :: $policy:ident),+ $(,)?) => {
        $(
            mod $module;
            pub use $module::$policy;
        )+

        /// Every built-in policy. The CLI, the reports, the guest builds and
        /// the tests all enumerate policies through this enum: a policy is
        /// added by one line in the list at the top of `lib.rs`.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum PolicyKind {
            $(
                #[doc = concat!("[`", stringify!($policy), "`]")]
                $policy,
            )+
        }

        impl PolicyKind {
            /// How many policies there are.
            pub const COUNT: usize = [$(Self::$policy),+].len();

            /// Every policy, in the order reports list them (the order of
            /// the list in `lib.rs`).
            pub const ALL: [Self; Self::COUNT] = [$(Self::$policy),+];

            /// Runs `visitor` with this policy's type: the one `match` over
            /// policies, so code generic over the policy stays monomorphized.
            pub fn visit<V: PolicyVisitor>(self, visitor: V) -> V::Output {
                match self {
                    $(Self::$policy => visitor.visit::<$policy>(),)+
                }
            }

            /// The policy's type as this crate exports it (`Lru` is
            /// `wsim_policies::Lru`), for build scripts that generate code
            /// naming it, such as the guest builds.
            #[must_use]
            pub const fn rust_type(self) -> &'static str {
                match self {
                    $(Self::$policy => stringify!($policy),)+
                }
            }
        }
    };
}
