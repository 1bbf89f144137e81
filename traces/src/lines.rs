//! What the line-based text formats share: numbered lines, and fields
//! parsed with errors that quote them.

use std::io::{BufRead, BufReader, ErrorKind, Read};

use crate::{Error, Origin};

/// Lines of a text stream, numbered, with the line ending stripped.
#[derive(Debug)]
pub(crate) struct Lines<R> {
    reader: BufReader<R>,
    line: Vec<u8>,
    number: u64,
    offset: u64,
    origin: Origin,
}

impl<R: Read> Lines<R> {
    pub(crate) fn new(source: R, origin: Origin) -> Self {
        Self {
            reader: BufReader::with_capacity(1 << 16, source),
            line: Vec::new(),
            number: 0,
            offset: 0,
            origin,
        }
    }

    /// The next line, or `None` at the end of the stream.
    pub(crate) fn next_line(&mut self) -> Result<Option<&[u8]>, Error> {
        self.line.clear();
        let read = loop {
            match self.reader.read_until(b'\n', &mut self.line) {
                Ok(read) => break read,
                Err(error) if error.kind() == ErrorKind::Interrupted => {}
                Err(source) => {
                    return Err(Error::Read {
                        path: self.origin.path.clone(),
                        offset: self.offset,
                        compressed: self.origin.compressed,
                        error: source,
                    });
                }
            }
        };
        if read == 0 {
            return Ok(None);
        }
        self.number += 1;
        self.offset += read as u64;
        let line = self.line.strip_suffix(b"\n").unwrap_or(&self.line);
        Ok(Some(line.strip_suffix(b"\r").unwrap_or(line)))
    }

    pub(crate) fn malformed(&self, what: String) -> Error {
        Error::Malformed {
            path: self.origin.path.clone(),
            line: self.number,
            what,
        }
    }
}

/// Parses an unsigned decimal integer field, naming it in the error.
pub(crate) fn parse_field(field: &[u8], name: &str) -> Result<u64, String> {
    std::str::from_utf8(field)
        .ok()
        .and_then(|text| text.parse().ok())
        .ok_or_else(|| format!("{name} `{}` is not a non-negative integer", quote(field)))
}

/// A field as text for an error message, shortened if long.
pub(crate) fn quote(field: &[u8]) -> String {
    const LIMIT: usize = 40;
    let text = String::from_utf8_lossy(field);
    if text.chars().count() > LIMIT {
        format!("{}...", text.chars().take(LIMIT).collect::<String>())
    } else {
        text.into_owned()
    }
}

pub(crate) fn fields(line: &[u8]) -> impl Iterator<Item = &[u8]> {
    line.split(u8::is_ascii_whitespace)
        .filter(|field| !field.is_empty())
}
