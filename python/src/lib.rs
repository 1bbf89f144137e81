//! `wsim._wsim`: the native half of wsim's Python module.
//!
//! Everything goes through the command line's own parser and commands
//! ([`wsim::cli`]), so the Python API takes exactly the CLI's arguments,
//! gives exactly its `--json` records and fails with its one-line
//! messages; the pure-Python half (`python/wsim`) builds the arguments,
//! reads the records and raises `WsimError` and its subclasses. The GIL is
//! released while a command runs, so other Python threads (a Dask worker's
//! heartbeat, a progress display, more simulations) go on.

use std::panic::{self, AssertUnwindSafe};

use pyo3::prelude::*;
use wsim::ErrorKind;
use wsim::cli::Cli;

/// What a command left: whether it succeeded, its report, and when it
/// failed the kind (`trace`, `plugin`, `policy`, `usage`, `other`), its
/// one-line message and each failed run's message.
type Outcome = (
    bool,
    String,
    Option<&'static str>,
    Option<String>,
    Vec<String>,
);

/// Runs `wsim ARGV...` with the GIL released: `(ok, report, kind,
/// message, failures)`. Help and version requests succeed with their text.
#[pyfunction]
fn command(py: Python<'_>, argv: Vec<String>) -> Outcome {
    let cli =
        match <Cli as clap::Parser>::try_parse_from(std::iter::once("wsim".to_owned()).chain(argv))
        {
            Ok(cli) => cli,
            Err(error) => return parse_failure(&error),
        };
    py.detach(move || {
        let mut report: Vec<u8> = Vec::new();
        let result =
            panic::catch_unwind(AssertUnwindSafe(|| wsim::cli::execute_to(cli, &mut report)));
        let report = String::from_utf8_lossy(&report).into_owned();
        match result {
            Ok(Ok(())) => (true, report, None, None, Vec::new()),
            Ok(Err(error)) => {
                let failures = error
                    .downcast_ref::<wsim::execute::RunsFailed>()
                    .map(|failed| failed.messages.clone())
                    .unwrap_or_default();
                let kind = kind_name(ErrorKind::of(&error));
                (
                    false,
                    report,
                    Some(kind),
                    Some(format!("{error:#}")),
                    failures,
                )
            }
            Err(panic) => {
                let what = panic
                    .downcast_ref::<String>()
                    .map(String::as_str)
                    .or_else(|| panic.downcast_ref::<&str>().copied())
                    .unwrap_or("a panic");
                let message = format!("internal error (a bug in wsim, please report it): {what}");
                (false, report, Some("other"), Some(message), Vec::new())
            }
        }
    })
}

/// A command line clap refused, or help and version it printed.
fn parse_failure(error: &clap::Error) -> Outcome {
    use clap::error::ErrorKind as Clap;

    let text = error.render().to_string();
    match error.kind() {
        Clap::DisplayHelp | Clap::DisplayVersion => {
            return (true, text, None, None, Vec::new());
        }
        Clap::DisplayHelpOnMissingArgumentOrSubcommand => {
            let message = "no command given: wsim.cli([\"--help\"]) lists them".to_owned();
            return (false, text, Some("usage"), Some(message), Vec::new());
        }
        _ => {}
    }
    (
        false,
        String::new(),
        Some("usage"),
        Some(clap_message(&text)),
        Vec::new(),
    )
}

/// clap's message on one line: its lines up to the usage that follows,
/// `error: ` dropped (the conflicting arguments it lists included).
fn clap_message(text: &str) -> String {
    let lines: Vec<&str> = text
        .lines()
        .take_while(|line| !line.is_empty() && !line.starts_with("Usage:"))
        .map(str::trim)
        .collect();
    lines.join(" ").trim_start_matches("error: ").to_owned()
}

fn kind_name(kind: ErrorKind) -> &'static str {
    match kind {
        ErrorKind::Trace => "trace",
        ErrorKind::Plugin => "plugin",
        ErrorKind::Policy => "policy",
        ErrorKind::Usage => "usage",
        _ => "other",
    }
}

/// The built-in policies' names, in the registry's order; with `featured`,
/// only the handful `wsim run` runs when `--policy` is left out.
#[pyfunction]
#[pyo3(signature = (featured = false))]
fn policy_names(featured: bool) -> Vec<&'static str> {
    wsim_policies::PolicyKind::ALL
        .iter()
        .filter(|kind| !featured || kind.featured())
        .map(|kind| kind.name())
        .collect()
}

/// The options of `wsim SUBCOMMAND` that take no value (`no-timing`,
/// `ignore-size`), by their long names: a keyword argument naming one is a
/// switch, on when truthy (`no_timing=1` too).
#[pyfunction]
fn switches(subcommand: &str) -> Vec<String> {
    let cli = <Cli as clap::CommandFactory>::command();
    cli.find_subcommand(subcommand)
        .map(|command| {
            command
                .get_arguments()
                .filter(|argument| !argument.get_action().takes_values())
                .filter_map(|argument| argument.get_long().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

/// The module: `command`, `switches` and `policy_names`, and the version.
#[pymodule]
fn _wsim(module: &Bound<'_, PyModule>) -> PyResult<()> {
    module.add_function(wrap_pyfunction!(command, module)?)?;
    module.add_function(wrap_pyfunction!(switches, module)?)?;
    module.add_function(wrap_pyfunction!(policy_names, module)?)?;
    module.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
