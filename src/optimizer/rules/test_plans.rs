//! Plans for the rules' unit tests: SQL bound against small in-memory tables,
//! so a test reads as the query it rewrites.
//!
//! `t1(a INTEGER, b INTEGER, c VARCHAR)`, `t2(a INTEGER, b INTEGER NOT NULL,
//! c VARCHAR)` and `t3(x INTEGER, y INTEGER)`, all empty.

use crate::binder::Binder;
use crate::logical::LogicalPlan;
use crate::optimizer::OptimizerRule;
use crate::Session;
use sqlparser::ast::Statement;
use std::sync::Arc;

/// The bound (unoptimized) plan of `sql`.
pub fn bind(sql: &str) -> Arc<LogicalPlan> {
    let mut session = Session::new().unwrap();
    for ddl in [
        "CREATE TABLE t1 (a INTEGER, b INTEGER, c VARCHAR)",
        "CREATE TABLE t2 (a INTEGER, b INTEGER NOT NULL, c VARCHAR)",
        "CREATE TABLE t3 (x INTEGER, y INTEGER)",
    ] {
        session.sql(ddl).unwrap();
    }
    let statements = crate::parser::parse_sql(sql).unwrap();
    let Some(Statement::Query(query)) = statements.first() else {
        panic!("expected a query: {sql}");
    };
    Binder::new(session.catalog())
        .bind_query_plan(query)
        .unwrap()
}

/// The plan text after one run of `rule` alone, and whether it changed.
pub fn run(rule: &dyn OptimizerRule, plan: Arc<LogicalPlan>) -> (String, bool) {
    let (plan, changed) = rule.rewrite(plan).unwrap();
    (plan.display_indent(), changed)
}

/// The plan text of `sql` after `rule` alone ran once.
pub fn rewrite(rule: &dyn OptimizerRule, sql: &str) -> String {
    run(rule, bind(sql)).0
}
