//! A small W3C WebDriver client for ChromeDriver: the commands the browser
//! test needs, nothing more.

use crate::http::json_request;
use crate::net::free_port;
use anyhow::{Context, Result, bail};
use serde_json::{Value, json};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A running ChromeDriver with one browser session. Both end on drop.
pub struct Browser {
    driver: Child,
    base: String,
    session: String,
}

impl Browser {
    /// Start `chromedriver` on a free port and open a headless Chromium session.
    pub fn launch(chromedriver: &str, chromium: &str, profile: &std::path::Path) -> Result<Self> {
        let port = free_port()?;
        let driver = Command::new(chromedriver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .with_context(|| format!("cannot start {chromedriver}"))?;
        let base = format!("http://127.0.0.1:{port}");
        let mut browser = Browser {
            driver,
            base,
            session: String::new(),
        };
        let started = Instant::now();
        while json_request(&browser.base, "GET", "/status", None).is_err() {
            if started.elapsed() > Duration::from_secs(20) {
                bail!("chromedriver did not answer on port {port} within 20 s");
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        // The flags a closed network needs: without them Chromium keeps trying
        // to reach Google's services.
        let args = [
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-dev-shm-usage",
            "--window-size=1280,900",
            "--hide-scrollbars",
            "--force-device-scale-factor=1",
        ]
        .iter()
        .map(|s| s.to_string())
        .chain([format!("--user-data-dir={}", profile.display())])
        .collect::<Vec<_>>();
        let caps = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {"binary": chromium, "args": args}
        }}});
        let v = browser.call("POST", "/session", Some(&caps))?;
        browser.session = v["sessionId"]
            .as_str()
            .context("no session id from chromedriver")?
            .to_owned();
        Ok(browser)
    }

    fn call(&self, method: &str, path: &str, body: Option<&Value>) -> Result<Value> {
        let (status, v) = json_request(&self.base, method, path, body)?;
        if status >= 400 {
            bail!(
                "WebDriver {method} {path}: {} ({})",
                v["value"]["error"].as_str().unwrap_or("error"),
                v["value"]["message"]
                    .as_str()
                    .unwrap_or("")
                    .lines()
                    .next()
                    .unwrap_or("")
            );
        }
        Ok(v["value"].clone())
    }

    fn session_call(&self, method: &str, path: &str, body: Option<&Value>) -> Result<Value> {
        self.call(method, &format!("/session/{}{path}", self.session), body)
    }

    /// Open `url` in the browser's one window.
    pub fn goto(&self, url: &str) -> Result<()> {
        self.session_call("POST", "/url", Some(&json!({"url": url})))?;
        Ok(())
    }

    /// Run a script in the page; its `return` value comes back as JSON.
    pub fn eval(&self, script: &str) -> Result<Value> {
        self.session_call(
            "POST",
            "/execute/sync",
            Some(&json!({"script": script, "args": []})),
        )
    }

    /// Poll `script` until it returns something truthy; fail with `what`.
    pub fn wait_for(&self, what: &str, script: &str) -> Result<Value> {
        self.wait_for_within(what, script, Duration::from_secs(15))
    }

    /// [`Browser::wait_for`] with a limit of its own.
    pub fn wait_for_within(&self, what: &str, script: &str, limit: Duration) -> Result<Value> {
        let started = Instant::now();
        loop {
            let v = self.eval(script).unwrap_or(Value::Null);
            if !(v.is_null() || v == false || v == "" || v == 0) {
                return Ok(v);
            }
            if started.elapsed() > limit {
                bail!("timed out after {} s waiting for {what}", limit.as_secs());
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// The id of the first element matching a CSS selector.
    pub fn find(&self, css: &str) -> Result<String> {
        let v = self
            .session_call(
                "POST",
                "/element",
                Some(&json!({"using": "css selector", "value": css})),
            )
            .with_context(|| format!("no element matches `{css}`"))?;
        v.as_object()
            .and_then(|o| o.values().next())
            .and_then(Value::as_str)
            .map(str::to_owned)
            .context("malformed element reference")
    }

    /// Click the first element `css` selects.
    pub fn click(&self, css: &str) -> Result<()> {
        let id = self.find(css)?;
        self.session_call("POST", &format!("/element/{id}/click"), Some(&json!({})))?;
        Ok(())
    }

    /// Type text into an element, as a user would.
    pub fn type_into(&self, css: &str, text: &str) -> Result<()> {
        let id = self.find(css)?;
        self.session_call(
            "POST",
            &format!("/element/{id}/value"),
            Some(&json!({"text": text})),
        )?;
        Ok(())
    }

    /// A PNG of the viewport.
    pub fn screenshot(&self) -> Result<Vec<u8>> {
        let v = self.session_call("GET", "/screenshot", None)?;
        crate::base64::decode(v.as_str().context("screenshot is not a string")?)
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        if !self.session.is_empty() {
            let _ = self.call("DELETE", &format!("/session/{}", self.session), None);
        }
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}
