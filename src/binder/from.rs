//! FROM: tables, views, CTEs, derived tables and the table functions
//! `read_parquet(path or glob)` and `read_csv(path or glob)`.

use super::expr::{bind_comparison, to_boolean};
use super::scope::{closest, Scope};
use super::Binder;
use super::ExprContext;
use crate::catalog::{self, CatalogEntry, CsvSource, ParquetSource, TableSource, ViewDefinition};
use crate::error::{QuarryError, Result};
use crate::logical::plan::{EmptyRelation, Join, JoinType, Scan};
use crate::logical::LogicalPlan;
use crate::logical::{BinaryOp, Expr};
use sqlparser::ast::{self, FunctionArg, FunctionArgExpr, TableFactor};
use std::sync::Arc;

impl Binder<'_> {
    /// Binds a FROM list into a plan and the scope it makes visible.
    pub(super) fn bind_from(
        &mut self,
        from: &[ast::TableWithJoins],
    ) -> Result<(Arc<LogicalPlan>, Scope)> {
        match from {
            [] => Ok((
                Arc::new(LogicalPlan::EmptyRelation(EmptyRelation {
                    produce_one_row: true,
                    columns: vec![],
                })),
                Scope::default(),
            )),
            [first, rest @ ..] => {
                let (mut plan, mut scope) = self.bind_table_with_joins(first)?;
                // A comma-separated FROM list is a chain of cross joins; the
                // optimizer turns WHERE conditions into join conditions.
                for item in rest {
                    if let (Some((query, alias)), true) =
                        (lateral(&item.relation), item.joins.is_empty())
                    {
                        (plan, scope) =
                            self.bind_lateral(plan, scope, query, alias, JoinType::Inner, None)?;
                        continue;
                    }
                    let (right, right_scope) = self.bind_table_with_joins(item)?;
                    plan = Arc::new(LogicalPlan::Join(Join {
                        left: plan,
                        right,
                        join_type: JoinType::Inner,
                        on: vec![],
                        filter: None,
                        null_aware: false,
                        null_equals_null: false,
                        dependent: false,
                    }));
                    scope = scope.merge(right_scope);
                }
                Ok((plan, scope))
            }
        }
    }

    fn bind_table_with_joins(
        &mut self,
        item: &ast::TableWithJoins,
    ) -> Result<(Arc<LogicalPlan>, Scope)> {
        let (mut plan, mut scope) = self.bind_table_factor(&item.relation)?;
        for join in &item.joins {
            use ast::JoinOperator as J;
            let inner_or_left = matches!(
                &join.join_operator,
                J::Join(_) | J::Inner(_) | J::CrossJoin(_) | J::Left(_) | J::LeftOuter(_)
            );
            let natural_or_using = matches!(
                &join.join_operator,
                J::Join(c) | J::Inner(c) | J::Left(c) | J::LeftOuter(c)
                    if !matches!(c, ast::JoinConstraint::On(_) | ast::JoinConstraint::None)
            );
            let as_lateral =
                explicitly_lateral(&join.relation) || (inner_or_left && !natural_or_using);
            if let (Some((query, alias)), true) = (lateral(&join.relation), as_lateral) {
                let (join_type, constraint) = match &join.join_operator {
                    J::Join(c) | J::Inner(c) | J::CrossJoin(c) => (JoinType::Inner, c),
                    J::Left(c) | J::LeftOuter(c) => (JoinType::Left, c),
                    _ => {
                        return Err(QuarryError::NotImplemented(
                            "LATERAL with this join type; use JOIN or LEFT JOIN".into(),
                        ))
                    }
                };
                let condition = match constraint {
                    ast::JoinConstraint::On(condition) => Some(condition),
                    _ => None,
                };
                (plan, scope) =
                    self.bind_lateral(plan, scope, query, alias, join_type, condition)?;
                continue;
            }
            let (right, right_scope) = self.bind_table_factor(&join.relation)?;
            (plan, scope) = self.bind_join(plan, scope, right, right_scope, &join.join_operator)?;
        }
        Ok((plan, scope))
    }

    fn bind_join(
        &mut self,
        left: Arc<LogicalPlan>,
        left_scope: Scope,
        right: Arc<LogicalPlan>,
        mut right_scope: Scope,
        operator: &ast::JoinOperator,
    ) -> Result<(Arc<LogicalPlan>, Scope)> {
        use ast::JoinOperator as J;
        let (join_type, constraint) = match operator {
            J::Join(c) | J::Inner(c) => (JoinType::Inner, c),
            J::Left(c) | J::LeftOuter(c) => (JoinType::Left, c),
            J::Right(c) | J::RightOuter(c) => (JoinType::Right, c),
            J::FullOuter(c) => (JoinType::Full, c),
            J::CrossJoin(c) => (JoinType::Inner, c),
            J::Semi(c) | J::LeftSemi(c) => (JoinType::Semi, c),
            J::Anti(c) | J::LeftAnti(c) => (JoinType::Anti, c),
            other => {
                return Err(QuarryError::NotImplemented(format!(
                    "this join: {}",
                    other_name(other)
                )))
            }
        };
        let mut conjuncts = vec![];
        let using_names: Vec<String> = match constraint {
            ast::JoinConstraint::Using(names) => names.iter().map(|n| n.to_string()).collect(),
            ast::JoinConstraint::Natural => {
                let left_names: Vec<String> = left_scope
                    .columns
                    .iter()
                    .filter(|c| !c.hidden)
                    .map(|c| c.column.name.to_lowercase())
                    .collect();
                right_scope
                    .columns
                    .iter()
                    .filter(|c| !c.hidden && left_names.contains(&c.column.name.to_lowercase()))
                    .map(|c| c.column.name.clone())
                    .collect()
            }
            _ => vec![],
        };
        for name in &using_names {
            let l = left_scope.resolve(None, name)?;
            let r = right_scope.resolve(None, name)?;
            conjuncts.push(bind_comparison(
                Expr::Column(l),
                BinaryOp::Eq,
                Expr::Column(r.clone()),
            )?);
            for column in right_scope.columns.iter_mut() {
                if column.column.id == r.id {
                    column.hidden = true;
                }
            }
        }
        let mark = self.pending.len();
        if let ast::JoinConstraint::On(condition) = constraint {
            let merged = left_scope.clone().merge(right_scope.clone());
            let bound = self.bind_expr(condition, &mut ExprContext::new(&merged))?;
            conjuncts.extend(to_boolean(bound, "JOIN ON")?.split_conjunction());
        }
        let plan = if self.pending.len() == mark {
            Arc::new(LogicalPlan::Join(Join::from_conjuncts(
                left, right, join_type, conjuncts,
            )))
        } else if join_type == JoinType::Inner {
            // Subqueries in ON: joined to the pair, then the condition filters.
            let pair = Join::from_conjuncts(left, right, join_type, vec![]);
            let plan = self.attach_pending(Arc::new(LogicalPlan::Join(pair)), mark);
            match Expr::conjunction(conjuncts) {
                Some(predicate) => Arc::new(LogicalPlan::Filter(crate::logical::plan::Filter {
                    input: plan,
                    predicate,
                })),
                None => plan,
            }
        } else {
            // An outer join: each subquery joins the side whose columns it
            // reads, so the join still pads or drops whole rows.
            let (left, right) = self.attach_pending_to_sides(left, right, mark)?;
            Arc::new(LogicalPlan::Join(Join::from_conjuncts(
                left, right, join_type, conjuncts,
            )))
        };
        // Columns on the outer-joined side become nullable.
        let nullable_left = matches!(join_type, JoinType::Right | JoinType::Full);
        let nullable_right = matches!(join_type, JoinType::Left | JoinType::Full);
        let mark = |mut scope: Scope, nullable: bool| {
            if nullable {
                for column in scope.columns.iter_mut() {
                    column.column.nullable = true;
                }
            }
            scope
        };
        let scope = match join_type {
            JoinType::Semi | JoinType::Anti => left_scope,
            _ => mark(left_scope, nullable_left).merge(mark(right_scope, nullable_right)),
        };
        Ok((plan, scope))
    }

    fn bind_table_factor(&mut self, factor: &TableFactor) -> Result<(Arc<LogicalPlan>, Scope)> {
        match factor {
            TableFactor::Table {
                name, alias, args, ..
            } => {
                let table_name = name.to_string();
                let (plan, default_relation) = match args {
                    Some(args) => (self.bind_table_function(&table_name, &args.args)?, None),
                    None => (self.bind_named_table(name)?, Some(last_part(name))),
                };
                let relation = alias
                    .as_ref()
                    .map(|a| a.name.value.clone())
                    .or(default_relation);
                let plan = self.apply_join_hint(plan, relation.as_deref());
                let scope = Scope::from_columns(relation.as_deref(), &plan.columns());
                Ok((plan, apply_column_aliases(scope, alias.as_ref())?))
            }
            TableFactor::Derived {
                lateral,
                subquery,
                alias,
                ..
            } => {
                if *lateral {
                    return Err(QuarryError::NotImplemented("LATERAL subqueries".into()));
                }
                let plan = self.bind_query(subquery)?;
                let relation = alias.as_ref().map(|a| a.name.value.clone());
                let scope = Scope::from_columns(relation.as_deref(), &plan.columns());
                Ok((plan, apply_column_aliases(scope, alias.as_ref())?))
            }
            TableFactor::NestedJoin {
                table_with_joins, ..
            } => self.bind_from(std::slice::from_ref(table_with_joins)),
            other => Err(QuarryError::NotImplemented(format!(
                "this kind of FROM item: {other}"
            ))),
        }
    }

    fn bind_named_table(&mut self, name: &ast::ObjectName) -> Result<Arc<LogicalPlan>> {
        let table_name = last_part(name);
        let key = table_name.to_lowercase();
        if let Some(cte) = self
            .ctes
            .iter()
            .rev()
            .find_map(|ctes| ctes.get(&key))
            .cloned()
        {
            return self.expand_definition(&table_name, &cte, false);
        }
        match self.catalog.get(&key).cloned() {
            Some(CatalogEntry::Table(source)) => Ok(self.scan(&table_name, source)),
            Some(CatalogEntry::View(view)) => self.expand_definition(&table_name, &view, true),
            None => {
                let mut candidates: Vec<String> = self.catalog.names().cloned().collect();
                candidates.extend(self.ctes.iter().flat_map(|c| c.keys().cloned()));
                let message =
                    format!("Catalog Error: Table with name {table_name} does not exist!");
                Err(QuarryError::Plan(
                    match closest(&table_name, candidates.into_iter()) {
                        Some(suggestion) => format!("{message} Did you mean \"{suggestion}\"?"),
                        None => message,
                    },
                ))
            }
        }
    }

    /// Binds a view's or CTE's query; a view does not see the caller's CTEs.
    fn expand_definition(
        &mut self,
        name: &str,
        definition: &ViewDefinition,
        is_view: bool,
    ) -> Result<Arc<LogicalPlan>> {
        let key = name.to_lowercase();
        if self.expanding_views.contains(&key) {
            return Err(QuarryError::Plan(format!(
                "Binder Error: \"{name}\" refers to itself"
            )));
        }
        self.expanding_views.push(key);
        let saved_ctes = if is_view {
            std::mem::take(&mut self.ctes)
        } else {
            vec![]
        };
        let result = self.bind_query(&definition.query);
        if is_view {
            self.ctes = saved_ctes;
        }
        self.expanding_views.pop();
        let plan = result?;
        if definition.column_names.is_empty() {
            return Ok(plan);
        }
        rename_columns(plan, &definition.column_names)
    }

    /// The scan with the join hint of the current SELECT naming `relation`.
    fn apply_join_hint(&self, plan: Arc<LogicalPlan>, relation: Option<&str>) -> Arc<LogicalPlan> {
        let Some(relation) = relation else {
            return plan;
        };
        let hint = self
            .join_hints
            .iter()
            .rev()
            .find(|(name, _)| name.eq_ignore_ascii_case(relation))
            .map(|(_, hint)| *hint);
        match (plan.as_ref(), hint) {
            (LogicalPlan::Scan(scan), Some(hint)) => Arc::new(LogicalPlan::Scan(Scan {
                hint: Some(hint),
                ..scan.clone()
            })),
            _ => plan,
        }
    }

    /// A scan of every column of `source`, with fresh column ids.
    pub(super) fn scan(&mut self, table_name: &str, source: Arc<TableSource>) -> Arc<LogicalPlan> {
        let schema = source.schema();
        let columns = schema
            .fields()
            .iter()
            .map(|f| self.new_column(f.name(), f.data_type().clone(), f.is_nullable()))
            .collect();
        let statistics = self.catalog.statistics(table_name, &source);
        Arc::new(LogicalPlan::Scan(Scan {
            table_name: table_name.to_string(),
            source,
            projection: (0..schema.fields().len()).collect(),
            columns,
            filters: vec![],
            statistics,
            hint: None,
        }))
    }

    fn bind_table_function(
        &mut self,
        name: &str,
        args: &[FunctionArg],
    ) -> Result<Arc<LogicalPlan>> {
        let lower = name.to_lowercase();
        let source = table_function_source(&lower, args)?;
        Ok(self.scan(&lower, Arc::new(source)))
    }
}

/// The source behind `read_parquet('...')` or `read_csv('...')`.
pub fn table_function_source(name: &str, args: &[FunctionArg]) -> Result<TableSource> {
    if matches!(name, "range" | "generate_series") {
        return series_source(name, args);
    }
    let mut path = None;
    let mut csv_options = catalog::csv::CsvOptions::default();
    for arg in args {
        // `delim = '|'` arrives as a named argument or, from the generic
        // dialect, as an unnamed `delim = '|'` comparison.
        let (option, value) = match arg {
            FunctionArg::Unnamed(FunctionArgExpr::Expr(ast::Expr::Value(v))) if path.is_none() => {
                if let ast::Value::SingleQuotedString(text) = &v.value {
                    path = Some(text.clone());
                }
                continue;
            }
            FunctionArg::Named {
                name: option,
                arg: FunctionArgExpr::Expr(value),
                ..
            }
            | FunctionArg::ExprNamed {
                name: ast::Expr::Identifier(option),
                arg: FunctionArgExpr::Expr(value),
                ..
            } => (option, value),
            FunctionArg::Unnamed(FunctionArgExpr::Expr(ast::Expr::BinaryOp {
                left,
                op: ast::BinaryOperator::Eq,
                right,
            })) => match left.as_ref() {
                ast::Expr::Identifier(option) => (option, right.as_ref()),
                _ => {
                    return Err(QuarryError::Plan(format!(
                        "Binder Error: unsupported argument {arg} to {name}"
                    )))
                }
            },
            other => {
                return Err(QuarryError::Plan(format!(
                    "Binder Error: unsupported argument {other} to {name}"
                )))
            }
        };
        let text = match value {
            ast::Expr::Value(v) => match &v.value {
                ast::Value::SingleQuotedString(text) => text.clone(),
                other => other.to_string(),
            },
            other => other.to_string(),
        };
        match option.value.to_lowercase().as_str() {
            "header" => csv_options.has_header = text.eq_ignore_ascii_case("true"),
            "delim" | "sep" | "delimiter" => {
                csv_options.delimiter = *text.as_bytes().first().unwrap_or(&b',');
            }
            other => {
                return Err(QuarryError::Plan(format!(
                    "Binder Error: unknown option {other} for {name}"
                )))
            }
        }
    }
    let Some(path) = path else {
        return Err(QuarryError::Plan(format!(
            "Binder Error: {name} needs a file path or glob as a string literal"
        )));
    };
    let files = catalog::expand_glob(&path)?;
    match name {
        "read_parquet" | "parquet_scan" => Ok(TableSource::Parquet(ParquetSource::try_new(files)?)),
        "read_csv" | "read_csv_auto" => {
            Ok(TableSource::Csv(CsvSource::try_new(files, csv_options)?))
        }
        other => Err(QuarryError::Plan(format!(
            "Catalog Error: Table Function with name {other} does not exist!"
        ))),
    }
}

/// The most rows `range` / `generate_series` make (they are materialized).
const MAX_SERIES_ROWS: i128 = 100_000_000;

/// `range([start,] stop [, step])` (stop excluded) and
/// `generate_series(..)` (stop included) of BIGINT, as in DuckDB.
fn series_source(name: &str, args: &[FunctionArg]) -> Result<TableSource> {
    let values = args
        .iter()
        .map(|arg| match arg {
            FunctionArg::Unnamed(FunctionArgExpr::Expr(expr)) => integer_literal(expr),
            _ => None,
        })
        .collect::<Option<Vec<i64>>>()
        .ok_or_else(|| {
            QuarryError::NotImplemented(format!(
                "{name} with arguments other than integer constants"
            ))
        })?;
    let (start, stop, step) = match values.as_slice() {
        [stop] => (0, *stop, 1),
        [start, stop] => (*start, *stop, 1),
        [start, stop, step] => (*start, *stop, *step),
        _ => {
            return Err(QuarryError::Plan(format!(
                "Binder Error: {name} takes one to three arguments"
            )))
        }
    };
    if step == 0 {
        return Err(QuarryError::Plan(
            "Binder Error: the step of a range cannot be 0".into(),
        ));
    }
    let inclusive = name == "generate_series";
    let (start, stop, step) = (start as i128, stop as i128, step as i128);
    let span = if step > 0 { stop - start } else { start - stop };
    let magnitude = step.abs();
    let count = if span < 0 {
        0
    } else if inclusive {
        span / magnitude + 1
    } else {
        (span + magnitude - 1) / magnitude
    };
    if count > MAX_SERIES_ROWS {
        return Err(QuarryError::NotImplemented(format!(
            "{name} of more than {MAX_SERIES_ROWS} rows"
        )));
    }
    let schema = Arc::new(arrow::datatypes::Schema::new(vec![
        arrow::datatypes::Field::new(name, arrow::datatypes::DataType::Int64, false),
    ]));
    let mut batches = vec![];
    let mut next = 0i128;
    while next < count {
        let end = (next + 65_536).min(count);
        let values: arrow::array::Int64Array =
            (next..end).map(|i| (start + i * step) as i64).collect();
        batches.push(arrow::record_batch::RecordBatch::try_new(
            schema.clone(),
            vec![Arc::new(values)],
        )?);
        next = end;
    }
    Ok(TableSource::Memory(catalog::MemorySource::new(
        schema, batches,
    )))
}

/// An integer literal, possibly negated.
fn integer_literal(expr: &ast::Expr) -> Option<i64> {
    match expr {
        ast::Expr::Value(v) => match &v.value {
            ast::Value::Number(text, _) => text.parse().ok(),
            _ => None,
        },
        ast::Expr::UnaryOp {
            op: ast::UnaryOperator::Minus,
            expr,
        } => integer_literal(expr).and_then(i64::checked_neg),
        ast::Expr::UnaryOp {
            op: ast::UnaryOperator::Plus,
            expr,
        } => integer_literal(expr),
        ast::Expr::Nested(inner) => integer_literal(inner),
        _ => None,
    }
}

fn last_part(name: &ast::ObjectName) -> String {
    name.0
        .last()
        .and_then(|part| part.as_ident())
        .map(|ident| ident.value.clone())
        .unwrap_or_else(|| name.to_string())
}

fn apply_column_aliases(mut scope: Scope, alias: Option<&ast::TableAlias>) -> Result<Scope> {
    let Some(alias) = alias else {
        return Ok(scope);
    };
    if alias.columns.len() > scope.columns.len() {
        return Err(QuarryError::Plan(format!(
            "Binder Error: table \"{}\" has {} columns available but {} columns specified",
            alias.name.value,
            scope.columns.len(),
            alias.columns.len()
        )));
    }
    for (column, name) in scope.columns.iter_mut().zip(&alias.columns) {
        column.column.name = name.name.value.clone();
    }
    Ok(scope)
}

/// The plan with its output columns renamed (same ids).
fn rename_columns(plan: Arc<LogicalPlan>, names: &[String]) -> Result<Arc<LogicalPlan>> {
    let mut columns = plan.columns();
    if names.len() > columns.len() {
        return Err(QuarryError::Plan(format!(
            "Binder Error: {} column names given for {} columns",
            names.len(),
            columns.len()
        )));
    }
    let exprs = columns
        .iter()
        .map(|c| crate::logical::Expr::Column(c.clone()))
        .collect();
    for (column, name) in columns.iter_mut().zip(names) {
        column.name = name.clone();
    }
    Ok(Arc::new(LogicalPlan::Projection(
        crate::logical::plan::Projection {
            input: plan,
            exprs,
            columns,
        },
    )))
}

fn other_name(operator: &ast::JoinOperator) -> String {
    let text = format!("{operator:?}");
    text.split(['(', ' ', '{'])
        .next()
        .unwrap_or("join")
        .to_string()
}

/// The query and alias of a `LATERAL (subquery)` FROM item.
/// The query and alias of a FROM subquery that may read the columns of the
/// items before it: every one, as in DuckDB (without LATERAL it simply
/// binds as an uncorrelated subquery when it reads none).
fn lateral(factor: &TableFactor) -> Option<(&ast::Query, Option<&ast::TableAlias>)> {
    match factor {
        TableFactor::Derived {
            subquery, alias, ..
        } => Some((subquery, alias.as_ref())),
        _ => None,
    }
}

fn explicitly_lateral(factor: &TableFactor) -> bool {
    matches!(factor, TableFactor::Derived { lateral: true, .. })
}

#[cfg(test)]
mod tests {
    use super::*;
    use sqlparser::ast::{SetExpr, Statement};

    /// The arguments of the table function in `SELECT * FROM <call>`.
    fn table_function_args(call: &str) -> Vec<FunctionArg> {
        let statements = crate::parser::parse_sql(&format!("SELECT * FROM {call}")).unwrap();
        let Some(Statement::Query(query)) = statements.first() else {
            panic!("expected a query");
        };
        let SetExpr::Select(select) = query.body.as_ref() else {
            panic!("expected a SELECT");
        };
        let TableFactor::Table {
            args: Some(args), ..
        } = &select.from[0].relation
        else {
            panic!("expected a table function");
        };
        args.args.clone()
    }

    #[test]
    fn read_csv_accepts_options_written_as_comparisons() {
        let path = std::env::temp_dir().join(format!("quarry_from_{}.csv", std::process::id()));
        std::fs::write(&path, "1|x\n2|y\n").unwrap();
        let call = format!(
            "read_csv('{}', delim = '|', header = false)",
            path.display()
        );
        let source = table_function_source("read_csv", &table_function_args(&call));
        std::fs::remove_file(&path).unwrap();
        let Ok(TableSource::Csv(csv)) = source else {
            panic!("expected a CSV source, got an error or another source");
        };
        assert_eq!(csv.options.delimiter, b'|');
        assert!(!csv.options.has_header);
        assert_eq!(csv.schema.fields().len(), 2);
    }
}
