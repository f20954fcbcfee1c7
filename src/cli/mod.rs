//! The command-line interface (clap). Each subcommand prints human text or,
//! with `--json`, a stable JSON document.
//!
//! Exit codes: 0 success, 1 error, 2 usage error, 3 indexing finished but
//! some files failed.

mod commands;
mod output;
pub use output::sanitize;
mod parse;

use clap::{Args, Parser, Subcommand};
use output::Out;
use std::ffi::OsString;
use std::path::PathBuf;
use std::process::ExitCode;

/// Exit code when an index run finished but some files could not be read.
pub const EXIT_SOME_FAILED: u8 = 3;

#[derive(Parser)]
#[command(
    name = "fazhi",
    version,
    about = "Read Chinese government annual rule-of-law reports (法治政府建设年度报告)",
    long_about = "Index folders of annual rule-of-law reports into SQLite, then search, list and show their\n\
                  sections and figures. `fazhi PATH...` indexes and opens the index.",
    allow_external_subcommands = true,
    after_help = "Examples:\n  fazhi index sample-data\n  fazhi search 婚姻登记\n  fazhi figures --label 婚姻登记 --csv\n  fazhi show 茅箭区民政局 2023 --section 1.4\n  fazhi parse report.txt --json"
)]
pub struct Cli {
    #[command(flatten)]
    global: Global,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Args, Clone)]
pub struct Global {
    /// The index database [default: $XDG_DATA_HOME/fazhi/index.db].
    #[arg(long, global = true, env = "FAZHI_DB", value_name = "PATH")]
    db: Option<PathBuf>,
    /// In the browser, append copied excerpts to FILE instead of the
    /// clipboard (for terminals without OSC 52).
    #[arg(long, global = true, value_name = "FILE")]
    copy_to: Option<PathBuf>,
    /// In the browser, leave the mouse to the terminal (select text natively).
    #[arg(long, global = true)]
    no_mouse: bool,
}

#[derive(Subcommand)]
enum Command {
    /// Index report files and folders (recursively) into the database.
    #[command(after_help = "Re-indexing is incremental: unchanged files are skipped, changed ones replaced.")]
    Index {
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// Remove reports whose files under these folders are gone.
        #[arg(long)]
        prune: bool,
        /// Print the summary as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Parse report files without a database and print what was found.
    Parse {
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Print a JSON array, one object per file (a stable interface, see README).
        #[arg(long)]
        json: bool,
    },
    /// Search the full text of every indexed report (all terms must occur).
    Search {
        /// Words to find; separate several with spaces.
        #[arg(required = true, num_args = 1..)]
        query: Vec<String>,
        #[arg(long, default_value_t = 20)]
        limit: usize,
        #[arg(long)]
        json: bool,
    },
    /// List figures (quantities) found in the reports.
    Figures {
        /// Only bureaus whose name contains this.
        #[arg(long)]
        bureau: Option<String>,
        #[arg(long)]
        year: Option<i32>,
        /// Only figures whose label contains this.
        #[arg(long)]
        label: Option<String>,
        #[arg(long)]
        limit: Option<usize>,
        #[arg(long, conflicts_with = "csv")]
        json: bool,
        #[arg(long)]
        csv: bool,
    },
    /// Show a report's outline, or one section's text with --section.
    Show {
        /// The bureau (its name or part of it).
        bureau: String,
        /// The report year; required when the bureau has several reports.
        year: Option<i32>,
        /// Section path such as 2 or 2.3 (the third subsection of the second section).
        #[arg(long)]
        section: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// List bureaus and their reports by year.
    Bureaus {
        #[arg(long)]
        json: bool,
    },
    /// `fazhi PATH...`: index these files or folders, then open the index.
    #[command(external_subcommand)]
    Paths(Vec<OsString>),
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let mut out = Out::default();
    let result = run(cli, &mut out);
    let _ = out.flush();
    match result {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            if is_broken_pipe(&e) {
                return ExitCode::SUCCESS;
            }
            out.err(&format!("error: {e:#}"));
            ExitCode::from(1)
        }
    }
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain()
        .filter_map(|c| c.downcast_ref::<std::io::Error>())
        .any(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
}

fn run(cli: Cli, out: &mut Out) -> anyhow::Result<u8> {
    let g = cli.global;
    let code = match cli.command {
        Some(Command::Parse { files, json }) => u8::from(!parse::run(&files, json, out)?),
        Some(Command::Index { paths, prune, json }) => commands::index(&g, &paths, prune, json, out)?,
        Some(Command::Search { query, limit, json }) => commands::search(&g, &query.join(" "), limit, json, out)?,
        Some(Command::Figures {
            bureau,
            year,
            label,
            limit,
            json,
            csv,
        }) => commands::figures(&g, bureau, year, label, limit, json, csv, out)?,
        Some(Command::Show {
            bureau,
            year,
            section,
            json,
        }) => commands::show(&g, &bureau, year, section.as_deref(), json, out)?,
        Some(Command::Bureaus { json }) => commands::bureaus(&g, json, out)?,
        Some(Command::Paths(paths)) => {
            let paths: Vec<PathBuf> = paths.into_iter().map(PathBuf::from).collect();
            if let Some(missing) = paths.iter().find(|p| !p.exists()) {
                anyhow::bail!(
                    "{} is neither a file or folder nor a fazhi command (see `fazhi --help`)",
                    missing.display()
                );
            }
            commands::open(&g, &paths, out)?
        }
        None => commands::open(&g, &[], out)?,
    };
    Ok(code)
}
