//! mdBook's live reload, without an async runtime: every served page opens
//! a WebSocket to `/__livereload` and reloads itself when it receives the
//! text `reload`. This module answers the upgrade (RFC 6455's handshake),
//! keeps the sockets, and sends that one frame to all of them after a build.

use alga_site_checks::http::Request;
use sha1::{Digest, Sha1};
use std::io::Write;
use std::net::TcpStream;
use std::sync::{Arc, Mutex};

/// The GUID RFC 6455 appends to the client's key.
const WEBSOCKET_GUID: &str = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

/// The open live-reload sockets.
#[derive(Debug, Clone, Default)]
pub struct Clients {
    sockets: Arc<Mutex<Vec<TcpStream>>>,
}

impl Clients {
    /// Take `stream` when `request` is the live-reload upgrade; otherwise
    /// hand it back for the file server.
    pub fn accept(&self, request: &Request, mut stream: TcpStream) -> Option<TcpStream> {
        let path = request.target.split('?').next().unwrap_or("");
        let Some(key) = request.header("sec-websocket-key") else {
            return Some(stream);
        };
        if path.trim_start_matches('/') != crate::build::LIVE_RELOAD_ENDPOINT {
            return Some(stream);
        }
        let head = format!(
            "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: {}\r\n\r\n",
            accept_key(key)
        );
        if stream.write_all(head.as_bytes()).is_ok() {
            // The page never sends anything that matters; a read timeout
            // would only close the socket early.
            let _ = stream.set_read_timeout(None);
            self.lock().push(stream);
        }
        None
    }

    /// Tell every open page to reload; returns how many were told.
    pub fn reload(&self) -> usize {
        let mut sockets = self.lock();
        sockets.retain_mut(|s| s.write_all(&text_frame("reload")).is_ok());
        let n = sockets.len();
        // A page closes its socket once it reloads, and opens a new one.
        sockets.clear();
        n
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<TcpStream>> {
        self.sockets.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// `Sec-WebSocket-Accept` for the client's `Sec-WebSocket-Key`.
pub fn accept_key(key: &str) -> String {
    let digest = Sha1::digest(format!("{}{WEBSOCKET_GUID}", key.trim()).as_bytes());
    alga_site_checks::base64::encode(&digest)
}

/// One unmasked, final text frame (a server's frames are never masked).
pub fn text_frame(text: &str) -> Vec<u8> {
    let bytes = text.as_bytes();
    let mut frame = vec![0x81];
    match u16::try_from(bytes.len()) {
        Ok(n) if n < 126 => frame.push(n as u8),
        Ok(n) => {
            frame.push(126);
            frame.extend_from_slice(&n.to_be_bytes());
        }
        Err(_) => {
            frame.push(127);
            frame.extend_from_slice(&(bytes.len() as u64).to_be_bytes());
        }
    }
    frame.extend_from_slice(bytes);
    frame
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_accept_key_is_rfc_6455s_example() {
        // RFC 6455, section 1.3.
        assert_eq!(
            accept_key("dGhlIHNhbXBsZSBub25jZQ=="),
            "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="
        );
    }

    #[test]
    fn a_reload_is_one_short_text_frame() {
        assert_eq!(text_frame("reload"), b"\x81\x06reload");
        let long = "x".repeat(300);
        assert_eq!(&text_frame(&long)[..4], &[0x81, 126, 1, 44]);
    }
}
