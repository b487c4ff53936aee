//! `SET name = value`, `RESET name | ALL`, `SHOW name | ALL`.

use super::{build_pool, QueryResult, Session};
use crate::config::OPTION_NAMES;
use crate::error::{QuarryError, Result};
use arrow::array::StringArray;
use arrow::datatypes::{DataType, Field, Schema};
use arrow::record_batch::RecordBatch;
use sqlparser::ast::{self, Statement};
use std::sync::Arc;

impl Session {
    /// Runs SET / RESET / SHOW of an option; `None` for other statements.
    pub(super) fn execute_option(&mut self, statement: &Statement) -> Option<Result<QueryResult>> {
        Some(match statement {
            Statement::Set(ast::Set::SingleAssignment {
                variable, values, ..
            }) => {
                let value = values
                    .iter()
                    .map(|v| match v {
                        ast::Expr::Value(v) => match &v.value {
                            ast::Value::SingleQuotedString(s) => s.clone(),
                            other => other.to_string(),
                        },
                        ast::Expr::UnaryOp {
                            op: ast::UnaryOperator::Minus,
                            expr,
                        } => format!("-{expr}"),
                        other => other.to_string(),
                    })
                    .collect::<Vec<_>>()
                    .join(",");
                self.set_option(&variable.to_string(), &value)
            }
            Statement::Reset(reset) => match &reset.reset {
                ast::Reset::ALL => {
                    let defaults = self.defaults.clone();
                    OPTION_NAMES
                        .iter()
                        .try_for_each(|name| self.reset_option(name, &defaults))
                        .map(|_| QueryResult::empty())
                }
                ast::Reset::ConfigurationParameter(name) => {
                    let defaults = self.defaults.clone();
                    self.reset_option(&name.to_string(), &defaults)
                        .map(|_| QueryResult::empty())
                }
                ast::Reset::SessionAuthorization => Err(QuarryError::NotImplemented(
                    "RESET SESSION AUTHORIZATION".into(),
                )),
            },
            Statement::ShowVariable { variable } => {
                let name: Vec<String> = variable.iter().map(|v| v.value.clone()).collect();
                let name = name.join(".");
                if name.eq_ignore_ascii_case("all") {
                    self.show_options(OPTION_NAMES)
                } else {
                    self.show_options(&[name.as_str()])
                }
            }
            _ => return None,
        })
    }

    fn set_option(&mut self, name: &str, value: &str) -> Result<QueryResult> {
        // `SET x TO DEFAULT` is RESET x.
        if value.eq_ignore_ascii_case("default") {
            let defaults = self.defaults.clone();
            let default = defaults.get(name)?;
            return self.set_option(name, &default);
        }
        let before = self.config.target_partitions;
        self.config.set(name, value)?;
        if self.config.target_partitions != before {
            self.pool = build_pool(self.config.target_partitions)?;
        }
        Ok(QueryResult::empty())
    }

    fn reset_option(&mut self, name: &str, defaults: &crate::config::SessionConfig) -> Result<()> {
        let value = defaults.get(name)?;
        self.set_option(name, &value).map(|_| ())
    }

    fn show_options(&self, names: &[&str]) -> Result<QueryResult> {
        let values = names
            .iter()
            .map(|n| self.config.get(n))
            .collect::<Result<Vec<_>>>()?;
        let schema = Arc::new(Schema::new(vec![
            Field::new("name", DataType::Utf8, false),
            Field::new("value", DataType::Utf8, false),
        ]));
        let batch = RecordBatch::try_new(
            schema.clone(),
            vec![
                Arc::new(StringArray::from_iter_values(
                    names.iter().map(|n| n.to_lowercase()),
                )),
                Arc::new(StringArray::from_iter_values(values)),
            ],
        )?;
        Ok(QueryResult {
            schema,
            batches: vec![batch],
        })
    }
}
