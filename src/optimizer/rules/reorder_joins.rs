//! Orders trees of inner joins by cost. Up to [`DP_LIMIT`] inputs, dynamic
//! programming over connected subsets (DPsub): the best plan of a set of
//! inputs is the cheapest join of the best plans of two disjoint subsets
//! that a join condition connects; cross products only when no condition
//! connects a set. Beyond that, greedy: start from the largest input and add
//! the connected input whose join has the fewest estimated rows.
//!
//! Cost of a join: its output rows plus its probe input's rows plus twice
//! its build input's rows (building a hash table costs more than probing
//! it), summed over the tree. The smaller input of each join is its right
//! (build) side. Inputs are considered in a canonical order (their plan text
//! without column ids), so the order of tables in FROM does not change the
//! plan. The output columns keep their order through a projection.
//!
//! `(part ⨯ supplier) ⋈ lineitem ...` with conditions p = l, s = l
//! ==> `(lineitem ⋈ part) ⋈ supplier ...`
//!
//! Does not reorder outer, semi or anti joins; they are leaves here.

use crate::error::Result;
use crate::logical::plan::{Filter, Join, JoinType, Projection};
use crate::logical::{BinaryOp, ColumnId, Expr, LogicalPlan};
use crate::optimizer::cost::{estimate, selectivity, Estimate};
use crate::optimizer::OptimizerRule;
use std::collections::HashSet;
use std::sync::Arc;

pub struct ReorderJoins;

impl OptimizerRule for ReorderJoins {
    fn name(&self) -> &'static str {
        "reorder_joins"
    }

    fn rewrite(&self, plan: Arc<LogicalPlan>) -> Result<(Arc<LogicalPlan>, bool)> {
        let before = plan.display_indent();
        let after = reorder(&plan)?;
        let changed = after.display_indent() != before;
        Ok((if changed { after } else { plan }, changed))
    }
}

fn is_inner(plan: &LogicalPlan) -> bool {
    matches!(plan, LogicalPlan::Join(join) if join.join_type == JoinType::Inner && !join.null_aware)
}

fn reorder(plan: &Arc<LogicalPlan>) -> Result<Arc<LogicalPlan>> {
    if !is_inner(plan) {
        let children = plan
            .children()
            .into_iter()
            .map(reorder)
            .collect::<Result<Vec<_>>>()?;
        return Ok(Arc::new(plan.with_new_children(children)));
    }
    let mut leaves = vec![];
    let mut conditions = vec![];
    flatten(plan, &mut leaves, &mut conditions);
    let leaves = leaves.iter().map(reorder).collect::<Result<Vec<_>>>()?;
    let joined = JoinGraph::new(leaves, conditions).plan();
    // Keep the original column order.
    let columns = plan.columns();
    if joined
        .columns()
        .iter()
        .map(|c| c.id)
        .eq(columns.iter().map(|c| c.id))
    {
        return Ok(joined);
    }
    Ok(Arc::new(LogicalPlan::Projection(Projection {
        input: joined,
        exprs: columns.iter().cloned().map(Expr::Column).collect(),
        columns,
    })))
}

/// The inputs and the conditions of a tree of inner joins.
fn flatten(
    plan: &Arc<LogicalPlan>,
    leaves: &mut Vec<Arc<LogicalPlan>>,
    conditions: &mut Vec<Expr>,
) {
    match plan.as_ref() {
        LogicalPlan::Join(join) if is_inner(plan) => {
            flatten(&join.left, leaves, conditions);
            flatten(&join.right, leaves, conditions);
            conditions.extend(join.conditions());
        }
        _ => leaves.push(plan.clone()),
    }
}

/// Inputs up to which join order is found by dynamic programming.
pub const DP_LIMIT: usize = 10;

/// The inputs of a tree of inner joins and the conditions between them.
struct JoinGraph {
    leaves: Vec<Arc<LogicalPlan>>,
    estimates: Vec<Estimate>,
    /// Each condition with the set (bit mask) of inputs it reads.
    conditions: Vec<(Expr, u64)>,
    /// Conditions that read no input's columns, applied above the joins.
    constant: Vec<Expr>,
    /// Every input's columns together, to estimate non-equi conditions.
    all_columns: Estimate,
}

/// One way to join a set of inputs.
#[derive(Clone)]
enum Tree {
    Leaf(usize),
    Join(Box<Tree>, Box<Tree>),
}

impl JoinGraph {
    fn new(leaves: Vec<Arc<LogicalPlan>>, conditions: Vec<Expr>) -> Self {
        // Canonical order: by plan text without column ids.
        let mut leaves: Vec<(String, Arc<LogicalPlan>)> = leaves
            .into_iter()
            .map(|l| (strip_ids(&l.display_indent()), l))
            .collect();
        leaves.sort_by(|a, b| a.0.cmp(&b.0));
        let leaves: Vec<Arc<LogicalPlan>> = leaves.into_iter().map(|(_, l)| l).collect();
        let ids: Vec<HashSet<ColumnId>> = leaves
            .iter()
            .map(|l| l.columns().iter().map(|c| c.id).collect())
            .collect();
        let estimates: Vec<Estimate> = leaves.iter().map(|l| estimate(l)).collect();
        let mut graph_conditions = vec![];
        let mut constant = vec![];
        for condition in conditions {
            let used = condition.column_ids();
            let mask = ids
                .iter()
                .enumerate()
                .filter(|(_, ids)| !ids.is_disjoint(&used))
                .fold(0u64, |m, (i, _)| m | (1 << i));
            if mask == 0 {
                constant.push(condition);
            } else {
                graph_conditions.push((condition, mask));
            }
        }
        let mut all_columns = Estimate::default();
        for e in &estimates {
            all_columns.columns.extend(e.columns.clone());
        }
        all_columns.rows = estimates.iter().map(|e| e.rows).fold(1.0, |a, b| a * b);
        Self {
            leaves,
            estimates,
            conditions: graph_conditions,
            constant,
            all_columns,
        }
    }

    /// Estimated rows of joining the inputs in `set`, whatever the order:
    /// the product of their rows, times, for each pair of inputs joined by
    /// equalities, the selectivity of the most selective one, times the
    /// selectivity of the other conditions within the set.
    fn rows(&self, set: u64) -> f64 {
        let mut rows: f64 = (0..self.leaves.len())
            .filter(|i| set & (1 << i) != 0)
            .map(|i| self.estimates[i].rows)
            .fold(1.0, |a, b| a * b);
        let mut pair_selectivity: std::collections::HashMap<u64, f64> = Default::default();
        for (condition, mask) in &self.conditions {
            if mask & set != *mask || mask.count_ones() < 2 {
                continue;
            }
            match crate::optimizer::cost::equi_columns(condition) {
                Some((a, b)) if mask.count_ones() == 2 => {
                    let divisor = self.distinct(a).max(self.distinct(b)).max(1.0);
                    let entry = pair_selectivity.entry(*mask).or_insert(1.0);
                    *entry = entry.min(1.0 / divisor);
                }
                _ => rows *= selectivity(condition, &self.all_columns),
            }
        }
        rows * pair_selectivity.values().product::<f64>()
    }

    /// Distinct values of column `id` in its input.
    fn distinct(&self, id: ColumnId) -> f64 {
        for e in &self.estimates {
            if e.columns.contains_key(&id) {
                return e.distinct(id);
            }
        }
        // Unknown: as many as the smallest input has rows.
        self.estimates
            .iter()
            .map(|e| e.rows)
            .fold(f64::MAX, f64::min)
            .max(1.0)
    }

    fn connected(&self, a: u64, b: u64) -> bool {
        let both = a | b;
        self.conditions
            .iter()
            .any(|(_, m)| m & both == *m && m & a != 0 && m & b != 0)
    }

    /// The cheapest tree over every input.
    fn plan(self) -> Arc<LogicalPlan> {
        let n = self.leaves.len();
        let tree = if n <= DP_LIMIT {
            self.dynamic_programming()
        } else {
            self.greedy()
        };
        let (plan, _) = self.build(&tree);
        let mut rest = self.constant.clone();
        // Conditions no join placed (reading a single input).
        rest.extend(
            self.conditions
                .iter()
                .filter(|(_, m)| m.count_ones() == 1)
                .map(|(c, _)| c.clone()),
        );
        match Expr::conjunction(rest) {
            Some(predicate) => Arc::new(LogicalPlan::Filter(Filter {
                input: plan,
                predicate,
            })),
            None => plan,
        }
    }

    fn join_cost(&self, left: u64, right: u64) -> f64 {
        let (a, b) = (self.rows(left), self.rows(right));
        let (probe, build) = if a >= b { (a, b) } else { (b, a) };
        self.rows(left | right) + probe + 2.0 * build
    }

    fn dynamic_programming(&self) -> Tree {
        let n = self.leaves.len();
        let full = (1u64 << n) - 1;
        let mut best: Vec<Option<(f64, Tree)>> = vec![None; 1 << n];
        for i in 0..n {
            best[1 << i] = Some((0.0, Tree::Leaf(i)));
        }
        for set in 1..=full {
            if set.count_ones() < 2 {
                continue;
            }
            let lowest = set & set.wrapping_neg();
            let mut found: Option<(f64, Tree)> = None;
            for cross in [false, true] {
                // Subsets holding the lowest input: each split once.
                let mut sub = (set - 1) & set;
                while sub > 0 {
                    let other = set ^ sub;
                    if sub & lowest != 0 && (cross || self.connected(sub, other)) {
                        if let (Some((c1, t1)), Some((c2, t2))) =
                            (&best[sub as usize], &best[other as usize])
                        {
                            let cost = c1 + c2 + self.join_cost(sub, other);
                            if found.as_ref().is_none_or(|(c, _)| cost < *c) {
                                found = Some((
                                    cost,
                                    Tree::Join(Box::new(t1.clone()), Box::new(t2.clone())),
                                ));
                            }
                        }
                    }
                    sub = (sub - 1) & set;
                }
                if found.is_some() {
                    break;
                }
            }
            best[set as usize] = found;
        }
        best[full as usize]
            .take()
            .map(|(_, t)| t)
            .unwrap_or(Tree::Leaf(0))
    }

    fn greedy(&self) -> Tree {
        let n = self.leaves.len();
        let start = (0..n)
            .max_by(|&a, &b| self.estimates[a].rows.total_cmp(&self.estimates[b].rows))
            .unwrap_or(0);
        let (mut tree, mut set) = (Tree::Leaf(start), 1u64 << start);
        while set.count_ones() < n as u32 {
            let candidates: Vec<usize> = (0..n).filter(|i| set & (1 << i) == 0).collect();
            let connected: Vec<usize> = candidates
                .iter()
                .copied()
                .filter(|&i| self.connected(set, 1 << i))
                .collect();
            let pool = if connected.is_empty() {
                candidates
            } else {
                connected
            };
            let next = pool
                .into_iter()
                .min_by(|&a, &b| {
                    self.rows(set | 1 << a)
                        .total_cmp(&self.rows(set | 1 << b))
                        .then(self.estimates[a].rows.total_cmp(&self.estimates[b].rows))
                })
                .unwrap_or(0);
            tree = Tree::Join(Box::new(tree), Box::new(Tree::Leaf(next)));
            set |= 1 << next;
        }
        tree
    }

    /// The plan of `tree` and the set of its inputs, with the conditions that
    /// become applicable at each join; the larger input probes.
    fn build(&self, tree: &Tree) -> (Arc<LogicalPlan>, u64) {
        match tree {
            Tree::Leaf(i) => (self.leaves[*i].clone(), 1 << i),
            Tree::Join(a, b) => {
                let (mut left, mut left_set) = self.build(a);
                let (mut right, mut right_set) = self.build(b);
                if self.rows(left_set) < self.rows(right_set) {
                    std::mem::swap(&mut left, &mut right);
                    std::mem::swap(&mut left_set, &mut right_set);
                }
                let both = left_set | right_set;
                let mut applicable: Vec<Expr> = self
                    .conditions
                    .iter()
                    .filter(|(_, m)| m & both == *m && m & left_set != 0 && m & right_set != 0)
                    .map(|(c, _)| c.clone())
                    .collect();
                // Keys in a canonical order too.
                applicable.sort_by_cached_key(canonical_text);
                let join = Join::from_conjuncts(left, right, JoinType::Inner, applicable);
                (Arc::new(LogicalPlan::Join(join)), both)
            }
        }
    }
}

/// A condition's text without ids, the sides of an equality in order.
fn canonical_text(condition: &Expr) -> String {
    match condition {
        Expr::Binary(b) if b.op == BinaryOp::Eq => {
            let mut sides = [
                strip_ids(&b.left.to_string()),
                strip_ids(&b.right.to_string()),
            ];
            sides.sort();
            sides.join(" = ")
        }
        other => strip_ids(&other.to_string()),
    }
}

/// Plan text without `#id` suffixes: the same for the same table and
/// filters whatever ids binding gave the columns.
fn strip_ids(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '#' && chars.peek().is_some_and(|d| d.is_ascii_digit()) {
            while chars.peek().is_some_and(|d| d.is_ascii_digit()) {
                chars.next();
            }
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::{ColumnStatistics, MemorySource, TableSource, TableStatistics};
    use crate::logical::plan::Scan;
    use crate::logical::ColumnRef;
    use arrow::datatypes::{DataType, Field, Schema};

    /// A scan of `rows` rows whose columns `names` have ids from `first_id`
    /// and `distinct` distinct values each.
    fn scan(
        name: &str,
        rows: f64,
        first_id: usize,
        names: &[&str],
        distinct: f64,
    ) -> Arc<LogicalPlan> {
        let fields: Vec<Field> = names
            .iter()
            .map(|n| Field::new(*n, DataType::Int64, false))
            .collect();
        let schema = Arc::new(Schema::new(fields));
        let columns = names
            .iter()
            .enumerate()
            .map(|(i, n)| ColumnRef::new(first_id + i, *n, DataType::Int64, false))
            .collect();
        let statistics = TableStatistics {
            rows,
            bytes: None,
            columns: names
                .iter()
                .map(|_| ColumnStatistics {
                    distinct_count: Some(distinct.min(rows)),
                    ..Default::default()
                })
                .collect(),
            analyzed: true,
        };
        Arc::new(LogicalPlan::Scan(Scan {
            table_name: name.into(),
            source: Arc::new(TableSource::Memory(MemorySource::new(schema, vec![]))),
            projection: (0..names.len()).collect(),
            columns,
            filters: vec![],
            statistics: Arc::new(statistics),
            hint: None,
        }))
    }

    fn column(plan: &LogicalPlan, name: &str) -> Expr {
        Expr::Column(plan.columns().into_iter().find(|c| c.name == name).unwrap())
    }

    fn eq(a: Expr, b: Expr) -> Expr {
        Expr::binary(a, BinaryOp::Eq, b, DataType::Boolean)
    }

    fn cross(
        left: Arc<LogicalPlan>,
        right: Arc<LogicalPlan>,
        conditions: Vec<Expr>,
    ) -> Arc<LogicalPlan> {
        Arc::new(LogicalPlan::Join(Join::from_conjuncts(
            left,
            right,
            JoinType::Inner,
            conditions,
        )))
    }

    /// fact(1M) joins dim1(100) and dim2(10k); dim1 and dim2 are not connected.
    fn star(order: [usize; 3]) -> Arc<LogicalPlan> {
        let tables = [
            scan("fact", 1e6, 1, &["f_a", "f_b"], 1e4),
            scan("dim1", 100.0, 10, &["a"], 100.0),
            scan("dim2", 1e4, 20, &["b"], 1e4),
        ];
        let conditions = vec![
            eq(column(&tables[0], "f_a"), column(&tables[1], "a")),
            eq(column(&tables[0], "f_b"), column(&tables[2], "b")),
        ];
        // As written: the first two tables joined with no condition (a
        // cross join unless reordered), the conditions on the top join.
        let [x, y, z] = order.map(|i| tables[i].clone());
        cross(cross(x, y, vec![]), z, conditions)
    }

    fn joins_without_keys(plan: &LogicalPlan) -> usize {
        let mut count = 0;
        plan.apply(&mut |node| {
            if let LogicalPlan::Join(join) = node {
                if join.on.is_empty() {
                    count += 1;
                }
            }
            Ok(())
        })
        .unwrap();
        count
    }

    #[test]
    fn no_cross_product_when_conditions_connect_the_inputs() {
        let plan = star([1, 2, 0]);
        assert_eq!(joins_without_keys(&plan), 1);
        let (reordered, changed) = ReorderJoins.rewrite(plan).unwrap();
        assert!(changed);
        assert_eq!(
            joins_without_keys(&reordered),
            0,
            "{}",
            reordered.display_indent()
        );
    }

    #[test]
    fn the_largest_input_probes_and_the_smaller_sides_build() {
        let (plan, _) = ReorderJoins.rewrite(star([1, 2, 0])).unwrap();
        // Below the projection that restores the column order: the top join
        // probes with the fact side and builds on a dimension.
        let text = strip_ids(&plan.display_indent());
        let lines: Vec<&str> = text.lines().collect();
        assert!(lines[1].starts_with("  Join Inner"), "{text}");
        let scans: Vec<&str> = lines
            .iter()
            .filter(|l| l.contains("Scan"))
            .copied()
            .collect();
        assert!(scans[0].contains("Scan fact"), "{text}");
        // Joining dim1 (100 rows) first keeps the intermediate result small.
        assert!(scans[1].contains("Scan dim1"), "{text}");
    }

    #[test]
    fn the_order_of_the_inputs_as_written_does_not_matter() {
        let plans: Vec<String> = [[0, 1, 2], [2, 1, 0], [1, 2, 0], [2, 0, 1]]
            .into_iter()
            .map(|order| {
                let (plan, _) = ReorderJoins.rewrite(star(order)).unwrap();
                // Without the projection restoring each order's columns.
                let plan = match plan.as_ref() {
                    LogicalPlan::Projection(p) => p.input.clone(),
                    _ => plan,
                };
                strip_ids(&plan.display_indent())
            })
            .collect();
        for plan in &plans[1..] {
            assert_eq!(plan, &plans[0]);
        }
    }

    #[test]
    fn greedy_beyond_the_dynamic_programming_limit() {
        // A chain of DP_LIMIT + 2 tables t0 - t1 - ... each joined to the next.
        let n = DP_LIMIT + 2;
        let tables: Vec<Arc<LogicalPlan>> = (0..n)
            .map(|i| {
                scan(
                    &format!("t{i}"),
                    1000.0 * (i + 1) as f64,
                    100 * (i + 1),
                    &["k", "next"],
                    1000.0,
                )
            })
            .collect();
        let mut conditions = vec![];
        for i in 0..n - 1 {
            let next = tables[i].columns()[1].clone();
            let key = tables[i + 1].columns()[0].clone();
            conditions.push(eq(Expr::Column(next), Expr::Column(key)));
        }
        let mut plan = tables[0].clone();
        for table in &tables[1..] {
            plan = cross(plan, table.clone(), vec![]);
        }
        let plan = Arc::new(LogicalPlan::Filter(Filter {
            input: plan,
            predicate: Expr::conjunction(conditions).unwrap(),
        }));
        let (reordered, _) = crate::optimizer::rules::PushDownFilter
            .rewrite(plan)
            .unwrap();
        let (reordered, _) = ReorderJoins.rewrite(reordered).unwrap();
        assert_eq!(
            joins_without_keys(&reordered),
            0,
            "{}",
            reordered.display_indent()
        );
    }
}
