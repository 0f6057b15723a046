//! Pinned expansions: each `tests/expand/NAME.rs` holds a derive input (for
//! `#[derive(ControlMessage)]`, or the derive it names), and
//! `tests/expand/NAME.expanded.rs` what the derive generates for it, pretty-printed. A
//! change to the generated code is then a diff of these files, reviewed like any other.
//!
//! `UPDATE_EXPAND=1 cargo test -p ancillary-derive` rewrites the `.expanded.rs` files.

use std::fs;
use std::path::{Path, PathBuf};

const SUFFIX: &str = ".expanded.rs";

#[test]
fn expansions_match_the_pinned_files() {
    let update = std::env::var_os("UPDATE_EXPAND").is_some_and(|value| value == "1");
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/expand");
    let mut inputs: Vec<PathBuf> = fs::read_dir(&dir)
        .expect("tests/expand exists")
        .map(|entry| entry.expect("a readable directory entry").path())
        .filter(|path| {
            let name = path.to_string_lossy();
            name.ends_with(".rs") && !name.ends_with(SUFFIX)
        })
        .collect();
    inputs.sort();
    assert!(!inputs.is_empty(), "no inputs in tests/expand");

    let mut differing = Vec::new();
    for input in &inputs {
        let source = fs::read_to_string(input).expect("a readable input");
        let derive_input = syn::parse_str(&source)
            .unwrap_or_else(|error| panic!("{}: not a derive input: {error}", input.display()));
        // The derive is the one the input names: `ControlMessage` unless it says otherwise.
        let expansion = if source.contains("derive(ControlMessages)") {
            crate::variants::derive(&derive_input)
        } else if source.contains("derive(PayloadField)") {
            crate::derive_field(&derive_input)
        } else if source.contains("derive(SocketOption)") {
            crate::sockopt::derive(&derive_input)
        } else {
            crate::derive(&derive_input)
        };
        let output = syn::parse2(expansion)
            .unwrap_or_else(|error| panic!("{}: output is not items: {error}", input.display()));
        let expanded = prettyplease::unparse(&output);

        let pinned_path = input.with_extension("").with_extension(&SUFFIX[1..]);
        let pinned = fs::read_to_string(&pinned_path).unwrap_or_default();
        if expanded == pinned {
            continue;
        }
        if update {
            fs::write(&pinned_path, &expanded).expect("a writable expansion file");
            continue;
        }
        let line = expanded
            .lines()
            .zip(pinned.lines())
            .position(|(new, old)| new != old)
            .unwrap_or_else(|| expanded.lines().count().min(pinned.lines().count()));
        differing.push(format!(
            "{} (first difference at line {})",
            pinned_path.file_name().unwrap().to_string_lossy(),
            line + 1
        ));
    }
    assert!(
        differing.is_empty(),
        "the derive's output changed for {differing:#?}; if that is intended, run \
         `UPDATE_EXPAND=1 cargo test -p ancillary-derive` and review the diff"
    );
}
