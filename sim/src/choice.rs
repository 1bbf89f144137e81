//! List options over a registry (`--policy`, `--backend`, `--runtime`,
//! `--lookup`): each comma-separated element is one value, by the name its
//! `clap::ValueEnum` gives, or `all`. The names come from the registries,
//! so no list of them is written here.

use std::ffi::OsStr;
use std::marker::PhantomData;

use clap::builder::{PossibleValue, TypedValueParser};
use clap::error::ErrorKind;
use clap::{Arg, Command, ValueEnum};
use wsim_backends::{Backend, Compiler, LookupKind, Runs, Runtime};
use wsim_policies::{PolicyKind, PolicySpec};

/// A registry whose entries this build may leave out: those are refused
/// when named, and left out of `all`.
pub trait Availability {
    /// Why this entry cannot be used in this build, if it cannot.
    fn unavailable(&self) -> Option<String>;
}

impl Availability for PolicyKind {
    fn unavailable(&self) -> Option<String> {
        None
    }
}

impl Availability for LookupKind {
    fn unavailable(&self) -> Option<String> {
        None
    }
}

impl Availability for Compiler {
    fn unavailable(&self) -> Option<String> {
        (!self.is_built()).then(|| {
            format!("this build of wsim leaves out the {self} compiler; rebuild with `--features {self}`")
        })
    }
}

impl Availability for Runtime {
    fn unavailable(&self) -> Option<String> {
        (!self.is_built()).then(|| {
            format!("this build of wsim leaves out {self}; rebuild with `--features {self}`")
        })
    }
}

impl Availability for Backend {
    fn unavailable(&self) -> Option<String> {
        if self.is_built() {
            return None;
        }
        // The runtimes that could run it, each a cargo feature.
        let features: Vec<String> = Runtime::ALL
            .into_iter()
            .filter(|runtime| self.runs() != Runs::Component || runtime.hosts_components())
            .map(|runtime| format!("`--features {runtime}`"))
            .collect();
        Some(format!(
            "this build of wsim leaves out the {self} backend; rebuild with {}",
            features.join(" or ")
        ))
    }
}

/// `items` without repeats, in the order each first came.
pub fn distinct<T: PartialEq>(items: impl IntoIterator<Item = T>) -> Vec<T> {
    let mut kept: Vec<T> = Vec::new();
    for item in items {
        if !kept.contains(&item) {
            kept.push(item);
        }
    }
    kept
}

/// One element of a list option: every value of a registry, or one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Choice<T> {
    /// `all` (or an alias of it, such as `both`).
    All,
    /// One value.
    One(T),
    /// `none`: no value at all (only `--policy` takes it, to run `--wasm`
    /// modules alone).
    None,
}

impl<T: ValueEnum + Availability + Clone + PartialEq> Choice<T> {
    /// The values `choices` name, each once in the order first named;
    /// `all` is every value this build has, in registry order.
    pub fn resolve(choices: &[Self]) -> Vec<T> {
        distinct(choices.iter().flat_map(|choice| {
            match choice {
                Self::All => T::value_variants()
                    .iter()
                    .filter(|value| value.unavailable().is_none())
                    .cloned()
                    .collect(),
                Self::One(value) => vec![value.clone()],
                Self::None => Vec::new(),
            }
        }))
    }
}

/// Parses one element as `all` (or an alias) or one of `T`'s names.
#[derive(Debug)]
pub struct ChoiceParser<T> {
    /// What a value is, for errors: `policy`.
    what: &'static str,
    /// Words that mean `all`.
    all: &'static [&'static str],
    values: PhantomData<fn() -> T>,
}

impl<T> Clone for ChoiceParser<T> {
    fn clone(&self) -> Self {
        Self {
            what: self.what,
            all: self.all,
            values: PhantomData,
        }
    }
}

/// The policies `choices` name, each once in the order first named; `all`
/// is every policy at its defaults.
#[must_use]
pub fn resolve_policies(choices: &[Choice<PolicySpec>]) -> Vec<PolicySpec> {
    distinct(choices.iter().flat_map(|choice| match choice {
        Choice::All => PolicyKind::ALL.map(PolicySpec::of).to_vec(),
        Choice::One(spec) => vec![spec.clone()],
        Choice::None => Vec::new(),
    }))
}

/// Parses one `--policy` element: `all`, or a policy's name with its
/// parameters (`s3fifo:small-size-ratio=0.2`).
#[derive(Debug, Clone, Copy)]
pub struct PolicyParser;

impl TypedValueParser for PolicyParser {
    type Value = Choice<PolicySpec>;

    fn parse_ref(
        &self,
        command: &Command,
        arg: Option<&Arg>,
        value: &OsStr,
    ) -> Result<Choice<PolicySpec>, clap::Error> {
        let text = value.to_string_lossy();
        let text = text.trim();
        if text.eq_ignore_ascii_case("all") {
            return Ok(Choice::All);
        }
        if text.eq_ignore_ascii_case("none") {
            return Ok(Choice::None);
        }
        text.parse().map(Choice::One).map_err(|why: String| {
            let place = arg.map_or_else(String::new, |arg| format!(" for '{arg}'"));
            clap::Error::raw(
                ErrorKind::ValueValidation,
                format!("invalid value '{text}'{place}: {why}\n"),
            )
            .with_cmd(command)
        })
    }

    fn possible_values(&self) -> Option<Box<dyn Iterator<Item = PossibleValue> + '_>> {
        let values = PolicyKind::value_variants()
            .iter()
            .filter_map(ValueEnum::to_possible_value)
            .chain([
                PossibleValue::new("all").help("every one"),
                PossibleValue::new("none").help("no built-in policy: the --wasm modules alone"),
            ]);
        Some(Box::new(values))
    }
}

/// Parses one value of `T` by name, refusing one this build leaves out.
#[derive(Debug)]
pub struct OneParser<T>(ChoiceParser<T>);

impl<T> Clone for OneParser<T> {
    fn clone(&self) -> Self {
        Self(self.0.clone())
    }
}

/// A parser of one `what`, no `all`.
pub const fn one<T>(what: &'static str) -> OneParser<T> {
    OneParser(choice::<T>(what).all_as(&[]))
}

impl<T: ValueEnum + Availability + Clone + Send + Sync + 'static> TypedValueParser
    for OneParser<T>
{
    type Value = T;

    fn parse_ref(
        &self,
        command: &Command,
        arg: Option<&Arg>,
        value: &OsStr,
    ) -> Result<T, clap::Error> {
        match self.0.parse_ref(command, arg, value)? {
            Choice::One(value) => Ok(value),
            // No word means `all` or `none` to this parser.
            Choice::All | Choice::None => {
                Err(clap::Error::new(ErrorKind::ValueValidation).with_cmd(command))
            }
        }
    }

    fn possible_values(&self) -> Option<Box<dyn Iterator<Item = PossibleValue> + '_>> {
        self.0.possible_values()
    }
}

/// A parser of `what`s, `all` meaning every one.
pub const fn choice<T>(what: &'static str) -> ChoiceParser<T> {
    ChoiceParser {
        what,
        all: &["all"],
        values: PhantomData,
    }
}

impl<T> ChoiceParser<T> {
    /// The same parser, with `all` also spelled as each of `words`.
    pub const fn all_as(self, words: &'static [&'static str]) -> Self {
        Self { all: words, ..self }
    }
}

impl<T: ValueEnum + Availability + Clone + Send + Sync + 'static> TypedValueParser
    for ChoiceParser<T>
{
    type Value = Choice<T>;

    fn parse_ref(
        &self,
        command: &Command,
        arg: Option<&Arg>,
        value: &OsStr,
    ) -> Result<Choice<T>, clap::Error> {
        let text = value.to_string_lossy();
        let text = text.trim();
        if self.all.iter().any(|word| word.eq_ignore_ascii_case(text)) {
            return Ok(Choice::All);
        }
        let place = arg.map_or_else(String::new, |arg| format!(" for '{arg}'"));
        if let Ok(value) = T::from_str(text, true) {
            return match value.unavailable() {
                None => Ok(Choice::One(value)),
                Some(why) => Err(clap::Error::raw(
                    ErrorKind::ValueValidation,
                    format!("invalid value '{text}'{place}: {why}\n"),
                )
                .with_cmd(command)),
            };
        }
        let known: Vec<String> = self
            .possible_values()
            .into_iter()
            .flatten()
            .map(|value| value.get_name().to_owned())
            .collect();
        let message = format!(
            "invalid value '{text}'{place}: unknown {} `{text}` (known: {})\n",
            self.what,
            known.join(", ")
        );
        let error = clap::Error::raw(ErrorKind::ValueValidation, message).with_cmd(command);
        Err(error)
    }

    fn possible_values(&self) -> Option<Box<dyn Iterator<Item = PossibleValue> + '_>> {
        let values = T::value_variants()
            .iter()
            .filter_map(ValueEnum::to_possible_value);
        let all = self
            .all
            .iter()
            .map(|word| PossibleValue::new(*word).help("every one"));
        Some(Box::new(values.chain(all)))
    }
}
