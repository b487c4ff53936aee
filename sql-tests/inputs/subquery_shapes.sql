-- Correlated subqueries of every shape, unnested in general (issue's example
-- first). Every answer here was checked against DuckDB 2.0.1.
CREATE TABLE t1 (a INTEGER, b INTEGER);
INSERT INTO t1 VALUES (1, 10), (2, 20), (3, 30), (4, 20);
CREATE TABLE integers (i INTEGER);
INSERT INTO integers VALUES (1), (2), (3), (NULL);

-- correlation through <, <>, BETWEEN, LIKE, OR and expressions
SELECT a, (SELECT count(*) FROM t1 AS x WHERE x.b < t1.b) AS c FROM t1 ORDER BY a;
SELECT a, (SELECT sum(x.a) FROM t1 AS x WHERE x.b <> t1.b) AS s FROM t1 ORDER BY a;
SELECT a, (SELECT max(x.a) FROM t1 AS x WHERE x.b BETWEEN t1.b - 10 AND t1.b) AS m FROM t1 ORDER BY a;
SELECT a, (SELECT count(*) FROM t1 AS x WHERE CAST(x.b AS VARCHAR) LIKE CAST(t1.a AS VARCHAR) || '%') AS c FROM t1 ORDER BY a;
SELECT a, (SELECT count(*) FROM t1 AS x WHERE x.a = t1.a + 1 OR x.b = t1.b) AS c FROM t1 ORDER BY a;
SELECT i, (SELECT count(*) FROM integers i2 WHERE i2.i > i1.i) AS c FROM integers i1 ORDER BY i NULLS FIRST;

-- the COUNT bug, for every aggregate: no rows gives 0 for count, NULL else
SELECT i, (SELECT count(*) FROM integers i2 WHERE i2.i > i1.i) AS n, (SELECT count(i2.i) FROM integers i2 WHERE i2.i > i1.i) AS m, (SELECT sum(1) FROM integers i2 WHERE i2.i > i1.i) AS s, (SELECT min(i2.i) FROM integers i2 WHERE i2.i > i1.i) AS lo FROM integers i1 ORDER BY i NULLS FIRST;
SELECT i, (SELECT count(*) + 1 FROM integers i2 WHERE i2.i = i1.i) AS n FROM integers i1 ORDER BY i NULLS FIRST;
SELECT i, (SELECT coalesce(max(i2.i), -1) FROM integers i2 WHERE i2.i = i1.i + 5) AS n FROM integers i1 ORDER BY i NULLS FIRST;
SELECT i, (SELECT count(*) FROM integers i2 WHERE i2.i = i1.i HAVING count(*) > 0) AS n FROM integers i1 ORDER BY i NULLS FIRST;

-- outer columns in the select list, HAVING, ORDER BY, GROUP BY keys and aggregate arguments of the subquery
SELECT i, (SELECT i1.i + i2.i FROM integers i2 WHERE i2.i = 1) AS s FROM integers i1 ORDER BY i NULLS FIRST;
SELECT i, (SELECT sum(i2.i * i1.i) FROM integers i2) AS s FROM integers i1 ORDER BY i NULLS FIRST;
SELECT i, (SELECT count(*) FROM integers i2 GROUP BY i2.i > i1.i HAVING i2.i > i1.i) AS c FROM integers i1 ORDER BY i NULLS FIRST;
SELECT i, (SELECT i2.i FROM integers i2 WHERE i2.i IS NOT NULL ORDER BY abs(i2.i - i1.i), i2.i LIMIT 1) AS nearest FROM integers i1 ORDER BY i NULLS FIRST;
SELECT i, (SELECT max(i2.i) FROM integers i2 HAVING max(i2.i) > i1.i) AS m FROM integers i1 ORDER BY i NULLS FIRST;

-- correlation under windows, set operations, DISTINCT, LIMIT and OFFSET
SELECT i, (SELECT max(r) FROM (SELECT row_number() OVER (ORDER BY i2.i) AS r FROM integers i2 WHERE i2.i <= i1.i) w) AS r FROM integers i1 ORDER BY i NULLS FIRST;
SELECT i, (SELECT count(*) FROM (SELECT i2.i FROM integers i2 WHERE i2.i < i1.i UNION ALL SELECT i2.i FROM integers i2 WHERE i2.i > i1.i) u) AS c FROM integers i1 ORDER BY i NULLS FIRST;
SELECT i, (SELECT count(*) FROM (SELECT i2.i FROM integers i2 WHERE i2.i <= i1.i EXCEPT SELECT 1) u) AS c FROM integers i1 ORDER BY i NULLS FIRST;
SELECT i, (SELECT count(DISTINCT i2.i % 2) FROM integers i2 WHERE i2.i <= i1.i) AS c FROM integers i1 ORDER BY i NULLS FIRST;
SELECT i, (SELECT i2.i FROM integers i2 WHERE i2.i > i1.i ORDER BY i2.i LIMIT 1 OFFSET 1) AS second FROM integers i1 ORDER BY i NULLS FIRST;

-- nested subqueries reading columns two levels out
SELECT i, (SELECT (SELECT max(i3.i) FROM integers i3 WHERE i3.i < i1.i + i2.i) FROM integers i2 WHERE i2.i = 1) AS m FROM integers i1 ORDER BY i NULLS FIRST;
SELECT i FROM integers i1 WHERE EXISTS (SELECT 1 FROM integers i2 WHERE i2.i > i1.i AND EXISTS (SELECT 1 FROM integers i3 WHERE i3.i > i2.i AND i3.i <> i1.i)) ORDER BY i;

-- subqueries anywhere an expression stands: OR, CASE, function arguments, ON
SELECT i FROM integers i1 WHERE i = 1 OR EXISTS (SELECT 1 FROM integers i2 WHERE i2.i = i1.i + 2) ORDER BY i;
SELECT i, CASE WHEN i IN (SELECT i2.i FROM integers i2 WHERE i2.i > 1) THEN 'in' ELSE 'out' END AS k FROM integers i1 ORDER BY i NULLS FIRST;
SELECT i, coalesce((SELECT max(i2.i) FROM integers i2 WHERE i2.i < i1.i), 0) AS prev FROM integers i1 ORDER BY i NULLS FIRST;
SELECT a.i, b.i FROM integers a JOIN integers b ON b.i = (SELECT max(c.i) FROM integers c WHERE c.i <= a.i) ORDER BY a.i;
SELECT a.i, b.i FROM integers a LEFT JOIN integers b ON a.i IN (SELECT 2) AND b.i = 1 ORDER BY a.i NULLS FIRST;

-- IN, NOT IN, = ANY, > ALL, < SOME with NULLs, as values
SELECT i, i IN (SELECT i FROM integers WHERE i > 1) AS in_set, i NOT IN (SELECT i FROM integers WHERE i > 1) AS not_in FROM integers ORDER BY i NULLS FIRST;
SELECT i, i NOT IN (SELECT i FROM integers) AS n FROM integers ORDER BY i NULLS FIRST;
SELECT i, i = ANY (SELECT i FROM integers i2 WHERE i2.i <> i1.i) AS a, i > ALL (SELECT i FROM integers i2 WHERE i2.i <> i1.i) AS b, i < SOME (SELECT i FROM integers WHERE i IS NOT NULL) AS c FROM integers i1 ORDER BY i NULLS FIRST;
SELECT i, i > ALL (SELECT i FROM integers WHERE i < 0) AS empty_all, i = ANY (SELECT i FROM integers WHERE i < 0) AS empty_any FROM integers ORDER BY i NULLS FIRST;

-- row comparisons
SELECT (1, 0) NOT IN (SELECT 0, NULL) AS a, (0, 0) NOT IN (SELECT 0, NULL) AS b, (1, 2) IN (SELECT 1, 2) AS c;
SELECT (1, 2) > ANY (SELECT 1, 1) AS a, (1, 2) < ALL (SELECT 1, 3 UNION ALL SELECT 2, 0) AS b;

-- a scalar subquery of more than one row is an error
SELECT (SELECT i FROM integers WHERE i IS NOT NULL) AS x;
SELECT i, (SELECT i2.i FROM integers i2 WHERE i2.i >= i1.i) AS x FROM integers i1;
SET scalar_subquery_error_on_multiple_rows = false;
SELECT i, (SELECT i1.i * 10 FROM integers i2 WHERE i2.i IS NOT NULL) AS x FROM integers i1 ORDER BY i NULLS FIRST;
RESET scalar_subquery_error_on_multiple_rows;

-- LATERAL reading the left side in its select list, with an aggregate
SELECT i, l.s FROM integers i1, LATERAL (SELECT sum(i2.i) + i1.i AS s FROM integers i2 WHERE i2.i < i1.i) l ORDER BY i NULLS FIRST;

-- aggregates over outer columns belong to the outer query
SELECT (SELECT max(i1.i) + min(i2.i) FROM integers i2) AS m FROM integers i1;

-- WITH RECURSIVE: UNION ALL counts, UNION ends cycles
WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 5) SELECT sum(n), count(*) FROM r;
WITH RECURSIVE edges(a, b) AS (VALUES (1, 2), (2, 3), (3, 1), (3, 4)), reach(x) AS (SELECT 1 UNION SELECT b FROM reach JOIN edges ON a = x) SELECT x FROM reach ORDER BY x;
WITH RECURSIVE fib(a, b, i) AS (SELECT 0::BIGINT, 1::BIGINT, 1 UNION ALL SELECT b, a + b, i + 1 FROM fib WHERE i < 50) SELECT max(a) FROM fib;

-- LATERAL: DISTINCT under an inequality keeps its row count; a LEFT JOIN
-- LATERAL's ON condition pads with NULLs, and its columns may be NULL
CREATE TABLE t (x INTEGER, y INTEGER);
INSERT INTO t VALUES (1, 1), (1, 1), (2, 1), (3, 2), (NULL, 2), (4, NULL), (1, 3);
CREATE TABLE o (a INTEGER, b INTEGER);
INSERT INTO o VALUES (1, 1), (1, 1), (2, NULL), (NULL, 1), (3, 3), (NULL, NULL);
CREATE TABLE nn (k INTEGER NOT NULL, v INTEGER NOT NULL);
INSERT INTO nn VALUES (1, 1), (2, 2), (3, 5);
SELECT * FROM o, LATERAL (SELECT DISTINCT y FROM t WHERE t.x < o.a) sub ORDER BY ALL;
SELECT * FROM o LEFT JOIN LATERAL (SELECT count(*) AS c FROM t WHERE t.y = o.a) sub ON o.b = 1 ORDER BY ALL;
SELECT * FROM o LEFT JOIN LATERAL (SELECT count(*) AS c FROM t WHERE t.y = o.a) sub ON sub.c > 1 ORDER BY ALL;
SELECT * FROM o LEFT JOIN LATERAL (SELECT k FROM nn WHERE nn.v = o.a) l ON true WHERE l.k IS NULL ORDER BY ALL;

-- the empty grouping set has its row over no input, also inside a subquery
SELECT x, count(*) FROM t WHERE y < 1 GROUP BY CUBE (x);
SELECT a, (SELECT count(*) FROM (SELECT x, count(*) FROM t WHERE y < 1 GROUP BY CUBE (x)) g) AS n FROM o ORDER BY ALL;
SELECT (SELECT min(o.a)) AS m FROM o;

-- subqueries in the ON condition of a join with a derived table
SELECT f0.a, f1.a FROM o f0 LEFT JOIN (SELECT a, count(*) AS n FROM o GROUP BY a) f1 ON (SELECT max(x) > 0 FROM t) AND f1.a = f0.b ORDER BY ALL;
SELECT f0.a, f1.a FROM o f0 JOIN (SELECT DISTINCT a FROM o) f1 ON f1.a IN (SELECT x FROM t WHERE y = 2) ORDER BY ALL;
