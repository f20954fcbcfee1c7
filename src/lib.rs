//! fazhi: read Chinese government annual rule-of-law reports
//! (法治政府建设年度报告) — parse them, index them into SQLite, search and
//! browse them.
//!
//! - [`ingest`]: bytes → [`ingest::Report`] (pure).
//! - [`store`]: the SQLite index: schema, writer, reader.
//! - [`search`]: full-text query planning over the index.
//! - [`cli`]: the command-line interface.
//! - [`tui`]: the browser.
//! - [`config`]: the config file; [`log`]: the log file.
//! - [`corpus`]: a generator of realistic reports for benchmarks.
//! - [`alloc`]: the allocator (mimalloc), SQLite's included.

pub mod alloc;
pub mod cli;
pub mod config;
pub mod corpus;
pub mod ingest;
pub mod log;
pub mod regions;
pub mod search;
pub mod store;
pub mod tui;
