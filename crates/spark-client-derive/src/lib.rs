//! `#[derive(SparkType)]`: the Spark SQL type of a Rust type, derived from its definition, so a
//! record's Spark schema is never written by hand next to the struct it describes.
//!
//! Use it through `spark_client::SparkType` (re-exported there), not from this crate.
//!
//! - A struct with named fields becomes a `STRUCT` with one field per Rust field, in order. Each
//!   field's type comes from its Rust type's `SparkType` impl; `Option<T>` makes it nullable.
//! - A field's name is its serde name: `#[serde(rename = "...")]` on the field, else the
//!   container's `#[serde(rename_all = "...")]` applied to the Rust name, else the Rust name, so
//!   the schema reads the JSON that serde writes. `#[serde(skip)]` and `#[serde(skip_serializing)]`
//!   leave a field out; `#[serde(flatten)]` is refused (its fields are not known here).
//! - An enum whose variants all carry no data becomes `STRING` (serde writes such variants as
//!   strings).
//! - `#[spark(rename = "...")]` overrides the name for Spark alone.

use proc_macro::TokenStream;
use proc_macro2::{Span, TokenStream as TokenStream2};
use quote::quote;
use syn::{parse_macro_input, Data, DeriveInput, Error, Fields, LitStr};

/// Derives `spark_client::types::SparkType` for a struct with named fields (a `STRUCT`) or an enum
/// of unit variants (a `STRING`). See the crate docs for the naming rules.
#[proc_macro_derive(SparkType, attributes(spark))]
pub fn derive_spark_type(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    expand(&input)
        .unwrap_or_else(Error::into_compile_error)
        .into()
}

fn expand(input: &DeriveInput) -> syn::Result<TokenStream2> {
    if !input.generics.params.is_empty() {
        return Err(Error::new_spanned(
            &input.generics,
            "#[derive(SparkType)] does not support generic types",
        ));
    }
    let name = &input.ident;
    let body = match &input.data {
        Data::Struct(data) => struct_type(input, &data.fields)?,
        Data::Enum(data) => {
            if let Some(v) = data.variants.iter().find(|v| !v.fields.is_empty()) {
                return Err(Error::new_spanned(
                    v,
                    "#[derive(SparkType)] supports enums of unit variants only (they are strings)",
                ));
            }
            quote! { ::spark_client::types::DataType::String }
        }
        Data::Union(u) => {
            return Err(Error::new_spanned(
                u.union_token,
                "#[derive(SparkType)] does not support unions",
            ))
        }
    };
    Ok(quote! {
        impl ::spark_client::types::SparkType for #name {
            fn spark_type() -> ::spark_client::types::DataType {
                #body
            }
        }
    })
}

fn struct_type(input: &DeriveInput, fields: &Fields) -> syn::Result<TokenStream2> {
    let Fields::Named(named) = fields else {
        return Err(Error::new_spanned(
            fields,
            "#[derive(SparkType)] needs a struct with named fields",
        ));
    };
    let rename_all = serde_value(&input.attrs, "rename_all")?;
    let mut pushes = Vec::new();
    for field in &named.named {
        let attrs = FieldAttrs::read(&field.attrs)?;
        if attrs.skip {
            continue;
        }
        if attrs.flatten {
            return Err(Error::new_spanned(
                field,
                "#[derive(SparkType)] cannot flatten a field: list its fields instead",
            ));
        }
        let ident = field.ident.as_ref().expect("named fields have names");
        let rust_name = ident.to_string();
        let rust_name = rust_name.strip_prefix("r#").unwrap_or(&rust_name);
        let spark_name = match (attrs.spark_rename, attrs.serde_rename, &rename_all) {
            (Some(name), _, _) | (None, Some(name), _) => name,
            (None, None, Some(rule)) => apply_rename_all(rust_name, rule)?,
            (None, None, None) => rust_name.to_string(),
        };
        let ty = &field.ty;
        pushes.push(quote! {
            .field(
                #spark_name,
                <#ty as ::spark_client::types::SparkType>::spark_type(),
                <#ty as ::spark_client::types::SparkType>::nullable(),
            )
        });
    }
    Ok(quote! {
        ::spark_client::types::DataType::Struct(
            ::spark_client::types::StructType::new() #(#pushes)*
        )
    })
}

/// What the derive reads from a field's `#[serde(...)]` and `#[spark(...)]` attributes.
#[derive(Default)]
struct FieldAttrs {
    serde_rename: Option<String>,
    spark_rename: Option<String>,
    skip: bool,
    flatten: bool,
}

impl FieldAttrs {
    fn read(attrs: &[syn::Attribute]) -> syn::Result<FieldAttrs> {
        let mut out = FieldAttrs::default();
        for attr in attrs {
            if attr.path().is_ident("serde") {
                attr.parse_nested_meta(|meta| {
                    if meta.path.is_ident("rename") {
                        // `rename = "x"`; the `rename(serialize = ..)` form is ignored.
                        if let Ok(value) = meta.value() {
                            out.serde_rename = Some(value.parse::<LitStr>()?.value());
                        } else {
                            skip_group(&meta)?;
                        }
                    } else if meta.path.is_ident("skip") || meta.path.is_ident("skip_serializing") {
                        out.skip = true;
                    } else if meta.path.is_ident("flatten") {
                        out.flatten = true;
                    } else {
                        skip_value(&meta)?;
                    }
                    Ok(())
                })?;
            } else if attr.path().is_ident("spark") {
                attr.parse_nested_meta(|meta| {
                    if meta.path.is_ident("rename") {
                        out.spark_rename = Some(meta.value()?.parse::<LitStr>()?.value());
                        Ok(())
                    } else {
                        Err(meta.error("expected #[spark(rename = \"...\")]"))
                    }
                })?;
            }
        }
        Ok(out)
    }
}

/// The string value of `#[serde(key = "...")]` on a container, if any.
fn serde_value(attrs: &[syn::Attribute], key: &str) -> syn::Result<Option<String>> {
    let mut found = None;
    for attr in attrs.iter().filter(|a| a.path().is_ident("serde")) {
        attr.parse_nested_meta(|meta| {
            if meta.path.is_ident(key) {
                match meta.value() {
                    Ok(value) => found = Some(value.parse::<LitStr>()?.value()),
                    Err(_) => skip_group(&meta)?,
                }
            } else {
                skip_value(&meta)?;
            }
            Ok(())
        })?;
    }
    Ok(found)
}

/// Consumes `= value` or `(...)` after a serde key this derive does not read.
fn skip_value(meta: &syn::meta::ParseNestedMeta) -> syn::Result<()> {
    if meta.input.peek(syn::Token![=]) {
        meta.value()?.parse::<syn::Expr>()?;
    } else if meta.input.peek(syn::token::Paren) {
        skip_group(meta)?;
    }
    Ok(())
}

fn skip_group(meta: &syn::meta::ParseNestedMeta) -> syn::Result<()> {
    meta.parse_nested_meta(|inner| skip_value(&inner))
}

/// serde's `rename_all` rules, for field names (which Rust writes in snake_case).
fn apply_rename_all(name: &str, rule: &str) -> syn::Result<String> {
    let words: Vec<&str> = name.split('_').filter(|w| !w.is_empty()).collect();
    let capitalised = |w: &str| {
        let mut chars = w.chars();
        chars
            .next()
            .map(|c| c.to_uppercase().chain(chars).collect::<String>())
            .unwrap_or_default()
    };
    Ok(match rule {
        "lowercase" | "snake_case" => name.to_lowercase(),
        "UPPERCASE" | "SCREAMING_SNAKE_CASE" => name.to_uppercase(),
        "kebab-case" => words.join("-"),
        "SCREAMING-KEBAB-CASE" => words.join("-").to_uppercase(),
        "camelCase" => words
            .iter()
            .enumerate()
            .map(|(i, w)| {
                if i == 0 {
                    w.to_string()
                } else {
                    capitalised(w)
                }
            })
            .collect(),
        "PascalCase" => words.iter().map(|w| capitalised(w)).collect(),
        other => {
            return Err(Error::new(
                Span::call_site(),
                format!("#[derive(SparkType)]: unknown serde rename_all rule {other:?}"),
            ))
        }
    })
}
