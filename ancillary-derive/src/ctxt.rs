//! The error collector every phase reports into, so that one build shows every mistake.
//!
//! Errors are merged with [`syn::Error::combine`] as they are found. [`Ctxt::check`]
//! consumes the collector and hands them over; dropping it without a `check` panics, so an
//! error cannot be recorded and then lost on some path that forgot to look.

use std::cell::RefCell;
use std::fmt::Display;
use std::thread;

use proc_macro2::Span;
use quote::ToTokens;

pub(crate) struct Ctxt {
    /// Everything reported so far, combined; `None` while nothing failed.
    errors: RefCell<Option<syn::Error>>,
    /// Set by [`Ctxt::check`]; its absence at drop is a bug in the derive.
    checked: bool,
}

impl Ctxt {
    pub(crate) fn new() -> Self {
        Ctxt {
            errors: RefCell::new(None),
            checked: false,
        }
    }

    /// Records `error` next to the ones found before.
    pub(crate) fn push(&self, error: syn::Error) {
        let mut errors = self.errors.borrow_mut();
        match errors.as_mut() {
            Some(errors) => errors.combine(error),
            None => *errors = Some(error),
        }
    }

    /// An error pointing at `span`.
    pub(crate) fn error(&self, span: Span, message: impl Display) {
        self.push(syn::Error::new(span, message));
    }

    /// An error underlining all of `tokens` (a plain span covers only the first token).
    pub(crate) fn error_spanned(&self, tokens: impl ToTokens, message: impl Display) {
        self.push(syn::Error::new_spanned(tokens, message));
    }

    /// Ends the collection: `Err` with every recorded error if there was one.
    pub(crate) fn check(mut self) -> Result<(), syn::Error> {
        self.checked = true;
        self.errors.take().map_or(Ok(()), Err)
    }
}

impl Drop for Ctxt {
    fn drop(&mut self) {
        // Not while unwinding from another panic: that would abort and hide the first one.
        if !self.checked && !thread::panicking() {
            panic!("ancillary-derive bug: a `Ctxt` was dropped without `check`");
        }
    }
}

#[cfg(test)]
mod tests {
    use proc_macro2::Span;

    use super::Ctxt;

    #[test]
    fn check_returns_every_error_in_order() {
        let cx = Ctxt::new();
        cx.error(Span::call_site(), "first");
        cx.error_spanned(quote::quote!(a b), "second");
        let messages: Vec<String> = cx
            .check()
            .unwrap_err()
            .into_iter()
            .map(|error| error.to_string())
            .collect();
        assert_eq!(messages, ["first", "second"]);
    }

    #[test]
    fn no_error_checks_ok() {
        assert!(Ctxt::new().check().is_ok());
    }

    #[test]
    #[should_panic(expected = "dropped without `check`")]
    fn dropping_unchecked_panics() {
        let cx = Ctxt::new();
        cx.error(Span::call_site(), "lost");
        drop(cx);
    }
}
