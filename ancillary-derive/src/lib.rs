//! `#[derive(ControlMessage)]` for the [`ancillary`](https://docs.rs/ancillary) crate.
//!
//! Use it through `ancillary`, which re-exports it next to the `ControlMessage` struct and
//! documents it; this crate only holds the macro. The derive works in phases, one module
//! each: `ast` models the input, `attr` parses `#[cmsg]` and `#[repr]` with their spans,
//! `valid` checks the rules and reports every mistake at once, `expand` generates the
//! code, and `fallback` emits the errors plus a stub when validation fails.

mod ast;
mod attr;
mod expand;
mod fallback;
mod valid;

use proc_macro::TokenStream;
use syn::{parse_macro_input, DeriveInput};

/// Implements `ancillary::ControlMessagePayload` and the conversions to and from
/// `ancillary::ControlMessage` for a `#[repr(C)]` struct whose fields are plain bytes.
///
/// Documented on its re-export, `ancillary::ControlMessage`.
#[proc_macro_derive(ControlMessage, attributes(cmsg))]
pub fn derive_control_message(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    let model = ast::Input::from_syn(&input);
    match valid::validate(&model) {
        Ok(payload) => expand::expand(&payload),
        Err(errors) => fallback::expand(&model, errors),
    }
    .into()
}
