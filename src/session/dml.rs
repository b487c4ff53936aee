//! UPDATE and DELETE on in-memory tables, and transactions over them.
//!
//! Both statements compute the table's new contents with a query over the
//! table itself, so WHERE and SET may hold any expression a SELECT may,
//! correlated subqueries included, and the table is replaced only once the
//! query has succeeded (a failing statement changes nothing):
//!
//! - `DELETE FROM t WHERE c` keeps `SELECT * FROM t WHERE (c) IS NOT TRUE`;
//! - `UPDATE t SET x = e WHERE c` writes
//!   `SELECT CASE WHEN (c) IS TRUE THEN e ELSE x END, y, .. FROM t`;
//! - `UPDATE t SET x = e FROM u WHERE c` takes each row's values from its
//!   first match: `t LEFT JOIN LATERAL (SELECT e, true FROM u WHERE c
//!   LIMIT 1)`.
//!
//! The queries are built as syntax trees from the statement's own trees,
//! never as SQL text. `BEGIN` keeps a copy of the catalog and of every
//! in-memory table's rows; `ROLLBACK` puts them back, `COMMIT` drops them.

use super::{QueryResult, Session};
use crate::catalog::{Catalog, CatalogEntry, TableSource};
use crate::error::{QuarryError, Result};
use arrow::array::Int64Array;
use arrow::datatypes::DataType;
use arrow::record_batch::RecordBatch;
use sqlparser::ast;
use std::sync::Arc;

/// What `BEGIN` saved: the catalog and the rows of its in-memory tables.
pub(super) struct Snapshot {
    catalog: Catalog,
    rows: Vec<(Arc<TableSource>, Vec<RecordBatch>)>,
}

impl Session {
    pub(super) fn begin(&mut self) -> Result<QueryResult> {
        if self.transaction.is_some() {
            return Err(QuarryError::Plan(
                "TransactionContext Error: cannot start a transaction within a transaction".into(),
            ));
        }
        let mut rows = vec![];
        for (_, entry) in self.catalog.entries() {
            if let CatalogEntry::Table(source) = entry {
                if let TableSource::Memory(table) = source.as_ref() {
                    rows.push((source.clone(), table.batches()?));
                }
            }
        }
        self.transaction = Some(Snapshot {
            catalog: self.catalog.clone(),
            rows,
        });
        Ok(QueryResult::empty())
    }

    pub(super) fn commit(&mut self) -> Result<QueryResult> {
        match self.transaction.take() {
            Some(_) => Ok(QueryResult::empty()),
            None => Err(no_transaction()),
        }
    }

    pub(super) fn rollback(&mut self) -> Result<QueryResult> {
        let Some(snapshot) = self.transaction.take() else {
            return Err(no_transaction());
        };
        for (source, batches) in snapshot.rows {
            if let TableSource::Memory(table) = source.as_ref() {
                table.replace(batches)?;
            }
        }
        self.catalog = snapshot.catalog;
        Ok(QueryResult::empty())
    }

    pub(super) fn delete(&mut self, delete: &ast::Delete) -> Result<QueryResult> {
        if delete.using.is_some() || !delete.tables.is_empty() || delete.limit.is_some() {
            return Err(QuarryError::NotImplemented(
                "DELETE with USING, several tables or LIMIT".into(),
            ));
        }
        let (ast::FromTable::WithFromKeyword(from) | ast::FromTable::WithoutKeyword(from)) =
            &delete.from;
        let [target] = from.as_slice() else {
            return Err(QuarryError::NotImplemented(
                "DELETE from more than one table".into(),
            ));
        };
        let (name, _) = self.memory_table(target)?;
        let before = self.table_rows(&name)?;
        let Some(condition) = &delete.selection else {
            let empty = QueryResult {
                schema: Arc::new(arrow::datatypes::Schema::empty()),
                batches: vec![],
            };
            self.replace_rows(&name, empty)?;
            return count_result(before);
        };
        let mut select = template_select()?;
        select.from = vec![target.clone()];
        select.selection = Some(ast::Expr::IsNotTrue(Box::new(nested(condition.clone()))));
        let kept = self.run_select(select)?;
        let after: usize = kept.batches.iter().map(RecordBatch::num_rows).sum();
        self.replace_rows(&name, kept)?;
        count_result(before.saturating_sub(after))
    }

    pub(super) fn update(&mut self, update: &ast::Update) -> Result<QueryResult> {
        if update.returning.is_some() || !update.order_by.is_empty() {
            return Err(QuarryError::NotImplemented(
                "UPDATE with RETURNING or ORDER BY".into(),
            ));
        }
        let (name, schema) = self.memory_table(&update.table)?;
        let qualifier = target_qualifier(&update.table)?;
        // The value of every assigned column, by column index.
        let mut assigned: Vec<Option<ast::Expr>> = vec![None; schema.fields().len()];
        for assignment in &update.assignments {
            let ast::AssignmentTarget::ColumnName(column) = &assignment.target else {
                return Err(QuarryError::NotImplemented(
                    "UPDATE of a tuple of columns".into(),
                ));
            };
            let column_name = column
                .0
                .last()
                .and_then(|p| p.as_ident())
                .map(|i| i.value.clone())
                .unwrap_or_default();
            let index = schema
                .fields()
                .iter()
                .position(|f| f.name().eq_ignore_ascii_case(&column_name))
                .ok_or_else(|| {
                    QuarryError::Plan(format!(
                        "Binder Error: Referenced update column {column_name} not found in table!"
                    ))
                })?;
            let value = match &assignment.value {
                // No column defaults: DEFAULT is NULL.
                ast::Expr::Identifier(ident) if ident.value.eq_ignore_ascii_case("default") => {
                    null_literal()
                }
                other => other.clone(),
            };
            assigned[index] = Some(value);
        }
        let column = |name: &str| {
            ast::Expr::CompoundIdentifier(vec![
                ast::Ident::new(qualifier.clone()),
                ast::Ident::with_quote('"', name),
            ])
        };
        let mut select = template_select()?;
        select.from = vec![update.table.clone()];
        let from = match &update.from {
            Some(ast::UpdateTableFromKind::BeforeSet(from))
            | Some(ast::UpdateTableFromKind::AfterSet(from)) => Some(from.clone()),
            None => None,
        };
        let mut items = vec![];
        match from {
            None => {
                for (field, value) in schema.fields().iter().zip(&assigned) {
                    let old = column(field.name());
                    let expr = match (value, &update.selection) {
                        (None, _) => old,
                        (Some(value), None) => value.clone(),
                        (Some(value), Some(condition)) => ast::Expr::Case {
                            case_token: ast::helpers::attached_token::AttachedToken::empty(),
                            end_token: ast::helpers::attached_token::AttachedToken::empty(),
                            operand: None,
                            conditions: vec![ast::CaseWhen {
                                condition: ast::Expr::IsTrue(Box::new(nested(condition.clone()))),
                                result: value.clone(),
                            }],
                            else_result: Some(Box::new(old)),
                        },
                    };
                    items.push(ast::SelectItem::UnnamedExpr(expr));
                }
            }
            Some(from) => {
                // Each row's new values from its first match in FROM.
                let mut inner = template_select()?;
                inner.from = from;
                inner.selection = update.selection.clone();
                let mut values = vec![];
                for (i, value) in assigned.iter().enumerate() {
                    if let Some(value) = value {
                        values.push(ast::SelectItem::ExprWithAlias {
                            expr: value.clone(),
                            alias: ast::Ident::new(format!("__value_{i}")),
                        });
                    }
                }
                values.push(ast::SelectItem::ExprWithAlias {
                    expr: ast::Expr::Value(ast::Value::Boolean(true).into()),
                    alias: ast::Ident::new("__matched"),
                });
                inner.projection = values;
                let mut query = template_query(inner);
                query.limit_clause = Some(ast::LimitClause::LimitOffset {
                    limit: Some(ast::Expr::Value(
                        ast::Value::Number("1".into(), false).into(),
                    )),
                    offset: None,
                    limit_by: vec![],
                });
                let lateral = ast::Join {
                    relation: ast::TableFactor::Derived {
                        lateral: true,
                        subquery: Box::new(query),
                        alias: Some(ast::TableAlias {
                            explicit: true,
                            name: ast::Ident::new("__update"),
                            columns: vec![],
                            at: None,
                        }),
                        sample: None,
                    },
                    global: false,
                    join_operator: ast::JoinOperator::LeftOuter(ast::JoinConstraint::On(
                        ast::Expr::Value(ast::Value::Boolean(true).into()),
                    )),
                };
                select.from[0].joins.push(lateral);
                let update_column = |name: &str| {
                    ast::Expr::CompoundIdentifier(vec![
                        ast::Ident::new("__update"),
                        ast::Ident::new(name),
                    ])
                };
                for (i, (field, value)) in schema.fields().iter().zip(&assigned).enumerate() {
                    let old = column(field.name());
                    let expr = match value {
                        None => old,
                        Some(_) => ast::Expr::Case {
                            case_token: ast::helpers::attached_token::AttachedToken::empty(),
                            end_token: ast::helpers::attached_token::AttachedToken::empty(),
                            operand: None,
                            conditions: vec![ast::CaseWhen {
                                condition: ast::Expr::IsTrue(Box::new(update_column("__matched"))),
                                result: update_column(&format!("__value_{i}")),
                            }],
                            else_result: Some(Box::new(old)),
                        },
                    };
                    items.push(ast::SelectItem::UnnamedExpr(expr));
                }
            }
        }
        select.projection = items;
        let before = self.table_rows(&name)?;
        let rows = self.run_select(select)?;
        let after: usize = rows.batches.iter().map(RecordBatch::num_rows).sum();
        if after != before {
            return Err(QuarryError::Internal(format!(
                "UPDATE computed {after} rows for a table of {before}"
            )));
        }
        self.replace_rows(&name, rows)?;
        count_result(before)
    }

    /// The name and schema of the in-memory table a statement writes.
    fn memory_table(
        &self,
        target: &ast::TableWithJoins,
    ) -> Result<(String, arrow::datatypes::SchemaRef)> {
        if !target.joins.is_empty() {
            return Err(QuarryError::NotImplemented(
                "UPDATE or DELETE of a join".into(),
            ));
        }
        let ast::TableFactor::Table { name, .. } = &target.relation else {
            return Err(QuarryError::Plan(
                "Binder Error: can only UPDATE or DELETE a table".into(),
            ));
        };
        let name = name.to_string();
        match self.catalog.get(&name) {
            Some(CatalogEntry::Table(source)) => match source.as_ref() {
                TableSource::Memory(table) => Ok((name, table.schema.clone())),
                other => Err(QuarryError::Plan(format!(
                    "Binder Error: table {name} is a read-only {} table",
                    other.kind()
                ))),
            },
            Some(CatalogEntry::View(_)) => Err(QuarryError::Plan(format!(
                "Binder Error: cannot change view {name}"
            ))),
            None => Err(QuarryError::Plan(format!(
                "Catalog Error: Table with name {name} does not exist!"
            ))),
        }
    }

    fn table_rows(&self, name: &str) -> Result<usize> {
        match self.catalog.get(name) {
            Some(CatalogEntry::Table(source)) => match source.as_ref() {
                TableSource::Memory(table) => Ok(table.num_rows()),
                _ => Ok(0),
            },
            _ => Ok(0),
        }
    }

    fn run_select(&mut self, select: ast::Select) -> Result<QueryResult> {
        let query = template_query(select);
        self.execute_statement(&ast::Statement::Query(Box::new(query)))
    }

    /// Replaces the rows of table `name` with `result`'s, cast to its types.
    fn replace_rows(&mut self, name: &str, result: QueryResult) -> Result<()> {
        let Some(CatalogEntry::Table(source)) = self.catalog.get(name).cloned() else {
            return Err(QuarryError::Internal(format!("table {name} vanished")));
        };
        let TableSource::Memory(table) = source.as_ref() else {
            return Err(QuarryError::Internal(format!("{name} is not in memory")));
        };
        let batches = self.cast_to_table("update", &table.schema, &result)?;
        table.replace(batches)?;
        self.catalog.invalidate_statistics(name);
        Ok(())
    }
}

fn no_transaction() -> QuarryError {
    QuarryError::Plan("TransactionContext Error: no transaction is active".into())
}

/// The name the target table's columns are qualified with: its alias or name.
fn target_qualifier(target: &ast::TableWithJoins) -> Result<String> {
    match &target.relation {
        ast::TableFactor::Table { name, alias, .. } => Ok(match alias {
            Some(alias) => alias.name.value.clone(),
            None => name
                .0
                .last()
                .and_then(|p| p.as_ident())
                .map(|i| i.value.clone())
                .unwrap_or_default(),
        }),
        _ => Err(QuarryError::Plan(
            "Binder Error: can only UPDATE a table".into(),
        )),
    }
}

/// `SELECT *` with nothing else, to fill in.
fn template_select() -> Result<ast::Select> {
    let statements = crate::parser::parse_sql("SELECT *")?;
    if let Some(ast::Statement::Query(query)) = statements.into_iter().next() {
        if let ast::SetExpr::Select(select) = *query.body {
            return Ok(*select);
        }
    }
    Err(QuarryError::Internal(
        "the SELECT template did not parse".into(),
    ))
}

fn template_query(select: ast::Select) -> ast::Query {
    query_of(ast::SetExpr::Select(Box::new(select)), None)
}

/// A query of `body` with `with` and no ORDER BY, LIMIT or other clause.
pub(super) fn query_of(body: ast::SetExpr, with: Option<ast::With>) -> ast::Query {
    ast::Query {
        with,
        body: Box::new(body),
        order_by: None,
        limit_clause: None,
        fetch: None,
        locks: vec![],
        for_clause: None,
        settings: None,
        format_clause: None,
        pipe_operators: vec![],
    }
}

fn nested(expr: ast::Expr) -> ast::Expr {
    ast::Expr::Nested(Box::new(expr))
}

fn null_literal() -> ast::Expr {
    ast::Expr::Value(ast::Value::Null.into())
}

fn count_result(rows: usize) -> Result<QueryResult> {
    let schema = Arc::new(arrow::datatypes::Schema::new(vec![
        arrow::datatypes::Field::new("Count", DataType::Int64, false),
    ]));
    let batch = RecordBatch::try_new(
        schema.clone(),
        vec![Arc::new(Int64Array::from(vec![rows as i64]))],
    )?;
    Ok(QueryResult {
        schema,
        batches: vec![batch],
    })
}
