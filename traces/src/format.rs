//! What every trace format offers ([`Format`]), and [`TraceFormat`]'s
//! names, file extensions and parsing, derived from it.

use std::fmt;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::str::FromStr;

use wsim_policies::Request;

use crate::{Error, ReadOptions, RequestReader, TraceFormat, TraceSummary};

/// A stream of trace bytes, handed to a reader to own.
pub type ByteStream = Box<dyn Read + Send>;

/// Where a stream of trace bytes comes from, for the errors its reader
/// reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    /// The file (or a name standing for the stream).
    pub path: PathBuf,
    /// Whether the bytes were zstd-compressed in the file, so offsets are
    /// into the decompressed stream.
    pub compressed: bool,
}

/// A trace format: its names, and how to read (and perhaps write) it. Each
/// format is a unit struct implementing this in a file of its own, listed
/// once in the registry at the top of `lib.rs`.
pub trait Format {
    /// The name `--format` takes (lower case).
    const NAME: &'static str;

    /// File extensions (lower case, without the dot) that name this format.
    /// `zst` claims a file whose only extension is `.zst`.
    const EXTENSIONS: &'static [&'static str];

    /// The format in a few words, for help texts.
    const ABOUT: &'static str;

    /// How to write the format, if wsim can.
    const WRITER: Option<&'static dyn RecordWriter> = None;

    /// Whether its records carry each request's next access (as
    /// oracleGeneral's `next_access_vtime` does); for the others a run that
    /// needs it computes it in a pass of its own.
    const NEXT_ACCESS: bool = false;

    /// Whether a file read with `options` carries next accesses: the
    /// format's [`NEXT_ACCESS`](Self::NEXT_ACCESS), unless the options
    /// decide (a binary layout with a next-access column).
    fn stores_next_access(_options: &ReadOptions) -> bool {
        Self::NEXT_ACCESS
    }

    /// A reader of `source`, naming `origin` in its errors.
    fn reader(
        source: ByteStream,
        origin: Origin,
        options: &ReadOptions,
    ) -> Result<Box<dyn RequestReader>, Error>;
}

/// What opens a reader: [`Format::reader`] as a function pointer.
pub type OpenReader = fn(ByteStream, Origin, &ReadOptions) -> Result<Box<dyn RequestReader>, Error>;

/// What [`TraceFormat`] knows of one format: its [`Format`] as values, so
/// one table indexed by the enum serves every question.
#[derive(Clone, Copy)]
pub struct FormatEntry {
    /// [`Format::NAME`].
    pub name: &'static str,
    /// [`Format::EXTENSIONS`].
    pub extensions: &'static [&'static str],
    /// [`Format::ABOUT`].
    pub about: &'static str,
    /// [`Format::WRITER`].
    pub writer: Option<&'static dyn RecordWriter>,
    /// [`Format::stores_next_access`].
    pub next_access: fn(&ReadOptions) -> bool,
    /// [`Format::reader`].
    pub reader: OpenReader,
}

impl FormatEntry {
    /// The entry of `F`.
    #[must_use]
    pub const fn of<F: Format>() -> Self {
        Self {
            name: F::NAME,
            extensions: F::EXTENSIONS,
            about: F::ABOUT,
            writer: F::WRITER,
            next_access: F::stores_next_access,
            reader: F::reader,
        }
    }
}

impl fmt::Debug for FormatEntry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FormatEntry")
            .field("name", &self.name)
            .field("extensions", &self.extensions)
            .finish_non_exhaustive()
    }
}

/// One request as a writer stores it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WrittenRecord {
    /// The request's clock time: its index in the trace, or the time the
    /// trace it is converted from gives it.
    pub time: u64,
    /// The request.
    pub request: Request,
    /// The index of the object's next request; -1 if none. Filled only for
    /// writers that [need it](RecordWriter::needs_next_access).
    pub next_access: i64,
}

/// Writes a trace format, record by record.
pub trait RecordWriter: Sync {
    /// What comes before the first record; `summary` describes the whole
    /// trace, for formats whose header stores statistics.
    fn header(&self, _out: &mut dyn Write, _summary: &TraceSummary) -> io::Result<()> {
        Ok(())
    }

    /// Refuses a request the format cannot store, saying why.
    fn check(&self, _request: Request) -> Result<(), String> {
        Ok(())
    }

    /// Whether the format stores sizes; a format that does not reads every
    /// size back as 1.
    fn keeps_sizes(&self) -> bool {
        true
    }

    /// Whether records carry the next access, which needs a pass over the
    /// whole trace first.
    fn needs_next_access(&self) -> bool {
        false
    }

    /// Writes one record.
    fn record(&self, out: &mut dyn Write, record: &WrittenRecord) -> io::Result<()>;
}

impl TraceFormat {
    /// The name `--format` takes.
    #[must_use]
    pub fn name(self) -> &'static str {
        self.entry().name
    }

    /// A reader of `source` in this format, naming `origin` in its errors.
    pub fn reader(
        self,
        source: ByteStream,
        origin: Origin,
        options: &ReadOptions,
    ) -> Result<Box<dyn RequestReader>, Error> {
        (self.entry().reader)(source, origin, options)
    }

    /// Every format's name, comma-separated, for messages.
    #[must_use]
    pub fn names() -> String {
        Self::ALL.map(Self::name).join(", ")
    }

    /// The format a file name implies: its last extension once `.zst` is
    /// stripped; a name whose only extension is `.zst` goes to the format
    /// claiming `zst` (oracleGeneral, as the public collections ship it).
    #[must_use]
    pub fn from_path(path: &Path) -> Option<Self> {
        let name = path.file_name()?.to_str()?.to_ascii_lowercase();
        let (stem, compressed) = match name
            .strip_suffix(".zst")
            .or_else(|| name.strip_suffix(".zstd"))
        {
            Some(stem) => (stem, true),
            None => (name.as_str(), false),
        };
        let claiming = |extension: &str| {
            Self::ALL
                .into_iter()
                .find(|format| format.entry().extensions.contains(&extension))
        };
        let extension = Path::new(stem).extension().and_then(|ext| ext.to_str());
        extension
            .and_then(claiming)
            .or_else(|| compressed.then(|| claiming("zst")).flatten())
    }
}

impl fmt::Display for TraceFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for TraceFormat {
    type Err = String;

    fn from_str(name: &str) -> Result<Self, String> {
        Self::ALL
            .into_iter()
            .find(|format| format.name().eq_ignore_ascii_case(name.trim()))
            .ok_or_else(|| format!("unknown trace format `{name}` (known: {})", Self::names()))
    }
}

#[cfg(feature = "clap")]
impl clap::ValueEnum for TraceFormat {
    fn value_variants<'a>() -> &'a [Self] {
        &Self::ALL
    }

    fn to_possible_value(&self) -> Option<clap::builder::PossibleValue> {
        Some(clap::builder::PossibleValue::new(self.name()).help(self.entry().about))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_format_is_found_by_name_and_by_each_extension() {
        for format in TraceFormat::ALL {
            assert_eq!(format.name().parse(), Ok(format));
            for extension in format.entry().extensions {
                let file = if *extension == "zst" {
                    "trace.zst".to_owned()
                } else {
                    format!("trace.{extension}")
                };
                assert_eq!(
                    TraceFormat::from_path(Path::new(&file)),
                    Some(format),
                    "{file}"
                );
                let compressed = format!("{file}.zst");
                assert_eq!(
                    TraceFormat::from_path(Path::new(&compressed)),
                    Some(format),
                    "{compressed}"
                );
            }
        }
        assert!("no-such-format".parse::<TraceFormat>().is_err());
        assert_eq!(TraceFormat::from_path(Path::new("trace.unknown")), None);
    }

    #[test]
    fn no_two_formats_share_a_name_or_an_extension() {
        let names: Vec<&str> = TraceFormat::ALL.map(TraceFormat::name).to_vec();
        let extensions: Vec<&str> = TraceFormat::ALL
            .iter()
            .flat_map(|format| format.entry().extensions.iter().copied())
            .collect();
        for keys in [names, extensions] {
            for (index, key) in keys.iter().enumerate() {
                assert!(!keys[..index].contains(key), "{key} is claimed twice");
            }
        }
    }
}
