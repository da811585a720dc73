//! JSON Pointers (RFC 6901) into schema documents: escaping, lookup, `$ref`
//! fragments and anchors, and finding where a pointer's value starts in the
//! JSON text, so that problems carry a line and column.

use crate::keywords::*;
use serde_json::Value;

pub(crate) fn escape_pointer_token(t: &str) -> std::borrow::Cow<'_, str> {
    if t.contains(['~', '/']) {
        t.replace('~', "~0").replace('/', "~1").into()
    } else {
        t.into()
    }
}

pub(crate) fn unescape_pointer_token(t: &str) -> String {
    t.replace("~1", "/").replace("~0", "~")
}

pub(crate) fn find_anchor(v: &Value, at: &str, name: &str) -> Option<String> {
    match v {
        Value::Object(m) => {
            if m.kw("$anchor").and_then(Value::as_str) == Some(name)
                || m.kw("$dynamicAnchor").and_then(Value::as_str) == Some(name)
            {
                return Some(at.to_owned());
            }
            m.iter().find_map(|(k, c)| {
                find_anchor(c, &format!("{at}/{}", escape_pointer_token(k)), name)
            })
        }
        Value::Array(a) => a
            .iter()
            .enumerate()
            .find_map(|(i, c)| find_anchor(c, &format!("{at}/{i}"), name)),
        _ => None,
    }
}

pub(crate) fn percent_decode(s: &str) -> String {
    if !s.contains('%') {
        return s.to_owned();
    }
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%'
            && i + 2 < b.len() + 1
            && let Some(h) = s.get(i + 1..i + 3)
            && let Ok(x) = u8::from_str_radix(h, 16)
        {
            out.push(x);
            i += 3;
            continue;
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// RFC 6901 lookup, percent-decoding as a URI fragment allows.
pub fn pointer_get<'v>(root: &'v Value, pointer: &str) -> Option<&'v Value> {
    if pointer.is_empty() {
        return Some(root);
    }
    let decoded = percent_decode(pointer);
    let mut cur = root;
    for tok in decoded.split('/').skip(1) {
        let tok = unescape_pointer_token(tok);
        cur = match cur {
            Value::Object(m) => m.kw(&tok)?,
            Value::Array(a) => a.get(tok.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    Some(cur)
}

/// Byte offset of the value at `pointer` (RFC 6901) in `text`, or of the
/// deepest ancestor that exists.
pub fn locate(text: &str, pointer: &str) -> usize {
    let tokens: Vec<String> = pointer
        .split('/')
        .skip(1)
        .map(|t| t.replace("~1", "/").replace("~0", "~"))
        .collect();
    let b = text.as_bytes();
    let mut pos = skip_ws(b, 0);
    for tok in &tokens {
        match b.get(pos) {
            Some(b'{') => {
                let mut p = skip_ws(b, pos + 1);
                let mut found = None;
                while p < b.len() && b[p] == b'"' {
                    let (key, after) = read_string(text, p);
                    let colon = skip_ws(b, after);
                    let val = skip_ws(b, colon + 1);
                    if key == *tok {
                        found = Some(val);
                        break;
                    }
                    p = skip_ws(b, skip_value(b, val));
                    if p < b.len() && b[p] == b',' {
                        p = skip_ws(b, p + 1);
                    } else {
                        break;
                    }
                }
                match found {
                    Some(v) => pos = v,
                    None => return pos,
                }
            }
            Some(b'[') => {
                let Ok(index) = tok.parse::<usize>() else {
                    return pos;
                };
                let mut p = skip_ws(b, pos + 1);
                for _ in 0..index {
                    p = skip_ws(b, skip_value(b, p));
                    if p < b.len() && b[p] == b',' {
                        p = skip_ws(b, p + 1);
                    } else {
                        return pos;
                    }
                }
                pos = p;
            }
            _ => return pos,
        }
    }
    pos
}

fn skip_ws(b: &[u8], mut p: usize) -> usize {
    while p < b.len() && b[p].is_ascii_whitespace() {
        p += 1;
    }
    p
}

/// Read a JSON string starting at the opening quote; returns it (unescaped
/// simply) and the offset after the closing quote.
fn read_string(text: &str, start: usize) -> (String, usize) {
    let b = text.as_bytes();
    let mut p = start + 1;
    while p < b.len() && b[p] != b'"' {
        if b[p] == b'\\' {
            p += 1;
        }
        p += 1;
    }
    let end = p.min(b.len());
    let raw = &text[start..(end + 1).min(text.len())];
    let s = serde_json::from_str::<String>(raw).unwrap_or_else(|_| text[start + 1..end].to_owned());
    (s, end + 1)
}

fn skip_value(b: &[u8], p: usize) -> usize {
    match b.get(p) {
        Some(b'"') => {
            let mut q = p + 1;
            while q < b.len() && b[q] != b'"' {
                if b[q] == b'\\' {
                    q += 1;
                }
                q += 1;
            }
            q + 1
        }
        Some(b'{' | b'[') => {
            let mut depth = 0usize;
            let mut q = p;
            while q < b.len() {
                match b[q] {
                    b'"' => {
                        q += 1;
                        while q < b.len() && b[q] != b'"' {
                            if b[q] == b'\\' {
                                q += 1;
                            }
                            q += 1;
                        }
                    }
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' => {
                        depth -= 1;
                        if depth == 0 {
                            return q + 1;
                        }
                    }
                    _ => {}
                }
                q += 1;
            }
            q
        }
        _ => {
            let mut q = p;
            while q < b.len() && !matches!(b[q], b',' | b'}' | b']') && !b[q].is_ascii_whitespace()
            {
                q += 1;
            }
            q
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_nested_values() {
        let t = "{\n  \"a\": {\"b\": [1, {\"c\": \"x\"}]},\n  \"d/e\": true\n}";
        assert_eq!(
            &t[locate(t, "/a/b/1/c")..locate(t, "/a/b/1/c") + 3],
            "\"x\""
        );
        assert_eq!(&t[locate(t, "/d~1e")..locate(t, "/d~1e") + 4], "true");
        // A missing key stops at the deepest existing ancestor.
        assert_eq!(locate(t, "/a/zz"), locate(t, "/a"));
        assert_eq!(locate(t, ""), 0);
    }
}
