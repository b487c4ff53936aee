//! GROUP BY: plain expressions, ordinals and select aliases, `ALL`, and
//! GROUPING SETS / ROLLUP / CUBE; then the rewrite of expressions above the
//! aggregate (group expressions become their columns, `grouping()` becomes
//! arithmetic on the grouping id) and the check that every column read is
//! grouped or aggregated.

use super::query::{ordinal, ordinal_error};
use super::scope::Scope;
use super::select::{alias_position, ast_name, SelectEntry};
use super::{AggregateCollector, Binder, ExprContext};
use crate::error::{QuarryError, Result};
use crate::logical::tree_node::Transformed;
use crate::logical::{BinaryOp, ColumnId, ColumnRef, Expr, ScalarValue};
use arrow::datatypes::DataType;
use sqlparser::ast::{self, GroupByExpr};
use std::collections::HashSet;

/// Bound GROUP BY: the distinct group expressions with display names, and
/// the grouping sets over them (empty for a plain GROUP BY).
pub(super) type GroupBy = (Vec<(Expr, String)>, Vec<Vec<usize>>);

impl Binder<'_> {
    /// The GROUP BY expressions with their display names; `None` without GROUP BY.
    pub(super) fn bind_group_by(
        &mut self,
        select: &ast::Select,
        entries: &[SelectEntry],
        select_exprs: &[Expr],
        collector: &AggregateCollector,
        scope: &Scope,
    ) -> Result<Option<GroupBy>> {
        let aggregate_ids: HashSet<ColumnId> = collector
            .calls
            .iter()
            .map(|(_, c)| c.id)
            .chain(collector.windows.iter().map(|(_, c)| c.id))
            .collect();
        match &select.group_by {
            GroupByExpr::All(modifiers) => {
                if !modifiers.is_empty() {
                    return Err(QuarryError::NotImplemented(
                        "GROUP BY ALL with modifiers".into(),
                    ));
                }
                let groups = select_exprs
                    .iter()
                    .filter(|e| e.column_ids().is_disjoint(&aggregate_ids))
                    .map(|e| (e.clone(), e.to_string()))
                    .collect();
                Ok(Some((groups, vec![])))
            }
            GroupByExpr::Expressions(exprs, modifiers) => {
                if !modifiers.is_empty() {
                    return Err(QuarryError::NotImplemented(
                        "GROUP BY ... WITH ROLLUP/CUBE modifiers; use GROUP BY ROLLUP (...)".into(),
                    ));
                }
                if exprs.is_empty() {
                    return Ok(None);
                }
                let mut groups: Vec<(Expr, String)> = vec![];
                // The grouping sets, built as the cross product of each item's sets.
                let mut sets: Vec<Vec<usize>> = vec![vec![]];
                let mut has_sets = false;
                for item in exprs {
                    let component: Vec<Vec<usize>> = match item {
                        ast::Expr::Rollup(lists) | ast::Expr::Cube(lists) => {
                            has_sets = true;
                            let elements = self.bind_group_lists(
                                lists,
                                entries,
                                select_exprs,
                                scope,
                                &mut groups,
                            )?;
                            if matches!(item, ast::Expr::Rollup(_)) {
                                (0..=elements.len())
                                    .rev()
                                    .map(|k| elements[..k].concat())
                                    .collect()
                            } else {
                                let n = elements.len();
                                (0..1usize << n)
                                    .rev()
                                    .map(|mask| {
                                        (0..n)
                                            .filter(|i| mask & (1 << (n - 1 - i)) != 0)
                                            .flat_map(|i| elements[i].clone())
                                            .collect()
                                    })
                                    .collect()
                            }
                        }
                        ast::Expr::GroupingSets(lists) => {
                            has_sets = true;
                            self.bind_group_lists(lists, entries, select_exprs, scope, &mut groups)?
                        }
                        other => vec![vec![self.bind_group_item(
                            other,
                            entries,
                            select_exprs,
                            scope,
                            &mut groups,
                        )?]],
                    };
                    let mut product = vec![];
                    for set in &sets {
                        for part in &component {
                            let mut combined = set.clone();
                            for index in part {
                                if !combined.contains(index) {
                                    combined.push(*index);
                                }
                            }
                            product.push(combined);
                        }
                    }
                    sets = product;
                }
                if !has_sets {
                    sets.clear();
                }
                Ok(Some((groups, sets)))
            }
        }
    }

    /// Binds each list of GROUP BY items to the indices of its expressions.
    fn bind_group_lists(
        &mut self,
        lists: &[Vec<ast::Expr>],
        entries: &[SelectEntry],
        select_exprs: &[Expr],
        scope: &Scope,
        groups: &mut Vec<(Expr, String)>,
    ) -> Result<Vec<Vec<usize>>> {
        lists
            .iter()
            .map(|list| {
                list.iter()
                    .map(|e| self.bind_group_item(e, entries, select_exprs, scope, groups))
                    .collect()
            })
            .collect()
    }

    /// Binds one GROUP BY item (an expression, ordinal or select alias) and
    /// returns its index among the group expressions.
    fn bind_group_item(
        &mut self,
        item: &ast::Expr,
        entries: &[SelectEntry],
        select_exprs: &[Expr],
        scope: &Scope,
        groups: &mut Vec<(Expr, String)>,
    ) -> Result<usize> {
        let (bound, name) = match ordinal(item)? {
            Some(n) => match entries.get(n.wrapping_sub(1)) {
                Some(SelectEntry::Expr { ast, .. }) => {
                    let ast = ast.clone();
                    let bound = self.bind_group_expr(&ast, scope)?;
                    (
                        self.reuse_select_expr(bound, n - 1, select_exprs),
                        ast_name(&ast),
                    )
                }
                Some(SelectEntry::Column(column)) => {
                    (Expr::Column(column.clone()), column.name.clone())
                }
                None => return Err(ordinal_error(n, entries.len())),
            },
            None => {
                let alias = self.group_alias(item, entries, scope);
                let ast = alias.clone().map_or_else(|| item.clone(), |(_, ast)| ast);
                let bound = self.bind_group_expr(&ast, scope)?;
                let bound = match alias {
                    Some((index, _)) => self.reuse_select_expr(bound, index, select_exprs),
                    None => bound,
                };
                (bound, ast_name(&ast))
            }
        };
        Ok(match groups.iter().position(|(e, _)| e == &bound) {
            Some(index) => index,
            None => {
                groups.push((bound, name));
                groups.len() - 1
            }
        })
    }

    fn bind_group_expr(&mut self, ast: &ast::Expr, scope: &Scope) -> Result<Expr> {
        let mut ctx = ExprContext::new(scope);
        self.bind_expr(ast, &mut ctx).map_err(|e| match e {
            QuarryError::Plan(m) if m.contains("aggregate function calls cannot") => {
                QuarryError::Plan(format!(
                    "Binder Error: GROUP BY clause cannot contain aggregates: {ast}"
                ))
            }
            other => other,
        })
    }

    /// A GROUP BY identifier that is not a FROM column but is a select alias.
    fn group_alias(
        &self,
        item: &ast::Expr,
        entries: &[SelectEntry],
        scope: &Scope,
    ) -> Option<(usize, ast::Expr)> {
        let ast::Expr::Identifier(ident) = item else {
            return None;
        };
        if scope.resolve(None, &ident.value).is_ok() {
            return None;
        }
        alias_position(item, entries).and_then(|i| match &entries[i] {
            SelectEntry::Expr { ast, .. } => Some((i, ast.clone())),
            SelectEntry::Column(_) => None,
        })
    }

    /// A group key that names select item `index` and holds a subquery is
    /// that item's expression: binding it again would make a second
    /// subquery that the select item does not read.
    fn reuse_select_expr(&mut self, bound: Expr, index: usize, select_exprs: &[Expr]) -> Expr {
        let fresh: std::collections::HashSet<ColumnId> = self
            .pending
            .iter()
            .flat_map(|p| p.plan.columns())
            .map(|c| c.id)
            .collect();
        if bound.column_ids().is_disjoint(&fresh) {
            return bound;
        }
        match select_exprs.get(index) {
            Some(expr) => {
                // Forget the second binding's subqueries.
                let ids = bound.column_ids();
                self.pending
                    .retain(|p| p.plan.columns().iter().all(|c| !ids.contains(&c.id)));
                expr.clone()
            }
            None => bound,
        }
    }
}

/// Replaces `grouping(a, b)` by its value computed from the grouping id: bit
/// `i` of the id is 1 when group expression `i` is rolled up; `grouping`
/// lists those bits for its arguments, the first argument most significant.
pub(super) fn rewrite_grouping_calls(
    expr: Expr,
    groups: &[Expr],
    grouping_id: Option<&ColumnRef>,
) -> Result<Expr> {
    if let Expr::ScalarFunction(call) = &expr {
        if call.name == "grouping" {
            let mut value = Expr::Literal(ScalarValue::int64(0));
            for arg in &call.args {
                let Some(index) = groups.iter().position(|g| g == arg) else {
                    return Err(QuarryError::Plan(format!(
                        "Binder Error: GROUPING child \"{arg}\" must be a grouping column"
                    )));
                };
                let bit = match grouping_id {
                    None => Expr::Literal(ScalarValue::int64(0)),
                    Some(id) => Expr::binary(
                        Expr::binary(
                            Expr::Column(id.clone()),
                            BinaryOp::IntegerDivide,
                            Expr::Literal(ScalarValue::int64(1i64 << index)),
                            DataType::Int64,
                        ),
                        BinaryOp::Modulo,
                        Expr::Literal(ScalarValue::int64(2)),
                        DataType::Int64,
                    ),
                };
                value = Expr::binary(
                    Expr::binary(
                        value,
                        BinaryOp::Multiply,
                        Expr::Literal(ScalarValue::int64(2)),
                        DataType::Int64,
                    ),
                    BinaryOp::Plus,
                    bit,
                    DataType::Int64,
                );
            }
            return Ok(value);
        }
    }
    Ok(expr
        .map_children(&mut |child| {
            Ok(Transformed::yes(rewrite_grouping_calls(
                child,
                groups,
                grouping_id,
            )?))
        })?
        .data)
}

/// Replaces every subexpression equal to a GROUP BY expression by its column.
fn replace_group_exprs(expr: Expr, groups: &[(Expr, ColumnRef)]) -> Result<Expr> {
    if let Some((_, column)) = groups.iter().find(|(group, _)| group == &expr) {
        return Ok(Expr::Column(column.clone()));
    }
    Ok(expr
        .map_children(&mut |child| Ok(Transformed::yes(replace_group_exprs(child, groups)?)))?
        .data)
}

/// An expression above the aggregate: GROUP BY expressions become their
/// columns, and every column read must then be visible.
pub(super) fn rewrite_grouped(
    expr: Expr,
    groups: &[(Expr, ColumnRef)],
    visible: &HashSet<ColumnId>,
) -> Result<Expr> {
    let expr = replace_group_exprs(expr, groups)?;
    check_grouped(&expr, visible)?;
    Ok(expr)
}

fn check_grouped(expr: &Expr, visible: &HashSet<ColumnId>) -> Result<()> {
    let mut missing = None;
    find_ungrouped(expr, visible, &mut missing);
    match missing {
        Some(name) => Err(QuarryError::Plan(format!(
            "Binder Error: column \"{name}\" must appear in the GROUP BY clause or must be part of an aggregate function."
        ))),
        None => Ok(()),
    }
}

fn find_ungrouped(expr: &Expr, visible: &HashSet<ColumnId>, missing: &mut Option<String>) {
    if missing.is_some() {
        return;
    }
    if let Expr::Column(column) = expr {
        if !visible.contains(&column.id) {
            *missing = Some(column.name.clone());
        }
        return;
    }
    for child in expr.children() {
        find_ungrouped(child, visible, missing);
    }
}
