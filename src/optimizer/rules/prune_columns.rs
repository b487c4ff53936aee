//! Removes columns nobody reads: scans read only the columns needed above them
//! (so Parquet decodes only those), projections and aggregates drop unused
//! outputs.
//!
//! `Project [a#1] <- Scan t [a#1, b#2, c#3]` ==> `Project [a#1] <- Scan t [a#1]`
//!
//! The root's output columns are always kept; a scan keeps at least one column
//! so row counts survive (`count(*)`). Columns only a filter reads stop at
//! the filter: `Project [a#1] <- Filter (b#2 > 1)` is put above it unless its
//! parent is a projection or an aggregate.

use crate::error::Result;
use crate::logical::plan::*;
use crate::logical::{ColumnId, ColumnRef, Expr, LogicalPlan};
use crate::optimizer::OptimizerRule;
use std::collections::HashSet;
use std::sync::Arc;

pub struct PruneColumns;

impl OptimizerRule for PruneColumns {
    fn name(&self) -> &'static str {
        "prune_columns"
    }

    fn rewrite(&self, plan: Arc<LogicalPlan>) -> Result<(Arc<LogicalPlan>, bool)> {
        let required: HashSet<ColumnId> = plan.columns().iter().map(|c| c.id).collect();
        let before = plan.display_indent();
        let pruned = prune(&plan, &required)?;
        let changed = pruned.display_indent() != before;
        Ok((if changed { pruned } else { plan }, changed))
    }
}

fn ids_of<'a>(exprs: impl Iterator<Item = &'a Expr>) -> HashSet<ColumnId> {
    let mut out = HashSet::new();
    for expr in exprs {
        expr.collect_columns(&mut out);
    }
    out
}

/// A projection that only selects columns of a filter, dropped below a
/// parent that reads its columns by id anyway (a projection, an aggregate).
fn without_selection(input: Arc<LogicalPlan>) -> Arc<LogicalPlan> {
    match input.as_ref() {
        LogicalPlan::Projection(p)
            if matches!(p.input.as_ref(), LogicalPlan::Filter(_))
                && p.exprs
                    .iter()
                    .zip(&p.columns)
                    .all(|(e, c)| matches!(e, Expr::Column(x) if x.id == c.id)) =>
        {
            p.input.clone()
        }
        _ => input,
    }
}

fn prune(plan: &Arc<LogicalPlan>, required: &HashSet<ColumnId>) -> Result<Arc<LogicalPlan>> {
    Ok(match plan.as_ref() {
        LogicalPlan::Scan(scan) => {
            let mut needed = required.clone();
            needed.extend(ids_of(scan.filters.iter()));
            let keep: Vec<usize> = (0..scan.columns.len())
                .filter(|&i| needed.contains(&scan.columns[i].id))
                .collect();
            let keep = if keep.is_empty() { vec![0] } else { keep };
            if keep.len() == scan.columns.len() || scan.columns.is_empty() {
                return Ok(plan.clone());
            }
            Arc::new(LogicalPlan::Scan(Scan {
                projection: keep.iter().map(|&i| scan.projection[i]).collect(),
                columns: keep.iter().map(|&i| scan.columns[i].clone()).collect(),
                ..scan.clone()
            }))
        }
        LogicalPlan::Filter(filter) => {
            let mut needed = required.clone();
            filter.predicate.collect_columns(&mut needed);
            let filtered = Arc::new(LogicalPlan::Filter(Filter {
                input: prune(&filter.input, &needed)?,
                predicate: filter.predicate.clone(),
            }));
            // Columns only the predicate reads stop at the filter, so joins
            // and exchanges above never carry them.
            let columns = filtered.columns();
            let kept: Vec<ColumnRef> = columns
                .iter()
                .filter(|c| required.contains(&c.id))
                .cloned()
                .collect();
            if kept.is_empty() || kept.len() == columns.len() {
                return Ok(filtered);
            }
            Arc::new(LogicalPlan::Projection(Projection {
                input: filtered,
                exprs: kept.iter().cloned().map(Expr::Column).collect(),
                columns: kept,
            }))
        }
        LogicalPlan::Projection(projection) => {
            let mut keep: Vec<usize> = (0..projection.columns.len())
                .filter(|&i| required.contains(&projection.columns[i].id))
                .collect();
            if keep.is_empty() && !projection.columns.is_empty() {
                keep.push(0);
            }
            let exprs: Vec<Expr> = keep.iter().map(|&i| projection.exprs[i].clone()).collect();
            let needed = ids_of(exprs.iter());
            Arc::new(LogicalPlan::Projection(Projection {
                input: without_selection(prune(&projection.input, &needed)?),
                exprs,
                columns: keep
                    .iter()
                    .map(|&i| projection.columns[i].clone())
                    .collect(),
            }))
        }
        LogicalPlan::Aggregate(aggregate) => {
            let keep: Vec<usize> = (0..aggregate.aggregates.len())
                .filter(|&i| required.contains(&aggregate.aggregate_columns[i].id))
                .collect();
            let aggregates: Vec<_> = keep
                .iter()
                .map(|&i| aggregate.aggregates[i].clone())
                .collect();
            let mut needed = ids_of(aggregate.group_exprs.iter());
            for call in &aggregates {
                needed.extend(ids_of(call.expressions()));
            }
            Arc::new(LogicalPlan::Aggregate(Aggregate {
                input: without_selection(prune(&aggregate.input, &needed)?),
                group_exprs: aggregate.group_exprs.clone(),
                group_columns: aggregate.group_columns.clone(),
                aggregates,
                aggregate_columns: keep
                    .iter()
                    .map(|&i| aggregate.aggregate_columns[i].clone())
                    .collect(),
                ..aggregate.clone()
            }))
        }
        LogicalPlan::Sort(sort) => {
            let mut needed = required.clone();
            needed.extend(ids_of(sort.keys.iter().map(|k| &k.expr)));
            Arc::new(LogicalPlan::Sort(Sort {
                input: prune(&sort.input, &needed)?,
                keys: sort.keys.clone(),
            }))
        }
        LogicalPlan::Window(window) => {
            let keep: Vec<usize> = (0..window.window_exprs.len())
                .filter(|&i| required.contains(&window.window_columns[i].id))
                .collect();
            let window_exprs: Vec<_> = keep
                .iter()
                .map(|&i| window.window_exprs[i].clone())
                .collect();
            if window_exprs.is_empty() {
                return prune(&window.input, required);
            }
            let mut needed = required.clone();
            needed.extend(ids_of(window_exprs.iter().flat_map(|w| w.expressions())));
            Arc::new(LogicalPlan::Window(Window {
                input: prune(&window.input, &needed)?,
                window_exprs,
                window_columns: keep
                    .iter()
                    .map(|&i| window.window_columns[i].clone())
                    .collect(),
            }))
        }
        LogicalPlan::Limit(limit) => Arc::new(LogicalPlan::Limit(Limit {
            input: prune(&limit.input, required)?,
            ..limit.clone()
        })),
        // DISTINCT compares whole rows and UNION matches columns by position:
        // both need every input column.
        LogicalPlan::Distinct(_) | LogicalPlan::Union(_) => {
            let children = plan
                .children()
                .into_iter()
                .map(|child| {
                    let all: HashSet<ColumnId> = child.columns().iter().map(|c| c.id).collect();
                    prune(child, &all)
                })
                .collect::<Result<Vec<_>>>()?;
            Arc::new(plan.with_new_children(children))
        }
        LogicalPlan::Join(join) => {
            let mut needed = required.clone();
            for expr in plan.expressions() {
                expr.collect_columns(&mut needed);
            }
            let side = |input: &Arc<LogicalPlan>| -> Result<Arc<LogicalPlan>> {
                let own: HashSet<ColumnId> = input
                    .columns()
                    .iter()
                    .map(|c| c.id)
                    .filter(|id| needed.contains(id))
                    .collect();
                prune(input, &own)
            };
            Arc::new(LogicalPlan::Join(Join {
                left: side(&join.left)?,
                right: side(&join.right)?,
                ..join.clone()
            }))
        }
        LogicalPlan::Values(_) | LogicalPlan::EmptyRelation(_) => plan.clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::optimizer::rules::test_plans::{bind, rewrite, run};

    #[test]
    fn a_scan_reads_only_the_columns_used_above_it() {
        let after = rewrite(&PruneColumns, "SELECT a FROM t1 WHERE b > 1");
        assert!(after.contains("Scan t1 [a#1, b#2]"), "{after}");
        assert!(!after.contains("c#3"), "{after}");
    }

    #[test]
    fn aggregates_drop_unused_outputs_and_count_star_keeps_one_column() {
        let after = rewrite(
            &PruneColumns,
            "SELECT n FROM (SELECT a, count(*) AS n, sum(b) AS s FROM t1 GROUP BY a)",
        );
        assert!(!after.contains("sum("), "{after}");
        let after = rewrite(&PruneColumns, "SELECT count(*) FROM t1");
        let scan = after.lines().find(|l| l.contains("Scan t1")).unwrap();
        assert_eq!(scan.matches('#').count(), 1, "{after}");
    }

    #[test]
    fn join_inputs_keep_their_keys_and_the_columns_read_above() {
        let after = rewrite(&PruneColumns, "SELECT t1.c FROM t1 JOIN t3 ON t1.a = t3.x");
        assert!(after.contains("Scan t1 [a#1, c#3]"), "{after}");
        assert!(after.contains("Scan t3 [x#"), "{after}");
        assert!(!after.contains("y#"), "{after}");
    }

    #[test]
    fn columns_only_a_filter_reads_stop_at_the_filter() {
        let plan = bind("SELECT t1.a, t3.y FROM t1 JOIN t3 ON t1.a = t3.x WHERE t1.c = 'x'");
        let (plan, _) = crate::optimizer::rules::PushDownFilter
            .rewrite(plan)
            .unwrap();
        let (after, _) = run(&PruneColumns, plan);
        let lines: Vec<&str> = after.lines().map(str::trim).collect();
        let filter = lines
            .iter()
            .position(|l| l.starts_with("Filter (c#3 = 'x')"))
            .unwrap_or_else(|| panic!("{after}"));
        assert!(lines[filter - 1].starts_with("Project [a#1]"), "{after}");
        // Below a projection that selects anyway, none is added.
        let after = rewrite(&PruneColumns, "SELECT a + 1 FROM t1 WHERE b > 1");
        assert_eq!(after.matches("Project").count(), 1, "{after}");
    }

    #[test]
    fn the_root_keeps_every_output_column() {
        let (after, _) = run(&PruneColumns, bind("SELECT * FROM t3"));
        assert!(after.contains("Scan t3 [x#1, y#2]"), "{after}");
    }
}
