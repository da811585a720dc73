//! The end-to-end test: the built site in headless Chromium, served on
//! loopback under the same URL prefix as the hosted site.
//!
//! It follows old URLs through their redirects, searches for a reference term,
//! checks that the archive banner and a schema table render and stay legible in
//! every built-in theme, and saves screenshots to `target/e2e/`.

use crate::http::serve_dir;
use crate::webdriver::Browser;
use anyhow::{Context, Result, bail};
use std::path::Path;
use std::process::Command;

/// The hosted site's path prefix (`site-url` in book.toml).
const MOUNT: &str = "/alga-extension-docs/";

/// Old URLs, and where a reader must end up (page, fragment).
const OLD_URLS: &[(&str, &str, &str)] = &[
    (
        "development_guide.html#calling-your-wasm-handler-from-the-ui-postmessage-proxy-pattern",
        "guides/iframe-ui.html",
        "#calling-your-handler",
    ),
    (
        "storage-api-contract.html",
        "archive/storage-api/storage-api-contract.html",
        "",
    ),
    (
        "samples/hello-world-e2e.html",
        "getting-started/quickstart.html",
        "",
    ),
];

const THEMES: &[&str] = &["light", "rust", "coal", "navy", "ayu"];

/// Pages photographed in every theme: (name, path, element to scroll to).
const SHOTS: &[(&str, &str, &str)] = &[
    (
        "schema-table",
        "reference/manifest.html",
        "[id=\"manifest.api.endpoints.method\"]",
    ),
    (
        "archive-banner",
        "archive/runner_guest_abi.html",
        ".archive-banner",
    ),
    ("path-references", "guides/api-gateway.html", "main h1"),
];

/// Where Chromium and ChromeDriver are: `CHROMIUM` / `CHROMEDRIVER`, or
/// Debian's packages.
pub fn browser_paths() -> (String, String) {
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    let driver = std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "/usr/bin/chromedriver".into());
    (chromium, driver)
}

/// Install Debian's chromium and chromium-driver when they are missing.
pub fn ensure_browser() -> Result<()> {
    let (chromium, driver) = browser_paths();
    if Path::new(&chromium).is_file() && Path::new(&driver).is_file() {
        return Ok(());
    }
    eprintln!("xtask: installing Debian's chromium and chromium-driver for the browser test");
    let sudo = !is_root();
    let apt = |args: &[&str]| -> bool {
        let mut cmd = if sudo {
            let mut c = Command::new("sudo");
            c.arg("apt-get");
            c
        } else {
            Command::new("apt-get")
        };
        cmd.args(args)
            .env("DEBIAN_FRONTEND", "noninteractive")
            .status()
            .is_ok_and(|s| s.success())
    };
    // Without recommended extras (hundreds of packages); one font so that
    // screenshots show text.
    let install = [
        "install",
        "-y",
        "-q",
        "--no-install-recommends",
        "chromium",
        "chromium-driver",
        "fonts-liberation",
    ];
    let installed = apt(&install) || (apt(&["update", "-q"]) && apt(&install));
    if !installed {
        bail!(
            "the browser test needs Chromium and ChromeDriver: install Debian's `chromium` and \
             `chromium-driver`, or set CHROMIUM and CHROMEDRIVER to their paths"
        );
    }
    Ok(())
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

/// Run every browser check against `html_dir`; screenshots go to `out_dir`.
pub fn run(html_dir: &Path, out_dir: &Path) -> Result<()> {
    let (chromium, driver) = browser_paths();
    let base = serve_dir(html_dir, MOUNT)?;
    if out_dir.exists() {
        std::fs::remove_dir_all(out_dir)?;
    }
    let profile = out_dir.join("profile");
    std::fs::create_dir_all(&profile)?;
    let browser = Browser::launch(&driver, &chromium, &profile)?;
    let step = |name: &str| eprintln!("xtask e2e: {name}");

    step("old URLs redirect to their successors");
    for (old, page, fragment) in OLD_URLS {
        browser.goto(&format!("{base}{old}"))?;
        let want = format!("{MOUNT}{page}");
        browser
            .wait_for(
                &format!("`{old}` to land on `{page}{fragment}`"),
                &format!(
                    "return location.pathname === {want:?} && location.hash === {fragment:?} \
                     && document.readyState === 'complete' && !!document.querySelector('main h1');"
                ),
            )
            .with_context(|| {
                let at = browser.eval("return location.href;").unwrap_or_default();
                format!("redirect of `{old}` (the browser is at {at})")
            })?;
        if let Some(id) = fragment.strip_prefix('#') {
            let found = browser.eval(&format!("return !!document.getElementById({id:?});"))?;
            if found != true {
                bail!("`{old}` landed on `{page}` but the page has no `#{id}`");
            }
        }
    }

    step("search finds a reference term");
    browser.goto(&format!("{base}index.html"))?;
    browser.click("#mdbook-search-toggle")?;
    browser.type_into("#mdbook-searchbar", "precompiled")?;
    browser
        .wait_for(
            "a search result for `precompiled` linking the manifest reference",
            "return !!document.querySelector('#mdbook-searchresults a[href*=\"reference/manifest.html\"]');",
        )
        .context("search")?;

    step("the archive banner names its successor");
    browser.goto(&format!("{base}archive/runner_guest_abi.html"))?;
    let successor = browser.wait_for(
        "the archive banner",
        "const b = document.querySelector('main .archive-banner');
         if (!b || b.offsetHeight === 0) return null;
         const a = [...b.querySelectorAll('a')].find(a => a.href.includes('reference/wit-and-runtime.html'));
         return a ? a.href : null;",
    )?;
    browser.goto(successor.as_str().context("successor link")?)?;
    browser.wait_for(
        "the successor page",
        "return location.pathname.endsWith('reference/wit-and-runtime.html') && !!document.querySelector('main h1');",
    )?;

    step("schema tables render with row anchors");
    browser.goto(&format!(
        "{base}reference/manifest.html#manifest.api.endpoints.method"
    ))?;
    let rows = browser.wait_for(
        "schema tables with the api.endpoints[].method row",
        "const anchor = document.getElementById('manifest.api.endpoints.method');
         if (!anchor || !anchor.closest('.schema-table table tr')) return null;
         return document.querySelectorAll('.schema-table table tbody tr').length;",
    )?;
    if rows.as_u64().unwrap_or(0) < 20 {
        bail!("the manifest reference shows only {rows} schema-table rows");
    }

    step("the 404 page loads its styles under the site prefix");
    browser.goto(&format!("{base}no/such/page.html"))?;
    browser.wait_for(
        "a styled 404 page",
        "return document.readyState === 'complete' && !!document.getElementById('mdbook-sidebar')
            && [...document.styleSheets].some(s => s.href && s.href.includes('/css/'))
            && getComputedStyle(document.getElementById('mdbook-menu-bar')).position !== 'static';",
    )?;

    step("every theme: legible banner, tables and path references; screenshots");
    let shots = out_dir.join("screenshots");
    std::fs::create_dir_all(&shots)?;
    let mut illegible = Vec::new();
    for theme in THEMES {
        for (name, page, focus) in SHOTS {
            browser.goto(&format!("{base}{page}"))?;
            browser.wait_for("the page", "return document.readyState === 'complete';")?;
            select_theme(&browser, theme)?;
            if let Err(e) = check_contrast(&browser, theme, page, focus) {
                illegible.push(format!("{e:#}"));
            }
            browser.eval(&format!(
                "document.querySelector({focus:?}).scrollIntoView({{block: 'start'}}); \
                 window.scrollBy(0, -60); return true;"
            ))?;
            let png = browser.screenshot()?;
            if !png.starts_with(b"\x89PNG") {
                bail!("the screenshot of {page} in {theme} is not a PNG");
            }
            std::fs::write(shots.join(format!("{name}-{theme}.png")), png)?;
        }
    }
    if !illegible.is_empty() {
        bail!("{}", illegible.join("\n"));
    }
    eprintln!(
        "xtask e2e: passed; screenshots in {}",
        shots
            .strip_prefix(crate::repo_root())
            .unwrap_or(&shots)
            .display()
    );
    Ok(())
}

/// Pick a theme from mdBook's theme menu, as a reader does.
fn select_theme(browser: &Browser, theme: &str) -> Result<()> {
    let current = browser.eval("return document.documentElement.className;")?;
    if current
        .as_str()
        .is_some_and(|c| c.split(' ').any(|x| x == theme))
    {
        return Ok(());
    }
    browser.click("#mdbook-theme-toggle")?;
    browser.click(&format!("#mdbook-theme-{theme}"))?;
    browser.wait_for(
        &format!("the {theme} theme"),
        &format!("return document.documentElement.classList.contains({theme:?});"),
    )?;
    // Close the menu again, so that it is not in the screenshot.
    browser.eval(
        "const list = document.getElementById('mdbook-theme-list');
         if (list && list.offsetHeight > 0) document.getElementById('mdbook-theme-toggle').click();
         return true;",
    )?;
    Ok(())
}

/// WCAG contrast of the text that the preprocessor renders, against what is
/// behind it, in the active theme: at least 4.5:1 for every element checked.
fn check_contrast(browser: &Browser, theme: &str, page: &str, focus: &str) -> Result<()> {
    let script = format!(
        r#"
        const rgb = s => (s.match(/[\d.]+/g) || []).map(Number);
        const lum = c => {{
          const [r, g, b] = c.slice(0, 3).map(v => {{ v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); }});
          return 0.2126 * r + 0.7152 * g + 0.0722 * b;
        }};
        const bg = el => {{
          for (let e = el; e; e = e.parentElement) {{
            const c = rgb(getComputedStyle(e).backgroundColor);
            if (c.length >= 3 && (c.length < 4 || c[3] > 0.5)) return c;
          }}
          return [255, 255, 255];
        }};
        const ratio = el => {{
          const a = lum(rgb(getComputedStyle(el).color)), b = lum(bg(el));
          return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
        }};
        const focus = document.querySelector({focus:?});
        if (!focus) return 'missing ' + {focus:?};
        const els = [
          ...document.querySelectorAll('.schema-table td, .schema-table th, .archive-banner p, main a code')
        ].slice(0, 200);
        const bad = els.filter(e => e.offsetHeight > 0 && ratio(e) < 4.5)
          .map(e => e.tagName + ' "' + e.textContent.trim().slice(0, 30) + '" ' + ratio(e).toFixed(2));
        return bad.length ? bad.slice(0, 5).join('; ') : 'ok';
        "#
    );
    let v = browser.eval(&script)?;
    if v != "ok" {
        bail!("{page} in the {theme} theme: low contrast or missing element: {v}");
    }
    Ok(())
}
