//! How a trace is read and replayed, and the synthetic trace's shape:
//! `--format`, `--num-req`, `--sample-ratio`, `--warmup` and `--requests`
//! and its kin, as `run`, `mrc`, `convert` and `analyze` take them.

use clap::Args;
use wsim_traces::binary::BinaryLayout;
use wsim_traces::sample::SpatialSampler;
use wsim_traces::{
    Column, CsvOptions, ReadOptions, Replay, SizeDistribution, Synthetic, TraceFormat,
};

/// How to read a trace file.
#[derive(Debug, Args)]
pub struct FormatArgs {
    /// Trace format, or auto: an lcs header by its magic number, else the
    /// file name's extension, else a guess from the first bytes (said on
    /// stderr) [default: auto]; zstd compression is detected from the content
    #[arg(long, value_name = "FORMAT", value_parser = parse_format)]
    pub(crate) format: Option<FormatChoice>,

    /// A binary trace's record layout, as libCacheSim's -t takes it
    /// (implies --format binary): "format=<IQIq,obj-id-col=2,obj-size-col=3"
    /// (Python struct codes, fields numbered from 1; also time-col,
    /// next-access-col)
    #[arg(long, value_name = "TEXT")]
    pub(crate) trace_params: Option<BinaryLayout>,

    /// CSV: the id column, a header name or 1-based position [default: id]
    #[arg(long, value_name = "NAME|POS")]
    pub(crate) id_column: Option<Column>,

    /// CSV: the size column, a header name or 1-based position [default: size]
    #[arg(long, value_name = "NAME|POS")]
    pub(crate) size_column: Option<Column>,

    /// CSV: the first line is data, not a header (columns by position only)
    #[arg(long)]
    pub(crate) no_header: bool,
}

/// `--format`: a format, or `auto`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct FormatChoice(pub(crate) Option<TraceFormat>);

fn parse_format(text: &str) -> Result<FormatChoice, String> {
    if text.trim().eq_ignore_ascii_case("auto") {
        return Ok(FormatChoice(None));
    }
    text.parse()
        .map(|format| FormatChoice(Some(format)))
        .map_err(|error: String| format!("{error}, or auto"))
}

impl FormatArgs {
    /// The format asked for (`--trace-params` implies `binary`); `None` to
    /// detect it.
    pub(crate) fn format(&self) -> Result<Option<TraceFormat>, String> {
        let named = self.format.and_then(|choice| choice.0);
        match (named, &self.trace_params) {
            (None, Some(_)) => Ok(Some(TraceFormat::Binary)),
            (Some(format), Some(_)) if format != TraceFormat::Binary => Err(format!(
                "--trace-params describes a binary layout, but --format is {format}"
            )),
            _ => Ok(named),
        }
    }

    /// How to read the trace, beyond its format.
    pub(crate) fn read_options(&self) -> ReadOptions {
        ReadOptions {
            csv: CsvOptions {
                id_column: self.id_column.clone(),
                size_column: self.size_column.clone(),
                has_header: !self.no_header,
                ..CsvOptions::default()
            },
            binary: self.trace_params.clone(),
            ignore_size: false,
        }
    }
}

/// Which requests of a trace a replay takes.
#[derive(Debug, Args)]
pub struct ReplayArgs {
    /// Replay only the first N requests of the trace (before sampling;
    /// requests of size 0, which every reader skips, do not count)
    #[arg(long, value_name = "N", value_parser = parse_positive)]
    pub(crate) num_req: Option<u64>,

    /// Replay only a spatial sample of the objects, kept whole, chosen by a
    /// hash of the id as libCacheSim's -s chooses them (one object in
    /// floor(1/R)): the same objects on every run, backend and machine.
    /// Cache sizes are not scaled
    #[arg(long, value_name = "R", value_parser = parse_sample_ratio)]
    pub(crate) sample_ratio: Option<SpatialSampler>,
}

impl ReplayArgs {
    /// The replay asked for, without a warm-up.
    pub(crate) const fn replay(&self) -> Replay {
        Replay {
            num_req: self.num_req,
            sample: self.sample_ratio,
            warmup: 0,
        }
    }
}

/// `--warmup`: requests, or a share of the replayed trace.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Warmup {
    /// This many requests.
    Requests(u64),
    /// This percentage of the requests replayed.
    Percent(f64),
}

pub(super) fn parse_warmup(text: &str) -> Result<Warmup, String> {
    let text = text.trim();
    if let Some(percent) = text.strip_suffix('%') {
        return match percent.trim().parse::<f64>() {
            Ok(percent) if (0.0..100.0).contains(&percent) => Ok(Warmup::Percent(percent)),
            _ => Err(format!("`{text}`: a warm-up share lies in [0%, 100%)")),
        };
    }
    text.replace('_', "")
        .parse()
        .map(Warmup::Requests)
        .map_err(|_| {
            format!("`{text}` is not a warm-up: a number of requests, or a percentage (10%)")
        })
}

pub(super) fn parse_positive(text: &str) -> Result<u64, String> {
    match text.trim().replace('_', "").parse::<u64>() {
        Ok(0) => Err("must be at least 1".to_owned()),
        Ok(number) => Ok(number),
        Err(_) => Err(format!("`{text}` is not a whole number")),
    }
}

fn parse_sample_ratio(text: &str) -> Result<SpatialSampler, String> {
    let ratio: f64 = text
        .trim()
        .parse()
        .map_err(|_| format!("`{text}` is not a ratio (e.g. 0.01)"))?;
    SpatialSampler::new(ratio)
}

/// The synthetic trace's parameters.
#[derive(Debug, Args)]
#[group(id = "synthetic", multiple = true)]
pub struct SyntheticArgs {
    /// Synthetic trace: requests to generate
    #[arg(long, value_name = "N", default_value_t = Synthetic::DEFAULT.requests)]
    requests: u64,

    /// Synthetic trace: distinct objects
    #[arg(long, value_name = "N", default_value_t = Synthetic::DEFAULT.objects)]
    objects: u64,

    /// Synthetic trace: Zipf exponent of object popularity (0 is uniform)
    #[arg(long, value_name = "ALPHA", default_value_t = Synthetic::DEFAULT.alpha,
          allow_negative_numbers = true)]
    alpha: f64,

    /// Synthetic trace: object sizes, fixed:SIZE, uniform:MIN..MAX or lognormal:MEDIAN,SIGMA
    #[arg(long, value_name = "DIST", default_value_t = Synthetic::DEFAULT.sizes)]
    object_sizes: SizeDistribution,

    /// Synthetic trace: random seed
    #[arg(long, value_name = "N", default_value_t = Synthetic::DEFAULT.seed)]
    seed: u64,
}

impl SyntheticArgs {
    pub(crate) const fn spec(&self) -> Synthetic {
        Synthetic {
            requests: self.requests,
            objects: self.objects,
            alpha: self.alpha,
            sizes: self.object_sizes,
            seed: self.seed,
        }
    }
}
