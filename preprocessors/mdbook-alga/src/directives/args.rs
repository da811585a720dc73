//! The one argument tokenizer of every directive: words split on whitespace,
//! a double-quoted word may hold spaces and `\"`, and so may a quoted value
//! after `key=` (`error="a b"` is the word `error=a b`). Every word keeps its
//! byte range in the page, so a directive reports a problem at the exact word.

use alga_diagnostics::Diagnostic;
use std::ops::Range;

/// One argument as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Arg {
    /// The word, quotes removed and `\x` escapes resolved.
    pub text: String,
    /// Its byte range in the page (quotes included).
    pub range: Range<usize>,
    /// Whether it was written in double quotes.
    pub quoted: bool,
}

/// Split `args`, which starts at byte `offset` of the page, into words.
/// The error is an unterminated quoted word, with its range in the page.
pub fn tokenize(args: &str, offset: usize) -> Result<Vec<Arg>, Range<usize>> {
    let mut words = Vec::new();
    let mut chars = args.char_indices().peekable();
    let unclosed = |at: usize| offset + at..offset + args.len();
    while let Some(&(i, c)) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
            continue;
        }
        chars.next();
        let mut word = String::new();
        if c == '"' {
            let end = quoted_run(&mut chars, &mut word).ok_or_else(|| unclosed(i))?;
            words.push(Arg {
                text: word,
                range: offset + i..offset + end,
                quoted: true,
            });
            continue;
        }
        word.push(c);
        let mut end = i + c.len_utf8();
        while let Some(&(j, c)) = chars.peek() {
            if c.is_whitespace() {
                break;
            }
            chars.next();
            if c == '"' && word.ends_with('=') {
                end = quoted_run(&mut chars, &mut word).ok_or_else(|| unclosed(j))?;
            } else {
                word.push(c);
                end = j + c.len_utf8();
            }
        }
        words.push(Arg {
            text: word,
            range: offset + i..offset + end,
            quoted: false,
        });
    }
    Ok(words)
}

/// Read a quoted run whose opening `"` was just consumed, pushing its text
/// (with `\x` escapes resolved) onto `word`; returns the byte offset just
/// past the closing `"`, or `None` when the run is not closed.
fn quoted_run(
    chars: &mut std::iter::Peekable<std::str::CharIndices<'_>>,
    word: &mut String,
) -> Option<usize> {
    while let Some((j, c)) = chars.next() {
        match c {
            '\\' => {
                if let Some((_, n)) = chars.next() {
                    word.push(n);
                }
            }
            '"' => return Some(j + 1),
            _ => word.push(c),
        }
    }
    None
}

/// The diagnostic for an unterminated quoted word.
pub(crate) fn unterminated() -> Diagnostic {
    Diagnostic::error("unterminated quoted argument")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_keep_their_page_ranges() {
        let args = r#"key#sym "a \"b\" c" z"#;
        let w = tokenize(args, 10).unwrap();
        let words: Vec<&str> = w.iter().map(|a| a.text.as_str()).collect();
        assert_eq!(words, ["key#sym", "a \"b\" c", "z"]);
        assert_eq!(w[0].range, 10..17);
        assert_eq!(w[1].range, 18..29);
        assert!(w[1].quoted && !w[2].quoted);
        assert_eq!(w[2].range, 30..31);
    }

    #[test]
    fn an_open_quote_is_an_error_from_the_quote_on() {
        assert_eq!(tokenize("a \"open", 5), Err(7..12));
        assert_eq!(tokenize("a k=\"open", 5), Err(9..14));
    }

    #[test]
    fn a_quoted_value_after_a_key_may_hold_spaces() {
        let w = tokenize(r#"id error="a \"b\" c" x"y"#, 0).unwrap();
        let words: Vec<&str> = w.iter().map(|a| a.text.as_str()).collect();
        assert_eq!(words, ["id", "error=a \"b\" c", "x\"y"]);
        assert_eq!(w[1].range, 3..20);
    }
}
