//! DDL and DML: CREATE TABLE [AS], CREATE EXTERNAL TABLE, CREATE VIEW,
//! INSERT INTO, DROP TABLE/VIEW, SHOW TABLES, DESCRIBE and ANALYZE TABLE.

use super::prepared::ParameterValues;
use super::{QueryResult, Session};
use crate::binder::parameter_name;
use crate::binder::types::{arrow_type, sql_type_name};
use crate::binder::Binder;
use crate::catalog::{
    self, CatalogEntry, CsvSource, MemorySource, ParquetSource, TableSource, ViewDefinition,
};
use crate::error::{QuarryError, Result};
use arrow::array::{new_null_array, ArrayRef, Int64Array, StringArray};
use arrow::compute::{cast_with_options, CastOptions};
use arrow::datatypes::{DataType, Field, Schema, SchemaRef};
use arrow::record_batch::{RecordBatch, RecordBatchOptions};
use sqlparser::ast::{self, ObjectType, Statement};
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

impl Session {
    pub(super) fn execute_ddl(&mut self, statement: &Statement) -> Result<QueryResult> {
        match statement {
            Statement::CreateTable(create) => self.create_table(create),
            Statement::CreateView(view) => self.create_view(view),
            Statement::Insert(insert) => self.insert(insert),
            Statement::Drop {
                object_type,
                if_exists,
                names,
                ..
            } => self.drop_objects(object_type, *if_exists, names),
            Statement::ShowTables { .. } => self.show_tables(),
            Statement::ExplainTable { table_name, .. } => self.describe(table_name),
            Statement::Analyze(analyze) => self.analyze_table(analyze),
            Statement::Update(update) => self.update(update),
            Statement::Delete(delete) => self.delete(delete),
            Statement::StartTransaction { .. } => self.begin(),
            Statement::Commit { .. } => self.commit(),
            Statement::Rollback {
                savepoint: None, ..
            } => self.rollback(),
            Statement::CreateIndex(index) => self.create_index(index),
            other => Err(QuarryError::NotImplemented(format!(
                "this statement is not supported: {}",
                first_words(&other.to_string())
            ))),
        }
    }

    fn create_table(&mut self, create: &ast::CreateTable) -> Result<QueryResult> {
        let name = create.name.to_string();
        if create.if_not_exists && self.catalog.get(&name).is_some() {
            return Ok(QueryResult::empty());
        }
        let source = if let Some(query) = &create.query {
            let result = self.run_query(query)?;
            let schema = nullable(&result.schema);
            let batches = result
                .batches
                .into_iter()
                .map(|b| RecordBatch::try_new(schema.clone(), b.columns().to_vec()))
                .collect::<std::result::Result<Vec<_>, _>>()?;
            TableSource::Memory(MemorySource::new(schema, batches))
        } else if let Some(location) = &create.location {
            external_source(location, create.file_format.as_ref())?
        } else {
            if create.columns.is_empty() {
                return Err(QuarryError::Plan(format!(
                    "Parser Error: CREATE TABLE {name} needs columns, AS SELECT or a LOCATION"
                )));
            }
            let mut fields = vec![];
            for column in &create.columns {
                let not_null = column
                    .options
                    .iter()
                    .any(|o| matches!(o.option, ast::ColumnOption::NotNull));
                fields.push(Field::new(
                    &column.name.value,
                    arrow_type(&column.data_type)?,
                    !not_null,
                ));
            }
            TableSource::Memory(MemorySource::new(Arc::new(Schema::new(fields)), vec![]))
        };
        self.catalog.register(
            &name,
            CatalogEntry::Table(Arc::new(source)),
            create.or_replace,
        )?;
        Ok(QueryResult::empty())
    }

    fn create_view(&mut self, view: &ast::CreateView) -> Result<QueryResult> {
        let name = view.name.to_string();
        if view.if_not_exists && self.catalog.get(&name).is_some() {
            return Ok(QueryResult::empty());
        }
        let definition = ViewDefinition {
            query: view.query.as_ref().clone(),
            column_names: view.columns.iter().map(|c| c.name.value.clone()).collect(),
        };
        // Bind once now so a broken view is rejected when it is created.
        let mut binder = Binder::new(&self.catalog).with_options(self.config.bind_options());
        let plan = binder.bind_query_plan(&definition.query)?;
        if let Some(parameter) = binder.parameters().first() {
            return Err(QuarryError::Plan(format!(
                "Binder Error: a view cannot have parameters (${parameter} in view {name})"
            )));
        }
        if definition.column_names.len() > plan.columns().len() {
            return Err(QuarryError::Plan(format!(
                "Binder Error: view {name} names {} columns but its query has {}",
                definition.column_names.len(),
                plan.columns().len()
            )));
        }
        self.catalog.register(
            &name,
            CatalogEntry::View(Arc::new(definition)),
            view.or_replace,
        )?;
        Ok(QueryResult::empty())
    }

    /// INSERT, prepared and run with the session's parameter values.
    fn insert(&mut self, insert: &ast::Insert) -> Result<QueryResult> {
        let statement = Statement::Insert(insert.clone());
        let prepared = self.prepare_statement(&statement, Default::default())?;
        self.execute_prepared(&prepared, &ParameterValues::Session)
    }

    /// The table an INSERT writes to and, for each column it supplies, the
    /// table column that receives it.
    fn insert_target(
        &self,
        insert: &ast::Insert,
    ) -> Result<(String, Arc<TableSource>, Vec<usize>)> {
        let ast::TableObject::TableName(table_name) = &insert.table else {
            return Err(QuarryError::NotImplemented(
                "INSERT INTO a table function".into(),
            ));
        };
        let name = table_name.to_string();
        let source = match self.catalog.get(&name) {
            Some(CatalogEntry::Table(source)) => source.clone(),
            Some(CatalogEntry::View(_)) => {
                return Err(QuarryError::Plan(format!(
                    "Binder Error: cannot insert into view {name}"
                )))
            }
            None => {
                return Err(QuarryError::Plan(format!(
                    "Catalog Error: Table with name {name} does not exist!"
                )))
            }
        };
        let TableSource::Memory(table) = source.as_ref() else {
            return Err(QuarryError::Plan(format!(
                "Binder Error: table {name} is a read-only {} table",
                source.kind()
            )));
        };
        let schema = table.schema.clone();
        let targets: Vec<usize> = if insert.columns.is_empty() {
            (0..schema.fields().len()).collect()
        } else {
            insert
                .columns
                .iter()
                .map(|c| {
                    let column = c.to_string();
                    schema
                        .fields()
                        .iter()
                        .position(|f| f.name().eq_ignore_ascii_case(&column))
                        .ok_or_else(|| {
                            QuarryError::Plan(format!(
                                "Binder Error: Table \"{name}\" does not have a column with name \"{column}\""
                            ))
                        })
                })
                .collect::<Result<_>>()?
        };
        Ok((name, source, targets))
    }

    /// `INSERT INTO t VALUES ($1, ..)`: a placeholder that is a whole value
    /// takes the type of the column it fills.
    pub(super) fn insert_parameter_types(
        &self,
        insert: &ast::Insert,
    ) -> Result<HashMap<String, DataType>> {
        let (_, source, targets) = self.insert_target(insert)?;
        let schema = source.schema();
        let mut types = HashMap::new();
        let Some(ast::SetExpr::Values(values)) = insert.source.as_ref().map(|q| q.body.as_ref())
        else {
            return Ok(types);
        };
        for row in &values.rows {
            for (item, &target) in row.iter().zip(&targets) {
                if let ast::Expr::Value(value) = item {
                    if let ast::Value::Placeholder(text) = &value.value {
                        let data_type = schema.field(target).data_type().clone();
                        types.entry(parameter_name(text)?).or_insert(data_type);
                    }
                }
            }
        }
        Ok(types)
    }

    /// Appends the rows of `result` (an INSERT's source) to its table.
    pub(super) fn insert_rows(
        &mut self,
        insert: &ast::Insert,
        result: QueryResult,
    ) -> Result<QueryResult> {
        let (name, source, targets) = self.insert_target(insert)?;
        let TableSource::Memory(table) = source.as_ref() else {
            return Err(QuarryError::Internal(format!(
                "{name} is not a memory table"
            )));
        };
        let schema = table.schema.clone();
        if result.schema.fields().len() != targets.len() {
            return Err(QuarryError::Plan(format!(
                "Binder Error: table {name} has {} columns but {} values were supplied",
                targets.len(),
                result.schema.fields().len()
            )));
        }
        let full = targets.len() == schema.fields().len()
            && targets.iter().enumerate().all(|(i, &t)| i == t);
        let batches = if full {
            self.cast_to_table("insert into", &schema, &result)?
        } else {
            self.cast_columns_to_table("insert into", &schema, &targets, &result)?
        };
        let inserted: usize = batches.iter().map(RecordBatch::num_rows).sum();
        table.append(batches)?;
        self.catalog.invalidate_statistics(&name);
        single_column(
            "Count",
            Arc::new(Int64Array::from(vec![inserted as i64])),
            DataType::Int64,
        )
    }

    /// `result`'s rows as rows of a table with `schema` (every column, in
    /// order), each value cast to its column's type.
    pub(super) fn cast_to_table(
        &self,
        verb: &str,
        schema: &SchemaRef,
        result: &QueryResult,
    ) -> Result<Vec<RecordBatch>> {
        let targets: Vec<usize> = (0..schema.fields().len()).collect();
        self.cast_columns_to_table(verb, schema, &targets, result)
    }

    /// `result`'s columns cast into the table columns `targets`; the other
    /// columns are NULL.
    fn cast_columns_to_table(
        &self,
        verb: &str,
        schema: &SchemaRef,
        targets: &[usize],
        result: &QueryResult,
    ) -> Result<Vec<RecordBatch>> {
        let options = CastOptions {
            safe: false,
            ..Default::default()
        };
        let mut batches = vec![];
        for batch in &result.batches {
            let mut columns: Vec<ArrayRef> = schema
                .fields()
                .iter()
                .map(|f| new_null_array(f.data_type(), batch.num_rows()))
                .collect();
            for (source_index, &target) in targets.iter().enumerate() {
                let field = schema.field(target);
                columns[target] =
                    cast_with_options(batch.column(source_index), field.data_type(), &options)
                        .map_err(|e| {
                            QuarryError::Execution(format!(
                                "Conversion Error: cannot {verb} column {} ({}): {e}",
                                field.name(),
                                sql_type_name(field.data_type())
                            ))
                        })?;
            }
            let options = RecordBatchOptions::new().with_row_count(Some(batch.num_rows()));
            let batch = RecordBatch::try_new_with_options(schema.clone(), columns, &options)
                .map_err(|e| QuarryError::Execution(format!("Constraint Error: {e}")))?;
            batches.push(batch);
        }
        Ok(batches)
    }

    /// `CREATE [UNIQUE] INDEX name ON t (columns)`: recorded in the catalog
    /// after checking the table, its columns and, for UNIQUE, its rows.
    fn create_index(&mut self, index: &ast::CreateIndex) -> Result<QueryResult> {
        let table = index.table_name.to_string();
        let schema = match self.catalog.get(&table) {
            Some(CatalogEntry::Table(source)) => source.schema(),
            _ => {
                return Err(QuarryError::Plan(format!(
                    "Catalog Error: Table with name {table} does not exist!"
                )))
            }
        };
        let mut columns = vec![];
        for column in &index.columns {
            let name = column.column.expr.to_string();
            if !schema
                .fields()
                .iter()
                .any(|f| f.name().eq_ignore_ascii_case(&name))
            {
                return Err(QuarryError::Plan(format!(
                    "Binder Error: Referenced column \"{name}\" not found in table {table}"
                )));
            }
            columns.push(name);
        }
        let name = match &index.name {
            Some(name) => name.to_string(),
            None => format!("{table}_{}_idx", columns.join("_")),
        };
        if index.unique && self.has_duplicates(&table, &columns)? {
            return Err(QuarryError::Execution(format!(
                "Constraint Error: Data contains duplicates on indexed column(s) {}",
                columns.join(", ")
            )));
        }
        let added = self.catalog.add_index(crate::catalog::IndexDefinition {
            name: name.clone(),
            table,
            columns,
            unique: index.unique,
        });
        if !added && !index.if_not_exists {
            return Err(QuarryError::Plan(format!(
                "Catalog Error: Index with name \"{name}\" already exists!"
            )));
        }
        Ok(QueryResult::empty())
    }

    /// Whether two rows of `table` agree on every one of `columns` (none NULL).
    fn has_duplicates(&mut self, table: &str, columns: &[String]) -> Result<bool> {
        let statements = crate::parser::parse_sql(
            "SELECT count(*) FROM (SELECT 1 FROM t GROUP BY ALL HAVING count(*) > 1)",
        )?;
        let Some(Statement::Query(mut query)) = statements.into_iter().next() else {
            return Err(QuarryError::Internal("template did not parse".into()));
        };
        // Fill the template's inner query with the table and its columns.
        let ast::SetExpr::Select(outer) = query.body.as_mut() else {
            return Err(QuarryError::Internal("template shape".into()));
        };
        let Some(ast::TableFactor::Derived { subquery, .. }) =
            outer.from.first_mut().map(|f| &mut f.relation)
        else {
            return Err(QuarryError::Internal("template shape".into()));
        };
        let ast::SetExpr::Select(inner) = subquery.body.as_mut() else {
            return Err(QuarryError::Internal("template shape".into()));
        };
        inner.projection = columns
            .iter()
            .map(|c| {
                ast::SelectItem::UnnamedExpr(ast::Expr::Identifier(ast::Ident::with_quote('"', c)))
            })
            .collect();
        inner.selection = columns
            .iter()
            .map(|c| {
                ast::Expr::IsNotNull(Box::new(ast::Expr::Identifier(ast::Ident::with_quote(
                    '"', c,
                ))))
            })
            .reduce(|a, b| ast::Expr::BinaryOp {
                left: Box::new(a),
                op: ast::BinaryOperator::And,
                right: Box::new(b),
            });
        if let Some(ast::TableFactor::Table { name, .. }) =
            inner.from.first_mut().map(|f| &mut f.relation)
        {
            *name = ast::ObjectName::from(vec![ast::Ident::with_quote('"', table)]);
        }
        let result = self.execute_statement(&Statement::Query(query))?;
        let count = result
            .batches
            .first()
            .and_then(|b| b.column(0).as_any().downcast_ref::<Int64Array>())
            .map(|a| a.value(0))
            .unwrap_or(0);
        Ok(count > 0)
    }

    /// `ANALYZE [TABLE] t`: reads every row of `t` and keeps per-column
    /// distinct counts, min / max, null counts and histograms in the
    /// catalog; returns them, a row per column.
    fn analyze_table(&mut self, analyze: &ast::Analyze) -> Result<QueryResult> {
        let Some(table_name) = &analyze.table_name else {
            return Err(QuarryError::NotImplemented(
                "ANALYZE without a table name".into(),
            ));
        };
        let name = table_name.to_string();
        match self.catalog.get(&name) {
            Some(CatalogEntry::Table(_)) => {}
            Some(CatalogEntry::View(_)) => {
                return Err(QuarryError::Plan(format!(
                    "Binder Error: cannot analyze view {name}: only tables have statistics"
                )))
            }
            None => {
                return Err(QuarryError::Plan(format!(
                    "Catalog Error: Table with name {name} does not exist!"
                )))
            }
        }
        let query = crate::parser::parse_sql(&format!("SELECT * FROM {table_name}"))?;
        let Some(Statement::Query(query)) = query.first() else {
            return Err(QuarryError::Internal(format!("cannot analyze {name}")));
        };
        let result = self.run_query(query)?;
        let statistics = catalog::TableStatistics::compute(&result.schema, &result.batches)?;
        let statistics = Arc::new(statistics);
        self.catalog.set_statistics(&name, statistics.clone());
        statistics_result(&result.schema, &statistics)
    }

    fn drop_objects(
        &mut self,
        object_type: &ObjectType,
        if_exists: bool,
        names: &[ast::ObjectName],
    ) -> Result<QueryResult> {
        for name in names {
            let name = name.to_string();
            if *object_type == ObjectType::Index {
                if self.catalog.remove_index(&name).is_none() && !if_exists {
                    return Err(QuarryError::Plan(format!(
                        "Catalog Error: Index with name {name} does not exist!"
                    )));
                }
                continue;
            }
            let matches = match (self.catalog.get(&name), object_type) {
                (Some(CatalogEntry::Table(_)), ObjectType::Table) => true,
                (Some(CatalogEntry::View(_)), ObjectType::View) => true,
                (Some(_), other) => {
                    return Err(QuarryError::Plan(format!(
                        "Catalog Error: Existing object {name} is not a {}",
                        other.to_string().to_lowercase()
                    )))
                }
                (None, _) if if_exists => false,
                (None, other) => {
                    return Err(QuarryError::Plan(format!(
                        "Catalog Error: {} with name {name} does not exist!",
                        capitalized(&other.to_string())
                    )))
                }
            };
            if matches {
                self.catalog.remove(&name);
            }
        }
        Ok(QueryResult::empty())
    }

    fn show_tables(&self) -> Result<QueryResult> {
        let names: Vec<String> = self.catalog.names().cloned().collect();
        single_column("name", Arc::new(StringArray::from(names)), DataType::Utf8)
    }

    fn describe(&self, table_name: &ast::ObjectName) -> Result<QueryResult> {
        let sql_name = table_name.to_string();
        let query = crate::parser::parse_sql(&format!("SELECT * FROM {table_name}"))?;
        let Some(Statement::Query(query)) = query.first() else {
            return Err(QuarryError::Internal(format!("cannot describe {sql_name}")));
        };
        let plan = Binder::new(&self.catalog)
            .with_options(self.config.bind_options())
            .bind_query_plan(query)?;
        let columns = plan.columns();
        // DuckDB's six columns; quarry has no keys, defaults or extras.
        let schema = Arc::new(Schema::new(vec![
            Field::new("column_name", DataType::Utf8, false),
            Field::new("column_type", DataType::Utf8, false),
            Field::new("null", DataType::Utf8, false),
            Field::new("key", DataType::Utf8, true),
            Field::new("default", DataType::Utf8, true),
            Field::new("extra", DataType::Utf8, true),
        ]));
        let unknown = || new_null_array(&DataType::Utf8, columns.len());
        let batch = RecordBatch::try_new(
            schema.clone(),
            vec![
                Arc::new(StringArray::from_iter_values(
                    columns.iter().map(|c| c.name.clone()),
                )),
                Arc::new(StringArray::from_iter_values(
                    columns.iter().map(|c| sql_type_name(&c.data_type)),
                )),
                Arc::new(StringArray::from_iter_values(columns.iter().map(|c| {
                    if c.nullable {
                        "YES"
                    } else {
                        "NO"
                    }
                }))),
                unknown(),
                unknown(),
                unknown(),
            ],
        )?;
        Ok(QueryResult {
            schema,
            batches: vec![batch],
        })
    }
}

fn single_column(name: &str, array: ArrayRef, data_type: DataType) -> Result<QueryResult> {
    let schema = Arc::new(Schema::new(vec![Field::new(name, data_type, false)]));
    let batch = RecordBatch::try_new(schema.clone(), vec![array])?;
    Ok(QueryResult {
        schema,
        batches: vec![batch],
    })
}

fn nullable(schema: &SchemaRef) -> SchemaRef {
    Arc::new(Schema::new(
        schema
            .fields()
            .iter()
            .map(|f| f.as_ref().clone().with_nullable(true))
            .collect::<Vec<_>>(),
    ))
}

/// The source of `CREATE EXTERNAL TABLE t STORED AS PARQUET|CSV LOCATION '...'`.
fn external_source(location: &str, format: Option<&ast::FileFormat>) -> Result<TableSource> {
    let path = PathBuf::from(location);
    let files = if path.is_dir() {
        let mut files: Vec<PathBuf> = std::fs::read_dir(&path)?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.is_file())
            .collect();
        files.sort();
        files
    } else {
        catalog::expand_glob(location)?
    };
    let is_csv = match format {
        Some(ast::FileFormat::PARQUET) => false,
        Some(ast::FileFormat::TEXTFILE) => true,
        _ => files
            .first()
            .and_then(|f| f.extension())
            .is_some_and(|e| e.eq_ignore_ascii_case("csv")),
    };
    if is_csv {
        Ok(TableSource::Csv(CsvSource::try_new(
            files,
            Default::default(),
        )?))
    } else {
        let files = files
            .into_iter()
            .filter(|f| {
                f.extension()
                    .is_some_and(|e| e.eq_ignore_ascii_case("parquet"))
            })
            .collect::<Vec<_>>();
        Ok(TableSource::Parquet(ParquetSource::try_new(files)?))
    }
}

fn first_words(sql: &str) -> String {
    sql.split_whitespace().take(3).collect::<Vec<_>>().join(" ")
}

fn capitalized(word: &str) -> String {
    let lower = word.to_lowercase();
    let mut chars = lower.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().collect::<String>() + chars.as_str(),
        None => String::new(),
    }
}

/// ANALYZE TABLE's answer: a row per column.
fn statistics_result(
    schema: &SchemaRef,
    statistics: &catalog::TableStatistics,
) -> Result<QueryResult> {
    let out = Arc::new(Schema::new(vec![
        Field::new("column_name", DataType::Utf8, false),
        Field::new("distinct_count", DataType::Int64, true),
        Field::new("null_count", DataType::Int64, true),
        Field::new("min", DataType::Utf8, true),
        Field::new("max", DataType::Utf8, true),
        Field::new("histogram_buckets", DataType::Int64, true),
    ]));
    let columns = &statistics.columns;
    let text = |v: &Option<crate::logical::ScalarValue>| v.as_ref().map(|v| v.to_string());
    let batch = RecordBatch::try_new(
        out.clone(),
        vec![
            Arc::new(StringArray::from_iter_values(
                schema.fields().iter().map(|f| f.name().clone()),
            )),
            Arc::new(Int64Array::from_iter(
                columns
                    .iter()
                    .map(|c| c.distinct_count.map(|d| d.round() as i64)),
            )),
            Arc::new(Int64Array::from_iter(
                columns.iter().map(|c| c.null_count.map(|d| d as i64)),
            )),
            Arc::new(StringArray::from_iter(columns.iter().map(|c| text(&c.min)))),
            Arc::new(StringArray::from_iter(columns.iter().map(|c| text(&c.max)))),
            Arc::new(Int64Array::from_iter(columns.iter().map(|c| {
                c.histogram
                    .as_ref()
                    .map(|h| h.len().saturating_sub(1) as i64)
            }))),
        ],
    )?;
    Ok(QueryResult {
        schema: out,
        batches: vec![batch],
    })
}

#[cfg(test)]
mod tests {
    use crate::Session;
    use arrow::array::{Array, AsArray};

    #[test]
    fn describe_has_duckdbs_six_columns() {
        let mut session = Session::new().unwrap();
        session
            .sql("CREATE TABLE t (a INTEGER NOT NULL, b VARCHAR)")
            .unwrap();
        let result = session.sql("DESCRIBE t").unwrap();
        let names: Vec<&str> = result
            .schema
            .fields()
            .iter()
            .map(|f| f.name().as_str())
            .collect();
        assert_eq!(
            names,
            [
                "column_name",
                "column_type",
                "null",
                "key",
                "default",
                "extra"
            ]
        );
        let batch = &result.batches[0];
        let types: Vec<Option<&str>> = batch.column(1).as_string::<i32>().iter().collect();
        assert_eq!(types, [Some("INTEGER"), Some("VARCHAR")]);
        let nulls: Vec<Option<&str>> = batch.column(2).as_string::<i32>().iter().collect();
        assert_eq!(nulls, [Some("NO"), Some("YES")]);
        assert_eq!(batch.column(3).null_count(), 2);
        assert_eq!(batch.column(5).null_count(), 2);
    }
}
