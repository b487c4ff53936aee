//! A whole query: WITH, the body (SELECT, set operation, VALUES), ORDER BY and
//! LIMIT/OFFSET.

use super::scope::Scope;
use super::types::{set_operation_type, sql_type_name};
use super::{Binder, ExprContext};
use crate::catalog::ViewDefinition;
use crate::error::{QuarryError, Result};
use crate::logical::parameter::LimitParameters;
use crate::logical::plan::{
    Distinct, Join, JoinType, Limit, Projection, Sort, Union, Values, Window,
};
use crate::logical::window::{WindowExpr, WindowFrame, WindowFunction};
use crate::logical::{Expr, LogicalPlan, ScalarValue, SortKey};
use arrow::datatypes::DataType;
use sqlparser::ast::{self, SetExpr, SetOperator, SetQuantifier};
use std::collections::HashMap;
use std::sync::Arc;

impl Binder<'_> {
    pub(super) fn bind_query(&mut self, query: &ast::Query) -> Result<Arc<LogicalPlan>> {
        let pushed = if let Some(with) = &query.with {
            if with.recursive {
                return Err(QuarryError::NotImplemented("WITH RECURSIVE".into()));
            }
            let mut ctes = HashMap::new();
            for cte in &with.cte_tables {
                let definition = ViewDefinition {
                    query: cte.query.as_ref().clone(),
                    column_names: cte
                        .alias
                        .columns
                        .iter()
                        .map(|c| c.name.value.clone())
                        .collect(),
                };
                ctes.insert(cte.alias.name.value.to_lowercase(), Arc::new(definition));
            }
            self.ctes.push(ctes);
            true
        } else {
            false
        };
        let result = self.bind_query_body(query);
        if pushed {
            self.ctes.pop();
        }
        result
    }

    fn bind_query_body(&mut self, query: &ast::Query) -> Result<Arc<LogicalPlan>> {
        let (order_by, order_all) = match &query.order_by {
            None => (vec![], None),
            Some(order_by) => match &order_by.kind {
                // GenericDialect reads `ORDER BY ALL` as a column named ALL.
                ast::OrderByKind::Expressions(exprs) => match exprs.as_slice() {
                    [only] if matches!(&only.expr, ast::Expr::Identifier(i) if i.quote_style.is_none() && i.value.eq_ignore_ascii_case("all")) => {
                        (vec![], Some(only.options.clone()))
                    }
                    _ => (exprs.clone(), None),
                },
                ast::OrderByKind::All(options) => (vec![], Some(options.clone())),
            },
        };
        let mut plan = match query.body.as_ref() {
            SetExpr::Select(select) => self.bind_select(select, &order_by)?,
            body => {
                let plan = self.bind_set_expr(body)?;
                self.bind_order_by_output(plan, &order_by)?
            }
        };
        // ORDER BY ALL: every output column, left to right.
        if let Some(options) = order_all {
            let keys = plan
                .columns()
                .into_iter()
                .map(|c| self.sort_key(Expr::Column(c), &options))
                .collect();
            plan = Arc::new(LogicalPlan::Sort(Sort { input: plan, keys }));
        }
        self.bind_limit(plan, query)
    }

    pub(super) fn bind_set_expr(&mut self, body: &SetExpr) -> Result<Arc<LogicalPlan>> {
        match body {
            SetExpr::Select(select) => self.bind_select(select, &[]),
            SetExpr::Query(query) => self.bind_query(query),
            SetExpr::Values(values) => self.bind_values(values),
            SetExpr::SetOperation {
                left,
                op,
                set_quantifier,
                right,
            } => {
                let left = self.bind_set_expr(left)?;
                let right = self.bind_set_expr(right)?;
                let all = matches!(set_quantifier, SetQuantifier::All);
                match op {
                    SetOperator::Union => {
                        let union = self.bind_union(left, right)?;
                        Ok(if all {
                            union
                        } else {
                            Arc::new(LogicalPlan::Distinct(Distinct { input: union }))
                        })
                    }
                    SetOperator::Intersect | SetOperator::Except => {
                        self.bind_intersect_except(left, right, *op == SetOperator::Intersect, all)
                    }
                    other => Err(QuarryError::NotImplemented(format!(
                        "{other} ALL is not supported yet"
                    ))),
                }
            }
            other => Err(QuarryError::NotImplemented(format!("query body {other}"))),
        }
    }

    fn bind_union(
        &mut self,
        left: Arc<LogicalPlan>,
        right: Arc<LogicalPlan>,
    ) -> Result<Arc<LogicalPlan>> {
        let (left_columns, right_columns) = (left.columns(), right.columns());
        if left_columns.len() != right_columns.len() {
            return Err(QuarryError::Plan(format!(
                "Binder Error: Set operations can only apply to expressions with the same number of result columns ({} and {})",
                left_columns.len(),
                right_columns.len()
            )));
        }
        let mut types = vec![];
        for (l, r) in left_columns.iter().zip(&right_columns) {
            let common = set_operation_type(&l.data_type, &r.data_type).ok_or_else(|| {
                QuarryError::Plan(format!(
                    "Binder Error: UNION column \"{}\" has types {} and {}",
                    l.name,
                    sql_type_name(&l.data_type),
                    sql_type_name(&r.data_type)
                ))
            })?;
            types.push(if common == DataType::Null {
                DataType::Int32
            } else {
                common
            });
        }
        let left = self.cast_columns(left, &types)?;
        let right = self.cast_columns(right, &types)?;
        let columns = left_columns
            .iter()
            .zip(&right_columns)
            .zip(&types)
            .map(|((l, r), t)| self.new_column(&l.name, t.clone(), l.nullable || r.nullable))
            .collect();
        Ok(Arc::new(LogicalPlan::Union(Union {
            inputs: vec![left, right],
            columns,
        })))
    }

    /// `left INTERSECT right` is a semi join on every column (NULL equal to
    /// NULL) then DISTINCT; EXCEPT is the anti join. The ALL forms number the
    /// copies of each row on both sides (`row_number() OVER (PARTITION BY
    /// every column)`) and join on the number too, so the n-th copy on the
    /// left matches the n-th copy on the right.
    fn bind_intersect_except(
        &mut self,
        left: Arc<LogicalPlan>,
        right: Arc<LogicalPlan>,
        intersect: bool,
        all: bool,
    ) -> Result<Arc<LogicalPlan>> {
        let union = self.bind_union(left, right)?;
        let LogicalPlan::Union(union) = union.as_ref() else {
            return Err(QuarryError::Internal(
                "set operation inputs were not unified".into(),
            ));
        };
        let (mut left, mut right) = (union.inputs[0].clone(), union.inputs[1].clone());
        let output = left.columns();
        if all {
            left = self.number_copies(left);
            right = self.number_copies(right);
        }
        let on = left
            .columns()
            .into_iter()
            .zip(right.columns())
            .map(|(l, r)| (Expr::Column(l), Expr::Column(r)))
            .collect();
        let join = Join {
            left,
            right,
            join_type: if intersect {
                JoinType::Semi
            } else {
                JoinType::Anti
            },
            on,
            filter: None,
            null_aware: false,
            null_equals_null: true,
            dependent: false,
        };
        let joined = Arc::new(LogicalPlan::Join(join));
        if all {
            return Ok(Arc::new(LogicalPlan::Projection(Projection {
                input: joined,
                exprs: output.iter().cloned().map(Expr::Column).collect(),
                columns: output,
            })));
        }
        Ok(Arc::new(LogicalPlan::Distinct(Distinct { input: joined })))
    }

    /// `plan` with a column numbering the copies of each distinct row.
    fn number_copies(&mut self, plan: Arc<LogicalPlan>) -> Arc<LogicalPlan> {
        let columns = plan.columns();
        let number = self.new_column("copy_number", DataType::Int64, false);
        let call = WindowExpr {
            func: WindowFunction::RowNumber,
            args: vec![],
            parameter: None,
            filter: None,
            partition_by: columns.into_iter().map(Expr::Column).collect(),
            order_by: vec![],
            frame: WindowFrame::default_for(false),
            data_type: DataType::Int64,
        };
        Arc::new(LogicalPlan::Window(Window {
            input: plan,
            window_exprs: vec![call],
            window_columns: vec![number],
        }))
    }

    /// Projects `plan` so its columns have `types`, if they do not already.
    fn cast_columns(
        &mut self,
        plan: Arc<LogicalPlan>,
        types: &[DataType],
    ) -> Result<Arc<LogicalPlan>> {
        let columns = plan.columns();
        if columns.iter().zip(types).all(|(c, t)| &c.data_type == t) {
            return Ok(plan);
        }
        let mut exprs = vec![];
        let mut outputs = vec![];
        for (column, data_type) in columns.iter().zip(types) {
            let expr = Expr::Column(column.clone()).cast_to(data_type);
            let output = match &expr {
                Expr::Column(c) => c.clone(),
                _ => self.new_column(&column.name, data_type.clone(), column.nullable),
            };
            exprs.push(expr);
            outputs.push(output);
        }
        Ok(Arc::new(LogicalPlan::Projection(Projection {
            input: plan,
            exprs,
            columns: outputs,
        })))
    }

    fn bind_values(&mut self, values: &ast::Values) -> Result<Arc<LogicalPlan>> {
        let empty = Scope::default();
        let mut rows = vec![];
        for row in &values.rows {
            let mut ctx = ExprContext::new(&empty);
            let bound = row
                .content
                .iter()
                .map(|e| self.bind_expr(e, &mut ctx))
                .collect::<Result<Vec<_>>>()?;
            rows.push(bound);
        }
        let width = rows.first().map_or(0, Vec::len);
        if rows.iter().any(|r| r.len() != width) {
            return Err(QuarryError::Plan(
                "Binder Error: VALUES lists must all be the same length".into(),
            ));
        }
        let mut types = vec![DataType::Null; width];
        for row in &rows {
            for (i, expr) in row.iter().enumerate() {
                let t = expr.data_type();
                types[i] = set_operation_type(&types[i], &t).ok_or_else(|| {
                    QuarryError::Plan(format!(
                        "Binder Error: VALUES column {} has types {} and {}",
                        i + 1,
                        sql_type_name(&types[i]),
                        sql_type_name(&t)
                    ))
                })?;
            }
        }
        let types: Vec<DataType> = types
            .into_iter()
            .map(|t| {
                if t == DataType::Null {
                    DataType::Int32
                } else {
                    t
                }
            })
            .collect();
        let rows: Vec<Vec<Expr>> = rows
            .into_iter()
            .map(|row| {
                row.into_iter()
                    .zip(&types)
                    .map(|(e, t)| e.cast_to(t))
                    .collect()
            })
            .collect();
        let columns = types
            .iter()
            .enumerate()
            .map(|(i, t)| self.new_column(&format!("col{i}"), t.clone(), true))
            .collect();
        Ok(Arc::new(LogicalPlan::Values(Values { columns, rows })))
    }

    /// ORDER BY over a set operation or VALUES: output names and ordinals only.
    fn bind_order_by_output(
        &mut self,
        plan: Arc<LogicalPlan>,
        order_by: &[ast::OrderByExpr],
    ) -> Result<Arc<LogicalPlan>> {
        if order_by.is_empty() {
            return Ok(plan);
        }
        let columns = plan.columns();
        let scope = Scope::from_columns(None, &columns);
        let mut keys = vec![];
        for item in order_by {
            let expr = match ordinal(&item.expr)? {
                Some(n) => Expr::Column(
                    columns
                        .get(n.wrapping_sub(1))
                        .cloned()
                        .ok_or_else(|| ordinal_error(n, columns.len()))?,
                ),
                None => self.bind_expr(&item.expr, &mut ExprContext::new(&scope))?,
            };
            keys.push(self.sort_key(expr, &item.options));
        }
        Ok(Arc::new(LogicalPlan::Sort(Sort { input: plan, keys })))
    }

    fn bind_limit(
        &mut self,
        plan: Arc<LogicalPlan>,
        query: &ast::Query,
    ) -> Result<Arc<LogicalPlan>> {
        let (limit, offset) = match &query.limit_clause {
            None => (None, None),
            Some(ast::LimitClause::LimitOffset { limit, offset, .. }) => {
                (limit.clone(), offset.as_ref().map(|o| o.value.clone()))
            }
            Some(ast::LimitClause::OffsetCommaLimit { offset, limit }) => {
                (Some(limit.clone()), Some(offset.clone()))
            }
        };
        let mut parameters = LimitParameters::default();
        let fetch = match &limit {
            Some(ast::Expr::Value(v)) if matches!(v.value, ast::Value::Null) => None,
            Some(expr) => match self.bind_count(expr, "LIMIT")? {
                Count::Known(n) => Some(n),
                Count::Parameter(expr) => {
                    parameters.fetch = Some(expr);
                    None
                }
            },
            None => None,
        };
        let skip = match offset {
            Some(offset) => match self.bind_count(&offset, "OFFSET")? {
                Count::Known(n) => n,
                Count::Parameter(expr) => {
                    parameters.skip = Some(expr);
                    0
                }
            },
            None => 0,
        };
        if fetch.is_none() && skip == 0 && parameters.is_empty() {
            return Ok(plan);
        }
        Ok(Arc::new(LogicalPlan::Limit(Limit {
            input: plan,
            skip,
            fetch,
            parameters,
        })))
    }

    /// A constant, non-negative integer (LIMIT and OFFSET), or an expression
    /// over parameters, evaluated when their values are bound.
    fn bind_count(&mut self, expr: &ast::Expr, clause: &str) -> Result<Count> {
        let empty = Scope::default();
        let bound = self.bind_expr(expr, &mut ExprContext::new(&empty))?;
        if bound.has_parameters() {
            return Ok(Count::Parameter(bound.cast_to(&DataType::Int64)));
        }
        let value = crate::optimizer::evaluate_constant(&bound)?;
        count_value(&value, clause).map(Count::Known)
    }
}

/// A LIMIT or OFFSET: known while binding, or given by parameters.
enum Count {
    Known(usize),
    Parameter(Expr),
}

/// The row count a LIMIT or OFFSET value stands for.
pub fn count_value(value: &ScalarValue, clause: &str) -> Result<usize> {
    match value.as_i64() {
        Some(n) if n >= 0 => Ok(n as usize),
        _ => Err(QuarryError::Plan(format!(
            "Binder Error: {clause} must be a non-negative integer, got {value}"
        ))),
    }
}

/// `Some(n)` when the expression is an integer literal (an ordinal).
pub(super) fn ordinal(expr: &ast::Expr) -> Result<Option<usize>> {
    if let ast::Expr::Value(v) = expr {
        if let ast::Value::Number(text, _) = &v.value {
            return text
                .parse::<usize>()
                .map(Some)
                .map_err(|_| QuarryError::Plan(format!("Binder Error: invalid ordinal {text}")));
        }
    }
    Ok(None)
}

pub(super) fn ordinal_error(n: usize, len: usize) -> QuarryError {
    QuarryError::Plan(format!(
        "Binder Error: term out of range - {n} is not between 1 and {len}"
    ))
}

impl Binder<'_> {
    /// A sort key with DuckDB's defaults: ASC, and NULLS LAST unless the
    /// session's `default_null_order` says otherwise.
    pub(super) fn sort_key(&self, expr: Expr, options: &ast::OrderByOptions) -> SortKey {
        let ascending = !matches!(options.sort, Some(ast::OrderBySort::Desc));
        let default = if ascending {
            self.options.nulls_first_ascending
        } else {
            self.options.nulls_first_descending
        };
        SortKey {
            expr,
            ascending,
            nulls_first: options.nulls_first.unwrap_or(default),
        }
    }
}
