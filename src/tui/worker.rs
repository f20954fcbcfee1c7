//! The worker: owns a read-only connection to the index and does the slow
//! work (loading reports, fuzzy matching, full-text search) off the UI
//! thread. Queries typed faster than they can be answered are coalesced:
//! only the newest palette and search query in the queue is run. While
//! idle it watches the index: when another process (`fazhi index`) commits,
//! the bureaus are reloaded, so new reports appear without a restart.

use super::app::{Jump, Response};
use crate::search::palette::Matcher;
use crate::store::Store;
use std::path::PathBuf;
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender, TryRecvError, channel};
use std::time::Duration;

/// How often an idle worker looks for changes made by other processes.
const WATCH_EVERY: Duration = Duration::from_secs(2);

/// How often a palette query waiting for the items looks for them.
const LOAD_POLL: Duration = Duration::from_millis(20);

pub enum Request {
    Index,
    Report(i64, Jump),
    Palette(u64, String),
    Search(u64, String),
    View(super::views::ViewQuery),
}

/// Results are sent through `out` wrapped by `wrap` (the event loop's
/// message type).
pub fn spawn<M: Send + 'static>(db: PathBuf, out: Sender<M>, wrap: fn(Response) -> M) -> Sender<Request> {
    let (tx, rx) = channel::<Request>();
    std::thread::spawn(move || serve(db, rx, out, wrap));
    tx
}

/// Loads the palette's items on another thread; the receiver gets them.
fn preload(db: &std::path::Path) -> Receiver<Result<Matcher, String>> {
    let (tx, rx) = channel();
    let db = db.to_path_buf();
    std::thread::spawn(move || {
        let result = Store::open_read_only(&db)
            .and_then(|s| s.palette())
            .map_err(|e| format!("{e:#}"));
        let _ = tx.send(result);
    });
    rx
}

fn serve<M>(db: PathBuf, rx: Receiver<Request>, out: Sender<M>, wrap: fn(Response) -> M) {
    let mut store = match Store::open_read_only(&db) {
        Ok(s) => Some(s),
        Err(e) => {
            let _ = out.send(wrap(Response::Error(format!("{e:#}"))));
            None
        }
    };
    let mut items: Option<Matcher> = None;
    // The palette's items load on a thread of their own from the start, so
    // the first Ctrl-P rarely waits and reports open meanwhile.
    let mut loading = Some(preload(&db));
    let mut seen_version = store.as_ref().and_then(|s| s.data_version().ok());
    // A palette query that waits for the items to load: reports, searches
    // and views are served meanwhile, and the items are looked for often.
    let mut waiting: Option<(u64, String)> = None;
    loop {
        let wait = if waiting.is_some() { LOAD_POLL } else { WATCH_EVERY };
        let first = match rx.recv_timeout(wait) {
            Ok(r) => r,
            Err(RecvTimeoutError::Disconnected) => return,
            Err(RecvTimeoutError::Timeout) if waiting.is_some() => {
                let Some((seq, q)) = waiting.take() else { continue };
                Request::Palette(seq, q)
            }
            Err(RecvTimeoutError::Timeout) => {
                // Another process committed (or the index appeared): reload.
                let now = match store.as_ref() {
                    Some(s) => s.data_version().ok(),
                    None => Store::open_read_only(&db).ok().and_then(|s| s.data_version().ok()),
                };
                if now.is_none() || now == seen_version {
                    continue;
                }
                Request::Index
            }
        };
        // Take everything queued; keep the newest palette, search and
        // measure query.
        let mut batch = vec![first];
        batch.extend(rx.try_iter());
        let run = newest_only(&batch);
        for (req, run) in batch.into_iter().zip(run) {
            if !run {
                continue;
            }
            let resp = match req {
                Request::Index => {
                    // A refresh also reopens the index (it may have been
                    // created or migrated since).
                    items = None;
                    loading = Some(preload(&db));
                    store = Store::open_read_only(&db).ok().or(store);
                    seen_version = store.as_ref().and_then(|s| s.data_version().ok());
                    match store.as_ref().map(|s| s.bureaus().and_then(|b| Ok((b, s.pinyin()?)))) {
                        Some(Ok((b, p))) => Response::Index(b, std::sync::Arc::new(p)),
                        Some(Err(e)) => Response::Error(format!("cannot read the index: {e:#}")),
                        None => continue,
                    }
                }
                Request::Report(id, jump) => match store.as_ref().map(|s| s.report(id)) {
                    Some(Ok(Some(r))) => Response::Report(Box::new(r), jump),
                    Some(Ok(None)) => {
                        Response::Error(format!("report {id} is no longer in the index; press r to reload"))
                    }
                    Some(Err(e)) => Response::Error(format!("cannot load the report: {e:#}")),
                    None => continue,
                },
                Request::Palette(seq, q) => {
                    if items.is_none() {
                        let loaded = match loading.as_ref().map(|rx| rx.try_recv()) {
                            Some(Err(TryRecvError::Empty)) => {
                                waiting = Some((seq, q));
                                continue;
                            }
                            Some(Ok(result)) => result,
                            // No loader, or it died: load here.
                            _ => match store.as_ref().map(|s| s.palette()) {
                                Some(Ok(m)) => Ok(m),
                                Some(Err(e)) => Err(format!("{e:#}")),
                                None => continue,
                            },
                        };
                        loading = None;
                        match loaded {
                            Ok(m) => items = Some(m),
                            Err(e) => {
                                let _ = out.send(wrap(Response::Error(format!("cannot read the index: {e}"))));
                                continue;
                            }
                        }
                    }
                    let Some(m) = items.as_mut() else { continue };
                    let hits = m.rank(&q, 200);
                    Response::Palette(seq, hits)
                }
                Request::View(q) => match store.as_ref().map(|s| super::views::fetch(s, q)) {
                    Some(Ok(data)) => Response::View(data),
                    Some(Err(e)) => Response::Error(format!("cannot read the index: {e:#}")),
                    None => continue,
                },
                Request::Search(seq, q) => match store.as_ref().map(|s| s.search(&q, 200)) {
                    Some(Ok(hits)) => Response::Search(seq, hits),
                    Some(Err(e)) => Response::Error(format!("search failed: {e:#}")),
                    None => continue,
                },
            };
            if out.send(wrap(resp)).is_err() {
                return;
            }
        }
    }
}

/// Which requests of a batch to run: all but the palette, search and
/// measure-group queries that a newer one of the same kind supersedes.
/// Their answers would be dropped anyway (the app keeps only the newest),
/// and each can take seconds on a large index: scrolling through the
/// figures view's measures queued one group per keystroke.
fn newest_only(batch: &[Request]) -> Vec<bool> {
    let kind = |r: &Request| match r {
        Request::Palette(..) => Some(0),
        Request::Search(..) => Some(1),
        Request::View(super::views::ViewQuery::Group(..)) => Some(2),
        _ => None,
    };
    let last: Vec<Option<usize>> = (0..3).map(|k| batch.iter().rposition(|r| kind(r) == Some(k))).collect();
    batch
        .iter()
        .enumerate()
        .map(|(i, r)| kind(r).is_none_or(|k| last[k] == Some(i)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::views::ViewQuery;

    #[test]
    fn only_the_newest_palette_search_and_group_query_of_a_batch_runs() {
        let group = |m: &str| Request::View(ViewQuery::Group(m.into(), Default::default()));
        let batch = [
            group("婚姻登记"),
            Request::Palette(1, "m".into()),
            Request::View(ViewQuery::Measures),
            Request::Search(1, "法".into()),
            group("临时救助"),
            Request::Report(3, Jump::Start),
            Request::Palette(2, "ma".into()),
            Request::Index,
            group("低保"),
            Request::View(ViewQuery::Measures),
            Request::Search(2, "法治".into()),
        ];
        assert_eq!(
            newest_only(&batch),
            [false, false, true, false, false, true, true, true, true, true, true]
        );
        assert_eq!(newest_only(&[]), Vec::<bool>::new());
    }
}
