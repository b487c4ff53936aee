//! Subqueries become joins with the plan of their clause:
//!
//! - `EXISTS (q)` / `NOT EXISTS (q)` in a WHERE conjunct: semi / anti join.
//! - `x IN (q)` / `x NOT IN (q)`: semi join / null-aware anti join on `x = q.col`.
//! - `(q)` as a value: left join with `q`, which yields one row (per
//!   correlation key once decorrelated), and the value is its column.
//!
//! A subquery that reads outer columns is bound as it is written, its join
//! marked `dependent`; the optimizer rule `decorrelate_subqueries` pulls the
//! correlated predicates up into the join condition. Only LATERAL is
//! decorrelated here, because its select list may read the left side.

use super::scope::Scope;
use super::{Binder, ExprContext};
use crate::error::{QuarryError, Result};
use crate::logical::plan::{Join, JoinType, Projection};
use crate::logical::{ColumnId, Expr, LogicalPlan};
use crate::optimizer::rules::decorrelate_subqueries::{pull_up, read_ids};
use sqlparser::ast;
use std::collections::HashSet;
use std::sync::Arc;

/// A scalar subquery waiting to be joined to the plan of its clause.
#[derive(Debug)]
pub struct PendingSubquery {
    pub plan: Arc<LogicalPlan>,
    /// The subquery reads outer columns: its join is dependent.
    pub correlated: bool,
}

impl Binder<'_> {
    /// Binds `query` as a subquery of a query whose columns are `outer`;
    /// returns its plan and whether it reads outer columns (correlated).
    fn bind_subquery(
        &mut self,
        query: &ast::Query,
        outer: &Scope,
    ) -> Result<(Arc<LogicalPlan>, bool)> {
        self.outer_scopes.push(outer.clone());
        self.correlated.push(vec![]);
        let plan = self.bind_query(query);
        self.outer_scopes.pop();
        let referenced = self.correlated.pop().unwrap_or_default();
        Ok((plan?, !referenced.is_empty()))
    }

    /// `(SELECT ...)` as a value: records the subquery for the clause to join
    /// in and returns its column.
    pub(super) fn bind_scalar_subquery(
        &mut self,
        query: &ast::Query,
        ctx: &mut ExprContext,
    ) -> Result<Expr> {
        let (plan, correlated) = self.bind_subquery(query, ctx.scope)?;
        let columns = plan.columns();
        let Some(value) = columns.first().cloned() else {
            return Err(QuarryError::Internal("subquery without columns".into()));
        };
        let expected = columns.len();
        if expected != 1 {
            return Err(QuarryError::Plan(format!(
                "Binder Error: Subquery returns {expected} columns - expected 1"
            )));
        }
        let counts = correlated && is_count(&plan, value.id);
        self.pending.push(PendingSubquery { plan, correlated });
        let mut value = value;
        value.nullable = true;
        if counts {
            // A correlated COUNT over no rows is 0, not the NULL the left join
            // gives for a key without a group (the "count bug").
            let zero = Expr::Literal(crate::logical::ScalarValue::int64(0));
            return Ok(Expr::ScalarFunction(
                crate::logical::expr::ScalarFunctionExpr {
                    name: "coalesce".into(),
                    args: vec![Expr::Column(value), zero],
                    data_type: arrow::datatypes::DataType::Int64,
                },
            ));
        }
        Ok(Expr::Column(value))
    }

    /// Joins the scalar subqueries bound since `mark` to `plan`.
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

    /// Handles a WHERE conjunct that is `[NOT] EXISTS (q)` or `x [NOT] IN (q)`
    /// by joining; returns `None` for any other conjunct.
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
        let (sub_plan, correlated) = self.bind_subquery(query, scope)?;
        let mut conditions = vec![];
        if let Some(needle) = needle {
            // `(a, b) IN (SELECT x, y ...)` compares column by column.
            let needles: Vec<&ast::Expr> = match needle {
                ast::Expr::Tuple(items) => items.iter().collect(),
                ast::Expr::Nested(inner) => vec![inner.as_ref()],
                single => vec![single],
            };
            let columns = sub_plan.columns();
            let width = columns.len();
            if width != needles.len() {
                return Err(QuarryError::Plan(format!(
                    "Binder Error: Subquery returns {width} columns - expected {}",
                    needles.len()
                )));
            }
            for (needle, column) in needles.into_iter().zip(columns) {
                let value = self.bind_expr(needle, &mut ExprContext::new(scope))?;
                conditions.push(super::expr::bind_comparison(
                    value,
                    crate::logical::BinaryOp::Eq,
                    Expr::Column(column),
                )?);
            }
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
}

impl Binder<'_> {
    /// `left, LATERAL (q)` or `left [LEFT] JOIN LATERAL (q) ON c`: the
    /// subquery may read `left`'s columns. Correlated conjuncts of its WHERE
    /// become the join condition, and a top projection that reads `left`'s
    /// columns is evaluated above the join.
    pub(super) fn bind_lateral(
        &mut self,
        left: Arc<LogicalPlan>,
        left_scope: Scope,
        query: &ast::Query,
        alias: Option<&ast::TableAlias>,
        join_type: JoinType,
        condition: Option<&ast::Expr>,
    ) -> Result<(Arc<LogicalPlan>, Scope)> {
        self.outer_scopes.push(left_scope.clone());
        self.correlated.push(vec![]);
        let plan = self.bind_query(query);
        self.outer_scopes.pop();
        let referenced = self.correlated.pop().unwrap_or_default();
        let plan = plan?;
        let outer: HashSet<ColumnId> = referenced.iter().map(|c| c.id).collect();
        let reads_outer = |e: &Expr| !e.column_ids().is_disjoint(&outer);
        let (inner, top) = match plan.as_ref() {
            LogicalPlan::Projection(p) if p.exprs.iter().any(reads_outer) => {
                (p.input.clone(), Some(p.clone()))
            }
            _ => (plan.clone(), None),
        };
        let (inner, predicates) = pull_up(&inner, &outer)?;
        if !read_ids(&inner).is_disjoint(&outer) {
            return Err(QuarryError::NotImplemented(
                "this LATERAL subquery: outer columns are supported in its WHERE conditions and select list only".into(),
            ));
        }
        let output = match &top {
            Some(p) => p.columns.clone(),
            None => plan.columns(),
        };
        let relation = alias.map(|a| a.name.value.clone());
        let mut right_scope = Scope::from_columns(relation.as_deref(), &output);
        if let Some(alias) = alias {
            for (column, name) in right_scope.columns.iter_mut().zip(&alias.columns) {
                column.column.name = name.name.value.clone();
            }
        }
        let mut conjuncts = predicates;
        if let Some(condition) = condition {
            let merged = left_scope.clone().merge(right_scope.clone());
            let bound = self.bind_expr(condition, &mut ExprContext::new(&merged))?;
            conjuncts.extend(super::expr::to_boolean(bound, "JOIN ON")?.split_conjunction());
        }
        let left_columns = left.columns();
        let mut joined = Arc::new(LogicalPlan::Join(Join::from_conjuncts(
            left, inner, join_type, conjuncts,
        )));
        if let Some(top) = top {
            let mut exprs: Vec<Expr> = left_columns.iter().cloned().map(Expr::Column).collect();
            exprs.extend(top.exprs.iter().cloned());
            let mut columns = left_columns;
            columns.extend(top.columns.iter().cloned());
            joined = Arc::new(LogicalPlan::Projection(Projection {
                input: joined,
                exprs,
                columns,
            }));
        }
        Ok((joined, left_scope.merge(right_scope)))
    }
}

/// Whether column `id` of `plan` is a COUNT computed by an aggregate (passed
/// through projections unchanged).
fn is_count(plan: &LogicalPlan, id: ColumnId) -> bool {
    match plan {
        LogicalPlan::Projection(p) => p.columns.iter().zip(&p.exprs).any(|(c, e)| {
            c.id == id && matches!(e, Expr::Column(inner) if is_count(&p.input, inner.id))
        }),
        LogicalPlan::Aggregate(a) => {
            a.aggregate_columns
                .iter()
                .zip(&a.aggregates)
                .any(|(c, call)| {
                    c.id == id
                        && matches!(
                            call.func,
                            crate::logical::AggregateFunction::Count
                                | crate::logical::AggregateFunction::CountStar
                        )
                })
        }
        LogicalPlan::Filter(f) => is_count(&f.input, id),
        LogicalPlan::Sort(s) => is_count(&s.input, id),
        _ => false,
    }
}
