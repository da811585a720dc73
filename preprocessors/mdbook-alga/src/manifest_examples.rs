//! Fenced blocks tagged ```` ```json manifest ```` are validated against the
//! manifest schema during the build. ```` ```json manifest expect-error="text" ````
//! must fail, with `text` in the error (message or JSON pointer).

use alga_diagnostics::Diagnostic;
use alga_diagnostics::Diagnostics;
use pulldown_cmark::{CodeBlockKind, Event, Parser, Tag, TagEnd};
use serde_json::Value;

/// A compiled validator for one schema.
pub struct ManifestValidator {
    validator: jsonschema::Validator,
}

impl ManifestValidator {
    /// A validator for `schema`; the error says why the schema is unusable.
    pub fn new(schema: &Value) -> Result<Self, String> {
        jsonschema::options()
            .should_validate_formats(true)
            .build(schema)
            .map(|validator| ManifestValidator { validator })
            .map_err(|e| format!("the manifest schema does not compile: {e}"))
    }

    /// Every violation as (instance pointer, message), in a stable order.
    pub fn errors(&self, instance: &Value) -> Vec<(String, String)> {
        let mut v: Vec<(String, String)> = self
            .validator
            .iter_errors(instance)
            .map(|e| (e.instance_path().to_string(), e.to_string()))
            .collect();
        v.sort();
        v.dedup();
        v
    }
}

/// What the info string asks for.
#[derive(Debug, PartialEq, Eq)]
pub enum Expect {
    /// The example must validate.
    Valid,
    /// The example must fail with an error containing this text.
    Error(String),
}

/// Parse a fence info string; `None` when the block is not a manifest example.
pub fn parse_info(info: &str) -> Result<Option<Expect>, String> {
    let words = crate::directives::args::tokenize(&info.replace(',', " "), 0)
        .map_err(|_| "unterminated quoted argument".to_owned())?;
    let words: Vec<String> = words.into_iter().map(|a| a.text).collect();
    if words.first().map(String::as_str) != Some("json") || !words.iter().any(|w| w == "manifest") {
        return Ok(None);
    }
    for w in &words[1..] {
        if let Some(rest) = w.strip_prefix("expect-error=") {
            let rest = rest.trim_matches('"');
            if rest.is_empty() {
                return Err("`expect-error=` needs the expected text".into());
            }
            return Ok(Some(Expect::Error(rest.to_owned())));
        }
        // The quickstart's steps (`cargo xtask tutorial` reads them).
        if ["tutorial=", "step=", "file=", "needs="]
            .iter()
            .any(|k| w.starts_with(k))
        {
            continue;
        }
        if w != "manifest" && !w.starts_with("expect-error") {
            return Err(format!(
                "unknown manifest example option `{w}`; use `expect-error=\"...\"`"
            ));
        }
    }
    Ok(Some(Expect::Valid))
}

/// Check every manifest example of a chapter's source.
pub fn check(
    file: &str,
    text: &str,
    validator: Option<&ManifestValidator>,
    diags: &mut Diagnostics,
) {
    let mut current: Option<(String, usize, usize)> = None; // info, block start, content start
    let mut content = String::new();
    for (event, range) in
        Parser::new_ext(text, alga_book_data::scanner::cmark_options()).into_offset_iter()
    {
        match event {
            Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(info))) => {
                current = Some((info.to_string(), range.start, 0));
                content.clear();
            }
            Event::Text(t) if current.is_some() => {
                if let Some(c) = current.as_mut()
                    && c.2 == 0
                {
                    c.2 = range.start;
                }
                content.push_str(&t);
            }
            Event::End(TagEnd::CodeBlock) => {
                let Some((info, start, content_start)) = current.take() else {
                    continue;
                };
                let info_range = start..start + text[start..].find('\n').unwrap_or(0);
                let expect = match parse_info(&info) {
                    Ok(Some(e)) => e,
                    Ok(None) => continue,
                    Err(m) => {
                        diags.push(Diagnostic::error(m).at(file, text, info_range));
                        continue;
                    }
                };
                let content_start = if content_start == 0 {
                    start
                } else {
                    content_start
                };
                let block = Block {
                    content: &content,
                    content_start,
                    info_range,
                    expect,
                };
                check_block(file, text, &block, validator, diags);
            }
            _ => {}
        }
    }
}

/// One manifest example of a page.
struct Block<'a> {
    /// The JSON between the fences.
    content: &'a str,
    /// Where `content` starts in the page.
    content_start: usize,
    /// The info string's range in the page.
    info_range: std::ops::Range<usize>,
    /// What the info string asks for.
    expect: Expect,
}

fn check_block(
    file: &str,
    text: &str,
    block: &Block<'_>,
    validator: Option<&ManifestValidator>,
    diags: &mut Diagnostics,
) {
    let Block {
        content,
        content_start,
        info_range,
        expect,
    } = block;
    let (content, content_start) = (*content, *content_start);
    let value: Value = match serde_json::from_str(content) {
        Ok(v) => v,
        Err(e) => {
            // serde_json gives 1-based line/column inside the block.
            let offset = content
                .split_inclusive('\n')
                .take(e.line().saturating_sub(1))
                .map(str::len)
                .sum::<usize>()
                + e.column().saturating_sub(1);
            let at = content_start + offset.min(content.trim_end().len().saturating_sub(1));
            diags.push(
                Diagnostic::error(format!("manifest example is not valid JSON: {e}")).at(
                    file,
                    text,
                    at..at + 1,
                ),
            );
            return;
        }
    };
    let Some(validator) = validator else { return };
    let errors = validator.errors(&value);
    match expect {
        Expect::Valid => {
            for (pointer, message) in errors {
                let at = content_start + alga_schema_table::locate(content, &pointer);
                let shown = if pointer.is_empty() {
                    "/".to_owned()
                } else {
                    pointer.clone()
                };
                diags.push(Diagnostic::error(format!("manifest example fails the manifest schema at `{shown}`: {message}")).at(file, text, at..at + 1).hint("fix the example, or tag the block `json manifest expect-error=\"...\"` if it shows a rejected manifest"));
            }
        }
        Expect::Error(wanted) => {
            if errors.is_empty() {
                diags.push(
                    Diagnostic::error(format!(
                        "manifest example should fail with \"{wanted}\" but is valid"
                    ))
                    .at(file, text, info_range.clone()),
                );
            } else if !errors
                .iter()
                .any(|(p, m)| p.contains(wanted.as_str()) || m.contains(wanted.as_str()))
            {
                let got: Vec<String> = errors.iter().map(|(p, m)| format!("{p}: {m}")).collect();
                diags.push(
                    Diagnostic::error(format!("manifest example fails, but not with \"{wanted}\""))
                        .at(file, text, info_range.clone())
                        .hint(format!("it fails with: {}", got.join(" | "))),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn info_strings() {
        assert_eq!(parse_info("json manifest").unwrap(), Some(Expect::Valid));
        assert_eq!(parse_info("json,manifest").unwrap(), Some(Expect::Valid));
        assert_eq!(
            parse_info("json manifest expect-error=\"entry\"").unwrap(),
            Some(Expect::Error("entry".into()))
        );
        assert_eq!(parse_info("json").unwrap(), None);
        assert_eq!(parse_info("rust").unwrap(), None);
        assert!(parse_info("json manifest strict").is_err());
        assert_eq!(
            parse_info("json manifest tutorial=track-a step=2 file=manifest.json").unwrap(),
            Some(Expect::Valid)
        );
    }
}
