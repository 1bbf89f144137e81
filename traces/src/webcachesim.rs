//! webcachesim's text format: `time id size` per line (webcachesim, LRB).

use std::io::{self, Read, Write};

use wsim_policies::Request;

use crate::lines::{Lines, fields, parse_field};
use crate::{
    CHUNK, Error, Format, Origin, ReadOptions, RecordWriter, RequestReader, ByteStream, WrittenRecord,
};

/// webcachesim's `time id size` text.
#[derive(Debug, Clone, Copy)]
pub struct Webcachesim;

impl Format for Webcachesim {
    const NAME: &'static str = "webcachesim";
    const EXTENSIONS: &'static [&'static str] = &["tr"];
    const ABOUT: &'static str = "webcachesim's `time id size` text (.tr)";
    const WRITER: Option<&'static dyn RecordWriter> = Some(&Webcachesim);

    fn reader(
        source: ByteStream,
        origin: Origin,
        _: &ReadOptions,
    ) -> Result<Box<dyn RequestReader>, Error> {
        Ok(Box::new(WebcachesimReader::new(source, origin)))
    }
}

impl RecordWriter for Webcachesim {
    fn record(&self, out: &mut dyn Write, record: &WrittenRecord) -> io::Result<()> {
        let Request { id, size, .. } = record.request;
        writeln!(out, "{} {id} {size}", record.time)
    }
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
    /// Reads `source`, naming `origin` in errors.
    pub fn new(source: R, origin: Origin) -> Self {
        Self {
            lines: Lines::new(source, origin),
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
