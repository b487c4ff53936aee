CREATE TABLE t (a INTEGER, b INTEGER);
CREATE TABLE s (a INTEGER, c INTEGER);
INSERT INTO t VALUES (1, 10), (2, 20), (3, 30), (NULL, 40);
INSERT INTO s VALUES (1, 100), (1, 101), (3, 300), (5, 500);

-- scalar subqueries, uncorrelated and correlated
SELECT a, (SELECT max(c) FROM s) AS m FROM t ORDER BY b;
SELECT a, (SELECT sum(c) FROM s WHERE s.a = t.a) AS total FROM t ORDER BY b;
SELECT a FROM t WHERE b > (SELECT avg(b) FROM t) ORDER BY a;
SELECT a, b FROM t WHERE b < (SELECT max(c) FROM s WHERE s.a = t.a) ORDER BY a;

-- EXISTS and NOT EXISTS
SELECT a FROM t WHERE EXISTS (SELECT * FROM s WHERE s.a = t.a) ORDER BY a;
SELECT a FROM t WHERE NOT EXISTS (SELECT * FROM s WHERE s.a = t.a) ORDER BY a NULLS FIRST;
SELECT count(*) FROM t WHERE EXISTS (SELECT * FROM s WHERE c > 1000);

-- IN and NOT IN with SQL's NULL semantics
SELECT a FROM t WHERE a IN (SELECT a FROM s) ORDER BY a;
SELECT a FROM t WHERE a NOT IN (SELECT a FROM s) ORDER BY a;
INSERT INTO s VALUES (NULL, 0);
SELECT a FROM t WHERE a NOT IN (SELECT a FROM s);
SELECT a FROM t WHERE a NOT IN (SELECT a FROM s WHERE a IS NOT NULL) ORDER BY a;
SELECT a FROM t WHERE a IN (SELECT a FROM s WHERE c > 100) ORDER BY a;

-- correlated with a non-equality condition, and subqueries in FROM
SELECT a FROM t WHERE EXISTS (SELECT * FROM s WHERE s.a = t.a AND s.c > t.b * 10) ORDER BY a;
SELECT x.a, x.total FROM (SELECT a, sum(c) AS total FROM s GROUP BY a) x WHERE x.total > 200 ORDER BY 1;

-- CTEs, one referenced twice
WITH big AS (SELECT a, c FROM s WHERE c >= 100) SELECT b1.a, b2.c FROM big b1 JOIN big b2 ON b1.a = b2.a AND b1.c < b2.c;
WITH totals AS (SELECT n_regionkey, count(*) AS n FROM nation GROUP BY 1) SELECT r_name, n FROM region JOIN totals ON r_regionkey = n_regionkey WHERE n = (SELECT max(n) FROM totals) ORDER BY r_name;

-- HAVING with a subquery, ORDER BY an expression not selected
SELECT n_regionkey, count(*) FROM nation GROUP BY n_regionkey HAVING count(*) >= (SELECT count(*) / 5 FROM nation) ORDER BY n_regionkey;
SELECT n_name FROM nation ORDER BY length(n_name) DESC, n_name LIMIT 3;

-- row values in IN
SELECT n_name FROM nation WHERE (n_nationkey, n_regionkey) IN (SELECT n_nationkey, 1 FROM nation WHERE n_name LIKE 'B%' OR n_name LIKE 'C%') ORDER BY 1;
SELECT count(*) FROM nation WHERE (n_nationkey, n_regionkey) NOT IN (SELECT n_nationkey, n_regionkey FROM nation WHERE n_nationkey < 5);

-- LATERAL subqueries
SELECT n_name, x FROM nation, LATERAL (SELECT n_nationkey + 1 AS x) WHERE n_nationkey < 3 ORDER BY 1;
SELECT r_name, t.cnt FROM region, LATERAL (SELECT count(*) AS cnt FROM nation WHERE n_regionkey = r_regionkey) t ORDER BY 1;
SELECT r_name, t.n_name FROM region LEFT JOIN LATERAL (SELECT n_name FROM nation WHERE n_regionkey = r_regionkey AND n_name LIKE 'A%') t ON true ORDER BY 1, 2;

-- a correlated COUNT over no rows is 0
SELECT a, (SELECT count(*) FROM s WHERE s.a = t.a) AS n FROM t ORDER BY a NULLS FIRST;
