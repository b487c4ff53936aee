//! Tab completion in the shell: SQL keywords, table names and column names,
//! matched case-insensitively against the word under the cursor; dot
//! commands at the start of a line, and parameter names after `$` and
//! `.param set`.

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
    "PREPARE",
    "EXECUTE",
    "DEALLOCATE",
];

/// The shell's dot commands, completed at the start of a line.
const COMMANDS: &[&str] = &[
    ".help", ".tables", ".schema", ".timer", ".mode", ".read", ".param", ".quit", ".exit",
];

const PARAM_SUBCOMMANDS: &[&str] = &["set", "list", "clear"];

pub struct ReplHelper {
    words: Vec<String>,
    /// Names bound with `.param set`, completed after `$`.
    parameters: Vec<String>,
}

impl ReplHelper {
    pub fn new(session: &mut Session) -> Self {
        let mut helper = Self {
            words: vec![],
            parameters: vec![],
        };
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
        self.parameters = session.parameter_values().map(|(n, _)| n.clone()).collect();
    }

    /// Candidates for the word `prefix` that starts at byte `start` of `line`.
    fn candidates(&self, line: &str, start: usize, prefix: &str) -> Vec<Pair> {
        let exact = |options: &mut dyn Iterator<Item = &str>| {
            options
                .filter(|o| o.starts_with(prefix))
                .map(|o| Pair {
                    display: o.to_string(),
                    replacement: o.to_string(),
                })
                .collect()
        };
        let before = &line[..start];
        if before.trim_start() == "." {
            return exact(&mut COMMANDS.iter().map(|c| &c[1..]));
        }
        if before.trim_end() == ".param" {
            return exact(&mut PARAM_SUBCOMMANDS.iter().copied());
        }
        if before.ends_with('$') || before.trim_end() == ".param set" {
            return exact(&mut self.parameters.iter().map(String::as_str));
        }
        let lower = prefix.to_lowercase();
        self.words
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
            .collect()
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
        let candidates = self.candidates(line, start, prefix);
        Ok((start, candidates))
    }
}

impl Hinter for ReplHelper {
    type Hint = String;
}
impl Highlighter for ReplHelper {}
impl Validator for ReplHelper {}
impl Helper for ReplHelper {}

#[cfg(test)]
mod tests {
    use super::*;

    fn complete(helper: &ReplHelper, line: &str) -> Vec<String> {
        let start = line
            .rfind(|c: char| !(c.is_alphanumeric() || c == '_'))
            .map_or(0, |i| i + 1);
        helper
            .candidates(line, start, &line[start..])
            .into_iter()
            .map(|p| p.replacement)
            .collect()
    }

    #[test]
    fn dot_commands_and_parameters_complete() {
        let mut session = Session::new().unwrap();
        session.set_parameter("region", "ASIA").unwrap();
        let helper = ReplHelper::new(&mut session);
        assert_eq!(complete(&helper, ".pa"), vec!["param"]);
        assert_eq!(complete(&helper, ".param cl"), vec!["clear"]);
        assert_eq!(complete(&helper, ".param set re"), vec!["region"]);
        assert_eq!(complete(&helper, "SELECT $re"), vec!["region"]);
        assert!(complete(&helper, "PREP").contains(&"PREPARE".to_string()));
    }
}
