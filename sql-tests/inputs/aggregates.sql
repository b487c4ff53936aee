-- a small table with groups, NULLs and negative numbers
CREATE TABLE sales (region VARCHAR, item VARCHAR, qty INTEGER, price DECIMAL(8, 2), score DOUBLE);
INSERT INTO sales VALUES ('north', 'apple', 10, 1.50, 0.5), ('north', 'pear', NULL, 2.25, NULL), ('south', 'apple', -3, 1.50, 2.0), ('south', 'apple', 7, NULL, 1.5), ('east', 'fig', 1, 9.99, -1.0), (NULL, 'fig', 4, 0.01, 3.25);

-- whole-table aggregates, with and without NULL inputs
SELECT count(*), count(qty), count(DISTINCT item), sum(qty), avg(qty), min(qty), max(qty) FROM sales;
SELECT sum(price), avg(price), min(price), max(price), sum(score), avg(score) FROM sales;
SELECT stddev_samp(qty), stddev_pop(qty), var_samp(qty), var_pop(qty), stddev(score), variance(score) FROM sales;

-- aggregates over no rows: count is 0, everything else NULL
SELECT count(*), count(qty), sum(qty), avg(qty), min(item), max(price), stddev_samp(score) FROM sales WHERE qty > 100;
SELECT stddev_samp(x), var_samp(x), stddev_pop(x), var_pop(x) FROM (VALUES (5)) t(x);

-- GROUP BY column, expression, ordinal, alias and ALL
SELECT region, count(*) AS n, sum(qty) AS total FROM sales GROUP BY region ORDER BY region NULLS LAST;
SELECT upper(item) AS u, count(*) FROM sales GROUP BY upper(item) ORDER BY u;
SELECT item, region IS NULL AS no_region, count(*) FROM sales GROUP BY 1, 2 ORDER BY 1, 2;
SELECT qty % 2 AS parity, count(*) AS n FROM sales GROUP BY parity ORDER BY parity NULLS FIRST;
SELECT region, item, sum(qty) FROM sales GROUP BY ALL ORDER BY region NULLS LAST, item;
SELECT region, item FROM sales GROUP BY ALL ORDER BY ALL;
SELECT count(*) * 10 + 1 AS weird, item FROM sales GROUP BY item ORDER BY item;

-- grouping over no rows yields no groups; constant aggregates
SELECT region, count(*) FROM sales WHERE qty > 100 GROUP BY region;
SELECT count(1), sum(1), sum(2.5), avg(1), min('x') FROM sales;

-- HAVING, including aggregates that are not in the select list
SELECT item, count(*) AS n FROM sales GROUP BY item HAVING count(*) > 1 ORDER BY item;
SELECT region FROM sales GROUP BY region HAVING sum(qty) > 5 AND min(price) < 2 ORDER BY region;
SELECT count(*) FROM sales HAVING count(*) > 100;
SELECT item, sum(qty) AS total FROM sales GROUP BY item HAVING total > 4 ORDER BY item;
SELECT qty % 2 AS p, count(*) FROM sales GROUP BY p HAVING p = 1;

-- ORDER BY an aggregate not in the select list
SELECT item FROM sales GROUP BY item ORDER BY sum(qty) DESC, item;
SELECT count(*) AS c FROM nation GROUP BY n_regionkey ORDER BY c DESC, min(n_name) LIMIT 3 OFFSET 1;
SELECT n_regionkey * 2 AS r2, count(*) FROM nation GROUP BY n_regionkey ORDER BY n_regionkey * -1;

-- DISTINCT aggregates and FILTER
SELECT count(DISTINCT region), count(DISTINCT qty), sum(DISTINCT price), avg(DISTINCT price) FROM sales;
SELECT avg(DISTINCT x), count(DISTINCT x) FILTER (WHERE x > 1) FROM (VALUES (1), (1), (2), (3), (NULL)) t(x);
SELECT count(*) FILTER (WHERE qty > 0) AS pos, sum(qty) FILTER (WHERE item = 'apple') AS apples, avg(score) FILTER (WHERE region IS NOT NULL) AS avg_known FROM sales;
SELECT item, count(*) FILTER (WHERE price > 1) AS pricey, max(qty) FILTER (WHERE qty < 10) FROM sales GROUP BY item ORDER BY item;

-- aggregates over expressions and inside expressions
SELECT sum(qty * price) AS revenue, round(avg(price * 2), 3) AS avg2, max(length(item)) - min(length(item)) AS spread FROM sales;
SELECT region, CASE WHEN sum(qty) > 5 THEN 'big' ELSE 'small' END AS size FROM sales WHERE region IS NOT NULL GROUP BY region ORDER BY region;

-- min/max on strings, dates and booleans
SELECT min(item), max(item), min(DATE '2024-01-01' + qty), max(qty > 0) FROM sales;

-- TPC-H aggregates (TPC-H Q1 style)
SELECT l_returnflag, l_linestatus, sum(l_quantity) AS sum_qty, sum(l_extendedprice) AS sum_base, sum(l_extendedprice * (1 - l_discount)) AS sum_disc, avg(l_quantity) AS avg_qty, avg(l_discount) AS avg_disc, count(*) AS n FROM lineitem WHERE l_shipdate <= DATE '1998-09-02' GROUP BY l_returnflag, l_linestatus ORDER BY l_returnflag, l_linestatus;
SELECT o_orderstatus, count(*), count(DISTINCT o_custkey), min(o_totalprice), max(o_totalprice), round(stddev_samp(o_totalprice), 4) FROM orders GROUP BY o_orderstatus ORDER BY o_orderstatus;
SELECT c_mktsegment, count(*) AS n, round(avg(c_acctbal), 2) AS avg_bal FROM customer GROUP BY c_mktsegment HAVING count(*) > 290 ORDER BY n DESC, c_mktsegment;
SELECT n_regionkey, count(*), sum(n_nationkey), avg(n_nationkey) FROM nation GROUP BY ALL ORDER BY 1;
SELECT l_shipmode, sum(l_quantity) FILTER (WHERE l_returnflag = 'R') AS returned, count(*) FROM lineitem GROUP BY l_shipmode ORDER BY l_shipmode;
SELECT count(*), sum(l_quantity), avg(l_extendedprice), var_pop(l_discount), stddev_pop(l_tax) FROM lineitem;
SELECT l_suppkey, count(*) AS n FROM lineitem GROUP BY l_suppkey ORDER BY n DESC, l_suppkey LIMIT 5;
SELECT substring(c_phone, 1, 2) AS cntrycode, count(*) AS numcust, sum(c_acctbal) AS totacctbal FROM customer WHERE substring(c_phone, 1, 2) IN ('13', '31', '23', '29', '30', '18', '17') AND c_acctbal > 0.00 GROUP BY cntrycode ORDER BY cntrycode;
