//! `#[derive(SocketOption)]`: a socket option's value type, in the phases of the message
//! derive and on its machinery. [`crate::ast`] models the input and [`crate::attr`] parses
//! `#[sockopt]`; [`validate`] checks the rules (the shared ones are
//! [`crate::valid`]'s), [`expand`] emits the impls (the layout proof is
//! [`crate::expand`]'s), and [`fallback`] the errors plus stubs.

use proc_macro2::{Span, TokenStream};
use quote::{quote, quote_spanned, ToTokens};
use syn::spanned::Spanned;
use syn::{DeriveInput, Ident, LitStr, Member, Type};

use crate::ast::{Field, Input, Kind};
use crate::attr::SOCKOPT;
use crate::ctxt::Ctxt;
use crate::expand::{field_checks, sized_checks};
use crate::valid::{check_field_syntax, check_generics, check_repr, Subject};

const OPTION: Subject = Subject {
    what: "a socket option's value",
    why_no_address: "the kernel copies the value's bytes, not what an address points to",
};

/// The whole derive on a parsed input: the expansion, or every error plus the fallback.
pub(crate) fn derive(input: &DeriveInput) -> TokenStream {
    let cx = Ctxt::new();
    let model = Input::from_syn(&cx, &SOCKOPT, input);
    let option = validate(&cx, &model);
    match (cx.check(), option) {
        (Ok(()), Some(option)) => expand(&option),
        (Err(errors), _) => fallback(&model, errors),
        (Ok(()), None) => unreachable!("validation gave no option but reported no error"),
    }
}

/// What [`expand`] needs, read from a valid input.
struct SockOpt<'a> {
    ident: &'a Ident,
    private: TokenStream,
    level: &'a TokenStream,
    name: &'a TokenStream,
    /// The value's fields; for a flag, its one `bool` field.
    fields: Vec<&'a Field<'a>>,
    flag: bool,
    set: bool,
    get: bool,
}

/// Checks `input` against every rule, reporting each violation to `cx`; `None` only if
/// something was reported.
fn validate<'a>(cx: &Ctxt, input: &'a Input<'a>) -> Option<SockOpt<'a>> {
    let attrs = &input.attrs;
    let fields = match &input.kind {
        Kind::Struct(fields) => Some(fields),
        Kind::Enum(span) | Kind::Union(span) => {
            cx.error(
                *span,
                "`SocketOption` is derived for a struct: a `#[repr(C)]` struct whose fields \
                 are the option's C value, or, with `#[sockopt(flag)]`, a struct of one \
                 `bool`; for an option with named values, wrap a `libc::c_int` and give the \
                 values as associated constants",
            );
            None
        }
    };
    check_generics(cx, &OPTION, input);
    check_attribute(cx, input);
    if attrs.flag.is_none() {
        check_repr(cx, &OPTION, input);
    }
    let fields = fields?;
    if fields.is_empty() {
        cx.error(
            input.ident.span(),
            format!(
                "`{}` has no fields, so it has no value to give the kernel; give it the \
                 option's C value (`libc::c_int`, a `libc` struct, ...) as its field",
                input.ident
            ),
        );
    }
    for field in fields {
        for attr in &field.cmsg_attrs {
            cx.error_spanned(
                attr,
                "`#[sockopt]` belongs on the struct, not on a field (a field takes only \
                 `#[sockopt(zerocopy)]`); move it above the struct",
            );
        }
        check_option_field(cx, input, field);
    }
    if attrs.flag.is_some() && fields.len() > 1 {
        cx.error_spanned(
            fields[1].ty,
            "a flag option (`#[sockopt(flag)]`) has exactly one field, its `bool`; remove \
             the others",
        );
    }
    Some(SockOpt {
        ident: input.ident,
        private: attrs.private(),
        level: attrs.level.as_ref()?,
        name: attrs.ty.as_ref()?,
        fields: fields.iter().collect(),
        flag: attrs.flag.is_some(),
        set: attrs.read_only.is_none(),
        get: attrs.write_only.is_none(),
    })
}

/// `#[sockopt]` is there, with its `level` and `name`, and not both `read_only` and
/// `write_only`.
fn check_attribute(cx: &Ctxt, input: &Input<'_>) {
    let attrs = &input.attrs;
    let Some(sockopt) = &attrs.cmsg else {
        cx.error(
            input.ident.span(),
            format!(
                "`#[derive(SocketOption)]` needs the option's level and name: add `{}` with \
                 this option's constants",
                SOCKOPT.example
            ),
        );
        return;
    };
    if attrs.level.is_none() && !attrs.explained.contains(&"level") {
        cx.error_spanned(
            sockopt,
            "missing `level` in `#[sockopt]`; add `level = <c_int constant>`, for example \
             `level = libc::SOL_SOCKET`",
        );
    }
    if attrs.ty.is_none() && !attrs.explained.contains(&"name") {
        cx.error_spanned(
            sockopt,
            "missing `name` in `#[sockopt]`; add `name = <c_int constant>`, for example \
             `name = libc::SO_RCVBUF`",
        );
    }
    if let (Some(_), Some(write_only)) = (attrs.read_only, attrs.write_only) {
        cx.error(
            write_only,
            "an option cannot be both `read_only` and `write_only`; keep the one that is true",
        );
    }
}

/// Whether `ty` is written `bool` (or `core::primitive::bool`, ...).
fn is_bool(ty: &Type) -> bool {
    matches!(ty, Type::Path(path) if path.qself.is_none()
        && path.path.segments.last().is_some_and(|last| last.ident == "bool"))
}

/// A field's own rules: no address, no slice; a `bool` exactly in the flag form.
fn check_option_field(cx: &Ctxt, input: &Input<'_>, field: &Field<'_>) {
    let name = Input::describe(&field.member);
    check_field_syntax(cx, &OPTION, field);
    if field.slice_elem.is_some() {
        cx.error_spanned(
            field.ty,
            format!(
                "{name} is a slice, but a socket option's value has a fixed size; use an \
                 array (`[u8; N]`)"
            ),
        );
    }
    let flag = input.attrs.flag.is_some();
    if flag && !is_bool(field.ty) {
        cx.error_spanned(
            field.ty,
            format!(
                "{name} of a flag option (`#[sockopt(flag)]`) must be a `bool`, read from \
                 and written as a C `int`; make it `bool`, or remove `flag` to give the \
                 kernel this type's bytes"
            ),
        );
    } else if !flag && is_bool(field.ty) {
        cx.error_spanned(
            field.ty,
            format!(
                "{name} is a `bool`, which is not the kernel's type for an on/off option (a \
                 C `int`); add `flag` to `#[sockopt(...)]` to keep the `bool` (the derive \
                 converts it), or use `libc::c_int`"
            ),
        );
    }
}

/// The impls of a valid option, in `#[automatically_derived] const _: () = { ... };`.
fn expand(option: &SockOpt<'_>) -> TokenStream {
    let ident = option.ident;
    let private = &option.private;
    let level = constant(private, option.level);
    let name = constant(private, option.name);
    let (checks, raw) = if option.flag {
        (TokenStream::new(), flag_raw(option))
    } else {
        value_raw(option)
    };
    let markers = markers(
        private,
        [&TokenStream::new(), &quote!(#ident), &TokenStream::new()],
        option.set,
        option.get,
    );
    // SAFETY (of the `unsafe impl SocketOption` below; see `expand::expand` for why the
    // argument lives here): `Raw` is a `PayloadField` (for a value type, by the layout
    // proof in the same block, as `#[derive(PayloadField)]` gives it), so the bytes the
    // kernel reads are initialised and any bytes it writes are a valid value. That the
    // option follows no address inside the value is the user's choice of `level` and
    // `name`; the trait's documentation says which options those are.
    quote! {
        #[automatically_derived]
        const _: () = {
            #checks

            #[automatically_derived]
            unsafe impl #private::SocketOption for #ident {
                const LEVEL: #private::c_int = #level;
                const NAME: #private::c_int = #name;
                #raw
            }

            #markers
        };
    }
}

/// A `level` or `name` value through `cmsg_value!`, as the message derive does.
fn constant(private: &TokenStream, value: &TokenStream) -> TokenStream {
    quote_spanned!(value.span()=> #private::cmsg_value!(#value))
}

/// `SetSocketOption` and `GetSocketOption`, as `set` and `get` say, for the type `this`
/// of `[impl generics, this, where clause]`.
fn markers(private: &TokenStream, header: [&TokenStream; 3], set: bool, get: bool) -> TokenStream {
    let [generics, this, where_clause] = header;
    let mut markers = TokenStream::new();
    for (wanted, marker) in [
        (set, quote!(SetSocketOption)),
        (get, quote!(GetSocketOption)),
    ] {
        if wanted {
            markers.extend(quote! {
                #[automatically_derived]
                impl #generics #private::#marker for #this #where_clause {}
            });
        }
    }
    markers
}

/// A flag: the kernel's `int` from and to the one `bool` field; any non-zero reads `true`.
fn flag_raw(option: &SockOpt<'_>) -> TokenStream {
    let private = &option.private;
    let member: &Member = &option.fields[0].member;
    quote! {
        type Raw = #private::c_int;

        #[inline]
        fn to_raw(&self) -> #private::c_int {
            <#private::c_int as ::core::convert::From<::core::primitive::bool>>::from(
                self.#member,
            )
        }

        #[inline]
        fn from_raw(raw: #private::c_int) -> Self {
            Self { #member: raw != 0 }
        }
    }
}

/// A value type: the layout proof that makes it a `PayloadField`, and `Raw = Self`.
fn value_raw(option: &SockOpt<'_>) -> (TokenStream, TokenStream) {
    let ident = option.ident;
    let private = &option.private;
    let field_checks = field_checks(private, option.fields.iter().map(|f| (f.ty, f.zerocopy)));
    let layout = sized_checks(ident, &option.fields, false);
    let empty = LitStr::new(
        &format!(
            "`{ident}` is zero-sized (all its fields are), so it has no value to give the \
             kernel; give it the option's C value as its field"
        ),
        Span::call_site(),
    );
    // The same proof as `expand::expand_field`'s: every field is plain bytes and they
    // cover the struct with no gap, so the struct is a `PayloadField` too.
    let checks = quote! {
        const _: () = {
            #(#field_checks)*
            #layout
            ::core::assert!(::core::mem::size_of::<#ident>() != 0, #empty);
        };

        #[automatically_derived]
        unsafe impl #private::PayloadField for #ident {}
    };
    let this = quote_spanned!(ident.span()=> Self);
    let raw = quote! {
        type Raw = #this;

        #[inline]
        fn to_raw(&self) -> Self {
            #private::copy_raw::<Self>(self)
        }

        #[inline]
        fn from_raw(raw: Self) -> Self {
            raw
        }
    };
    (checks, raw)
}

/// The errors, plus the impls a valid input would have (their bodies never run: the
/// errors fail the build), so that code using the option adds no error of its own.
fn fallback(input: &Input<'_>, errors: syn::Error) -> TokenStream {
    let errors = errors.into_compile_error();
    let ident = input.ident;
    let private = input.attrs.private();
    let (impl_generics, ty_generics, where_clause) = input.generics.split_for_impl();
    let this = quote!(#ident #ty_generics);
    let markers = markers(
        &private,
        [
            &impl_generics.to_token_stream(),
            &this,
            &where_clause.to_token_stream(),
        ],
        input.attrs.read_only.is_none(),
        input.attrs.write_only.is_none(),
    );
    quote! {
        #errors

        #[automatically_derived]
        const _: () = {
            #[automatically_derived]
            unsafe impl #impl_generics #private::SocketOption for #this #where_clause {
                const LEVEL: #private::c_int = 0;
                const NAME: #private::c_int = 0;
                type Raw = #private::c_int;

                fn to_raw(&self) -> #private::c_int {
                    ::core::unreachable!()
                }

                fn from_raw(_: #private::c_int) -> Self {
                    ::core::unreachable!()
                }
            }

            #markers
        };
    }
}
