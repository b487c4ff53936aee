-- SELECT without FROM
SELECT 1 AS one, 'two' AS two, 3.5 AS three;

-- VALUES as a statement and as a relation with column aliases
VALUES (1, 'a'), (2, 'b'), (3, NULL);
SELECT * FROM (VALUES (1, 'a'), (2, 'b')) AS t(id, name);

-- WHERE, projection of expressions
SELECT n_nationkey, n_name FROM nation WHERE n_regionkey = 1;
SELECT n_name, n_nationkey * 10 AS k10 FROM nation WHERE n_nationkey < 5 AND n_name <> 'BRAZIL';

-- ORDER BY: multi-key, ASC/DESC, aliases, ordinals, expressions not in the select list
SELECT n_regionkey, n_name FROM nation ORDER BY n_regionkey DESC, n_name ASC LIMIT 8;
SELECT n_name AS nm FROM nation ORDER BY nm LIMIT 5;
SELECT n_name, n_regionkey FROM nation ORDER BY 2, 1 DESC LIMIT 6;
SELECT n_name FROM nation ORDER BY n_nationkey % 7, n_name LIMIT 6;

-- NULLS FIRST / NULLS LAST and default NULL ordering
SELECT x FROM (VALUES (3), (NULL), (1), (2)) t(x) ORDER BY x;
SELECT x FROM (VALUES (3), (NULL), (1), (2)) t(x) ORDER BY x DESC;
SELECT x FROM (VALUES (3), (NULL), (1), (2)) t(x) ORDER BY x NULLS FIRST;
SELECT x FROM (VALUES (3), (NULL), (1), (2)) t(x) ORDER BY x DESC NULLS LAST;

-- LIMIT / OFFSET
SELECT r_name FROM region ORDER BY r_regionkey LIMIT 2 OFFSET 1;
SELECT r_name FROM region ORDER BY r_regionkey OFFSET 3;
SELECT r_name FROM region ORDER BY r_regionkey LIMIT 0;

-- DISTINCT
SELECT DISTINCT n_regionkey FROM nation ORDER BY n_regionkey;
SELECT DISTINCT o_orderstatus, o_orderpriority FROM orders ORDER BY 1, 2;
SELECT DISTINCT x FROM (VALUES (1), (NULL), (1), (NULL)) t(x);

-- UNION and UNION ALL
SELECT 1 AS a UNION SELECT 2 UNION SELECT 1;
SELECT 1 AS a UNION ALL SELECT 2 UNION ALL SELECT 1;
SELECT r_name FROM region WHERE r_regionkey < 2 UNION ALL SELECT n_name FROM nation WHERE n_nationkey < 2 ORDER BY 1;
SELECT 1 AS a, 'x' AS b UNION SELECT 2.5, 'y' ORDER BY a;
-- set operations over a string and a non-string column
SELECT 1 AS v UNION ALL SELECT 'a';
SELECT DATE '2024-01-01' AS v UNION ALL SELECT '2024-02-01';

-- CTEs and subqueries in FROM
WITH big AS (SELECT n_name, n_regionkey FROM nation WHERE n_nationkey > 20) SELECT * FROM big ORDER BY n_name;
WITH a AS (SELECT 1 AS x), b AS (SELECT x + 1 AS y FROM a) SELECT y FROM b;
SELECT cnt FROM (SELECT n_regionkey, count(*) AS cnt FROM nation GROUP BY n_regionkey) s ORDER BY cnt, n_regionkey;
SELECT t.c * 2 AS doubled FROM (SELECT c_custkey AS c FROM customer WHERE c_custkey <= 3) AS t ORDER BY doubled;

-- DuckDB lets select-list aliases be used in WHERE, in later select items and inside ORDER BY expressions
SELECT n_nationkey * 2 AS k FROM nation WHERE k > 44 ORDER BY k;
SELECT 1 AS a, a + 1 AS b;
SELECT n_name AS nm FROM nation ORDER BY lower(nm) DESC LIMIT 2;

-- star and qualified star, column aliases without AS, case-insensitive and quoted identifiers
SELECT * FROM region ORDER BY r_regionkey;
SELECT region.* FROM region WHERE r_regionkey = 0;
SELECT r_name name, r_regionkey FROM region ORDER BY name DESC LIMIT 2;
SELECT N_NAME, "n_regionkey", 1 AS "My Col" FROM NATION WHERE N_NATIONKEY = 1;

-- queries over TPC-H tables
SELECT o_orderkey, o_totalprice FROM orders WHERE o_totalprice > 400000 ORDER BY o_totalprice DESC;
SELECT count(*) FROM lineitem WHERE l_shipmode IN ('AIR', 'MAIL') AND l_quantity >= 49;
SELECT o_orderkey FROM orders ORDER BY o_orderkey DESC LIMIT 3 OFFSET 14997;
SELECT c_name, c_acctbal FROM customer ORDER BY c_acctbal DESC, c_custkey LIMIT 3 OFFSET 100;

-- edge cases: alias shadowing a column in ORDER BY, CTE shadowing a table, nested VALUES types
SELECT n_nationkey AS n_regionkey FROM nation WHERE n_nationkey < 6 ORDER BY n_regionkey DESC;
WITH region AS (SELECT 42 AS r_regionkey) SELECT * FROM region;
SELECT * FROM (VALUES (1, 2.5), (NULL, -3), (4, NULL)) t(a, b) ORDER BY a NULLS FIRST;
SELECT * FROM (SELECT * FROM (SELECT r_regionkey AS k, r_name FROM region) WHERE k > 1) WHERE k < 4 ORDER BY k;
SELECT 'a' AS s UNION ALL SELECT NULL UNION ALL SELECT 'b' ORDER BY s NULLS FIRST;
