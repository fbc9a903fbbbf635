//! String and binary functions.

use super::{fns, lit, variadic};
use crate::column::Column;

fns! {
    /// Lower-case.
    lower => "lower"(col);
    /// Upper-case.
    upper => "upper"(col);
    /// Strips leading and trailing spaces.
    trim => "trim"(col);
    /// Strips leading spaces.
    ltrim => "ltrim"(col);
    /// Strips trailing spaces.
    rtrim => "rtrim"(col);
    /// Capitalises each word.
    initcap => "initcap"(col);
    /// Length in characters (strings) or bytes (binary).
    length => "length"(col);
    /// Length in bytes (UTF-8 for strings).
    octet_length => "octet_length"(col);
    /// Length in bits.
    bit_length => "bit_length"(col);
    /// The string (or array) reversed; strings by character.
    reverse => "reverse"(col);
    /// The code point of the first character.
    ascii => "ascii"(col);
    /// The Soundex code.
    soundex => "soundex"(col);
    /// Edit distance between two strings.
    levenshtein => "levenshtein"(left, right);
    /// Upper-case hexadecimal of a number, string or binary.
    hex => "hex"(col);
    /// The binary a hexadecimal string stands for (null when it is not hex).
    unhex => "unhex"(col);
    /// Base64 of a binary (or string's UTF-8 bytes).
    base64 => "base64"(col);
    /// The binary a base64 string stands for.
    unbase64 => "unbase64"(col);
    /// MD5 digest as hex.
    md5 => "md5"(col);
    /// SHA-1 digest as hex.
    sha1 => "sha1"(col);
    /// CRC-32 checksum.
    crc32 => "crc32"(col);
    /// The leftmost `len` characters.
    left => "left"(col, len);
    /// The rightmost `len` characters.
    right => "right"(col, len);
    /// Extracts a JSON value by path, e.g. `get_json_object("value", lit("$.id"))`.
    get_json_object => "get_json_object"(col, path);
}

variadic! {
    /// Concatenates strings, binaries or arrays (null if any is null).
    concat => "concat";
}

/// Concatenates strings with a separator, skipping nulls.
pub fn concat_ws<C: Into<Column>>(sep: &str, cols: impl IntoIterator<Item = C>) -> Column {
    Column::call(
        "concat_ws",
        std::iter::once(lit(sep)).chain(cols.into_iter().map(Into::into)),
    )
}

/// `printf`-style formatting.
pub fn format_string<C: Into<Column>>(format: &str, cols: impl IntoIterator<Item = C>) -> Column {
    Column::call(
        "format_string",
        std::iter::once(lit(format)).chain(cols.into_iter().map(Into::into)),
    )
}

/// Formats a number like `#,###,###.##` with `decimals` decimal places.
pub fn format_number(col: impl Into<Column>, decimals: i32) -> Column {
    Column::call("format_number", [col.into(), lit(decimals)])
}

/// Splits a string around matches of a Java regex.
pub fn split(col: impl Into<Column>, pattern: &str) -> Column {
    split_limit(col, pattern, -1)
}

/// Like [`split`], into at most `limit` parts (`limit` <= 0: no limit).
pub fn split_limit(col: impl Into<Column>, pattern: &str, limit: i32) -> Column {
    Column::call("split", [col.into(), lit(pattern), lit(limit)])
}

/// Group `idx` of the first match of a Java regex (`""` when it does not match).
pub fn regexp_extract(col: impl Into<Column>, pattern: &str, idx: i32) -> Column {
    Column::call("regexp_extract", [col.into(), lit(pattern), lit(idx)])
}

/// Replaces all matches of a Java regex.
pub fn regexp_replace(col: impl Into<Column>, pattern: &str, replacement: &str) -> Column {
    Column::call(
        "regexp_replace",
        [col.into(), lit(pattern), lit(replacement)],
    )
}

/// The substring of `len` characters starting at 1-based `pos`.
pub fn substring(col: impl Into<Column>, pos: i32, len: i32) -> Column {
    Column::call("substring", [col.into(), lit(pos), lit(len)])
}

/// The substring before the `count`-th occurrence of `delim` (after it, counting from the right,
/// when `count` is negative).
pub fn substring_index(col: impl Into<Column>, delim: &str, count: i32) -> Column {
    Column::call("substring_index", [col.into(), lit(delim), lit(count)])
}

/// Left-pads a string to `len` characters with `pad`.
pub fn lpad(col: impl Into<Column>, len: i32, pad: &str) -> Column {
    Column::call("lpad", [col.into(), lit(len), lit(pad)])
}

/// Right-pads a string to `len` characters with `pad`.
pub fn rpad(col: impl Into<Column>, len: i32, pad: &str) -> Column {
    Column::call("rpad", [col.into(), lit(len), lit(pad)])
}

/// The string repeated `n` times.
pub fn repeat(col: impl Into<Column>, n: i32) -> Column {
    Column::call("repeat", [col.into(), lit(n)])
}

/// Replaces each character of `matching` with the character at the same place in `replace`
/// (dropping it when `replace` is shorter).
pub fn translate(col: impl Into<Column>, matching: &str, replace: &str) -> Column {
    Column::call("translate", [col.into(), lit(matching), lit(replace)])
}

/// 1-based position of the first `substr` (0 when absent).
pub fn instr(col: impl Into<Column>, substr: &str) -> Column {
    Column::call("instr", [col.into(), lit(substr)])
}

/// 1-based position of the first `substr` at or after `pos` (0 when absent).
pub fn locate(substr: &str, col: impl Into<Column>, pos: i32) -> Column {
    Column::call("locate", [lit(substr), col.into(), lit(pos)])
}

/// A string's bytes in `charset` (`UTF-8`, `UTF-16BE`, `ISO-8859-1`, `US-ASCII`, ...).
pub fn encode(col: impl Into<Column>, charset: &str) -> Column {
    Column::call("encode", [col.into(), lit(charset)])
}

/// The string that binary bytes in `charset` stand for.
pub fn decode(col: impl Into<Column>, charset: &str) -> Column {
    Column::call("decode", [col.into(), lit(charset)])
}

/// SHA-2 digest as hex; `bits` is 224, 256, 384 or 512.
pub fn sha2(col: impl Into<Column>, bits: i32) -> Column {
    Column::call("sha2", [col.into(), lit(bits)])
}
