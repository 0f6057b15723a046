//! Parsing `#[cmsg(...)]` (or `#[sockopt(...)]`, the same grammar with other keys) and
//! `#[repr(...)]`, keeping every span for the error messages. Mistakes in the attributes
//! are reported to the [`Ctxt`] and parsing goes on after them, so that the user sees them
//! all in one build.

use proc_macro2::{Span, TokenStream, TokenTree};
use quote::{quote, ToTokens};
use syn::ext::IdentExt;
use syn::parse::ParseStream;
use syn::spanned::Spanned;
use syn::{token, Attribute, Expr, Ident, LitInt, LitStr, Meta, Path, Token};

use crate::ctxt::Ctxt;

/// What one derive's attribute accepts: its name, the keys that take a value and the
/// flags, each in the order messages list them.
pub(crate) struct Grammar {
    /// `cmsg` or `sockopt`.
    pub name: &'static str,
    /// Keys written `key = value`; the second is `type` or `name`.
    pub values: [&'static str; 3],
    pub flags: &'static [&'static str],
    /// An example of the whole attribute, for messages.
    pub example: &'static str,
    /// An example of the second key, `type = libc::IP_TTL` or `name = libc::IP_TTL`.
    pub second_example: &'static str,
}

/// `#[cmsg]`, of `#[derive(ControlMessage)]`, `PayloadField` and `ControlMessages`.
pub(crate) const CMSG: Grammar = Grammar {
    name: "cmsg",
    values: ["level", "type", "crate"],
    flags: &["shared", "trailing_bytes"],
    example: "#[cmsg(level = libc::IPPROTO_IP, type = libc::IP_TTL)]",
    second_example: "type = libc::IP_TTL",
};

/// `#[sockopt]`, of `#[derive(SocketOption)]`.
pub(crate) const SOCKOPT: Grammar = Grammar {
    name: "sockopt",
    values: ["level", "name", "crate"],
    flags: &["flag", "read_only", "write_only"],
    example: "#[sockopt(level = libc::IPPROTO_IP, name = libc::IP_TTL)]",
    second_example: "name = libc::IP_TTL",
};

impl Grammar {
    /// Every key, values first.
    pub(crate) fn keys(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.values.iter().chain(self.flags).copied()
    }
}

/// `` `a`, `b` or `c` ``.
fn one_of<'a>(keys: impl IntoIterator<Item = &'a str>) -> String {
    let keys: Vec<String> = keys.into_iter().map(|key| format!("`{key}`")).collect();
    match keys.split_last() {
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
        None => String::new(),
    }
}

/// The parsed attributes of the derive input.
#[derive(Default)]
pub(crate) struct Attrs {
    /// The first `#[cmsg]` (or `#[sockopt]`) attribute, if there is one (its tokens, so
    /// that an error can underline all of it).
    pub cmsg: Option<TokenStream>,
    /// The tokens of the `level` and `type` (or `name`) values, as written.
    pub level: Option<TokenStream>,
    pub ty: Option<TokenStream>,
    pub krate: Option<Path>,
    /// `shared`: another message type has the same level and type (its span).
    pub shared: Option<Span>,
    /// `trailing_bytes`: the struct is a header, and bytes follow it (its span).
    pub trailing_bytes: Option<Span>,
    /// `#[sockopt]`'s flags: `flag` (an on/off option, a C `int` read as a `bool`),
    /// `read_only`, `write_only`.
    pub flag: Option<Span>,
    pub read_only: Option<Span>,
    pub write_only: Option<Span>,
    /// Keys whose absence an error already explains (a near miss such as `typ`, a key
    /// without its value, a list that could not be read to the end): not reported again
    /// as missing.
    pub explained: Vec<&'static str>,
    pub repr: Repr,
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

/// Parses the item's attributes (`grammar`'s and `#[repr]`); mistakes are reported to `cx`.
pub(crate) fn parse(cx: &Ctxt, grammar: &Grammar, attrs: &[Attribute]) -> Attrs {
    let mut out = Attrs::default();
    for attr in attrs {
        if attr.path().is_ident(grammar.name) {
            out.cmsg.get_or_insert_with(|| attr.to_token_stream());
            parse_cmsg(cx, grammar, attr, &mut out);
        } else if attr.path().is_ident("repr") {
            parse_repr(attr, &mut out);
        }
    }
    out
}

fn parse_cmsg(cx: &Ctxt, grammar: &Grammar, attr: &Attribute, out: &mut Attrs) {
    let Meta::List(list) = &attr.meta else {
        let [level, second, _] = grammar.values;
        cx.error_spanned(
            attr,
            format!(
                "expected `#[{name}({level} = ..., {second} = ...)]`, for example `{example}`",
                name = grammar.name,
                example = grammar.example,
            ),
        );
        out.explained.extend(grammar.keys());
        return;
    };
    // `parse_entries` recovers from every mistake it reports; an error here would be one
    // it did not foresee, after which nothing is known about the keys.
    if let Err(error) =
        list.parse_args_with(|input: ParseStream<'_>| parse_entries(cx, grammar, input, out))
    {
        cx.push(error);
        out.explained.extend(grammar.keys());
    }
}

/// `key = value, ...`, written by hand rather than with `parse_nested_meta` so that a
/// mistake in one entry (a missing `=` or `,`, a value that does not parse) is reported
/// where it is and the entries after it are still read: a later key is then not reported
/// as missing, and a second mistake is reported in the same build.
fn parse_entries(
    cx: &Ctxt,
    grammar: &Grammar,
    input: ParseStream<'_>,
    out: &mut Attrs,
) -> syn::Result<()> {
    let name = grammar.name;
    while !input.is_empty() {
        if input.peek(Ident::peek_any) {
            parse_entry(cx, grammar, input, out)?;
        } else {
            cx.error(
                input.span(),
                format!(
                    "expected a `{name}` key: {}, each followed by `=` and its value, or the \
                     flag {}",
                    one_of(grammar.values),
                    one_of(grammar.flags.iter().copied()),
                ),
            );
            out.explained.extend(grammar.keys());
            skip_to_comma(input)?;
        }
        if input.is_empty() {
            break;
        }
        if input.peek(Token![,]) {
            input.parse::<Token![,]>()?;
        } else if input.peek(Ident::peek_any) {
            // Most likely the next key: report the missing comma and read on from it.
            let next = input.fork().call(Ident::parse_any)?;
            cx.error(
                next.span(),
                format!(
                    "expected `,` before `{}`; separate the keys of `#[{name}]` with commas",
                    next.unraw()
                ),
            );
        } else {
            cx.error(
                input.span(),
                format!(
                    "expected `,` or the end of `#[{name}(...)]` after a value; separate the \
                     keys with commas"
                ),
            );
            skip_to_comma(input)?;
        }
    }
    Ok(())
}

/// One `key = value`; returns with `input` at the `,` after it (or wherever the value ended).
fn parse_entry(
    cx: &Ctxt,
    grammar: &Grammar,
    input: ParseStream<'_>,
    out: &mut Attrs,
) -> syn::Result<()> {
    let key = input.call(Ident::parse_any)?;
    let name = key.unraw().to_string();
    let Some(known) = grammar.keys().find(|k| *k == name) else {
        return unknown_key(cx, grammar, input, key, &name, out);
    };
    if grammar.flags.contains(&known) {
        if input.peek(Token![=]) || input.peek(token::Paren) {
            let value = skip_to_comma(input)?;
            cx.error_spanned(
                value,
                format!(
                    "`{known}` is a flag and takes no value: write `#[{}(..., {known})]`",
                    grammar.name
                ),
            );
        }
        let slot = match known {
            "shared" => &mut out.shared,
            "trailing_bytes" => &mut out.trailing_bytes,
            "flag" => &mut out.flag,
            "read_only" => &mut out.read_only,
            _ => &mut out.write_only,
        };
        set(cx, grammar, slot, &key, key.span());
        return Ok(());
    }
    if !value_follows(cx, grammar, input, &key, known)? {
        out.explained.push(known);
        return Ok(());
    }
    let parsed = match known {
        "level" => {
            parse_value_expr(input).map(|value| set(cx, grammar, &mut out.level, &key, value))
        }
        "crate" => {
            parse_crate_path(input).map(|value| set(cx, grammar, &mut out.krate, &key, value))
        }
        _ => parse_value_expr(input).map(|value| set(cx, grammar, &mut out.ty, &key, value)),
    };
    if let Err(error) = parsed {
        cx.push(error);
        out.explained.push(known);
        skip_to_comma(input)?;
    }
    Ok(())
}

/// An example of each key, for the messages.
fn example(grammar: &Grammar, key: &str) -> &'static str {
    match key {
        "level" => "level = libc::IPPROTO_IP",
        "crate" => "crate = ::ancillary",
        _ => grammar.second_example,
    }
}

/// Consumes the `=` after `key` and returns whether a value follows it; reports a key
/// written without `= value` (`level`, `level(x)`, `level: x`) and skips what it has instead.
fn value_follows(
    cx: &Ctxt,
    grammar: &Grammar,
    input: ParseStream<'_>,
    key: &Ident,
    known: &str,
) -> syn::Result<bool> {
    let example = example(grammar, known);
    if input.peek(Token![=]) {
        let eq = input.parse::<Token![=]>()?;
        if input.is_empty() || input.peek(Token![,]) {
            cx.error(
                eq.span,
                format!("`{known}` needs a value after `=`, for example `{example}`"),
            );
            return Ok(false);
        }
        return Ok(true);
    }
    if input.peek(token::Paren) {
        let group = input.parse::<TokenTree>()?;
        cx.error_spanned(
            &group,
            format!(
                "`{known}` takes its value after `=`, not in parentheses: write `{known} = ...`, \
                 for example `{example}`"
            ),
        );
    } else if input.is_empty() || input.peek(Token![,]) {
        cx.error(
            key.span(),
            format!("`{known}` needs a value: write `{known} = ...`, for example `{example}`"),
        );
    } else {
        cx.error(
            input.span(),
            format!("expected `=` after `{known}`, for example `{example}`"),
        );
        skip_to_comma(input)?;
    }
    Ok(false)
}

/// The tokens of a `level` or `type` value: any constant expression. The compiler parses
/// them (`expand` wraps them in `cmsg_value!`); here they are only delimited.
fn parse_value_expr(input: ParseStream<'_>) -> syn::Result<TokenStream> {
    // Where syn's expression grammar finds an expression, it ends there, so a missing `,`
    // after it is seen. That grammar, without syn's "full" feature (all the derive builds),
    // covers paths, literals, operators, casts, calls and macros: every usual constant.
    // Anything else (`if`, `match`, a block with statements) runs to the next `,`.
    if input.fork().parse::<Expr>().is_ok() {
        return Ok(input.parse::<Expr>()?.into_token_stream());
    }
    skip_to_comma(input)
}

/// `crate = path` or, as serde spells it, `crate = "path"`.
fn parse_crate_path(input: ParseStream<'_>) -> syn::Result<Path> {
    if input.peek(LitStr) {
        input.parse::<LitStr>()?.parse_with(Path::parse_mod_style)
    } else {
        Path::parse_mod_style(input)
    }
}

/// Reports a key that is not one of `grammar`'s and skips its value.
fn unknown_key(
    cx: &Ctxt,
    grammar: &Grammar,
    input: ParseStream<'_>,
    key: Ident,
    name: &str,
    out: &mut Attrs,
) -> syn::Result<()> {
    // `a::b` as a key: underline and name all of it.
    let mut path = vec![key.unraw()];
    let mut tokens = key.to_token_stream();
    while input.peek(Token![::]) && input.peek3(Ident::peek_any) {
        let colons = input.parse::<Token![::]>()?;
        let segment = input.call(Ident::parse_any)?;
        path.push(segment.unraw());
        tokens.extend(quote!(#colons #segment));
    }
    let shown = path
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("::");
    let suggestion = if path.len() == 1 {
        suggest(grammar, name)
    } else {
        None
    };
    out.explained.extend(suggestion);
    let hint = suggestion
        .map(|s| format!(" (did you mean `{s}`?)"))
        .unwrap_or_default();
    cx.error_spanned(
        tokens,
        format!(
            "unknown `{}` key `{shown}`; expected {}{hint}",
            grammar.name,
            one_of(grammar.keys())
        ),
    );
    // Skip the value so that the keys after this one are still read.
    skip_to_comma(input)?;
    Ok(())
}

/// Consumes tokens up to the next `,` outside any brackets (or the end) and returns them.
fn skip_to_comma(input: ParseStream<'_>) -> syn::Result<TokenStream> {
    input.step(|cursor| {
        let mut tokens = TokenStream::new();
        let mut rest = *cursor;
        while let Some((tree, next)) = rest.token_tree() {
            if matches!(&tree, TokenTree::Punct(punct) if punct.as_char() == ',') {
                break;
            }
            tokens.extend([tree]);
            rest = next;
        }
        Ok((tokens, rest))
    })
}

fn set<T>(cx: &Ctxt, grammar: &Grammar, slot: &mut Option<T>, key: &Ident, value: T) {
    if slot.is_some() {
        cx.error(
            key.span(),
            format!(
                "duplicate `{}` in `#[{}]`; give each key once",
                key.unraw(),
                grammar.name
            ),
        );
    } else {
        *slot = Some(value);
    }
}

/// The known key closest to `unknown`, if it is a near miss (edit distance at most 2).
fn suggest(grammar: &Grammar, unknown: &str) -> Option<&'static str> {
    grammar
        .keys()
        .map(|key| (edit_distance(unknown, key), key))
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
    use quote::quote;
    use syn::{parse_quote, DeriveInput};

    use super::{edit_distance, parse, suggest, Attrs, CMSG, SOCKOPT};
    use crate::ctxt::Ctxt;

    /// The attributes of `input` and the messages of the errors found in them.
    fn parsed(input: &DeriveInput) -> (Attrs, Vec<String>) {
        let cx = Ctxt::new();
        let attrs = parse(&cx, &CMSG, &input.attrs);
        let errors = match cx.check() {
            Ok(()) => Vec::new(),
            Err(errors) => errors.into_iter().map(|e| e.to_string()).collect(),
        };
        (attrs, errors)
    }

    #[test]
    fn near_misses_get_a_suggestion() {
        assert_eq!(suggest(&CMSG, "typ"), Some("type"));
        assert_eq!(suggest(&CMSG, "levle"), Some("level"));
        assert_eq!(suggest(&CMSG, "krate"), Some("crate"));
        assert_eq!(suggest(&CMSG, "protocol"), None);
        assert_eq!(suggest(&SOCKOPT, "nmae"), Some("name"));
        assert_eq!(suggest(&SOCKOPT, "readonly"), Some("read_only"));
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
    }

    #[test]
    fn values_are_kept_as_written() {
        let (attrs, errors) = parsed(&parse_quote! {
            #[cmsg(level = if LINUX { 1 } else { 2 }, r#type = libc::IP_TTL as i32)]
            struct S;
        });
        assert_eq!(errors, Vec::<String>::new());
        let text = |tokens: Option<proc_macro2::TokenStream>| tokens.unwrap().to_string();
        assert_eq!(
            text(attrs.level),
            quote!(if LINUX { 1 } else { 2 }).to_string()
        );
        assert_eq!(text(attrs.ty), quote!(libc::IP_TTL as i32).to_string());
    }

    #[test]
    fn a_missing_comma_is_one_error_and_the_next_key_is_read() {
        let (attrs, errors) = parsed(&parse_quote! {
            #[cmsg(level = 1 type = 2)]
            struct S;
        });
        assert_eq!(
            errors,
            ["expected `,` before `type`; separate the keys of `#[cmsg]` with commas"]
        );
        assert!(attrs.level.is_some() && attrs.ty.is_some());
    }

    #[test]
    fn every_entry_is_read_past_mistakes() {
        let (attrs, errors) = parsed(&parse_quote! {
            #[cmsg(level(1), typ = 2, crate = "a b", type, crate = ::ok)]
            struct S;
        });
        assert_eq!(errors.len(), 4, "{errors:#?}");
        assert!(errors[0].starts_with("`level` takes its value after `=`"));
        assert!(errors[1].starts_with("unknown `cmsg` key `typ`"));
        assert!(errors[3].starts_with("`type` needs a value"));
        assert_eq!(attrs.explained, ["level", "type", "crate", "type"]);
        assert!(attrs.krate.is_some());
    }
}
