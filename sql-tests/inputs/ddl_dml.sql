-- CREATE TABLE with a column list, INSERT VALUES with and without a column list
CREATE TABLE t (id INTEGER, name VARCHAR, amount DECIMAL(10, 2), day DATE, ok BOOLEAN);
INSERT INTO t VALUES (1, 'one', 1.50, DATE '2024-01-01', true), (2, 'two', -2.25, '2024-02-29', false);
INSERT INTO t (id, name) VALUES (3, 'three');
INSERT INTO t (name, id, ok) VALUES ('four', 4, NULL), ('fünf', 5, true);
SELECT * FROM t ORDER BY id;
DESCRIBE t;

-- values are cast to the column types on insert
INSERT INTO t VALUES (6, 66, 3, '2024-12-31', 'true');
SELECT id, name, amount, day, ok FROM t WHERE id = 6;

-- column type names and their aliases
CREATE TABLE ty (a SMALLINT, b REAL, c FLOAT, d TEXT, e INT, f NUMERIC(6, 3), g NUMERIC, h TINYINT, i TIMESTAMP, j DOUBLE);
DESCRIBE ty;
INSERT INTO ty VALUES (1, 1.5, 2.5, 'x', 2, 1.2345, 6.5, 5, '2024-01-01 10:00:00', 0.25), (NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL);
SELECT * FROM ty ORDER BY a NULLS LAST;

-- INSERT ... SELECT, with and without a column list, including from the table itself
CREATE TABLE nations (nkey BIGINT, name VARCHAR);
INSERT INTO nations SELECT n_nationkey, n_name FROM nation WHERE n_regionkey = 0;
INSERT INTO nations (name, nkey) SELECT r_name, r_regionkey + 100 FROM region WHERE r_regionkey < 2;
INSERT INTO nations SELECT nkey + 1000, lower(name) FROM nations WHERE nkey < 6;
SELECT * FROM nations ORDER BY nkey;

-- non-reserved keywords as column names
CREATE TABLE kw (key INTEGER, value VARCHAR);
SELECT key, value FROM kw;
DROP TABLE IF EXISTS kw;

-- CREATE TABLE AS SELECT keeps the query's column names and types
CREATE TABLE totals AS SELECT o_orderstatus AS status, count(*) AS n, sum(o_totalprice) AS total, avg(o_shippriority) AS sp FROM orders GROUP BY o_orderstatus;
DESCRIBE totals;
SELECT * FROM totals ORDER BY status;
CREATE TABLE empty_copy AS SELECT * FROM t WHERE false;

-- views over queries, over views, with column aliases, over parquet and csv files
CREATE VIEW asia AS SELECT n_name FROM nation WHERE n_regionkey = 2;
CREATE VIEW asia_short AS SELECT n_name FROM asia WHERE length(n_name) < 6;
SELECT * FROM asia_short ORDER BY n_name;
CREATE OR REPLACE VIEW asia_short (short_name) AS SELECT n_name FROM asia WHERE length(n_name) <= 5;
SELECT * FROM asia_short ORDER BY 1;
CREATE VIEW nat AS SELECT * FROM read_parquet('data/nation.parquet');
SELECT count(*), min(n_name), max(n_nationkey) FROM nat;
SELECT * FROM read_csv('sql-tests/inputs/data/people.csv') ORDER BY id;
CREATE VIEW people AS SELECT * FROM read_csv('sql-tests/inputs/data/people.csv');
DESCRIBE people;
SELECT name, city IS NULL AS no_city, EXTRACT(YEAR FROM born) AS y FROM people WHERE score IS NULL OR score < 1 ORDER BY id;
SELECT * FROM read_csv('sql-tests/tpch/answers/q06.csv', delim = '|');

-- a view sees later inserts into its base table, and fails once the table is gone
CREATE VIEW big_ids AS SELECT id, name FROM t WHERE id > 4;
INSERT INTO t (id, name) VALUES (7, 'seven');
SELECT * FROM big_ids ORDER BY id;
CREATE TABLE base (x INTEGER);
CREATE VIEW on_base AS SELECT * FROM base;
DROP TABLE base;
SELECT * FROM on_base;

-- SHOW TABLES lists tables and views; DROP TABLE / VIEW, with IF EXISTS
SHOW TABLES;
DROP VIEW big_ids;
DROP VIEW IF EXISTS big_ids;
DROP TABLE IF EXISTS no_such_table;
DROP TABLE empty_copy;
DROP VIEW on_base;
SHOW TABLES;

-- re-creating a dropped name works; creating an existing name fails unless IF NOT EXISTS
CREATE TABLE empty_copy (x INTEGER);
CREATE TABLE empty_copy (y INTEGER);
CREATE TABLE IF NOT EXISTS empty_copy (y INTEGER);
DESCRIBE empty_copy;
