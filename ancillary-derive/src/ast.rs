//! A borrowed model of the derive input: what kind of item it is, its fields, and its
//! parsed attributes. Nothing is judged here; [`crate::valid`] does that.

use proc_macro2::Span;
use syn::spanned::Spanned;
use syn::{Attribute, Data, DeriveInput, Generics, Ident, Member, Type};

use crate::attr::{self, Attrs, Grammar};
use crate::ctxt::Ctxt;

/// The derive input.
pub(crate) struct Input<'a> {
    pub ident: &'a Ident,
    pub generics: &'a Generics,
    pub kind: Kind<'a>,
    pub attrs: Attrs,
}

/// What kind of item the derive is on.
pub(crate) enum Kind<'a> {
    /// A struct with its fields in declaration order.
    Struct(Vec<Field<'a>>),
    /// An enum; the span is the `enum` keyword.
    Enum(Span),
    /// A union; the span is the `union` keyword.
    Union(Span),
}

/// One field of a struct.
pub(crate) struct Field<'a> {
    /// `name` or `0`: how `offset_of!` names the field.
    pub member: Member,
    pub ty: &'a Type,
    /// The element type if the field is a slice `[T]`.
    pub slice_elem: Option<&'a Type>,
    /// Where errors about the field's layout point: its name, or its type's first token
    /// for a tuple field.
    pub span: Span,
    /// `#[cmsg]` (or `#[sockopt]`) attributes misplaced on this field.
    pub cmsg_attrs: Vec<&'a Attribute>,
    /// `#[cmsg(zerocopy)]` (or `#[sockopt(zerocopy)]`): the field's type is checked
    /// against zerocopy's traits instead of `PayloadField`.
    pub zerocopy: bool,
}

/// Whether `attr` is `#[<name>(zerocopy)]`, the one form the derive attributes take on a
/// field.
fn is_zerocopy(attr: &Attribute) -> bool {
    attr.parse_args::<Ident>()
        .is_ok_and(|ident| ident == "zerocopy")
}

impl<'a> Input<'a> {
    /// Models `input`, whose attribute is `grammar`'s; mistakes in its attributes are
    /// reported to `cx`.
    pub(crate) fn from_syn(cx: &Ctxt, grammar: &Grammar, input: &'a DeriveInput) -> Input<'a> {
        let kind = match &input.data {
            Data::Struct(data) => Kind::Struct(
                data.fields
                    .iter()
                    .zip(data.fields.members())
                    .map(|(field, member)| Field {
                        member,
                        ty: &field.ty,
                        slice_elem: match &field.ty {
                            Type::Slice(slice) => Some(&*slice.elem),
                            _ => None,
                        },
                        span: field
                            .ident
                            .as_ref()
                            .map_or_else(|| field.ty.span(), Ident::span),
                        cmsg_attrs: field
                            .attrs
                            .iter()
                            .filter(|a| a.path().is_ident(grammar.name) && !is_zerocopy(a))
                            .collect(),
                        zerocopy: field
                            .attrs
                            .iter()
                            .any(|a| a.path().is_ident(grammar.name) && is_zerocopy(a)),
                    })
                    .collect(),
            ),
            Data::Enum(data) => Kind::Enum(data.enum_token.span),
            Data::Union(data) => Kind::Union(data.union_token.span),
        };
        Input {
            ident: &input.ident,
            generics: &input.generics,
            kind,
            attrs: attr::parse(cx, grammar, &input.attrs),
        }
    }

    /// A short description of the field for messages: `` `name` `` or `field 0`.
    pub(crate) fn describe(member: &Member) -> String {
        match member {
            Member::Named(ident) => format!("field `{ident}`"),
            Member::Unnamed(index) => format!("field {}", index.index),
        }
    }
}
