//! SELECT: FROM, WHERE, GROUP BY (expressions, ordinals, aliases, ALL), HAVING,
//! the select list, DISTINCT and ORDER BY (aliases, ordinals and expressions not
//! in the select list), and window calls. The plan built is
//! `Filter -> Aggregate -> Filter(HAVING) -> Window -> Project -> Distinct -> Sort -> Project`.

use super::expr::to_boolean;
use super::group_by::{rewrite_grouped, rewrite_grouping_calls};
use super::query::{ordinal, ordinal_error};
use super::scope::Scope;
use super::select_list::expand_select_list;
use super::{AggregateCollector, Binder, ExprContext};
use crate::error::{QuarryError, Result};
use crate::logical::plan::{Aggregate, Distinct, Filter, Projection, Sort, Window};
use crate::logical::{ColumnId, ColumnRef, Expr, LogicalPlan, SortKey};
use arrow::datatypes::DataType;
use sqlparser::ast;
use std::collections::HashSet;
use std::sync::Arc;

/// One entry of the select list after `*` expansion.
// Select lists are short and built once per query; boxing the AST buys nothing.
#[allow(clippy::large_enum_variant)]
pub(super) enum SelectEntry {
    Expr {
        ast: ast::Expr,
        alias: Option<String>,
    },
    Column(ColumnRef),
}

/// What an ORDER BY item refers to.
enum OrderTarget {
    Output(usize),
    Expr(Expr),
}

impl Binder<'_> {
    pub(super) fn bind_select(
        &mut self,
        select: &ast::Select,
        order_by: &[ast::OrderByExpr],
    ) -> Result<Arc<LogicalPlan>> {
        reject_unsupported(select)?;
        let windows = self.named_windows(select)?;
        self.named_windows.push(windows);
        let result = self.bind_select_body(select, order_by);
        self.named_windows.pop();
        result
    }

    fn bind_select_body(
        &mut self,
        select: &ast::Select,
        order_by: &[ast::OrderByExpr],
    ) -> Result<Arc<LogicalPlan>> {
        let mark = self.join_hints.len();
        self.join_hints.extend(join_hints(select)?);
        let from = self.bind_from(&select.from);
        self.join_hints.truncate(mark);
        let (mut plan, scope) = from?;

        let entries = expand_select_list(&select.projection, &scope)?;
        let aliases: Vec<(String, ast::Expr)> = entries
            .iter()
            .filter_map(|entry| match entry {
                SelectEntry::Expr {
                    ast,
                    alias: Some(alias),
                } => Some((alias.clone(), ast.clone())),
                _ => None,
            })
            .collect();

        if let Some(selection) = &select.selection {
            let mut remaining = vec![];
            for conjunct in split_ast_conjunction(selection) {
                match self.bind_predicate_subquery(conjunct, &plan, &scope)? {
                    Some(joined) => plan = joined,
                    None => remaining.push(conjunct),
                }
            }
            if !remaining.is_empty() {
                let mark = self.pending.len();
                // Conjuncts without subqueries filter first, so a correlated
                // subquery's outer side (and its domain) is the filtered one.
                let (mut plain, mut with_subqueries) = (vec![], vec![]);
                for conjunct in remaining {
                    let mut ctx = ExprContext {
                        scope: &scope,
                        aggregates: None,
                        aliases: &aliases,
                    };
                    let before = self.pending.len();
                    let predicate = self.bind_expr(conjunct, &mut ctx)?;
                    let predicate = to_boolean(predicate, "WHERE clause")?;
                    if self.pending.len() == before {
                        plain.push(predicate);
                    } else {
                        with_subqueries.push(predicate);
                    }
                }
                let pending = self.pending.split_off(mark);
                if let Some(predicate) = Expr::conjunction(plain) {
                    plan = Arc::new(LogicalPlan::Filter(Filter {
                        input: plan,
                        predicate,
                    }));
                }
                self.pending.extend(pending);
                plan = self.attach_pending(plan, mark);
                if let Some(predicate) = Expr::conjunction(with_subqueries) {
                    plan = Arc::new(LogicalPlan::Filter(Filter {
                        input: plan,
                        predicate,
                    }));
                }
            }
        }

        let mut collector = AggregateCollector::default();
        let subquery_mark = self.pending.len();

        // The select list, with aggregates collected.
        let mut select_exprs = vec![];
        let mut select_names = vec![];
        for entry in &entries {
            match entry {
                SelectEntry::Column(column) => {
                    select_exprs.push(Expr::Column(column.clone()));
                    select_names.push(None);
                }
                SelectEntry::Expr { ast, alias } => {
                    let mut ctx = ExprContext {
                        scope: &scope,
                        aggregates: Some(&mut collector),
                        aliases: &aliases,
                    };
                    select_exprs.push(self.bind_expr(ast, &mut ctx)?);
                    select_names.push(Some(alias.clone().unwrap_or_else(|| ast_name(ast))));
                }
            }
        }

        let group_exprs =
            self.bind_group_by(select, &entries, &select_exprs, &collector, &scope)?;

        let having = match &select.having {
            Some(having) => {
                let windows_before = collector.windows.len();
                let mut ctx = ExprContext {
                    scope: &scope,
                    aggregates: Some(&mut collector),
                    aliases: &aliases,
                };
                let predicate = to_boolean(self.bind_expr(having, &mut ctx)?, "HAVING clause")?;
                if collector.windows.len() != windows_before {
                    return Err(QuarryError::Plan(
                        "Binder Error: HAVING clause cannot contain window functions!".into(),
                    ));
                }
                Some(predicate)
            }
            None => None,
        };

        // QUALIFY filters on window results, so it may call windows.
        let mut qualify = match &select.qualify {
            Some(qualify) => {
                let mut ctx = ExprContext {
                    scope: &scope,
                    aggregates: Some(&mut collector),
                    aliases: &aliases,
                };
                Some(to_boolean(
                    self.bind_expr(qualify, &mut ctx)?,
                    "QUALIFY clause",
                )?)
            }
            None => None,
        };
        // DISTINCT ON keys: like ORDER BY items.
        let mut distinct_on = vec![];
        if let Some(ast::Distinct::On(items)) = &select.distinct {
            for item in items {
                let target = self.order_target(item, &entries, &scope, &mut collector, &aliases)?;
                distinct_on.push(target);
            }
        }

        // ORDER BY targets, bound before the aggregate so they may aggregate too.
        let mut order_targets = vec![];
        for item in order_by {
            let target =
                self.order_target(&item.expr, &entries, &scope, &mut collector, &aliases)?;
            order_targets.push((target, &item.options));
        }

        let is_aggregate = group_exprs.is_some() || !collector.calls.is_empty() || having.is_some();
        let mut having = having;
        let (mut window_exprs, window_columns): (Vec<_>, Vec<_>) =
            std::mem::take(&mut collector.windows).into_iter().unzip();
        if is_aggregate {
            let (group_exprs, grouping_sets) = group_exprs.unwrap_or_default();
            let has_sets = !grouping_sets.is_empty();
            // Under grouping sets every group column is new and nullable: it is
            // NULL in the sets that leave it out.
            let group_columns: Vec<ColumnRef> = group_exprs
                .iter()
                .map(|(expr, name)| match expr {
                    Expr::Column(column) if !has_sets && !self.is_outer_column(column.id) => {
                        column.clone()
                    }
                    other => self.new_column(name, other.data_type(), has_sets || other.nullable()),
                })
                .collect();
            let grouping_id =
                has_sets.then(|| self.new_column("grouping_id", DataType::Int64, false));
            let group_list: Vec<Expr> = group_exprs.iter().map(|(e, _)| e.clone()).collect();
            let grouping =
                |expr: Expr| rewrite_grouping_calls(expr, &group_list, grouping_id.as_ref());
            let groups: Vec<(Expr, ColumnRef)> = group_exprs
                .iter()
                .map(|(e, _)| e.clone())
                .zip(group_columns.iter().cloned())
                .collect();
            let (aggregates, aggregate_columns): (Vec<_>, Vec<_>) =
                collector.calls.into_iter().unzip();
            let mut visible: HashSet<ColumnId> = group_columns.iter().map(|c| c.id).collect();
            // Outer columns are constants within this query.
            for outer in &self.outer_scopes {
                visible.extend(outer.columns.iter().map(|c| c.column.id));
            }
            for frame in &self.outer_aggregates {
                visible.extend(frame.iter().map(|(_, c)| c.id));
            }
            // Scalar subqueries are joined in after the aggregate.
            for pending in &self.pending[subquery_mark..] {
                visible.extend(pending.plan.columns().iter().map(|c| c.id));
            }
            visible.extend(aggregate_columns.iter().map(|c: &ColumnRef| c.id));
            visible.extend(grouping_id.iter().map(|c| c.id));
            // Window calls run after the aggregate: they read its output.
            window_exprs = window_exprs
                .iter()
                .map(|call: &crate::logical::WindowExpr| {
                    call.try_map_expressions(&mut |e| {
                        rewrite_grouped(grouping(e)?, &groups, &visible)
                    })
                })
                .collect::<Result<_>>()?;
            visible.extend(window_columns.iter().map(|c: &ColumnRef| c.id));
            let rewrite = |expr: Expr| rewrite_grouped(grouping(expr)?, &groups, &visible);
            select_exprs = select_exprs
                .into_iter()
                .map(rewrite)
                .collect::<Result<_>>()?;
            having = having.map(rewrite).transpose()?;
            qualify = qualify.map(rewrite).transpose()?;
            for (target, _) in order_targets.iter_mut() {
                if let OrderTarget::Expr(expr) = target {
                    *expr = rewrite(expr.clone())?;
                }
            }
            for target in distinct_on.iter_mut() {
                if let OrderTarget::Expr(expr) = target {
                    *expr = rewrite(expr.clone())?;
                }
            }
            // Subqueries that group keys or aggregate arguments read are
            // joined in below the aggregate; the rest above it.
            let mut read = HashSet::new();
            for (expr, _) in &group_exprs {
                expr.collect_columns(&mut read);
            }
            for call in &aggregates {
                for expr in call.expressions() {
                    expr.collect_columns(&mut read);
                }
            }
            let pending = self.pending.split_off(subquery_mark);
            let (below, above): (Vec<_>, Vec<_>) = pending
                .into_iter()
                .partition(|p| p.plan.columns().iter().any(|c| read.contains(&c.id)));
            self.pending.extend(below);
            plan = self.attach_pending(plan, subquery_mark);
            // A subquery joined above the aggregate may read only what the
            // aggregate outputs (and columns of enclosing queries).
            let from_columns: HashSet<ColumnId> = plan.columns().iter().map(|c| c.id).collect();
            for pending in &above {
                let free = super::subquery::free_columns(&pending.plan);
                if let Some(id) = free
                    .iter()
                    .find(|id| from_columns.contains(id) && !visible.contains(id))
                {
                    let name = plan
                        .columns()
                        .into_iter()
                        .find(|c| c.id == *id)
                        .map(|c| c.name)
                        .unwrap_or_default();
                    return Err(QuarryError::Plan(format!(
                        "Binder Error: column \"{name}\" must appear in the GROUP BY clause or must be part of an aggregate function (it is read by a subquery)"
                    )));
                }
            }
            self.pending.extend(above);
            plan = Arc::new(LogicalPlan::Aggregate(Aggregate {
                input: plan,
                group_exprs: group_exprs.into_iter().map(|(e, _)| e).collect(),
                group_columns,
                aggregates,
                aggregate_columns,
                grouping_sets,
                grouping_id,
            }));
        }
        // Subqueries comparing window results join after the windows.
        let window_ids: HashSet<ColumnId> = window_columns.iter().map(|c| c.id).collect();
        let pending = self.pending.split_off(subquery_mark);
        let (after_windows, now): (Vec<_>, Vec<_>) = pending
            .into_iter()
            .partition(|p| !super::subquery::free_columns(&p.plan).is_disjoint(&window_ids));
        self.pending.extend(now);
        plan = self.attach_pending(plan, subquery_mark);
        if let Some(predicate) = having {
            plan = Arc::new(LogicalPlan::Filter(Filter {
                input: plan,
                predicate,
            }));
        }

        if !window_exprs.is_empty() {
            plan = Arc::new(LogicalPlan::Window(Window {
                input: plan,
                window_exprs,
                window_columns,
            }));
        }
        self.pending.extend(after_windows);
        plan = self.attach_pending(plan, subquery_mark);
        if let Some(predicate) = qualify {
            plan = Arc::new(LogicalPlan::Filter(Filter {
                input: plan,
                predicate,
            }));
        }

        // The projection: select list, then hidden ORDER BY columns.
        let mut columns: Vec<ColumnRef> = select_exprs
            .iter()
            .zip(&select_names)
            .map(|(expr, name)| match (expr, name) {
                // An outer column gets its own id here: the subquery's output
                // is not the outer query's column.
                (Expr::Column(column), None) if !self.is_outer_column(column.id) => column.clone(),
                (Expr::Column(column), Some(name))
                    if &column.name == name && !self.is_outer_column(column.id) =>
                {
                    column.clone()
                }
                (expr, name) => {
                    let name = name.clone().unwrap_or_else(|| expr.to_string());
                    self.new_column(&name, expr.data_type(), expr.nullable())
                }
            })
            .collect();
        let visible_count = columns.len();
        let mut exprs = select_exprs.clone();
        let mut keys: Vec<SortKey> = vec![];
        for (target, options) in order_targets {
            let index = match target {
                OrderTarget::Output(i) => i,
                OrderTarget::Expr(expr) => match exprs.iter().position(|e| e == &expr) {
                    Some(i) => i,
                    None => {
                        if matches!(select.distinct, Some(ast::Distinct::Distinct)) {
                            return Err(QuarryError::Plan(
                                "Binder Error: For SELECT DISTINCT, ORDER BY expressions must appear in select list".into(),
                            ));
                        }
                        let column = match &expr {
                            Expr::Column(c) if !self.is_outer_column(c.id) => c.clone(),
                            other => self.new_column(&other.to_string(), other.data_type(), true),
                        };
                        exprs.push(expr);
                        columns.push(column);
                        exprs.len() - 1
                    }
                },
            };
            keys.push(self.sort_key(Expr::Column(columns[index].clone()), options));
        }

        let mut on_keys = vec![];
        for target in distinct_on {
            let index = match target {
                OrderTarget::Output(i) => i,
                OrderTarget::Expr(expr) => match exprs.iter().position(|e| e == &expr) {
                    Some(i) => i,
                    None => {
                        let column = self.new_column(&expr.to_string(), expr.data_type(), true);
                        exprs.push(expr);
                        columns.push(column);
                        exprs.len() - 1
                    }
                },
            };
            on_keys.push(Expr::Column(columns[index].clone()));
        }
        plan = Arc::new(LogicalPlan::Projection(Projection {
            input: plan,
            exprs,
            columns: columns.clone(),
        }));
        match &select.distinct {
            None | Some(ast::Distinct::All) => {}
            Some(ast::Distinct::Distinct) => {
                plan = Arc::new(LogicalPlan::Distinct(Distinct { input: plan }));
            }
            Some(ast::Distinct::On(_)) => {
                // The first row of each ON group in ORDER BY order.
                plan = self.first_row_per_group(plan, on_keys, keys.clone());
            }
        }
        if !keys.is_empty() {
            plan = Arc::new(LogicalPlan::Sort(Sort { input: plan, keys }));
        }
        // Hidden ORDER BY columns and DISTINCT ON's row number go.
        let distinct_on = matches!(select.distinct, Some(ast::Distinct::On(_)));
        if columns.len() > visible_count || distinct_on {
            let kept = columns[..visible_count].to_vec();
            plan = Arc::new(LogicalPlan::Projection(Projection {
                input: plan,
                exprs: kept.iter().cloned().map(Expr::Column).collect(),
                columns: kept,
            }));
        }
        Ok(plan)
    }
}

impl Binder<'_> {
    /// What an ORDER BY or DISTINCT ON item names: a select item (by
    /// ordinal or alias) or an expression over the FROM columns.
    fn order_target(
        &mut self,
        item: &ast::Expr,
        entries: &[SelectEntry],
        scope: &Scope,
        collector: &mut AggregateCollector,
        aliases: &[(String, ast::Expr)],
    ) -> Result<OrderTarget> {
        Ok(match ordinal(item)? {
            Some(n) if (1..=entries.len()).contains(&n) => OrderTarget::Output(n - 1),
            Some(n) => return Err(ordinal_error(n, entries.len())),
            None => match alias_position(item, entries) {
                Some(i) => OrderTarget::Output(i),
                None => {
                    let mut ctx = ExprContext {
                        scope,
                        aggregates: Some(collector),
                        aliases,
                    };
                    OrderTarget::Expr(self.bind_expr(item, &mut ctx)?)
                }
            },
        })
    }

    /// `row_number() OVER (PARTITION BY keys ORDER BY order) = 1` over `plan`.
    fn first_row_per_group(
        &mut self,
        plan: Arc<LogicalPlan>,
        keys: Vec<Expr>,
        order: Vec<SortKey>,
    ) -> Arc<LogicalPlan> {
        let number = self.new_column("row_number", DataType::Int64, false);
        let call = crate::logical::WindowExpr {
            func: crate::logical::window::WindowFunction::RowNumber,
            args: vec![],
            parameter: None,
            filter: None,
            partition_by: keys,
            frame: crate::logical::window::WindowFrame::default_for(!order.is_empty()),
            order_by: order,
            data_type: DataType::Int64,
        };
        let window = Arc::new(LogicalPlan::Window(Window {
            input: plan,
            window_exprs: vec![call],
            window_columns: vec![number.clone()],
        }));
        Arc::new(LogicalPlan::Filter(Filter {
            input: window,
            predicate: Expr::binary(
                Expr::Column(number),
                crate::logical::BinaryOp::Eq,
                Expr::Literal(crate::logical::ScalarValue::int64(1)),
                DataType::Boolean,
            ),
        }))
    }
}

/// `a AND b AND c` as its conjuncts, at the syntax level.
fn split_ast_conjunction(expr: &ast::Expr) -> Vec<&ast::Expr> {
    match expr {
        ast::Expr::BinaryOp {
            left,
            op: ast::BinaryOperator::And,
            right,
        } => {
            let mut out = split_ast_conjunction(left);
            out.extend(split_ast_conjunction(right));
            out
        }
        ast::Expr::Nested(inner)
            if matches!(
                inner.as_ref(),
                ast::Expr::BinaryOp {
                    op: ast::BinaryOperator::And,
                    ..
                }
            ) =>
        {
            split_ast_conjunction(inner)
        }
        other => vec![other],
    }
}

fn reject_unsupported(select: &ast::Select) -> Result<()> {
    if select.top.is_some() {
        return Err(QuarryError::NotImplemented("TOP; use LIMIT".into()));
    }
    if select.into.is_some() {
        return Err(QuarryError::NotImplemented("SELECT INTO".into()));
    }
    Ok(())
}

/// The select-list position whose alias is this bare identifier.
pub(super) fn alias_position(expr: &ast::Expr, entries: &[SelectEntry]) -> Option<usize> {
    let ast::Expr::Identifier(ident) = expr else {
        return None;
    };
    entries.iter().position(|entry| match entry {
        SelectEntry::Expr {
            alias: Some(alias), ..
        } => alias.eq_ignore_ascii_case(&ident.value),
        _ => false,
    })
}

/// The name a select item gets without an alias: the column name, or its SQL.
pub(super) fn ast_name(expr: &ast::Expr) -> String {
    match expr {
        ast::Expr::Identifier(ident) => ident.value.clone(),
        ast::Expr::CompoundIdentifier(parts) => {
            parts.last().map(|i| i.value.clone()).unwrap_or_default()
        }
        other => other.to_string(),
    }
}

/// `/*+ BROADCAST(t), MERGE(a, b) */` as (table, hint) pairs.
fn join_hints(select: &ast::Select) -> Result<Vec<(String, crate::logical::plan::JoinHint)>> {
    let mut hints = vec![];
    for hint in &select.optimizer_hints {
        let text = hint.text.trim();
        let mut rest = text;
        while let Some(open) = rest.find('(') {
            let name = rest[..open].trim().trim_start_matches(',').trim();
            let Some(close) = rest[open..].find(')') else {
                break;
            };
            let Some(kind) = crate::logical::plan::JoinHint::from_name(name) else {
                return Err(QuarryError::Plan(format!(
                    "Binder Error: unknown hint {name}: expected BROADCAST, MERGE or SHUFFLE_HASH"
                )));
            };
            for table in rest[open + 1..open + close].split(|c: char| c == ',' || c.is_whitespace())
            {
                if !table.is_empty() {
                    hints.push((table.to_string(), kind));
                }
            }
            rest = &rest[open + close + 1..];
        }
    }
    Ok(hints)
}
