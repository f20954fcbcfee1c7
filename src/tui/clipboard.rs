//! Copying excerpts to the user's own clipboard, also over SSH: OSC 52
//! carries the text to the local terminal. Inside tmux the text goes through
//! `tmux load-buffer -w -` (which forwards it to the outer terminal when
//! tmux's set-clipboard allows), else a DCS passthrough; inside GNU screen
//! the sequence is wrapped and cut into chunks screen passes on. `--copy-to
//! FILE` appends excerpts to a file instead.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};

/// Larger excerpts are refused: terminals silently drop long OSC 52
/// sequences (many stop at 74–100 kB of base64).
pub const MAX_COPY_BYTES: usize = 60_000;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Method {
    Osc52,
    Tmux,
    Screen,
    File(PathBuf),
}

impl Method {
    /// The method for where fazhi runs: tmux inside tmux, screen inside
    /// screen, else OSC 52 straight to the terminal.
    pub fn detect() -> Method {
        if std::env::var_os("TMUX").is_some_and(|v| !v.is_empty()) {
            Method::Tmux
        } else if std::env::var_os("STY").is_some_and(|v| !v.is_empty()) {
            Method::Screen
        } else {
            Method::Osc52
        }
    }
}

pub fn base64(data: &[u8]) -> String {
    const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        let b = [chunk[0], *chunk.get(1).unwrap_or(&0), *chunk.get(2).unwrap_or(&0)];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(T[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// `ESC ] 52 ; c ; <base64> BEL`
pub fn osc52(text: &str) -> String {
    format!("\x1b]52;c;{}\x07", base64(text.as_bytes()))
}

/// tmux passes a sequence wrapped in `ESC P tmux; … ESC \` with every ESC
/// doubled (needs `allow-passthrough on`).
pub fn tmux_passthrough(seq: &str) -> String {
    format!("\x1bPtmux;{}\x1b\\", seq.replace('\x1b', "\x1b\x1b"))
}

/// GNU screen passes DCS strings of limited length: cut into 76-byte pieces.
pub fn screen_chunks(seq: &str) -> String {
    let mut out = String::new();
    let bytes = seq.as_bytes();
    for chunk in bytes.chunks(76) {
        out.push_str("\x1bP");
        out.push_str(&String::from_utf8_lossy(chunk));
        out.push_str("\x1b\\");
    }
    out
}

/// Copies `text`; returns the status message saying what happened.
pub fn copy(text: &str, method: &Method, term: &mut dyn Write) -> Result<String, String> {
    let chars = text.chars().count();
    if text.len() > MAX_COPY_BYTES {
        return Err(format!(
            "not copied: {chars} characters is more than a terminal clipboard takes ({} kB); select less or use --copy-to FILE",
            MAX_COPY_BYTES / 1000
        ));
    }
    let write = |term: &mut dyn Write, s: &str| -> Result<(), String> {
        term.write_all(s.as_bytes())
            .and_then(|_| term.flush())
            .map_err(|e| format!("not copied: {e}"))
    };
    match method {
        Method::File(path) => {
            let mut f = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(path)
                .map_err(|e| format!("not copied: cannot open {}: {e}", path.display()))?;
            writeln!(f, "{text}\n").map_err(|e| format!("not copied: {e}"))?;
            Ok(format!("appended {chars} characters to {}", path.display()))
        }
        Method::Osc52 => {
            write(term, &osc52(text))?;
            Ok(format!("copied {chars} characters to the clipboard (OSC 52)"))
        }
        Method::Screen => {
            write(term, &screen_chunks(&osc52(text)))?;
            Ok(format!(
                "copied {chars} characters to the clipboard (OSC 52 through screen)"
            ))
        }
        Method::Tmux => {
            if tmux_load_buffer(text) {
                Ok(format!(
                    "copied {chars} characters to the tmux buffer (tmux passes it to the clipboard when set-clipboard is on)"
                ))
            } else {
                write(term, &tmux_passthrough(&osc52(text)))?;
                Ok(format!(
                    "copied {chars} characters to the clipboard (OSC 52 through tmux passthrough)"
                ))
            }
        }
    }
}

fn tmux_load_buffer(text: &str) -> bool {
    let child = Command::new("tmux")
        .args(["load-buffer", "-w", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn();
    let Ok(mut child) = child else { return false };
    let wrote = child
        .stdin
        .take()
        .is_some_and(|mut s| s.write_all(text.as_bytes()).is_ok());
    child.wait().is_ok_and(|st| st.success()) && wrote
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_rfc4648() {
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foo"), "Zm9v");
        assert_eq!(base64(b"foobar"), "Zm9vYmFy");
        assert_eq!(base64("婚姻".as_bytes()), "5ama5ae7");
    }

    #[test]
    fn sequences() {
        assert_eq!(osc52("hi"), "\x1b]52;c;aGk=\x07");
        assert_eq!(
            tmux_passthrough("\x1b]52;c;aGk=\x07"),
            "\x1bPtmux;\x1b\x1b]52;c;aGk=\x07\x1b\\"
        );
        let long = osc52(&"字".repeat(100));
        let wrapped = screen_chunks(&long);
        assert!(wrapped.split("\x1b\\").filter(|c| !c.is_empty()).all(|c| c.len() <= 78));
        assert_eq!(wrapped.replace("\x1bP", "").replace("\x1b\\", ""), long);
    }

    #[test]
    fn refuses_huge_and_writes_files() {
        let mut sink = Vec::new();
        let err = copy(&"字".repeat(30_000), &Method::Osc52, &mut sink).unwrap_err();
        assert!(err.contains("not copied"));
        assert!(sink.is_empty());
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("x.txt");
        let msg = copy("摘录", &Method::File(f.clone()), &mut sink).unwrap();
        assert_eq!(msg, format!("appended 2 characters to {}", f.display()));
        assert_eq!(std::fs::read_to_string(f).unwrap(), "摘录\n\n");
        let msg = copy("hi", &Method::Osc52, &mut sink).unwrap();
        assert_eq!(msg, "copied 2 characters to the clipboard (OSC 52)");
        assert_eq!(sink, b"\x1b]52;c;aGk=\x07");
    }
}
