//! ProjectionExec: computes one output column per expression.

use crate::error::Result;
use crate::execution::expressions::PhysicalExpr;
use crate::execution::{BatchStream, PhysicalPlan, TaskContext};
use arrow::datatypes::SchemaRef;
use arrow::record_batch::{RecordBatch, RecordBatchOptions};
use std::sync::Arc;

#[derive(Debug)]
pub struct ProjectionExec {
    pub input: Arc<PhysicalPlan>,
    pub exprs: Vec<PhysicalExpr>,
    pub schema: SchemaRef,
}

impl ProjectionExec {
    pub fn execute(&self, partition: usize, ctx: &TaskContext) -> Result<BatchStream> {
        let input = self.input.execute(partition, ctx)?;
        let exprs = self.exprs.clone();
        let schema = self.schema.clone();
        Ok(Box::new(input.map(move |batch| {
            let batch = batch?;
            let columns = exprs
                .iter()
                .map(|e| e.evaluate_to_array(&batch))
                .collect::<Result<Vec<_>>>()?;
            let options = RecordBatchOptions::new().with_row_count(Some(batch.num_rows()));
            Ok(RecordBatch::try_new_with_options(
                schema.clone(),
                columns,
                &options,
            )?)
        })))
    }

    pub fn describe(&self) -> String {
        let items: Vec<String> = self
            .exprs
            .iter()
            .zip(self.schema.fields())
            .map(|(expr, field)| match expr {
                PhysicalExpr::Column { name, .. } if name == field.name() => name.clone(),
                other => format!("{other} AS {}", field.name()),
            })
            .collect();
        format!("Project [{}]", items.join(", "))
    }
}
