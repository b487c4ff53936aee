//! The binder turns a parsed query into a typed [`LogicalPlan`]: it looks names
//! up in the catalog, gives every output column a fresh [`ColumnId`], inserts
//! implicit casts, expands views and CTEs, and checks GROUP BY rules. One file
//! per SQL construct.

mod aggregate;
mod expr;
mod from;
mod function;
mod group_by;
mod literal;
mod named_window;
mod parameter;
mod query;
pub mod scope;
mod select;
mod select_list;
mod subquery;
pub mod types;
mod window;

pub use parameter::parameter_name;
pub use query::count_value;

use crate::catalog::{Catalog, ViewDefinition};
use crate::error::Result;
use crate::logical::{AggregateExpr, ColumnId, ColumnRef, Expr, LogicalPlan, WindowExpr};
use arrow::datatypes::DataType;
use scope::Scope;
use sqlparser::ast;
use std::collections::HashMap;
use std::sync::Arc;

/// Binds statements against one catalog. Column ids are unique per binder.
pub struct Binder<'a> {
    catalog: &'a Catalog,
    next_id: ColumnId,
    /// WITH clauses in scope, innermost last.
    ctes: Vec<HashMap<String, Arc<ViewDefinition>>>,
    /// Views being expanded, to reject a view that refers to itself.
    expanding_views: Vec<String>,
    /// Scopes of the queries enclosing the subquery being bound, innermost last.
    outer_scopes: Vec<Scope>,
    /// Outer columns each subquery being bound refers to (correlation).
    correlated: Vec<Vec<ColumnRef>>,
    /// Aggregates written in a subquery over columns of the query at
    /// `outer_scopes[i]` only (`SELECT (SELECT min(t1.a)) FROM t1`): they
    /// belong to that query, which collects them when the subquery is bound.
    outer_aggregates: Vec<Vec<(AggregateExpr, ColumnRef)>>,
    /// Scalar subqueries bound in the current clause, waiting to be joined in.
    pending: Vec<subquery::PendingSubquery>,
    /// Join hints of the SELECTs being bound: (table or alias, hint).
    join_hints: Vec<(String, crate::logical::plan::JoinHint)>,
    /// Types of parameters known before binding (declared or hinted).
    parameter_types: HashMap<String, DataType>,
    /// Names of the parameters seen, in the order first seen.
    parameters: Vec<String>,
    options: BindOptions,
    /// The WINDOW clause definitions of the SELECTs being bound, innermost last.
    named_windows: Vec<HashMap<String, ast::WindowSpec>>,
}

/// Session options that change what a query means.
#[derive(Debug, Clone)]
pub struct BindOptions {
    /// A scalar subquery yielding more than one row is an error (true, the
    /// default) or yields its first row (DuckDB's
    /// `scalar_subquery_error_on_multiple_rows = false`).
    pub scalar_subquery_error_on_multiple_rows: bool,
    /// Where ORDER BY puts NULLs unless told (DuckDB's `default_null_order`;
    /// the default is NULLS LAST both ways).
    pub nulls_first_ascending: bool,
    pub nulls_first_descending: bool,
}

impl Default for BindOptions {
    fn default() -> Self {
        Self {
            scalar_subquery_error_on_multiple_rows: true,
            nulls_first_ascending: false,
            nulls_first_descending: false,
        }
    }
}

/// Where an expression is bound: the visible columns, and where aggregate calls
/// go when they are allowed (select list, HAVING, ORDER BY of a grouped query).
pub struct ExprContext<'s> {
    pub scope: &'s Scope,
    pub aggregates: Option<&'s mut AggregateCollector>,
    /// Select-list aliases an unknown identifier may refer to (DuckDB allows
    /// them in WHERE, GROUP BY, HAVING, ORDER BY and later select items).
    pub aliases: &'s [(String, ast::Expr)],
}

impl<'s> ExprContext<'s> {
    pub fn new(scope: &'s Scope) -> Self {
        Self {
            scope,
            aggregates: None,
            aliases: &[],
        }
    }
}

/// The aggregate and window calls found while binding one SELECT, each with
/// the column that carries its result. Window calls are allowed exactly where
/// aggregates are (the select list and ORDER BY; HAVING rejects them).
#[derive(Debug, Default)]
pub struct AggregateCollector {
    pub calls: Vec<(AggregateExpr, ColumnRef)>,
    pub windows: Vec<(WindowExpr, ColumnRef)>,
}

impl<'a> Binder<'a> {
    pub fn new(catalog: &'a Catalog) -> Self {
        Self {
            catalog,
            next_id: 1,
            ctes: vec![],
            expanding_views: vec![],
            outer_scopes: vec![],
            correlated: vec![],
            outer_aggregates: vec![],
            pending: vec![],
            join_hints: vec![],
            parameter_types: HashMap::new(),
            parameters: vec![],
            options: BindOptions::default(),
            named_windows: vec![],
        }
    }

    /// The enclosing query an aggregate belongs to: the innermost one whose
    /// columns it reads, when it reads no column of the query being bound.
    fn outer_level_of(&self, call: &AggregateExpr) -> Option<usize> {
        let mut ids = std::collections::HashSet::new();
        for expr in call.expressions() {
            expr.collect_columns(&mut ids);
        }
        if ids.is_empty() {
            return None;
        }
        let mut level = None;
        for id in ids {
            let found = (0..self.outer_scopes.len()).rev().find(|&depth| {
                self.outer_scopes[depth]
                    .columns
                    .iter()
                    .any(|c| c.column.id == id)
            })?;
            level = Some(level.map_or(found, |l: usize| l.max(found)));
        }
        level
    }

    /// Whether `id` is a column of a query enclosing the one being bound.
    pub(crate) fn is_outer_column(&self, id: ColumnId) -> bool {
        self.outer_scopes
            .iter()
            .any(|scope| scope.columns.iter().any(|c| c.column.id == id))
            || self
                .outer_aggregates
                .iter()
                .any(|frame| frame.iter().any(|(_, c)| c.id == id))
    }

    /// The binder with the session's options.
    pub fn with_options(mut self, options: BindOptions) -> Self {
        self.options = options;
        self
    }

    /// A column with a fresh id.
    pub fn new_column(&mut self, name: &str, data_type: DataType, nullable: bool) -> ColumnRef {
        let id = self.next_id;
        self.next_id += 1;
        ColumnRef::new(id, name, data_type, nullable)
    }

    /// Resolves a column: in the current scope, then a select alias, then in
    /// the enclosing queries' scopes (a correlated reference).
    pub(crate) fn resolve_column(
        &mut self,
        ctx: &mut ExprContext,
        relation: Option<&str>,
        name: &str,
    ) -> Result<Expr> {
        let error = match ctx.scope.resolve(relation, name) {
            Ok(column) => return Ok(Expr::Column(column)),
            Err(error) => error,
        };
        if relation.is_none() {
            if let Some(position) = ctx
                .aliases
                .iter()
                .position(|(a, _)| a.eq_ignore_ascii_case(name))
            {
                // The alias's own expression may not refer to itself.
                let aliases = ctx.aliases;
                let ast = aliases[position].1.clone();
                let mut inner = ExprContext {
                    scope: ctx.scope,
                    aggregates: ctx.aggregates.as_deref_mut(),
                    aliases: &aliases[..position],
                };
                return self.bind_expr(&ast, &mut inner);
            }
        }
        for depth in (0..self.outer_scopes.len()).rev() {
            if let Ok(column) = self.outer_scopes[depth].resolve(relation, name) {
                // The column is outer to every subquery from that depth in.
                for frame in self.correlated.iter_mut().skip(depth) {
                    if !frame.iter().any(|c| c.id == column.id) {
                        frame.push(column.clone());
                    }
                }
                return Ok(Expr::Column(column));
            }
        }
        Err(error)
    }

    /// Binds a whole query (WITH, body, ORDER BY, LIMIT).
    pub fn bind_query_plan(&mut self, query: &ast::Query) -> Result<Arc<LogicalPlan>> {
        self.bind_query(query)
    }
}
