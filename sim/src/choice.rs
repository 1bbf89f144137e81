//! List options over a registry (`--policy`, `--backend`, `--runtime`,
//! `--lookup`): each comma-separated element is one value, by the name its
//! `clap::ValueEnum` gives, or `all`. The names come from the registries,
//! so no list of them is written here.

use std::ffi::OsStr;
use std::marker::PhantomData;

use clap::builder::{PossibleValue, TypedValueParser};
use clap::error::ErrorKind;
use clap::{Arg, Command, ValueEnum};

/// One element of a list option: every value of a registry, or one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Choice<T> {
    /// `all` (or an alias of it, such as `both`).
    All,
    /// One value.
    One(T),
}

impl<T: ValueEnum + Clone + PartialEq> Choice<T> {
    /// The values `choices` name, each once in the order first named;
    /// `all` is every value `keep` keeps, in registry order.
    pub fn resolve(choices: &[Self], keep: impl Fn(&T) -> bool) -> Vec<T> {
        let mut values: Vec<T> = Vec::new();
        for choice in choices {
            let named: Vec<T> = match choice {
                Self::All => T::value_variants()
                    .iter()
                    .filter(|v| keep(v))
                    .cloned()
                    .collect(),
                Self::One(value) => vec![value.clone()],
            };
            for value in named {
                if !values.contains(&value) {
                    values.push(value);
                }
            }
        }
        values
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

impl<T: ValueEnum + Clone + Send + Sync + 'static> TypedValueParser for ChoiceParser<T> {
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
        if let Ok(value) = T::from_str(text, true) {
            return Ok(Choice::One(value));
        }
        let known: Vec<String> = self
            .possible_values()
            .into_iter()
            .flatten()
            .map(|value| value.get_name().to_owned())
            .collect();
        let place = arg.map_or_else(String::new, |arg| format!(" for '{arg}'"));
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
