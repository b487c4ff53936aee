//! Runs a script of `;`-separated statements: each statement is parsed and run
//! on its own, so an error in one (reported with its line and column in the
//! script) does not stop the ones after it.

use super::format::{format_batches, OutputFormat};
use super::MAX_TABLE_ROWS;
use crate::error::QuarryError;
use crate::session::Session;
use sqlparser::dialect::GenericDialect;
use sqlparser::tokenizer::{Token, Tokenizer};
use std::io::Write;

/// Where results and errors go.
pub struct ScriptOutput<'a> {
    pub out: Box<dyn Write + 'a>,
    pub err: Box<dyn Write + 'a>,
}

impl ScriptOutput<'_> {
    pub fn stdio() -> Self {
        Self {
            out: Box::new(std::io::stdout()),
            err: Box::new(std::io::stderr()),
        }
    }
}

/// Splits a script at top-level `;` into statements, each with the line it
/// starts on (1-based). Text that does not tokenize stays one statement.
pub fn split_statements(text: &str) -> Vec<(String, u64)> {
    let Ok(tokens) = Tokenizer::new(&GenericDialect {}, text).tokenize_with_location() else {
        return vec![(text.to_string(), 1)];
    };
    let line_starts: Vec<usize> = std::iter::once(0)
        .chain(text.match_indices('\n').map(|(i, _)| i + 1))
        .collect();
    let offset_of = |line: u64, column: u64| -> usize {
        let start = line_starts
            .get(line.saturating_sub(1) as usize)
            .copied()
            .unwrap_or(text.len());
        text[start..]
            .char_indices()
            .nth(column.saturating_sub(1) as usize)
            .map_or(text.len(), |(i, _)| start + i)
    };
    let mut statements = vec![];
    let mut start = 0;
    for token in &tokens {
        if token.token == Token::SemiColon {
            let end = offset_of(token.span.start.line, token.span.start.column);
            statements.push(start..end + 1);
            start = end + 1;
        }
    }
    statements.push(start..text.len());
    statements
        .into_iter()
        .filter_map(|range| {
            let chunk = &text[range.clone()];
            let code = chunk.trim().trim_end_matches(';').trim();
            if code.is_empty() || is_only_comments(code) {
                return None;
            }
            // The statement starts at its first non-blank character.
            let leading = chunk.len() - chunk.trim_start().len();
            let line = text[..range.start + leading].matches('\n').count() as u64 + 1;
            Some((chunk.to_string(), line))
        })
        .collect()
}

fn is_only_comments(code: &str) -> bool {
    match Tokenizer::new(&GenericDialect {}, code).tokenize() {
        Ok(tokens) => tokens
            .iter()
            .all(|t| matches!(t, Token::Whitespace(_) | Token::SemiColon)),
        Err(_) => false,
    }
}

/// Runs every statement of `text`, printing results and errors; returns
/// whether all succeeded.
pub fn run_script(
    session: &mut Session,
    text: &str,
    format: OutputFormat,
    output: &mut ScriptOutput,
) -> bool {
    let mut ok = true;
    for (statement, first_line) in split_statements(text) {
        match session.sql(&statement) {
            Ok(result) => {
                if result.schema.fields().is_empty() {
                    continue;
                }
                let max_rows = if format == OutputFormat::Table {
                    MAX_TABLE_ROWS
                } else {
                    0
                };
                match format_batches(&result.schema, &result.batches, format, max_rows) {
                    Ok(text) => {
                        let _ = output.out.write_all(text.as_bytes());
                    }
                    Err(e) => {
                        ok = false;
                        let _ = writeln!(output.err, "Error: {e}");
                    }
                }
            }
            Err(error) => {
                ok = false;
                let _ = writeln!(
                    output.err,
                    "{}",
                    describe_error(&error, &statement, first_line)
                );
            }
        }
    }
    let _ = output.out.flush();
    ok
}

/// The error text; a parse error also shows the offending line with a caret,
/// its line number counted in the whole script.
pub fn describe_error(error: &QuarryError, statement: &str, first_line: u64) -> String {
    match error {
        QuarryError::Parse {
            message,
            line,
            column,
        } => {
            // `statement` may start with blank lines that `first_line` skipped.
            let skipped = statement.len() - statement.trim_start().len();
            let blank_lines = statement[..skipped].matches('\n').count() as u64;
            let script_line = first_line + line.saturating_sub(1).saturating_sub(blank_lines);
            let source = statement
                .lines()
                .nth(line.saturating_sub(1) as usize)
                .unwrap_or("");
            let caret = " ".repeat(column.saturating_sub(1) as usize);
            format!(
                "Error: Parser Error: {message} at line {script_line}, column {column}\n  {source}\n  {caret}^"
            )
        }
        other => format!("Error: {other}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statements_split_at_semicolons_outside_strings() {
        let parts = split_statements("SELECT ';';\nSELECT 2;\n\n-- done\n");
        assert_eq!(parts.len(), 2);
        assert_eq!(parts[0].0.trim(), "SELECT ';';");
        assert_eq!(parts[1].1, 2);
    }
}
