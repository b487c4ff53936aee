//! The physical planner: one function per logical node. Column ids become
//! positions; aggregation is split into partial and final phases around an
//! exchange; operators that need all rows in one partition (sort, limit,
//! final aggregate) get an `Exchange SinglePartition` below them.

mod distribution;
mod expr;
mod join;
mod pruning;

pub use distribution::{
    check_distribution, hash_partition, is_hash_partitioned, output_partitioning,
    required_distribution, satisfies, single_partition, Distribution, OutputPartitioning,
};
pub use expr::InputLayout;
pub use pruning::PruningPredicate;

use crate::catalog::TableSource;
use crate::config::SessionConfig;
use crate::error::Result;
use crate::execution::expressions::PhysicalExpr;
use crate::execution::functions::aggregate::AggregateSpec;
use crate::execution::operators::*;
use crate::logical::plan::{Aggregate, Scan, Window};
use crate::logical::schema::to_arrow_schema;
use crate::logical::{AggregateExpr, ColumnRef, Expr, LogicalPlan, ScalarValue};
use arrow::array::{new_empty_array, ArrayRef};
use arrow::compute::SortOptions;
use arrow::datatypes::{Field, Schema};
use arrow::record_batch::{RecordBatch, RecordBatchOptions};
use arrow::row::SortField;
use std::sync::Arc;

/// The largest estimated fraction of a scan's rows its pushed filters may
/// keep for them to run inside the Parquet reader (late materialization).
const MAX_LATE_SELECTIVITY: f64 = 0.5;

pub struct PhysicalPlanner<'a> {
    config: &'a SessionConfig,
    /// Estimated output rows of each operator made from a logical node, by
    /// the operator's address (for EXPLAIN ANALYZE).
    estimates: std::cell::RefCell<std::collections::HashMap<usize, f64>>,
    /// Per join: the strategies considered and their costs (EXPLAIN COST).
    join_choices: std::cell::RefCell<Vec<String>>,
    /// How often each aggregate subplan occurs in the query, by
    /// `subplan_key` (counted when planning starts, at the root).
    repeated: std::cell::RefCell<Option<std::collections::HashMap<String, usize>>>,
    /// The operator planned for each repeated subplan: all copies read it.
    shared: std::cell::RefCell<std::collections::HashMap<String, Arc<PhysicalPlan>>>,
}

impl<'a> PhysicalPlanner<'a> {
    pub fn new(config: &'a SessionConfig) -> Self {
        Self {
            config,
            estimates: Default::default(),
            join_choices: Default::default(),
            repeated: Default::default(),
            shared: Default::default(),
        }
    }

    /// For every join planned: the strategies considered, their costs and
    /// the one chosen.
    pub fn join_choices(&self) -> Vec<String> {
        self.join_choices.borrow().clone()
    }

    /// The estimates recorded while planning.
    pub fn estimates(&self) -> std::collections::HashMap<usize, f64> {
        self.estimates.borrow().clone()
    }

    /// The physical plan of `plan`. An aggregate subplan the query holds
    /// more than once (a CTE read twice) is planned once, as a `Shared`
    /// operator that every copy reads.
    pub fn create(&self, plan: &LogicalPlan) -> Result<Arc<PhysicalPlan>> {
        if self.repeated.borrow().is_none() {
            *self.repeated.borrow_mut() = Some(repeated_subplans(plan));
        }
        let LogicalPlan::Aggregate(_) = plan else {
            return self.create_unshared(plan);
        };
        let Some(key) = subplan_key(plan) else {
            return self.create_unshared(plan);
        };
        let copies = self
            .repeated
            .borrow()
            .as_ref()
            .and_then(|r| r.get(&key).copied())
            .unwrap_or(1);
        if copies < 2 {
            return self.create_unshared(plan);
        }
        // Readers are counted as the node is handed out: grouping sets plan
        // their input once per set.
        let existing = self.shared.borrow().get(&key).cloned();
        let shared = match existing {
            Some(shared) => shared,
            None => {
                let input = self.create_unshared(plan)?;
                let shared = Arc::new(PhysicalPlan::Shared(SharedExec::new(input)));
                self.shared.borrow_mut().insert(key, shared.clone());
                shared
            }
        };
        if let PhysicalPlan::Shared(node) = shared.as_ref() {
            node.add_reader();
        }
        Ok(shared)
    }

    fn create_unshared(&self, plan: &LogicalPlan) -> Result<Arc<PhysicalPlan>> {
        let physical = self.create_node(plan)?;
        let mut rows = crate::optimizer::cost::estimate_rows(plan);
        // A scan reads only the row groups pruning kept.
        if let PhysicalPlan::ParquetScan(scan) = physical.as_ref() {
            let kept: usize = scan
                .partitions
                .iter()
                .flatten()
                .flat_map(|unit| {
                    let row_groups = scan.files[unit.file].metadata.metadata().row_groups();
                    unit.row_groups
                        .iter()
                        .map(move |&g| row_groups[g].num_rows().max(0) as usize)
                })
                .sum();
            rows = rows.min(kept.saturating_sub(scan.rows_skipped_by_page_index()) as f64);
        }
        let mut estimates = self.estimates.borrow_mut();
        estimates.insert(Arc::as_ptr(&physical) as usize, rows);
        // Operators planned inside this one with the same output (a final
        // aggregate's exchange, a filter's scan) share the estimate.
        let mut node = physical.as_ref();
        while let PhysicalPlan::Exchange(exchange) = node {
            estimates
                .entry(Arc::as_ptr(&exchange.input) as usize)
                .or_insert(rows);
            node = exchange.input.as_ref();
        }
        drop(estimates);
        Ok(physical)
    }

    fn create_node(&self, plan: &LogicalPlan) -> Result<Arc<PhysicalPlan>> {
        Ok(Arc::new(match plan {
            LogicalPlan::Scan(scan) => self.plan_scan(scan)?,
            LogicalPlan::Values(values) => {
                let layout = InputLayout::new(&[]);
                let empty = RecordBatch::try_new_with_options(
                    Arc::new(Schema::empty()),
                    vec![],
                    &RecordBatchOptions::new().with_row_count(Some(1)),
                )?;
                let mut columns: Vec<ArrayRef> = vec![];
                for (i, column) in values.columns.iter().enumerate() {
                    let cells = values
                        .rows
                        .iter()
                        .map(|row| layout.create(&row[i])?.evaluate_to_array(&empty))
                        .collect::<Result<Vec<_>>>()?;
                    let refs: Vec<&dyn arrow::array::Array> =
                        cells.iter().map(|c| c.as_ref()).collect();
                    columns.push(if refs.is_empty() {
                        new_empty_array(&column.data_type)
                    } else {
                        arrow::compute::concat(&refs)?
                    });
                }
                let options = RecordBatchOptions::new().with_row_count(Some(values.rows.len()));
                let batch = RecordBatch::try_new_with_options(
                    nullable_schema(&values.columns),
                    columns,
                    &options,
                )?;
                PhysicalPlan::Values(ValuesExec { batch })
            }
            LogicalPlan::EmptyRelation(empty) => {
                let options = RecordBatchOptions::new()
                    .with_row_count(Some(usize::from(empty.produce_one_row)));
                let columns = empty
                    .columns
                    .iter()
                    .map(|c| {
                        arrow::array::new_null_array(
                            &c.data_type,
                            usize::from(empty.produce_one_row),
                        )
                    })
                    .collect();
                let batch = RecordBatch::try_new_with_options(
                    nullable_schema(&empty.columns),
                    columns,
                    &options,
                )?;
                PhysicalPlan::Values(ValuesExec { batch })
            }
            LogicalPlan::Filter(filter) => {
                let input = self.create(&filter.input)?;
                // A Parquet scan runs its pushed filters while decoding.
                let conjuncts: Vec<Expr> = match filter.input.as_ref() {
                    LogicalPlan::Scan(scan) if matches!(input.as_ref(), PhysicalPlan::ParquetScan(e) if !e.predicates.is_empty()) => {
                        filter
                            .predicate
                            .clone()
                            .split_conjunction()
                            .into_iter()
                            .filter(|c| !scan.filters.contains(c))
                            .collect()
                    }
                    _ => vec![filter.predicate.clone()],
                };
                let Some(predicate) = Expr::conjunction(conjuncts) else {
                    return Ok(input);
                };
                let layout = InputLayout::new(&filter.input.columns());
                PhysicalPlan::Filter(FilterExec {
                    input,
                    predicate: layout.create(&predicate)?,
                })
            }
            LogicalPlan::Projection(projection) => {
                let input = self.create(&projection.input)?;
                let layout = InputLayout::new(&projection.input.columns());
                PhysicalPlan::Projection(ProjectionExec {
                    input,
                    exprs: projection
                        .exprs
                        .iter()
                        .map(|e| layout.create(e))
                        .collect::<Result<_>>()?,
                    schema: nullable_schema(&projection.columns),
                })
            }
            LogicalPlan::Aggregate(aggregate) => return self.plan_aggregate(aggregate),
            // `replace_distinct_with_aggregate` makes this an aggregate
            // already; a plan optimized without that rule still runs.
            LogicalPlan::Distinct(distinct) => {
                return self.plan_aggregate(&Aggregate::distinct(distinct.input.clone()))
            }
            LogicalPlan::Sort(sort) => {
                // Each partition sorts its rows; a merge keeps the order.
                let input = self.create(&sort.input)?;
                let layout = InputLayout::new(&sort.input.columns());
                let keys = sort_keys(&sort.keys, &layout)?;
                let partitions = input.output_partitions();
                let sorted = PhysicalPlan::Sort(SortExec {
                    input,
                    keys: keys.clone(),
                    fetch: None,
                });
                if partitions <= 1 {
                    sorted
                } else {
                    PhysicalPlan::SortPreservingMerge(SortPreservingMergeExec::new(
                        Arc::new(sorted),
                        keys,
                        None,
                    ))
                }
            }
            LogicalPlan::Limit(limit) => {
                let input = self.create(&limit.input)?;
                // ORDER BY + LIMIT: the sort keeps only the rows the limit needs.
                let input = match (Arc::try_unwrap(input), limit.fetch) {
                    (Ok(PhysicalPlan::Sort(sort)), Some(fetch)) => {
                        Arc::new(PhysicalPlan::Sort(SortExec {
                            fetch: Some(fetch + limit.skip),
                            ..sort
                        }))
                    }
                    // A TopK per partition, then a merge of at most as many.
                    (Ok(PhysicalPlan::SortPreservingMerge(merge)), Some(fetch)) => {
                        let wanted = fetch + limit.skip;
                        let sorted = match Arc::try_unwrap(merge.input) {
                            Ok(PhysicalPlan::Sort(sort)) => PhysicalPlan::Sort(SortExec {
                                fetch: Some(wanted),
                                ..sort
                            }),
                            Ok(other) => other,
                            Err(shared) => {
                                return Err(crate::error::QuarryError::Internal(format!(
                                    "a merge input is shared: {}",
                                    shared.node_line()
                                )))
                            }
                        };
                        Arc::new(PhysicalPlan::SortPreservingMerge(
                            SortPreservingMergeExec::new(
                                Arc::new(sorted),
                                merge.keys,
                                Some(wanted),
                            ),
                        ))
                    }
                    (Ok(other), _) => Arc::new(other),
                    (Err(shared), _) => shared,
                };
                PhysicalPlan::Limit(LimitExec {
                    input: single_partition(input),
                    skip: limit.skip,
                    fetch: limit.fetch,
                })
            }
            LogicalPlan::Join(join) => self.plan_join(join)?,
            LogicalPlan::Window(window) => self.plan_window(window)?,
            LogicalPlan::Union(union) => PhysicalPlan::Union(UnionExec {
                inputs: union
                    .inputs
                    .iter()
                    .map(|i| self.create(i))
                    .collect::<Result<_>>()?,
                schema: nullable_schema(&union.columns),
            }),
        }))
    }

    fn plan_scan(&self, scan: &Scan) -> Result<PhysicalPlan> {
        let schema = to_arrow_schema(&scan.columns);
        let partitions = self.config.target_partitions;
        let pushed = scan.filters.iter().map(|f| f.to_string()).collect();
        Ok(match scan.source.as_ref() {
            TableSource::Parquet(source) => {
                let pruning =
                    PruningPredicate::try_new(&scan.filters, &scan.columns, &scan.projection);
                let mut access: Vec<Vec<RowGroupAccess>> = vec![];
                for file in &source.files {
                    let row_groups = file.metadata.metadata().num_row_groups();
                    let Some(pruning) = &pruning else {
                        access.push(vec![RowGroupAccess::All; row_groups]);
                        continue;
                    };
                    let keep = pruning.keep_row_groups(file)?;
                    let mut file_access = Vec::with_capacity(row_groups);
                    for (rg, kept) in keep.into_iter().enumerate() {
                        file_access.push(match (kept, pruning.page_selection(file, rg)?) {
                            (false, _) => RowGroupAccess::Skip,
                            (true, None) => RowGroupAccess::All,
                            (true, Some(rows)) if !rows.selects_any() => RowGroupAccess::Skip,
                            (true, Some(rows)) => RowGroupAccess::Rows(rows),
                        });
                    }
                    access.push(file_access);
                }
                // Late materialization pays when more columns are decoded
                // only for the rows that pass than the filters read, and
                // when the filters drop rows: Q1's `l_shipdate <= ..` keeps
                // 98% of lineitem, and a row filter would decode l_shipdate
                // twice for nothing.
                let filter_ids: std::collections::HashSet<_> =
                    scan.filters.iter().flat_map(Expr::column_ids).collect();
                let late_columns = scan.columns.len() - filter_ids.len();
                let selective = |filter: &Expr| {
                    let unfiltered =
                        crate::optimizer::cost::estimate(&LogicalPlan::Scan(scan.clone()));
                    crate::optimizer::cost::selectivity(filter, &unfiltered) <= MAX_LATE_SELECTIVITY
                };
                let predicates = match Expr::conjunction(scan.filters.iter().cloned()) {
                    Some(f) if late_columns > filter_ids.len() && selective(&f) => {
                        vec![Arc::new(scan_predicate(scan, &f)?)]
                    }
                    _ => vec![],
                };
                let files = Arc::new(source.files.clone());
                PhysicalPlan::ParquetScan(ParquetScanExec {
                    table_name: scan.table_name.clone(),
                    partitions: split_row_groups(&files, &access, partitions.max(1)),
                    files,
                    projection: scan.projection.clone(),
                    schema,
                    pushed_filters: pushed,
                    predicates,
                    row_groups_total: access.iter().map(Vec::len).sum(),
                })
            }
            TableSource::Csv(source) => PhysicalPlan::CsvScan(CsvScanExec {
                table_name: scan.table_name.clone(),
                files: source.files.clone(),
                file_schema: source.schema.clone(),
                has_header: source.options.has_header,
                delimiter: source.options.delimiter,
                projection: scan.projection.clone(),
                schema,
            }),
            TableSource::Memory(source) => PhysicalPlan::MemoryScan(MemoryScanExec::try_new(
                scan.table_name.clone(),
                source.batches()?,
                &scan.projection,
                schema,
                partitions,
            )?),
        })
    }

    fn plan_aggregate(&self, aggregate: &Aggregate) -> Result<Arc<PhysicalPlan>> {
        if let Some(grouping_id) = &aggregate.grouping_id {
            return self.plan_grouping_sets(aggregate, grouping_id);
        }
        let input = self.create(&aggregate.input)?;
        let layout = InputLayout::new(&aggregate.input.columns());
        let group_exprs: Vec<PhysicalExpr> = aggregate
            .group_exprs
            .iter()
            .map(|e| layout.create(e))
            .collect::<Result<_>>()?;
        let calls: Vec<AggregateCall> = aggregate
            .aggregates
            .iter()
            .map(|call| aggregate_call(call, &layout))
            .collect::<Result<_>>()?;
        let mut output_columns = aggregate.group_columns.clone();
        output_columns.extend(aggregate.aggregate_columns.iter().cloned());
        let final_schema = nullable_schema(&output_columns);

        let partitions = self.config.target_partitions.max(1);
        let single_phase = calls.iter().any(|c| c.spec.is_single_phase());
        // One phase when the input is one partition, or already partitioned
        // on the group keys; DISTINCT and ORDER BY aggregates see all rows of
        // a group in one partition: hash-partitioned on the keys (or gathered).
        let partitioned_on_keys =
            !group_exprs.is_empty() && is_hash_partitioned(&input, &group_exprs, partitions);
        if input.output_partitions() <= 1 || partitioned_on_keys || single_phase {
            let input = if group_exprs.is_empty() {
                single_partition(input)
            } else if single_phase {
                hash_partition(input, group_exprs.clone(), partitions)
            } else {
                input
            };
            return Ok(Arc::new(PhysicalPlan::HashAggregate(HashAggregateExec {
                input,
                mode: AggregateMode::Single,
                group_exprs,
                aggregates: calls,
                schema: final_schema,
            })));
        }
        // Partial per input partition, then final after gathering the states.
        let mut partial_fields: Vec<Field> = aggregate
            .group_columns
            .iter()
            .map(|c| Field::new(&c.name, c.data_type.clone(), true))
            .collect();
        for (call, column) in calls.iter().zip(&aggregate.aggregate_columns) {
            let types = call.spec.state_types()?;
            for (i, data_type) in types.into_iter().enumerate() {
                partial_fields.push(Field::new(format!("{}[{i}]", column.name), data_type, true));
            }
        }
        let partial = Arc::new(PhysicalPlan::HashAggregate(HashAggregateExec {
            input,
            mode: AggregateMode::Partial,
            group_exprs: group_exprs.clone(),
            aggregates: calls.clone(),
            schema: Arc::new(Schema::new(partial_fields)),
        }));
        let final_keys: Vec<PhysicalExpr> = aggregate
            .group_columns
            .iter()
            .enumerate()
            .map(|(index, c)| PhysicalExpr::Column {
                index,
                name: c.name.clone(),
            })
            .collect();
        // The combiner: partial states of one group meet in one partition.
        let exchanged = if final_keys.is_empty() {
            single_partition(partial)
        } else {
            hash_partition(partial, final_keys.clone(), partitions)
        };
        Ok(Arc::new(PhysicalPlan::HashAggregate(HashAggregateExec {
            input: exchanged,
            mode: AggregateMode::Final,
            group_exprs: final_keys,
            aggregates: calls,
            schema: final_schema,
        })))
    }
}

impl PhysicalPlanner<'_> {
    /// Window functions see every row of a window partition: the input is
    /// hash-partitioned on the PARTITION BY columns every call shares, or
    /// gathered when they share none.
    fn plan_window(&self, window: &Window) -> Result<PhysicalPlan> {
        let input = self.create(&window.input)?;
        let layout = InputLayout::new(&window.input.columns());
        let shared: Vec<Expr> = match window.window_exprs.split_first() {
            Some((first, rest)) => first
                .partition_by
                .iter()
                .filter(|e| matches!(e, Expr::Column(_)))
                .filter(|e| rest.iter().all(|call| call.partition_by.contains(e)))
                .cloned()
                .collect(),
            None => vec![],
        };
        let input = if shared.is_empty() || input.output_partitions() <= 1 {
            single_partition(input)
        } else {
            let keys = shared
                .iter()
                .map(|e| layout.create(e))
                .collect::<Result<Vec<_>>>()?;
            hash_partition(input, keys, self.config.target_partitions.max(1))
        };
        let create_all = |exprs: &[Expr]| -> Result<Vec<PhysicalExpr>> {
            exprs.iter().map(|e| layout.create(e)).collect()
        };
        let calls = window
            .window_exprs
            .iter()
            .map(|call| {
                Ok(WindowCall {
                    func: call.func,
                    args: create_all(&call.args)?,
                    parameter: call.parameter.clone(),
                    filter: call.filter.as_ref().map(|f| layout.create(f)).transpose()?,
                    partition_by: create_all(&call.partition_by)?,
                    order_by: sort_keys(&call.order_by, &layout)?,
                    frame: call.frame,
                    result_type: call.data_type.clone(),
                    display: call.to_string(),
                })
            })
            .collect::<Result<_>>()?;
        Ok(PhysicalPlan::Window(WindowExec {
            input,
            calls,
            schema: nullable_schema(&window.columns_out()),
        }))
    }
}

impl PhysicalPlanner<'_> {
    /// GROUPING SETS: one aggregate per set, each grouping by NULL in place of
    /// the expressions the set leaves out and by its grouping id, then a union.
    fn plan_grouping_sets(
        &self,
        aggregate: &Aggregate,
        grouping_id: &ColumnRef,
    ) -> Result<Arc<PhysicalPlan>> {
        let mut branches = vec![];
        for set in &aggregate.grouping_sets {
            let mut id = 0i64;
            let mut group_exprs = vec![];
            for (index, expr) in aggregate.group_exprs.iter().enumerate() {
                if set.contains(&index) {
                    group_exprs.push(expr.clone());
                } else {
                    id |= 1 << index;
                    group_exprs.push(Expr::Literal(ScalarValue::null(&expr.data_type())));
                }
            }
            let mut group_columns = aggregate.group_columns.clone();
            group_columns.push(grouping_id.clone());
            if set.is_empty() {
                // The empty set has its row even over no input: an
                // aggregate without keys, its NULL keys and id above it.
                let ungrouped = Arc::new(LogicalPlan::Aggregate(Aggregate {
                    input: aggregate.input.clone(),
                    group_exprs: vec![],
                    group_columns: vec![],
                    aggregates: aggregate.aggregates.clone(),
                    aggregate_columns: aggregate.aggregate_columns.clone(),
                    grouping_sets: vec![],
                    grouping_id: None,
                }));
                group_exprs.push(Expr::Literal(ScalarValue::int64(id)));
                group_exprs.extend(
                    aggregate
                        .aggregate_columns
                        .iter()
                        .cloned()
                        .map(Expr::Column),
                );
                let mut columns = group_columns;
                columns.extend(aggregate.aggregate_columns.iter().cloned());
                let projection =
                    Arc::new(LogicalPlan::Projection(crate::logical::plan::Projection {
                        input: ungrouped,
                        exprs: group_exprs,
                        columns,
                    }));
                branches.push(self.create(&projection)?);
                continue;
            }
            group_exprs.push(Expr::Literal(ScalarValue::int64(id)));
            let branch = Aggregate {
                input: aggregate.input.clone(),
                group_exprs,
                group_columns,
                aggregates: aggregate.aggregates.clone(),
                aggregate_columns: aggregate.aggregate_columns.clone(),
                grouping_sets: vec![],
                grouping_id: None,
            };
            branches.push(self.plan_aggregate(&branch)?);
        }
        let mut columns = aggregate.group_columns.clone();
        columns.push(grouping_id.clone());
        columns.extend(aggregate.aggregate_columns.iter().cloned());
        Ok(Arc::new(PhysicalPlan::Union(UnionExec {
            inputs: branches,
            schema: nullable_schema(&columns),
        })))
    }
}

fn aggregate_call(call: &AggregateExpr, layout: &InputLayout) -> Result<AggregateCall> {
    let spec = AggregateSpec {
        func: call.func,
        arg_types: call.args.iter().map(Expr::data_type).collect(),
        parameter: call.parameter.clone(),
        result_type: call.data_type.clone(),
        distinct: call.distinct,
        order_by: call
            .order_by
            .iter()
            .map(|key| {
                SortField::new_with_options(
                    key.expr.data_type(),
                    SortOptions {
                        descending: !key.ascending,
                        nulls_first: key.nulls_first,
                    },
                )
            })
            .collect(),
    };
    let state_width = if spec.is_single_phase() {
        0
    } else {
        spec.state_types()?.len()
    };
    let create_all = |exprs: &mut dyn Iterator<Item = &Expr>| -> Result<Vec<PhysicalExpr>> {
        exprs.map(|e| layout.create(e)).collect()
    };
    Ok(AggregateCall {
        spec,
        args: create_all(&mut call.args.iter())?,
        order_by: create_all(&mut call.order_by.iter().map(|key| &key.expr))?,
        filter: call.filter.as_ref().map(|f| layout.create(f)).transpose()?,
        state_width,
        display: call.to_string(),
    })
}

/// ORDER BY keys over an input.
fn sort_keys(keys: &[crate::logical::SortKey], layout: &InputLayout) -> Result<Vec<SortKeyExpr>> {
    keys.iter()
        .map(|key| {
            Ok(SortKeyExpr {
                expr: layout.create(&key.expr)?,
                options: SortOptions {
                    descending: !key.ascending,
                    nulls_first: key.nulls_first,
                },
            })
        })
        .collect()
}

/// Output schemas of computed columns: every field nullable, so a value the
/// binder could not prove non-NULL never fails batch validation.
fn nullable_schema(columns: &[ColumnRef]) -> arrow::datatypes::SchemaRef {
    Arc::new(Schema::new(
        columns
            .iter()
            .map(|c| Field::new(&c.name, c.data_type.clone(), true))
            .collect::<Vec<_>>(),
    ))
}

/// A pushed filter of `scan` as a predicate over the file columns it reads,
/// in file order (how the Parquet reader hands them over).
fn scan_predicate(scan: &Scan, filter: &Expr) -> Result<ScanPredicate> {
    let used = filter.column_ids();
    let mut read: Vec<(usize, ColumnRef)> = scan
        .columns
        .iter()
        .zip(&scan.projection)
        .filter(|(c, _)| used.contains(&c.id))
        .map(|(c, &p)| (p, c.clone()))
        .collect();
    read.sort_by_key(|(p, _)| *p);
    read.dedup_by_key(|(p, _)| *p);
    let layout = InputLayout::new(&read.iter().map(|(_, c)| c.clone()).collect::<Vec<_>>());
    Ok(ScanPredicate {
        columns: read.iter().map(|(p, _)| *p).collect(),
        expr: layout.create(filter)?,
    })
}

/// An aggregate subplan's text with its column ids numbered by first
/// appearance (ids inside quoted literals, as in `'Brand#23'`, are text),
/// the table source of each scan and its output types: two copies of one
/// CTE have equal keys, while plans that differ in anything shown do not.
/// `None` (never shared) for plans whose text leaves something out (VALUES
/// rows) or that differ each time they run (`random()`).
fn subplan_key(plan: &LogicalPlan) -> Option<String> {
    let text = plan.display_indent();
    let mut sources = vec![];
    let mut opaque = false;
    let _ = plan.apply(&mut |node| {
        match node {
            LogicalPlan::Scan(scan) => sources.push(Arc::as_ptr(&scan.source) as usize),
            LogicalPlan::Values(_) => opaque = true,
            _ => {}
        }
        Ok(())
    });
    let volatile = ["random(", "uuid("].iter().any(|f| text.contains(f));
    if opaque || volatile {
        return None;
    }
    let mut key = String::with_capacity(text.len());
    let mut ids: std::collections::HashMap<&str, usize> = Default::default();
    let mut quoted = false;
    let mut rest = text.as_str();
    while let Some(c) = rest.chars().next() {
        if c == '\'' {
            quoted = !quoted;
        }
        if c == '#' && !quoted {
            let digits = rest[1..]
                .find(|d: char| !d.is_ascii_digit())
                .unwrap_or(rest.len() - 1);
            if digits > 0 {
                let next = ids.len();
                let id = *ids.entry(&rest[1..1 + digits]).or_insert(next);
                key.push_str(&format!("#{id}"));
                rest = &rest[1 + digits..];
                continue;
            }
        }
        key.push(c);
        rest = &rest[c.len_utf8()..];
    }
    for column in plan.columns() {
        key.push_str(&format!(" {}", column.data_type));
    }
    for source in sources {
        key.push_str(&format!(" @{source:x}"));
    }
    Some(key)
}

/// How often each aggregate subplan occurs in `root`, by `subplan_key`.
fn repeated_subplans(root: &LogicalPlan) -> std::collections::HashMap<String, usize> {
    fn count(plan: &LogicalPlan, counts: &mut std::collections::HashMap<String, usize>) {
        if let LogicalPlan::Aggregate(_) = plan {
            if let Some(key) = subplan_key(plan) {
                *counts.entry(key).or_default() += 1;
            }
        }
        for child in plan.children() {
            count(child, counts);
        }
    }
    let mut counts = Default::default();
    count(root, &mut counts);
    counts
}
