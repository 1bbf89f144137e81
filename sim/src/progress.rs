//! Progress for long runs: a bar on a terminal, nothing when piped.

use std::fmt;

use indicatif::{ProgressBar, ProgressState, ProgressStyle};

/// A progress bar counting requests. Draws only when stderr is a terminal
/// and throttles itself, so reporting every chunk costs next to nothing.
#[derive(Debug, Clone)]
pub struct Progress {
    bar: ProgressBar,
}

impl Progress {
    /// A bar for `total` requests, or a counter when the total is unknown.
    #[must_use]
    pub fn new(total: Option<u64>, message: &str) -> Self {
        let bar = match total {
            Some(total) => ProgressBar::new(total),
            None => ProgressBar::no_length(),
        };
        bar.set_style(style(total.is_some()));
        bar.set_message(message.to_owned());
        Self { bar }
    }

    /// Counts `requests` more.
    pub fn advance(&self, requests: u64) {
        self.bar.inc(requests);
    }

    /// Names what is running now.
    pub fn set_message(&self, message: String) {
        self.bar.set_message(message);
    }

    /// Sets the total once it becomes known.
    pub fn set_total(&self, total: u64) {
        self.bar.set_length(total);
        self.bar.set_style(style(true));
    }

    /// Removes the bar.
    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

fn style(known_total: bool) -> ProgressStyle {
    let template = if known_total {
        "{msg:32} [{bar:30}] {human_pos}/{human_len} requests, {rate}, {eta} left"
    } else {
        "{msg:32} {human_pos} requests, {rate}"
    };
    ProgressStyle::with_template(template)
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .with_key("rate", |state: &ProgressState, out: &mut dyn fmt::Write| {
            let _ = write!(out, "{:.1} M req/s", state.per_sec() / 1e6);
        })
        .progress_chars("=> ")
}
