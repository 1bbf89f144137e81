//! `wsim new NAME`: a plugin project that builds, checks and runs as it
//! stands, in Rust, C or WebAssembly text. Its policy is FIFO (Rust, C) or
//! a one-object cache (WAT), with the contract in comments, for the author
//! to change into theirs.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use clap::{Args, ValueEnum};

/// `wsim new`'s arguments.
#[derive(Debug, Args)]
pub struct NewArgs {
    /// The policy's name: lower-case letters, digits, `-` and `_`, starting
    /// with a letter (`mru`); also the project's directory
    #[arg(value_name = "NAME")]
    name: String,

    /// The language of the policy
    #[arg(long, value_enum, default_value_t = Lang::Rust)]
    lang: Lang,

    /// Where to make the project [default: ./NAME]
    #[arg(long, value_name = "DIR")]
    dir: Option<PathBuf>,

    /// A clone of wsim, whose `policies` crate a Rust project depends on
    /// [default: the source this wsim was built from]
    #[arg(long, value_name = "DIR")]
    wsim_source: Option<PathBuf>,
}

/// The languages a plugin project can be made in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Lang {
    /// A crate depending on wsim's policy crate, exporting with
    /// `export_policy!`
    Rust,
    /// A C file over wsim's freestanding header, built with clang
    C,
    /// One WebAssembly text file, nothing to build
    Wat,
}

/// One file of a template: where it goes in the project and its text, with
/// `{{name}}`-style placeholders.
struct File {
    path: &'static str,
    text: &'static str,
}

const RUST: &[File] = &[
    File {
        path: "Cargo.toml",
        text: include_str!("../templates/rust/Cargo.toml"),
    },
    File {
        path: "src/lib.rs",
        text: include_str!("../templates/rust/lib.rs"),
    },
    File {
        path: "tests/contract.rs",
        text: include_str!("../templates/rust/contract.rs"),
    },
    File {
        path: "README.md",
        text: include_str!("../templates/rust/README.md"),
    },
    File {
        path: ".gitignore",
        text: include_str!("../templates/rust/gitignore"),
    },
];

const C: &[File] = &[
    File {
        path: "{{name}}.c",
        text: include_str!("../templates/c/policy.c"),
    },
    File {
        path: "wsim_policy.h",
        text: include_str!("../../examples/c/wsim_policy.h"),
    },
    File {
        path: "build.sh",
        text: include_str!("../templates/c/build.sh"),
    },
    File {
        path: "README.md",
        text: include_str!("../templates/c/README.md"),
    },
    File {
        path: ".gitignore",
        text: include_str!("../templates/c/gitignore"),
    },
];

const WAT: &[File] = &[
    File {
        path: "{{name}}.wat",
        text: include_str!("../templates/wat/policy.wat"),
    },
    File {
        path: "README.md",
        text: include_str!("../templates/wat/README.md"),
    },
];

/// `wsim new`: writes the project and says what to run next.
pub fn command(args: &NewArgs, out: &mut dyn Write) -> anyhow::Result<()> {
    check_name(&args.name, args.lang)?;
    let dir = args
        .dir
        .clone()
        .unwrap_or_else(|| PathBuf::from(&args.name));
    if dir.exists() && !dir.is_dir() {
        bail!(
            "{}: exists and is not a directory; pick another NAME or --dir",
            dir.display()
        );
    }
    if fs::read_dir(&dir).is_ok_and(|mut entries| entries.next().is_some()) {
        bail!(
            "{}: the directory exists and is not empty; pick another NAME or --dir",
            dir.display()
        );
    }
    let wsim = wsim_command();
    let mut values: Vec<(&str, String)> = vec![
        ("name", args.name.clone()),
        ("name_len", args.name.len().to_string()),
        ("Type", type_name(&args.name)),
        ("crate", args.name.replace('-', "_")),
        ("lib", args.name.replace('-', "_")),
        ("wsim", wsim.clone()),
    ];
    let (files, lock) = match args.lang {
        Lang::Rust => {
            let source = wsim_source(args.wsim_source.as_deref())?;
            let policies = source.join("policies");
            values.push(("policies", policies.display().to_string()));
            // wsim's own lock file pins the versions wsim was tested with,
            // and lets the project build offline where wsim did.
            (RUST, fs::read_to_string(source.join("Cargo.lock")).ok())
        }
        Lang::C => (C, None),
        Lang::Wat => (WAT, None),
    };
    let mut written = Vec::new();
    for file in files {
        let path = dir.join(fill(file.path, &values));
        write(&path, &fill(file.text, &values))?;
        written.push(path);
    }
    if let Some(lock) = lock {
        let path = dir.join("Cargo.lock");
        write(&path, &lock)?;
        written.push(path);
    }
    let listed: Vec<String> = written
        .iter()
        .map(|path| path.display().to_string())
        .collect();
    writeln!(out, "made {}: {}", dir.display(), listed.join(", "))?;
    let lib = args.name.replace('-', "_");
    let name = &args.name;
    let steps: Vec<String> = match args.lang {
        Lang::Rust => {
            let module = format!("target/wasm32-unknown-unknown/release/{lib}.wasm");
            vec![
                "cargo test".to_owned(),
                "cargo build --release --target wasm32-unknown-unknown".to_owned(),
                format!("{wsim} check {module}"),
                format!("{wsim} run --wasm {module}"),
            ]
        }
        Lang::C => vec![
            "sh build.sh".to_owned(),
            format!("{wsim} check {name}.wasm"),
            format!("{wsim} run --wasm {name}.wasm"),
        ],
        Lang::Wat => vec![
            format!("{wsim} check {name}.wat"),
            format!("{wsim} run --wasm {name}.wat"),
        ],
    };
    writeln!(out, "next, in {}:", dir.display())?;
    for step in steps {
        writeln!(out, "  {step}")?;
    }
    if args.lang == Lang::Rust {
        writeln!(
            out,
            "(the wasm32 target, once: rustup target add wasm32-unknown-unknown)"
        )?;
    }
    Ok(())
}

/// A policy's name must be safe as a crate name, a C string, a file name
/// and a row of the results, and must not be a built-in policy's (the
/// plugin runs beside LRU and FIFO by default, and rows must tell them
/// apart). A Rust project also needs a crate and a type that clash with
/// nothing the template uses.
fn check_name(name: &str, lang: Lang) -> anyhow::Result<()> {
    let mut chars = name.chars();
    let starts_well = chars.next().is_some_and(|c| c.is_ascii_lowercase());
    let rest_well =
        chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_');
    if !starts_well || !rest_well || name.len() > 64 {
        bail!(
            "`{name}`: a policy's name is 1 to 64 lower-case letters, digits, `-` and `_`, \
             starting with a letter (mru, my-lru)"
        );
    }
    if name.parse::<wsim_policies::PolicyKind>().is_ok() {
        bail!(
            "`{name}` is a built-in policy's name, which a plugin's rows would share with it; \
             pick another (my-{name})"
        );
    }
    if lang == Lang::Rust {
        let crate_name = name.replace('-', "_");
        let type_name = type_name(name);
        if RUST_KEYWORDS.contains(&crate_name.as_str())
            || RESERVED_CRATES.contains(&crate_name.as_str())
            || TEMPLATE_TYPES.contains(&type_name.as_str())
        {
            bail!(
                "`{name}`: as a Rust crate `{crate_name}` with the type `{type_name}`, it \
                 clashes with Rust or with names the project uses; pick another (my-{name})"
            );
        }
    }
    Ok(())
}

/// Rust's keywords, strict and reserved: no crate may be called one.
const RUST_KEYWORDS: &[&str] = &[
    "as", "async", "await", "break", "const", "continue", "crate", "dyn", "else", "enum", "extern",
    "false", "fn", "for", "gen", "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut",
    "pub", "ref", "return", "self", "static", "struct", "super", "trait", "true", "try", "type",
    "unsafe", "use", "where", "while", "abstract", "become", "box", "do", "final", "macro",
    "override", "priv", "typeof", "unsized", "virtual", "yield",
];

/// Crates a project's own crate must not be named after.
const RESERVED_CRATES: &[&str] = &[
    "std",
    "core",
    "alloc",
    "test",
    "proc_macro",
    "wsim_policies",
];

/// Types the template names: the prelude's and its own imports.
const TEMPLATE_TYPES: &[&str] = &[
    "Option",
    "Some",
    "None",
    "Result",
    "Ok",
    "Err",
    "String",
    "Vec",
    "Box",
    "Self",
    "HashMap",
    "VecDeque",
    "EvictionPolicy",
    "Held",
    "Params",
    "Request",
    "Victim",
];

/// `my-lru` as a Rust type: `MyLru`.
fn type_name(name: &str) -> String {
    name.split(['-', '_'])
        .filter(|part| !part.is_empty())
        .map(|part| {
            let mut chars = part.chars();
            chars.next().map_or_else(String::new, |first| {
                first.to_ascii_uppercase().to_string() + chars.as_str()
            })
        })
        .collect()
}

/// `text` with every `{{key}}` replaced by its value.
fn fill(text: &str, values: &[(&str, String)]) -> String {
    values.iter().fold(text.to_owned(), |text, (key, value)| {
        text.replace(&format!("{{{{{key}}}}}"), value)
    })
}

fn write(path: &Path, text: &str) -> anyhow::Result<()> {
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent).with_context(|| format!("{}", parent.display()))?;
    }
    fs::write(path, text).with_context(|| format!("{}", path.display()))
}

/// The clone of wsim a Rust project depends on: `--wsim-source`, else the
/// source this binary was built from, if it is still there.
fn wsim_source(asked: Option<&Path>) -> anyhow::Result<PathBuf> {
    let built_from = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let source = asked.unwrap_or(&built_from);
    let manifest = source.join("policies/Cargo.toml");
    if !manifest.is_file() {
        bail!(
            "{}: not found; a Rust plugin depends on wsim's `policies` crate: pass --wsim-source DIR, a clone of wsim",
            manifest.display()
        );
    }
    // An absolute path, so the project builds wherever it is.
    source
        .canonicalize()
        .with_context(|| format!("{}", source.display()))
}

/// How to call this wsim in the steps printed: `wsim` when that is this
/// binary on the PATH, else its full path.
fn wsim_command() -> String {
    let Ok(this) = std::env::current_exe().and_then(fs::canonicalize) else {
        return "wsim".to_owned();
    };
    let on_path = std::env::var_os("PATH").is_some_and(|paths| {
        std::env::split_paths(&paths)
            .any(|dir| fs::canonicalize(dir.join("wsim")).is_ok_and(|found| found == this))
    });
    if on_path {
        "wsim".to_owned()
    } else {
        this.display().to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_become_types_and_bad_names_are_refused() {
        assert_eq!(type_name("mru"), "Mru");
        assert_eq!(type_name("my-lru_2"), "MyLru2");
        assert!(check_name("mru", Lang::Rust).is_ok());
        for bad in [
            "",
            "Mru",
            "2q",
            "my lru",
            "a\"b",
            &"x".repeat(65),
            "lru",
            "s3fifo",
        ] {
            assert!(check_name(bad, Lang::Wat).is_err(), "{bad}");
        }
        // Fine in C or WAT, not as a Rust crate and type.
        for clash in [
            "option",
            "vec-deque",
            "request",
            "fn",
            "std",
            "wsim-policies",
        ] {
            assert!(check_name(clash, Lang::C).is_ok(), "{clash}");
            assert!(check_name(clash, Lang::Rust).is_err(), "{clash}");
        }
    }

    #[test]
    fn every_placeholder_is_filled() {
        let values: Vec<(&str, String)> = [
            "name", "name_len", "Type", "crate", "lib", "wsim", "policies",
        ]
        .into_iter()
        .map(|key| (key, "x".to_owned()))
        .collect();
        for file in RUST.iter().chain(C).chain(WAT) {
            let filled = fill(file.text, &values);
            assert!(!filled.contains("{{"), "{}: {filled}", file.path);
        }
    }
}
