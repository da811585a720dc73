//! Located diagnostics, collected across the whole book and printed together.
//!
//! Every message has the shape `file:line:col: severity: message`, followed by
//! the offending source line with a caret and, where one helps, a hint.

use std::fmt::Write as _;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Error,
    Warning,
}

impl Severity {
    fn label(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

/// A position in a source text: 1-based line and column (in characters).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct Position {
    pub line: usize,
    pub col: usize,
}

impl Position {
    /// The position of byte `offset` in `text` (clamped to the text's end).
    pub fn of_offset(text: &str, offset: usize) -> Position {
        let mut offset = offset.min(text.len());
        while !text.is_char_boundary(offset) {
            offset -= 1;
        }
        let before = &text[..offset];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let col = before[line_start..].chars().count() + 1;
        Position { line, col }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub severity: Severity,
    /// The file as the author knows it, relative to the book root (`src/guides/x.md`).
    pub file: String,
    pub pos: Position,
    /// How many characters to underline (at least one).
    pub width: usize,
    pub message: String,
    pub hint: Option<String>,
    /// The source line the position points into, if known; a long line is
    /// cut to a window around the position, with `…` where it was cut.
    pub source_line: Option<String>,
    /// How many characters fewer `source_line` has before the position than
    /// the real line (0 unless a long line was cut).
    pub source_cut: usize,
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

impl Diagnostic {
    /// The one-line form: `file:line:col: error: message`.
    pub fn headline(&self) -> String {
        format!(
            "{}:{}:{}: {}: {}",
            self.file,
            self.pos.line,
            self.pos.col,
            self.severity.label(),
            self.message
        )
    }

    /// The full form: headline, source line with caret, hint.
    pub fn render(&self) -> String {
        let mut out = self.headline();
        out.push('\n');
        if let Some(line) = &self.source_line {
            let number = self.pos.line.to_string();
            let pad = " ".repeat(number.len());
            let line = line.trim_end_matches(['\r', '\n']);
            let _ = writeln!(out, "{pad} |");
            let _ = writeln!(out, "{number} | {line}");
            let before = self
                .pos
                .col
                .saturating_sub(1)
                .saturating_sub(self.source_cut);
            let caret_pad: String = line
                .chars()
                .take(before)
                .map(|c| if c == '\t' { '\t' } else { ' ' })
                .collect();
            // Underline no further than the shown line.
            let width = self
                .width
                .min(line.chars().count().saturating_sub(before))
                .max(1);
            let _ = writeln!(out, "{pad} | {caret_pad}{}", "^".repeat(width));
        }
        if let Some(hint) = &self.hint {
            let _ = writeln!(out, "  = hint: {hint}");
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
    pub fn push(&mut self, d: Diagnostic) {
        if !self.items.contains(&d) {
            self.items.push(d);
        }
    }

    /// Record a diagnostic at byte range `start..end` of `text`, which is the
    /// content of `file`.
    #[allow(clippy::too_many_arguments)]
    pub fn at(
        &mut self,
        severity: Severity,
        file: &str,
        text: &str,
        start: usize,
        end: usize,
        message: impl Into<String>,
        hint: Option<String>,
    ) {
        let pos = Position::of_offset(text, start);
        // The line holding `start`, found without walking the whole text.
        let mut at = start.min(text.len());
        while !text.is_char_boundary(at) {
            at -= 1;
        }
        let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
        let line_end = text[at..].find('\n').map_or(text.len(), |i| at + i);
        let line = text[line_start..line_end].trim_end_matches('\r');
        let (shown, source_cut) = shown_line(line, pos.col);
        let end = end.clamp(start, text.len());
        let mut end = end;
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        let mut start_b = start.min(end);
        while !text.is_char_boundary(start_b) {
            start_b -= 1;
        }
        let span = &text[start_b..end];
        let width = span.split('\n').next().unwrap_or("").chars().count();
        self.push(Diagnostic {
            severity,
            file: file.to_owned(),
            pos,
            width,
            message: message.into(),
            hint,
            source_line: Some(shown),
            source_cut,
        });
    }

    pub fn error(
        &mut self,
        file: &str,
        text: &str,
        range: std::ops::Range<usize>,
        message: impl Into<String>,
        hint: Option<String>,
    ) {
        self.at(
            Severity::Error,
            file,
            text,
            range.start,
            range.end,
            message,
            hint,
        );
    }

    pub fn warning(
        &mut self,
        file: &str,
        text: &str,
        range: std::ops::Range<usize>,
        message: impl Into<String>,
        hint: Option<String>,
    ) {
        self.at(
            Severity::Warning,
            file,
            text,
            range.start,
            range.end,
            message,
            hint,
        );
    }

    /// A diagnostic about a whole file or the configuration (no source line).
    pub fn plain(
        &mut self,
        severity: Severity,
        file: &str,
        message: impl Into<String>,
        hint: Option<String>,
    ) {
        self.push(Diagnostic {
            severity,
            file: file.to_owned(),
            pos: Position { line: 1, col: 1 },
            width: 1,
            message: message.into(),
            hint,
            source_line: None,
            source_cut: 0,
        });
    }

    pub fn extend(&mut self, other: Diagnostics) {
        for d in other.items {
            self.push(d);
        }
    }

    pub fn items(&self) -> &[Diagnostic] {
        &self.items
    }

    pub fn count(&self, severity: Severity) -> usize {
        self.items.iter().filter(|d| d.severity == severity).count()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Sorted by file and position, so output is stable.
    pub fn sorted(&self) -> Vec<&Diagnostic> {
        let mut v: Vec<&Diagnostic> = self.items.iter().collect();
        v.sort_by(|a, b| {
            (&a.file, a.pos, a.severity, &a.message).cmp(&(&b.file, b.pos, b.severity, &b.message))
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
    fn rendering_shows_line_caret_and_hint() {
        let mut d = Diagnostics::default();
        let text = "one\nsee {{#path nope}} here\n";
        d.error(
            "src/a.md",
            text,
            8..22,
            "unknown key",
            Some("did you mean `x`?".into()),
        );
        let out = d.render(false);
        assert!(
            out.starts_with("src/a.md:2:5: error: unknown key\n"),
            "{out}"
        );
        assert!(out.contains("2 | see {{#path nope}} here\n"), "{out}");
        assert!(out.contains("  |     ^^^^^^^^^^^^^^\n"), "{out}");
        assert!(out.contains("= hint: did you mean `x`?"), "{out}");
    }

    #[test]
    fn deny_mode_turns_warnings_into_failures() {
        let mut d = Diagnostics::default();
        d.plain(Severity::Warning, "book.toml", "w", None);
        assert!(!d.fails(false));
        assert!(d.fails(true));
    }

    #[test]
    fn nearest_finds_close_names_only() {
        assert_eq!(nearest("pth", ["path", "table"]), Some("path"));
        assert_eq!(nearest("zzzzzzzz", ["path", "table"]), None);
    }
}
