//! Plain ids: one object id per line, every size 1.

use std::io::{self, Read, Write};

use wsim_policies::Request;

use crate::lines::{Lines, fields, parse_field};
use crate::{
    CHUNK, Error, Format, Origin, ReadOptions, RecordWriter, RequestReader, ByteStream, WrittenRecord,
};

/// One id per line.
#[derive(Debug, Clone, Copy)]
pub struct Ids;

impl Format for Ids {
    const NAME: &'static str = "ids";
    const EXTENSIONS: &'static [&'static str] = &["txt"];
    const ABOUT: &'static str = "one object id per line, every size 1 (.txt)";
    const WRITER: Option<&'static dyn RecordWriter> = Some(&Ids);

    fn reader(
        source: ByteStream,
        origin: Origin,
        _: &ReadOptions,
    ) -> Result<Box<dyn RequestReader>, Error> {
        Ok(Box::new(IdsReader::new(source, origin)))
    }
}

impl RecordWriter for Ids {
    fn keeps_sizes(&self) -> bool {
        false
    }

    fn record(&self, out: &mut dyn Write, record: &WrittenRecord) -> io::Result<()> {
        writeln!(out, "{}", record.request.id)
    }
}

/// One object id per line; every request has size 1. Blank lines are skipped.
#[derive(Debug)]
pub struct IdsReader<R> {
    lines: Lines<R>,
}

impl<R: Read> IdsReader<R> {
    /// Reads `source`, naming `origin` in errors.
    pub fn new(source: R, origin: Origin) -> Self {
        Self {
            lines: Lines::new(source, origin),
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
