//! CSV traces, libCacheSim-style: columns chosen by header name or position.

use std::io::{self, Read, Write};

use ::csv::{ByteRecord, ErrorKind};
use wsim_policies::Request;

use crate::lines::{parse_field, quote};
use crate::{
    ByteStream, CHUNK, Column, CsvOptions, Error, Format, Origin, ReadOptions, RecordWriter,
    RequestReader, WrittenRecord,
};

/// CSV with a header; columns by name or position.
#[derive(Debug, Clone, Copy)]
pub struct Csv;

impl Format for Csv {
    const NAME: &'static str = "csv";
    const EXTENSIONS: &'static [&'static str] = &["csv"];
    const ABOUT: &'static str = "CSV, columns by header name or position (.csv)";
    const WRITER: Option<&'static dyn RecordWriter> = Some(&Csv);

    fn reader(
        source: ByteStream,
        origin: Origin,
        options: &ReadOptions,
    ) -> Result<Box<dyn RequestReader>, Error> {
        Ok(Box::new(CsvReader::new(source, origin, &options.csv, options.ignore_size)?))
    }
}

/// Writes `time,id,size` with that header, which the reader's default
/// columns find.
impl RecordWriter for Csv {
    fn header(&self, out: &mut dyn Write, _: &crate::TraceSummary) -> io::Result<()> {
        writeln!(out, "time,id,size")
    }

    fn record(&self, out: &mut dyn Write, record: &WrittenRecord) -> io::Result<()> {
        let Request { id, size, .. } = record.request;
        writeln!(out, "{},{id},{size}", record.time)
    }
}

/// Streams requests out of a CSV trace.
#[derive(Debug)]
pub struct CsvReader<R> {
    reader: ::csv::Reader<R>,
    record: ByteRecord,
    origin: Origin,
    id: usize,
    /// `None`: every size is 1 (no size column, sizes ignored).
    size: Option<usize>,
    skipped: u64,
}

impl<R: Read> CsvReader<R> {
    /// Reads the header (if any) of `source` and resolves the columns.
    pub fn new(
        source: R,
        origin: Origin,
        options: &CsvOptions,
        ignore_size: bool,
    ) -> Result<Self, Error> {
        let mut reader = ::csv::ReaderBuilder::new()
            .has_headers(options.has_header)
            .delimiter(options.delimiter)
            .trim(::csv::Trim::All)
            .from_reader(source);
        let header = if options.has_header {
            let header = reader
                .byte_headers()
                .map_err(|error| csv_error(error, &origin))?
                .clone();
            if header.is_empty() {
                return Err(Error::EmptyTrace {
                    name: origin.path.display().to_string(),
                    skipped: 0,
                });
            }
            Some(header)
        } else {
            None
        };
        let resolve = |column: &Column, role: &str| -> Result<usize, Error> {
            match column {
                Column::Position(position) => {
                    position.checked_sub(1).ok_or_else(|| Error::Columns {
                        path: origin.path.clone(),
                        what: format!("the {role} column is position 0; positions start at 1"),
                    })
                }
                Column::Name(name) => {
                    let Some(header) = &header else {
                        return Err(Error::Columns {
                            path: origin.path.clone(),
                            what: format!(
                                "the {role} column `{name}` is a name, but the trace has no \
                                 header; give its position instead"
                            ),
                        });
                    };
                    header
                        .iter()
                        .position(|field| String::from_utf8_lossy(field).eq_ignore_ascii_case(name))
                        .ok_or_else(|| Error::Columns {
                            path: origin.path.clone(),
                            what: format!(
                                "no column `{name}` in the header ({}); choose the {role} \
                                 column with --{role}-column NAME|POSITION",
                                header_names(header)
                            ),
                        })
                }
            }
        };
        let id = resolve(
            options
                .id_column
                .as_ref()
                .unwrap_or(&Column::Name("id".to_owned())),
            "id",
        )?;
        let size = match &options.size_column {
            Some(column) => Some(resolve(column, "size")?),
            None => match resolve(&Column::Name("size".to_owned()), "size") {
                Ok(column) => Some(column),
                Err(_) if ignore_size => None,
                Err(error) => return Err(error),
            },
        };
        Ok(Self {
            reader,
            record: ByteRecord::new(),
            origin,
            id,
            size,
            skipped: 0,
        })
    }

    fn field(&self, index: usize, role: &str) -> Result<&[u8], String> {
        self.record.get(index).ok_or_else(|| {
            format!(
                "{} fields, but the {role} column is field {}",
                self.record.len(),
                index + 1
            )
        })
    }

    fn request(&self) -> Result<Request, String> {
        let id = parse_field(self.field(self.id, "id")?, "id")?;
        let size = match self.size {
            Some(column) => parse_field(self.field(column, "size")?, "size")?,
            None => 1,
        };
        Ok(Request::new(id, size))
    }
}

fn header_names(header: &ByteRecord) -> String {
    header.iter().map(quote).collect::<Vec<_>>().join(", ")
}

fn csv_error(error: ::csv::Error, origin: &Origin) -> Error {
    let line = error.position().map_or(0, ::csv::Position::line);
    let byte = error.position().map_or(0, ::csv::Position::byte);
    match error.into_kind() {
        ErrorKind::Io(source) => Error::Read {
            path: origin.path.clone(),
            offset: byte,
            compressed: origin.compressed,
            error: source,
        },
        ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => Error::Malformed {
            path: origin.path.clone(),
            line,
            what: format!("{len} fields where the first line has {expected_len}"),
        },
        other => Error::Malformed {
            path: origin.path.clone(),
            line,
            what: format!("{other:?}"),
        },
    }
}

impl<R: Read + Send> RequestReader for CsvReader<R> {
    fn fill(&mut self, out: &mut Vec<Request>) -> Result<(), Error> {
        out.clear();
        while out.len() < CHUNK {
            let more = self
                .reader
                .read_byte_record(&mut self.record)
                .map_err(|error| csv_error(error, &self.origin))?;
            if !more {
                break;
            }
            match self.request() {
                Ok(request) if request.size == 0 => self.skipped += 1,
                Ok(request) => out.push(request),
                Err(what) => {
                    return Err(Error::Malformed {
                        path: self.origin.path.clone(),
                        line: self.record.position().map_or(0, ::csv::Position::line),
                        what,
                    });
                }
            }
        }
        Ok(())
    }

    fn skipped(&self) -> u64 {
        self.skipped
    }
}
