-- small tables with NULL keys and duplicates
CREATE TABLE l (k INTEGER, v VARCHAR);
CREATE TABLE r (k INTEGER, w VARCHAR);
INSERT INTO l VALUES (1, 'a'), (2, 'b'), (2, 'bb'), (NULL, 'n'), (4, 'd');
INSERT INTO r VALUES (1, 'x'), (2, 'y'), (3, 'z'), (NULL, 'm');

-- inner, outer and cross joins
SELECT l.k, v, w FROM l JOIN r ON l.k = r.k ORDER BY 1, 2;
SELECT l.k, v, r.k, w FROM l LEFT JOIN r ON l.k = r.k ORDER BY v;
SELECT l.k, v, r.k, w FROM l RIGHT JOIN r ON l.k = r.k ORDER BY w;
SELECT l.k, v, r.k, w FROM l FULL OUTER JOIN r ON l.k = r.k ORDER BY v NULLS LAST, w;
SELECT count(*) FROM l CROSS JOIN r;
SELECT count(*) FROM l, r WHERE l.k < r.k;

-- residual non-equality conditions, on outer joins too
SELECT v, w FROM l JOIN r ON l.k = r.k AND v <> 'bb' ORDER BY v;
SELECT v, w FROM l LEFT JOIN r ON l.k = r.k AND w = 'y' ORDER BY v;
SELECT v, w FROM l LEFT JOIN r ON l.k = r.k WHERE w IS NULL ORDER BY v;

-- USING, NATURAL and self-joins
SELECT k, v, w FROM l JOIN r USING (k) ORDER BY k, v;
SELECT * FROM l NATURAL JOIN r ORDER BY k, v;
SELECT a.v, b.v FROM l a JOIN l b ON a.k = b.k AND a.v < b.v ORDER BY 1, 2;

-- semi and anti joins written directly
SELECT v FROM l SEMI JOIN r ON l.k = r.k ORDER BY v;
SELECT v FROM l ANTI JOIN r ON l.k = r.k ORDER BY v;

-- joins without equality keys
SELECT v, w FROM l JOIN r ON l.k > r.k ORDER BY v, w;
SELECT v, w FROM l LEFT JOIN r ON l.k + 1 < r.k ORDER BY v, w;

-- comma joins over TPC-H: the WHERE conditions become join conditions
SELECT n_name, r_name FROM nation, region WHERE n_regionkey = r_regionkey AND r_name = 'ASIA' ORDER BY n_name;
SELECT c.c_mktsegment, count(*) AS orders FROM customer c, orders o WHERE c.c_custkey = o.o_custkey GROUP BY 1 ORDER BY 1;
SELECT s_name, count(*) FROM supplier JOIN nation ON s_nationkey = n_nationkey JOIN region ON n_regionkey = r_regionkey WHERE r_name = 'EUROPE' GROUP BY s_name ORDER BY s_name LIMIT 5;
