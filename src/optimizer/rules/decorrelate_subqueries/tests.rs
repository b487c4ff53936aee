use super::*;
use crate::optimizer::rules::test_plans::{bind, rewrite, run};

#[test]
fn exists_becomes_a_semi_join_on_the_correlated_predicate() {
    let sql = "SELECT a FROM t1 WHERE EXISTS (SELECT 1 FROM t3 WHERE t3.x = t1.a AND t3.y > 0)";
    let before = bind(sql).display_indent();
    assert!(before.contains("Join LeftSemi dependent"), "{before}");
    let after = rewrite(&DecorrelateSubqueries, sql);
    assert!(!after.contains("dependent"), "{after}");
    assert!(after.contains("Join LeftSemi on [a#1 = x#"), "{after}");
    // The uncorrelated conjunct stays inside the subquery.
    assert!(after.contains("Filter (y#"), "{after}");
    assert!(!after.contains("delim_"), "{after}");
}

#[test]
fn a_correlated_aggregate_groups_by_the_correlation_key() {
    let after = rewrite(
        &DecorrelateSubqueries,
        "SELECT a, (SELECT sum(y) FROM t3 WHERE t3.x = t1.a) FROM t1",
    );
    assert!(after.contains("Join LeftOuter on [a#1 = x#"), "{after}");
    assert!(after.contains("Aggregate [x#"), "{after}");
    assert!(!after.contains("delim_"), "{after}");
}

#[test]
fn a_correlated_count_reads_zero_where_no_group_matched() {
    let after = rewrite(
        &DecorrelateSubqueries,
        "SELECT a, (SELECT count(*) FROM t3 WHERE t3.x = t1.a) FROM t1",
    );
    assert!(after.contains("coalesce("), "{after}");
    assert!(after.contains("Join LeftOuter on [a#1 = x#"), "{after}");
}

#[test]
fn an_inequality_under_an_aggregate_unnests_through_the_domain() {
    let after = rewrite(
        &DecorrelateSubqueries,
        "SELECT a, (SELECT count(*) FROM t3 WHERE t3.x < t1.b) FROM t1",
    );
    // The distinct outer values are joined into the subquery; the aggregate
    // groups by them and every outer row finds its group.
    assert!(after.contains("delim_b"), "{after}");
    assert!(after.contains("Distinct"), "{after}");
    assert!(!after.contains("dependent"), "{after}");
    assert!(!after.contains("Aggregate [x#"), "{after}");
}

#[test]
fn an_inequality_in_exists_is_pulled_into_the_semi_join() {
    let after = rewrite(
        &DecorrelateSubqueries,
        "SELECT a FROM t1 WHERE EXISTS (SELECT 1 FROM t3 WHERE t3.x <> t1.a)",
    );
    assert!(after.contains("Join LeftSemi"), "{after}");
    assert!(!after.contains("delim_"), "{after}");
}

#[test]
fn outer_columns_in_the_select_list_unnest_through_the_domain() {
    let after = rewrite(
        &DecorrelateSubqueries,
        "SELECT a, (SELECT t1.b + y FROM t3 WHERE t3.x = t1.a) FROM t1",
    );
    assert!(!after.contains("dependent"), "{after}");
    assert!(after.contains("delim_"), "{after}");
}

#[test]
fn uncorrelated_subqueries_are_left_alone() {
    let (after, changed) = run(
        &DecorrelateSubqueries,
        bind("SELECT a FROM t1 WHERE b IN (SELECT y FROM t3)"),
    );
    assert!(!changed, "{after}");
}
