//! Prepared statements: a query or INSERT bound and optimized once, then run
//! with values for its parameters (`$1`, `?`, `$name`) as many times as
//! wanted. PREPARE / EXECUTE / DEALLOCATE and `Session::prepare` share it.
//!
//! ```text
//! prepare:  AST --binder--> plan with parameters --optimizer--> kept
//! execute:  kept plan --bind_parameters (values as literals, folded)-->
//!           --physical_planner--> run
//! ```
//!
//! Values never become SQL text. Executing re-binds from the kept AST only
//! when the plan cannot be reused: the catalog changed since PREPARE, or a
//! parameter's type is known only from its value (`SELECT $1`).

use super::{ParamValue, PlannedQuery, QueryResult, Session};
use crate::binder::scope::Scope;
use crate::binder::types::arrow_type;
use crate::binder::{Binder, ExprContext};
use crate::error::{QuarryError, Result};
use crate::logical::parameter::{is_positional_name, parameters_of};
use crate::logical::{LogicalPlan, ScalarValue};
use crate::optimizer::bind_parameters::bind_parameters;
use crate::optimizer::{evaluate_constant, TraceEntry};
use crate::parser::parse_sql;
use crate::physical_planner::PhysicalPlanner;
use arrow::datatypes::DataType;
use sqlparser::ast::{self, Statement};
use std::collections::HashMap;
use std::sync::Arc;

/// A statement ready to run with values; see the module docs.
#[derive(Debug, Clone)]
pub struct PreparedStatement {
    /// The statement as parsed, to bind again when the plan is stale.
    statement: Statement,
    /// Types from `PREPARE q(INTEGER, ..)`, by parameter name.
    declared: HashMap<String, DataType>,
    /// The parameters: `1`..`n`, or the names of `$name` as first written.
    parameters: Vec<String>,
    /// Each parameter's type; absent when it comes from the value.
    types: HashMap<String, DataType>,
    bound: Arc<LogicalPlan>,
    optimized: Arc<LogicalPlan>,
    trace: Vec<TraceEntry>,
    catalog_version: u64,
}

/// The values for one execution.
#[derive(Debug, Clone)]
pub enum ParameterValues {
    /// `$1`, `$2`, ... in order; exactly one per parameter.
    Positional(Vec<ScalarValue>),
    /// By name (`1` for `$1`); exactly the statement's parameters.
    Named(Vec<(String, ScalarValue)>),
    /// The session's values (`Session::set_parameter`, the shell's
    /// `.param set`, the CLI's `--param`); unused ones are ignored.
    Session,
}

impl PreparedStatement {
    /// The parameters by name (`1`, `2`, .. for `$1`, `$2`), in order.
    pub fn parameters(&self) -> &[String] {
        &self.parameters
    }

    /// A parameter's type, or `None` when the value decides it.
    pub fn parameter_type(&self, name: &str) -> Option<&DataType> {
        self.types.get(name)
    }

    /// Whether the statement is a query (else an INSERT).
    pub fn is_query(&self) -> bool {
        matches!(self.statement, Statement::Query(_))
    }

    /// The optimized plan, with its parameters unbound.
    pub fn plan(&self) -> &Arc<LogicalPlan> {
        &self.optimized
    }

    /// Runs the statement with `values` for `$1`, `$2`, ... in order.
    pub fn execute(&self, session: &mut Session, values: &[ParamValue]) -> Result<QueryResult> {
        let values = values.iter().map(|v| v.scalar().clone()).collect();
        session.execute_prepared(self, &ParameterValues::Positional(values))
    }

    /// Runs the statement with values by parameter name (`"id"` for `$id`).
    pub fn execute_named(
        &self,
        session: &mut Session,
        values: &[(&str, ParamValue)],
    ) -> Result<QueryResult> {
        let values = values
            .iter()
            .map(|(name, v)| (name.trim_start_matches('$').to_string(), v.scalar().clone()))
            .collect();
        session.execute_prepared(self, &ParameterValues::Named(values))
    }

    /// The plans of one execution with `values`, without running it.
    pub fn plan_with(&self, session: &Session, values: &[ParamValue]) -> Result<PlannedQuery> {
        let values = values.iter().map(|v| v.scalar().clone()).collect();
        session.plan_prepared(self, &ParameterValues::Positional(values))
    }

    /// The value of every parameter, checked against `values`.
    fn resolve(
        &self,
        values: &ParameterValues,
        session_values: &std::collections::BTreeMap<String, ScalarValue>,
    ) -> Result<HashMap<String, ScalarValue>> {
        let expected = self.parameters.len();
        let mut resolved = HashMap::new();
        match values {
            ParameterValues::Positional(values) => {
                if let Some(first) = self.parameters.first().filter(|p| !is_positional_name(p)) {
                    return Err(QuarryError::Plan(format!(
                        "Invalid Input Error: the parameters are named ({}): give their values by name ({first} := value, ..)",
                        list(&self.parameters)
                    )));
                }
                if values.len() != expected {
                    let detail = if values.len() < expected {
                        format!("no value for {}", list(&self.parameters[values.len()..]))
                    } else {
                        let extra: Vec<String> = (expected + 1..=values.len())
                            .map(|n| n.to_string())
                            .collect();
                        format!("the statement has no parameter {}", list(&extra))
                    };
                    return Err(count_error(expected, values.len(), &detail));
                }
                resolved.extend(self.parameters.iter().cloned().zip(values.iter().cloned()));
            }
            ParameterValues::Named(values) => {
                for (name, value) in values {
                    if !self.parameters.contains(name) {
                        return Err(QuarryError::Plan(format!(
                            "Invalid Input Error: the statement has no parameter ${name} (its parameters: {})",
                            list(&self.parameters)
                        )));
                    }
                    if resolved.insert(name.clone(), value.clone()).is_some() {
                        return Err(QuarryError::Plan(format!(
                            "Invalid Input Error: parameter ${name} is given two values"
                        )));
                    }
                }
                if resolved.len() < expected {
                    let missing = self.missing(&resolved);
                    let detail = format!("no value for {}", list(&missing));
                    return Err(count_error(expected, resolved.len(), &detail));
                }
            }
            ParameterValues::Session => {
                for name in &self.parameters {
                    if let Some(value) = session_values.get(name) {
                        resolved.insert(name.clone(), value.clone());
                    }
                }
                let missing = self.missing(&resolved);
                if !missing.is_empty() {
                    return Err(QuarryError::Plan(format!(
                        "Invalid Input Error: no value was given for {} {} (run the statement with PREPARE and EXECUTE, bind values through the API, or set them with .param set / --param)",
                        if missing.len() == 1 { "parameter" } else { "parameters" },
                        list(&missing)
                    )));
                }
            }
        }
        Ok(resolved)
    }

    fn missing(&self, resolved: &HashMap<String, ScalarValue>) -> Vec<String> {
        self.parameters
            .iter()
            .filter(|p| !resolved.contains_key(*p))
            .cloned()
            .collect()
    }
}

fn count_error(expected: usize, got: usize, detail: &str) -> QuarryError {
    QuarryError::Plan(format!(
        "Invalid Input Error: expected {expected} parameter{}, got {got} ({detail})",
        if expected == 1 { "" } else { "s" }
    ))
}

/// `$1, $2`.
fn list(names: &[String]) -> String {
    names
        .iter()
        .map(|n| format!("${n}"))
        .collect::<Vec<_>>()
        .join(", ")
}

impl Session {
    /// Binds and optimizes one statement (a query or INSERT) for running
    /// many times with different values.
    pub fn prepare(&self, sql: &str) -> Result<PreparedStatement> {
        let statements = parse_sql(sql)?;
        let [statement] = statements.as_slice() else {
            return Err(QuarryError::Plan(format!(
                "Invalid Input Error: prepare takes one statement, got {}",
                statements.len()
            )));
        };
        self.prepare_statement(statement, HashMap::new())
    }

    /// Runs a prepared statement with `values`.
    pub fn execute_prepared(
        &mut self,
        prepared: &PreparedStatement,
        values: &ParameterValues,
    ) -> Result<QueryResult> {
        let planned = self.plan_prepared(prepared, values)?;
        let batches = self.execute_plan(&planned.physical)?;
        let result = QueryResult {
            schema: planned.physical.schema(),
            batches,
        };
        match &prepared.statement {
            Statement::Insert(insert) => self.insert_rows(insert, result),
            _ => Ok(result),
        }
    }

    /// The plans of one execution of `prepared` with `values`.
    pub fn plan_prepared(
        &self,
        prepared: &PreparedStatement,
        values: &ParameterValues,
    ) -> Result<PlannedQuery> {
        let values = prepared.resolve(values, &self.parameter_values)?;
        let untyped: HashMap<String, DataType> = prepared
            .parameters
            .iter()
            .filter(|p| !prepared.types.contains_key(*p))
            .filter_map(|p| Some((p.clone(), values.get(p)?.data_type().clone())))
            .collect();
        let fresh;
        let prepared = if !untyped.is_empty() || prepared.catalog_version != self.catalog.version()
        {
            let mut types = prepared.declared.clone();
            types.extend(untyped);
            fresh = self.prepare_statement(&prepared.statement, types)?;
            &fresh
        } else {
            prepared
        };
        let optimized = if values.is_empty() {
            prepared.optimized.clone()
        } else {
            bind_parameters(prepared.optimized.clone(), &values)?
        };
        let planner = PhysicalPlanner::new(&self.config);
        let physical = planner.create(&optimized)?;
        if cfg!(debug_assertions) {
            crate::physical_planner::check_distribution(&physical)?;
        }
        Ok(PlannedQuery {
            bound: prepared.bound.clone(),
            optimized,
            trace: prepared.trace.clone(),
            physical,
            estimates: planner.estimates(),
            join_choices: planner.join_choices(),
        })
    }

    /// Binds and optimizes a query, or the source of an INSERT, with the
    /// parameter types known beforehand (`declared`, by name).
    pub(super) fn prepare_statement(
        &self,
        statement: &Statement,
        declared: HashMap<String, DataType>,
    ) -> Result<PreparedStatement> {
        let (query, mut types) = match statement {
            Statement::Query(query) => (query.as_ref(), HashMap::new()),
            Statement::Insert(insert) => {
                let Some(source) = &insert.source else {
                    return Err(QuarryError::NotImplemented(
                        "INSERT without VALUES or SELECT".into(),
                    ));
                };
                (source.as_ref(), self.insert_parameter_types(insert)?)
            }
            other => {
                return Err(QuarryError::NotImplemented(format!(
                    "only queries and INSERT can be prepared, not {}",
                    other.to_string().split_whitespace().next().unwrap_or("")
                )))
            }
        };
        types.extend(declared.clone());
        let (mut bound, mut names) = self.bind_with_types(query, &types)?;
        // A parameter typed by one use and not by another (`SELECT $1 WHERE
        // x = $1`) is bound again with the type it was given.
        let inferred = inferred_types(&bound);
        if parameters_of(&bound)
            .iter()
            .any(|p| p.data_type == DataType::Null && inferred.contains_key(&p.name))
        {
            for (name, data_type) in &inferred {
                types.entry(name.clone()).or_insert(data_type.clone());
            }
            (bound, names) = self.bind_with_types(query, &types)?;
        }
        for (name, data_type) in inferred_types(&bound) {
            types.entry(name).or_insert(data_type);
        }
        let parameters = parameter_list(&names);
        if let Some(extra) = declared.keys().find(|name| !parameters.contains(name)) {
            return Err(QuarryError::Plan(format!(
                "Binder Error: PREPARE declares a type for ${extra}, which the statement does not use"
            )));
        }
        types.retain(|name, _| parameters.contains(name));
        let (optimized, trace) = self.optimizer.optimize(bound.clone())?;
        Ok(PreparedStatement {
            statement: statement.clone(),
            declared,
            parameters,
            types,
            bound,
            optimized,
            trace,
            catalog_version: self.catalog.version(),
        })
    }

    fn bind_with_types(
        &self,
        query: &ast::Query,
        types: &HashMap<String, DataType>,
    ) -> Result<(Arc<LogicalPlan>, Vec<String>)> {
        let mut binder = Binder::new(&self.catalog)
            .with_options(self.config.bind_options())
            .with_parameter_types(types.clone());
        let bound = binder.bind_query_plan(query)?;
        Ok((bound, binder.parameters().to_vec()))
    }

    /// `PREPARE name [(type, ..)] AS statement`.
    pub(super) fn prepare_sql(
        &mut self,
        name: &ast::Ident,
        data_types: &[ast::DataType],
        statement: &Statement,
    ) -> Result<QueryResult> {
        let declared = data_types
            .iter()
            .enumerate()
            .map(|(i, t)| Ok(((i + 1).to_string(), arrow_type(t)?)))
            .collect::<Result<HashMap<_, _>>>()?;
        let prepared = self.prepare_statement(statement, declared)?;
        self.prepared.insert(name.value.to_lowercase(), prepared);
        Ok(QueryResult::empty())
    }

    /// The prepared statement and values of `EXECUTE name(value, ..)` or
    /// `EXECUTE name(a := value, ..)`.
    pub(super) fn execute_arguments(
        &self,
        statement: &Statement,
    ) -> Result<(PreparedStatement, ParameterValues)> {
        let Statement::Execute {
            name: Some(name),
            parameters,
            immediate: false,
            into,
            using,
            ..
        } = statement
        else {
            return Err(QuarryError::NotImplemented(format!(
                "this form of EXECUTE: {statement}"
            )));
        };
        if !into.is_empty() || !using.is_empty() {
            return Err(QuarryError::NotImplemented(
                "EXECUTE .. INTO / USING: give the values as EXECUTE name(value, ..)".into(),
            ));
        }
        let key = name.to_string().to_lowercase();
        let prepared = self.prepared.get(&key).ok_or_else(|| {
            QuarryError::Plan(format!(
                "Binder Error: Prepared statement \"{name}\" does not exist"
            ))
        })?;
        let mut positional = vec![];
        let mut named = vec![];
        for argument in parameters {
            match argument {
                ast::Expr::BinaryOp {
                    left,
                    op: ast::BinaryOperator::Assignment,
                    right,
                } => {
                    let ast::Expr::Identifier(ident) = left.as_ref() else {
                        return Err(QuarryError::Plan(format!(
                            "Binder Error: expected a parameter name before :=, got {left}"
                        )));
                    };
                    named.push((ident.value.clone(), self.constant_value(right)?));
                }
                value => positional.push(self.constant_value(value)?),
            }
        }
        let values = match (positional.is_empty(), named.is_empty()) {
            (_, true) => ParameterValues::Positional(positional),
            (true, false) => ParameterValues::Named(named),
            (false, false) => {
                return Err(QuarryError::Plan(
                    "Binder Error: EXECUTE takes values either by position or by name (a := 1), not both"
                        .into(),
                ))
            }
        };
        Ok((prepared.clone(), values))
    }

    /// `EXECUTE name(value, ..)`.
    pub(super) fn execute_sql(&mut self, statement: &Statement) -> Result<QueryResult> {
        let (prepared, values) = self.execute_arguments(statement)?;
        self.execute_prepared(&prepared, &values)
    }

    /// `DEALLOCATE [PREPARE] name`; as in DuckDB, an unknown name is no error.
    pub(super) fn deallocate(&mut self, name: &ast::Ident) -> Result<QueryResult> {
        self.prepared.remove(&name.value.to_lowercase());
        Ok(QueryResult::empty())
    }

    /// An EXECUTE argument: a constant expression, evaluated now.
    fn constant_value(&self, expr: &ast::Expr) -> Result<ScalarValue> {
        let scope = Scope::default();
        let mut binder = Binder::new(&self.catalog).with_options(self.config.bind_options());
        let bound = binder.bind_expr(expr, &mut ExprContext::new(&scope))?;
        if bound.has_parameters() || !bound.column_ids().is_empty() {
            return Err(QuarryError::Plan(format!(
                "Binder Error: EXECUTE values must be constants, got {expr}"
            )));
        }
        evaluate_constant(&bound)
    }

    /// Sets the value of `$name` for the statements run by `sql` (the
    /// shell's `.param set`, the CLI's `--param`).
    pub fn set_parameter(&mut self, name: &str, value: impl Into<ParamValue>) -> Result<()> {
        let name = name.trim_start_matches('$');
        if name.is_empty() || !name.chars().all(|c| c.is_alphanumeric() || c == '_') {
            return Err(QuarryError::Plan(format!(
                "Invalid Input Error: invalid parameter name \"{name}\": use letters, digits and _"
            )));
        }
        self.parameter_values
            .insert(name.to_string(), value.into().into_scalar());
        Ok(())
    }

    /// The values set by `set_parameter`, by name.
    pub fn parameter_values(&self) -> impl Iterator<Item = (&String, &ScalarValue)> {
        self.parameter_values.iter()
    }

    pub fn clear_parameters(&mut self) {
        self.parameter_values.clear();
    }
}

/// For each parameter used with a known type, the first such type.
fn inferred_types(plan: &LogicalPlan) -> HashMap<String, DataType> {
    let mut types = HashMap::new();
    for parameter in parameters_of(plan) {
        if parameter.data_type != DataType::Null {
            types.entry(parameter.name).or_insert(parameter.data_type);
        }
    }
    types
}

/// Positional parameters are `1`..`n` for the highest `$n` used; named ones
/// keep the order they were first written in.
fn parameter_list(names: &[String]) -> Vec<String> {
    let highest = names.iter().filter_map(|n| n.parse::<usize>().ok()).max();
    match highest {
        Some(n) => (1..=n).map(|i| i.to_string()).collect(),
        None => names.to_vec(),
    }
}
