//! `alga-serve` end to end on a small book: it serves the pages with the
//! live-reload script, answers the WebSocket upgrade, leaves the book alone
//! while files are only read, and on a save rebuilds and tells the page.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::time::{Duration, Instant};

struct Served {
    child: Child,
    lines: Receiver<String>,
    log: Vec<String>,
    port: u16,
}

impl Served {
    fn start(root: &Path, dest: &Path) -> Served {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let mut child = Command::new(env!("CARGO_BIN_EXE_alga-serve"))
            .args(["-n", "127.0.0.1", "-p", &port.to_string(), "-d"])
            .arg(dest)
            .arg(root)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let (tx, lines) = channel();
        let stderr = child.stderr.take().unwrap();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                let _ = tx.send(line);
            }
        });
        let mut s = Served {
            child,
            lines,
            log: Vec::new(),
            port,
        };
        s.wait_for("watching for saves", Duration::from_secs(60));
        s
    }

    /// Wait for a stderr line containing `text`; panic with the log if none.
    fn wait_for(&mut self, text: &str, within: Duration) -> String {
        let end = Instant::now() + within;
        while let Some(left) = end.checked_duration_since(Instant::now()) {
            match self.lines.recv_timeout(left) {
                Ok(l) => {
                    self.log.push(l.clone());
                    if l.contains(text) {
                        return l;
                    }
                }
                Err(_) => break,
            }
        }
        panic!(
            "no `{text}` from alga-serve; its log:\n{}",
            self.log.join("\n")
        );
    }

    /// Every stderr line that arrives within `d`.
    fn lines_within(&mut self, d: Duration) -> Vec<String> {
        let end = Instant::now() + d;
        let mut got = Vec::new();
        while let Some(left) = end.checked_duration_since(Instant::now()) {
            match self.lines.recv_timeout(left) {
                Ok(l) => got.push(l),
                Err(_) => break,
            }
        }
        self.log.extend(got.iter().cloned());
        got
    }

    fn get(&self, path: &str) -> (String, String) {
        let mut s = TcpStream::connect(("127.0.0.1", self.port)).unwrap();
        write!(
            s,
            "GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
        )
        .unwrap();
        let mut text = String::new();
        s.read_to_string(&mut text).unwrap();
        let (head, body) = text.split_once("\r\n\r\n").unwrap();
        (head.lines().next().unwrap().to_owned(), body.to_owned())
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn book(root: &Path) {
    std::fs::create_dir_all(root.join("src")).unwrap();
    std::fs::write(root.join("book.toml"), "[book]\ntitle = \"Served\"\n").unwrap();
    std::fs::write(
        root.join("src/SUMMARY.md"),
        "# Summary\n\n[Page](page.md)\n",
    )
    .unwrap();
    std::fs::write(root.join("src/page.md"), "# Page\n\nfirst words\n").unwrap();
}

#[test]
fn it_serves_reloads_on_a_save_and_ignores_reads() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("book");
    book(&root);
    let mut served = Served::start(&root, &dir.path().join("out"));

    let (status, page) = served.get("/page.html");
    assert_eq!(status, "HTTP/1.1 200 OK");
    assert!(page.contains("first words"), "{page}");
    assert!(
        page.contains("__livereload"),
        "no live-reload script:\n{page}"
    );
    let (status, _) = served.get("/no-such-page.html");
    assert_eq!(status, "HTTP/1.1 404 Not Found");

    // The page's live-reload socket.
    let mut ws = TcpStream::connect(("127.0.0.1", served.port)).unwrap();
    write!(
        ws,
        "GET /__livereload HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
    )
    .unwrap();
    let mut reader = BufReader::new(ws.try_clone().unwrap());
    let mut head = String::new();
    loop {
        let mut line = String::new();
        reader.read_line(&mut line).unwrap();
        if line == "\r\n" || line.is_empty() {
            break;
        }
        head.push_str(&line);
    }
    assert!(
        head.starts_with("HTTP/1.1 101 Switching Protocols"),
        "{head}"
    );
    assert!(
        head.contains("Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo="),
        "{head}"
    );

    // Reading every input is not an edit (mdBook's native watcher loops here).
    for f in ["book.toml", "src/SUMMARY.md", "src/page.md"] {
        let _ = std::fs::read(root.join(f)).unwrap();
    }
    let quiet = served.lines_within(Duration::from_millis(800));
    assert!(
        !quiet.iter().any(|l| l.contains("rebuilt")),
        "a read caused a rebuild: {quiet:?}"
    );

    // A save rebuilds and tells the page.
    std::fs::write(root.join("src/page.md"), "# Page\n\nsecond words\n").unwrap();
    let line = served.wait_for("rebuilt in", Duration::from_secs(30));
    assert!(line.contains("src/page.md"), "{line}");
    assert!(line.contains("1 page(s) reloaded"), "{line}");
    ws.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let mut frame = [0u8; 8];
    reader.read_exact(&mut frame).unwrap();
    assert_eq!(&frame, b"\x81\x06reload");
    let (_, page) = served.get("/page.html");
    assert!(page.contains("second words"), "{page}");
}

#[test]
fn a_book_that_does_not_build_is_reported_and_not_served() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("book");
    book(&root);
    std::fs::write(
        root.join("src/SUMMARY.md"),
        "# Summary\n\n[Page](missing.md)\n",
    )
    .unwrap();
    std::fs::remove_file(root.join("src/page.md")).unwrap();
    // mdBook creates a missing chapter file; a folder in its place cannot be.
    std::fs::create_dir_all(root.join("src/missing.md")).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_alga-serve"))
        .args(["-n", "127.0.0.1", "-p", "0", "-d"])
        .arg(dir.path().join("out"))
        .arg(&root)
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.starts_with("alga-serve: error: the first build failed"),
        "{err}"
    );
}
