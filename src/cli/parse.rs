//! `fazhi parse FILE... [--json]`: parse without a database.

use crate::cli::output::{Out, sanitize};
use crate::ingest::{self, Report};
use crate::store::reader::year_label;
use anyhow::{Context, Result};
use serde::Serialize;
use std::path::{Path, PathBuf};

#[derive(Serialize)]
struct Parsed<'a> {
    path: String,
    #[serde(flatten)]
    report: &'a Report,
}

#[derive(Serialize)]
struct Failed {
    path: String,
    error: String,
}

pub fn run(files: &[PathBuf], json: bool, out: &mut Out) -> Result<bool> {
    let mut ok = true;
    let mut items: Vec<serde_json::Value> = Vec::new();
    for path in files {
        let result = std::fs::read(path)
            .with_context(|| format!("{}: cannot read", path.display()))
            .and_then(|b| ingest::parse_bytes(&b).map_err(|e| anyhow::anyhow!("{}: {e}", path.display())));
        match result {
            Ok(report) => {
                if json {
                    items.push(serde_json::to_value(Parsed {
                        path: path.display().to_string(),
                        report: &report,
                    })?);
                } else {
                    print_report(path, &report, out)?;
                }
            }
            Err(e) => {
                ok = false;
                if json {
                    items.push(serde_json::to_value(Failed {
                        path: path.display().to_string(),
                        error: format!("{e:#}"),
                    })?);
                } else {
                    out.err(&format!("error: {e:#}"));
                }
            }
        }
    }
    if json {
        out.line(&serde_json::to_string_pretty(&items)?)?;
    }
    Ok(ok)
}

fn print_report(path: &Path, r: &Report, out: &mut Out) -> Result<()> {
    out.line(&sanitize(&path.display().to_string()).to_string())?;
    out.line(&format!(
        "  bureau {} · year {} · published {} · {}",
        r.bureau.as_deref().unwrap_or("?"),
        year_label(r.year),
        r.published.as_deref().unwrap_or("?"),
        r.encoding
    ))?;
    if let Some(t) = &r.title {
        out.line(&format!("  title  {t}"))?;
    }
    let coverage: Vec<String> = r
        .parts
        .iter()
        .map(|(p, c)| format!("{} {}", p.name(), c.status))
        .collect();
    out.line(&format!("  parts  {}", coverage.join(" · ")))?;
    for w in &r.warnings {
        out.line(&format!("  warning: {w}"))?;
    }
    for (i, s) in r.sections.iter().enumerate() {
        let indent = "  ".repeat(s.level as usize);
        let parts = if s.parts.is_empty() {
            String::new()
        } else {
            format!(
                "  [{}]",
                s.parts.iter().map(|p| p.name()).collect::<Vec<_>>().join(", ")
            )
        };
        out.line(&format!("{indent}{} {}{parts}", s.number, s.title))?;
        for f in r.figures.iter().filter(|f| f.section == Some(i)) {
            out.line(&format!("{indent}    · {}  {}", f.label, f.text))?;
        }
    }
    out.line("")?;
    Ok(())
}
