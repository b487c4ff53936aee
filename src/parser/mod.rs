//! SQL text to sqlparser-rs statements. Added here: the error (a parse
//! failure becomes `QuarryError::Parse` with its line and column), Spark's
//! EXPLAIN forms, and `?` placeholders numbered like `$1`.

use crate::error::{QuarryError, Result};
use sqlparser::ast::Statement;
use sqlparser::dialect::GenericDialect;
use sqlparser::parser::{Parser, ParserError};
use sqlparser::tokenizer::{Token, TokenWithSpan, Tokenizer};

/// Parses one or more `;`-separated statements. `EXPLAIN EXTENDED q` and
/// `EXPLAIN COST q` (Spark's forms) are read as `EXPLAIN (EXTENDED) q`.
pub fn parse_sql(sql: &str) -> Result<Vec<Statement>> {
    let dialect = GenericDialect {};
    let tokens = Tokenizer::new(&dialect, sql)
        .tokenize_with_location()
        .map_err(|e| parse_error(sql, e.into()))?;
    let tokens = number_question_marks(explain_options_in_parentheses(tokens));
    let tokens = duckdb_forms(tokens);
    Parser::new(&dialect)
        .with_tokens_with_locations(tokens)
        .parse_statements()
        .map_err(|error| parse_error(sql, error))
}

/// `EXPLAIN EXTENDED` / `EXPLAIN COST` ==> `EXPLAIN (EXTENDED)` / `EXPLAIN (COST)`.
fn explain_options_in_parentheses(tokens: Vec<TokenWithSpan>) -> Vec<TokenWithSpan> {
    let mut out: Vec<TokenWithSpan> = Vec::with_capacity(tokens.len());
    let mut after_explain = false;
    for token in tokens {
        let word = match &token.token {
            Token::Word(w) => Some(w.value.to_uppercase()),
            _ => None,
        };
        match word.as_deref() {
            Some("EXTENDED" | "COST") if after_explain => {
                let span = token.span;
                out.push(TokenWithSpan::new(Token::LParen, span));
                out.push(token);
                out.push(TokenWithSpan::new(Token::RParen, span));
                after_explain = false;
                continue;
            }
            Some(w) => after_explain = w == "EXPLAIN",
            None if matches!(token.token, Token::Whitespace(_)) => {}
            None => after_explain = false,
        }
        out.push(token);
    }
    out
}

/// DuckDB's spellings GenericDialect does not read:
/// - `RESET SESSION x` ==> `RESET x`;
/// - `top` as a column alias right after `)` (`SELECT (..) top FROM`): a
///   TOP clause can only follow SELECT, so there it is a name.
fn duckdb_forms(tokens: Vec<TokenWithSpan>) -> Vec<TokenWithSpan> {
    let mut out: Vec<TokenWithSpan> = Vec::with_capacity(tokens.len());
    let significant = |tokens: &[TokenWithSpan]| {
        tokens
            .iter()
            .rev()
            .find(|t| !matches!(t.token, Token::Whitespace(_)))
            .map(|t| t.token.clone())
    };
    for mut token in tokens {
        if let Token::Word(word) = &token.token {
            let upper = word.value.to_uppercase();
            let previous = significant(&out);
            if upper == "SESSION" && word.quote_style.is_none() {
                let before_reset = matches!(&previous, Some(Token::Word(w)) if w.value.eq_ignore_ascii_case("RESET"));
                if before_reset {
                    continue;
                }
            }
            if upper == "TOP" && word.quote_style.is_none() && previous == Some(Token::RParen) {
                let mut quoted = word.clone();
                quoted.quote_style = Some('"');
                quoted.keyword = sqlparser::keywords::Keyword::NoKeyword;
                token.token = Token::Word(quoted);
            }
        }
        out.push(token);
    }
    out
}

/// `?` ==> `$1`, `$2`, ... in the order written, counted per statement, so
/// the binder sees every positional parameter by its number.
fn number_question_marks(mut tokens: Vec<TokenWithSpan>) -> Vec<TokenWithSpan> {
    let mut count = 0;
    for token in &mut tokens {
        match &token.token {
            Token::SemiColon => count = 0,
            Token::Placeholder(text) if text == "?" => {
                count += 1;
                token.token = Token::Placeholder(format!("${count}"));
            }
            _ => {}
        }
    }
    tokens
}

fn parse_error(sql: &str, error: ParserError) -> QuarryError {
    let text = match error {
        ParserError::TokenizerError(text) | ParserError::ParserError(text) => text,
        ParserError::RecursionLimitExceeded => {
            return QuarryError::Parse {
                message: "the query nests too deeply".into(),
                line: 1,
                column: 1,
            }
        }
    };
    // sqlparser appends " at Line: L, Column: C" to its messages.
    if let Some(at) = text.rfind(" at Line: ") {
        let position = &text[at + " at Line: ".len()..];
        let mut parts = position.split(", Column: ");
        let line = parts.next().and_then(|l| l.trim().parse().ok());
        let column = parts.next().and_then(|c| c.trim().parse().ok());
        if let (Some(line), Some(column)) = (line, column) {
            return QuarryError::Parse {
                message: text[..at].to_string(),
                line,
                column,
            };
        }
    }
    // No position given (usually an unexpected end of input): point past the end.
    let line = sql.lines().count().max(1) as u64;
    let column = sql.lines().last().map_or(0, |l| l.chars().count()) as u64 + 1;
    QuarryError::Parse {
        message: text,
        line,
        column,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_error_reports_line_and_column() {
        let error = parse_sql("SELECT 1,\nFROM t WHERE").unwrap_err();
        match error {
            QuarryError::Parse { line, column, .. } => {
                assert_eq!(line, 2);
                assert!(column >= 1);
            }
            other => panic!("expected a parse error, got {other:?}"),
        }
    }

    #[test]
    fn question_marks_are_numbered_per_statement() {
        let statements = parse_sql("SELECT ?, ?; SELECT ?").unwrap();
        assert_eq!(statements[0].to_string(), "SELECT $1, $2");
        assert_eq!(statements[1].to_string(), "SELECT $1");
    }

    #[test]
    fn parses_several_statements() {
        assert_eq!(parse_sql("SELECT 1; SELECT 2;").unwrap().len(), 2);
    }
}
