//! Full-text search planning. A query is a list of plain-text terms (split
//! at white space), all of which must occur in a paragraph. The FTS5
//! trigram index keeps no positions (schema 6), so a term of three or more
//! characters finds its candidates as the paragraphs holding each of its
//! trigrams (each a quoted one-token phrase, never FTS syntax). Every
//! candidate's text (decompressed, schema 8) is then checked for every term, which also
//! serves the shorter terms that trigrams cannot; with no long term, a scan
//! or the vocabulary narrows the search. Either way the set of hits is
//! exactly the set of paragraphs that contain every term.

mod codebook;
mod items;
pub mod pairs;
pub mod palette;
pub mod pinyin;

use std::ops::Range;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Query {
    pub terms: Vec<String>,
}

impl Query {
    pub fn parse(q: &str) -> Query {
        let mut terms: Vec<String> = Vec::new();
        // Control characters separate terms like spaces: a NUL would end
        // the FTS5 string early (found by fuzzing), and no report text
        // contains them (decoding removes them).
        for t in q.split(|c: char| c.is_whitespace() || c == '\u{3000}' || c.is_control()) {
            if !t.is_empty() && !terms.iter().any(|x| x == t) {
                terms.push(t.to_string());
            }
        }
        Query { terms }
    }

    pub fn is_empty(&self) -> bool {
        self.terms.is_empty()
    }

    /// Terms the trigram index can answer.
    pub fn long_terms(&self) -> impl Iterator<Item = &str> {
        self.terms.iter().map(String::as_str).filter(|t| t.chars().count() >= 3)
    }

    pub fn short_terms(&self) -> impl Iterator<Item = &str> {
        self.terms.iter().map(String::as_str).filter(|t| t.chars().count() < 3)
    }

    /// The FTS5 MATCH expression that finds the candidates: every distinct
    /// trigram of the long terms as a quoted one-token phrase (inner quotes
    /// doubled), joined by AND. A paragraph holding a term holds each of its
    /// trigrams, so no match is lost; one holding them apart is a candidate
    /// that the check of its text then drops. `None` when there is no long
    /// term.
    pub fn fts_match(&self) -> Option<String> {
        let mut trigrams: Vec<&str> = Vec::new();
        for t in self.long_terms() {
            let starts: Vec<usize> = t.char_indices().map(|(i, _)| i).chain([t.len()]).collect();
            for w in starts.windows(4) {
                let g = &t[w[0]..w[3]];
                if !trigrams.contains(&g) {
                    trigrams.push(g);
                }
            }
        }
        let phrases: Vec<String> = trigrams
            .iter()
            .map(|g| format!("\"{}\"", g.replace('"', "\"\"")))
            .collect();
        (!phrases.is_empty()).then(|| phrases.join(" AND "))
    }

    /// Does `text` contain every term? (The definition the index must match.)
    pub fn matches(&self, text: &str) -> bool {
        self.terms.iter().all(|t| text.contains(t.as_str()))
    }
}

/// Byte ranges of every occurrence of any term in `text`, merged and sorted.
pub fn match_ranges(text: &str, terms: &[String]) -> Vec<Range<usize>> {
    let mut ranges: Vec<Range<usize>> = Vec::new();
    for t in terms.iter().filter(|t| !t.is_empty()) {
        let mut from = 0;
        while let Some(i) = text[from..].find(t.as_str()) {
            let s = from + i;
            ranges.push(s..s + t.len());
            from = s + t.len();
        }
    }
    ranges.sort_by_key(|r| (r.start, r.end));
    let mut merged: Vec<Range<usize>> = Vec::new();
    for r in ranges {
        match merged.last_mut() {
            Some(last) if r.start <= last.end => last.end = last.end.max(r.end),
            _ => merged.push(r),
        }
    }
    merged
}

/// A window of about `width` characters around the first match, with the
/// matches' byte ranges relative to the snippet.
pub fn snippet(text: &str, terms: &[String], width: usize) -> (String, Vec<Range<usize>>) {
    let ranges = match_ranges(text, terms);
    let first = ranges.first().map_or(0, |r| r.start);
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let pos = chars.iter().position(|&(i, _)| i >= first).unwrap_or(0);
    let start_c = pos.saturating_sub(width / 3);
    let end_c = (start_c + width).min(chars.len());
    let start = chars.get(start_c).map_or(0, |c| c.0);
    let end = chars.get(end_c).map_or(text.len(), |c| c.0);
    let mut s = String::new();
    let offset = if start > 0 { "…".len() } else { 0 };
    if start > 0 {
        s.push('…');
    }
    s.push_str(&text[start..end]);
    if end < text.len() {
        s.push('…');
    }
    let inside = ranges
        .into_iter()
        .filter(|r| r.start >= start && r.end <= end)
        .map(|r| r.start - start + offset..r.end - start + offset)
        .collect();
    (s, inside)
}

/// Marks ranges in `s` with 【】 for plain-text output.
pub fn mark(s: &str, ranges: &[Range<usize>]) -> String {
    let mut out = String::with_capacity(s.len() + ranges.len() * 6);
    let mut at = 0;
    for r in ranges {
        out.push_str(&s[at..r.start]);
        out.push('【');
        out.push_str(&s[r.start..r.end]);
        out.push('】');
        at = r.end;
    }
    out.push_str(&s[at..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_terms_are_plain_text() {
        let q = Query::parse("婚姻登记  \"x\" AND 登记");
        assert_eq!(q.terms, vec!["婚姻登记", "\"x\"", "AND", "登记"]);
        assert_eq!(
            q.fts_match().as_deref(),
            Some("\"婚姻登\" AND \"姻登记\" AND \"\"\"x\"\"\" AND \"AND\"")
        );
        // Trigrams shared by terms are asked for once.
        assert_eq!(
            Query::parse("登记婚姻登记 婚姻登").fts_match().as_deref(),
            Some("\"登记婚\" AND \"记婚姻\" AND \"婚姻登\" AND \"姻登记\"")
        );
        assert_eq!(q.short_terms().collect::<Vec<_>>(), vec!["登记"]);
        assert!(Query::parse(" \u{3000} ").is_empty());
    }

    #[test]
    fn snippets_mark_matches() {
        let terms = vec!["婚姻登记".to_string()];
        let (s, r) = snippet("目前共办理婚姻登记2529件，其中结婚登记1617对", &terms, 10);
        assert_eq!(mark(&s, &r), "…共办理【婚姻登记】252…");
    }
}
