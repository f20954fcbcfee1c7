//! The browser: three keyboard panes (bureaus and their reports, the
//! outline, the text with figures highlighted), a fuzzy palette over the
//! whole index, full-text search, and copying excerpts with a citation.
//!
//! `app` holds the state and `update`; `view` draws it; `worker` does the
//! slow work; this module runs the event loop that connects them.

pub mod app;
pub mod clipboard;
pub mod doc;
mod draw_views;
pub mod keymap;
pub mod layout;
pub mod terminal;
pub mod theme;
pub mod view;
mod view_update;
pub mod views;
pub mod worker;
pub mod wrap;

use crate::store::Store;
use anyhow::{Context, Result};
use app::{App, Effect, Response};
use crossterm::event::{self, Event};
use ratatui::layout::Rect;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{RecvTimeoutError, Sender, channel};
use std::time::Duration;
use worker::Request;

pub struct Options {
    pub clipboard: clipboard::Method,
    pub mouse: bool,
    pub theme: theme::Theme,
    pub keymap: keymap::Keymap,
}

enum Msg {
    Input(Event),
    Worker(Response),
    Stop,
}

/// What the first frame needs: the bureaus with their reports, and the
/// readings for matching them by pinyin.
pub fn load(db: &Path) -> Result<(Vec<crate::store::reader::BureauRow>, Arc<crate::search::pinyin::Pinyin>)> {
    // Each bureau's region is derived from the division table, which is
    // built meanwhile on the other core.
    crate::regions::warm_in_background();
    let store = Store::open_read_only(db)?;
    let bureaus = store.bureaus().context("cannot read the index")?;
    let pinyin = Arc::new(store.pinyin().context("cannot read the index")?);
    Ok((bureaus, pinyin))
}

pub fn run(db: &Path, opts: Options) -> Result<()> {
    // Read the index before taking over the terminal, so an error is a
    // plain message.
    let (bureaus, pinyin) = load(db)?;
    let stop = Arc::new(AtomicBool::new(false));
    for sig in [
        signal_hook::consts::SIGTERM,
        signal_hook::consts::SIGHUP,
        signal_hook::consts::SIGINT,
    ] {
        signal_hook::flag::register(sig, Arc::clone(&stop)).context("cannot watch signals")?;
    }
    let method = opts.clipboard;
    tracing::info!(db = ?db, clipboard = ?method, theme = opts.theme.name(), mouse = opts.mouse, "browser started");
    let mut guard = terminal::enter(opts.mouse).context("cannot set up the terminal")?;
    let (tx, rx) = channel::<Msg>();
    spawn_input(tx.clone(), Arc::clone(&stop));
    let work = worker::spawn(db.to_path_buf(), tx, Msg::Worker);
    let size = guard.terminal.size()?;
    let mut app = App::new(bureaus, Rect::new(0, 0, size.width, size.height));
    app.pinyin = pinyin;
    app.theme = opts.theme;
    app.keymap = opts.keymap;
    let fx = app.initial_effects();
    perform(&mut app, fx, &work, &method);
    loop {
        guard.terminal.draw(|f| view::draw(f, &app))?;
        // Wake up now and then even without input: after a hangup the input
        // thread can stay stuck inside crossterm's read, so the loop itself
        // watches the signal flag and whether the terminal is still there.
        let first = match rx.recv_timeout(Duration::from_millis(250)) {
            Ok(m) => m,
            Err(RecvTimeoutError::Timeout) => {
                if stop.load(Ordering::Relaxed) || crossterm::terminal::size().is_err() {
                    break;
                }
                continue;
            }
            Err(RecvTimeoutError::Disconnected) => break,
        };
        // Handle everything that arrived, then draw once.
        for msg in std::iter::once(first).chain(rx.try_iter()) {
            let fx = match msg {
                Msg::Input(Event::Key(k)) => app.on_key(k),
                Msg::Input(Event::Mouse(m)) => app.on_mouse(m),
                Msg::Input(Event::Resize(w, h)) => {
                    app.resize(Rect::new(0, 0, w, h));
                    Vec::new()
                }
                Msg::Input(_) => Vec::new(),
                Msg::Worker(r) => app.apply(r),
                Msg::Stop => {
                    app.quit = true;
                    Vec::new()
                }
            };
            perform(&mut app, fx, &work, &method);
        }
        if app.quit {
            break;
        }
    }
    drop(guard);
    Ok(())
}

fn spawn_input(tx: Sender<Msg>, stop: Arc<AtomicBool>) {
    std::thread::spawn(move || {
        loop {
            if stop.load(Ordering::Relaxed) {
                let _ = tx.send(Msg::Stop);
                return;
            }
            match event::poll(Duration::from_millis(100)) {
                Ok(true) => match event::read() {
                    Ok(ev) => {
                        if tx.send(Msg::Input(ev)).is_err() {
                            return;
                        }
                    }
                    Err(_) => {
                        let _ = tx.send(Msg::Stop);
                        return;
                    }
                },
                Ok(false) => {}
                Err(_) => {
                    let _ = tx.send(Msg::Stop);
                    return;
                }
            }
        }
    });
}

fn perform(app: &mut App, effects: Vec<Effect>, work: &Sender<Request>, method: &clipboard::Method) {
    for e in effects {
        let req = match e {
            Effect::LoadReport { id, jump } => Request::Report(id, jump),
            Effect::Palette { seq, query } => Request::Palette(seq, query),
            Effect::Search { seq, query } => Request::Search(seq, query),
            Effect::Reload => Request::Index,
            Effect::View(q) => Request::View(q),
            Effect::Copy(text) => {
                let mut out = std::io::stdout();
                app.status = Some(match clipboard::copy(&text, method, &mut out) {
                    Ok(m) => {
                        tracing::info!(method = ?method, "{m}");
                        m
                    }
                    Err(m) => {
                        tracing::warn!(method = ?method, "{m}");
                        m
                    }
                });
                continue;
            }
        };
        if work.send(req).is_err() {
            app.status = Some("the background worker stopped; restart fazhi".into());
        }
    }
}
