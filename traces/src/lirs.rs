//! The LIRS paper's block traces (Jiang & Zhang, "LIRS: An Efficient Low
//! Inter-reference Recency Set Replacement Policy to Improve Buffer Cache
//! Performance", SIGMETRICS '02: `multi1.trc`, `sprite.trc`, `ps.trc`,
//! ...), read as Caffeine's simulator reads them.
//!
//! Each line is one block number, a request of size 1. The authors' `lirs`
//! program takes a line holding only `*` as a breakpoint at which to print
//! its stacks; it is no request. Caffeine's `parser/lirs/LirsTraceReader.java`
//! trims each line, skips one that is then empty or `*`, and parses the
//! rest whole as a `long`; so do we, except that ids are `u64`, so a
//! negative block number is an error rather than a negative key.

use std::io::{self, Read, Write};

use wsim_policies::Request;

use crate::lines::{Lines, fields, parse_field};
use crate::{
    ByteStream, CHUNK, Error, Format, Origin, ReadOptions, RecordWriter, RequestReader,
    WrittenRecord,
};

/// The LIRS traces' one block number per line.
#[derive(Debug, Clone, Copy)]
pub struct Lirs;

impl Format for Lirs {
    const NAME: &'static str = "lirs";
    const EXTENSIONS: &'static [&'static str] = &["trc"];
    const ABOUT: &'static str =
        "the LIRS paper's one block number per line, `*` skipped, every size 1 (.trc)";
    const WRITER: Option<&'static dyn RecordWriter> = Some(&Lirs);

    fn reader(
        source: ByteStream,
        origin: Origin,
        _: &ReadOptions,
    ) -> Result<Box<dyn RequestReader>, Error> {
        Ok(Box::new(LirsReader::new(source, origin)))
    }
}

/// Writes one block number per line, as Caffeine's `LirsTraceWriter` does.
impl RecordWriter for Lirs {
    fn keeps_sizes(&self) -> bool {
        false
    }

    fn record(&self, out: &mut dyn Write, record: &WrittenRecord) -> io::Result<()> {
        writeln!(out, "{}", record.request.id)
    }
}

/// Reads one block number per line; every request has size 1. Blank lines
/// and `*` breakpoints are skipped.
#[derive(Debug)]
pub struct LirsReader<R> {
    lines: Lines<R>,
}

impl<R: Read> LirsReader<R> {
    /// Reads `source`, naming `origin` in errors.
    pub fn new(source: R, origin: Origin) -> Self {
        Self {
            lines: Lines::new(source, origin),
        }
    }
}

impl<R: Read + Send> RequestReader for LirsReader<R> {
    fn fill(&mut self, out: &mut Vec<Request>) -> Result<(), Error> {
        out.clear();
        while out.len() < CHUNK {
            let parsed = match self.lines.next_line()? {
                Some(line) => parse_block_line(line),
                None => break,
            };
            match parsed {
                Ok(None) => {}
                Ok(Some(block)) => out.push(Request::new(block, 1)),
                Err(what) => return Err(self.lines.malformed(what)),
            }
        }
        Ok(())
    }

    fn skipped(&self) -> u64 {
        0
    }
}

/// One block number on a line; `None` for a blank line or a `*` breakpoint.
fn parse_block_line(line: &[u8]) -> Result<Option<u64>, String> {
    let mut columns = fields(line);
    let Some(block) = columns.next() else {
        return Ok(None);
    };
    if columns.next().is_some() {
        return Err(format!(
            "expected one block number per line, found {} fields",
            fields(line).count()
        ));
    }
    if block == b"*" {
        return Ok(None);
    }
    parse_field(block, "block number").map(Some)
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;

    /// Every request of `text`, or the first error's message.
    fn read(text: &str) -> Result<Vec<Request>, String> {
        let origin = Origin {
            path: PathBuf::from("t.trc"),
            compressed: false,
        };
        let mut reader = LirsReader::new(text.as_bytes(), origin);
        let (mut all, mut chunk) = (Vec::new(), Vec::new());
        loop {
            reader.fill(&mut chunk).map_err(|error| error.to_string())?;
            if chunk.is_empty() {
                return Ok(all);
            }
            all.extend_from_slice(&chunk);
        }
    }

    fn ids(ids: &[u64]) -> Vec<Request> {
        ids.iter().map(|&id| Request::new(id, 1)).collect()
    }

    #[test]
    fn one_block_per_line_skipping_blanks_and_breakpoints() {
        let text = "0\n1\n*\n0\n\n  2 \r\n * \n18446744073709551615";
        assert_eq!(read(text).unwrap(), ids(&[0, 1, 0, 2, u64::MAX]));
    }

    #[test]
    fn the_empty_file_has_no_requests() {
        assert_eq!(read("").unwrap(), []);
        assert_eq!(read("*\n\n*\n").unwrap(), []);
    }

    #[test]
    fn malformed_lines_are_named() {
        let broken = [
            ("1\n2\nabc\n", "t.trc:3: block number `abc` is not a non-negative integer"),
            ("1 2\n", "t.trc:1: expected one block number per line, found 2 fields"),
            ("* 5\n", "t.trc:1: expected one block number per line, found 2 fields"),
            ("**\n", "t.trc:1: block number `**` is not a non-negative integer"),
            ("-4\n", "t.trc:1: block number `-4` is not a non-negative integer"),
            (
                "18446744073709551616\n",
                "t.trc:1: block number `18446744073709551616` is not",
            ),
        ];
        for (text, expected) in broken {
            let error = read(text).unwrap_err();
            assert!(error.starts_with(expected), "{error:?} should start with {expected:?}");
        }
    }

    #[test]
    fn the_writer_writes_one_block_per_line_that_reads_back() {
        let requests = [Request::new(3, 4096), Request::new(u64::MAX, 1), Request::new(3, 9)];
        let mut text = Vec::new();
        for (time, &request) in requests.iter().enumerate() {
            let record = WrittenRecord {
                time: time as u64,
                request,
                next_access: -1,
            };
            Lirs.record(&mut text, &record).unwrap();
        }
        let text = String::from_utf8(text).unwrap();
        assert_eq!(text, format!("3\n{}\n3\n", u64::MAX));
        assert_eq!(read(&text).unwrap(), ids(&[3, u64::MAX, 3]));
    }
}
