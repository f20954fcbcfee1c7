//! How a report's coverage of the statutory parts is stored (schema 11).
//!
//! As JSON it took 475 bytes a report in a UTF-16 index, more than the
//! rest of the report's row together. The stored form names the parts by
//! their place in [`Part::ALL`] and each status by a letter: one entry a
//! part, separated by `;`, each the status's letter (`s` section, `i`
//! inline, `m` missing) and the ords of the sections where the part is
//! found, separated by `,`. So `s0;s16;i3,5;s17;m` is 16 characters.
//! Readers get back the JSON that `fazhi parse --json` prints.

use crate::ingest::{Part, PartCoverage};
use anyhow::{Context, Result, bail};
use std::collections::BTreeMap;

/// The statuses a part can have, with their stored letters.
const STATUSES: [(&str, char); 3] = [("section", 's'), ("inline", 'i'), ("missing", 'm')];

/// One part's coverage as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredPart {
    pub part: Part,
    pub status: &'static str,
    pub sections: Vec<usize>,
}

/// The stored form of a report's coverage. A part the map lacks is
/// stored as missing; a status the store does not know is an error.
pub fn encode(parts: &BTreeMap<Part, PartCoverage>) -> Result<String> {
    let mut out = String::new();
    for (i, part) in Part::ALL.into_iter().enumerate() {
        if i > 0 {
            out.push(';');
        }
        let (status, sections) = parts
            .get(&part)
            .map_or(("missing", &[][..]), |c| (c.status, &c.sections[..]));
        out.push(letter(status).with_context(|| format!("part {}", part.name()))?);
        let numbers: Vec<String> = sections.iter().map(usize::to_string).collect();
        out.push_str(&numbers.join(","));
    }
    Ok(out)
}

fn letter(status: &str) -> Result<char> {
    match STATUSES.iter().find(|s| s.0 == status) {
        Some(&(_, l)) => Ok(l),
        None => bail!("unknown coverage status {status:?}"),
    }
}

/// Every part's coverage, in [`Part::ALL`] order; an error (never a
/// panic) when the stored value is damaged.
pub fn decode(stored: &str) -> Result<Vec<StoredPart>> {
    let entries: Vec<&str> = stored.split(';').collect();
    if entries.len() != Part::ALL.len() {
        bail!(
            "stored coverage {stored:?} has {} parts, not {}",
            entries.len(),
            Part::ALL.len()
        );
    }
    Part::ALL
        .into_iter()
        .zip(entries)
        .map(|(part, entry)| {
            let mut chars = entry.chars();
            let l = chars.next();
            let Some(&(status, _)) = STATUSES.iter().find(|s| Some(s.1) == l) else {
                bail!("stored coverage {stored:?}: part {} has no known status", part.name());
            };
            let rest = chars.as_str();
            let sections = if rest.is_empty() {
                Vec::new()
            } else {
                rest.split(',')
                    .map(|n| n.parse::<usize>())
                    .collect::<Result<_, _>>()
                    .with_context(|| format!("stored coverage {stored:?}: part {}'s sections", part.name()))?
            };
            Ok(StoredPart { part, status, sections })
        })
        .collect()
}

/// The coverage as the JSON object a parsed report prints.
pub fn to_json(parts: &[StoredPart]) -> serde_json::Value {
    parts
        .iter()
        .map(|p| {
            (
                p.part.name().to_string(),
                serde_json::json!({ "status": p.status, "sections": p.sections }),
            )
        })
        .collect::<serde_json::Map<_, _>>()
        .into()
}

/// The stored form of coverage stored as JSON (schema 10 and before).
pub fn from_json(json: &str) -> Result<String> {
    let v: serde_json::Value = serde_json::from_str(json).context("stored coverage is not valid JSON")?;
    let mut out = String::new();
    for (i, part) in Part::ALL.into_iter().enumerate() {
        if i > 0 {
            out.push(';');
        }
        let entry = &v[part.name()];
        out.push(
            letter(entry["status"].as_str().unwrap_or("missing")).with_context(|| format!("part {}", part.name()))?,
        );
        let numbers: Vec<String> = entry["sections"]
            .as_array()
            .map(|a| a.iter().filter_map(|n| n.as_u64()).map(|n| n.to_string()).collect())
            .unwrap_or_default();
        out.push_str(&numbers.join(","));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn coverage(entries: &[(Part, &'static str, &[usize])]) -> BTreeMap<Part, PartCoverage> {
        entries
            .iter()
            .map(|&(p, status, sections)| {
                (
                    p,
                    PartCoverage {
                        status,
                        sections: sections.to_vec(),
                    },
                )
            })
            .collect()
    }

    #[test]
    fn coverage_comes_back_as_the_parser_printed_it() {
        let parts = coverage(&[
            (Part::Measures, "section", &[0]),
            (Part::Shortcomings, "section", &[16]),
            (Part::Leadership, "inline", &[3, 5]),
            (Part::Plans, "section", &[17]),
            (Part::Other, "missing", &[]),
        ]);
        let stored = encode(&parts).unwrap();
        assert_eq!(stored, "s0;s16;i3,5;s17;m");
        let back = decode(&stored).unwrap();
        assert_eq!(
            to_json(&back),
            serde_json::to_value(&parts).unwrap(),
            "the JSON readers get is the parser's"
        );
        // The JSON of older indexes converts to the same stored form.
        assert_eq!(from_json(&serde_json::to_string(&parts).unwrap()).unwrap(), stored);
        // A part the parser left out is missing.
        let fewer = coverage(&[(Part::Plans, "inline", &[2])]);
        assert_eq!(encode(&fewer).unwrap(), "m;m;m;i2;m");
    }

    #[test]
    fn damaged_coverage_is_an_error() {
        for bad in [
            "",
            "s0;s1",
            "s0;s1;s2;s3;s4;s5",
            "x;m;m;m;m",
            "s0,a;m;m;m;m",
            "s0,,1;m;m;m;m",
            "s-1;m;m;m;m",
        ] {
            assert!(decode(bad).is_err(), "{bad:?}");
        }
        assert!(from_json("{").is_err());
        assert!(from_json(r#"{"measures":{"status":"sideways","sections":[]}}"#).is_err());
        let odd = coverage(&[(Part::Other, "sideways", &[])]);
        assert!(format!("{:#}", encode(&odd).unwrap_err()).contains("sideways"));
    }
}
