//! The `wsim` command line.

use std::io::{self, Write};
use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = wsim::cli::Cli::parse();
    match wsim::cli::execute(cli) {
        Ok(()) => ExitCode::SUCCESS,
        // A closed pipe (`wsim run | head`) is the reader's choice, not a failure.
        Err(error)
            if error
                .downcast_ref::<io::Error>()
                .is_some_and(|error| error.kind() == io::ErrorKind::BrokenPipe) =>
        {
            ExitCode::SUCCESS
        }
        Err(error) => {
            let _ = writeln!(io::stderr(), "wsim: error: {error:#}");
            ExitCode::FAILURE
        }
    }
}
