//! EXPLAIN in its forms:
//!
//! - `EXPLAIN q`: the physical plan.
//! - `EXPLAIN EXTENDED q`: the parsed query, the analyzed (bound) and the
//!   optimized logical plans, then the physical plan.
//! - `EXPLAIN VERBOSE q`: the analyzed plan and the plan after every rule
//!   that changed it, then the physical plan.
//! - `EXPLAIN COST q`: the optimized logical plan with estimated rows and
//!   bytes on every node, then the physical plan.
//! - `EXPLAIN ANALYZE q`: runs the query; the physical plan with, per
//!   operator, actual rows, batches, tasks, time and peak memory beside the
//!   estimate (`(!)` marks estimates off by more than 10×), then row groups
//!   read and pruned and the total time.
//! - `EXPLAIN [form] EXECUTE name(values)`: any of the above for a prepared
//!   statement, its parameters bound to the values (the analyzed plan shows
//!   them as `$1`, the optimized plan as literals).

use super::{PlannedQuery, QueryResult, Session};
use crate::error::{QuarryError, Result};
use crate::execution::metrics::QueryMetrics;
use crate::execution::PhysicalPlan;
use crate::logical::LogicalPlan;
use crate::optimizer::cost::estimate;
use arrow::array::StringArray;
use arrow::datatypes::{DataType, Field, Schema};
use arrow::record_batch::RecordBatch;
use sqlparser::ast::Statement;
use std::collections::{HashMap, HashSet};
use std::fmt::Write;
use std::sync::atomic::Ordering;
use std::sync::Arc;

/// Which EXPLAIN.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExplainMode {
    Plain,
    Extended,
    Verbose,
    Cost,
    Analyze,
}

impl ExplainMode {
    /// The mode of `EXPLAIN [ANALYZE] [VERBOSE] q` or `EXPLAIN (OPTION) q`
    /// (the parser turns `EXPLAIN EXTENDED` / `EXPLAIN COST` into the latter).
    pub fn of(statement: &Statement) -> Result<ExplainMode> {
        let Statement::Explain {
            analyze,
            verbose,
            options,
            ..
        } = statement
        else {
            return Err(QuarryError::Internal("not an EXPLAIN".into()));
        };
        let mut mode = match (analyze, verbose) {
            (true, _) => ExplainMode::Analyze,
            (false, true) => ExplainMode::Verbose,
            _ => ExplainMode::Plain,
        };
        for option in options.iter().flatten() {
            mode = match option.name.value.to_uppercase().as_str() {
                "ANALYZE" => ExplainMode::Analyze,
                "VERBOSE" => ExplainMode::Verbose,
                "EXTENDED" => ExplainMode::Extended,
                "COST" => ExplainMode::Cost,
                other => {
                    return Err(QuarryError::Plan(format!(
                    "unknown EXPLAIN option {other}: expected EXTENDED, VERBOSE, COST or ANALYZE"
                )))
                }
            };
        }
        Ok(mode)
    }
}

impl Session {
    pub(super) fn explain(&mut self, explain: &Statement) -> Result<QueryResult> {
        let mode = ExplainMode::of(explain)?;
        let Statement::Explain { statement, .. } = explain else {
            return Err(QuarryError::Internal("not an EXPLAIN".into()));
        };
        // `EXPLAIN [ANALYZE] EXECUTE q(..)` plans the prepared statement with
        // its values bound, as executing it would.
        let (query, planned) = match statement.as_ref() {
            Statement::Query(query) => (query.to_string(), self.plan_query(query)?),
            Statement::Execute { .. } => {
                let (prepared, values) = self.execute_arguments(statement)?;
                if !prepared.is_query() {
                    return Err(QuarryError::NotImplemented(
                        "EXPLAIN of EXECUTE of a statement other than a query".into(),
                    ));
                }
                (
                    statement.to_string(),
                    self.plan_prepared(&prepared, &values)?,
                )
            }
            _ => {
                return Err(QuarryError::NotImplemented(
                    "EXPLAIN of a statement other than a query or EXECUTE".into(),
                ))
            }
        };
        let mut text = String::new();
        match mode {
            ExplainMode::Plain | ExplainMode::Analyze => {}
            ExplainMode::Extended => {
                let _ = writeln!(text, "== Parsed Logical Plan ==\n{query}\n");
                let _ = writeln!(
                    text,
                    "== Analyzed Logical Plan ==\n{}",
                    planned.bound.display_indent()
                );
                let _ = writeln!(
                    text,
                    "== Optimized Logical Plan ==\n{}",
                    planned.optimized.display_indent()
                );
            }
            ExplainMode::Verbose => {
                let _ = writeln!(
                    text,
                    "== Analyzed Logical Plan ==\n{}",
                    planned.bound.display_indent()
                );
                for entry in &planned.trace {
                    let _ = writeln!(text, "== After {} ==\n{}", entry.rule, entry.plan);
                }
            }
            ExplainMode::Cost => {
                text.push_str("== Optimized Logical Plan ==\n");
                write_costs(&planned.optimized, 0, &mut text);
                text.push('\n');
            }
        }
        text.push_str("== Physical Plan ==\n");
        if mode == ExplainMode::Analyze {
            self.explain_analyze(&planned, &mut text)?;
        } else {
            text.push_str(&planned.physical.display_indent());
        }
        if mode == ExplainMode::Cost && !planned.join_choices.is_empty() {
            // Each join's alternatives; `*` marks the one chosen.
            text.push_str("\n== Join Strategies ==\n");
            for choice in &planned.join_choices {
                let _ = writeln!(text, "{choice}");
            }
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

    fn explain_analyze(&self, planned: &PlannedQuery, text: &mut String) -> Result<()> {
        let metrics = Arc::new(QueryMetrics::default());
        let started = std::time::Instant::now();
        let (batches, peak_memory) =
            self.execute_plan_with_metrics(&planned.physical, Some(metrics.clone()))?;
        let rows: usize = batches.iter().map(RecordBatch::num_rows).sum();
        let elapsed = started.elapsed();
        let mut seen = HashMap::new();
        write_analyzed(
            &planned.physical,
            planned,
            &metrics,
            (0, 0),
            (&mut 1, &mut seen),
            text,
        );
        let (mut read, mut total, mut skipped) = (0, 0, 0);
        let _ = visit(&planned.physical, &mut |node| {
            if let PhysicalPlan::ParquetScan(scan) = node {
                read += scan.row_groups_read();
                total += scan.row_groups_total;
                skipped += scan.rows_skipped_by_page_index();
            }
        });
        write_stages(&planned.physical, &metrics, elapsed, text);
        let _ = write!(
            text,
            "\nrow groups: {read} read, {} pruned; rows skipped by the page index: {skipped}\nrows: {rows}, peak memory: {}, total time: {:.3} ms\n",
            total - read,
            human_bytes(peak_memory as f64),
            elapsed.as_secs_f64() * 1000.0
        );
        Ok(())
    }
}

/// Per stage: what ends it, its tasks, the rows it produced, the bytes that
/// went through its exchange and its wall time.
fn write_stages(
    plan: &Arc<PhysicalPlan>,
    metrics: &QueryMetrics,
    total: std::time::Duration,
    out: &mut String,
) {
    struct Stage {
        id: usize,
        ends: String,
        root: Arc<PhysicalPlan>,
        wall: Option<u64>,
        bytes: Option<usize>,
    }
    fn collect(
        plan: &Arc<PhysicalPlan>,
        metrics: &QueryMetrics,
        next: &mut usize,
        stages: &mut Vec<Stage>,
        seen: &mut HashSet<usize>,
    ) {
        // A shared subplan's stages are listed once.
        if matches!(plan.as_ref(), PhysicalPlan::Shared(_))
            && !seen.insert(Arc::as_ptr(plan) as usize)
        {
            return;
        }
        for (i, child) in plan.children().into_iter().enumerate() {
            if plan.child_is_stage(i) {
                let id = *next;
                *next += 1;
                let (ends, bytes) = match plan.as_ref() {
                    PhysicalPlan::Exchange(exchange) => {
                        (plan.node_line(), exchange.transferred().map(|(b, _)| b))
                    }
                    PhysicalPlan::SortPreservingMerge(_) | PhysicalPlan::Shared(_) => {
                        (plan.node_line(), None)
                    }
                    _ => ("BroadcastExchange".to_string(), None),
                };
                let wall = metrics
                    .get(plan)
                    .map(|m| m.stage_nanos.load(Ordering::Relaxed));
                stages.push(Stage {
                    id,
                    ends,
                    root: child.clone(),
                    wall,
                    bytes,
                });
            }
            collect(child, metrics, next, stages, seen);
        }
    }
    let mut stages = vec![Stage {
        id: 0,
        ends: "result".into(),
        root: plan.clone(),
        wall: Some(total.as_nanos() as u64),
        bytes: None,
    }];
    let mut next = 1;
    collect(plan, metrics, &mut next, &mut stages, &mut HashSet::new());
    out.push_str("\nstages:\n");
    for stage in &stages {
        let rows = metrics.get(&stage.root).map_or(0, |m| m.rows());
        let _ = write!(
            out,
            "  *({}) {} task{}, {} rows",
            stage.id,
            stage.root.output_partitions(),
            if stage.root.output_partitions() == 1 {
                ""
            } else {
                "s"
            },
            rows
        );
        if let Some(bytes) = stage.bytes {
            let _ = write!(out, ", {} exchanged", human_bytes(bytes as f64));
        }
        if let Some(wall) = stage.wall {
            let _ = write!(out, ", {:.3} ms", wall as f64 / 1e6);
        }
        let _ = writeln!(out, " -> {}", stage.ends);
    }
}

/// Every operator once (a shared subplan's too).
fn visit(plan: &PhysicalPlan, f: &mut dyn FnMut(&PhysicalPlan)) -> Option<()> {
    fn walk(plan: &PhysicalPlan, f: &mut dyn FnMut(&PhysicalPlan), seen: &mut HashSet<usize>) {
        if matches!(plan, PhysicalPlan::Shared(_))
            && !seen.insert(plan as *const PhysicalPlan as usize)
        {
            return;
        }
        f(plan);
        for child in plan.children() {
            walk(child, f, seen);
        }
    }
    walk(plan, f, &mut HashSet::new());
    Some(())
}

/// The logical tree with each node's estimated rows and bytes.
fn write_costs(plan: &LogicalPlan, depth: usize, out: &mut String) {
    let estimate = estimate(plan);
    let bytes = estimate.bytes(&plan.columns());
    let _ = writeln!(
        out,
        "{}{}  [rows={}, bytes={}]",
        "  ".repeat(depth),
        plan.node_line(),
        human_count(estimate.rows),
        human_bytes(bytes)
    );
    for child in plan.children() {
        write_costs(child, depth + 1, out);
    }
}

/// The physical tree with each operator's actual counters beside its
/// estimate. Time is the operator's own: its children's is subtracted.
/// A shared subplan is written where it is first read (`seen`: its address
/// to its stage), as `EXPLAIN` does.
fn write_analyzed(
    plan: &Arc<PhysicalPlan>,
    planned: &PlannedQuery,
    metrics: &QueryMetrics,
    (depth, stage): (usize, usize),
    (next_stage, seen): (&mut usize, &mut HashMap<usize, usize>),
    out: &mut String,
) {
    let _ = write!(out, "{}*({stage}) {}", "  ".repeat(depth), plan.node_line());
    if let PhysicalPlan::Shared(_) = plan.as_ref() {
        let key = Arc::as_ptr(plan) as usize;
        if let Some(first) = seen.get(&key) {
            let _ = writeln!(out, ", reused: stage {first}");
            return;
        }
        seen.insert(key, *next_stage);
    }
    match metrics.get(plan) {
        Some(m) => {
            let rows = m.rows();
            let inclusive = m.elapsed_nanos.load(Ordering::Relaxed);
            let children: u64 = plan
                .children()
                .iter()
                .filter_map(|c| metrics.get(c))
                .map(|c| c.elapsed_nanos.load(Ordering::Relaxed))
                .sum();
            let own = inclusive.saturating_sub(children);
            let _ = write!(out, "  [rows={rows}",);
            if let Some(estimated) = planned.estimates.get(&(Arc::as_ptr(plan) as usize)) {
                let off = (rows as f64).max(1.0) / estimated.max(1.0);
                let flag = if !(0.1..=10.0).contains(&off) {
                    " (!)"
                } else {
                    ""
                };
                let _ = write!(out, " est={}{flag}", human_count(*estimated));
            }
            let _ = write!(
                out,
                ", batches={}, tasks={}, time={:.3} ms",
                m.batches.load(Ordering::Relaxed),
                m.tasks.load(Ordering::Relaxed),
                own as f64 / 1e6
            );
            let peak = m.memory_peak.load(Ordering::Relaxed);
            if peak > 0 {
                let _ = write!(out, ", peak memory={}", human_bytes(peak as f64));
            }
            out.push_str("]\n");
        }
        None => out.push_str("  [not run]\n"),
    }
    for (i, child) in plan.children().into_iter().enumerate() {
        if !plan.child_is_stage(i) {
            write_analyzed(
                child,
                planned,
                metrics,
                (depth + 1, stage),
                (&mut *next_stage, &mut *seen),
                out,
            );
            continue;
        }
        let child_stage = *next_stage;
        *next_stage += 1;
        if matches!(
            plan.as_ref(),
            PhysicalPlan::HashJoin(_) | PhysicalPlan::NestedLoopJoin(_)
        ) {
            let _ = writeln!(
                out,
                "{}*({stage}) BroadcastExchange",
                "  ".repeat(depth + 1)
            );
            write_analyzed(
                child,
                planned,
                metrics,
                (depth + 2, child_stage),
                (&mut *next_stage, &mut *seen),
                out,
            );
        } else {
            write_analyzed(
                child,
                planned,
                metrics,
                (depth + 1, child_stage),
                (&mut *next_stage, &mut *seen),
                out,
            );
        }
    }
}

/// `1234567` as `1.2M`; small counts as they are.
fn human_count(n: f64) -> String {
    let n = n.max(0.0);
    if n < 10_000.0 {
        format!("{}", n.round() as u64)
    } else if n < 10_000_000.0 {
        format!("{:.1}K", n / 1e3)
    } else if n < 10_000_000_000.0 {
        format!("{:.1}M", n / 1e6)
    } else {
        format!("{:.2e}", n)
    }
}

fn human_bytes(n: f64) -> String {
    let n = n.max(0.0);
    if n < 1024.0 {
        format!("{} B", n.round() as u64)
    } else if n < 1024.0 * 1024.0 {
        format!("{:.1} KiB", n / 1024.0)
    } else if n < 1024.0 * 1024.0 * 1024.0 {
        format!("{:.1} MiB", n / 1024.0 / 1024.0)
    } else {
        format!("{:.1} GiB", n / 1024.0 / 1024.0 / 1024.0)
    }
}
