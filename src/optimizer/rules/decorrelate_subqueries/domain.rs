//! The general unnesting of a dependent join (Neumann and Kemper, "Unnesting
//! Arbitrary Queries"): the distinct values of the outer columns the subquery
//! reads (the *domain*, DuckDB's delim scan) are joined into the subquery at
//! the lowest operators that read them and carried up through every operator
//! above, so the subquery is evaluated once per distinct outer value, for all
//! of them at once:
//!
//! ```text
//! t1 DependentJoin (SELECT count(*) FROM t1 x WHERE x.b < t1.b)
//! ==> t1 LeftOuter Join [t1.b IS NOT DISTINCT FROM d]
//!       (Aggregate [d] count(*) FILTER (present)
//!          (Distinct (t1.b AS d)) LeftOuter Join [d ≐ d']
//!          (Filter x.b < d' ((Distinct (t1.b AS d')) Cross Join t1 x)))
//! ```
//!
//! Every operator has its rule: filters, projections and sorts substitute the
//! domain column for the outer one and pass it on; grouped aggregates and
//! windows group (partition) by it too; an aggregate without GROUP BY, which
//! yields a row even for an empty input, becomes `domain LEFT JOIN input`
//! grouped by the domain with every aggregate filtered to the rows that
//! matched (the COUNT bug, for every aggregate); LIMIT becomes a
//! `row_number()` per domain value; joins and set operations take the domain
//! on the sides that read it and match it on both. A subtree that reads no
//! outer column is crossed with the domain.

use super::{reads_any, substitute};
use crate::error::{QuarryError, Result};
use crate::logical::plan::{
    Aggregate, Distinct, Filter, Join, JoinType, Limit, Projection, Sort, Union, Window,
};
use crate::logical::window::{WindowExpr, WindowFrame, WindowFunction};
use crate::logical::{
    AggregateExpr, BinaryOp, ColumnId, ColumnRef, Expr, LogicalPlan, ScalarValue,
};
use arrow::array::Array;
use arrow::datatypes::DataType;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

/// Makes copies of the domain: `DISTINCT` of the outer columns, each copy
/// under fresh column ids so that two copies can meet in one join.
pub struct Domain<'a> {
    pub outer: &'a Arc<LogicalPlan>,
    /// The outer columns the subquery reads, in domain column order.
    pub correlated: Vec<ColumnRef>,
    pub next_id: &'a mut ColumnId,
}

impl Domain<'_> {
    fn fresh(&mut self, template: &ColumnRef, name: &str) -> ColumnRef {
        let mut column = template.clone();
        column.id = *self.next_id;
        column.name = name.to_string();
        *self.next_id += 1;
        column
    }

    fn fresh_columns(&mut self) -> Vec<ColumnRef> {
        let correlated = self.correlated.clone();
        correlated
            .iter()
            .map(|c| self.fresh(c, &format!("delim_{}", c.name)))
            .collect()
    }

    /// A new copy of the domain: its plan and its columns.
    pub fn instance(&mut self) -> (Arc<LogicalPlan>, Vec<ColumnRef>) {
        let columns = self.fresh_columns();
        let projection = LogicalPlan::Projection(Projection {
            input: self.outer.clone(),
            exprs: self.correlated.iter().cloned().map(Expr::Column).collect(),
            columns: columns.clone(),
        });
        let plan = LogicalPlan::Distinct(Distinct {
            input: Arc::new(projection),
        });
        (Arc::new(plan), columns)
    }

    fn ids(&self) -> HashSet<ColumnId> {
        self.correlated.iter().map(|c| c.id).collect()
    }

    /// Substitutes the domain columns `domain` for the outer columns.
    fn map(&self, domain: &[ColumnRef]) -> HashMap<ColumnId, ColumnRef> {
        self.correlated
            .iter()
            .map(|c| c.id)
            .zip(domain.iter().cloned())
            .collect()
    }

    /// `plan` evaluated for every domain value at once: its columns plus
    /// domain columns (returned, in the order of `correlated`), with the
    /// outer columns it read replaced by them.
    pub fn push(&mut self, plan: &Arc<LogicalPlan>) -> Result<(Arc<LogicalPlan>, Vec<ColumnRef>)> {
        let outer = self.ids();
        if !reads_any(plan, &outer) {
            let (domain, columns) = self.instance();
            let join = Join::from_conjuncts(domain, plan.clone(), JoinType::Inner, vec![]);
            return Ok((Arc::new(LogicalPlan::Join(join)), columns));
        }
        match plan.as_ref() {
            LogicalPlan::Filter(filter) => {
                let (input, domain) = self.push(&filter.input)?;
                let predicate = substitute(filter.predicate.clone(), &self.map(&domain))?;
                Ok((plan_of(Filter { input, predicate }), domain))
            }
            LogicalPlan::Projection(projection) => {
                let (input, domain) = self.push(&projection.input)?;
                let node = self.project_with_domain(projection, input, &domain)?;
                Ok((node, domain))
            }
            LogicalPlan::Aggregate(aggregate)
                if aggregate.group_exprs.is_empty()
                    || aggregate.grouping_sets.iter().any(Vec::is_empty) =>
            {
                self.push_ungrouped_aggregate(aggregate)
            }
            LogicalPlan::Aggregate(aggregate) => {
                let (input, domain) = self.push(&aggregate.input)?;
                let map = self.map(&domain);
                let mut group_exprs = aggregate
                    .group_exprs
                    .iter()
                    .map(|e| substitute(e.clone(), &map))
                    .collect::<Result<Vec<_>>>()?;
                let first = group_exprs.len();
                group_exprs.extend(domain.iter().cloned().map(Expr::Column));
                let mut group_columns = aggregate.group_columns.clone();
                group_columns.extend(domain.iter().cloned());
                // Every grouping set keeps the domain columns.
                let grouping_sets = aggregate
                    .grouping_sets
                    .iter()
                    .map(|set| {
                        let mut set = set.clone();
                        set.extend(first..first + domain.len());
                        set
                    })
                    .collect();
                let aggregates = aggregate
                    .aggregates
                    .iter()
                    .map(|call| map_aggregate(call, &map))
                    .collect::<Result<Vec<_>>>()?;
                let node = LogicalPlan::Aggregate(Aggregate {
                    input,
                    group_exprs,
                    group_columns,
                    aggregates,
                    aggregate_columns: aggregate.aggregate_columns.clone(),
                    grouping_sets,
                    grouping_id: aggregate.grouping_id.clone(),
                });
                Ok((Arc::new(node), domain))
            }
            LogicalPlan::Distinct(distinct) => {
                let (input, domain) = self.push(&distinct.input)?;
                Ok((Arc::new(LogicalPlan::Distinct(Distinct { input })), domain))
            }
            LogicalPlan::Sort(sort) => {
                let (input, domain) = self.push(&sort.input)?;
                let map = self.map(&domain);
                let keys = sort
                    .keys
                    .iter()
                    .map(|key| {
                        let mut key = key.clone();
                        key.expr = substitute(key.expr, &map)?;
                        Ok(key)
                    })
                    .collect::<Result<Vec<_>>>()?;
                Ok((Arc::new(LogicalPlan::Sort(Sort { input, keys })), domain))
            }
            LogicalPlan::Limit(limit) => self.push_limit(limit),
            LogicalPlan::Window(window) => {
                let (input, domain) = self.push(&window.input)?;
                let map = self.map(&domain);
                let window_exprs = window
                    .window_exprs
                    .iter()
                    .map(|call| {
                        let mut call = call.try_map_expressions(&mut |e| substitute(e, &map))?;
                        call.partition_by
                            .extend(domain.iter().cloned().map(Expr::Column));
                        Ok(call)
                    })
                    .collect::<Result<Vec<_>>>()?;
                let node = LogicalPlan::Window(Window {
                    input,
                    window_exprs,
                    window_columns: window.window_columns.clone(),
                });
                Ok((Arc::new(node), domain))
            }
            LogicalPlan::Union(union) => {
                let mut inputs = vec![];
                for input in &union.inputs {
                    let (pushed, domain) = self.push(input)?;
                    let mut columns = input.columns();
                    columns.extend(domain);
                    inputs.push(Arc::new(LogicalPlan::Projection(Projection {
                        input: pushed,
                        exprs: columns.iter().cloned().map(Expr::Column).collect(),
                        columns,
                    })));
                }
                let domain = self.fresh_columns();
                let mut columns = union.columns.clone();
                columns.extend(domain.iter().cloned());
                Ok((plan_of_union(inputs, columns), domain))
            }
            LogicalPlan::Values(values) => {
                // Each row is one projection of the domain.
                let mut inputs = vec![];
                for row in &values.rows {
                    let (domain_plan, domain) = self.instance();
                    let map = self.map(&domain);
                    let mut exprs = row
                        .iter()
                        .map(|e| substitute(e.clone(), &map))
                        .collect::<Result<Vec<_>>>()?;
                    exprs.extend(domain.iter().cloned().map(Expr::Column));
                    let mut columns: Vec<ColumnRef> = values
                        .columns
                        .iter()
                        .map(|c| self.fresh(c, &c.name))
                        .collect();
                    columns.extend(domain);
                    inputs.push(Arc::new(LogicalPlan::Projection(Projection {
                        input: domain_plan,
                        exprs,
                        columns,
                    })));
                }
                let domain = self.fresh_columns();
                let mut columns = values.columns.clone();
                columns.extend(domain.iter().cloned());
                Ok((plan_of_union(inputs, columns), domain))
            }
            LogicalPlan::Join(join) => self.push_join(join),
            LogicalPlan::Scan(_) | LogicalPlan::EmptyRelation(_) => Err(QuarryError::Internal(
                "a scan read outer columns of a subquery".into(),
            )),
        }
    }

    /// `projection` over `input` (which carries `domain`), its outer
    /// columns replaced by the domain's, passing the domain on.
    fn project_with_domain(
        &self,
        projection: &Projection,
        input: Arc<LogicalPlan>,
        domain: &[ColumnRef],
    ) -> Result<Arc<LogicalPlan>> {
        let map = self.map(domain);
        let mut exprs = projection
            .exprs
            .iter()
            .map(|e| substitute(e.clone(), &map))
            .collect::<Result<Vec<_>>>()?;
        let mut columns = projection.columns.clone();
        exprs.extend(domain.iter().cloned().map(Expr::Column));
        columns.extend(domain.iter().cloned());
        Ok(Arc::new(LogicalPlan::Projection(Projection {
            input,
            exprs,
            columns,
        })))
    }

    /// `domain LEFT JOIN input` grouped by the domain: one row per domain
    /// value even where the input has none, each aggregate over the matched
    /// rows only (so `count(*)` of no rows is 0, `sum(1)` NULL). With
    /// grouping sets, the empty set is such a grouping; the others also
    /// group by the matched flag, and the groups of unmatched rows they make
    /// are filtered out.
    fn push_ungrouped_aggregate(
        &mut self,
        aggregate: &Aggregate,
    ) -> Result<(Arc<LogicalPlan>, Vec<ColumnRef>)> {
        let (input, inner) = self.push(&aggregate.input)?;
        let map = self.map(&inner);
        let present = self.fresh(
            &ColumnRef::new(0, "present", DataType::Boolean, false),
            "present",
        );
        let mut columns = input.columns();
        let mut exprs: Vec<Expr> = columns.iter().cloned().map(Expr::Column).collect();
        exprs.push(Expr::Literal(ScalarValue::boolean(true)));
        columns.push(present.clone());
        let input = Arc::new(LogicalPlan::Projection(Projection {
            input,
            exprs,
            columns,
        }));
        let (domain_plan, domain) = self.instance();
        let conditions = not_distinct(&domain, &inner);
        let joined = Join::from_conjuncts(domain_plan, input, JoinType::Left, conditions);
        // Above the outer join the flag is NULL where no input row matched.
        let mut present = present;
        present.nullable = true;
        let matched = Expr::IsNotNull(Box::new(Expr::Column(present.clone())));
        let aggregates = aggregate
            .aggregates
            .iter()
            .map(|call| {
                let mut call = map_aggregate(call, &map)?;
                call.filter = Some(match call.filter.take() {
                    Some(filter) => matched.clone().and(filter),
                    None => matched.clone(),
                });
                Ok(call)
            })
            .collect::<Result<Vec<_>>>()?;
        let mut group_exprs = aggregate
            .group_exprs
            .iter()
            .map(|e| substitute(e.clone(), &map))
            .collect::<Result<Vec<_>>>()?;
        let mut group_columns = aggregate.group_columns.clone();
        let first_domain = group_exprs.len();
        group_exprs.extend(domain.iter().cloned().map(Expr::Column));
        group_columns.extend(domain.iter().cloned());
        let sets = &aggregate.grouping_sets;
        if sets.is_empty() {
            let node = LogicalPlan::Aggregate(Aggregate {
                input: Arc::new(LogicalPlan::Join(joined)),
                group_exprs,
                group_columns,
                aggregates,
                aggregate_columns: aggregate.aggregate_columns.clone(),
                grouping_sets: vec![],
                grouping_id: None,
            });
            return Ok((Arc::new(node), domain));
        }
        let Some(grouping_id) = aggregate.grouping_id.clone() else {
            return Err(QuarryError::Internal(
                "grouping sets without a grouping id".into(),
            ));
        };
        let present_index = group_exprs.len();
        let present_key = self.fresh(&present, "present_key");
        group_exprs.push(Expr::Column(present.clone()));
        group_columns.push(present_key.clone());
        let domain_indices: Vec<usize> = (first_domain..first_domain + domain.len()).collect();
        let grouping_sets = sets
            .iter()
            .map(|set| {
                let mut set = set.clone();
                set.extend(domain_indices.iter().copied());
                if !set.iter().all(|i| domain_indices.contains(i)) {
                    set.push(present_index);
                }
                set
            })
            .collect();
        let grouped = Arc::new(LogicalPlan::Aggregate(Aggregate {
            input: Arc::new(LogicalPlan::Join(joined)),
            group_exprs,
            group_columns,
            aggregates,
            aggregate_columns: aggregate.aggregate_columns.clone(),
            grouping_sets,
            grouping_id: Some(grouping_id.clone()),
        }));
        // Keep a row when its input matched, or when it is the empty set's.
        let int = |n: i64| Expr::Literal(ScalarValue::int64(n));
        let rolled_up = Expr::binary(
            Expr::binary(
                Expr::binary(
                    Expr::Column(grouping_id),
                    BinaryOp::IntegerDivide,
                    int(1i64 << present_index.min(62)),
                    DataType::Int64,
                ),
                BinaryOp::Modulo,
                int(2),
                DataType::Int64,
            ),
            BinaryOp::Eq,
            int(1),
            DataType::Boolean,
        );
        let keep = Expr::binary(
            Expr::IsNotNull(Box::new(Expr::Column(present_key.clone()))),
            BinaryOp::Or,
            rolled_up,
            DataType::Boolean,
        );
        let filtered = plan_of(Filter {
            input: grouped,
            predicate: keep,
        });
        let columns: Vec<ColumnRef> = filtered
            .columns()
            .into_iter()
            .filter(|c| c.id != present_key.id)
            .collect();
        let node = LogicalPlan::Projection(Projection {
            input: filtered,
            exprs: columns.iter().cloned().map(Expr::Column).collect(),
            columns,
        });
        Ok((Arc::new(node), domain))
    }

    /// LIMIT / OFFSET per domain value: `row_number()` over the domain (in
    /// the order of a sort right below), kept where it falls in the range.
    fn push_limit(&mut self, limit: &Limit) -> Result<(Arc<LogicalPlan>, Vec<ColumnRef>)> {
        if !limit.parameters.is_empty() {
            return Err(QuarryError::NotImplemented(
                "a parameter in LIMIT or OFFSET of a correlated subquery".into(),
            ));
        }
        // A sort under projections (that drop its hidden keys) orders the
        // rows the limit counts: number them there, project after.
        let mut projections = vec![];
        let mut node = &limit.input;
        while let LogicalPlan::Projection(projection) = node.as_ref() {
            projections.push(projection);
            node = &projection.input;
        }
        let (below, keys) = match node.as_ref() {
            LogicalPlan::Sort(sort) => (&sort.input, sort.keys.clone()),
            _ => {
                projections.clear();
                (&limit.input, vec![])
            }
        };
        let (input, domain) = self.push(below)?;
        let map = self.map(&domain);
        let order_by = keys
            .into_iter()
            .map(|mut key| {
                key.expr = substitute(key.expr, &map)?;
                Ok(key)
            })
            .collect::<Result<Vec<_>>>()?;
        let columns = input.columns();
        let row_number = self.fresh(
            &ColumnRef::new(0, "row_number", DataType::Int64, false),
            "row_number",
        );
        let call = WindowExpr {
            func: WindowFunction::RowNumber,
            args: vec![],
            parameter: None,
            filter: None,
            partition_by: domain.iter().cloned().map(Expr::Column).collect(),
            frame: WindowFrame::default_for(!order_by.is_empty()),
            order_by: order_by.clone(),
            data_type: DataType::Int64,
        };
        let window = Arc::new(LogicalPlan::Window(Window {
            input,
            window_exprs: vec![call],
            window_columns: vec![row_number.clone()],
        }));
        let number = Expr::Column(row_number);
        let compare = |op, n: usize| {
            Expr::binary(
                number.clone(),
                op,
                Expr::Literal(ScalarValue::int64(n as i64)),
                DataType::Boolean,
            )
        };
        let mut conjuncts = vec![];
        if limit.skip > 0 {
            conjuncts.push(compare(BinaryOp::Gt, limit.skip));
        }
        if let Some(fetch) = limit.fetch {
            conjuncts.push(compare(BinaryOp::LtEq, limit.skip.saturating_add(fetch)));
        }
        let mut plan = window;
        if let Some(predicate) = Expr::conjunction(conjuncts) {
            plan = plan_of(Filter {
                input: plan,
                predicate,
            });
        }
        let mut plan = Arc::new(LogicalPlan::Projection(Projection {
            input: plan,
            exprs: columns.iter().cloned().map(Expr::Column).collect(),
            columns,
        }));
        // The order still matters to a LIMIT or window above.
        if !order_by.is_empty() {
            plan = Arc::new(LogicalPlan::Sort(Sort {
                input: plan,
                keys: order_by,
            }));
        }
        for projection in projections.into_iter().rev() {
            plan = self.project_with_domain(projection, plan, &domain)?;
        }
        Ok((plan, domain))
    }

    /// A join takes the domain on each side that reads outer columns; when
    /// both do, the two copies are matched in the condition. A side whose
    /// rows the join preserves (LEFT's left) always takes it, so no row
    /// loses its domain value.
    fn push_join(&mut self, join: &Join) -> Result<(Arc<LogicalPlan>, Vec<ColumnRef>)> {
        let outer = self.ids();
        let left_reads = reads_any(&join.left, &outer);
        let right_reads = reads_any(&join.right, &outer);
        let (push_left, push_right) = match join.join_type {
            JoinType::Inner => (left_reads || !right_reads, right_reads),
            JoinType::Left | JoinType::Semi | JoinType::Anti => (true, right_reads),
            JoinType::Right => (left_reads, true),
            JoinType::Full => (true, true),
        };
        if join.null_aware && push_right {
            return Err(QuarryError::NotImplemented(
                "NOT IN whose subquery reads columns two levels out".into(),
            ));
        }
        let (left, left_domain) = if push_left {
            let (plan, domain) = self.push(&join.left)?;
            (plan, Some(domain))
        } else {
            (join.left.clone(), None)
        };
        let (right, right_domain) = if push_right {
            let (plan, domain) = self.push(&join.right)?;
            (plan, Some(domain))
        } else {
            (join.right.clone(), None)
        };
        // Conditions read the domain of the side that keeps its rows.
        let condition_domain = match (&left_domain, &right_domain) {
            (Some(l), _) if join.join_type != JoinType::Right => l.clone(),
            (_, Some(r)) => r.clone(),
            (Some(l), None) => l.clone(),
            (None, None) => {
                return Err(QuarryError::Internal(
                    "a join took no copy of the domain".into(),
                ))
            }
        };
        let map = self.map(&condition_domain);
        let mut conditions = join
            .conditions()
            .into_iter()
            .map(|c| substitute(c, &map))
            .collect::<Result<Vec<_>>>()?;
        if let (Some(l), Some(r)) = (&left_domain, &right_domain) {
            conditions.extend(not_distinct(l, r));
        }
        let mut new = Join::from_conjuncts(left, right, join.join_type, conditions);
        new.null_aware = join.null_aware;
        new.null_equals_null = join.null_equals_null;
        let plan = Arc::new(LogicalPlan::Join(new));
        match (join.join_type, left_domain, right_domain) {
            // Rows of either side may be unmatched: the domain is whichever
            // side's is present.
            (JoinType::Full, Some(l), Some(r)) => {
                let domain = self.fresh_columns();
                let mut columns = plan.columns();
                let mut exprs: Vec<Expr> = columns.iter().cloned().map(Expr::Column).collect();
                for ((l, r), d) in l.iter().zip(&r).zip(&domain) {
                    exprs.push(Expr::ScalarFunction(
                        crate::logical::expr::ScalarFunctionExpr {
                            name: "coalesce".into(),
                            args: vec![Expr::Column(l.clone()), Expr::Column(r.clone())],
                            data_type: d.data_type.clone(),
                        },
                    ));
                    columns.push(d.clone());
                }
                let node = LogicalPlan::Projection(Projection {
                    input: plan,
                    exprs,
                    columns,
                });
                Ok((Arc::new(node), domain))
            }
            (JoinType::Right, _, Some(r)) => Ok((plan, r)),
            (_, Some(l), _) => Ok((plan, l)),
            (_, None, Some(r)) => Ok((plan, r)),
            (_, None, None) => Err(QuarryError::Internal(
                "a join took no copy of the domain".into(),
            )),
        }
    }
}

fn plan_of(filter: Filter) -> Arc<LogicalPlan> {
    Arc::new(LogicalPlan::Filter(filter))
}

fn plan_of_union(inputs: Vec<Arc<LogicalPlan>>, columns: Vec<ColumnRef>) -> Arc<LogicalPlan> {
    Arc::new(LogicalPlan::Union(Union { inputs, columns }))
}

fn map_aggregate(
    call: &AggregateExpr,
    map: &HashMap<ColumnId, ColumnRef>,
) -> Result<AggregateExpr> {
    call.try_map_expressions(&mut |e| substitute(e.clone(), map))
}

/// Conjuncts that hold when `a[i] IS NOT DISTINCT FROM b[i]` for every `i`,
/// written as equalities a hash join can use: `a = b` when neither can be
/// NULL, else `(a IS NULL) = (b IS NULL) AND coalesce(a, v) = coalesce(b, v)`.
pub fn not_distinct(a: &[ColumnRef], b: &[ColumnRef]) -> Vec<Expr> {
    let mut conjuncts = vec![];
    for (a, b) in a.iter().zip(b) {
        let eq = |l: Expr, r: Expr| Expr::binary(l, BinaryOp::Eq, r, DataType::Boolean);
        let (ea, eb) = (Expr::Column(a.clone()), Expr::Column(b.clone()));
        if !a.nullable && !b.nullable {
            conjuncts.push(eq(ea, eb));
            continue;
        }
        let Some(filler) = filler(&a.data_type) else {
            conjuncts.push(Expr::binary(
                ea,
                BinaryOp::IsNotDistinctFrom,
                eb,
                DataType::Boolean,
            ));
            continue;
        };
        let is_null = |e: &Expr| Expr::IsNull(Box::new(e.clone()));
        conjuncts.push(eq(is_null(&ea), is_null(&eb)));
        let or_filler = |e: Expr| {
            Expr::ScalarFunction(crate::logical::expr::ScalarFunctionExpr {
                name: "coalesce".into(),
                args: vec![e, Expr::Literal(filler.clone())],
                data_type: a.data_type.clone(),
            })
        };
        conjuncts.push(eq(or_filler(ea), or_filler(eb)));
    }
    conjuncts
}

/// Some non-NULL value of `data_type` (which one does not matter).
fn filler(data_type: &DataType) -> Option<ScalarValue> {
    let zero: arrow::array::ArrayRef = Arc::new(arrow::array::Int64Array::from(vec![0]));
    let value = arrow::compute::cast(&zero, data_type).ok()?;
    if value.null_count() > 0 {
        return None;
    }
    ScalarValue::try_new(value).ok()
}
