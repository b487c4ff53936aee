-- integer arithmetic and result types
SELECT 7 + 3, 7 - 10, 7 * -3, 7 / 2, 7 // 2, -7 // 2, 7 % 3, -7 % 3, 7 % -3;
SELECT 9223372036854775807 - 1, -(-5), 2147483647 + 1::BIGINT;
-- literal types: negative literals at the type boundaries, big and fractional literals
SELECT -2147483648, -9223372036854775808, 2147483648, 3000000000, .5, 1e3;
-- integer overflow is an error in DuckDB
SELECT 2147483647 + 1;
SELECT CAST(100 AS SMALLINT) * CAST(2 AS TINYINT), CAST(5 AS BIGINT) / CAST(2 AS INTEGER);

-- float arithmetic
SELECT 1.5::DOUBLE * 2, 0.1::DOUBLE + 0.2, 1::DOUBLE / 3, 10::REAL / 4, 5.5::DOUBLE % 2;
SELECT 1e300 * 10, -0.0::DOUBLE, 1e-7::DOUBLE, 123456789.125::DOUBLE;
SELECT 1e15::DOUBLE, 1e16::DOUBLE, 1e20::DOUBLE, 1e-5::DOUBLE, CAST(1e20::DOUBLE AS VARCHAR), CAST(1e-5::DOUBLE AS VARCHAR);
-- integer division of non-integers
SELECT 5 // 2.0, 5.0 // 2, 7.5::DOUBLE // 2;
-- float division by zero (integer division by zero is in errors.sql)
SELECT 1::DOUBLE / 0, -1::DOUBLE / 0, 0::DOUBLE / 0;

-- decimal arithmetic and result types
SELECT 1.25 + 2.5, 1.25 - 3, 1.25 * 2.5, 10.00 / 4, 1.25 * 3, 7.5 % 2;
SELECT 0.1 + 0.2 = 0.3, 12345678901234.56 * 100, CAST(3.14159 AS DECIMAL(10, 2)), 2.5 + 1.5::DOUBLE;
SELECT l_extendedprice * (1 - l_discount) AS disc, l_extendedprice * l_tax AS tax FROM lineitem WHERE l_orderkey = 1 ORDER BY l_linenumber;

-- comparisons across types
SELECT 1 = 1.0, 2 > 1.5, 'abc' < 'abd', 'B' < 'a', DATE '2024-01-01' < DATE '2024-01-02', 1 <> 2, 3 != 3;
SELECT 1 < NULL, NULL = NULL, NULL <> 1;

-- three-valued logic
SELECT a, b, a AND b, a OR b, NOT a FROM (VALUES (true, true), (true, false), (true, NULL), (false, NULL), (NULL, NULL), (false, false)) t(a, b);

-- IS [NOT] NULL, IS [NOT] DISTINCT FROM
SELECT x, x IS NULL, x IS NOT NULL, x IS DISTINCT FROM 1, x IS NOT DISTINCT FROM NULL FROM (VALUES (1), (2), (NULL)) t(x);

-- BETWEEN and IN
SELECT 5 BETWEEN 1 AND 10, 5 NOT BETWEEN 1 AND 4, 5 BETWEEN 10 AND 1, NULL BETWEEN 1 AND 2, 3 BETWEEN NULL AND 2;
SELECT 1 IN (1, 2), 3 IN (1, 2), 3 NOT IN (1, 2), 3 IN (1, NULL), 1 IN (1, NULL), 3 NOT IN (1, NULL), NULL IN (1);
SELECT n_name FROM nation WHERE n_nationkey IN (3, 5, 7) OR n_name BETWEEN 'U' AND 'V' ORDER BY n_name;

-- CASE (searched and simple)
SELECT x, CASE WHEN x < 0 THEN 'neg' WHEN x = 0 THEN 'zero' ELSE 'pos' END AS sign FROM (VALUES (-2), (0), (5), (NULL)) t(x);
SELECT x, CASE x WHEN 1 THEN 'one' WHEN 2 THEN 'two' END AS name FROM (VALUES (1), (2), (3), (NULL)) t(x);
SELECT CASE WHEN NULL THEN 1 ELSE 2 END, CASE NULL WHEN NULL THEN 'match' ELSE 'no match' END, CASE WHEN 1 = 1 THEN 1 ELSE 2.5 END;
-- CASE only evaluates a branch for the rows that reach it
SELECT s, CASE WHEN s IN ('1', '2') THEN CAST(s AS INTEGER) ELSE -1 END AS v FROM (VALUES ('1'), ('x')) t(s);
SELECT o_orderpriority, count(*) AS n, sum(CASE WHEN o_orderstatus = 'F' THEN 1 ELSE 0 END) AS finished FROM orders GROUP BY o_orderpriority ORDER BY o_orderpriority;

-- CAST and ::
SELECT CAST('42' AS INTEGER), '3.7'::DOUBLE, 3.7::INTEGER, -3.5::INTEGER, 2.5::INTEGER, CAST(1 AS VARCHAR), CAST(true AS INTEGER);
SELECT CAST('2024-02-29' AS DATE), '1.5'::DECIMAL(4, 2), 123.456::DECIMAL(5, 1), CAST(1.9::DOUBLE AS BIGINT), 'true'::BOOLEAN, CAST(0 AS BOOLEAN);
SELECT CAST(NULL AS INTEGER), NULL::VARCHAR, CAST(o_orderdate AS VARCHAR) FROM orders WHERE o_orderkey = 1;

-- COALESCE, NULLIF, GREATEST, LEAST
SELECT COALESCE(NULL, NULL, 3), COALESCE(NULL, 'x'), COALESCE(1, 2.5), NULLIF(1, 1), NULLIF(1, 2), NULLIF('a', NULL);
SELECT GREATEST(1, 5, 3), LEAST(1, 5, 3), GREATEST(1, NULL, 3), LEAST(NULL, NULL), GREATEST('apple', 'pear'), LEAST(1, 2.5);

-- math functions
SELECT abs(-3), abs(-2.5), abs(NULL::INTEGER), round(2.5), round(-2.5), round(3.14159, 2), round(1234.5, -2), round(2.5::DOUBLE);
SELECT ceil(1.2), ceil(-1.2), floor(1.8), floor(-1.8), ceil(2.5::DOUBLE), floor(-0.5::DOUBLE);
SELECT power(2, 10), power(2.0, -1), pow(9, 0.5), sqrt(16), sqrt(2), 17 % 5, 17.5 % 5;
SELECT sqrt(-1), abs(-9223372036854775807);

-- arithmetic on TPC-H columns
SELECT p_partkey, p_retailprice, round(p_retailprice * 1.1, 2) AS raised, p_size % 7 AS m FROM part WHERE p_partkey <= 5 ORDER BY p_partkey;

-- -0.0 equals 0.0 in comparisons, IN lists, joins, GROUP BY and DISTINCT
CREATE TABLE z (d DOUBLE);
INSERT INTO z VALUES (0.0);
SELECT -d = d AS eq, -d < d AS lt, -d IN (1, d) AS in_list FROM z;
SELECT count(*) FROM z a JOIN z b ON -a.d = b.d;
SELECT count(*) AS groups FROM (SELECT -d, count(*) FROM (SELECT d FROM z UNION ALL SELECT -d FROM z) GROUP BY -d);
SELECT count(*) AS distinct_values FROM (SELECT DISTINCT x FROM (SELECT d AS x FROM z UNION ALL SELECT -d FROM z));
