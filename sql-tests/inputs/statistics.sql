-- statistics from Parquet footers: EXPLAIN COST estimates rows and bytes on every node
EXPLAIN COST SELECT n_name FROM nation WHERE n_regionkey = 1;
EXPLAIN COST SELECT count(*) FROM orders WHERE o_orderdate < DATE '1993-01-01';

-- ANALYZE TABLE computes distinct counts (HyperLogLog) and histograms, and returns them
CREATE TABLE skewed AS SELECT CASE WHEN o_orderkey < 45000 THEN 1 ELSE o_orderkey END AS k, o_orderkey % 10 AS m, CAST(o_orderkey AS VARCHAR) AS s FROM orders;
ANALYZE TABLE skewed;
ANALYZE nation;

-- with a histogram, k = 1 covers 90% of the rows: the estimate follows it
EXPLAIN COST SELECT * FROM skewed WHERE k <= 1;
EXPLAIN COST SELECT * FROM skewed WHERE k > 50000;
EXPLAIN COST SELECT m, count(*) FROM skewed GROUP BY m;

-- INSERT forgets the computed statistics
INSERT INTO skewed VALUES (5000, 1, 'x');
EXPLAIN COST SELECT m, count(*) FROM skewed GROUP BY m;

-- errors
ANALYZE TABLE missing;
CREATE VIEW v AS SELECT 1 AS x;
ANALYZE v;
