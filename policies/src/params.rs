//! Policy parameters, as libCacheSim takes them: `key=value` pairs, each
//! declared by the policy with its default (`s3fifo:small-size-ratio=0.2`
//! on the command line). The text is kept as given and parsed the same way
//! natively and in every guest, so a parameter means the same everywhere.

use core::fmt;
use core::ops::Bound;

/// What a parameter's value is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ParamKind {
    /// A number, as `f64` parses it.
    Float,
    /// A whole number.
    Integer,
}

/// One parameter a policy takes.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Parameter {
    /// Its name (`small-size-ratio`).
    pub name: &'static str,
    /// What its value is.
    pub kind: ParamKind,
    /// Its default, as text: libCacheSim's (libcachesim 0.3.5's Python
    /// defaults).
    pub default: &'static str,
    /// What it does, for help texts.
    pub about: &'static str,
    /// The values it accepts: `(lowest, highest)`, either end open,
    /// closed or unbounded.
    pub range: (Bound<f64>, Bound<f64>),
}

impl Parameter {
    /// Whether `value` is in [`range`](Self::range).
    #[must_use]
    pub fn accepts(&self, value: f64) -> bool {
        let above = match self.range.0 {
            Bound::Included(low) => value >= low,
            Bound::Excluded(low) => value > low,
            Bound::Unbounded => true,
        };
        let below = match self.range.1 {
            Bound::Included(high) => value <= high,
            Bound::Excluded(high) => value < high,
            Bound::Unbounded => true,
        };
        above && below
    }

    /// The range as text: `(0, 1)`, `[1, 64]`, `>= 1`.
    #[must_use]
    pub fn range_text(&self) -> String {
        match self.range {
            (Bound::Unbounded, Bound::Unbounded) => "any number".to_owned(),
            (Bound::Included(low), Bound::Unbounded) => format!(">= {low}"),
            (Bound::Excluded(low), Bound::Unbounded) => format!("> {low}"),
            (Bound::Unbounded, Bound::Included(high)) => format!("<= {high}"),
            (Bound::Unbounded, Bound::Excluded(high)) => format!("< {high}"),
            (
                Bound::Included(low) | Bound::Excluded(low),
                Bound::Included(high) | Bound::Excluded(high),
            ) => {
                let open = if matches!(self.range.0, Bound::Included(_)) {
                    '['
                } else {
                    '('
                };
                let close = if matches!(self.range.1, Bound::Included(_)) {
                    ']'
                } else {
                    ')'
                };
                format!("{open}{low}, {high}{close}")
            }
        }
    }
}

/// A policy's parameters as given, checked against what it declares.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Params {
    /// `(name, value)`, in the order given, each name once.
    given: Vec<(String, String)>,
}

impl Params {
    /// Parses `key=value` pairs separated by `,` or `:` against `declared`:
    /// every key declared (in any case, as libCacheSim compares them),
    /// every value of its kind and in its range, no key twice.
    pub fn parse(text: &str, declared: &[Parameter]) -> Result<Self, String> {
        let mut given: Vec<(String, String)> = Vec::new();
        for pair in text
            .split([',', ':'])
            .map(str::trim)
            .filter(|pair| !pair.is_empty())
        {
            let Some((key, value)) = pair.split_once('=') else {
                return Err(format!("`{pair}` is not a parameter: they are key=value"));
            };
            let (key, value) = (key.trim(), value.trim());
            let Some(parameter) = declared
                .iter()
                .find(|parameter| parameter.name.eq_ignore_ascii_case(key))
            else {
                return Err(if declared.is_empty() {
                    format!("takes no parameters, not `{key}`")
                } else {
                    format!(
                        "has no parameter `{key}` (it has: {})",
                        declared
                            .iter()
                            .map(|parameter| parameter.name)
                            .collect::<Vec<_>>()
                            .join(", ")
                    )
                });
            };
            if given.iter().any(|(name, _)| name == parameter.name) {
                return Err(format!("`{}` is given twice", parameter.name));
            }
            check(parameter, value)?;
            given.push((parameter.name.to_owned(), value.to_owned()));
        }
        Ok(Self { given })
    }

    /// Whether no parameter was given (every one at its default).
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.given.is_empty()
    }

    /// The value of `parameter`: the one given, else its default.
    fn text(&self, parameter: &Parameter) -> &str {
        self.given
            .iter()
            .find(|(name, _)| name == parameter.name)
            .map_or(parameter.default, |(_, value)| value)
    }

    /// A float parameter's value. Values are checked when parsed, so a
    /// declared parameter always has one; an undeclared one reads as NaN.
    #[must_use]
    pub fn float(&self, parameter: &Parameter) -> f64 {
        self.text(parameter).parse().unwrap_or(f64::NAN)
    }

    /// An integer parameter's value (checked when parsed; 0 if not).
    #[must_use]
    pub fn integer(&self, parameter: &Parameter) -> i64 {
        self.text(parameter).parse().unwrap_or(0)
    }
}

/// `key=value` pairs joined by `,`: what [`Params::parse`] reads back.
impl fmt::Display for Params {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (index, (key, value)) in self.given.iter().enumerate() {
            if index > 0 {
                f.write_str(",")?;
            }
            write!(f, "{key}={value}")?;
        }
        Ok(())
    }
}

/// Refuses a value not of `parameter`'s kind.
fn check(parameter: &Parameter, value: &str) -> Result<(), String> {
    #[expect(
        clippy::cast_precision_loss,
        reason = "ranges are checked on f64; parameters are far below 2^53"
    )]
    let number = match parameter.kind {
        ParamKind::Float => value
            .parse::<f64>()
            .ok()
            .filter(|number| number.is_finite()),
        ParamKind::Integer => value.parse::<i64>().ok().map(|number| number as f64),
    };
    match number {
        Some(number) if parameter.accepts(number) => Ok(()),
        Some(_) => Err(format!(
            "`{}={value}`: out of range, it must be {}",
            parameter.name,
            parameter.range_text()
        )),
        None => Err(format!(
            "`{}={value}`: the value is not {}",
            parameter.name,
            match parameter.kind {
                ParamKind::Float => "a number",
                ParamKind::Integer => "a whole number",
            }
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const RATIO: Parameter = Parameter {
        name: "ratio",
        kind: ParamKind::Float,
        default: "0.1",
        about: "a ratio",
        range: (Bound::Excluded(0.0), Bound::Excluded(1.0)),
    };
    const K: Parameter = Parameter {
        name: "k",
        kind: ParamKind::Integer,
        default: "2",
        about: "a count",
        range: (Bound::Included(1.0), Bound::Unbounded),
    };

    #[test]
    fn values_default_parse_and_print_back() {
        let declared = [RATIO, K];
        let none = Params::parse("", &declared).unwrap();
        assert!(none.is_empty());
        assert_eq!((none.float(&RATIO), none.integer(&K)), (0.1, 2));
        let given = Params::parse("k=3:ratio=0.25", &declared).unwrap();
        assert_eq!((given.float(&RATIO), given.integer(&K)), (0.25, 3));
        assert_eq!(given.to_string(), "k=3,ratio=0.25");
        assert_eq!(Params::parse(&given.to_string(), &declared), Ok(given));
    }

    #[test]
    fn what_is_wrong_is_said() {
        let declared = [RATIO, K];
        let error = |text| Params::parse(text, &declared).unwrap_err();
        assert!(error("ratio").contains("key=value"));
        assert!(error("size=1").contains("has no parameter `size` (it has: ratio, k)"));
        assert!(error("k=1.5").contains("not a whole number"));
        assert!(error("ratio=x").contains("not a number"));
        assert!(error("ratio=inf").contains("not a number"));
        assert!(error("k=1,k=2").contains("twice"));
        assert!(error("K=1,k=2").contains("`k` is given twice"));
        assert!(error("k=0").contains("out of range, it must be >= 1"));
        assert!(error("ratio=1").contains("out of range, it must be (0, 1)"));
        assert_eq!(
            Params::parse("RATIO=0.5", &declared).unwrap().to_string(),
            "ratio=0.5"
        );
        assert!(
            Params::parse("a=1", &[])
                .unwrap_err()
                .contains("takes no parameters")
        );
    }
}
