//! `--format auto`: telling a trace's format from its name and first bytes.
//!
//! An lcs header is recognised by its magic number before anything else,
//! since lcs traces travel under names (`.zst`, `.bin`) that other formats
//! claim. Then the file name decides, as before. Only a name that says
//! nothing leads to a guess from the bytes, and the guess is reported.

use std::path::Path;

use crate::TraceFormat;
use crate::records::u64_at;
use crate::vscsi::VscsiVersion;

/// Bytes of a trace's start that detection looks at.
pub const SNIFFED: usize = 4096;

/// The format of the trace at `path` whose (decompressed) first bytes are
/// `start` and whose length is `length` when known (not compressed); and
/// how it was guessed, when the name did not say.
#[must_use]
pub fn detect(
    path: &Path,
    start: &[u8],
    length: Option<u64>,
) -> Option<(TraceFormat, Option<&'static str>)> {
    let named = TraceFormat::from_path(path);
    if start.len() >= 8 && u64_at(start, 0) == crate::lcs::MAGIC {
        let guessed = (named != Some(TraceFormat::Lcs)).then_some("its lcs magic number");
        return Some((TraceFormat::Lcs, guessed));
    }
    if let Some(format) = named {
        return Some((format, None));
    }
    if VscsiVersion::of(start).is_some() {
        return Some((
            TraceFormat::Vscsi,
            Some("the vscsi version in its first records"),
        ));
    }
    if let Some(guess) = text_format(start) {
        return Some(guess);
    }
    let whole_records = length.is_none_or(|length| length % 24 == 0);
    (whole_records && !start.is_empty()).then_some((
        TraceFormat::OracleGeneral,
        Some("binary data in 24-byte records; if it is not oracleGeneral, pass --format"),
    ))
}

/// CSV, webcachesim or plain ids, for a start that is all text.
fn text_format(start: &[u8]) -> Option<(TraceFormat, Option<&'static str>)> {
    let text = std::str::from_utf8(start).ok()?;
    if text.is_empty() || text.chars().any(|c| c.is_control() && !c.is_whitespace()) {
        return None;
    }
    let first = text.lines().find(|line| !line.trim().is_empty())?;
    if first.contains(',') {
        return Some((TraceFormat::Csv, Some("comma-separated text")));
    }
    match first.split_whitespace().count() {
        1 => Some((TraceFormat::Ids, Some("text with one field per line"))),
        3 => Some((
            TraceFormat::Webcachesim,
            Some("text with three fields per line"),
        )),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lcs_is_known_by_its_magic_whatever_the_name() {
        let mut start = crate::lcs::MAGIC.to_le_bytes().to_vec();
        start.extend([0; 64]);
        for name in ["t.zst", "t.bin", "t"] {
            assert!(matches!(
                detect(Path::new(name), &start, None),
                Some((TraceFormat::Lcs, Some(_)))
            ));
        }
        assert_eq!(
            detect(Path::new("t.lcs.zst"), &start, None),
            Some((TraceFormat::Lcs, None))
        );
    }

    #[test]
    fn the_name_decides_before_a_guess_and_a_guess_says_so() {
        assert_eq!(
            detect(Path::new("t.csv"), b"1 2 3\n", None),
            Some((TraceFormat::Csv, None))
        );
        assert_eq!(
            detect(Path::new("t"), b"id,size\n1,2\n", None).map(|(format, _)| format),
            Some(TraceFormat::Csv)
        );
        assert_eq!(
            detect(Path::new("t"), b"17\n18\n", None).map(|(format, _)| format),
            Some(TraceFormat::Ids)
        );
        assert_eq!(
            detect(Path::new("t"), b"1 17 400\n", None).map(|(format, _)| format),
            Some(TraceFormat::Webcachesim)
        );
        let binary = [0xffu8; 48];
        assert!(matches!(
            detect(Path::new("t"), &binary, Some(48)),
            Some((TraceFormat::OracleGeneral, Some(_)))
        ));
        assert_eq!(detect(Path::new("t"), &binary[..47], Some(47)), None);
        assert_eq!(detect(Path::new("t"), b"", Some(0)), None);
    }
}
