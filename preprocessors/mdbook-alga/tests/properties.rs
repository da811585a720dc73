//! Property tests: whatever the Markdown, text outside directives reaches
//! mdBook byte for byte, expansion never panics, and it is deterministic.
mod common;
use alga_diagnostics::Diagnostics;
use common::Fixture;
use proptest::prelude::*;

fn env(f: &Fixture) -> mdbook_alga::Env {
    let md = mdbook_driver::MDBook::load(f.root()).unwrap();
    let ctx = mdbook_preprocessor::PreprocessorContext::new(
        f.root().to_path_buf(),
        md.config.clone(),
        "html".into(),
    );
    let cfg = mdbook_alga::config::Config::from_context(&ctx).unwrap();
    let mut d = Diagnostics::default();
    let env = mdbook_alga::Env::load(f.root(), cfg, &mut d);
    assert!(d.is_empty(), "{}", d.render(false));
    env
}

/// Markdown-ish text: headings, lists, code, emphasis, links, CRLF, unicode.
fn markdown() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        "[a-zA-Z0-9 ,.;:!?()\\[\\]*_#>|-]{0,40}",
        Just("\n".to_owned()),
        Just("\r\n".to_owned()),
        Just("```\ncode {{ x }}\n```\n".to_owned()),
        Just("`inline`".to_owned()),
        Just("# Heading\n".to_owned()),
        Just("- item\n  - nested\n".to_owned()),
        Just("> quote\n>> deeper\n".to_owned()),
        Just("[link](other.md#x)".to_owned()),
        Just("{{ not a directive }}".to_owned()),
        Just("ü 中文 🙂".to_owned()),
        Just("<div id=\"a\">html</div>\n".to_owned()),
    ];
    prop::collection::vec(piece, 0..30).prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn text_without_directives_is_unchanged(text in markdown()) {
        let f = Fixture::new(&[("guide.md", "Guide", "# G\n")]);
        let env = env(&f);
        let mut d = Diagnostics::default();
        let out = mdbook_alga::expand(&env, "src/guide.md", &text, &mut d);
        prop_assert_eq!(&out.text, &text);
        prop_assert!(d.is_empty());
    }

    #[test]
    fn text_around_directives_is_unchanged(pieces in prop::collection::vec(("[a-zA-Z0-9 ,.;:!?()*_#>|\n-]{0,30}", any::<bool>()), 0..20)) {
        let f = Fixture::new(&[("guide.md", "Guide", "# G\n")]);
        let env = env(&f);
        let mut input = String::new();
        let mut expected = String::new();
        let mut d = Diagnostics::default();
        let rendered = mdbook_alga::expand(&env, "x.md", "{{#path gateway.access}}", &mut d).text;
        for (text, with_directive) in &pieces {
            input.push_str(text);
            expected.push_str(text);
            if *with_directive {
                input.push_str("{{#path gateway.access}}");
                expected.push_str(&rendered);
            }
        }
        let out = mdbook_alga::expand(&env, "x.md", &input, &mut d);
        // Indented lines (4+ spaces) could make a code block; the strategy has none.
        prop_assert_eq!(&out.text, &expected);
        prop_assert!(d.is_empty(), "{}", d.render(false));
    }

    #[test]
    fn arbitrary_input_never_panics_and_is_deterministic(text in "(\\PC|\\{\\{#|\\}\\}|path |table |\"|\\\\|\n){0,200}") {
        let f = Fixture::new(&[("guide.md", "Guide", "# G\n")]);
        let env = env(&f);
        let mut d1 = Diagnostics::default();
        let mut d2 = Diagnostics::default();
        let a = mdbook_alga::expand(&env, "x.md", &text, &mut d1);
        let b = mdbook_alga::expand(&env, "x.md", &text, &mut d2);
        prop_assert_eq!(a.text, b.text);
        prop_assert_eq!(d1.render(false), d2.render(false));
    }
}
