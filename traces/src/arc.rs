//! The ARC paper's block traces (Megiddo & Modha, "ARC: A Self-Tuning, Low
//! Overhead Replacement Cache", FAST '03: `P1.lis`, `OLTP.lis`, `DS1`,
//! `S3`, `spc1`, ...), read as Caffeine's simulator reads them.
//!
//! Each line is `startBlock blockCount ignored requestNumber` and stands
//! for `blockCount` requests, one per block `startBlock`,
//! `startBlock + 1`, ..., `startBlock + blockCount - 1`, each of size 1
//! (the traces count 512-byte blocks; Caffeine weighs every key 1).
//! Caffeine's `parser/arc/ArcTraceReader.java` trims the line, splits it
//! on the first two spaces, parses the start as a `long` and the count as
//! an `int`, and ignores everything after the count; so do we, with these
//! differences, each so that every file Caffeine reads gives the same
//! requests here and nothing is silently misread:
//! - fields may be separated by any run of spaces or tabs, and blank lines
//!   are skipped, as in this crate's other text formats (Caffeine stops
//!   with an exception on both);
//! - ids are `u64`, so a negative start (a negative Java `long`) or count
//!   (an empty run in Caffeine) is an error;
//! - a run whose last block would be past `u64::MAX` is an error, where
//!   Java's `long` addition would wrap to an empty run.
//!
//! A count of 0 is an empty run, as in Caffeine. A long run is handed out
//! across chunks, never expanded in memory.

use std::io::{self, Read, Write};

use wsim_policies::Request;

use crate::lines::{Lines, fields, parse_field, quote};
use crate::{
    ByteStream, CHUNK, Error, Format, Origin, ReadOptions, RecordWriter, RequestReader,
    WrittenRecord,
};

/// The largest block count: Caffeine parses the count as a Java `int`.
const MAX_COUNT: u64 = i32::MAX as u64;

/// The ARC traces' `startBlock blockCount ignored requestNumber` text.
#[derive(Debug, Clone, Copy)]
pub struct Arc;

impl Format for Arc {
    const NAME: &'static str = "arc";
    const EXTENSIONS: &'static [&'static str] = &["arc", "lis"];
    const ABOUT: &'static str =
        "the ARC paper's `start count ignored request` block runs, every size 1 (.arc, .lis)";
    const WRITER: Option<&'static dyn RecordWriter> = Some(&Arc);

    fn reader(
        source: ByteStream,
        origin: Origin,
        _: &ReadOptions,
    ) -> Result<Box<dyn RequestReader>, Error> {
        Ok(Box::new(ArcReader::new(source, origin)))
    }
}

/// Writes each request as a run of one block, numbered by its time.
impl RecordWriter for Arc {
    fn keeps_sizes(&self) -> bool {
        false
    }

    fn record(&self, out: &mut dyn Write, record: &WrittenRecord) -> io::Result<()> {
        writeln!(out, "{} 1 0 {}", record.request.id, record.time)
    }
}

/// Reads the ARC traces' block runs; every request has size 1.
#[derive(Debug)]
pub struct ArcReader<R> {
    lines: Lines<R>,
    /// The next block of the current run.
    next: u64,
    /// Blocks of the current run not yet handed out.
    left: u64,
}

impl<R: Read> ArcReader<R> {
    /// Reads `source`, naming `origin` in errors.
    pub fn new(source: R, origin: Origin) -> Self {
        Self {
            lines: Lines::new(source, origin),
            next: 0,
            left: 0,
        }
    }
}

impl<R: Read + Send> RequestReader for ArcReader<R> {
    fn fill(&mut self, out: &mut Vec<Request>) -> Result<(), Error> {
        out.clear();
        while out.len() < CHUNK {
            if self.left == 0 {
                let parsed = match self.lines.next_line()? {
                    Some(line) => parse_run(line),
                    None => break,
                };
                match parsed {
                    Ok(None) => {}
                    Ok(Some((start, count))) => (self.next, self.left) = (start, count),
                    Err(what) => return Err(self.lines.malformed(what)),
                }
                continue;
            }
            let room = (CHUNK - out.len()) as u64;
            let take = self.left.min(room);
            // parse_run checked that the run's last block fits in a u64.
            out.extend((0..take).map(|offset| Request::new(self.next + offset, 1)));
            self.left -= take;
            self.next = self.next.wrapping_add(take);
        }
        Ok(())
    }

    fn skipped(&self) -> u64 {
        0
    }
}

/// One line as `(start, count)`; `None` for a blank line.
fn parse_run(line: &[u8]) -> Result<Option<(u64, u64)>, String> {
    let mut columns = fields(line);
    let Some(start) = columns.next() else {
        return Ok(None);
    };
    let Some(count_field) = columns.next() else {
        return Err("expected `startBlock blockCount ...`, found one field".to_owned());
    };
    let start = parse_field(start, "start block")?;
    let count = parse_field(count_field, "block count")?;
    if count > MAX_COUNT {
        return Err(format!(
            "block count `{}` is more than {MAX_COUNT} (Caffeine reads it as an int)",
            quote(count_field)
        ));
    }
    if count > 0 && start.checked_add(count - 1).is_none() {
        return Err(format!(
            "block count `{count}` from start block `{start}` runs past the largest id"
        ));
    }
    Ok(Some((start, count)))
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;

    fn origin() -> Origin {
        Origin {
            path: PathBuf::from("t.lis"),
            compressed: false,
        }
    }

    /// Every request of `text`, or the first error's message.
    fn read(text: &str) -> Result<Vec<Request>, String> {
        let mut reader = ArcReader::new(text.as_bytes(), origin());
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
    fn each_line_is_a_run_of_consecutive_blocks() {
        // As in P1.lis: start, count, an ignored field, the request number.
        let text = "100 3 0 0\n7 1 0 1\n101 2 0 2\n";
        assert_eq!(read(text).unwrap(), ids(&[100, 101, 102, 7, 101, 102]));
    }

    #[test]
    fn fields_after_the_count_are_ignored_and_blank_lines_skipped() {
        let text = "5 2\n\n  \r\n9\t1 anything at all\r\n0 0 0 3\n+4 1 x\n";
        assert_eq!(read(text).unwrap(), ids(&[5, 6, 9, 4]));
    }

    #[test]
    fn the_empty_file_has_no_requests() {
        assert_eq!(read("").unwrap(), []);
        assert_eq!(read("\n\n").unwrap(), []);
    }

    #[test]
    fn a_run_longer_than_a_chunk_streams_across_chunks() {
        let count = 2 * CHUNK as u64 + 5;
        let text = format!("1000 {count} 0 0\n3 1 0 1\n");
        let mut reader = ArcReader::new(text.as_bytes(), origin());
        let mut chunk = Vec::new();
        let mut sizes = Vec::new();
        let mut all = Vec::new();
        loop {
            reader.fill(&mut chunk).unwrap();
            if chunk.is_empty() {
                break;
            }
            sizes.push(chunk.len());
            all.extend_from_slice(&chunk);
        }
        assert_eq!(sizes, [CHUNK, CHUNK, 6]);
        let mut expected: Vec<u64> = (1000..1000 + count).collect();
        expected.push(3);
        assert_eq!(all, ids(&expected));
    }

    #[test]
    fn a_run_may_end_at_the_largest_id() {
        let text = format!("{} 2 0 0\n", u64::MAX - 1);
        assert_eq!(read(&text).unwrap(), ids(&[u64::MAX - 1, u64::MAX]));
        assert_eq!(
            read(&format!("{} 0\n", u64::MAX)).unwrap(),
            [],
            "an empty run at the largest id"
        );
    }

    #[test]
    fn malformed_lines_are_named() {
        let broken = [
            ("1 1 0 0\n5\n", "t.lis:2: expected `startBlock blockCount ...`, found one field"),
            ("x 1 0 0\n", "t.lis:1: start block `x` is not a non-negative integer"),
            ("-3 1 0 0\n", "t.lis:1: start block `-3` is not a non-negative integer"),
            ("3 -1 0 0\n", "t.lis:1: block count `-1` is not a non-negative integer"),
            ("3 2.5 0 0\n", "t.lis:1: block count `2.5` is not a non-negative integer"),
            (
                "1 2147483648 0 0\n",
                "t.lis:1: block count `2147483648` is more than 2147483647",
            ),
            (
                "18446744073709551615 2 0 0\n",
                "t.lis:1: block count `2` from start block `18446744073709551615` runs past",
            ),
            (
                "18446744073709551616 1 0 0\n",
                "t.lis:1: start block `18446744073709551616` is not",
            ),
        ];
        for (text, expected) in broken {
            let error = read(text).unwrap_err();
            assert!(error.starts_with(expected), "{error:?} should start with {expected:?}");
        }
    }

    #[test]
    fn the_writer_writes_runs_of_one_that_read_back() {
        let requests = [Request::new(9, 4096), Request::new(u64::MAX, 1), Request::new(9, 7)];
        let mut text = Vec::new();
        for (time, &request) in requests.iter().enumerate() {
            let record = WrittenRecord {
                time: time as u64,
                request,
                next_access: -1,
            };
            Arc.record(&mut text, &record).unwrap();
        }
        let text = String::from_utf8(text).unwrap();
        assert_eq!(text, format!("9 1 0 0\n{} 1 0 1\n9 1 0 2\n", u64::MAX));
        assert_eq!(read(&text).unwrap(), ids(&[9, u64::MAX, 9]));
    }
}
