//! The rules a payload type must follow that can be judged from its syntax. Each
//! violation is reported on the token that causes it, and all of them at once.
//!
//! What syntax cannot show (that every field type is plain bytes, that there is no padding)
//! is left to the compiler: [`crate::expand`] emits trait bounds and `const` assertions
//! for it.

use proc_macro2::TokenStream;
use syn::{Ident, Type};

use crate::ast::{Field, Input, Kind};
use crate::ctxt::Ctxt;

/// What [`crate::expand`] needs, read from the input; expanded only if validation
/// reported nothing.
pub(crate) struct Payload<'a> {
    pub ident: &'a Ident,
    /// `<crate>::__private`.
    pub private: TokenStream,
    pub level: &'a TokenStream,
    pub ty: &'a TokenStream,
    /// The sized fields, in order (all of them for a sized payload).
    pub fields: Vec<&'a Field<'a>>,
    /// The trailing slice field and its element type, for a slice-tailed payload.
    pub tail: Option<(&'a Field<'a>, &'a Type)>,
    /// `#[cmsg(shared)]`: another message type has the same level and type.
    pub shared: bool,
    /// `#[cmsg(trailing_bytes)]`: the (sized) struct is a header that bytes follow.
    pub trailing_bytes: bool,
}

const EXAMPLE: &str = "#[cmsg(level = libc::IPPROTO_IP, type = libc::IP_TTL)]";

/// What the shared checks call the type in their messages, per derive.
pub(crate) struct Subject {
    /// `a control message payload`.
    pub what: &'static str,
    /// Why an address cannot be part of it.
    pub why_no_address: &'static str,
}

pub(crate) const PAYLOAD: Subject = Subject {
    what: "a control message payload",
    why_no_address: "an address means nothing to the receiving process",
};

/// Checks `input` against every rule, reporting each violation to `cx`. The payload is
/// `None` only if something was reported.
pub(crate) fn validate<'a>(cx: &Ctxt, input: &'a Input<'a>) -> Option<Payload<'a>> {
    let attrs = &input.attrs;

    let fields = match &input.kind {
        Kind::Struct(fields) => Some(fields),
        Kind::Enum(span) => {
            cx.error(
                *span,
                "`ControlMessage` cannot be derived for an enum; a control message payload \
                 is a `#[repr(C)]` struct whose fields are the payload's bytes",
            );
            None
        }
        Kind::Union(span) => {
            cx.error(
                *span,
                "`ControlMessage` cannot be derived for a union; a control message payload \
                 is a `#[repr(C)]` struct whose fields are the payload's bytes",
            );
            None
        }
    };

    check_generics(cx, &PAYLOAD, input);

    match &attrs.cmsg {
        None => cx.error(
            input.ident.span(),
            format!(
                "`#[derive(ControlMessage)]` needs the message's level and type: add \
                 `{EXAMPLE}` with this message's constants"
            ),
        ),
        Some(cmsg) => {
            if attrs.level.is_none() && !attrs.explained.contains(&"level") {
                cx.error_spanned(
                    cmsg,
                    "missing `level` in `#[cmsg]`; add `level = <c_int constant>`, for \
                     example `level = libc::IPPROTO_IP`",
                );
            }
            if attrs.ty.is_none() && !attrs.explained.contains(&"type") {
                cx.error_spanned(
                    cmsg,
                    "missing `type` in `#[cmsg]`; add `type = <c_int constant>`, for example \
                     `type = libc::IP_TTL`",
                );
            }
        }
    }

    check_repr(cx, &PAYLOAD, input);

    let mut sized = Vec::new();
    let mut tail = None;
    if let (Some(span), Some(fields)) = (attrs.trailing_bytes, fields) {
        if let Some(field) = fields.last().filter(|field| field.slice_elem.is_some()) {
            cx.error(
                span,
                format!(
                    "`trailing_bytes` is for a header struct without a slice field: the bytes \
                     after the header are not a field; remove {} or the flag",
                    Input::describe(&field.member)
                ),
            );
        }
    }
    if let Some(fields) = fields {
        if fields.is_empty() {
            cx.error(
                input.ident.span(),
                no_payload_bytes(input.ident, "has no fields"),
            );
        }
        let last = fields.len().saturating_sub(1);
        for (index, field) in fields.iter().enumerate() {
            for attr in &field.cmsg_attrs {
                cx.error_spanned(
                    attr,
                    "`#[cmsg]` belongs on the struct, not on a field (a field takes only \
                     `#[cmsg(zerocopy)]`); move it above the struct",
                );
            }
            check_field_syntax(cx, &PAYLOAD, field);
            match field.slice_elem {
                Some(elem) if index == last => tail = Some((field, elem)),
                Some(_) => cx.error_spanned(
                    field.ty,
                    format!(
                        "{} is a slice but not the last field; only the last field of a \
                         control message payload can be a slice: move it to the end",
                        Input::describe(&field.member)
                    ),
                ),
                None => sized.push(field),
            }
        }
    }

    Some(Payload {
        ident: input.ident,
        private: attrs.private(),
        level: attrs.level.as_ref()?,
        ty: attrs.ty.as_ref()?,
        fields: sized,
        tail,
        shared: attrs.shared.is_some(),
        trailing_bytes: attrs.trailing_bytes.is_some(),
    })
}

/// Why a payload without bytes is refused, and what to use instead; `what` says how this
/// one came to have none. Also the message of the size assertion `expand` emits for fields
/// that are all zero-sized.
pub(crate) fn no_payload_bytes(ident: &Ident, what: &str) -> String {
    format!(
        "`{ident}` {what}, so it describes a control message with no payload bytes, which \
         carries nothing to parse or send; give it the fields of the message's C payload, or, \
         for a message that really has an empty payload, use `ControlMessage::new(level, \
         type, &[])` to build it and `cmsg_level()`/`cmsg_type()` to recognise it"
    )
}

pub(crate) fn check_repr(cx: &Ctxt, subject: &Subject, input: &Input<'_>) {
    let repr = &input.attrs.repr;
    let what = subject.what;
    if let Some(span) = repr.packed {
        cx.error(
            span,
            format!(
                "{what} cannot be `packed`: the derive proves the layout has no padding \
                 instead; remove `packed` and add explicit padding fields (for example \
                 `_pad: [u8; 2]`) where the C struct has padding"
            ),
        );
    }
    if let Some(span) = repr.align {
        cx.error(
            span,
            format!(
                "{what} cannot have `align(N)`: the alignment must be the fields' own; \
                 remove `align(...)`"
            ),
        );
    }
    for ident in &repr.other {
        cx.error(
            ident.span(),
            format!("`repr({ident})` is not a C layout; use `#[repr(C)]`"),
        );
    }
    if repr.c.is_none() && repr.transparent.is_none() {
        cx.error(
            input.ident.span(),
            format!(
                "{what} needs `#[repr(C)]` (or `#[repr(transparent)]`): without it Rust may \
                 reorder the fields; add `#[repr(C)]` to the struct"
            ),
        );
    }
}

/// Field types that syntax alone shows cannot be sent: references and raw pointers.
/// Everything else is checked by the compiler through trait bounds.
pub(crate) fn check_field_syntax(cx: &Ctxt, subject: &Subject, field: &Field<'_>) {
    let ty = field.slice_elem.unwrap_or(field.ty);
    let what = match ty {
        Type::Reference(_) => "a reference",
        Type::Ptr(_) => "a raw pointer",
        _ => return,
    };
    cx.error_spanned(
        ty,
        format!(
            "{} is {what}, which cannot be part of {}: {}; store the value itself \
             (integers, byte arrays)",
            Input::describe(&field.member),
            subject.what,
            subject.why_no_address,
        ),
    );
}

/// Generic parameters and `where` clauses: a payload is one fixed layout.
pub(crate) fn check_generics(cx: &Ctxt, subject: &Subject, input: &Input<'_>) {
    let what = subject.what;
    if !input.generics.params.is_empty() {
        cx.error_spanned(
            &input.generics.params,
            format!(
                "{what} cannot have generic parameters; it is plain bytes of one fixed \
                 layout, so remove the type, lifetime and const parameters"
            ),
        );
    } else if let Some(clause) = &input.generics.where_clause {
        cx.error_spanned(
            clause,
            format!("{what} cannot have a `where` clause; remove it"),
        );
    }
}

/// The rules of `#[derive(PayloadField)]`, a plain struct that is a field of payloads but
/// no message itself: the rules of a sized payload, without a level or type. Returns its
/// fields if nothing was reported.
pub(crate) fn validate_field<'a>(cx: &Ctxt, input: &'a Input<'a>) -> Option<Vec<&'a Field<'a>>> {
    let attrs = &input.attrs;
    if attrs.level.is_some()
        || attrs.ty.is_some()
        || attrs.shared.is_some()
        || attrs.trailing_bytes.is_some()
    {
        if let Some(cmsg) = &attrs.cmsg {
            cx.error_spanned(
                cmsg,
                "`#[derive(PayloadField)]` takes only `#[cmsg(crate = ...)]`: a field type has \
                 no level or type of its own; for a message, derive `ControlMessage` instead",
            );
        }
    }
    let fields = match &input.kind {
        Kind::Struct(fields) => fields,
        Kind::Enum(span) | Kind::Union(span) => {
            cx.error(
                *span,
                "`PayloadField` is derived for a `#[repr(C)]` struct of plain fields; an enum or \
                 union is not plain bytes",
            );
            return None;
        }
    };
    check_generics(cx, &PAYLOAD, input);
    check_repr(cx, &PAYLOAD, input);
    for field in fields {
        for attr in &field.cmsg_attrs {
            cx.error_spanned(
                attr,
                "`#[cmsg]` does not apply to a field, except `#[cmsg(zerocopy)]`; remove it",
            );
        }
        check_field_syntax(cx, &PAYLOAD, field);
        if field.slice_elem.is_some() {
            cx.error_spanned(
                field.ty,
                format!(
                    "{} is a slice: a field type has a fixed size; a slice can only end a \
                     message (`#[derive(ControlMessage)]`)",
                    Input::describe(&field.member)
                ),
            );
        }
    }
    Some(fields.iter().collect())
}
