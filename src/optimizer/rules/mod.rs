//! Optimizer rules, one per file, each named by what it does.

pub mod decorrelate_subqueries;
mod eliminate_common_subexpressions;
mod eliminate_outer_join;
mod filter_aggregate_input_by_join;
mod fold_constants;
mod infer_predicates;
mod propagate_empty_relation;
mod prune_columns;
mod push_down_filter;
mod push_down_limit;
mod push_down_semi_join;
mod reorder_joins;
mod replace_distinct_with_aggregate;
mod simplify_expressions;
#[cfg(test)]
pub(crate) mod test_plans;

pub use decorrelate_subqueries::DecorrelateSubqueries;
pub use eliminate_common_subexpressions::EliminateCommonSubexpressions;
pub use eliminate_outer_join::EliminateOuterJoin;
pub use filter_aggregate_input_by_join::FilterAggregateInputByJoin;
pub use fold_constants::{fold, map_expressions, FoldConstants};
pub use infer_predicates::InferPredicates;
pub use propagate_empty_relation::PropagateEmptyRelation;
pub use prune_columns::PruneColumns;
pub use push_down_filter::PushDownFilter;
pub use push_down_limit::PushDownLimit;
pub use push_down_semi_join::PushDownSemiJoin;
pub use reorder_joins::ReorderJoins;
pub use replace_distinct_with_aggregate::ReplaceDistinctWithAggregate;
pub use simplify_expressions::SimplifyExpressions;
