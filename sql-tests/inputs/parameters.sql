-- parameters ($1, ?, $name) and PREPARE / EXECUTE / DEALLOCATE
CREATE TABLE t (id INTEGER, name VARCHAR, born DATE);
CREATE TABLE u (id INTEGER, score DOUBLE);
INSERT INTO t VALUES (1, 'alice', DATE '1990-01-01'), (2, 'bob', DATE '1985-06-15'), (3, 'carol', NULL);
INSERT INTO u VALUES (1, 9.5), (2, 7.0), (3, 8.25), (4, 1.0);

-- positional $n, ? (numbered in the order written) and named $name
PREPARE by_id AS SELECT name FROM t WHERE id = $1;
EXECUTE by_id(2);
EXECUTE by_id(3);
PREPARE range_q AS SELECT id FROM t WHERE id >= ? AND id <= ? ORDER BY id;
EXECUTE range_q(2, 3);
PREPARE named_q AS SELECT id FROM t WHERE name = $who OR id = $n ORDER BY id;
EXECUTE named_q(who := 'alice', n := 3);
EXECUTE named_q(n := 2, who := 'nobody');

-- the type comes from a column compared with the parameter ('2' casts to INTEGER)
EXECUTE by_id('2');
PREPARE born_q AS SELECT name FROM t WHERE born < $1;
EXECUTE born_q('1989-12-31');
-- beside a column in arithmetic: the column's type; LIMIT / OFFSET: BIGINT
PREPARE plus_q AS SELECT id + $1 AS x FROM t ORDER BY 1 LIMIT $2 OFFSET $3;
EXECUTE plus_q(10, 2, 1);
-- alone or beside a constant: the value's type
PREPARE echo AS SELECT $1 AS v;
EXECUTE echo(42);
EXECUTE echo('text');
EXECUTE echo(DATE '2024-02-29');
EXECUTE echo(NULL);
PREPARE twice AS SELECT $1 * 2 AS v;
EXECUTE twice(1.25);
EXECUTE twice(21);
-- a declared type wins
PREPARE twice_int(INTEGER) AS SELECT $1 * 2 AS v;
EXECUTE twice_int(1.25);
PREPARE as_text(VARCHAR) AS SELECT $1 || '!' AS v;
EXECUTE as_text(7);

-- placeholders in the select list, function arguments, IN lists, CASE,
-- BETWEEN, JOIN conditions, subqueries, HAVING and INSERT VALUES
PREPARE shape AS SELECT upper($1) AS a, substring(name, $2, $3) AS b, CASE WHEN id = $4 THEN 'hit' ELSE 'miss' END AS c FROM t ORDER BY id;
EXECUTE shape('x', 2, 3, 2);
PREPARE in_q AS SELECT name FROM t WHERE id IN ($1, $2) ORDER BY name;
EXECUTE in_q(1, 3);
PREPARE between_q AS SELECT id FROM u WHERE score BETWEEN $1 AND $2 ORDER BY id;
EXECUTE between_q(7, 9);
PREPARE join_q AS SELECT t.name, u.score FROM t JOIN u ON t.id = u.id AND u.score > $1 ORDER BY 1;
EXECUTE join_q(8);
PREPARE sub_q AS SELECT name FROM t WHERE id IN (SELECT id FROM u WHERE score < $1) ORDER BY 1;
EXECUTE sub_q(8);
PREPARE having_q AS SELECT id > $1 AS big, count(*) AS n FROM u GROUP BY 1 HAVING count(*) >= $2 ORDER BY 1;
EXECUTE having_q(1, 2);
PREPARE add_row AS INSERT INTO t VALUES ($1, $2, $3);
EXECUTE add_row(4, 'dave', '2000-02-02');
EXECUTE add_row('5', 'eve', NULL);
SELECT * FROM t ORDER BY id;

-- the plan keeps the parameter until EXECUTE binds it as a literal
EXPLAIN EXECUTE by_id(1);
EXPLAIN EXTENDED EXECUTE plus_q(10, 2, 1);

-- DEALLOCATE, and PREPARE under an existing name replaces it
DEALLOCATE by_id;
EXECUTE by_id(1);
DEALLOCATE PREPARE range_q;
PREPARE echo AS SELECT $1 + 1 AS v;
EXECUTE echo(1);

-- errors name the parameter
EXECUTE named_q(who := 'alice');
EXECUTE born_q('1990-01-01', 1);
EXECUTE born_q();
EXECUTE born_q('not a date');
EXECUTE add_row('six', 'x', NULL);
EXECUTE plus_q(1, -1, 0);
EXECUTE named_q('alice', 3);
EXECUTE named_q(who := 'alice', nobody := 1);
EXECUTE shape(1, 2, 3, 4, 5);
EXECUTE no_such_statement(1);
EXECUTE echo(id);
PREPARE mixed AS SELECT * FROM t WHERE id = $1 AND name = $name;
PREPARE zero AS SELECT $0;
PREPARE too_many(INTEGER, INTEGER) AS SELECT $1;
PREPARE ddl AS DROP TABLE t;
SELECT * FROM t WHERE id = $1;
SELECT $name;
CREATE VIEW v AS SELECT * FROM t WHERE id = $1;
EXPLAIN EXECUTE add_row(9, 'x', NULL);
PREPARE frame AS SELECT sum(id) OVER (ORDER BY id ROWS BETWEEN $1 PRECEDING AND CURRENT ROW) FROM t;

-- injection payloads are values: they come back as data and change nothing
PREPARE find AS SELECT id FROM t WHERE name = $1;
EXECUTE find(''' OR 1=1 --');
EXECUTE find('''; DROP TABLE t; --');
EXECUTE find('x'' UNION SELECT id FROM u --');
PREPARE echo_text AS SELECT $1 AS v, length($1) AS n;
EXECUTE echo_text(''' OR 1=1 --');
EXECUTE echo_text('''; DROP TABLE t; --');
EXECUTE echo_text('x'' UNION SELECT name, 1 FROM t --');
EXECUTE echo_text('"; DROP TABLE u; --');
EXECUTE echo_text('back\slash\'' OR ''1''=''1');
EXECUTE echo_text('$1 ? $name');
PREPARE big AS SELECT length($1) AS n, left($1, 3) AS head, $1 = repeat('x', 1048576) AS same;
EXECUTE big(repeat('x', 1048576));
EXECUTE add_row(6, '''); DROP TABLE t; --', NULL);
SELECT id, name FROM t WHERE id = 6;
SELECT count(*) FROM t;
SELECT count(*) FROM u;
SELECT count(*) FROM nation;
