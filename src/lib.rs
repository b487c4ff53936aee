//! quarry: a SQL query engine with a Catalyst-style optimizer, over Arrow,
//! Parquet and CSV.
//!
//! A statement flows through the modules in this order:
//!
//! ```text
//! SQL text
//!   -> parser            sqlparser-rs AST; errors carry line and column
//!   -> binder            typed LogicalPlan; names resolved, columns get ids
//!   -> optimizer         rule batches rewrite the LogicalPlan
//!   -> physical_planner  PhysicalPlan; ids become positions, exchanges added
//!   -> execution         operators pull Arrow batches; partitions run on rayon
//!   -> results           Vec<RecordBatch> + schema, printed by the REPL
//! ```
//!
//! [`session::Session`] drives the pipeline; [`catalog`] holds tables and views.
//! [`Session::prepare`] stops after the optimizer: the [`PreparedStatement`]
//! binds [`ParamValue`]s into its plan and plans and runs it per execution.

pub mod binder;
pub mod catalog;
pub mod config;
pub mod error;
pub mod execution;
pub mod logical;
pub mod optimizer;
pub mod parser;
pub mod physical_planner;
pub mod repl;
pub mod session;
pub mod slt;

pub use error::{QuarryError, Result};
pub use logical::ScalarValue;
pub use session::{ParamValue, ParameterValues, PreparedStatement, QueryResult, Session};
