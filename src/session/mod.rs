//! A session: the catalog, the options and a thread pool. One SQL statement
//! goes through the whole pipeline here:
//!
//! ```text
//! text --parser--> AST --binder--> LogicalPlan --optimizer--> LogicalPlan
//!      --physical_planner--> PhysicalPlan --scheduler (rayon)--> RecordBatches
//! ```
//!
//! A query is prepared (bound and optimized, `prepared.rs`) and then run
//! with the values of its parameters, if it has any: they become literals in
//! the optimized plan before physical planning.
//!
//! DDL and DML statements (CREATE, INSERT, DROP, SHOW, DESCRIBE) are in
//! `statements.rs`; EXPLAIN is in `explain.rs`; PREPARE / EXECUTE /
//! DEALLOCATE in `prepared.rs`.

mod dml;
mod explain;
mod options;
mod param_value;
mod prepared;
mod recursive;
mod statements;

pub use param_value::ParamValue;
pub use prepared::{ParameterValues, PreparedStatement};

use crate::catalog::Catalog;
use crate::config::SessionConfig;
use crate::error::{QuarryError, Result};
use crate::execution::memory::MemoryPool;
use crate::execution::{scheduler, PhysicalPlan, TaskContext};
use crate::logical::{LogicalPlan, ScalarValue};
use crate::optimizer::{Optimizer, TraceEntry};
use crate::parser::parse_sql;
use arrow::datatypes::{Schema, SchemaRef};
use arrow::record_batch::RecordBatch;
use sqlparser::ast::{self, Statement};
use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::sync::Arc;

/// What a statement returns: a schema and rows (empty for most DDL).
#[derive(Debug, Clone)]
pub struct QueryResult {
    pub schema: SchemaRef,
    pub batches: Vec<RecordBatch>,
}

impl QueryResult {
    /// A result with no columns: DDL prints nothing.
    pub fn empty() -> Self {
        Self {
            schema: Arc::new(Schema::empty()),
            batches: vec![],
        }
    }

    pub fn num_rows(&self) -> usize {
        self.batches.iter().map(RecordBatch::num_rows).sum()
    }
}

/// Every stage's output for one query, as EXPLAIN shows it.
pub struct PlannedQuery {
    pub bound: Arc<LogicalPlan>,
    pub optimized: Arc<LogicalPlan>,
    pub trace: Vec<TraceEntry>,
    pub physical: Arc<PhysicalPlan>,
    /// Estimated output rows of physical operators, by operator address.
    pub estimates: std::collections::HashMap<usize, f64>,
    /// Per join: the strategies considered, their costs, the one chosen.
    pub join_choices: Vec<String>,
}

pub struct Session {
    catalog: Catalog,
    config: SessionConfig,
    pool: rayon::ThreadPool,
    optimizer: Optimizer,
    /// The options the session started with, for RESET.
    defaults: SessionConfig,
    /// PREPARE'd statements by lower-case name.
    prepared: HashMap<String, PreparedStatement>,
    /// Values of `$name` for the statements `sql` runs (`set_parameter`).
    parameter_values: BTreeMap<String, ScalarValue>,
    /// What BEGIN saved, while a transaction is open.
    transaction: Option<dml::Snapshot>,
}

impl Session {
    pub fn new() -> Result<Self> {
        Self::with_config(SessionConfig::default())
    }

    pub fn with_config(config: SessionConfig) -> Result<Self> {
        let pool = build_pool(config.target_partitions)?;
        Ok(Self {
            catalog: Catalog::new(),
            defaults: config.clone(),
            config,
            pool,
            optimizer: Optimizer::new(),
            prepared: HashMap::new(),
            parameter_values: BTreeMap::new(),
            transaction: None,
        })
    }

    pub fn catalog(&self) -> &Catalog {
        &self.catalog
    }

    pub fn config(&self) -> &SessionConfig {
        &self.config
    }

    /// Registers the Parquet and CSV files of `dir` as tables.
    pub fn register_directory(&mut self, dir: &Path) -> Result<Vec<String>> {
        self.catalog.register_directory(dir)
    }

    /// Runs every statement of `sql`; returns the last statement's result.
    pub fn sql(&mut self, sql: &str) -> Result<QueryResult> {
        let statements = parse_sql(sql)?;
        let mut last = QueryResult::empty();
        for statement in &statements {
            last = self.execute_statement(statement)?;
        }
        Ok(last)
    }

    /// Runs one parsed statement. A panic anywhere in the pipeline becomes an
    /// `Internal` error; the session stays usable.
    pub fn execute_statement(&mut self, statement: &Statement) -> Result<QueryResult> {
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            self.execute_statement_unguarded(statement)
        }));
        outcome.unwrap_or_else(|panic| {
            let message = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_else(|| "unknown panic".into());
            Err(QuarryError::Internal(message))
        })
    }

    fn execute_statement_unguarded(&mut self, statement: &Statement) -> Result<QueryResult> {
        match statement {
            Statement::Query(query) => self.run_query_with_recursion(query),
            Statement::Explain { .. } => self.explain(statement),
            Statement::Prepare {
                name,
                data_types,
                statement,
            } => self.prepare_sql(name, data_types, statement),
            Statement::Execute { .. } => self.execute_sql(statement),
            Statement::Deallocate { name, .. } => self.deallocate(name),
            other => match self.execute_option(other) {
                Some(result) => result,
                None => self.execute_ddl(other),
            },
        }
    }

    /// Binds, optimizes and plans a query without running it; parameters
    /// take the session's values (`set_parameter`).
    pub fn plan_query(&self, query: &ast::Query) -> Result<PlannedQuery> {
        let statement = Statement::Query(Box::new(query.clone()));
        let prepared = self.prepare_statement(&statement, HashMap::new())?;
        self.plan_prepared(&prepared, &ParameterValues::Session)
    }

    fn run_query(&self, query: &ast::Query) -> Result<QueryResult> {
        let planned = self.plan_query(query)?;
        let batches = self.execute_plan(&planned.physical)?;
        Ok(QueryResult {
            schema: planned.physical.schema(),
            batches,
        })
    }

    /// Runs a physical plan on the session's pool.
    pub fn execute_plan(&self, plan: &Arc<PhysicalPlan>) -> Result<Vec<RecordBatch>> {
        Ok(self.execute_plan_with_metrics(plan, None)?.0)
    }

    /// Runs a physical plan, collecting operator metrics into `metrics`
    /// when given; returns the batches and the query's peak memory.
    pub fn execute_plan_with_metrics(
        &self,
        plan: &Arc<PhysicalPlan>,
        metrics: Option<Arc<crate::execution::metrics::QueryMetrics>>,
    ) -> Result<(Vec<RecordBatch>, usize)> {
        let pool = MemoryPool::new(self.config.memory_limit);
        let mut ctx = TaskContext::new(
            self.config.batch_size,
            self.config.target_partitions,
            pool.clone(),
        );
        if let Some(metrics) = metrics {
            ctx = ctx.with_metrics(metrics);
        }
        let batches = self.pool.install(|| scheduler::run(plan, &ctx))?;
        Ok((batches, pool.peak()))
    }
}

fn build_pool(threads: usize) -> Result<rayon::ThreadPool> {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads.max(1))
        .thread_name(|i| format!("quarry-worker-{i}"))
        .build()
        .map_err(|e| QuarryError::Internal(format!("cannot start the thread pool: {e}")))
}
