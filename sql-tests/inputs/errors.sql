-- unknown column: the message suggests the closest name
SELECT n_nme FROM nation;
SELECT nationkey FROM nation;
SELECT x FROM (VALUES (1)) t(y);
SELECT n_name FROM nation ORDER BY n_regionky;

-- unknown table or view
SELECT * FROM nations;
SELECT * FROM no_such_table;
DROP TABLE no_such_table;
SELECT * FROM read_parquet('data/missing.parquet');

-- parse errors report line and column
SELECT FROM WHERE;
SELECT 1 +;
SELECT n_name
FROM nation
WHERE n_name = = 'x';
SELEC 1;

-- type errors
SELECT 'a' + 1;
SELECT n_name + 1 FROM nation;
SELECT DATE '2024-01-01' + DATE '2024-01-02';
SELECT upper(42);
SELECT no_such_function(1);
SELECT NOT 'abc';
SELECT 1 WHERE 'text';

-- wrong GROUP BY usage
SELECT n_name, count(*) FROM nation;
SELECT n_name, n_regionkey FROM nation GROUP BY n_regionkey;
SELECT n_regionkey FROM nation GROUP BY 5;
SELECT count(*) FROM nation HAVING n_name = 'x';

-- aggregates where they are not allowed
SELECT n_name FROM nation WHERE count(*) > 1;
SELECT sum(count(*)) FROM nation;
SELECT n_name FROM nation GROUP BY sum(n_nationkey);

-- division and modulo by zero on integers and decimals
SELECT 1 / 0, 1.5 / 0;
SELECT 1 // 0;
SELECT 5 % 0;
SELECT n_nationkey / (n_regionkey - n_regionkey) FROM nation WHERE n_nationkey < 2;

-- bad casts
SELECT CAST('abc' AS INTEGER);
SELECT CAST(300 AS TINYINT);
SELECT CAST('2024-02-30' AS DATE);
SELECT CAST(1234.5 AS DECIMAL(4, 1));

-- INSERT with the wrong number of values or columns
CREATE TABLE two (a INTEGER, b VARCHAR);
INSERT INTO two VALUES (1);
INSERT INTO two VALUES (1, 'x', 3);
INSERT INTO two (a) VALUES (1, 'x');
INSERT INTO two (a, c) VALUES (1, 2);
INSERT INTO two VALUES ('not a number', 'x');
INSERT INTO two SELECT n_nationkey FROM nation;
SELECT count(*) FROM two;
DROP VIEW two;

-- set operations with mismatched column counts; duplicate table
SELECT 1, 2 UNION SELECT 3;
CREATE TABLE two (z INTEGER);

-- a named window that does not exist
SELECT n_name, row_number() OVER w FROM nation;
