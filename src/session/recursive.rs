//! WITH RECURSIVE: each recursive CTE is computed before the query that
//! uses it, by iteration, as SQL defines it: the anchor's rows are the first
//! working table; the recursive term runs over the working table, and its
//! new rows become the next one, until a step adds none. With UNION (not
//! ALL) every row is kept once and a step's rows already seen are dropped,
//! which also ends cycles. The rows go into a temporary in-memory table that
//! the CTE's references are renamed to, in the later CTEs and the query.
//!
//! A recursion that keeps producing rows is stopped by the session's
//! `memory_limit` or, at the latest, after `MAX_STEPS` steps, with an error.

use super::{QueryResult, Session};
use crate::catalog::{CatalogEntry, MemorySource, TableSource};
use crate::error::{QuarryError, Result};
use arrow::compute::cast;
use arrow::datatypes::{Field, Schema, SchemaRef};
use arrow::record_batch::RecordBatch;
use arrow::row::{RowConverter, SortField};
use sqlparser::ast::{self, VisitMut};
use std::collections::HashSet;
use std::ops::ControlFlow;
use std::sync::Arc;

/// The most iterations one recursive CTE may take.
const MAX_STEPS: usize = 100_000;

/// Temporary tables made for one query's recursive CTEs; dropped after it.
pub(super) struct RecursiveTables {
    /// (CTE name in lower case, temporary table name).
    tables: Vec<(String, String)>,
}

impl Session {
    /// `query` with its recursive CTEs computed into temporary tables (and
    /// removed from its WITH); the tables to drop afterwards.
    pub(super) fn materialize_recursive(
        &mut self,
        query: &ast::Query,
    ) -> Result<(ast::Query, RecursiveTables)> {
        let mut query = query.clone();
        let mut tables = RecursiveTables { tables: vec![] };
        let Some(with) = query.with.clone() else {
            return Ok((query, tables));
        };
        if !with.recursive {
            return Ok((query, tables));
        }
        let mut kept: Vec<ast::Cte> = vec![];
        for cte in with.cte_tables {
            let name = cte.alias.name.value.clone();
            // Earlier CTEs stay visible to this one.
            let mut cte_query = (*cte.query).clone();
            if !kept.is_empty() {
                prepend_ctes(&mut cte_query, &kept);
            }
            rename_relations(&mut cte_query, &tables.tables);
            match recursive_parts(&cte_query, &name) {
                Some((anchor, step, all)) => {
                    let temp = format!(
                        "__recursive_{}_{}",
                        name.to_lowercase(),
                        tables.tables.len()
                    );
                    let columns: Vec<String> = cte
                        .alias
                        .columns
                        .iter()
                        .map(|c| c.name.value.clone())
                        .collect();
                    let result = self.iterate(&name, &temp, &columns, anchor, step, all);
                    tables.tables.push((name.to_lowercase(), temp.clone()));
                    if let Err(e) = result {
                        self.drop_recursive(&tables);
                        return Err(e);
                    }
                }
                None => {
                    let mut cte = cte.clone();
                    cte.query = Box::new(cte_query);
                    if let Some(with) = cte.query.with.as_mut() {
                        with.cte_tables.clear();
                        with.recursive = false;
                    }
                    kept.push(cte);
                }
            }
        }
        rename_relations(&mut query, &tables.tables);
        for cte in kept.iter_mut() {
            rename_relations(&mut cte.query, &tables.tables);
        }
        query.with = (!kept.is_empty()).then_some(ast::With {
            with_token: with.with_token,
            recursive: false,
            cte_tables: kept,
        });
        Ok((query, tables))
    }

    /// Drops the temporary tables of recursive CTEs.
    pub(super) fn drop_recursive(&mut self, tables: &RecursiveTables) {
        for (_, temp) in &tables.tables {
            self.catalog.remove(temp);
        }
    }

    /// Computes one recursive CTE into table `temp`.
    fn iterate(
        &mut self,
        name: &str,
        temp: &str,
        columns: &[String],
        anchor: ast::Query,
        step: ast::Query,
        union_all: bool,
    ) -> Result<()> {
        let first = self.run_plain(&anchor)?;
        let schema = named_schema(&first.schema, columns, name)?;
        let source = Arc::new(TableSource::Memory(MemorySource::new(
            schema.clone(),
            vec![],
        )));
        self.catalog
            .register(temp, CatalogEntry::Table(source.clone()), true)?;
        let TableSource::Memory(table) = source.as_ref() else {
            return Err(QuarryError::Internal("recursive CTE table".into()));
        };
        let mut seen = Seen::new(&schema, !union_all)?;
        let mut all: Vec<RecordBatch> = vec![];
        let mut working = seen.keep_new(conform(&first.batches, &schema)?)?;
        let mut step_query = step;
        rename_relations(&mut step_query, &[(name.to_lowercase(), temp.to_string())]);
        let mut bytes = 0usize;
        for steps in 0.. {
            if working.iter().all(|b| b.num_rows() == 0) {
                break;
            }
            if steps >= MAX_STEPS {
                return Err(QuarryError::ResourcesExhausted(format!(
                    "recursive CTE {name} did not end after {MAX_STEPS} steps"
                )));
            }
            bytes += working
                .iter()
                .map(|b| b.get_array_memory_size())
                .sum::<usize>();
            if bytes > self.config.memory_limit {
                return Err(QuarryError::ResourcesExhausted(format!(
                    "recursive CTE {name} holds more than the memory_limit"
                )));
            }
            all.extend(working.iter().cloned());
            table.replace(working)?;
            let next = self.run_plain(&step_query)?;
            working = seen.keep_new(conform(&next.batches, &schema)?)?;
        }
        table.replace(all)?;
        self.catalog.invalidate_statistics(temp);
        Ok(())
    }

    fn run_plain(&mut self, query: &ast::Query) -> Result<QueryResult> {
        self.run_query(query)
    }

    /// Runs a query, computing its recursive CTEs first.
    pub(super) fn run_query_with_recursion(&mut self, query: &ast::Query) -> Result<QueryResult> {
        let recursive = query.with.as_ref().is_some_and(|w| w.recursive);
        if !recursive {
            return self.run_query(query);
        }
        let (query, tables) = self.materialize_recursive(query)?;
        let result = self.run_query(&query);
        self.drop_recursive(&tables);
        result
    }
}

/// The rows seen so far, for UNION's de-duplication.
struct Seen {
    converter: Option<RowConverter>,
    rows: HashSet<Vec<u8>>,
}

impl Seen {
    fn new(schema: &SchemaRef, distinct: bool) -> Result<Self> {
        let converter = if distinct {
            Some(RowConverter::new(
                schema
                    .fields()
                    .iter()
                    .map(|f| SortField::new(f.data_type().clone()))
                    .collect(),
            )?)
        } else {
            None
        };
        Ok(Self {
            converter,
            rows: HashSet::new(),
        })
    }

    /// The rows of `batches` not seen before (all of them for UNION ALL).
    fn keep_new(&mut self, batches: Vec<RecordBatch>) -> Result<Vec<RecordBatch>> {
        let Some(converter) = &self.converter else {
            return Ok(batches);
        };
        let mut out = vec![];
        for batch in batches {
            let rows = converter.convert_columns(batch.columns())?;
            let keep: arrow::array::BooleanArray = (0..batch.num_rows())
                .map(|i| Some(self.rows.insert(rows.row(i).as_ref().to_vec())))
                .collect();
            out.push(arrow::compute::filter_record_batch(&batch, &keep)?);
        }
        Ok(out)
    }
}

/// The anchor's schema with the CTE's column names, every column nullable.
fn named_schema(schema: &SchemaRef, columns: &[String], name: &str) -> Result<SchemaRef> {
    if !columns.is_empty() && columns.len() != schema.fields().len() {
        return Err(QuarryError::Plan(format!(
            "Binder Error: recursive CTE {name} names {} columns but its query has {}",
            columns.len(),
            schema.fields().len()
        )));
    }
    let fields: Vec<Field> = schema
        .fields()
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let name = columns.get(i).cloned().unwrap_or_else(|| f.name().clone());
            Field::new(name, f.data_type().clone(), true)
        })
        .collect();
    Ok(Arc::new(Schema::new(fields)))
}

/// `batches` with their columns cast to `schema`'s types.
fn conform(batches: &[RecordBatch], schema: &SchemaRef) -> Result<Vec<RecordBatch>> {
    batches
        .iter()
        .map(|batch| {
            if batch.num_columns() != schema.fields().len() {
                return Err(QuarryError::Plan(format!(
                    "Binder Error: the recursive term of a CTE yields {} columns, its anchor {}",
                    batch.num_columns(),
                    schema.fields().len()
                )));
            }
            let columns = batch
                .columns()
                .iter()
                .zip(schema.fields())
                .map(|(c, f)| cast(c, f.data_type()))
                .collect::<std::result::Result<Vec<_>, _>>()?;
            Ok(RecordBatch::try_new_with_options(
                schema.clone(),
                columns,
                &arrow::record_batch::RecordBatchOptions::new()
                    .with_row_count(Some(batch.num_rows())),
            )?)
        })
        .collect()
}

/// A CTE body `anchor UNION [ALL] step` whose step reads the CTE itself:
/// (anchor, step, is UNION ALL). `None` for a CTE that is not recursive.
fn recursive_parts(query: &ast::Query, name: &str) -> Option<(ast::Query, ast::Query, bool)> {
    let ast::SetExpr::SetOperation {
        op: ast::SetOperator::Union,
        set_quantifier,
        left,
        right,
    } = query.body.as_ref()
    else {
        return None;
    };
    let mut step = wrap(right.as_ref().clone(), query);
    if !reads_relation(&mut step, name) {
        return None;
    }
    let all = matches!(set_quantifier, ast::SetQuantifier::All);
    let anchor = wrap(left.as_ref().clone(), query);
    Some((anchor, step, all))
}

/// `body` as a query with `outer`'s WITH (non-recursive by then).
fn wrap(body: ast::SetExpr, outer: &ast::Query) -> ast::Query {
    super::dml::query_of(body, outer.with.clone())
}

fn prepend_ctes(query: &mut ast::Query, ctes: &[ast::Cte]) {
    match query.with.as_mut() {
        Some(with) => {
            let mut all = ctes.to_vec();
            all.append(&mut with.cte_tables);
            with.cte_tables = all;
        }
        None => {
            query.with = Some(ast::With {
                with_token: ast::helpers::attached_token::AttachedToken::empty(),
                recursive: false,
                cte_tables: ctes.to_vec(),
            })
        }
    }
}

fn reads_relation(query: &mut ast::Query, name: &str) -> bool {
    let mut found = false;
    let _ = ast::visit_relations_mut(query, |relation: &mut ast::ObjectName| {
        if relation.to_string().eq_ignore_ascii_case(name) {
            found = true;
        }
        ControlFlow::<()>::Continue(())
    });
    found
}

/// Renames every table reference named like a key of `map` to its value.
fn rename_relations<V: VisitMut>(node: &mut V, map: &[(String, String)]) {
    if map.is_empty() {
        return;
    }
    let _ = ast::visit_relations_mut(node, |relation: &mut ast::ObjectName| {
        let current = relation.to_string().to_lowercase();
        if let Some((_, temp)) = map.iter().find(|(name, _)| *name == current) {
            *relation = ast::ObjectName::from(vec![ast::Ident::new(temp.clone())]);
        }
        ControlFlow::<()>::Continue(())
    });
}
