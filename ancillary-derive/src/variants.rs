//! `#[derive(ControlMessages)]`: an enum with one variant per kind of message, each
//! received message converted into the first variant that takes it. Its phases are small,
//! so they live in this one module: the model ([`Variant`]), the rules ([`validate`], each
//! mistake reported to the [`Ctxt`] at its token), the expansion, and the fallback (the
//! errors plus a stub of the one impl users call).

use proc_macro2::{Span, TokenStream};
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{Data, DeriveInput, Fields, GenericParam, Ident, Lifetime, Type};

use crate::attr;
use crate::ctxt::Ctxt;

/// One variant: `Name(Type)`.
struct Variant<'a> {
    ident: &'a Ident,
    ty: &'a Type,
}

/// The whole derive: the impl, or every error plus the stub.
pub(crate) fn derive(input: &DeriveInput) -> TokenStream {
    let cx = Ctxt::new();
    let attrs = attr::parse(&cx, &attr::CMSG, &input.attrs);
    let private = attrs.private();
    let valid = validate(&cx, input, &attrs);
    match (cx.check(), valid) {
        (Ok(()), Some((variants, lifetime))) => expand(input, &private, &variants, lifetime),
        (Err(errors), _) => fallback(input, &private, errors),
        (Ok(()), None) => unreachable!("validation failed but reported no error"),
    }
}

/// Whether a variant's type is the catch-all `ControlMessage<'a>` (by its last path
/// segment: the compiler checks the rest through the trait bound).
fn is_catch_all(ty: &Type) -> bool {
    matches!(ty, Type::Path(path) if path.qself.is_none()
        && path.path.segments.last().is_some_and(|s| s.ident == "ControlMessage"))
}

/// Checks the input; returns the variants and the enum's lifetime, if every rule holds.
fn validate<'a>(
    cx: &Ctxt,
    input: &'a DeriveInput,
    attrs: &attr::Attrs,
) -> Option<(Vec<Variant<'a>>, Option<&'a Lifetime>)> {
    if attrs.level.is_some()
        || attrs.ty.is_some()
        || attrs.shared.is_some()
        || attrs.trailing_bytes.is_some()
    {
        if let Some(cmsg) = &attrs.cmsg {
            cx.error_spanned(
                cmsg,
                "`#[derive(ControlMessages)]` takes only `#[cmsg(crate = ...)]`: the level and \
                 type of each variant are its message type's",
            );
        }
    }

    let mut lifetime = None;
    for param in &input.generics.params {
        match param {
            GenericParam::Lifetime(def) if lifetime.is_none() => lifetime = Some(&def.lifetime),
            GenericParam::Lifetime(def) => cx.error_spanned(
                def,
                "a `#[derive(ControlMessages)]` enum has at most one lifetime, the one of the \
                 received buffer its variants borrow",
            ),
            other => cx.error_spanned(
                other,
                "a `#[derive(ControlMessages)]` enum cannot have type or const parameters; \
                 name the message types of its variants",
            ),
        }
    }
    if let Some(clause) = &input.generics.where_clause {
        cx.error_spanned(
            clause,
            "a `#[derive(ControlMessages)]` enum cannot have a `where` clause; remove it",
        );
    }

    let data = match &input.data {
        Data::Enum(data) => data,
        Data::Struct(data) => {
            cx.error(
                data.struct_token.span,
                "`ControlMessages` is derived for an enum with one variant per kind of \
                 message; for the payload of one message, derive `ControlMessage` instead",
            );
            return None;
        }
        Data::Union(data) => {
            cx.error(
                data.union_token.span,
                "`ControlMessages` is derived for an enum with one variant per kind of message",
            );
            return None;
        }
    };
    if data.variants.is_empty() {
        cx.error(
            input.ident.span(),
            "this enum has no variants; give it one per kind of message to receive, such as \
             `Tos(IpTos)`, and `Other(ControlMessage<'a>)` for the rest",
        );
    }

    let last = data.variants.len().saturating_sub(1);
    let mut variants = Vec::new();
    for (index, variant) in data.variants.iter().enumerate() {
        for attr in variant
            .attrs
            .iter()
            .filter(|attr| attr.path().is_ident("cmsg"))
        {
            cx.error_spanned(
                attr,
                "`#[cmsg]` does not apply to a variant: its message type says its level and type",
            );
        }
        let field = match &variant.fields {
            Fields::Unnamed(fields) if fields.unnamed.len() == 1 => &fields.unnamed[0],
            _ => {
                cx.error_spanned(
                    variant,
                    format!(
                        "variant `{0}` must hold exactly one message type, as `{0}(IpTos)` or \
                         `{0}(ControlMessage<'a>)`",
                        variant.ident
                    ),
                );
                continue;
            }
        };
        if is_catch_all(&field.ty) && index != last {
            cx.error_spanned(
                &field.ty,
                format!(
                    "variant `{}` takes every message, so the variants after it would never \
                     match; move it last",
                    variant.ident
                ),
            );
        }
        variants.push(Variant {
            ident: &variant.ident,
            ty: &field.ty,
        });
    }
    Some((variants, lifetime))
}

/// `impl FromControlMessage<'lt> for Enum<'lt>`: the variants tried in order.
fn expand(
    input: &DeriveInput,
    private: &TokenStream,
    variants: &[Variant<'_>],
    lifetime: Option<&Lifetime>,
) -> TokenStream {
    let ident = &input.ident;
    let own = Lifetime::new("'__cmsg", Span::call_site());
    let (impl_lifetime, this) = match lifetime {
        Some(lt) => (quote!(#lt), quote!(#ident<#lt>)),
        None => (quote!(#own), quote!(#ident)),
    };
    let lt = lifetime.unwrap_or(&own);
    let arms = variants.iter().map(|Variant { ident: name, ty }| {
        // At the variant's type, so that a type that is no message is named in the error.
        let call = quote_spanned! {ty.span()=>
            <#ty as #private::FromControlMessage<#lt>>::from_control_message(message)
        };
        quote! {
            if let ::core::option::Option::Some(result) = #call {
                return ::core::option::Option::Some(
                    ::core::result::Result::map(result, Self::#name),
                );
            }
        }
    });
    quote! {
        #[automatically_derived]
        const _: () = {
            #[automatically_derived]
            impl<#impl_lifetime> #private::FromControlMessage<#lt> for #this {
                #[inline]
                fn from_control_message(
                    message: #private::ControlMessage<#lt>,
                ) -> ::core::option::Option<
                    ::core::result::Result<Self, #private::PayloadError>,
                > {
                    #(#arms)*
                    ::core::option::Option::None
                }
            }
        };
    }
}

/// The errors, and a stub of the impl (never run: the errors fail the build), so that
/// code calling `parse::<Enum>()` adds no error of its own.
fn fallback(input: &DeriveInput, private: &TokenStream, errors: syn::Error) -> TokenStream {
    let errors = errors.into_compile_error();
    let ident = &input.ident;
    let params = &input.generics.params;
    let (_, ty_generics, where_clause) = input.generics.split_for_impl();
    quote! {
        #errors

        #[automatically_derived]
        const _: () = {
            #[automatically_derived]
            impl<'__cmsg, #params> #private::FromControlMessage<'__cmsg>
                for #ident #ty_generics #where_clause
            {
                fn from_control_message(
                    _: #private::ControlMessage<'__cmsg>,
                ) -> ::core::option::Option<
                    ::core::result::Result<Self, #private::PayloadError>,
                > {
                    ::core::unreachable!()
                }
            }
        };
    }
}
