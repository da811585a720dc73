//! `alga-serve build` fails on an error that mdBook only logs: a missing
//! include leaves the chapter as it was and mdBook finishes the build, so
//! without the log's count the strict build would pass. (Its own test
//! binary: the log is installed once per process, for the whole process.)

use alga_serve::{Mode, Options, build_site};

#[test]
fn a_missing_include_fails_the_site_build() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir_all(root.join("src")).unwrap();
    std::fs::write(root.join("book.toml"), "[book]\ntitle = \"t\"\n").unwrap();
    std::fs::write(root.join("src/SUMMARY.md"), "# Summary\n\n- [A](a.md)\n").unwrap();
    std::fs::write(root.join("src/a.md"), "# A\n\n{{#include gone.md}}\n").unwrap();
    let opts = Options {
        mode: Mode::Build,
        root: root.to_path_buf(),
        host: String::new(),
        port: 0,
        dest: Some(root.join("out")),
    };
    let err = build_site(&opts).unwrap_err();
    assert_eq!(
        format!("{err:#}"),
        "mdBook logged 1 error(s) (above); the build is not sound although it finished"
    );
    // mdBook did finish: the page is there, the include left as written.
    let page = std::fs::read_to_string(root.join("out/a.html")).unwrap();
    assert!(page.contains("{{#include gone.md}}"));

    std::fs::write(root.join("src/a.md"), "# A\n\nNo include.\n").unwrap();
    let fixed = tempfile::tempdir().unwrap();
    let opts = Options {
        root: root.to_path_buf(),
        dest: Some(fixed.path().to_path_buf()),
        ..opts
    };
    // Each build counts its own errors.
    build_site(&opts).unwrap();
    assert!(fixed.path().join("a.html").is_file());
}
