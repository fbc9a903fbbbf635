//! JSON text as PySpark writes types: `json.dumps(value, separators=(",", ":"), sort_keys=True)`.
//!
//! serde_json's output depends on whether some crate in the build enabled its `preserve_order`
//! feature, and it writes non-ASCII characters raw; Python sorts keys and escapes every non-ASCII
//! character as `\uXXXX` (surrogate pairs above U+FFFF). This writer does what Python does.

use std::fmt::Write;

use serde_json::Value;

/// `value` as Python's `json.dumps(value, separators=(",", ":"), sort_keys=True)` prints it.
pub(crate) fn to_pyspark_json(value: &Value) -> String {
    let mut out = String::new();
    write_value(&mut out, value);
    out
}

fn write_value(out: &mut String, value: &Value) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => out.push_str(&n.to_string()),
        Value::String(s) => write_string(out, s),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_value(out, item);
            }
            out.push(']');
        }
        Value::Object(map) => {
            let mut entries: Vec<(&String, &Value)> = map.iter().collect();
            entries.sort_by(|a, b| a.0.cmp(b.0));
            out.push('{');
            for (i, (k, v)) in entries.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_string(out, k);
                out.push(':');
                write_value(out, v);
            }
            out.push('}');
        }
    }
}

fn write_string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{08}' => out.push_str("\\b"),
            '\u{0c}' => out.push_str("\\f"),
            c if (c as u32) < 0x20 || (c as u32) > 0x7e => {
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    let _ = write!(out, "\\u{unit:04x}");
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn matches_python_json_dumps() {
        let v = json!({"b": [1, "x\"y"], "a": {"d": null, "c": true}, "é": "😀\n\u{7f}"});
        assert_eq!(
            to_pyspark_json(&v),
            r#"{"a":{"c":true,"d":null},"b":[1,"x\"y"],"\u00e9":"\ud83d\ude00\n\u007f"}"#
        );
    }
}
