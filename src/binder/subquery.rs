//! Subqueries become joins with the plan of their clause:
//!
//! - a WHERE conjunct `EXISTS (q)` / `NOT EXISTS (q)` / `x IN (q)`: a semi or
//!   anti join; `x NOT IN (q)` with one column and `q` uncorrelated: the
//!   null-aware anti join;
//! - anywhere else an expression may stand, `EXISTS`, `[NOT] IN`, `op ANY`,
//!   `op ALL` and scalar subqueries are values: a left join with a subquery
//!   that yields exactly one row per outer row. A predicate is computed by
//!   an aggregate over the subquery (a mark join's three-valued result):
//!   `x IN (q)` is TRUE when some row compares TRUE, else NULL when some
//!   compares NULL, else FALSE. A scalar subquery that is not provably one
//!   row is checked to be at most one (an error otherwise, as in DuckDB).
//!
//! A subquery that reads outer columns is bound as it is written, its join
//! marked `dependent`; the optimizer rule `decorrelate_subqueries` unnests
//! it. LATERAL is a dependent join too.

use super::scope::Scope;
use super::{Binder, ExprContext};
use crate::error::{QuarryError, Result};
use crate::logical::expr::{CaseExpr, ScalarFunctionExpr};
use crate::logical::plan::{Aggregate, Join, JoinType, Limit, Projection};
use crate::logical::{
    AggregateExpr, AggregateFunction, BinaryOp, ColumnRef, Expr, LogicalPlan, ScalarValue,
};
use arrow::datatypes::DataType;
use sqlparser::ast;
use std::sync::Arc;

/// A subquery value waiting to be joined to the plan of its clause.
#[derive(Debug)]
pub struct PendingSubquery {
    pub plan: Arc<LogicalPlan>,
    /// The subquery reads outer columns: its join is dependent.
    pub correlated: bool,
}

/// How a quantified comparison combines the rows' results.
#[derive(Clone, Copy, PartialEq)]
enum Quantifier {
    Any,
    All,
}

impl Binder<'_> {
    /// Binds `query` as a subquery of a query whose columns are `outer`;
    /// returns its plan and whether it reads outer columns (correlated).
    fn bind_subquery(
        &mut self,
        query: &ast::Query,
        ctx: &mut ExprContext,
    ) -> Result<(Arc<LogicalPlan>, bool)> {
        self.outer_scopes.push(ctx.scope.clone());
        self.correlated.push(vec![]);
        self.outer_aggregates.push(vec![]);
        let plan = self.bind_query(query);
        self.outer_scopes.pop();
        let referenced = self.correlated.pop().unwrap_or_default();
        let aggregates = self.outer_aggregates.pop().unwrap_or_default();
        let plan = plan?;
        if let Some((call, _)) = aggregates.first() {
            let Some(collector) = ctx.aggregates.as_deref_mut() else {
                return Err(QuarryError::Plan(format!(
                    "Binder Error: aggregate function calls cannot be used here: {}",
                    call.func.name()
                )));
            };
            collector.calls.extend(aggregates);
        }
        Ok((plan, !referenced.is_empty()))
    }

    /// `(SELECT ...)` as a value: records the subquery for the clause to join
    /// in and returns its column.
    pub(super) fn bind_scalar_subquery(
        &mut self,
        query: &ast::Query,
        ctx: &mut ExprContext,
    ) -> Result<Expr> {
        let (plan, correlated) = self.bind_subquery(query, ctx)?;
        let columns = plan.columns();
        let expected = columns.len();
        if expected != 1 {
            return Err(QuarryError::Plan(format!(
                "Binder Error: Subquery returns {expected} columns - expected 1"
            )));
        }
        let (plan, value) = if at_most_one_row(&plan) {
            let mut value = columns[0].clone();
            value.nullable = true;
            (plan, value)
        } else if self.options.scalar_subquery_error_on_multiple_rows {
            self.single_row_checked(plan, &columns[0])
        } else {
            // DuckDB's setting off: the first row.
            let limited = Arc::new(LogicalPlan::Limit(Limit {
                input: plan,
                skip: 0,
                fetch: Some(1),
                parameters: Default::default(),
            }));
            let mut value = columns[0].clone();
            value.nullable = true;
            (limited, value)
        };
        self.pending.push(PendingSubquery { plan, correlated });
        Ok(Expr::Column(value))
    }

    /// `plan` reduced to one row: its value, or an error at run time when
    /// it has more than one row.
    fn single_row_checked(
        &mut self,
        plan: Arc<LogicalPlan>,
        value: &ColumnRef,
    ) -> (Arc<LogicalPlan>, ColumnRef) {
        let any = self.new_column(&value.name, value.data_type.clone(), true);
        let rows = self.new_column("rows", DataType::Int64, false);
        let aggregate = Aggregate {
            input: plan,
            group_exprs: vec![],
            group_columns: vec![],
            aggregates: vec![
                AggregateExpr {
                    func: AggregateFunction::Max,
                    args: vec![Expr::Column(value.clone())],
                    parameter: None,
                    distinct: false,
                    order_by: vec![],
                    filter: None,
                    data_type: value.data_type.clone(),
                },
                count_star(None),
            ],
            aggregate_columns: vec![any.clone(), rows.clone()],
            grouping_sets: vec![],
            grouping_id: None,
        };
        let checked = self.new_column(&value.name, value.data_type.clone(), true);
        let expr = Expr::ScalarFunction(ScalarFunctionExpr {
            name: "subquery_single_row".into(),
            args: vec![Expr::Column(rows), Expr::Column(any)],
            data_type: value.data_type.clone(),
        });
        let projection = Projection {
            input: Arc::new(LogicalPlan::Aggregate(aggregate)),
            exprs: vec![expr],
            columns: vec![checked.clone()],
        };
        (Arc::new(LogicalPlan::Projection(projection)), checked)
    }

    /// `EXISTS (q)` as a value: `(SELECT count(*) > 0 FROM q)`.
    pub(super) fn bind_exists_value(
        &mut self,
        query: &ast::Query,
        negated: bool,
        ctx: &mut ExprContext,
    ) -> Result<Expr> {
        let (plan, correlated) = self.bind_subquery(query, ctx)?;
        let count = self.new_column("count", DataType::Int64, false);
        let aggregate = LogicalPlan::Aggregate(Aggregate {
            input: plan,
            group_exprs: vec![],
            group_columns: vec![],
            aggregates: vec![count_star(None)],
            aggregate_columns: vec![count.clone()],
            grouping_sets: vec![],
            grouping_id: None,
        });
        let exists = self.new_column("exists", DataType::Boolean, true);
        let op = if negated { BinaryOp::Eq } else { BinaryOp::Gt };
        let expr = Expr::binary(
            Expr::Column(count),
            op,
            Expr::Literal(ScalarValue::int64(0)),
            DataType::Boolean,
        );
        let plan = Arc::new(LogicalPlan::Projection(Projection {
            input: Arc::new(aggregate),
            exprs: vec![expr],
            columns: vec![exists.clone()],
        }));
        self.pending.push(PendingSubquery { plan, correlated });
        Ok(Expr::Column(exists))
    }

    /// `x [NOT] IN (q)`, `x op ANY (q)` and `x op ALL (q)` as values, with
    /// SQL's three-valued result; `x` may be a row `(a, b)`.
    fn bind_quantified_value(
        &mut self,
        needle: &ast::Expr,
        op: BinaryOp,
        quantifier: Quantifier,
        query: &ast::Query,
        ctx: &mut ExprContext,
    ) -> Result<Expr> {
        let needles = self.bind_needles(needle, ctx)?;
        let (plan, correlated) = self.bind_subquery(query, ctx)?;
        let reads_outer = needles.iter().any(|n| !n.column_ids().is_empty());
        let columns = plan.columns();
        if columns.len() != needles.len() {
            return Err(QuarryError::Plan(format!(
                "Binder Error: Subquery returns {} columns - expected {}",
                columns.len(),
                needles.len()
            )));
        }
        let values: Vec<Expr> = columns.into_iter().map(Expr::Column).collect();
        let comparison = compare_rows(needles, op, values)?;
        // ANY counts the rows that compare TRUE; ALL those that compare FALSE.
        let decisive = match quantifier {
            Quantifier::Any => comparison.clone(),
            Quantifier::All => Expr::Not(Box::new(comparison.clone())),
        };
        let unknown = Expr::IsNull(Box::new(comparison));
        let decided = self.new_column("decided", DataType::Int64, false);
        let unknowns = self.new_column("unknown", DataType::Int64, false);
        let aggregate = LogicalPlan::Aggregate(Aggregate {
            input: plan,
            group_exprs: vec![],
            group_columns: vec![],
            aggregates: vec![count_star(Some(decisive)), count_star(Some(unknown))],
            aggregate_columns: vec![decided.clone(), unknowns.clone()],
            grouping_sets: vec![],
            grouping_id: None,
        });
        let positive = |column: &ColumnRef| {
            Expr::binary(
                Expr::Column(column.clone()),
                BinaryOp::Gt,
                Expr::Literal(ScalarValue::int64(0)),
                DataType::Boolean,
            )
        };
        let boolean = |b: bool| Expr::Literal(ScalarValue::boolean(b));
        let any = quantifier == Quantifier::Any;
        let mark = Expr::Case(CaseExpr {
            when_then: vec![
                (positive(&decided), boolean(any)),
                (
                    positive(&unknowns),
                    Expr::Literal(ScalarValue::null(&DataType::Boolean)),
                ),
            ],
            else_expr: Some(Box::new(boolean(!any))),
            data_type: DataType::Boolean,
        });
        let column = self.new_column("mark", DataType::Boolean, true);
        let plan = Arc::new(LogicalPlan::Projection(Projection {
            input: Arc::new(aggregate),
            exprs: vec![mark],
            columns: vec![column.clone()],
        }));
        self.pending.push(PendingSubquery {
            plan,
            correlated: correlated || reads_outer,
        });
        Ok(Expr::Column(column))
    }

    /// `x [NOT] IN (q)`, `x op ANY|SOME|ALL (q)` and `EXISTS (q)` as values.
    pub(super) fn bind_subquery_predicate(
        &mut self,
        expr: &ast::Expr,
        ctx: &mut ExprContext,
    ) -> Result<Expr> {
        match expr {
            ast::Expr::Exists { subquery, negated } => {
                self.bind_exists_value(subquery, *negated, ctx)
            }
            ast::Expr::InSubquery {
                expr,
                subquery,
                negated,
            } => {
                let value =
                    self.bind_quantified_value(expr, BinaryOp::Eq, Quantifier::Any, subquery, ctx)?;
                Ok(if *negated {
                    Expr::Not(Box::new(value))
                } else {
                    value
                })
            }
            ast::Expr::AnyOp {
                left,
                compare_op,
                right,
                ..
            }
            | ast::Expr::AllOp {
                left,
                compare_op,
                right,
            } => {
                let quantifier = if matches!(expr, ast::Expr::AnyOp { .. }) {
                    Quantifier::Any
                } else {
                    Quantifier::All
                };
                let op = comparison_op(compare_op)?;
                let query = match right.as_ref() {
                    ast::Expr::Subquery(query) => query,
                    ast::Expr::Nested(inner) => match inner.as_ref() {
                        ast::Expr::Subquery(query) => query,
                        _ => return Err(not_a_subquery(expr)),
                    },
                    _ => return Err(not_a_subquery(expr)),
                };
                self.bind_quantified_value(left, op, quantifier, query, ctx)
            }
            other => Err(QuarryError::Internal(format!(
                "not a subquery predicate: {other}"
            ))),
        }
    }

    /// The values compared with a subquery's columns: `(a, b)` or `a`.
    fn bind_needles(&mut self, needle: &ast::Expr, ctx: &mut ExprContext) -> Result<Vec<Expr>> {
        let items: Vec<&ast::Expr> = match needle {
            ast::Expr::Tuple(items) => items.iter().collect(),
            ast::Expr::Nested(inner) => return self.bind_needles(inner, ctx),
            ast::Expr::Function(function) if is_row_constructor(function) => match &function.args {
                ast::FunctionArguments::List(list) => list
                    .args
                    .iter()
                    .map(|arg| match arg {
                        ast::FunctionArg::Unnamed(ast::FunctionArgExpr::Expr(e)) => Ok(e),
                        other => Err(QuarryError::Plan(format!(
                            "Binder Error: ROW takes values, got {other}"
                        ))),
                    })
                    .collect::<Result<_>>()?,
                _ => vec![],
            },
            single => vec![single],
        };
        items.into_iter().map(|e| self.bind_expr(e, ctx)).collect()
    }

    /// Joins the subquery values bound since `mark` to `plan`.
    pub(super) fn attach_pending(
        &mut self,
        mut plan: Arc<LogicalPlan>,
        mark: usize,
    ) -> Arc<LogicalPlan> {
        for pending in self.pending.split_off(mark) {
            let mut join = Join::from_conjuncts(plan, pending.plan, JoinType::Left, vec![]);
            join.dependent = pending.correlated;
            plan = Arc::new(LogicalPlan::Join(join));
        }
        plan
    }

    /// Joins each subquery value bound since `mark` to the side of a join
    /// whose columns it reads (the left one when it reads neither).
    pub(super) fn attach_pending_to_sides(
        &mut self,
        mut left: Arc<LogicalPlan>,
        mut right: Arc<LogicalPlan>,
        mark: usize,
    ) -> Result<(Arc<LogicalPlan>, Arc<LogicalPlan>)> {
        let right_ids: std::collections::HashSet<_> =
            right.columns().iter().map(|c| c.id).collect();
        let left_ids: std::collections::HashSet<_> = left.columns().iter().map(|c| c.id).collect();
        for pending in self.pending.split_off(mark) {
            let free = free_columns(&pending.plan);
            let side = if free.is_disjoint(&right_ids) {
                &mut left
            } else if free.is_disjoint(&left_ids) {
                &mut right
            } else {
                return Err(QuarryError::NotImplemented(
                    "a subquery in the ON condition of an outer join that reads both sides".into(),
                ));
            };
            let mut join = Join::from_conjuncts(side.clone(), pending.plan, JoinType::Left, vec![]);
            join.dependent = pending.correlated;
            *side = Arc::new(LogicalPlan::Join(join));
        }
        Ok((left, right))
    }

    /// Handles a WHERE conjunct that is `[NOT] EXISTS (q)` or `x [NOT] IN (q)`
    /// by a semi or anti join; returns `None` for any other conjunct (which
    /// is bound as a value).
    pub(super) fn bind_predicate_subquery(
        &mut self,
        conjunct: &ast::Expr,
        plan: &Arc<LogicalPlan>,
        scope: &Scope,
    ) -> Result<Option<Arc<LogicalPlan>>> {
        let (query, negated, needle) = match conjunct {
            ast::Expr::Exists { subquery, negated } => (subquery, *negated, None),
            ast::Expr::UnaryOp {
                op: ast::UnaryOperator::Not,
                expr,
            } => match expr.as_ref() {
                ast::Expr::Exists { subquery, negated } => (subquery, !*negated, None),
                ast::Expr::Nested(inner) => match inner.as_ref() {
                    ast::Expr::Exists { subquery, negated } => (subquery, !*negated, None),
                    _ => return Ok(None),
                },
                _ => return Ok(None),
            },
            ast::Expr::InSubquery {
                expr,
                subquery,
                negated,
            } => (subquery, *negated, Some(expr.as_ref())),
            _ => return Ok(None),
        };
        let mark = self.pending.len();
        let mut conditions = vec![];
        let mut needle_count = 0;
        if let Some(needle) = needle {
            let needles = self.bind_needles(needle, &mut ExprContext::new(scope))?;
            if self.pending.len() != mark {
                // A subquery inside the needle: bound as a value instead.
                self.pending.truncate(mark);
                return Ok(None);
            }
            needle_count = needles.len();
            conditions = needles;
        }
        let (sub_plan, correlated) = self.bind_subquery(query, &mut ExprContext::new(scope))?;
        // NOT IN is null-aware: only the uncorrelated one-column form has
        // its own join; the rest is bound as a value.
        if negated && needle.is_some() && (correlated || needle_count != 1) {
            return Ok(None);
        }
        if needle.is_some() {
            let columns = sub_plan.columns();
            let width = columns.len();
            if width != needle_count {
                return Err(QuarryError::Plan(format!(
                    "Binder Error: Subquery returns {width} columns - expected {needle_count}"
                )));
            }
            conditions = std::mem::take(&mut conditions)
                .into_iter()
                .zip(columns)
                .map(|(value, column)| {
                    super::expr::bind_comparison(value, BinaryOp::Eq, Expr::Column(column))
                })
                .collect::<Result<_>>()?;
        }
        let join_type = if negated {
            JoinType::Anti
        } else {
            JoinType::Semi
        };
        let mut join = Join::from_conjuncts(plan.clone(), sub_plan, join_type, conditions);
        join.null_aware = negated && needle.is_some();
        join.dependent = correlated;
        Ok(Some(Arc::new(LogicalPlan::Join(join))))
    }

    /// `left, LATERAL (q)` or `left [LEFT] JOIN LATERAL (q) ON c`: a
    /// dependent join whose right side may read `left`'s columns anywhere.
    pub(super) fn bind_lateral(
        &mut self,
        left: Arc<LogicalPlan>,
        left_scope: Scope,
        query: &ast::Query,
        alias: Option<&ast::TableAlias>,
        join_type: JoinType,
        condition: Option<&ast::Expr>,
    ) -> Result<(Arc<LogicalPlan>, Scope)> {
        let (plan, correlated) = self.bind_subquery(query, &mut ExprContext::new(&left_scope))?;
        let relation = alias.map(|a| a.name.value.clone());
        let mut right_scope = Scope::from_columns(relation.as_deref(), &plan.columns());
        if join_type == JoinType::Left {
            // The padded side of an outer join.
            for column in right_scope.columns.iter_mut() {
                column.column.nullable = true;
            }
        }
        if let Some(alias) = alias {
            for (column, name) in right_scope.columns.iter_mut().zip(&alias.columns) {
                column.column.name = name.name.value.clone();
            }
        }
        let mut conjuncts = vec![];
        let mark = self.pending.len();
        if let Some(condition) = condition {
            let merged = left_scope.clone().merge(right_scope.clone());
            let bound = self.bind_expr(condition, &mut ExprContext::new(&merged))?;
            conjuncts.extend(super::expr::to_boolean(bound, "JOIN ON")?.split_conjunction());
        }
        let scope = left_scope.merge(right_scope);
        if self.pending.len() == mark {
            let mut join = Join::from_conjuncts(left, plan, join_type, conjuncts);
            join.dependent = correlated;
            return Ok((Arc::new(LogicalPlan::Join(join)), scope));
        }
        // Subqueries in ON: for an inner join they join the pair and the
        // condition filters; for a left join each joins the side it reads.
        if join_type == JoinType::Inner {
            let mut pair = Join::from_conjuncts(left, plan, join_type, vec![]);
            pair.dependent = correlated;
            let joined = self.attach_pending(Arc::new(LogicalPlan::Join(pair)), mark);
            let filtered = match Expr::conjunction(conjuncts) {
                Some(predicate) => Arc::new(LogicalPlan::Filter(crate::logical::plan::Filter {
                    input: joined,
                    predicate,
                })),
                None => joined,
            };
            return Ok((filtered, scope));
        }
        let (left, plan) = self.attach_pending_to_sides(left, plan, mark)?;
        let mut join = Join::from_conjuncts(left, plan, join_type, conjuncts);
        join.dependent = correlated || join_reads_outside(&join);
        Ok((Arc::new(LogicalPlan::Join(join)), scope))
    }
}

/// Whether the right side of `join` reads columns it does not produce.
fn join_reads_outside(join: &Join) -> bool {
    !free_columns(&join.right).is_empty()
}

/// The columns `plan` reads that none of its nodes produce.
pub(super) fn free_columns(
    plan: &LogicalPlan,
) -> std::collections::HashSet<crate::logical::ColumnId> {
    let (mut read, mut produced) = (
        std::collections::HashSet::new(),
        std::collections::HashSet::new(),
    );
    let _ = plan.apply(&mut |node| {
        produced.extend(node.columns().iter().map(|c| c.id));
        for expr in node.expressions() {
            expr.collect_columns(&mut read);
        }
        Ok(())
    });
    read.difference(&produced).copied().collect()
}

/// `count(*)`, with an optional FILTER.
fn count_star(filter: Option<Expr>) -> AggregateExpr {
    AggregateExpr {
        func: AggregateFunction::CountStar,
        args: vec![],
        parameter: None,
        distinct: false,
        order_by: vec![],
        filter,
        data_type: DataType::Int64,
    }
}

/// Whether `plan` yields at most one row whatever its input: an aggregate
/// without GROUP BY, or LIMIT 0 or 1, under projections, filters and sorts.
fn at_most_one_row(plan: &LogicalPlan) -> bool {
    match plan {
        LogicalPlan::Projection(p) => at_most_one_row(&p.input),
        LogicalPlan::Filter(f) => at_most_one_row(&f.input),
        LogicalPlan::Sort(s) => at_most_one_row(&s.input),
        LogicalPlan::Aggregate(a) => a.group_exprs.is_empty() && a.grouping_sets.is_empty(),
        LogicalPlan::Limit(l) => {
            l.parameters.fetch.is_none() && l.fetch.is_some_and(|n| n <= 1)
                || at_most_one_row(&l.input)
        }
        LogicalPlan::EmptyRelation(_) => true,
        LogicalPlan::Values(v) => v.rows.len() <= 1,
        _ => false,
    }
}

/// `(a, b) op (x, y)` with SQL's row comparison: `=` all equal, `<>` any
/// differs, the orderings lexicographic.
fn compare_rows(left: Vec<Expr>, op: BinaryOp, right: Vec<Expr>) -> Result<Expr> {
    use super::expr::bind_comparison;
    let mut pairs: Vec<(Expr, Expr)> = left.into_iter().zip(right).collect();
    if pairs.len() == 1 {
        if let Some((l, r)) = pairs.pop() {
            return bind_comparison(l, op, r);
        }
    }
    let or = |a: Expr, b: Expr| Expr::binary(a, BinaryOp::Or, b, DataType::Boolean);
    match op {
        BinaryOp::Eq => {
            let mut terms = vec![];
            for (l, r) in pairs {
                terms.push(bind_comparison(l, BinaryOp::Eq, r)?);
            }
            Expr::conjunction(terms).ok_or_else(empty_row)
        }
        BinaryOp::NotEq => {
            let mut terms = vec![];
            for (l, r) in pairs {
                terms.push(bind_comparison(l, BinaryOp::NotEq, r)?);
            }
            terms.into_iter().reduce(or).ok_or_else(empty_row)
        }
        ordering => {
            let strict = match ordering {
                BinaryOp::LtEq => BinaryOp::Lt,
                BinaryOp::GtEq => BinaryOp::Gt,
                other => other,
            };
            // (l1 strict r1) OR (l1 = r1 AND (rest)), the last pair with `op`.
            let mut result: Option<Expr> = None;
            for (l, r) in pairs.into_iter().rev() {
                let this_op = if result.is_none() { ordering } else { strict };
                let this = bind_comparison(l.clone(), this_op, r.clone())?;
                result = Some(match result {
                    None => this,
                    Some(rest) => {
                        let equal = bind_comparison(l, BinaryOp::Eq, r)?;
                        or(this, equal.and(rest))
                    }
                });
            }
            result.ok_or_else(empty_row)
        }
    }
}

fn empty_row() -> QuarryError {
    QuarryError::Plan("Binder Error: a row value needs at least one column".into())
}

fn comparison_op(op: &ast::BinaryOperator) -> Result<BinaryOp> {
    use ast::BinaryOperator as B;
    Ok(match op {
        B::Eq => BinaryOp::Eq,
        B::NotEq => BinaryOp::NotEq,
        B::Lt => BinaryOp::Lt,
        B::LtEq => BinaryOp::LtEq,
        B::Gt => BinaryOp::Gt,
        B::GtEq => BinaryOp::GtEq,
        other => {
            return Err(QuarryError::Plan(format!(
                "Binder Error: ANY and ALL need a comparison operator, got {other}"
            )))
        }
    })
}

/// `ROW(a, b)`: a row value, as `(a, b)`.
fn is_row_constructor(function: &ast::Function) -> bool {
    function.name.to_string().eq_ignore_ascii_case("row")
}

fn not_a_subquery(expr: &ast::Expr) -> QuarryError {
    QuarryError::NotImplemented(format!(
        "ANY / ALL over something other than a subquery: {expr}"
    ))
}
