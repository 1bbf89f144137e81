//! Any fixed-record binary trace, described by a layout string as
//! libCacheSim takes it (`-t "format=<IQIq,obj-id-col=2,obj-size-col=3"`),
//! so a trace opens without code.
//!
//! The layout is comma-separated `key=value` pairs (keys in any case, `_`
//! for `-`):
//!
//! - `format`: the record as Python's `struct` module spells it: a byte
//!   order (`<` little-endian, as libCacheSim requires, or `>`/`!`
//!   big-endian), then one code per field: `b B c ?` (1 byte), `h H` (2),
//!   `i I l L f` (4), `q Q d` (8), `x` a pad byte; a count repeats a code
//!   (`2I` is `II`, `4x` four pad bytes). Fields are numbered from 1.
//! - `obj-id-col` (required): the field holding the object id.
//! - `obj-size-col` (or `size-col`): the object size; without it every
//!   request has size 1.
//! - `time-col`, `next-access-col` (or `next-access-vtime-col`): the
//!   clock time, and the 1-based index of the object's next request (-1
//!   or `i64::MAX` for never; libCacheSim's binary reader takes only
//!   `i64::MAX`).
//! - `op-col`, `ttl-col`, `tenant-col`: accepted and ignored, as a cache
//!   here does the same with every request.
//!
//! Unsigned codes read unsigned and floats are truncated. libCacheSim
//! reads `B H I L` as signed (an id of 2^31 or more comes out negative, the
//! same object all the same; a size of 2^31 or more goes negative there):
//! wsim reads them as the codes say. A negative size is an error; a size of
//! 0 is skipped and counted (libCacheSim simulates it as a size-0 object).

use std::fmt;
use std::str::FromStr;

use wsim_policies::Request;

use crate::records::{Decoded, RecordReader, Records, bytes, next_access};
use crate::{ByteStream, Error, Format, Origin, ReadOptions, RequestReader};

/// The longest record a layout may describe: a reader holds 4096 of them.
const MAX_RECORD: usize = 1 << 16;

/// A fixed-record binary trace described by a layout.
#[derive(Debug, Clone, Copy)]
pub struct Binary;

impl Format for Binary {
    const NAME: &'static str = "binary";
    const EXTENSIONS: &'static [&'static str] = &[];
    const ABOUT: &'static str =
        "fixed-size binary records described by --trace-params \"format=<IQI,obj-id-col=2,obj-size-col=3\"";

    fn stores_next_access(options: &ReadOptions) -> bool {
        options.binary.as_ref().is_some_and(BinaryLayout::has_next_access)
    }

    fn reader(
        source: ByteStream,
        origin: Origin,
        options: &ReadOptions,
    ) -> Result<Box<dyn RequestReader>, Error> {
        let layout = options.binary.clone().ok_or_else(|| {
            Error::Invalid(format!(
                "{}: a binary trace needs its layout: --trace-params \"format=<IQI,obj-id-col=2,obj-size-col=3\"",
                origin.path.display()
            ))
        })?;
        let records = BinaryRecords { layout };
        Ok(Box::new(RecordReader::with_format(source, origin, records, 0)))
    }
}

/// A field's type: a `struct` code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Code {
    Signed(usize),
    Unsigned(usize),
    Float32,
    Float64,
}

impl Code {
    fn of(code: char) -> Option<Self> {
        Some(match code {
            'b' => Self::Signed(1),
            'B' | 'c' | '?' => Self::Unsigned(1),
            'h' => Self::Signed(2),
            'H' => Self::Unsigned(2),
            'i' | 'l' => Self::Signed(4),
            'I' | 'L' => Self::Unsigned(4),
            'q' => Self::Signed(8),
            'Q' => Self::Unsigned(8),
            'f' => Self::Float32,
            'd' => Self::Float64,
            _ => return None,
        })
    }

    const fn len(self) -> usize {
        match self {
            Self::Signed(len) | Self::Unsigned(len) => len,
            Self::Float32 => 4,
            Self::Float64 => 8,
        }
    }
}

/// Where a field is and how to read it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Field {
    offset: usize,
    code: Code,
}

/// A binary trace's record layout, parsed from libCacheSim's text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BinaryLayout {
    text: String,
    record_len: usize,
    big_endian: bool,
    id: Field,
    size: Option<Field>,
    time: Option<Field>,
    next_access: Option<Field>,
}

impl BinaryLayout {
    /// Bytes per record.
    #[must_use]
    pub const fn record_len(&self) -> usize {
        self.record_len
    }

    /// Whether records carry each request's next access.
    #[must_use]
    pub const fn has_next_access(&self) -> bool {
        self.next_access.is_some()
    }

    /// The field's value, integers exactly and floats truncated.
    #[inline]
    fn read(&self, record: &[u8], field: Field) -> i128 {
        let (at, big) = (field.offset, self.big_endian);
        // One fixed-size load per width: a copy of a run-time length would
        // be a call to memcpy per field.
        let bits = match field.code.len() {
            1 => u64::from(bytes::<1>(record, at)[0]),
            2 if big => u64::from(u16::from_be_bytes(bytes(record, at))),
            2 => u64::from(u16::from_le_bytes(bytes(record, at))),
            4 if big => u64::from(u32::from_be_bytes(bytes(record, at))),
            4 => u64::from(u32::from_le_bytes(bytes(record, at))),
            _ if big => u64::from_be_bytes(bytes(record, at)),
            _ => u64::from_le_bytes(bytes(record, at)),
        };
        match field.code {
            Code::Unsigned(_) => i128::from(bits),
            Code::Signed(len) => {
                let shift = 8 * (8 - len);
                i128::from(((bits << shift) as i64) >> shift)
            }
            #[expect(clippy::cast_possible_truncation, reason = "a float field is truncated")]
            Code::Float32 => f32::from_bits(bits as u32) as i128,
            #[expect(clippy::cast_possible_truncation, reason = "a float field is truncated")]
            Code::Float64 => f64::from_bits(bits) as i128,
        }
    }
}

struct BinaryRecords {
    layout: BinaryLayout,
}

impl Records for BinaryRecords {
    fn record_len(&self) -> usize {
        self.layout.record_len
    }

    #[inline]
    fn decode(&self, record: &[u8]) -> Decoded {
        let layout = &self.layout;
        #[expect(clippy::cast_possible_truncation, clippy::cast_sign_loss, reason = "an id is its low 64 bits")]
        let id = layout.read(record, layout.id) as u64;
        let size = match layout.size {
            None => 1,
            Some(field) => match u64::try_from(layout.read(record, field)) {
                Ok(0) => return Decoded::Skip,
                Ok(size) => size,
                Err(_) => return Decoded::Invalid("the record's object size is negative or above 2^64"),
            },
        };
        let time = layout
            .time
            .map_or(0, |field| u64::try_from(layout.read(record, field)).unwrap_or(0));
        let mut request = Request::new(id, size);
        if let Some(field) = layout.next_access {
            let next = i64::try_from(layout.read(record, field)).unwrap_or(i64::MAX);
            request = request.next_at(next_access(next));
        }
        Decoded::Request(request, time)
    }
}

impl FromStr for BinaryLayout {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        let mut format = None;
        let mut columns: [Option<usize>; 4] = [None; 4];
        for pair in text.split(',').map(str::trim).filter(|pair| !pair.is_empty()) {
            let (key, value) = pair
                .split_once('=')
                .ok_or_else(|| format!("`{pair}` is not key=value"))?;
            let key = key.trim().to_ascii_lowercase().replace('_', "-");
            let value = value.trim();
            let column = match key.as_str() {
                "format" => {
                    format = Some(value.to_owned());
                    continue;
                }
                "obj-id-col" | "obj-id-field" => 0,
                "obj-size-col" | "obj-size-field" | "size-col" | "size-field" => 1,
                "time-col" | "time-field" => 2,
                "next-access-col" | "next-access-field" | "next-access-vtime-col" => 3,
                "op-col" | "ttl-col" | "tenant-col" | "obj-id-is-num" => continue,
                _ => {
                    return Err(format!(
                        "unknown key `{key}` (known: format, obj-id-col, obj-size-col, time-col, \
                         next-access-col, op-col, ttl-col, tenant-col)"
                    ));
                }
            };
            let number = value
                .parse::<usize>()
                .map_err(|_| format!("{key}={value}: a column is a field number from 1"))?;
            columns[column] = Some(number).filter(|&number| number > 0);
        }
        let format = format.ok_or("the layout needs format=<codes>, e.g. format=<IQI")?;
        let (big_endian, fields, record_len) = parse_format(&format)?;
        let field = |column: Option<usize>, key: &str| -> Result<Option<Field>, String> {
            column
                .map(|number| {
                    fields.get(number - 1).copied().ok_or_else(|| {
                        format!("{key} is field {number}, but `{format}` has {} fields", fields.len())
                    })
                })
                .transpose()
        };
        let id = field(columns[0], "obj-id-col")?
            .ok_or("the layout needs obj-id-col, the field that holds the object id")?;
        Ok(Self {
            text: text.trim().to_owned(),
            record_len,
            big_endian,
            id,
            size: field(columns[1], "obj-size-col")?,
            time: field(columns[2], "time-col")?,
            next_access: field(columns[3], "next-access-col")?,
        })
    }
}

impl fmt::Display for BinaryLayout {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// The fields of a `struct` format (pad bytes are not fields), whether it
/// is big-endian
/// and the record's length.
fn parse_format(format: &str) -> Result<(bool, Vec<Field>, usize), String> {
    let mut chars = format.trim().chars().peekable();
    let big_endian = match chars.next() {
        Some('<') => false,
        Some('>' | '!') => true,
        _ => {
            return Err(format!(
                "format `{format}` must start with its byte order: < (little-endian) or > (big-endian)"
            ));
        }
    };
    let mut fields = Vec::new();
    let mut offset = 0;
    while let Some(next) = chars.next() {
        if next.is_whitespace() {
            continue;
        }
        let mut count = String::new();
        let mut code = next;
        while code.is_ascii_digit() {
            count.push(code);
            code = chars
                .next()
                .ok_or_else(|| format!("format `{format}` ends in a count without a code"))?;
        }
        let count = if count.is_empty() {
            1
        } else {
            count
                .parse::<usize>()
                .ok()
                .filter(|&count| (1..=4096).contains(&count))
                .ok_or_else(|| format!("format `{format}`: count {count} is out of range (1 to 4096)"))?
        };
        if code == 'x' {
            offset += count;
            continue;
        }
        let code = Code::of(code).ok_or_else(|| {
            format!("format `{format}`: unknown code `{code}` (known: b B c ? h H i I l L q Q f d x)")
        })?;
        for _ in 0..count {
            fields.push(Field { offset, code });
            offset += code.len();
        }
    }
    if offset == 0 {
        return Err(format!("format `{format}` has no fields"));
    }
    if offset > MAX_RECORD {
        return Err(format!(
            "format `{format}` describes {offset}-byte records; wsim reads records of up to {MAX_RECORD} bytes"
        ));
    }
    Ok((big_endian, fields, offset))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode(layout: &str, record: &[u8]) -> Decoded {
        let layout: BinaryLayout = layout.parse().unwrap();
        assert_eq!(layout.record_len(), record.len(), "{layout}");
        BinaryRecords { layout }.decode(record)
    }

    #[test]
    fn fields_read_as_their_codes_say() {
        // `<2xbHq`: two pad bytes, a signed byte id (-1), a u16 size, an i64
        // next access.
        let mut record = vec![0xee, 0xee, 0xff];
        record.extend(500u16.to_le_bytes());
        record.extend(7i64.to_le_bytes());
        let layout = "format=<2xbHq,obj-id-col=1,obj-size-col=2,next-access-col=3";
        assert_eq!(
            decode(layout, &record),
            Decoded::Request(Request::new(u64::MAX, 500).next_at(7), 0)
        );
        // Big-endian, a float size truncated, a time.
        let mut record = 9u32.to_be_bytes().to_vec();
        record.extend(0x0102_0304_0506_0708u64.to_be_bytes());
        record.extend(1234.9f64.to_be_bytes());
        assert_eq!(
            decode("time-col=1,obj-id-col=2,size-col=3,format=>IQd", &record),
            Decoded::Request(Request::new(0x0102_0304_0506_0708, 1234), 9)
        );
        // Unsigned 32-bit ids above 2^31 stay positive (libCacheSim's read
        // signed); no size column means size 1.
        assert_eq!(
            decode("format=<I,obj-id-col=1", &0xffff_fff0u32.to_le_bytes()),
            Decoded::Request(Request::new(0xffff_fff0, 1), 0)
        );
    }

    #[test]
    fn sizes_of_zero_are_skipped_and_negative_ones_refused() {
        let layout = "format=<Qi,obj-id-col=1,obj-size-col=2";
        let record = |size: i32| [5u64.to_le_bytes().as_slice(), &size.to_le_bytes()].concat();
        assert_eq!(decode(layout, &record(0)), Decoded::Skip);
        assert!(matches!(decode(layout, &record(-3)), Decoded::Invalid(_)));
    }

    #[test]
    fn layouts_that_do_not_parse_say_why() {
        for (text, expected) in [
            ("obj-id-col=1", "needs format"),
            ("format=<Q", "needs obj-id-col"),
            ("format=<Q,obj-id-col=0", "needs obj-id-col"),
            ("format=Q,obj-id-col=1", "byte order"),
            ("format=<Qz,obj-id-col=1", "unknown code `z`"),
            ("format=<Q2,obj-id-col=1", "count without a code"),
            ("format=<x,obj-id-col=1", "is field 1, but"),
            ("format=<,obj-id-col=1", "no fields"),
            ("format=<Q,obj-id-col=x", "a column is a field number"),
            ("format=<Q,obj-id-col", "not key=value"),
            ("format=<99999Q,obj-id-col=1", "out of range"),
            ("format=<0Q,obj-id-col=1", "out of range"),
            (&format!("format=<{},obj-id-col=1", "4096Q".repeat(3)), "up to 65536 bytes"),
        ] {
            let error = text.parse::<BinaryLayout>().unwrap_err();
            assert!(error.contains(expected), "{text}: {error}");
        }
    }
}
