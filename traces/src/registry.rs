//! The macro that turns the format list in `lib.rs` into everything that
//! enumerates trace formats: the modules, [`TraceFormat`](crate::TraceFormat),
//! its [`ALL`](crate::TraceFormat::ALL) and the one table of each format's
//! [`Format`](crate::Format).

/// `formats! { module::Type, ... }`: declares each format's module (public,
/// for its reader type), and makes one [`TraceFormat`](crate::TraceFormat)
/// variant per line whose [`Format`](crate::Format) is `module::Type`.
macro_rules! formats {
    ($($module:ident :: $format:ident),+ $(,)?) => {
        $(pub mod $module;)+

        /// Every trace format wsim reads. The CLI (`--format`, names from
        /// file extensions), the readers, `wsim gen`, the fuzz target and
        /// the reader tests all enumerate formats through this enum: a
        /// format is added by one line in the list at the top of `lib.rs`.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum TraceFormat {
            $(
                #[doc = concat!("[`", stringify!($module), "::", stringify!($format), "`]")]
                $format,
            )+
        }

        impl TraceFormat {
            /// How many formats there are.
            pub const COUNT: usize = [$(Self::$format),+].len();

            /// Every format, in the order help texts list them.
            pub const ALL: [Self; Self::COUNT] = [$(Self::$format),+];

            /// What reads and writes this format: its row of the one table
            /// of formats.
            #[must_use]
            pub fn entry(self) -> &'static FormatEntry {
                static ENTRIES: [FormatEntry; TraceFormat::COUNT] =
                    [$(FormatEntry::of::<$module::$format>()),+];
                &ENTRIES[self as usize]
            }
        }
    };
}
