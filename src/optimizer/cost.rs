//! Cardinality estimates for join ordering: table row counts from file
//! metadata, fixed selectivities where nothing better is known.

use crate::catalog::TableSource;
use crate::logical::LogicalPlan;

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
