//! EXPLAIN: the plans a query goes through, as text.

use super::{QueryResult, Session};
use crate::error::{QuarryError, Result};
use arrow::array::StringArray;
use arrow::datatypes::{DataType, Field, Schema};
use arrow::record_batch::RecordBatch;
use sqlparser::ast::Statement;
use std::sync::Arc;

impl Session {
    pub(super) fn explain(
        &mut self,
        statement: &Statement,
        analyze: bool,
        verbose: bool,
    ) -> Result<QueryResult> {
        let Statement::Query(query) = statement else {
            return Err(QuarryError::NotImplemented(
                "EXPLAIN of a non-query statement".into(),
            ));
        };
        let planned = self.plan_query(query)?;
        let mut text = String::new();
        if verbose {
            text.push_str("== Analyzed Logical Plan ==\n");
            text.push_str(&planned.bound.display_indent());
            for entry in &planned.trace {
                text.push_str(&format!("\n== After {} ==\n", entry.rule));
                text.push_str(&entry.plan);
            }
            text.push('\n');
        }
        text.push_str("== Physical Plan ==\n");
        text.push_str(&planned.physical.display_indent());
        if analyze {
            let started = std::time::Instant::now();
            let rows: usize = self
                .execute_plan(&planned.physical)?
                .iter()
                .map(RecordBatch::num_rows)
                .sum();
            text.push_str(&format!(
                "\nrows: {rows}, total time: {:.3} ms\n",
                started.elapsed().as_secs_f64() * 1000.0
            ));
        }
        let schema = Arc::new(Schema::new(vec![Field::new("plan", DataType::Utf8, false)]));
        let batch = RecordBatch::try_new(
            schema.clone(),
            vec![Arc::new(StringArray::from(vec![text
                .trim_end()
                .to_string()]))],
        )?;
        Ok(QueryResult {
            schema,
            batches: vec![batch],
        })
    }
}
