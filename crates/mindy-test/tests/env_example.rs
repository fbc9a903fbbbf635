//! Checks `.env.example`, the one list of every setting: each variable a program reads through
//! clap's `env = "..."` is documented there, and none is set to an empty value (clap takes an
//! empty variable as given, and empty is no valid path, address or option, so a copied file would
//! break commands; optional settings stay commented out).
//!
//! Each check returns the problems it found, so the last test can feed it broken input.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Every `env = "NAME"` in the Rust sources under `crates/*/src`.
fn variables_read(root: &Path) -> BTreeSet<String> {
    let mut files = Vec::new();
    for krate in std::fs::read_dir(root.join("crates")).expect("crates/") {
        rust_files(&krate.unwrap().path().join("src"), &mut files);
    }
    let mut names = BTreeSet::new();
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        names.extend(env_names(&text));
    }
    names
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The names in `env = "NAME"` attributes of `text`.
fn env_names(text: &str) -> Vec<String> {
    text.split("env = \"")
        .skip(1)
        .filter_map(|rest| rest.split_once('"').map(|(name, _)| name.to_string()))
        .collect()
}

/// Variables `read` that `example` never mentions (as `NAME=` or `# NAME=`).
fn undocumented(read: &BTreeSet<String>, example: &str) -> Vec<String> {
    read.iter()
        .filter(|name| {
            !example.lines().any(|line| {
                line.trim_start_matches('#')
                    .trim_start()
                    .starts_with(&format!("{name}="))
            })
        })
        .cloned()
        .collect()
}

/// Lines of `example` that set a variable to nothing.
fn empty_assignments(example: &str) -> Vec<String> {
    example
        .lines()
        .filter(|line| !line.starts_with('#'))
        .filter_map(|line| line.split_once('='))
        .filter(|(_, value)| value.trim().is_empty())
        .map(|(name, _)| name.to_string())
        .collect()
}

fn example() -> String {
    std::fs::read_to_string(workspace().join(".env.example")).expect(".env.example")
}

#[test]
fn every_variable_the_programs_read_is_in_env_example() {
    let read = variables_read(&workspace());
    assert!(
        read.len() > 20,
        "found only {read:?}: is the source walk broken?"
    );
    let missing = undocumented(&read, &example());
    assert!(
        missing.is_empty(),
        "document these in .env.example: {missing:?}"
    );
}

#[test]
fn no_variable_in_env_example_is_set_to_nothing() {
    let empty = empty_assignments(&example());
    assert!(
        empty.is_empty(),
        "comment these out or give them a value: {empty:?}"
    );
}

#[test]
fn the_checks_catch_a_broken_example() {
    let read: BTreeSet<String> = ["MINDY_A", "MINDY_B"].map(String::from).into();
    let broken = "MINDY_A=1\n# MINDY_C=\nMINDY_D=\n";
    assert_eq!(undocumented(&read, broken), ["MINDY_B"]);
    assert_eq!(empty_assignments(broken), ["MINDY_D"]);
    assert_eq!(
        env_names("#[arg(long, env = \"MINDY_X\")] #[arg(env = \"MINDY_Y\", long)]"),
        ["MINDY_X", "MINDY_Y"]
    );
}
