//! Finds `{{#name args}}` directives in the author's Markdown.
//!
//! The text is parsed with pulldown-cmark first, so that directives inside
//! inline code and code blocks are left alone (pages can show the syntax), and
//! `\{{#name ...}}` is an escape that yields the literal text.

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};
use std::ops::Range;

/// The parser options mdBook 0.5 uses for chapters (see `mdbook-markdown`).
pub fn cmark_options() -> Options {
    let mut opts = Options::empty();
    opts.insert(Options::ENABLE_TABLES);
    opts.insert(Options::ENABLE_FOOTNOTES);
    opts.insert(Options::ENABLE_STRIKETHROUGH);
    opts.insert(Options::ENABLE_TASKLISTS);
    opts.insert(Options::ENABLE_HEADING_ATTRIBUTES);
    opts.insert(Options::ENABLE_SMART_PUNCTUATION);
    opts.insert(Options::ENABLE_DEFINITION_LIST);
    opts.insert(Options::ENABLE_GFM);
    opts
}

/// Byte ranges of inline code spans and code blocks (fenced or indented).
pub fn code_ranges(text: &str) -> Vec<Range<usize>> {
    let mut ranges = Vec::new();
    let mut block_start: Option<usize> = None;
    for (event, range) in Parser::new_ext(text, cmark_options()).into_offset_iter() {
        match event {
            Event::Code(_) => ranges.push(range),
            Event::Start(Tag::CodeBlock(_)) => block_start = Some(range.start),
            Event::End(TagEnd::CodeBlock) => {
                if let Some(start) = block_start.take() {
                    ranges.push(start..range.end);
                }
            }
            _ => {}
        }
    }
    ranges.sort_by_key(|r| r.start);
    ranges
}

/// One directive occurrence in a chapter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Directive {
    /// The whole `{{#...}}` (or `\{{#...}}`) text.
    pub range: Range<usize>,
    /// The directive name, e.g. `path`.
    pub name: String,
    /// The byte range of the name.
    pub name_range: Range<usize>,
    /// Everything between the name and `}}`, trimmed.
    pub args: String,
    /// The byte range of the arguments.
    pub args_range: Range<usize>,
    /// Written as `\{{#...}}`: the author wants the literal text.
    pub escaped: bool,
}

impl Directive {
    /// Move every range `by` bytes on: for a directive scanned in a part of
    /// a larger text.
    pub fn shift(&mut self, by: usize) {
        for r in [&mut self.range, &mut self.name_range, &mut self.args_range] {
            *r = r.start + by..r.end + by;
        }
    }
}

/// A directive that opens but never closes on its line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unterminated {
    /// From `{{#` to the end of the line.
    pub range: Range<usize>,
}

/// What a scan of one text finds.
#[derive(Debug, Default)]
pub struct Scan {
    /// The directives, in text order.
    pub directives: Vec<Directive>,
    /// Directives that never close on their line.
    pub unterminated: Vec<Unterminated>,
}

fn in_ranges(ranges: &[Range<usize>], pos: usize) -> bool {
    // `ranges` is sorted by start.
    let i = ranges.partition_point(|r| r.start <= pos);
    i > 0 && ranges[i - 1].contains(&pos)
}

/// Scan `text` for directives outside code.
pub fn scan(text: &str) -> Scan {
    let code = code_ranges(text);
    let mut scan = Scan::default();
    let bytes = text.as_bytes();
    let mut from = 0;
    // The end of the line `from` is on, found once per line: a long line with
    // many directives is scanned in linear time.
    let mut line_end = 0;
    // The `line_end` of a line known to have no `}}` after the last `{{#` seen.
    let mut dead_line = usize::MAX;
    while let Some(found) = text[from..].find("{{#") {
        let open = from + found;
        from = open + 3;
        if in_ranges(&code, open) {
            continue;
        }
        let escaped = open > 0 && bytes[open - 1] == b'\\';
        let start = if escaped { open - 1 } else { open };
        if line_end <= open {
            line_end = text[open..].find('\n').map_or(text.len(), |i| open + i);
        }
        let close_rel = if dead_line == line_end {
            None
        } else {
            text[open..line_end].find("}}")
        };
        let Some(close_rel) = close_rel else {
            // No `}}` before the line ends: every later `{{#` on this line is
            // unterminated too, and one error per line is enough.
            dead_line = line_end;
            if !escaped {
                scan.unterminated.push(Unterminated {
                    range: open..line_end,
                });
                from = line_end;
            }
            continue;
        };
        let close = open + close_rel;
        let inner_start = open + 3;
        let inner = &text[inner_start..close];
        let name_len = inner
            .find(|c: char| c.is_whitespace())
            .unwrap_or(inner.len());
        let name = &inner[..name_len];
        let args_raw = &inner[name_len..];
        let lead = args_raw.len() - args_raw.trim_start().len();
        let args = args_raw.trim();
        let args_start = inner_start + name_len + lead;
        scan.directives.push(Directive {
            range: start..close + 2,
            name: name.to_owned(),
            name_range: inner_start..inner_start + name_len,
            args: args.to_owned(),
            args_range: args_start..args_start + args.len(),
            escaped,
        });
        from = close + 2;
    }
    scan
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_directives_outside_code_only() {
        let text = "a {{#path x.y}} b `{{#path no}}`\n\n```\n{{#path no}}\n```\n\n    {{#path indented}}\n";
        let s = scan(text);
        assert_eq!(s.directives.len(), 1);
        let d = &s.directives[0];
        assert_eq!(d.name, "path");
        assert_eq!(d.args, "x.y");
        assert_eq!(&text[d.range.clone()], "{{#path x.y}}");
        assert_eq!(&text[d.args_range.clone()], "x.y");
    }

    #[test]
    fn escapes_are_marked() {
        let s = scan(r"show \{{#path x}} literally");
        assert!(s.directives[0].escaped);
        assert_eq!(s.directives[0].range, 5..17);
    }

    #[test]
    fn unterminated_is_reported() {
        let s = scan("a {{#path x\nb}}");
        assert!(s.directives.is_empty());
        assert_eq!(s.unterminated.len(), 1);
    }
}
