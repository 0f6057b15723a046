//! What the derive emits when validation fails: the errors, plus an inherent `matches` so
//! that code calling it does not add a second error per call site to the real one.

use proc_macro2::TokenStream;
use quote::quote;

use crate::ast::Input;

pub(crate) fn expand(input: &Input<'_>, errors: syn::Error) -> TokenStream {
    let errors = errors.into_compile_error();
    let ident = input.ident;
    let (impl_generics, ty_generics, where_clause) = input.generics.split_for_impl();
    let private = input.attrs.private();
    quote! {
        #errors

        #[automatically_derived]
        const _: () = {
            impl #impl_generics #ident #ty_generics #where_clause {
                #[allow(dead_code)]
                pub fn matches(_: &#private::ControlMessage<'_>) -> bool {
                    ::core::unreachable!()
                }
            }
        };
    }
}
