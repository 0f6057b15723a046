//! `#[derive(ControlMessage)]` for the [`ancillary`](https://docs.rs/ancillary) crate.
//!
//! Use it through `ancillary`, which re-exports it next to the `ControlMessage` struct and
//! documents it; this crate only holds the macro. The derive works in phases, one module
//! each: `ast` models the input, `attr` parses `#[cmsg]` and `#[repr]` with their spans,
//! `valid` checks the rules, `expand` generates the code, and `fallback` emits the errors
//! plus stubs of everything users call when the input is rejected. `variants` is the
//! second derive, `ControlMessages` for enums, in one module of the same phases; `sockopt`
//! the third, `SocketOption`, on the first one's model and checks. The phases report every
//! mistake they find to one `ctxt::Ctxt`, so a build shows all of them at once.

mod ast;
mod attr;
mod ctxt;
mod expand;
mod fallback;
#[cfg(test)]
mod output_tests;
mod sockopt;
mod valid;
mod variants;

use proc_macro::TokenStream;
use syn::{parse_macro_input, DeriveInput};

use crate::ctxt::Ctxt;

/// Implements `ancillary::ControlMessagePayload` and the conversions to and from
/// `ancillary::ControlMessage` for a `#[repr(C)]` struct whose fields are plain bytes.
///
/// Documented on its re-export, `ancillary::ControlMessage`.
#[proc_macro_derive(ControlMessage, attributes(cmsg))]
pub fn derive_control_message(input: TokenStream) -> TokenStream {
    derive(&parse_macro_input!(input as DeriveInput)).into()
}

/// Implements `ancillary::FromControlMessage` for an enum whose variants each hold one
/// message type, so that `ControlMessages::parse::<Enum>()` turns every received message
/// into a variant.
///
/// Documented on its re-export, `ancillary::ControlMessages`.
#[proc_macro_derive(ControlMessages, attributes(cmsg))]
pub fn derive_control_messages(input: TokenStream) -> TokenStream {
    variants::derive(&parse_macro_input!(input as DeriveInput)).into()
}

/// Implements `ancillary::SocketOption` (and the markers `SetSocketOption` and
/// `GetSocketOption`) for a socket option's value type, named by `#[sockopt(level = ...,
/// name = ...)]`.
///
/// Documented on its re-export, `ancillary::SocketOption`.
#[proc_macro_derive(SocketOption, attributes(sockopt))]
pub fn derive_socket_option(input: TokenStream) -> TokenStream {
    sockopt::derive(&parse_macro_input!(input as DeriveInput)).into()
}

/// Implements `ancillary::PayloadField` for a `#[repr(C)]` struct of plain fields without
/// padding, so that it can be a field of `#[derive(ControlMessage)]` payloads.
///
/// Documented on its re-export, `ancillary::PayloadField`.
#[proc_macro_derive(PayloadField, attributes(cmsg))]
pub fn derive_payload_field(input: TokenStream) -> TokenStream {
    derive_field(&parse_macro_input!(input as DeriveInput)).into()
}

/// `#[derive(PayloadField)]` on a parsed input: the impl, or every error plus the stub.
fn derive_field(input: &DeriveInput) -> proc_macro2::TokenStream {
    let cx = Ctxt::new();
    let model = ast::Input::from_syn(&cx, &attr::CMSG, input);
    let fields = valid::validate_field(&cx, &model);
    match (cx.check(), fields) {
        (Ok(()), Some(fields)) => {
            expand::expand_field(model.ident, &model.attrs.private(), &fields)
        }
        (Err(errors), _) => fallback::expand_field(&model, errors),
        (Ok(()), None) => unreachable!("validation gave no fields but reported no error"),
    }
}

/// The whole derive on a parsed input: the expansion, or every error plus the fallback.
fn derive(input: &DeriveInput) -> proc_macro2::TokenStream {
    let cx = Ctxt::new();
    let model = ast::Input::from_syn(&cx, &attr::CMSG, input);
    let payload = valid::validate(&cx, &model);
    match (cx.check(), payload) {
        (Ok(()), Some(payload)) => expand::expand(&payload),
        (Err(errors), _) => fallback::expand(&model, errors),
        (Ok(()), None) => unreachable!("validation gave no payload but reported no error"),
    }
}
