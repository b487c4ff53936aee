//! Tab completion in the shell: SQL keywords, table names and column names,
//! matched case-insensitively against the word under the cursor.

use crate::session::Session;
use rustyline::completion::{Completer, Pair};
use rustyline::highlight::Highlighter;
use rustyline::hint::Hinter;
use rustyline::validate::Validator;
use rustyline::{Context, Helper};

const KEYWORDS: &[&str] = &[
    "SELECT",
    "FROM",
    "WHERE",
    "GROUP",
    "BY",
    "HAVING",
    "ORDER",
    "LIMIT",
    "OFFSET",
    "AS",
    "AND",
    "OR",
    "NOT",
    "NULL",
    "IS",
    "IN",
    "BETWEEN",
    "LIKE",
    "ILIKE",
    "CASE",
    "WHEN",
    "THEN",
    "ELSE",
    "END",
    "CAST",
    "DISTINCT",
    "UNION",
    "ALL",
    "ASC",
    "DESC",
    "NULLS",
    "FIRST",
    "LAST",
    "CREATE",
    "TABLE",
    "VIEW",
    "INSERT",
    "INTO",
    "VALUES",
    "DROP",
    "SHOW",
    "TABLES",
    "DESCRIBE",
    "EXPLAIN",
    "WITH",
    "DATE",
    "INTERVAL",
    "EXTRACT",
    "SUBSTRING",
    "COUNT",
    "SUM",
    "AVG",
    "MIN",
    "MAX",
    "COALESCE",
    "read_parquet",
    "read_csv",
];

pub struct ReplHelper {
    words: Vec<String>,
}

impl ReplHelper {
    pub fn new(session: &mut Session) -> Self {
        let mut helper = Self { words: vec![] };
        helper.refresh(session);
        helper
    }

    /// Re-reads table and column names (after DDL).
    pub fn refresh(&mut self, session: &mut Session) {
        let mut words: Vec<String> = KEYWORDS.iter().map(|k| k.to_string()).collect();
        for (name, entry) in session.catalog().entries() {
            words.push(name.clone());
            if let crate::catalog::CatalogEntry::Table(source) = entry {
                words.extend(source.schema().fields().iter().map(|f| f.name().clone()));
            }
        }
        words.sort();
        words.dedup();
        self.words = words;
    }
}

impl Completer for ReplHelper {
    type Candidate = Pair;

    fn complete(
        &self,
        line: &str,
        pos: usize,
        _: &Context<'_>,
    ) -> rustyline::Result<(usize, Vec<Pair>)> {
        let start = line[..pos]
            .rfind(|c: char| !(c.is_alphanumeric() || c == '_'))
            .map_or(0, |i| i + 1);
        let prefix = &line[start..pos];
        if prefix.is_empty() {
            return Ok((pos, vec![]));
        }
        let lower = prefix.to_lowercase();
        let candidates = self
            .words
            .iter()
            .filter(|w| w.to_lowercase().starts_with(&lower))
            .map(|w| {
                // Keep the user's case for keywords.
                let replacement = if prefix.chars().all(|c| c.is_lowercase() || c == '_')
                    && w.chars().all(|c| c.is_uppercase() || c == '_')
                {
                    w.to_lowercase()
                } else {
                    w.clone()
                };
                Pair {
                    display: w.clone(),
                    replacement,
                }
            })
            .collect();
        Ok((start, candidates))
    }
}

impl Hinter for ReplHelper {
    type Hint = String;
}
impl Highlighter for ReplHelper {}
impl Validator for ReplHelper {}
impl Helper for ReplHelper {}
