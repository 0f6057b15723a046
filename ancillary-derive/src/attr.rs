//! Parsing `#[cmsg(...)]` and `#[repr(...)]`, keeping every span for the error messages.
//! Mistakes in the attributes are collected, not returned at the first one, so that the
//! user sees them all in one build.

use proc_macro2::{Span, TokenStream};
use quote::{quote, ToTokens};
use syn::spanned::Spanned;
use syn::{Attribute, Expr, Ident, LitInt, LitStr, Path, Token};

/// The keys `#[cmsg]` accepts, in the order messages list them.
const KEYS: [&str; 3] = ["level", "type", "crate"];

/// The parsed attributes of the derive input.
#[derive(Default)]
pub(crate) struct Attrs {
    /// The first `#[cmsg]` attribute, if there is one (its tokens, so that an error can
    /// underline all of it).
    pub cmsg: Option<TokenStream>,
    pub level: Option<Expr>,
    pub ty: Option<Expr>,
    pub krate: Option<Path>,
    /// Keys suggested for near misses (`typ` -> `type`): not reported again as missing.
    pub suggested: Vec<&'static str>,
    pub repr: Repr,
    /// Mistakes found while parsing.
    pub errors: Errors,
}

impl Attrs {
    /// `<crate>::__private`, the module generated code takes everything from: under
    /// `::ancillary` unless `#[cmsg(crate = ...)]` names another path.
    pub(crate) fn private(&self) -> TokenStream {
        match &self.krate {
            Some(path) => quote!(#path::__private),
            None => quote!(::ancillary::__private),
        }
    }
}

/// The representation hints of `#[repr(...)]`, each with its span.
#[derive(Default)]
pub(crate) struct Repr {
    pub c: Option<Span>,
    pub transparent: Option<Span>,
    pub packed: Option<Span>,
    pub align: Option<Span>,
    /// Integer or other hints (`u8`, `Rust`, ...), which a payload cannot have.
    pub other: Vec<Ident>,
}

/// Errors collected so far, combined into one `syn::Error`.
#[derive(Clone, Default)]
pub(crate) struct Errors(Option<syn::Error>);

impl Errors {
    pub(crate) fn push(&mut self, error: syn::Error) {
        match &mut self.0 {
            Some(errors) => errors.combine(error),
            None => self.0 = Some(error),
        }
    }

    pub(crate) fn error(&mut self, span: Span, message: impl std::fmt::Display) {
        self.push(syn::Error::new(span, message));
    }

    /// An error underlining all of `tokens` (a plain span covers only the first token).
    pub(crate) fn spanned(&mut self, tokens: impl ToTokens, message: impl std::fmt::Display) {
        self.push(syn::Error::new_spanned(tokens, message));
    }

    pub(crate) fn extend(&mut self, other: Errors) {
        if let Some(error) = other.0 {
            self.push(error);
        }
    }

    pub(crate) fn finish(self) -> Result<(), syn::Error> {
        self.0.map_or(Ok(()), Err)
    }
}

/// Parses the item's attributes; mistakes end up in [`Attrs::errors`].
pub(crate) fn parse(attrs: &[Attribute]) -> Attrs {
    let mut out = Attrs::default();
    for attr in attrs {
        if attr.path().is_ident("cmsg") {
            out.cmsg.get_or_insert_with(|| attr.to_token_stream());
            parse_cmsg(attr, &mut out);
        } else if attr.path().is_ident("repr") {
            parse_repr(attr, &mut out);
        }
    }
    out
}

fn parse_cmsg(attr: &Attribute, out: &mut Attrs) {
    if !matches!(attr.meta, syn::Meta::List(_)) {
        out.errors.spanned(
            attr,
            "expected `#[cmsg(level = ..., type = ...)]`, for example \
             `#[cmsg(level = libc::IPPROTO_IP, type = libc::IP_TTL)]`",
        );
        return;
    }
    let result = attr.parse_nested_meta(|meta| {
        let key = meta.path.span();
        let name = meta
            .path
            .get_ident()
            .map(|ident| ident.to_string().trim_start_matches("r#").to_owned());
        match name.as_deref() {
            Some("level") => {
                let value = meta.value()?.parse::<Expr>()?;
                set(&mut out.level, "level", key, value, &mut out.errors);
            }
            Some("type") => {
                let value = meta.value()?.parse::<Expr>()?;
                set(&mut out.ty, "type", key, value, &mut out.errors);
            }
            Some("crate") => {
                let input = meta.value()?;
                // `crate = path` or, as serde spells it, `crate = "path"`.
                let value = if input.peek(LitStr) {
                    input.parse::<LitStr>()?.parse::<Path>()?
                } else {
                    Path::parse_mod_style(input)?
                };
                set(&mut out.krate, "crate", key, value, &mut out.errors);
            }
            _ => {
                let shown = path_text(&meta.path);
                let suggestion = name.as_deref().and_then(suggest);
                out.suggested.extend(suggestion);
                let hint = suggestion
                    .map(|s| format!(" (did you mean `{s}`?)"))
                    .unwrap_or_default();
                out.errors.spanned(
                    &meta.path,
                    format!(
                        "unknown `cmsg` key `{shown}`; expected `level`, `type` or `crate`{hint}"
                    ),
                );
                // Skip the value so that the keys after this one are still checked.
                if meta.input.peek(Token![=]) {
                    meta.value()?.parse::<Expr>()?;
                } else if !meta.input.is_empty() && !meta.input.peek(Token![,]) {
                    meta.input.parse::<proc_macro2::TokenStream>()?;
                }
            }
        }
        Ok(())
    });
    if let Err(error) = result {
        out.errors.push(error);
    }
}

fn set<T>(slot: &mut Option<T>, name: &str, key: Span, value: T, errors: &mut Errors) {
    if slot.is_some() {
        errors.error(
            key,
            format!("duplicate `{name}` in `#[cmsg]`; give each key once"),
        );
    } else {
        *slot = Some(value);
    }
}

fn path_text(path: &Path) -> String {
    let segments: Vec<String> = path
        .segments
        .iter()
        .map(|segment| segment.ident.to_string())
        .collect();
    segments.join("::")
}

/// The known key closest to `unknown`, if it is a near miss (edit distance at most 2).
fn suggest(unknown: &str) -> Option<&'static str> {
    KEYS.iter()
        .map(|key| (edit_distance(unknown, key), *key))
        .filter(|(distance, _)| *distance <= 2)
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, key)| key)
}

/// Levenshtein distance, by characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitution = diagonal + usize::from(ca != *cb);
            diagonal = row[j + 1];
            row[j + 1] = substitution.min(row[j] + 1).min(diagonal + 1);
        }
    }
    row[b.len()]
}

fn parse_repr(attr: &Attribute, out: &mut Attrs) {
    let result = attr.parse_nested_meta(|meta| {
        let span = meta.path.span();
        if meta.path.is_ident("C") {
            out.repr.c = Some(span);
        } else if meta.path.is_ident("transparent") {
            out.repr.transparent = Some(span);
        } else if meta.path.is_ident("packed") {
            out.repr.packed = Some(span);
            skip_parenthesized(&meta)?;
        } else if meta.path.is_ident("align") {
            out.repr.align = Some(span);
            skip_parenthesized(&meta)?;
        } else if let Some(ident) = meta.path.get_ident() {
            out.repr.other.push(ident.clone());
        }
        Ok(())
    });
    // A malformed `#[repr]` is rustc's to report; remember nothing more from it.
    let _ = result;
}

/// Consumes `(N)` after `packed` or `align`.
fn skip_parenthesized(meta: &syn::meta::ParseNestedMeta<'_>) -> syn::Result<()> {
    if meta.input.peek(syn::token::Paren) {
        let content;
        syn::parenthesized!(content in meta.input);
        content.parse::<LitInt>()?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::{edit_distance, suggest};

    #[test]
    fn near_misses_get_a_suggestion() {
        assert_eq!(suggest("typ"), Some("type"));
        assert_eq!(suggest("levle"), Some("level"));
        assert_eq!(suggest("krate"), Some("crate"));
        assert_eq!(suggest("protocol"), None);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
    }
}
