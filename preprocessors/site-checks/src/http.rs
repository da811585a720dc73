//! Just enough HTTP/1.1 for the browser test, with the standard library only:
//! a static file server for the built book, and a JSON client for WebDriver.

use anyhow::{Context, Result, bail};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

/// Serves `root` under the URL prefix `mount` (e.g. `/alga-extension-docs/`)
/// on a free loopback port, from a background thread, for the life of the
/// process. Returns the base URL.
pub fn serve_dir(root: &Path, mount: &str) -> Result<String> {
    let listener = TcpListener::bind("127.0.0.1:0").context("binding a loopback port")?;
    serve_dir_on(listener, root, mount, None)
}

/// A request as the server read it: its target and head fields (names
/// lower-cased).
#[derive(Debug)]
pub struct Request {
    /// The method, such as `GET`.
    pub method: String,
    /// The request target, such as `/a/b.html?x`.
    pub target: String,
    /// The head fields, names lower-cased.
    pub headers: Vec<(String, String)>,
}

impl Request {
    /// The first head field named `name` (lower case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Takes a request before the file server does: it returns the stream back
/// when it leaves the request to the files, and keeps it when it answered
/// (a WebSocket upgrade keeps the connection for itself).
pub type Hook = Arc<HookFn>;

/// What a [`Hook`] holds.
pub type HookFn = dyn Fn(&Request, TcpStream) -> Option<TcpStream> + Send + Sync;

/// [`serve_dir`] on a listener of the caller's, with an optional [`Hook`]
/// that sees every request first. Returns the base URL.
pub fn serve_dir_on(
    listener: TcpListener,
    root: &Path,
    mount: &str,
    hook: Option<Hook>,
) -> Result<String> {
    let addr = listener.local_addr()?;
    let root = root.to_path_buf();
    let url = format!("http://{addr}{}", mount_prefix(&mount_trim(mount)));
    let mount = mount.to_owned();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let root = root.clone();
            let mount = mount.clone();
            let hook = hook.clone();
            std::thread::spawn(move || {
                let _ = answer(stream, &root, &mount, hook.as_deref());
            });
        }
    });
    Ok(url)
}

fn mount_trim(mount: &str) -> String {
    mount.trim_matches('/').to_owned()
}

fn mount_prefix(m: &str) -> String {
    if m.is_empty() {
        "/".into()
    } else {
        format!("/{m}/")
    }
}

fn answer(stream: TcpStream, root: &Path, mount: &str, hook: Option<&HookFn>) -> Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut request_line = String::new();
    reader.read_line(&mut request_line)?;
    let mut headers = Vec::new();
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header)? == 0 || header == "\r\n" || header == "\n" {
            break;
        }
        if let Some((k, v)) = header.split_once(':') {
            headers.push((k.trim().to_ascii_lowercase(), v.trim().to_owned()));
        }
    }
    let mut words = request_line.split_whitespace();
    let request = Request {
        method: words.next().unwrap_or("GET").to_owned(),
        target: words.next().unwrap_or("/").to_owned(),
        headers,
    };
    let stream = match hook {
        Some(h) => match h(&request, stream) {
            Some(s) => s,
            None => return Ok(()),
        },
        None => stream,
    };
    let target = request.target.as_str();
    let path = target.split(['?', '#']).next().unwrap_or("/");
    let prefix = mount_prefix(&mount_trim(mount));
    let file = path
        .strip_prefix(prefix.as_str())
        .and_then(|rel| resolve(root, rel));
    let mut out = stream;
    match file {
        Some(f) => {
            let body = std::fs::read(&f)?;
            write!(
                out,
                "HTTP/1.1 200 OK\r\nContent-Type: {}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                content_type(&f),
                body.len()
            )?;
            out.write_all(&body)?;
        }
        None => {
            // Like GitHub Pages: the site's 404 page, with status 404.
            let body = std::fs::read(root.join("404.html")).unwrap_or_default();
            write!(
                out,
                "HTTP/1.1 404 Not Found\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            )?;
            out.write_all(&body)?;
        }
    }
    Ok(())
}

/// A file under `root` for a URL path relative to the mount; `None` for
/// anything outside it or missing. Folders serve their `index.html`.
fn resolve(root: &Path, rel: &str) -> Option<PathBuf> {
    let rel = percent_decode(rel)?;
    let mut path = root.to_path_buf();
    for seg in rel.split('/') {
        match seg {
            "" | "." => {}
            ".." => return None,
            s => path.push(s),
        }
    }
    if path.is_dir() {
        path.push("index.html");
    }
    path.is_file().then_some(path)
}

/// `%XX` escapes decoded; `None` for a bad escape or bytes that are not UTF-8.
pub(crate) fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = s.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

fn content_type(path: &Path) -> &'static str {
    match path.extension().and_then(|e| e.to_str()).unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" => "text/javascript; charset=utf-8",
        "json" => "application/json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "woff2" => "font/woff2",
        "woff" => "font/woff",
        "ttf" => "font/ttf",
        "txt" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

/// An HTTP answer: status, head fields (names lower-cased) and body.
#[derive(Debug)]
pub struct Answer {
    /// The status code.
    pub status: u16,
    /// The head fields, in order, names lower-cased.
    pub headers: Vec<(String, String)>,
    /// The body, de-chunked.
    pub body: Vec<u8>,
}

impl Answer {
    /// The first head field called `name` (lower case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// One request to a loopback HTTP server, with the given head fields and
/// body; waits up to `timeout` for the answer.
pub fn request(
    base: &str,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
    timeout: Duration,
) -> Result<Answer> {
    let host = base
        .strip_prefix("http://")
        .context("only http:// is supported")?
        .trim_end_matches('/');
    let mut stream = TcpStream::connect(host).with_context(|| format!("connecting to {host}"))?;
    stream.set_read_timeout(Some(timeout))?;
    let mut head = format!("{method} {path} HTTP/1.1\r\nHost: {host}\r\n");
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str(&format!(
        "Content-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    ));
    stream.write_all(head.as_bytes())?;
    stream.write_all(body)?;
    // Read the head, then exactly the body the head announces: a server may
    // keep the connection open despite `Connection: close`.
    let mut reader = BufReader::new(stream);
    let mut lines = Vec::new();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 {
            bail!("{method} {path}: the connection closed before the response head ended");
        }
        if line == "\r\n" || line == "\n" {
            break;
        }
        lines.push(line.trim_end().to_owned());
    }
    let status: u16 = lines
        .first()
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|s| s.parse().ok())
        .context("no HTTP status")?;
    let fields: Vec<(String, String)> = lines
        .iter()
        .skip(1)
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    let field = |name: &str| fields.iter().find(|(n, _)| n == name).map(|(_, v)| v);
    let mut out = Vec::new();
    if field("transfer-encoding").is_some_and(|v| v.eq_ignore_ascii_case("chunked")) {
        out = read_chunked(&mut reader)?;
    } else if let Some(n) = field("content-length").and_then(|v| v.parse::<usize>().ok()) {
        out.resize(n, 0);
        reader.read_exact(&mut out)?;
    } else {
        reader.read_to_end(&mut out)?;
    }
    Ok(Answer {
        status,
        headers: fields,
        body: out,
    })
}

/// One JSON request to a loopback HTTP server (WebDriver); returns the status
/// and the parsed body.
pub fn json_request(
    base: &str,
    method: &str,
    path: &str,
    body: Option<&serde_json::Value>,
) -> Result<(u16, serde_json::Value)> {
    let payload = body.map(|b| b.to_string()).unwrap_or_default();
    let answer = request(
        base,
        method,
        path,
        &[("Content-Type", "application/json; charset=utf-8")],
        payload.as_bytes(),
        Duration::from_secs(60),
    )?;
    let value = if answer.body.is_empty() {
        serde_json::Value::Null
    } else {
        serde_json::from_slice(&answer.body).with_context(|| {
            format!(
                "{method} {path}: not JSON: {}",
                String::from_utf8_lossy(&answer.body)
            )
        })?
    };
    Ok((answer.status, value))
}

fn read_chunked(reader: &mut impl BufRead) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    loop {
        let mut line = String::new();
        reader.read_line(&mut line)?;
        let size = usize::from_str_radix(line.split(';').next().unwrap_or("").trim(), 16)
            .context("bad chunk size")?;
        if size == 0 {
            return Ok(out);
        }
        let start = out.len();
        out.resize(start + size + 2, 0);
        reader.read_exact(&mut out[start..])?;
        if &out[start + size..] != b"\r\n" {
            bail!("malformed chunk");
        }
        out.truncate(start + size);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolve_stays_inside_the_root() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("a")).unwrap();
        std::fs::write(dir.path().join("a/index.html"), "x").unwrap();
        std::fs::write(dir.path().join("b c.html"), "x").unwrap();
        assert!(resolve(dir.path(), "a/").is_some());
        assert!(resolve(dir.path(), "b%20c.html").is_some());
        assert!(resolve(dir.path(), "../etc/passwd").is_none());
        assert!(resolve(dir.path(), "a/%2e%2e/%2e%2e/x").is_none());
        assert!(resolve(dir.path(), "missing.html").is_none());
    }

    #[test]
    fn chunked_bodies_are_joined() {
        let body = b"4\r\n{\"a\"\r\n3\r\n:1}\r\n0\r\n\r\n";
        assert_eq!(read_chunked(&mut &body[..]).unwrap(), b"{\"a\":1}");
    }

    #[test]
    fn the_server_serves_files_and_a_404() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("x.json"), "{\"ok\":true}").unwrap();
        std::fs::write(dir.path().join("404.html"), "nope").unwrap();
        let base = serve_dir(dir.path(), "/site/").unwrap();
        let root = base.trim_end_matches("/site/");
        let (status, value) = json_request(root, "GET", "/site/x.json", None).unwrap();
        assert_eq!((status, value), (200, serde_json::json!({"ok": true})));
        let err = json_request(root, "GET", "/site/none.json", None).unwrap_err();
        assert!(format!("{err:#}").contains("not JSON: nope"), "{err:#}");
    }
}
