//! Cardinality estimates for join ordering: table row counts from file
//! metadata, distinct counts bounded by Parquet min/max statistics, fixed
//! selectivities where nothing better is known.

use crate::catalog::TableSource;
use crate::logical::{ColumnId, Expr, LogicalPlan};
use std::collections::HashMap;

/// Selectivity of a filter without statistics.
const FILTER_SELECTIVITY: f64 = 0.25;

/// Estimated output rows of `plan`.
pub fn estimate_rows(plan: &LogicalPlan) -> f64 {
    match plan {
        LogicalPlan::Scan(scan) => match scan.source.as_ref() {
            TableSource::Parquet(source) => source.num_rows() as f64,
            TableSource::Memory(source) => source.num_rows() as f64,
            TableSource::Csv(_) => 10_000.0,
        },
        LogicalPlan::Values(values) => values.rows.len() as f64,
        LogicalPlan::EmptyRelation(_) => 1.0,
        LogicalPlan::Filter(filter) => estimate_rows(&filter.input) * FILTER_SELECTIVITY,
        LogicalPlan::Projection(node) => estimate_rows(&node.input),
        LogicalPlan::Sort(node) => estimate_rows(&node.input),
        LogicalPlan::Window(node) => estimate_rows(&node.input),
        LogicalPlan::Distinct(node) => estimate_rows(&node.input) * 0.5,
        LogicalPlan::Aggregate(node) => {
            if node.group_exprs.is_empty() {
                1.0
            } else {
                (estimate_rows(&node.input) * 0.1).max(1.0)
            }
        }
        LogicalPlan::Limit(node) => {
            let input = estimate_rows(&node.input);
            node.fetch.map_or(input, |f| input.min(f as f64))
        }
        LogicalPlan::Union(node) => node.inputs.iter().map(|i| estimate_rows(i)).sum(),
        LogicalPlan::Join(join) => {
            let (l, r) = (estimate_rows(&join.left), estimate_rows(&join.right));
            match join.join_type {
                crate::logical::JoinType::Semi | crate::logical::JoinType::Anti => l * 0.5,
                _ if join.on.is_empty() && join.filter.is_none() => l * r,
                _ => l.max(r),
            }
        }
    }
}

/// Upper bounds on the number of distinct values of scanned columns: the row
/// count of the table, or for integer columns with statistics `max - min + 1`.
pub fn distinct_bounds(plan: &LogicalPlan) -> HashMap<ColumnId, f64> {
    let mut bounds = HashMap::new();
    let _ = plan.apply(&mut |node| {
        if let LogicalPlan::Scan(scan) = node {
            let rows = estimate_rows(node).max(1.0);
            for (column, &index) in scan.columns.iter().zip(&scan.projection) {
                let range = match scan.source.as_ref() {
                    TableSource::Parquet(source) => source.integer_range(index),
                    _ => None,
                };
                let bound = match range {
                    Some((min, max)) => ((max - min) as f64 + 1.0).min(rows),
                    None => rows,
                };
                bounds.insert(column.id, bound);
            }
        }
        Ok(())
    });
    bounds
}

/// Estimated rows of joining inputs of `left_rows` and `right_rows` on
/// `conditions`: each equality `a = b` divides the product by the larger
/// distinct count of its sides (the textbook estimate); the most selective
/// equality is used.
pub fn join_rows(
    left_rows: f64,
    right_rows: f64,
    conditions: &[Expr],
    distinct: &HashMap<ColumnId, f64>,
) -> f64 {
    let product = left_rows * right_rows;
    let mut best = product;
    for condition in conditions {
        let Expr::Binary(binary) = condition else {
            continue;
        };
        if binary.op != crate::logical::BinaryOp::Eq {
            continue;
        }
        let ndv = |e: &Expr| -> f64 {
            e.column_ids()
                .iter()
                .filter_map(|id| distinct.get(id))
                .fold(0.0_f64, |a, b| a.max(*b))
        };
        let divisor = ndv(&binary.left).max(ndv(&binary.right));
        if divisor >= 1.0 {
            best = best.min(product / divisor);
        } else {
            // Unknown distinct counts: assume a key on the smaller side.
            best = best.min(left_rows.max(right_rows));
        }
    }
    best.max(1.0)
}
