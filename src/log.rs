//! Logging with `tracing` to a file in the XDG state directory
//! (`~/.local/state/fazhi/fazhi.log`), never to the terminal while the
//! browser runs. `RUST_LOG` sets the filter; otherwise `info`, `debug` with
//! `--verbose`, `trace` with `-vv`. With `--verbose`, commands that do not
//! take over the terminal also echo the log to stderr.

use std::fs::OpenOptions;
use std::path::PathBuf;
use std::sync::Mutex;
use tracing_subscriber::EnvFilter;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

/// A log file past this size is moved to `fazhi.log.1` at start-up.
const ROTATE_BYTES: u64 = 4 << 20;

/// `$FAZHI_LOG`, else `$XDG_STATE_HOME/fazhi/fazhi.log`, else
/// `~/.local/state/fazhi/fazhi.log`.
pub fn log_path() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("FAZHI_LOG").filter(|v| !v.is_empty()) {
        return Some(PathBuf::from(p));
    }
    let dir = std::env::var_os("XDG_STATE_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| {
            std::env::var_os("HOME")
                .filter(|v| !v.is_empty())
                .map(|h| PathBuf::from(h).join(".local").join("state"))
        })?;
    Some(dir.join("fazhi").join("fazhi.log"))
}

/// Starts logging. A log file that cannot be opened is not an error: the
/// program works without it, and says so once on stderr when verbose.
pub fn init(verbose: u8, echo_to_stderr: bool) -> Option<PathBuf> {
    let level = match verbose {
        0 => "info",
        1 => "debug",
        _ => "trace",
    };
    let filter = std::env::var("RUST_LOG")
        .ok()
        .filter(|v| !v.is_empty())
        .and_then(|v| EnvFilter::try_new(v).ok())
        .unwrap_or_else(|| EnvFilter::new(format!("fazhi={level}")));
    let path = log_path();
    let file = path.as_ref().and_then(|p| {
        if let Some(dir) = p.parent() {
            std::fs::create_dir_all(dir).ok()?;
        }
        if std::fs::metadata(p).is_ok_and(|m| m.len() > ROTATE_BYTES) {
            let _ = std::fs::rename(p, p.with_extension("log.1"));
        }
        OpenOptions::new().create(true).append(true).open(p).ok()
    });
    if file.is_none() && verbose > 0 {
        eprintln!(
            "fazhi: cannot open the log file {}",
            path.as_ref().map_or("(no HOME)".into(), |p| p.display().to_string())
        );
    }
    let opened = file.is_some().then(|| path.clone()).flatten();
    let file_layer = file.map(|f| {
        tracing_subscriber::fmt::layer()
            .with_writer(Mutex::new(f))
            .with_ansi(false)
            .with_target(false)
    });
    let stderr_layer = (echo_to_stderr && verbose > 0).then(|| {
        tracing_subscriber::fmt::layer()
            .with_writer(std::io::stderr)
            .with_ansi(false)
            .with_target(false)
            .without_time()
    });
    let _ = tracing_subscriber::registry()
        .with(filter)
        .with(file_layer)
        .with(stderr_layer)
        .try_init();
    opened
}
