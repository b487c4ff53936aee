//! The logical layer: plans and expressions produced by the binder, rewritten by
//! the optimizer and consumed by the physical planner. Columns are identified by
//! [`ColumnId`], never by position, so rewrites cannot confuse two columns that
//! share a name.

pub mod aggregate;
pub mod display;
pub mod expr;
pub mod parameter;
pub mod plan;
pub mod scalar;
pub mod schema;
pub mod tree_node;
pub mod window;

pub use aggregate::{AggregateExpr, AggregateFunction, AggregateParameter};
pub use expr::{BinaryOp, Expr, SortKey};
pub use parameter::Parameter;
pub use plan::{JoinType, LogicalPlan};
pub use scalar::ScalarValue;
pub use schema::{ColumnId, ColumnRef};
pub use window::{FrameBound, FrameUnits, WindowExpr, WindowFrame, WindowFunction};
