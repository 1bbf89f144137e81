//! How to read a trace beyond its bytes: the options a format's reader
//! takes.

use std::fmt;
use std::str::FromStr;

/// How to read a trace, beyond its bytes.
#[derive(Debug, Clone, Default)]
pub struct ReadOptions {
    /// Columns, header and delimiter, for CSV.
    pub csv: CsvOptions,
    /// The record layout of a `binary` trace.
    pub binary: Option<crate::binary::BinaryLayout>,
    /// Whether every request will count as size 1, so a format may do
    /// without sizes (a CSV trace without a size column).
    pub ignore_size: bool,
}

impl From<CsvOptions> for ReadOptions {
    fn from(csv: CsvOptions) -> Self {
        Self {
            csv,
            ..Self::default()
        }
    }
}

/// A CSV column: a header name, or a 1-based position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Column {
    /// The column whose header is this name (case-insensitive).
    Name(String),
    /// The column at this 1-based position.
    Position(usize),
}

impl FromStr for Column {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        let text = text.trim();
        if text.is_empty() {
            return Err("a column is a header name or a 1-based position".to_owned());
        }
        if text.bytes().all(|byte| byte.is_ascii_digit()) {
            return match text.parse::<usize>() {
                Ok(position) if position >= 1 => Ok(Self::Position(position)),
                _ => Err(format!("column position `{text}` must be 1 or more")),
            };
        }
        Ok(Self::Name(text.to_owned()))
    }
}

impl fmt::Display for Column {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Name(name) => write!(f, "`{name}`"),
            Self::Position(position) => write!(f, "{position}"),
        }
    }
}

/// How to read a CSV trace.
#[derive(Debug, Clone)]
pub struct CsvOptions {
    /// The id column; `None` means the column named `id`.
    pub id_column: Option<Column>,
    /// The size column; `None` means the column named `size`, which may be
    /// absent when sizes are ignored.
    pub size_column: Option<Column>,
    /// Whether the first line is a header (the default).
    pub has_header: bool,
    /// The field separator.
    pub delimiter: u8,
}

impl Default for CsvOptions {
    fn default() -> Self {
        Self {
            id_column: None,
            size_column: None,
            has_header: true,
            delimiter: b',',
        }
    }
}
