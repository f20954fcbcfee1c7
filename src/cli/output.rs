//! Writing to the terminal: every string that comes from a report or a file
//! name passes through [`sanitize`] so no escape sequence reaches the
//! terminal; a closed pipe (`fazhi … | head`) ends output quietly.

use std::io::{self, Write};

pub struct Out {
    stdout: io::BufWriter<io::Stdout>,
}

impl Default for Out {
    fn default() -> Self {
        Out {
            stdout: io::BufWriter::new(io::stdout()),
        }
    }
}

impl Out {
    pub fn line(&mut self, s: &str) -> io::Result<()> {
        writeln!(self.stdout, "{}", sanitize(s))
    }

    /// Text fazhi generated itself (completion scripts, man pages), as is.
    pub fn raw(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.stdout.write_all(bytes)
    }

    pub fn err(&mut self, s: &str) {
        let _ = self.stdout.flush();
        eprintln!("{}", sanitize(s));
    }

    pub fn flush(&mut self) -> io::Result<()> {
        self.stdout.flush()
    }
}

/// Removes control characters (ESC, BEL, C1 controls) and bidi overrides;
/// keeps newlines and tabs.
pub fn sanitize(s: &str) -> String {
    s.chars()
        .filter(|&c| {
            c == '\n'
                || c == '\t'
                || !(c.is_control()
                    || matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}'))
        })
        .collect()
}

/// One CSV record (RFC 4180 quoting). A cell that a spreadsheet would read
/// as a formula (= + - @, tab, CR first) is prefixed with an apostrophe.
pub fn csv_row(cells: &[&str]) -> String {
    cells
        .iter()
        .map(|c| {
            let c = if c.starts_with(['=', '+', '-', '@', '\t', '\r']) {
                format!("'{c}")
            } else {
                c.to_string()
            };
            if c.contains([',', '"', '\n', '\r']) {
                format!("\"{}\"", c.replace('"', "\"\""))
            } else {
                c
            }
        })
        .collect::<Vec<_>>()
        .join(",")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_escapes_quotes_and_formulas() {
        assert_eq!(
            csv_row(&["a,b", "say \"hi\"", "=1+1", "-3", "ok"]),
            "\"a,b\",\"say \"\"hi\"\"\",'=1+1,'-3,ok"
        );
    }

    #[test]
    fn sanitize_drops_escapes() {
        assert_eq!(sanitize("a\x1b[31mb\x07c\u{202E}d\n"), "a[31mbcd\n");
    }
}
