//! `wsim merge`: the `--json` files of a sharded sweep (`wsim run --shard
//! K/N`) joined into one, in the order given, refusing a run that two
//! files both have.

use std::collections::HashMap;
use std::io::Write;
use std::path::PathBuf;

use anyhow::{Context, bail};
use clap::Args;
use serde_json::Value;

/// The fields that tell one run from another; a record of `wsim run
/// --json` has every one.
const RUN_KEY: [&str; 10] = [
    "trace",
    "policy",
    "backend",
    "lookup",
    "runtime",
    "compiler",
    "fuel",
    "cache_size",
    "ignore_size",
    "warmup_requests",
];

/// Arguments of `wsim merge`.
#[derive(Debug, Args)]
pub struct MergeArgs {
    /// The shards' --json files, in shard order (out-{1..8}.json)
    #[arg(value_name = "FILE.json", required = true)]
    pub(crate) inputs: Vec<PathBuf>,

    /// Where to write the joined JSON array
    #[arg(long, short, value_name = "PATH")]
    pub(crate) output: PathBuf,
}

/// `wsim merge`.
pub fn command(args: &MergeArgs, out: &mut dyn Write) -> anyhow::Result<()> {
    let mut merged: Vec<Value> = Vec::new();
    // Each run's key, and the file it came from.
    let mut seen: HashMap<String, usize> = HashMap::new();
    for (file, path) in args.inputs.iter().enumerate() {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("{}: cannot read it", path.display()))?;
        let records: Vec<Value> = serde_json::from_str(&text).with_context(|| {
            format!(
                "{}: not a JSON array of `wsim run --json` records",
                path.display()
            )
        })?;
        for (index, record) in records.into_iter().enumerate() {
            let key = run_key(&record).with_context(|| {
                format!(
                    "{}: record {} is not one of `wsim run --json`",
                    path.display(),
                    index + 1
                )
            })?;
            if let Some(&earlier) = seen.get(&key) {
                bail!(
                    "{} and {} both have the run {key}: shards of one sweep never overlap",
                    args.inputs[earlier].display(),
                    path.display()
                );
            }
            seen.insert(key, file);
            merged.push(record);
        }
    }
    crate::report::write_json_file(&merged, &args.output)?;
    writeln!(
        out,
        "wrote {}: {} runs from {} files",
        args.output.display(),
        merged.len(),
        args.inputs.len()
    )?;
    Ok(())
}

/// `policy=lru cache_size=1024 …`, or which field is missing.
fn run_key(record: &Value) -> anyhow::Result<String> {
    let fields = record.as_object().context("it is not an object")?;
    let mut key = Vec::with_capacity(RUN_KEY.len());
    for name in RUN_KEY {
        let value = fields
            .get(name)
            .with_context(|| format!("it has no `{name}`"))?;
        if !value.is_null() {
            key.push(format!("{name}={value}"));
        }
    }
    Ok(key.join(" "))
}
