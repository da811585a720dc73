//! Markdown that cannot break a table or inject HTML: cell escaping, code
//! spans, folded patterns and the ids of anchors.

use serde_json::Value;

pub(crate) const KEPT_TAGS: [&str; 2] = [
    "<details class=\"schema-pattern\"><summary>pattern</summary>",
    "</details>",
];

/// Escape text for a Markdown table cell: HTML outside code spans, pipes,
/// line breaks. Code spans are kept as code.
pub fn cell(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    let bytes = text.as_bytes();
    let mut in_code = false;
    let (mut i, mut copied) = (0, 0);
    while let Some(n) = bytes[i..].iter().position(|&b| CELL_SPECIAL[b as usize]) {
        i += n;
        let b = bytes[i];
        // Every special character is ASCII: the slices fall on char
        // boundaries.
        out.push_str(&text[copied..i]);
        if b == b'<'
            && !in_code
            && let Some(tag) = KEPT_TAGS.iter().find(|t| text[i..].starts_with(**t))
        {
            out.push_str(tag);
            i += tag.len();
            copied = i;
            continue;
        }
        match b {
            b'`' => {
                in_code = !in_code;
                out.push('`');
            }
            b'|' => out.push_str("\\|"),
            b'\r' => {}
            b'\n' => out.push(' '),
            b'<' if !in_code => out.push_str("&lt;"),
            b'>' if !in_code => out.push_str("&gt;"),
            b'&' if !in_code => out.push_str("&amp;"),
            b'[' if !in_code => out.push_str("\\["),
            b']' if !in_code => out.push_str("\\]"),
            b'{' if !in_code && bytes.get(i + 1) == Some(&b'{') => out.push_str("&#123;"),
            _ => out.push(b as char),
        }
        i += 1;
        copied = i;
    }
    out.push_str(&text[copied..]);
    if in_code {
        // An unbalanced backtick would swallow the rest of the row.
        out = out.replace('`', "\\`");
    }
    let trimmed = out.trim();
    if trimmed.len() == out.len() {
        out
    } else {
        trimmed.to_owned()
    }
}

/// The bytes [`cell`] may rewrite; everything else is copied in runs.
pub(crate) const CELL_SPECIAL: [bool; 256] = {
    let mut t = [false; 256];
    let special = b"`|\r\n<>&[]{";
    let mut i = 0;
    while i < special.len() {
        t[special[i] as usize] = true;
        i += 1;
    }
    t
};

pub(crate) fn code(v: &str) -> String {
    // A code span that survives backticks inside.
    let fence = if v.contains('`') { "`` " } else { "`" };
    let mut out = String::with_capacity(v.len() + 8);
    out.push_str(fence);
    let mut copied = 0;
    for (i, b) in v.bytes().enumerate() {
        let with = match b {
            b'|' => "\\|",
            b'\n' | b'\r' => " ",
            _ => continue,
        };
        out.push_str(&v[copied..i]);
        out.push_str(with);
        copied = i + 1;
    }
    out.push_str(&v[copied..]);
    out.extend(fence.chars().rev());
    out
}

/// Patterns longer than this are folded away behind a "pattern" toggle, so a
/// long regular expression cannot crowd the table.
pub(crate) const LONG_PATTERN: usize = 40;

pub(crate) fn pattern(p: &str) -> String {
    if p.chars().count() > LONG_PATTERN {
        format!("{}{}{}", KEPT_TAGS[0], code(p), KEPT_TAGS[1])
    } else {
        format!("pattern {}", code(p))
    }
}

pub(crate) fn json_code(v: &Value) -> String {
    code(&serde_json::to_string(v).unwrap_or_default())
}

/// Append `n` in decimal.
pub(crate) fn push_number(out: &mut String, n: usize) {
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    let mut n = n;
    loop {
        at -= 1;
        digits[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    // ASCII digits only.
    out.extend(digits[at..].iter().map(|&d| d as char));
}

/// `parts` joined, allocated once: cheaper than `format!` on the hot paths.
pub(crate) fn concat(parts: &[&str]) -> String {
    let mut out = String::with_capacity(parts.iter().map(|p| p.len()).sum());
    for p in parts {
        out.push_str(p);
    }
    out
}

/// Characters allowed in generated ids.
pub(crate) fn id_part(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '.' {
                c
            } else {
                '-'
            }
        })
        .collect()
}

pub(crate) fn is_ident(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '$')
}
