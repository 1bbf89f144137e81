//! `wsim run --shard K/N` and `wsim merge`: the slices of a sweep, joined
//! in order, are the whole sweep; bad slices and bad files are refused in
//! words.

use std::fs;

use crate::support::{wsim, wsim_fails};

const SWEEP: &[&str] = &[
    "run",
    "--requests",
    "20000",
    "--objects",
    "2000",
    "--policy",
    "lru,fifo,sieve",
    "--size",
    "1%,4%,9%",
    "--backend",
    "native,batch",
    "--runtime",
    "wasmtime",
    "--no-timing",
];

/// The fields that identify a run and what it counted.
fn counted(records: &[serde_json::Value]) -> Vec<String> {
    let fields = [
        "policy",
        "backend",
        "cache_size",
        "hits",
        "evictions",
        "bytes_hit",
    ];
    records
        .iter()
        .map(|record| {
            let values: Vec<String> = fields.iter().map(|f| record[f].to_string()).collect();
            values.join(" ")
        })
        .collect()
}

fn sweep(dir: &std::path::Path, name: &str, more: &[&str]) -> Vec<serde_json::Value> {
    let json = dir.join(name);
    let mut args = SWEEP.to_vec();
    args.extend(more);
    args.extend(["--json", json.to_str().unwrap()]);
    let output = wsim(&args);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_str(&fs::read_to_string(json).unwrap()).unwrap()
}

#[test]
fn shards_joined_in_order_are_the_whole_sweep() {
    let dir = tempfile::tempdir().unwrap();
    let whole = sweep(dir.path(), "whole.json", &[]);
    assert_eq!(whole.len(), 18);
    let mut parts = Vec::new();
    let mut sizes = Vec::new();
    for k in 1..=4 {
        let name = format!("part-{k}.json");
        let part = sweep(dir.path(), &name, &["--shard", &format!("{k}/4")]);
        // Each slice keeps whole policy-and-size pairs: native beside batch.
        assert_eq!(part.len() % 2, 0, "{part:?}");
        sizes.push(part.len());
        parts.push(dir.path().join(name).to_str().unwrap().to_owned());
    }
    assert_eq!(sizes, [4, 4, 4, 6], "9 pairs in 4 slices: 2, 2, 2, 3");
    let merged = dir.path().join("merged.json");
    let mut args = vec!["merge"];
    args.extend(parts.iter().map(String::as_str));
    args.extend(["-o", merged.to_str().unwrap()]);
    let output = wsim(&args);
    assert!(output.status.success());
    assert!(String::from_utf8_lossy(&output.stdout).contains("18 runs from 4 files"));
    let merged: Vec<serde_json::Value> =
        serde_json::from_str(&fs::read_to_string(merged).unwrap()).unwrap();
    assert_eq!(counted(&merged), counted(&whole));
}

#[test]
fn a_slice_with_nothing_in_it_writes_an_empty_array() {
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("empty.json");
    let output = wsim(&[
        "run",
        "--requests",
        "2000",
        "--policy",
        "lru",
        "--size",
        "1%",
        "--shard",
        "2/3",
        "--json",
        json.to_str().unwrap(),
    ]);
    assert!(output.status.success());
    assert!(
        String::from_utf8_lossy(&output.stdout)
            .contains("shard 2/3: 0 of the sweep's 1 policy-and-size pairs, 0 runs")
    );
    assert_eq!(fs::read_to_string(json).unwrap().trim(), "[]");
}

#[test]
fn a_huge_shard_count_is_only_a_slice() {
    let dir = tempfile::tempdir().unwrap();
    let max = usize::MAX;
    let last = sweep(
        dir.path(),
        "last.json",
        &["--shard", &format!("{max}/{max}")],
    );
    assert_eq!(
        last.len(),
        2,
        "the last of 2^64-1 slices of 9 pairs holds the last pair"
    );
    let first = sweep(dir.path(), "first.json", &["--shard", &format!("1/{max}")]);
    assert!(first.is_empty());
}

#[test]
fn bad_shards_and_merges_are_refused_in_words() {
    for shard in ["0/4", "5/4", "1", "a/b", "1/0"] {
        let message = wsim_fails(&["run", "--shard", shard]);
        assert!(
            message.contains("is not a shard: K/N"),
            "{shard}: {message}"
        );
    }
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.json");
    let out = out.to_str().unwrap();
    let missing = dir.path().join("missing.json");
    let message = wsim_fails(&["merge", missing.to_str().unwrap(), "-o", out]);
    assert!(
        message.contains("missing.json: cannot read it"),
        "{message}"
    );
    let not_json = dir.path().join("not.json");
    fs::write(&not_json, "[{\"policy\": ").unwrap();
    let message = wsim_fails(&["merge", not_json.to_str().unwrap(), "-o", out]);
    assert!(message.contains("not.json: not a JSON array"), "{message}");
    assert!(message.contains("line 1"), "{message}");
    let not_a_run = dir.path().join("mrc.json");
    fs::write(&not_a_run, "[{\"policy\": \"lru\"}]").unwrap();
    let message = wsim_fails(&["merge", not_a_run.to_str().unwrap(), "-o", out]);
    assert!(
        message.contains("record 1 is not one of `wsim run --json`: it has no `trace`"),
        "{message}"
    );
    let part = sweep(dir.path(), "part.json", &["--shard", "1/2"]);
    assert!(!part.is_empty());
    let part = dir.path().join("part.json");
    let part = part.to_str().unwrap();
    let message = wsim_fails(&["merge", part, part, "-o", out]);
    assert!(message.contains("both have the run"), "{message}");
}
