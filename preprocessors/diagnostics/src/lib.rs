//! Located diagnostics, built step by step and printed together.
//!
//! Every message has the shape `file:line:col: severity: message`, followed by
//! the offending source line with a caret and, where one helps, a hint:
//!
//! ```
//! use alga_diagnostics::{Diagnostic, Diagnostics};
//!
//! let text = "see {{#path nope}} here\n";
//! let mut diags = Diagnostics::default();
//! diags.push(
//!     Diagnostic::error("unknown registry key `nope`")
//!         .at("src/a.md", text, 12..16)
//!         .hint("did you mean `note`?"),
//! );
//! assert_eq!(
//!     diags.render(false),
//!     "src/a.md:1:13: error: unknown registry key `nope`\n  |\n1 | see {{#path nope}} here\n  |             ^^^^\n  = hint: did you mean `note`?\n\nmdbook-alga: 1 error(s), 0 warning(s)\n"
//! );
//! ```
//!
//! A diagnostic can carry notes, each a diagnostic of its own with its own
//! file, span and severity (for a problem found in a data table, the note
//! points at the page that rendered the table).

#![warn(missing_docs)]

use std::fmt::Write as _;
use std::ops::Range;

/// How bad a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// Fails the build.
    Error,
    /// Fails the build only when warnings are denied.
    Warning,
    /// Context for another diagnostic; never counted.
    Note,
}

impl Severity {
    fn label(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Note => "note",
        }
    }
}

/// A position in a source text: 1-based line and column (in characters).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct Position {
    /// 1-based line.
    pub line: usize,
    /// 1-based column, counted in characters.
    pub col: usize,
}

impl Position {
    /// The position of byte `offset` in `text` (clamped to the text's end).
    pub fn of_offset(text: &str, offset: usize) -> Position {
        let offset = floor_boundary(text, offset);
        let before = &text[..offset];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let col = before[line_start..].chars().count() + 1;
        Position { line, col }
    }
}

/// Byte offset of a 1-based (line, column) in `text`, clamped to its end; the
/// column counts bytes, as `serde_json` reports them.
pub fn offset_of_line_col(text: &str, line: usize, col: usize) -> usize {
    let start: usize = text
        .split_inclusive('\n')
        .take(line.saturating_sub(1))
        .map(str::len)
        .sum();
    (start + col.saturating_sub(1)).min(text.len())
}

fn floor_boundary(text: &str, offset: usize) -> usize {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

/// Where a diagnostic points.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    /// The file as the author knows it, relative to the book root (`src/guides/x.md`).
    pub file: String,
    /// Where the span starts.
    pub pos: Position,
    /// How many characters to underline (at least one).
    pub width: usize,
    /// The source line the position points into, if known; a long line is
    /// cut to a window around the position, with `…` where it was cut.
    pub source_line: Option<String>,
    /// How many characters fewer `source_line` has before the position than
    /// the real line (0 unless a long line was cut).
    pub source_cut: usize,
}

impl Location {
    /// A whole file or the configuration: no line to show.
    pub fn file(file: &str) -> Location {
        Location {
            file: file.to_owned(),
            pos: Position { line: 1, col: 1 },
            width: 1,
            source_line: None,
            source_cut: 0,
        }
    }

    /// Byte range `span` of `text`, the content of `file`.
    pub fn span(file: &str, text: &str, span: Range<usize>) -> Location {
        let start = floor_boundary(text, span.start);
        let pos = Position::of_offset(text, start);
        let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
        let line_end = text[start..].find('\n').map_or(text.len(), |i| start + i);
        let line = text[line_start..line_end].trim_end_matches('\r');
        let (shown, source_cut) = shown_line(line, pos.col);
        let end = floor_boundary(text, span.end.max(start));
        let width = text[start..end]
            .split('\n')
            .next()
            .unwrap_or("")
            .chars()
            .count();
        Location {
            file: file.to_owned(),
            pos,
            width,
            source_line: Some(shown),
            source_cut,
        }
    }
}

/// Lines longer than this (in characters) are shown as a window.
const MAX_SHOWN_LINE: usize = 200;

/// `line`, or a window of it around 1-based column `col`, and how many
/// characters fewer the window has before `col`.
fn shown_line(line: &str, col: usize) -> (String, usize) {
    let n = line.chars().count();
    if n <= MAX_SHOWN_LINE {
        return (line.to_owned(), 0);
    }
    let at = col.saturating_sub(1).min(n);
    let from = at.saturating_sub(60);
    let to = (at + 100).min(n);
    let mut out = String::new();
    if from > 0 {
        out.push('…');
    }
    out.extend(line.chars().skip(from).take(to - from));
    if to < n {
        out.push('…');
    }
    (out, if from > 0 { from - 1 } else { 0 })
}

/// One problem: a severity, a message, where, an optional hint and notes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// How bad it is.
    pub severity: Severity,
    /// What is wrong, in one line.
    pub message: String,
    /// Where; unset until [`Diagnostic::at`] or [`Diagnostic::in_file`].
    pub location: Option<Location>,
    /// What to do about it.
    pub hint: Option<String>,
    /// Context, each with its own location and severity.
    pub notes: Vec<Diagnostic>,
}

impl Diagnostic {
    /// A diagnostic of `severity`, not yet located.
    pub fn new(severity: Severity, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity,
            message: message.into(),
            location: None,
            hint: None,
            notes: Vec::new(),
        }
    }

    /// An error, not yet located.
    pub fn error(message: impl Into<String>) -> Diagnostic {
        Diagnostic::new(Severity::Error, message)
    }

    /// A warning, not yet located.
    pub fn warning(message: impl Into<String>) -> Diagnostic {
        Diagnostic::new(Severity::Warning, message)
    }

    /// A note, not yet located (to attach with [`Diagnostic::note`]).
    pub fn note_here(message: impl Into<String>) -> Diagnostic {
        Diagnostic::new(Severity::Note, message)
    }

    /// Point at byte range `span` of `text`, the content of `file`.
    pub fn at(mut self, file: &str, text: &str, span: Range<usize>) -> Diagnostic {
        self.location = Some(Location::span(file, text, span));
        self
    }

    /// Point at a whole file (or the configuration): no source line.
    pub fn in_file(mut self, file: &str) -> Diagnostic {
        self.location = Some(Location::file(file));
        self
    }

    /// Add a hint.
    pub fn hint(mut self, hint: impl Into<String>) -> Diagnostic {
        self.hint = Some(hint.into());
        self
    }

    /// Add a hint if there is one.
    pub fn maybe_hint(mut self, hint: Option<String>) -> Diagnostic {
        if hint.is_some() {
            self.hint = hint;
        }
        self
    }

    /// Attach a note (any severity is shown as given).
    pub fn note(mut self, note: Diagnostic) -> Diagnostic {
        self.notes.push(note);
        self
    }

    /// The file this points into (empty when unlocated).
    pub fn file(&self) -> &str {
        self.location.as_ref().map_or("", |l| l.file.as_str())
    }

    /// Where this points (1:1 when unlocated).
    pub fn pos(&self) -> Position {
        self.location
            .as_ref()
            .map_or(Position { line: 1, col: 1 }, |l| l.pos)
    }

    /// The one-line form: `file:line:col: error: message`.
    pub fn headline(&self) -> String {
        match &self.location {
            Some(l) => format!(
                "{}:{}:{}: {}: {}",
                l.file,
                l.pos.line,
                l.pos.col,
                self.severity.label(),
                self.message
            ),
            None => format!("{}: {}", self.severity.label(), self.message),
        }
    }

    /// The full form: headline, source line with caret, hint, then the notes.
    pub fn render(&self) -> String {
        let mut out = self.headline();
        out.push('\n');
        if let Some(l) = &self.location
            && let Some(line) = &l.source_line
        {
            let number = l.pos.line.to_string();
            let pad = " ".repeat(number.len());
            let line = line.trim_end_matches(['\r', '\n']);
            let _ = writeln!(out, "{pad} |");
            let _ = writeln!(out, "{number} | {line}");
            let before = l.pos.col.saturating_sub(1).saturating_sub(l.source_cut);
            let caret_pad: String = line
                .chars()
                .take(before)
                .map(|c| if c == '\t' { '\t' } else { ' ' })
                .collect();
            // Underline no further than the shown line.
            let width = l
                .width
                .min(line.chars().count().saturating_sub(before))
                .max(1);
            let _ = writeln!(out, "{pad} | {caret_pad}{}", "^".repeat(width));
        }
        if let Some(hint) = &self.hint {
            let _ = writeln!(out, "  = hint: {hint}");
        }
        for n in &self.notes {
            out.push_str(&n.render());
        }
        out
    }
}

/// All diagnostics of one run.
#[derive(Debug, Default)]
pub struct Diagnostics {
    items: Vec<Diagnostic>,
}

impl Diagnostics {
    /// Record a diagnostic (an exact repeat is recorded once).
    pub fn push(&mut self, d: Diagnostic) {
        if !self.items.contains(&d) {
            self.items.push(d);
        }
    }

    /// Record all of `other`.
    pub fn extend(&mut self, other: Diagnostics) {
        for d in other.items {
            self.push(d);
        }
    }

    /// Everything recorded, in the order it was found.
    pub fn items(&self) -> &[Diagnostic] {
        &self.items
    }

    /// Take everything recorded out.
    pub fn into_items(self) -> Vec<Diagnostic> {
        self.items
    }

    /// How many top-level diagnostics have `severity`.
    pub fn count(&self, severity: Severity) -> usize {
        self.items.iter().filter(|d| d.severity == severity).count()
    }

    /// Whether nothing was recorded.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Sorted by file and position, so output is stable.
    pub fn sorted(&self) -> Vec<&Diagnostic> {
        let mut v: Vec<&Diagnostic> = self.items.iter().collect();
        v.sort_by(|a, b| {
            (a.file(), a.pos(), a.severity, &a.message).cmp(&(
                b.file(),
                b.pos(),
                b.severity,
                &b.message,
            ))
        });
        v
    }

    /// Whether the build must fail: any error, or any warning in deny mode.
    pub fn fails(&self, deny_warnings: bool) -> bool {
        self.count(Severity::Error) > 0 || (deny_warnings && self.count(Severity::Warning) > 0)
    }

    /// Everything, rendered, with a summary line.
    pub fn render(&self, deny_warnings: bool) -> String {
        let mut out = String::new();
        for d in self.sorted() {
            out.push_str(&d.render());
            out.push('\n');
        }
        let (e, w) = (self.count(Severity::Error), self.count(Severity::Warning));
        if e + w > 0 {
            let _ = write!(out, "mdbook-alga: {e} error(s), {w} warning(s)");
            if deny_warnings && w > 0 {
                out.push_str(" (warnings are denied: deny-warnings = true)");
            }
            out.push('\n');
        }
        out
    }
}

/// The known name nearest to `wanted`, if any is reasonably close.
pub fn nearest<'a>(wanted: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|c| (strsim::damerau_levenshtein(wanted, c), c))
        .filter(|(d, c)| *d <= (wanted.len().max(c.len()) / 2).max(2))
        .min_by(|a, b| a.0.cmp(&b.0).then(a.1.cmp(b.1)))
        .map(|(_, c)| c)
}

/// `did you mean `x`?` for the nearest of `candidates`, if one is close.
pub fn did_you_mean<'a>(
    wanted: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<String> {
    nearest(wanted, candidates).map(|n| format!("did you mean `{n}`?"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_are_one_based_and_count_characters() {
        let text = "ab\nçd{{x";
        assert_eq!(Position::of_offset(text, 0), Position { line: 1, col: 1 });
        assert_eq!(Position::of_offset(text, 3), Position { line: 2, col: 1 });
        // 'ç' is two bytes but one column.
        assert_eq!(Position::of_offset(text, 6), Position { line: 2, col: 3 });
    }

    #[test]
    fn line_col_round_trips_to_offsets() {
        let text = "ab\ncd\nef";
        assert_eq!(offset_of_line_col(text, 2, 2), 4);
        assert_eq!(offset_of_line_col(text, 9, 9), text.len());
    }

    #[test]
    fn rendering_shows_line_caret_hint_and_notes() {
        let page = "one\n{{#table errors}}\n";
        let table = "[[row]]\ncode = \"x\"\n";
        let d = Diagnostic::warning("unknown key")
            .at("data/tables/errors.toml", table, 15..18)
            .hint("did you mean `y`?")
            .note(Diagnostic::note_here("in the table rendered here").at("src/a.md", page, 4..21));
        assert_eq!(
            d.render(),
            "data/tables/errors.toml:2:8: warning: unknown key\n  |\n2 | code = \"x\"\n  |        ^^^\n  = hint: did you mean `y`?\n\
             src/a.md:2:1: note: in the table rendered here\n  |\n2 | {{#table errors}}\n  | ^^^^^^^^^^^^^^^^^\n"
        );
    }

    #[test]
    fn long_lines_are_cut_around_the_span() {
        let text = format!("{}X{}", "a".repeat(300), "b".repeat(300));
        let d = Diagnostic::error("here").at("f", &text, 300..301).render();
        let shown = d.lines().nth(2).unwrap();
        assert!(
            shown.starts_with("1 | …") && shown.ends_with('…'),
            "{shown}"
        );
        let caret = d.lines().nth(3).unwrap();
        let line_x = shown.chars().position(|c| c == 'X').unwrap();
        assert_eq!(caret.chars().position(|c| c == '^'), Some(line_x));
    }

    #[test]
    fn deny_mode_turns_warnings_into_failures() {
        let mut d = Diagnostics::default();
        d.push(Diagnostic::warning("w").in_file("book.toml"));
        assert!(!d.fails(false));
        assert!(d.fails(true));
    }

    #[test]
    fn nearest_finds_close_names_only() {
        assert_eq!(nearest("pth", ["path", "table"]), Some("path"));
        assert_eq!(nearest("zzzzzzzz", ["path", "table"]), None);
    }
}
