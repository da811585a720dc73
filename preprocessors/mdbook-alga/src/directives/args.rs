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
    while let Some(&(i, c)) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
            continue;
        }
        if c == '"' {
            chars.next();
            let mut word = String::new();
            let mut closed = None;
            while let Some((j, c)) = chars.next() {
                match c {
                    '\\' => {
                        if let Some((_, n)) = chars.next() {
                            word.push(n);
                        }
                    }
                    '"' => {
                        closed = Some(j + 1);
                        break;
                    }
                    _ => word.push(c),
                }
            }
            let Some(end) = closed else {
                return Err(offset + i..offset + args.len());
            };
            words.push(Arg {
                text: word,
                range: offset + i..offset + end,
                quoted: true,
            });
        } else {
            let mut end = i;
            let mut word = String::new();
            while let Some(&(j, c)) = chars.peek() {
                if c.is_whitespace() {
                    break;
                }
                chars.next();
                end = j + c.len_utf8();
                if c == '"' && word.ends_with('=') {
                    let mut closed = false;
                    while let Some((k, c)) = chars.next() {
                        match c {
                            '\\' => {
                                if let Some((_, n)) = chars.next() {
                                    word.push(n);
                                }
                            }
                            '"' => {
                                end = k + 1;
                                closed = true;
                                break;
                            }
                            _ => word.push(c),
                        }
                    }
                    if !closed {
                        return Err(offset + j..offset + args.len());
                    }
                    continue;
                }
                word.push(c);
            }
            words.push(Arg {
                text: word,
                range: offset + i..offset + end,
                quoted: false,
            });
        }
    }
    Ok(words)
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
