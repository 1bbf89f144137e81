//! Line-based text traces: webcachesim's `time id size` and plain ids.

use std::io::{BufRead, BufReader, ErrorKind, Read};
use std::path::PathBuf;

use wsim_policies::Request;

use super::{CHUNK, RequestReader};
use crate::Error;

/// Lines of a text stream, numbered, with the line ending stripped.
#[derive(Debug)]
pub(crate) struct Lines<R> {
    reader: BufReader<R>,
    line: Vec<u8>,
    number: u64,
    offset: u64,
    path: PathBuf,
    compressed: bool,
}

impl<R: Read> Lines<R> {
    pub(crate) fn new(source: R, path: PathBuf, compressed: bool) -> Self {
        Self {
            reader: BufReader::with_capacity(1 << 16, source),
            line: Vec::new(),
            number: 0,
            offset: 0,
            path,
            compressed,
        }
    }

    /// The next line, or `None` at the end of the stream.
    fn next_line(&mut self) -> Result<Option<&[u8]>, Error> {
        self.line.clear();
        let read = loop {
            match self.reader.read_until(b'\n', &mut self.line) {
                Ok(read) => break read,
                Err(error) if error.kind() == ErrorKind::Interrupted => {}
                Err(source) => {
                    return Err(Error::Read {
                        path: self.path.clone(),
                        offset: self.offset,
                        compressed: self.compressed,
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

    fn malformed(&self, what: String) -> Error {
        Error::Malformed {
            path: self.path.clone(),
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

fn fields(line: &[u8]) -> impl Iterator<Item = &[u8]> {
    line.split(u8::is_ascii_whitespace)
        .filter(|field| !field.is_empty())
}

/// webcachesim's text format: `time id size` per line, separated by
/// whitespace. Further columns (extra features, as in LRB's traces) are
/// ignored; blank lines are skipped.
#[derive(Debug)]
pub struct WebcachesimReader<R> {
    lines: Lines<R>,
    skipped: u64,
}

impl<R: Read> WebcachesimReader<R> {
    /// Reads `source`, naming `path` in errors.
    pub fn new(source: R, path: PathBuf, compressed: bool) -> Self {
        Self {
            lines: Lines::new(source, path, compressed),
            skipped: 0,
        }
    }
}

impl<R: Read + Send> RequestReader for WebcachesimReader<R> {
    fn fill(&mut self, out: &mut Vec<Request>) -> Result<(), Error> {
        out.clear();
        while out.len() < CHUNK {
            let parsed = match self.lines.next_line()? {
                Some(line) => parse_webcachesim(line),
                None => break,
            };
            match parsed {
                Ok(None) => {}
                Ok(Some(request)) if request.size == 0 => self.skipped += 1,
                Ok(Some(request)) => out.push(request),
                Err(what) => return Err(self.lines.malformed(what)),
            }
        }
        Ok(())
    }

    fn skipped(&self) -> u64 {
        self.skipped
    }
}

/// One `time id size` line; `None` for a blank line.
fn parse_webcachesim(line: &[u8]) -> Result<Option<Request>, String> {
    let mut columns = fields(line);
    let (Some(time), Some(id), Some(size)) = (columns.next(), columns.next(), columns.next())
    else {
        return match fields(line).count() {
            0 => Ok(None),
            found => Err(format!("expected 3 fields `time id size`, found {found}")),
        };
    };
    parse_field(time, "time")?;
    Ok(Some(Request::new(
        parse_field(id, "id")?,
        parse_field(size, "size")?,
    )))
}

/// One object id per line; every request has size 1. Blank lines are skipped.
#[derive(Debug)]
pub struct IdsReader<R> {
    lines: Lines<R>,
}

impl<R: Read> IdsReader<R> {
    /// Reads `source`, naming `path` in errors.
    pub fn new(source: R, path: PathBuf, compressed: bool) -> Self {
        Self {
            lines: Lines::new(source, path, compressed),
        }
    }
}

impl<R: Read + Send> RequestReader for IdsReader<R> {
    fn fill(&mut self, out: &mut Vec<Request>) -> Result<(), Error> {
        out.clear();
        while out.len() < CHUNK {
            let parsed = match self.lines.next_line()? {
                Some(line) => parse_id_line(line),
                None => break,
            };
            match parsed {
                Ok(None) => {}
                Ok(Some(id)) => out.push(Request::new(id, 1)),
                Err(what) => return Err(self.lines.malformed(what)),
            }
        }
        Ok(())
    }

    fn skipped(&self) -> u64 {
        0
    }
}

/// One id on a line; `None` for a blank line.
fn parse_id_line(line: &[u8]) -> Result<Option<u64>, String> {
    let mut columns = fields(line);
    let Some(id) = columns.next() else {
        return Ok(None);
    };
    if columns.next().is_some() {
        return Err(format!(
            "expected one id per line, found {} fields",
            fields(line).count()
        ));
    }
    parse_field(id, "id").map(Some)
}
