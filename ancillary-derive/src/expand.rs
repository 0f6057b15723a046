//! Code generation for a validated payload type.
//!
//! Everything is emitted inside `#[automatically_derived] const _: () = { ... };` and names
//! only absolute paths (`::core::...`, `<crate>::__private::...`), so the caller's imports,
//! a `#![no_implicit_prelude]` module or a renamed `ancillary` change nothing.

use proc_macro2::{Ident, Span, TokenStream};
use quote::{format_ident, quote, quote_spanned, ToTokens};
use syn::spanned::Spanned;
use syn::{LitStr, Type};

use crate::ast::{Field, Input};
use crate::valid::{no_payload_bytes, Payload};

pub(crate) fn expand(payload: &Payload<'_>) -> TokenStream {
    let ident = payload.ident;
    let private = &payload.private;
    let level = payload.level;
    let ty = payload.ty;

    let field_checks = field_checks(
        private,
        payload
            .fields
            .iter()
            .map(|field| (field.ty, field.zerocopy))
            .chain(payload.tail.map(|(tail, elem)| (elem, tail.zerocopy))),
    );

    let (mirror, layout_checks, layout, parsed, conversions) = match payload.tail {
        None => sized(payload, private),
        Some((tail, elem)) => slice_tailed(payload, private, tail, elem),
    };

    let level = constant(private, level);
    let ty = constant(private, ty);
    let shared = if payload.shared {
        quote!(
            const SHARED: ::core::primitive::bool = true;
        )
    } else {
        TokenStream::new()
    };
    let matches_doc = LitStr::new(
        &format!(
            "Whether `message` is a `{ident}`: its level and type are this type's, and its \
             payload length fits. Same as `<{ident} as ControlMessagePayload>::matches`."
        ),
        Span::call_site(),
    );

    // SAFETY (of the `unsafe impl` below; a comment cannot be emitted into the generated
    // code, so the argument lives here and in the docs of `ancillary::ControlMessage`):
    // the impl is only emitted after `valid` checked that the item is a non-generic struct
    // with `#[repr(C)]` or `#[repr(transparent)]`, neither `packed` nor `align(N)`, whose only
    // slice field (if any) is the last. Next to it, in the same `const _` block, the compiler
    // must accept:
    // * `assert_payload_field::<F>()` for every field type `F` (the element type for the
    //   trailing slice), whose bound is `PayloadField` (an `unsafe` trait whose contract is
    //   zerocopy's `FromBytes + IntoBytes + Immutable`): every byte pattern is valid, no
    //   byte is padding, no interior mutability (contract 1, and half of 2); for a field
    //   marked `zerocopy`, `assert_zerocopy_field::<F>()` instead, whose bound is those three
    //   zerocopy traits themselves;
    // * `const` assertions that every field starts where the one before it ends, that the
    //   struct ends where its last field ends (sized), and that the trailing slice starts
    //   where the last sized field ends, with that offset and the element size multiples of
    //   the alignment (slice-tailed): no padding anywhere (the rest of contract 2). A free
    //   `const` item is always evaluated, so these hold whether or not `LAYOUT` is used.
    // * `LAYOUT` is computed from the type itself (`size_of`/`align_of`), or for a
    //   slice-tailed type from a `#[repr(C)]` mirror whose fields are the same types in the
    //   same order and whose tail is `[E; 0]`: `repr(C)` places fields by the same algorithm
    //   in both, and the mirror's alignment is the same maximum. `cast_ptr` is a plain
    //   pointer cast carrying `elements` as the slice length (contract 3).
    // The same facts make a sized payload a `PayloadField` as a whole (no invalid byte
    // pattern, no padding, no interior mutability), so `sized` also emits that impl.
    quote! {
        #[automatically_derived]
        const _: () = {
            #mirror

            const _: () = {
                #(#field_checks)*
                #layout_checks
            };

            #[automatically_derived]
            impl #ident {
                #[doc = #matches_doc]
                // The point of this method is to share the trait method's name, so that
                // `T::matches` works without importing the trait: clippy's
                // `same_name_method` restriction lint flags exactly that, here.
                #[allow(dead_code, clippy::same_name_method)]
                #[inline]
                pub fn matches(
                    message: &#private::ControlMessage<'_>,
                ) -> ::core::primitive::bool {
                    <Self as #private::ControlMessagePayload>::matches(message)
                }
            }

            #[automatically_derived]
            unsafe impl #private::ControlMessagePayload for #ident {
                const LEVEL: #private::c_int = #level;
                const TYPE: #private::c_int = #ty;
                #shared
                #layout
                #parsed
            }

            #conversions
        };
    }
}

/// A `level` or `type` value, at its own span, through `cmsg_value!`: the compiler parses
/// it there alone, so a mistake in it is one error at the value, and the derive can accept
/// expressions beyond the grammar it parses itself.
fn constant(private: &TokenStream, value: &TokenStream) -> TokenStream {
    quote_spanned!(value.span()=> #private::cmsg_value!(#value))
}

type Parts = (
    TokenStream,
    TokenStream,
    TokenStream,
    TokenStream,
    TokenStream,
);

/// The layout assertions of a sized struct: each field starts where the one before it
/// ends, and the struct ends where its last field does; and, for a message (`nonzero`), that
/// it has at least one byte.
pub(crate) fn sized_checks(ident: &Ident, fields: &[&Field<'_>], nonzero: bool) -> TokenStream {
    let offsets = fields
        .iter()
        .map(|field| {
            let member = &field.member;
            quote!(::core::mem::offset_of!(#ident, #member))
        })
        .collect::<Vec<_>>();
    let (mut checks, end) = padding_checks(ident, fields, &offsets);
    let ends_at = match fields.last() {
        Some(last) => format!("its last {}", Input::describe(&last.member)),
        None => "its (zero) fields".to_owned(),
    };
    let message = LitStr::new(
        &format!(
            "`{ident}` has padding after {ends_at}, to round its size up to its alignment; \
             add an explicit padding field at the end (for example `_pad: [u8; N]`) so that \
             every byte of the payload is a field"
        ),
        Span::call_site(),
    );
    let span = fields.last().map_or(ident.span(), |f| f.span);
    checks.extend(quote_spanned! {span=>
        ::core::assert!(::core::mem::size_of::<#ident>() == #end, #message);
    });
    if nonzero {
        let empty = LitStr::new(
            &no_payload_bytes(ident, "is zero-sized (all its fields are)"),
            Span::call_site(),
        );
        checks.extend(quote_spanned! {ident.span()=>
            ::core::assert!(::core::mem::size_of::<#ident>() != 0, #empty);
        });
    }
    checks
}

/// `assert_payload_field::<F>()` for every field type, at the type's span; for a field
/// marked `zerocopy`, `assert_zerocopy_field::<F>()` (zerocopy's traits, which promise the
/// same).
pub(crate) fn field_checks<'a>(
    private: &'a TokenStream,
    types: impl Iterator<Item = (&'a Type, bool)> + 'a,
) -> impl Iterator<Item = TokenStream> + 'a {
    types.map(move |(ty, zerocopy)| {
        if zerocopy {
            quote_spanned! {ty.span()=>
                #private::assert_zerocopy_field::<#ty>();
            }
        } else {
            quote_spanned! {ty.span()=>
                #private::assert_payload_field::<#ty>();
            }
        }
    })
}

/// `#[derive(PayloadField)]`: the layout assertions and field bounds of a sized payload,
/// and the impl they justify.
pub(crate) fn expand_field(
    ident: &Ident,
    private: &TokenStream,
    fields: &[&Field<'_>],
) -> TokenStream {
    let field_checks = field_checks(private, fields.iter().map(|f| (f.ty, f.zerocopy)));
    let checks = sized_checks(ident, fields, false);
    // SAFETY (of the `unsafe impl` below; see `expand` for why the argument lives here):
    // `valid::validate_field` checked that the item is a non-generic struct with
    // `#[repr(C)]` or `#[repr(transparent)]`, neither `packed` nor `align(N)`, without a
    // slice field. The compiler must accept, in the same block, `assert_payload_field` for
    // every field type (each is plain bytes: any bit pattern valid, no padding, no interior
    // mutability) and the assertions that the fields follow one another with no gap and
    // end where the struct ends: so the struct is plain bytes as a whole, `PayloadField`'s
    // contract. A free `const` item is always evaluated.
    quote! {
        #[automatically_derived]
        const _: () = {
            const _: () = {
                #(#field_checks)*
                #checks
            };

            #[automatically_derived]
            unsafe impl #private::PayloadField for #ident {}
        };
    }
}

/// A payload of fixed size: parsed by copying, at any alignment.
fn sized(payload: &Payload<'_>, private: &TokenStream) -> Parts {
    let ident = payload.ident;
    let checks = sized_checks(ident, &payload.fields, true);

    if payload.trailing_bytes {
        return trailing_bytes(payload, private, checks);
    }
    let layout = quote! {
        const LAYOUT: #private::PayloadLayout = #private::PayloadLayout::sized::<Self>();
    };
    let parsed = quote! {
        type Parsed<'a> = Self where Self: 'a;

        #[inline]
        fn parse<'a>(
            message: #private::ControlMessage<'a>,
        ) -> ::core::result::Result<Self, #private::PayloadError>
        where
            Self: 'a,
        {
            #private::read_payload::<Self>(message)
        }

        #[inline]
        fn cast_ptr(
            ptr: *const ::core::primitive::u8,
            _elements: ::core::primitive::usize,
        ) -> *const Self {
            ptr.cast::<Self>()
        }
    };
    let mut conversions = conversions(ident, private, &quote!(#ident), &quote!(read_payload));
    // A sized payload is plain bytes as a whole (the `ControlMessagePayload` contract, 1
    // and 2), which is what `PayloadField` promises: the message can be a field of another.
    conversions.extend(quote! {
        #[automatically_derived]
        unsafe impl #private::PayloadField for #ident {}

        #[automatically_derived]
        impl<'a> #private::FromControlMessage<'a> for #ident {
            #[inline]
            fn from_control_message(
                message: #private::ControlMessage<'a>,
            ) -> ::core::option::Option<
                ::core::result::Result<Self, #private::PayloadError>,
            > {
                #private::variant::<Self>(message)
            }
        }
    });
    (TokenStream::new(), checks, layout, parsed, conversions)
}

/// A sized header that bytes follow (`#[cmsg(trailing_bytes)]`): parsed into a `Tailed`,
/// the header copied at any alignment and the bytes borrowed, so no reference ever covers
/// more than the payload. The header's own layout checks (`checks`) are those of a sized
/// payload.
fn trailing_bytes(payload: &Payload<'_>, private: &TokenStream, checks: TokenStream) -> Parts {
    let ident = payload.ident;
    let layout = quote! {
        const LAYOUT: #private::PayloadLayout = #private::PayloadLayout {
            prefix: ::core::mem::size_of::<Self>(),
            elem: 1,
            align: ::core::mem::align_of::<Self>(),
        };
    };
    let parsed = quote! {
        type Parsed<'a> = #private::Tailed<'a, Self> where Self: 'a;

        #[inline]
        fn parse<'a>(
            message: #private::ControlMessage<'a>,
        ) -> ::core::result::Result<#private::Tailed<'a, Self>, #private::PayloadError>
        where
            Self: 'a,
        {
            #private::read_tailed::<Self>(message)
        }

        #[inline]
        fn cast_ptr(
            ptr: *const ::core::primitive::u8,
            _elements: ::core::primitive::usize,
        ) -> *const Self {
            ptr.cast::<Self>()
        }
    };
    // `TryFrom<ControlMessage> for Tailed<Self>` would be an impl of a foreign trait for a
    // foreign type; `parse` and `find` do it. `From<&Self>` sends the header alone.
    let conversions = quote! {
        #[automatically_derived]
        impl<'a> ::core::convert::From<&'a #ident> for #private::ControlMessage<'a> {
            #[inline]
            fn from(value: &'a #ident) -> Self {
                #private::to_message::<#ident>(value)
            }
        }

        #[automatically_derived]
        unsafe impl #private::PayloadField for #ident {}
    };
    (TokenStream::new(), checks, layout, parsed, conversions)
}

/// A payload ending in a slice: viewed in place, alignment checked.
fn slice_tailed(
    payload: &Payload<'_>,
    private: &TokenStream,
    tail: &Field<'_>,
    elem: &Type,
) -> Parts {
    let ident = payload.ident;
    let mirror_ident = format_ident!("__{}Prefix", ident);
    let names: Vec<Ident> = (0..payload.fields.len())
        .map(|i| format_ident!("__field{}", i))
        .collect();
    let types = payload.fields.iter().map(|field| field.ty);
    // The sized fields of `ident` followed by `[elem; 0]`: the same `repr(C)` placement as
    // the real type, but sized, so `offset_of!` and `align_of` work on it.
    let mirror = quote! {
        #[repr(C)]
        #[allow(dead_code, non_camel_case_types)]
        struct #mirror_ident {
            #(#names: #types,)*
            __tail: [#elem; 0],
        }
    };
    let offsets = names
        .iter()
        .map(|name| quote!(::core::mem::offset_of!(#mirror_ident, #name)))
        .collect::<Vec<_>>();
    let (mut checks, end) = padding_checks(ident, &payload.fields, &offsets);
    let tail_name = Input::describe(&tail.member);
    let elem_span = tail.span;
    let gap = LitStr::new(
        &format!(
            "`{ident}` has padding before its trailing slice ({tail_name}), to align the \
             slice's elements; add an explicit padding field before it (for example \
             `_pad: [u8; N]`)"
        ),
        Span::call_site(),
    );
    let prefix_align = LitStr::new(
        &format!(
            "the fields of `{ident}` before its trailing slice ({tail_name}) do not fill a \
             multiple of the struct's alignment, so a value would end in padding; add an \
             explicit padding field before the slice (for example `_pad: [u8; N]`)"
        ),
        Span::call_site(),
    );
    let elem_align = LitStr::new(
        &format!(
            "the element size of the trailing slice of `{ident}` ({tail_name}) is not a \
             multiple of the struct's alignment, so a `&{ident}` would claim padding past \
             the end of the payload; use an element type at least as aligned as the other \
             fields or, for a header followed by bytes, remove the slice field and add the \
             flag `trailing_bytes` to `#[cmsg]` (the header is then copied, the bytes \
             borrowed)"
        ),
        Span::call_site(),
    );
    let zero_sized = LitStr::new(
        &format!(
            "the elements of the trailing slice of `{ident}` ({tail_name}) are zero-sized; \
             use a slice of bytes or integers"
        ),
        Span::call_site(),
    );
    checks.extend(quote_spanned! {elem_span=>
        ::core::assert!(::core::mem::offset_of!(#mirror_ident, __tail) == #end, #gap);
        ::core::assert!(::core::mem::size_of::<#elem>() != 0, #zero_sized);
        ::core::assert!(
            #private::is_multiple_of(
                ::core::mem::offset_of!(#mirror_ident, __tail),
                ::core::mem::align_of::<#mirror_ident>(),
            ),
            #prefix_align
        );
        ::core::assert!(
            #private::is_multiple_of(
                ::core::mem::size_of::<#elem>(),
                ::core::mem::align_of::<#mirror_ident>(),
            ),
            #elem_align
        );
    });

    let layout = quote! {
        const LAYOUT: #private::PayloadLayout = #private::PayloadLayout {
            prefix: ::core::mem::offset_of!(#mirror_ident, __tail),
            elem: ::core::mem::size_of::<#elem>(),
            align: ::core::mem::align_of::<#mirror_ident>(),
        };
    };
    let parsed = quote! {
        type Parsed<'a> = &'a Self where Self: 'a;

        #[inline]
        fn parse<'a>(
            message: #private::ControlMessage<'a>,
        ) -> ::core::result::Result<&'a Self, #private::PayloadError>
        where
            Self: 'a,
        {
            #private::ref_payload::<Self>(message)
        }

        #[inline]
        fn cast_ptr(
            ptr: *const ::core::primitive::u8,
            elements: ::core::primitive::usize,
        ) -> *const Self {
            ::core::ptr::slice_from_raw_parts(ptr.cast::<#elem>(), elements) as *const Self
        }
    };
    let mut conversions = conversions(ident, private, &quote!(&'a #ident), &quote!(ref_payload));
    conversions.extend(quote! {
        #[automatically_derived]
        impl<'a> #private::FromControlMessage<'a> for &'a #ident {
            #[inline]
            fn from_control_message(
                message: #private::ControlMessage<'a>,
            ) -> ::core::option::Option<
                ::core::result::Result<Self, #private::PayloadError>,
            > {
                #private::variant::<#ident>(message)
            }
        }
    });
    (mirror, checks, layout, parsed, conversions)
}

/// `TryFrom<ControlMessage<'a>> for #target` through `#private::#reader`, and
/// `From<&'a #ident> for ControlMessage<'a>`.
fn conversions(
    ident: &Ident,
    private: &TokenStream,
    target: &TokenStream,
    reader: &TokenStream,
) -> TokenStream {
    quote! {
        #[automatically_derived]
        impl<'a> ::core::convert::TryFrom<#private::ControlMessage<'a>> for #target {
            type Error = #private::PayloadError;

            #[inline]
            fn try_from(
                message: #private::ControlMessage<'a>,
            ) -> ::core::result::Result<Self, #private::PayloadError> {
                #private::#reader::<#ident>(message)
            }
        }

        #[automatically_derived]
        impl<'a> ::core::convert::From<&'a #ident> for #private::ControlMessage<'a> {
            #[inline]
            fn from(value: &'a #ident) -> Self {
                #private::to_message::<#ident>(value)
            }
        }
    }
}

/// Assertions that each sized field starts where the previous one ends; returns them and
/// the expression for where the last sized field ends.
fn padding_checks(
    ident: &Ident,
    fields: &[&Field<'_>],
    offsets: &[TokenStream],
) -> (TokenStream, TokenStream) {
    let mut checks = TokenStream::new();
    let mut end = quote!(0usize);
    let mut previous: Option<&Field<'_>> = None;
    for (field, offset) in fields.iter().zip(offsets) {
        let this = Input::describe(&field.member);
        let message = match previous {
            None => format!("`{ident}` has padding before its first {this}"),
            Some(prev) => format!(
                "`{ident}` has padding between {} and {this}, to align {this}; add an \
                 explicit padding field between them (for example `_pad: [u8; N]`) or \
                 reorder the fields so that every byte of the payload is a field",
                Input::describe(&prev.member)
            ),
        };
        let message = LitStr::new(&message, Span::call_site());
        let ty = field.ty;
        checks.extend(quote_spanned! {field.span=>
            ::core::assert!(#offset == #end, #message);
        });
        end = quote!(#offset + ::core::mem::size_of::<#ty>());
        previous = Some(field);
    }
    (checks, end.into_token_stream())
}
