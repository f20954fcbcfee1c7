//! The command-line interface (clap). Each subcommand prints human text or,
//! with `--json`, a stable JSON document.
//!
//! Exit codes: 0 success, 1 error, 2 usage error, 3 indexing finished but
//! some files failed.

mod commands;
mod output;
mod views;
pub use output::sanitize;
pub use views::number;
mod parse;

use crate::config::Config;
use clap::{Args, CommandFactory, Parser, Subcommand};
use output::Out;
use std::ffi::OsString;
use std::path::PathBuf;
use std::process::ExitCode;

/// Exit code when an index run finished but some files could not be read.
pub const EXIT_SOME_FAILED: u8 = 3;

const EXAMPLES: &str = "Examples:
  fazhi sample-data                     index a folder and open the browser
  fazhi index ~/reports --prune         index (incremental), forget deleted files
  fazhi search 婚姻登记 法律顾问        paragraphs containing both words
  fazhi figures --label 婚姻登记 --csv  every figure about marriage registration
  fazhi show 茅箭区民政局 2023 --section 1.4
  fazhi parse report.txt --json         parse one file without an index

Files:
  index     $FAZHI_DB, else $XDG_DATA_HOME/fazhi/index.db (~/.local/share/fazhi/index.db)
  config    $FAZHI_CONFIG, else $XDG_CONFIG_HOME/fazhi/config.toml (~/.config/fazhi/config.toml)
  log       $FAZHI_LOG, else $XDG_STATE_HOME/fazhi/fazhi.log (~/.local/state/fazhi/fazhi.log)

Exit status: 0 ok, 1 error, 2 usage error, 3 indexed but some files failed.";

#[derive(Parser)]
#[command(
    name = "fazhi",
    version,
    about = "Read Chinese government annual rule-of-law reports (法治政府建设年度报告)",
    long_about = "Index folders of annual rule-of-law reports into SQLite, then browse them in the terminal, \
                  search their full text, and list their sections and figures.\n\n\
                  `fazhi PATH...` indexes the files and folders, then opens the browser; `fazhi` alone opens it.",
    allow_external_subcommands = true,
    after_help = EXAMPLES
)]
pub struct Cli {
    #[command(flatten)]
    global: Global,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Args, Clone)]
pub struct Global {
    /// The index database [default: the config's `database`, else
    /// $XDG_DATA_HOME/fazhi/index.db].
    #[arg(long, global = true, env = "FAZHI_DB", value_name = "PATH")]
    db: Option<PathBuf>,
    /// In the browser, append copied excerpts to FILE instead of the
    /// clipboard (for terminals without OSC 52; overrides the config).
    #[arg(long, global = true, value_name = "FILE")]
    copy_to: Option<PathBuf>,
    /// In the browser, leave the mouse to the terminal (select text natively).
    #[arg(long, global = true)]
    no_mouse: bool,
    /// Log more (-v debug, -vv trace) to the log file, and to stderr for
    /// commands other than the browser. RUST_LOG overrides.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    verbose: u8,
    /// The settings of the config file (loaded after parsing the arguments).
    #[arg(skip)]
    config: Config,
}

#[derive(Clone, Copy, clap::ValueEnum)]
pub enum PickKind {
    Bureau,
    Report,
    Section,
    Figure,
}

#[derive(Subcommand)]
enum Command {
    /// Index report files and folders (recursively) into the database.
    #[command(
        after_help = "Re-indexing is incremental: unchanged files are skipped, changed ones replaced. \
                            A file that cannot be read or parsed is reported and skipped; the rest are indexed.

Examples:
  fazhi index sample-data
  fazhi index ~/reports/2023 ~/reports/2024 --prune
  fazhi --db /tmp/test.db index report.txt --json"
    )]
    Index {
        /// Files and folders of reports (.txt, .html, .htm, .md).
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
    #[command(after_help = "Examples:
  fazhi parse report.txt
  fazhi parse sample-data/*.txt --json | jq '.[].bureau'")]
    Parse {
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Print a JSON array, one object per file (a stable interface, see README).
        #[arg(long)]
        json: bool,
    },
    /// Search the full text of every indexed report (all terms must occur).
    #[command(
        after_help = "Terms are plain text: quotes, *, -, AND, NEAR and brackets are searched for as written.

Examples:
  fazhi search 婚姻登记
  fazhi search 法律顾问 合同 --limit 50
  fazhi search 低保 --json"
    )]
    Search {
        /// Words to find; separate several with spaces. `-` reads queries
        /// from stdin, one per line.
        #[arg(required = true, num_args = 1..)]
        query: Vec<String>,
        /// At most this many paragraphs (per query).
        #[arg(long, default_value_t = 20)]
        limit: usize,
        /// Print the hits as JSON.
        #[arg(long)]
        json: bool,
        /// Print each query's time on stderr (opening the index excluded).
        #[arg(long)]
        timings: bool,
    },
    /// Rank bureaus, reports, sections and figures by a fuzzy query, as the
    /// browser's palette does.
    #[command(
        after_help = "Prefixes narrow the kind as in the palette: @ bureaus, ! reports, # sections, $ figures.

Examples:
  fazhi pick 茅箭民政
  fazhi pick 婚姻登记 --kind figure --limit 5 --json
  printf '民政\\n法治宣传\\n' | fazhi pick - --timings > /dev/null"
    )]
    Pick {
        /// The query; `-` reads queries from stdin, one per line.
        #[arg(required = true)]
        query: String,
        /// Only this kind of item.
        #[arg(long, value_enum)]
        kind: Option<PickKind>,
        /// At most this many results (per query).
        #[arg(long, default_value_t = 20)]
        limit: usize,
        /// Print JSON.
        #[arg(long)]
        json: bool,
        /// Print each query's time on stderr (loading the items excluded).
        #[arg(long)]
        timings: bool,
        /// Give every item a text of its own, as if no two items shared
        /// one: the palette's worst case, for measuring.
        #[arg(long, hide = true)]
        unshared: bool,
    },
    /// Write N generated reports into DIR (for benchmarks and scale tests).
    #[command(hide = true)]
    GenCorpus {
        n: u64,
        dir: PathBuf,
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
    /// List figures (quantities) found in the reports.
    #[command(after_help = "Examples:
  fazhi figures --bureau 茅箭 --year 2023
  fazhi figures --label 婚姻登记 --csv > marriages.csv
  fazhi figures --group                       measures and how many reports state them
  fazhi figures --label 婚姻登记 --group --csv  every report's value, in base units")]
    Figures {
        /// Only bureaus whose name contains this.
        #[arg(long)]
        bureau: Option<String>,
        /// Only reports on this year.
        #[arg(long)]
        year: Option<i32>,
        /// Only figures whose label contains this.
        #[arg(long)]
        label: Option<String>,
        /// At most this many figures.
        #[arg(long)]
        limit: Option<usize>,
        /// Group figures by what they measure: with --label, every figure of
        /// that measure with its value in the base unit; without, the
        /// measures and their counts.
        #[arg(long)]
        group: bool,
        /// With --group: only bureaus in this province, city or county.
        #[arg(long, requires = "group")]
        region: Option<String>,
        /// With --group: only this department type (民政, 司法 …).
        #[arg(long, requires = "group")]
        department: Option<String>,
        /// Print JSON.
        #[arg(long, conflicts_with = "csv")]
        json: bool,
        /// Print CSV (cells that a spreadsheet would run as formulas are escaped).
        #[arg(long)]
        csv: bool,
    },
    /// Which statutory parts each report covers, where, and whether it was
    /// published by 1 April of the following year.
    #[command(
        after_help = "Parts: 举措 measures, 不足 shortcomings, 责任人 leadership (the first-responsible \
                            person's duties), 安排 plans, 其他 other. A part is a section of its own (§), mentioned \
                            inline in a subheading or point (~), or missing (-).

Examples:
  fazhi audit
  fazhi audit --year 2023 --csv > coverage.csv
  fazhi audit --region 湖北 --department 民政 --json"
    )]
    Audit {
        /// Only reports on this year.
        #[arg(long)]
        year: Option<i32>,
        /// Only bureaus in this province, city or county (湖北, 十堰 …).
        #[arg(long)]
        region: Option<String>,
        /// Only this department type (民政, 司法, 人民政府 …).
        #[arg(long)]
        department: Option<String>,
        /// Print JSON.
        #[arg(long, conflicts_with = "csv")]
        json: bool,
        /// Print CSV.
        #[arg(long)]
        csv: bool,
    },
    /// Show a report's outline, or one section's text with --section.
    #[command(after_help = "Examples:
  fazhi show 茅箭区民政局
  fazhi show 茅箭 2023 --section 2.3
  fazhi show 茅箭 2023 --json")]
    Show {
        /// The bureau (its name or part of it).
        bureau: String,
        /// The report year; required when the bureau has several reports.
        year: Option<i32>,
        /// Section path such as 2 or 2.3 (the third subsection of the second section).
        #[arg(long)]
        section: Option<String>,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// List bureaus and their reports by year.
    #[command(after_help = "Examples:\n  fazhi bureaus\n  fazhi bureaus --json")]
    Bureaus {
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Show the config file in effect, or print a commented default config.
    #[command(after_help = "Examples:
  fazhi config
  fazhi config --print-default > ~/.config/fazhi/config.toml")]
    Config {
        /// Print the default config, every setting explained.
        #[arg(long)]
        print_default: bool,
    },
    /// Print a shell completion script.
    #[command(after_help = "Examples:
  fazhi completions bash > ~/.local/share/bash-completion/completions/fazhi
  fazhi completions zsh > ~/.zfunc/_fazhi        # with fpath+=(~/.zfunc) in .zshrc
  fazhi completions fish > ~/.config/fish/completions/fazhi.fish")]
    Completions { shell: clap_complete::Shell },
    /// Print the man page (roff), or write one page per command into a folder.
    #[command(after_help = "Examples:
  fazhi man | man -l -
  fazhi man --dir ~/.local/share/man/man1")]
    Man {
        /// Write fazhi.1 and fazhi-COMMAND.1 pages into this folder.
        #[arg(long, value_name = "DIR")]
        dir: Option<PathBuf>,
    },
    /// `fazhi PATH...`: index these files or folders, then open the index.
    #[command(external_subcommand)]
    Paths(Vec<OsString>),
}

pub fn main() -> ExitCode {
    // Before any thread, and before SQLite is first used.
    crate::alloc::set_up();
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

/// The man page of fazhi, or with `dir` one page per command.
fn man(dir: Option<&std::path::Path>, out: &mut Out) -> anyhow::Result<()> {
    use anyhow::Context;
    let cmd = Cli::command();
    let Some(dir) = dir else {
        let mut buf = Vec::new();
        clap_mangen::Man::new(cmd).render(&mut buf)?;
        return Ok(out.raw(&buf)?);
    };
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    clap_mangen::generate_to(cmd, dir).with_context(|| format!("cannot write man pages into {}", dir.display()))?;
    Ok(out.line(&format!("man pages written to {}", dir.display()))?)
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain()
        .filter_map(|c| c.downcast_ref::<std::io::Error>())
        .any(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
}

fn run(cli: Cli, out: &mut Out) -> anyhow::Result<u8> {
    let mut g = cli.global;
    let browser = matches!(cli.command, None | Some(Command::Paths(_)));
    crate::log::init(g.verbose, !browser);
    // These work whatever the config file says (they help fix it).
    match &cli.command {
        Some(Command::Config { print_default: true }) => {
            out.line(Config::default_text().trim_end())?;
            return Ok(0);
        }
        Some(Command::Completions { shell }) => {
            let mut buf = Vec::new();
            clap_complete::generate(*shell, &mut Cli::command(), "fazhi", &mut buf);
            out.raw(&buf)?;
            return Ok(0);
        }
        Some(Command::Man { dir }) => {
            man(dir.as_deref(), out)?;
            return Ok(0);
        }
        _ => {}
    }
    let (config, config_file) = Config::load()?;
    tracing::debug!(config = ?config_file, "settings loaded");
    g.config = config;
    let code = match cli.command {
        Some(Command::Config { .. }) => {
            out.line(crate::config::describe(&g.config, config_file.as_deref()).trim_end())?;
            0
        }
        Some(Command::Completions { .. } | Command::Man { .. }) => 0,
        Some(Command::Parse { files, json }) => u8::from(!parse::run(&files, json, out)?),
        Some(Command::Index { paths, prune, json }) => commands::index(&g, &paths, prune, json, out)?,
        Some(Command::Search {
            query,
            limit,
            json,
            timings,
        }) => commands::search(&g, &query, limit, json, timings, out)?,
        Some(Command::Pick {
            query,
            kind,
            limit,
            json,
            timings,
            unshared,
        }) => commands::pick(
            &g,
            &query,
            commands::PickOptions {
                kind,
                limit,
                json,
                timings,
                unshared,
            },
            out,
        )?,
        Some(Command::GenCorpus { n, dir, seed }) => commands::gen_corpus(n, &dir, seed, out)?,
        Some(Command::Figures {
            bureau,
            year,
            label,
            limit,
            group,
            region,
            department,
            json,
            csv,
        }) => {
            if group {
                let filter = crate::store::views::ReportFilter {
                    year,
                    region,
                    department,
                };
                views::figure_groups(&g, label.as_deref(), &filter, bureau.as_deref(), limit, json, csv, out)?
            } else {
                commands::figures(&g, bureau, year, label, limit, json, csv, out)?
            }
        }
        Some(Command::Audit {
            year,
            region,
            department,
            json,
            csv,
        }) => {
            let filter = crate::store::views::ReportFilter {
                year,
                region,
                department,
            };
            views::audit(&g, &filter, json, csv, out)?
        }
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
