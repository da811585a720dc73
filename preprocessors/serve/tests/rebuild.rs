//! A rebuild while serving, on a small book through mdBook's real pipeline:
//! the pages change at once, the search index only when the pending index
//! is finished, and the site build keeps mdBook's hashed file names.

use alga_serve::build::Builder;
use std::path::Path;

fn book(dir: &Path, word: &str) {
    std::fs::create_dir_all(dir.join("src")).unwrap();
    std::fs::write(
        dir.join("book.toml"),
        "[book]\ntitle = \"t\"\n\n[output.html.search]\nenable = true\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("src/SUMMARY.md"),
        "# Summary\n\n- [A](a.md)\n- [B](b.md)\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("src/a.md"),
        format!("# A\n\nThe word is {word}.\n"),
    )
    .unwrap();
    std::fs::write(dir.join("src/b.md"), "# B\n\nUnchanged.\n").unwrap();
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn a_quick_rebuild_updates_pages_first_and_the_index_after() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    book(root, "xylophone");
    let dest = root.join("out");
    let builder = Builder::new(root, Some(&dest));
    builder.html().unwrap();
    // One output, so the HTML is the build folder itself; serving names
    // files without hashes.
    let index = dest.join("searchindex.js");
    assert!(read(&index).contains("xylophone"));

    // What the `llms` output wrote beside the pages, which theme scripts load.
    std::fs::write(dest.join("search-terms.json"), "{\"terms\": 1}").unwrap();

    book(root, "zeppelin");
    let (_, pending) = builder.html_quick().unwrap();
    assert_eq!(read(&dest.join("search-terms.json")), "{\"terms\": 1}");
    assert!(read(&dest.join("a.html")).contains("zeppelin"));
    let kept = read(&index);
    assert!(
        kept.contains("xylophone") && !kept.contains("zeppelin"),
        "the quick rebuild keeps the last index"
    );

    pending.finish(&root.join("scratch")).unwrap();
    let fresh = read(&index);
    assert!(fresh.contains("zeppelin") && !fresh.contains("xylophone"));
    assert!(
        fresh.contains("Unchanged"),
        "the new index still has the other pages"
    );
}

#[test]
fn the_site_build_keeps_hashed_names_and_no_live_reload() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    book(root, "xylophone");
    let dest = root.join("site");
    Builder::for_site(root, Some(&dest)).html().unwrap();
    assert!(!dest.join("searchindex.js").exists());
    let page = read(&dest.join("a.html"));
    assert!(page.contains("searchindex-"), "hashed index name");
    assert!(!page.contains(alga_serve::build::LIVE_RELOAD_ENDPOINT));

    let served = root.join("served");
    Builder::new(root, Some(&served)).html().unwrap();
    assert!(read(&served.join("a.html")).contains(alga_serve::build::LIVE_RELOAD_ENDPOINT));
}
