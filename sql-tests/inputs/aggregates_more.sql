-- one batch of rows (one INSERT), so input order is the order written here
CREATE TABLE obs (g VARCHAR, i INTEGER, d DECIMAL(6, 2), f DOUBLE, s VARCHAR, b BOOLEAN, t TIMESTAMP);
INSERT INTO obs VALUES ('a', 4, 1.50, 2.0, 'pear', true, TIMESTAMP '2024-01-01 00:00:00'), ('a', NULL, 2.25, NULL, NULL, NULL, NULL), ('a', 1, NULL, 4.0, 'fig', false, TIMESTAMP '2024-01-03 12:00:00'), ('a', 4, -0.75, 5.0, 'apple', true, TIMESTAMP '2024-01-02 00:00:00'), ('b', 7, 3.00, 1.0, 'kiwi', true, TIMESTAMP '2024-02-01 00:00:00'), ('b', 2, 3.00, 3.0, 'lime', true, NULL), ('c', NULL, NULL, NULL, NULL, NULL, NULL), ('c', NULL, NULL, NULL, NULL, NULL, NULL), (NULL, 3, 0.10, -2.5, 'plum', false, TIMESTAMP '2023-12-31 23:59:59');

-- any_value skips NULLs; first / last keep them (the second 'a' row has NULLs)
SELECT g, any_value(i), first(i), last(i), arbitrary(s), last(s) FROM obs GROUP BY g ORDER BY g NULLS LAST;
SELECT any_value(s), first(s), last(s), first(t), last(d) FROM obs;

-- mode, median and quantiles; mode's ties go to the value first in the ORDER BY
-- inside the call (without one DuckDB breaks them arbitrarily, quarry by input order)
SELECT g, mode(i ORDER BY i DESC), mode(s ORDER BY s), median(i), median(d), median(f), median(s), median(t) FROM obs GROUP BY g ORDER BY g NULLS LAST;
SELECT quantile_cont(i, 0.25), quantile_disc(i, 0.25), quantile_cont(d, 0.75), quantile_disc(s, 0.75), quantile(f, 0.5), quantile_cont(f, -0.25), quantile_disc(i, 1.0), quantile_cont(t, 0.5) FROM obs;
SELECT median(x), quantile_cont(x, 0.1), quantile_disc(x, 0.5), mode(x ORDER BY x DESC) FROM (VALUES (1), (2), (4), (8)) v(x);
SELECT median(x), median(CAST(x AS DECIMAL(4, 1))), quantile_disc(x, 0.33), quantile_disc(x, 0.34) FROM (VALUES (1), (2), (4)) v(x);
SELECT median(x), quantile_cont(x, 0.5) FROM (VALUES (DATE '2020-01-01'), (DATE '2020-01-04')) v(x);

-- string_agg and its aliases; non-strings are cast; a NULL separator gives NULL
SELECT g, string_agg(s), string_agg(s, ' | '), group_concat(i), listagg(d, '') FROM obs GROUP BY g ORDER BY g NULLS LAST;
SELECT string_agg(s, NULL), string_agg(s, '-') FILTER (WHERE b), string_agg(DISTINCT g) FROM obs;

-- bool_and / bool_or, bit_and / bit_or / bit_xor, product
SELECT g, bool_and(b), bool_or(b), bit_and(i), bit_or(i), bit_xor(i), product(i), product(d) FROM obs GROUP BY g ORDER BY g NULLS LAST;
SELECT bit_and(x), bit_or(x), bit_xor(x), bit_xor(DISTINCT x) FROM (VALUES (CAST(12 AS TINYINT)), (CAST(10 AS TINYINT)), (CAST(10 AS TINYINT))) v(x);

-- arg_min / arg_max and aliases: rows with a NULL argument are skipped, ties keep the first row
SELECT g, arg_min(s, i), arg_max(s, i), argmin(i, s), argmax(t, d), min_by(s, f), max_by(s, f) FROM obs GROUP BY g ORDER BY g NULLS LAST;
SELECT arg_min(a, b), arg_max(a, b), arg_max(a, b) FILTER (WHERE b > 1) FROM (VALUES (NULL, 1), ('x', 2), ('y', 2), ('z', NULL)) v(a, b);

-- correlation, covariance and regression (DOUBLE; regr_count is UINTEGER)
SELECT corr(y, x), covar_pop(y, x), covar_samp(y, x), regr_slope(y, x), regr_intercept(y, x), regr_count(y, x), regr_r2(y, x) FROM (VALUES (1.0, 1), (3.0, 2), (2.0, 3), (5.0, 4), (NULL, 5), (7.0, NULL)) v(y, x);
SELECT regr_avgx(y, x), regr_avgy(y, x), regr_sxx(y, x), regr_syy(y, x), regr_sxy(y, x) FROM (VALUES (1.0, 1), (3.0, 2), (2.0, 3), (5.0, 4), (NULL, 5)) v(y, x);
-- constant x: NaN slope and correlation, NULL intercept and r2; constant y: r2 is 1
SELECT regr_slope(y, x), corr(y, x), regr_intercept(y, x), regr_r2(y, x), covar_samp(y, x) FROM (VALUES (1, 2), (2, 2), (3, 2)) v(y, x);
SELECT regr_slope(y, x), regr_intercept(y, x), regr_r2(y, x) FROM (VALUES (1, 1), (1, 2), (1, 3)) v(y, x);
SELECT g, regr_count(f, i), round(corr(f, i), 6), covar_samp(f, i), regr_avgx(f, i) FROM obs GROUP BY g ORDER BY g NULLS LAST;

-- no rows: NULL everywhere except regr_count, which is 0
SELECT any_value(i), first(i), last(i), mode(i), median(i), quantile_disc(s, 0.5), string_agg(s), bool_and(b), bit_or(i), product(f), arg_min(s, i), corr(f, i), regr_count(f, i) FROM obs WHERE i > 100;
SELECT g, first(i), median(i), regr_count(f, i) FROM obs WHERE i > 100 GROUP BY g;

-- a group whose values are all NULL ('c')
SELECT g, count(i), any_value(i), first(i), mode(s), median(d), string_agg(s), bool_or(b), bit_xor(i), product(i), arg_max(s, i), covar_pop(f, i), regr_count(f, i) FROM obs WHERE g = 'c' GROUP BY g;

-- DISTINCT and FILTER
SELECT g, median(DISTINCT i), mode(DISTINCT s ORDER BY s DESC), string_agg(DISTINCT s ORDER BY s), product(DISTINCT i) FROM obs GROUP BY g ORDER BY g NULLS LAST;
SELECT median(DISTINCT x), quantile_cont(DISTINCT x, 0.5), count(DISTINCT x), string_agg(DISTINCT CAST(x AS VARCHAR), '/') FROM (VALUES (1), (1), (1), (5), (7)) v(x);
SELECT g, median(i) FILTER (WHERE i > 1), mode(s ORDER BY s) FILTER (WHERE s <> 'pear'), first(s) FILTER (WHERE b), bool_and(b) FILTER (WHERE i > 1), arg_min(s, f) FILTER (WHERE f > 2) FROM obs GROUP BY g ORDER BY g NULLS LAST;

-- ORDER BY inside the call: rows are fed sorted (ties in input order)
SELECT g, string_agg(s, ',' ORDER BY s DESC), string_agg(s ORDER BY t NULLS FIRST), first(s ORDER BY f DESC), last(i ORDER BY f), arg_min(s, i ORDER BY s DESC), listagg(DISTINCT i, ';' ORDER BY i DESC) FROM obs GROUP BY g ORDER BY g NULLS LAST;
SELECT string_agg(s, ',' ORDER BY b, s) FILTER (WHERE i > 1), first(i ORDER BY s NULLS FIRST), sum(i ORDER BY s), median(i ORDER BY s) FROM obs;

-- several batches of one table (aggregated in partitions, then merged)
CREATE TABLE parts (k INTEGER, v INTEGER, w VARCHAR);
INSERT INTO parts VALUES (1, 10, 'x'), (2, 5, 'q'), (1, 30, 'y');
INSERT INTO parts VALUES (1, 20, 'y'), (2, 5, 'r'), (2, 6, 'q');
INSERT INTO parts VALUES (1, 20, 'z'), (2, NULL, 'q'), (3, 1, NULL);
INSERT INTO parts VALUES (1, 40, 'w'), (2, 7, 's'), (3, NULL, NULL);
SELECT k, median(v), quantile_cont(v, 0.75), quantile_disc(v, 0.25), mode(v), mode(w), bit_or(v), bool_or(v > 25), product(v), arg_max(w, v), arg_min(w, v), regr_count(v, k) FROM parts GROUP BY k ORDER BY k;
SELECT median(v), mode(w), quantile_disc(w, 0.5), bit_xor(v), product(v), arg_max(k, v), round(corr(v, k), 6), regr_count(v, k) FROM parts;

-- TPC-H columns
SELECT l_returnflag, median(l_quantity), quantile_disc(l_quantity, 0.9), mode(l_shipmode), arg_max(l_orderkey, l_extendedprice), round(corr(l_extendedprice, l_quantity), 6), bool_and(l_quantity > 0), bit_or(l_linenumber) FROM lineitem GROUP BY l_returnflag ORDER BY l_returnflag;
SELECT n_regionkey, string_agg(n_name, ', ' ORDER BY n_nationkey), first(n_nationkey ORDER BY n_name), last(n_name ORDER BY n_nationkey) FROM nation GROUP BY n_regionkey ORDER BY n_regionkey;

-- window aggregates: frames are folded in row order
SELECT i, s, first(s) OVER (ORDER BY f NULLS FIRST, s ROWS BETWEEN 1 PRECEDING AND 1 FOLLOWING) AS first_s, last(s) OVER (ORDER BY f NULLS FIRST, s ROWS BETWEEN 1 PRECEDING AND 1 FOLLOWING) AS last_s, string_agg(s, '+') OVER (ORDER BY f NULLS FIRST, s ROWS BETWEEN 1 PRECEDING AND 1 FOLLOWING) AS joined, median(i) OVER (ORDER BY f NULLS FIRST, s ROWS BETWEEN 1 PRECEDING AND 1 FOLLOWING) AS med, mode(b) OVER (ORDER BY f NULLS FIRST, s ROWS BETWEEN 1 PRECEDING AND 1 FOLLOWING) AS mode_b, arg_max(s, f) OVER (ORDER BY f NULLS FIRST, s ROWS BETWEEN 1 PRECEDING AND 1 FOLLOWING) AS best FROM obs WHERE g = 'a' OR g = 'b' ORDER BY f NULLS FIRST, s;
SELECT g, i, string_agg(CAST(i AS VARCHAR), ',') OVER (PARTITION BY g ORDER BY i ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS running, quantile_disc(i, 0.5) OVER (PARTITION BY g) AS q, regr_count(f, i) OVER (PARTITION BY g) AS n, bool_or(b) OVER (PARTITION BY g ORDER BY i) AS any_b FROM obs WHERE i IS NOT NULL ORDER BY g NULLS LAST, i;
SELECT v, median(v) FILTER (WHERE v > 5) OVER (ORDER BY v ROWS BETWEEN 2 PRECEDING AND CURRENT ROW) AS med3 FROM (VALUES (1), (9), (4), (16), (25), (7)) t(v) ORDER BY v;

-- correlated subqueries: regr_count over no rows is 0 (the COUNT bug)
SELECT k, (SELECT regr_count(p.v, p.k) FROM parts p WHERE p.k = q.k + 1) AS next_n, (SELECT median(p.v) FROM parts p WHERE p.k = q.k + 1) AS next_median FROM (VALUES (1), (2), (3)) q(k) ORDER BY k;

-- errors
SELECT quantile_cont(i, 1.5) FROM obs;
SELECT quantile_cont(i, i) FROM obs;
SELECT quantile_disc(i, NULL) FROM obs;
SELECT quantile_cont(s, 0.5) FROM obs;
SELECT string_agg(s, g) FROM obs;
SELECT bool_and(i) FROM obs;
SELECT bit_or(f) FROM obs;
SELECT corr(s, i) FROM obs;
SELECT arg_min(s) FROM obs;
SELECT median(i, 0.5) FROM obs;
SELECT product(s) FROM obs;
SELECT median(x) FROM (VALUES (INTERVAL 1 DAY), (INTERVAL 3 DAY)) t(x);
SELECT string_agg(DISTINCT s, ',' ORDER BY i) FROM obs;
SELECT string_agg(s ORDER BY i) OVER () FROM obs;
