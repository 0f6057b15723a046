//! What the derive emits when the input is rejected: the errors, plus stubs of everything
//! a good expansion gives users, so that code calling them adds no error of its own per
//! call site to the real ones.
//!
//! The stubs mirror the signatures of [`crate::expand`]'s items; their bodies are never
//! reached. That includes the `unsafe impl ControlMessagePayload`: its `compile_error!`
//! siblings fail the build, so no program that could use the impl is ever produced. It
//! only has to type-check, which it does for any input, since it names none of the
//! field types.

use proc_macro2::TokenStream;
use quote::quote;
use syn::{parse_quote, Generics};

use crate::ast::{Input, Kind};

pub(crate) fn expand(input: &Input<'_>, errors: syn::Error) -> TokenStream {
    let errors = errors.into_compile_error();
    let ident = input.ident;
    let private = input.attrs.private();
    let (impl_generics, ty_generics, where_clause) = input.generics.split_for_impl();
    let with_lifetime = with_lifetime(input.generics);
    let (impl_generics_lt, _, _) = with_lifetime.split_for_impl();
    let this = quote!(#ident #ty_generics);

    // The one place the expansion depends on the fields: a slice-tailed type is parsed
    // into a reference, a sized one into a value.
    let slice_tailed = matches!(
        &input.kind,
        Kind::Struct(fields) if fields.last().is_some_and(|field| field.slice_elem.is_some())
    );
    // A header with `trailing_bytes` is parsed into a `Tailed` and has no `TryFrom`.
    let trailing = !slice_tailed && input.attrs.trailing_bytes.is_some();
    let (parsed, target, elem) = if slice_tailed {
        (quote!(&'__cmsg Self), quote!(&'__cmsg #this), quote!(1))
    } else if trailing {
        (
            quote!(#private::Tailed<'__cmsg, Self>),
            quote!(#this),
            quote!(1),
        )
    } else {
        (quote!(Self), quote!(#this), quote!(0))
    };
    let try_from = if trailing {
        TokenStream::new()
    } else {
        quote! {
            #[automatically_derived]
            impl #impl_generics_lt #private::FromControlMessage<'__cmsg>
                for #target #where_clause
            {
                fn from_control_message(
                    _: #private::ControlMessage<'__cmsg>,
                ) -> ::core::option::Option<
                    ::core::result::Result<Self, #private::PayloadError>,
                > {
                    ::core::unreachable!()
                }
            }

            #[automatically_derived]
            impl #impl_generics_lt ::core::convert::TryFrom<#private::ControlMessage<'__cmsg>>
                for #target #where_clause
            {
                type Error = #private::PayloadError;

                fn try_from(
                    _: #private::ControlMessage<'__cmsg>,
                ) -> ::core::result::Result<Self, #private::PayloadError> {
                    ::core::unreachable!()
                }
            }
        }
    };

    // A sized payload is a `PayloadField` when accepted; so is its stub, so that a
    // message using this one as a field adds no error of its own.
    let payload_field = if slice_tailed {
        TokenStream::new()
    } else {
        quote! {
            #[automatically_derived]
            unsafe impl #impl_generics #private::PayloadField for #this #where_clause {}
        }
    };

    quote! {
        #errors

        #[automatically_derived]
        const _: () = {
            #[automatically_derived]
            impl #impl_generics #this #where_clause {
                #[allow(dead_code)]
                pub fn matches(_: &#private::ControlMessage<'_>) -> ::core::primitive::bool {
                    ::core::unreachable!()
                }
            }

            #[automatically_derived]
            unsafe impl #impl_generics #private::ControlMessagePayload for #this #where_clause {
                const LEVEL: #private::c_int = 0;
                const TYPE: #private::c_int = 0;
                const LAYOUT: #private::PayloadLayout = #private::PayloadLayout {
                    prefix: 0,
                    elem: #elem,
                    align: 1,
                };

                type Parsed<'__cmsg> = #parsed where Self: '__cmsg;

                fn parse<'__cmsg>(
                    _: #private::ControlMessage<'__cmsg>,
                ) -> ::core::result::Result<#parsed, #private::PayloadError>
                where
                    Self: '__cmsg,
                {
                    ::core::unreachable!()
                }

                fn cast_ptr(
                    _: *const ::core::primitive::u8,
                    _: ::core::primitive::usize,
                ) -> *const Self {
                    ::core::unreachable!()
                }
            }

            #try_from

            #payload_field

            #[automatically_derived]
            impl #impl_generics_lt ::core::convert::From<&'__cmsg #this>
                for #private::ControlMessage<'__cmsg> #where_clause
            {
                fn from(_: &'__cmsg #this) -> Self {
                    ::core::unreachable!()
                }
            }
        };
    }
}

/// The input's generic parameters with the stubs' lifetime `'__cmsg` in front (the
/// expansion's `'a` could clash with a lifetime of a rejected generic input), for the
/// impl headers of the conversions. Re-parsed, not cloned: syn's `clone-impls` feature
/// stays off.
fn with_lifetime(generics: &Generics) -> Generics {
    let params = &generics.params;
    parse_quote!(<'__cmsg, #params>)
}

/// The fallback of `#[derive(PayloadField)]`: the errors and the impl (never used: the
/// errors fail the build), so that payloads using the type as a field add no error.
pub(crate) fn expand_field(input: &Input<'_>, errors: syn::Error) -> TokenStream {
    let errors = errors.into_compile_error();
    let ident = input.ident;
    let private = input.attrs.private();
    let (impl_generics, ty_generics, where_clause) = input.generics.split_for_impl();
    quote! {
        #errors

        #[automatically_derived]
        unsafe impl #impl_generics #private::PayloadField for #ident #ty_generics #where_clause {}
    }
}
