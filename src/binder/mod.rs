//! The binder turns a parsed query into a typed [`LogicalPlan`]: it looks names
//! up in the catalog, gives every output column a fresh [`ColumnId`], inserts
//! implicit casts, expands views and CTEs, and checks GROUP BY rules. One file
//! per SQL construct.

mod expr;
mod from;
mod function;
mod literal;
mod query;
pub mod scope;
mod select;
pub mod types;

use crate::catalog::{Catalog, ViewDefinition};
use crate::error::Result;
use crate::logical::{AggregateExpr, ColumnId, ColumnRef, LogicalPlan};
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
}

/// Where an expression is bound: the visible columns, and where aggregate calls
/// go when they are allowed (select list, HAVING, ORDER BY of a grouped query).
pub struct ExprContext<'s> {
    pub scope: &'s Scope,
    pub aggregates: Option<&'s mut AggregateCollector>,
}

impl<'s> ExprContext<'s> {
    pub fn new(scope: &'s Scope) -> Self {
        Self {
            scope,
            aggregates: None,
        }
    }
}

/// The aggregate calls found while binding one SELECT, each with the column
/// that carries its result.
#[derive(Debug, Default)]
pub struct AggregateCollector {
    pub calls: Vec<(AggregateExpr, ColumnRef)>,
}

impl<'a> Binder<'a> {
    pub fn new(catalog: &'a Catalog) -> Self {
        Self {
            catalog,
            next_id: 1,
            ctes: vec![],
            expanding_views: vec![],
        }
    }

    /// A column with a fresh id.
    pub fn new_column(&mut self, name: &str, data_type: DataType, nullable: bool) -> ColumnRef {
        let id = self.next_id;
        self.next_id += 1;
        ColumnRef::new(id, name, data_type, nullable)
    }

    /// Binds a whole query (WITH, body, ORDER BY, LIMIT).
    pub fn bind_query_plan(&mut self, query: &ast::Query) -> Result<Arc<LogicalPlan>> {
        self.bind_query(query)
    }
}
