-- one typical case per optimizer rule: the plan trace (EXPLAIN VERBOSE
-- shows the plan after every rule that changed it) and the query's result
CREATE TABLE l (k INTEGER, v VARCHAR, n INTEGER);
CREATE TABLE r (k INTEGER, w VARCHAR);
INSERT INTO l VALUES (1, 'a', 10), (2, 'b', 20), (2, 'bb', 30), (NULL, 'n', 40), (4, 'd', NULL);
INSERT INTO r VALUES (1, 'x'), (2, 'y'), (3, 'z'), (NULL, 'm');

-- simplify_expressions: identities, CASE, casts, LIKE without wildcards, NOT (a < b)
EXPLAIN VERBOSE SELECT k * 1 AS k1, CASE WHEN false THEN 0 WHEN true THEN n END AS c FROM l WHERE v LIKE 'bb' AND NOT (k < 2);
SELECT k * 1 AS k1, CASE WHEN false THEN 0 WHEN true THEN n END AS c FROM l WHERE v LIKE 'bb' AND NOT (k < 2);

-- push_down_filter: through UNION (into every input) and DISTINCT
EXPLAIN VERBOSE SELECT * FROM (SELECT DISTINCT k FROM l UNION ALL SELECT k FROM r) u WHERE k > 1;
SELECT * FROM (SELECT DISTINCT k FROM l UNION ALL SELECT k FROM r) u WHERE k > 1;

-- push_down_limit: into both UNION ALL inputs, below the projection
EXPLAIN VERBOSE SELECT k + 1 AS k1 FROM (SELECT k FROM l UNION ALL SELECT k FROM r) u LIMIT 2;
SELECT count(*) FROM (SELECT k + 1 AS k1 FROM (SELECT k FROM l UNION ALL SELECT k FROM r) u LIMIT 2) t;

-- infer_predicates: l.k < 3 also filters r
EXPLAIN VERBOSE SELECT v, w FROM l JOIN r ON l.k = r.k WHERE l.k < 3;
SELECT v, w FROM l JOIN r ON l.k = r.k WHERE l.k < 3;

-- eliminate_outer_join: w = 'y' rejects the NULLs the LEFT join pads with
EXPLAIN VERBOSE SELECT v, w FROM l LEFT JOIN r ON l.k = r.k WHERE w = 'y';
SELECT v, w FROM l LEFT JOIN r ON l.k = r.k WHERE w = 'y';

-- replace_distinct_with_aggregate
EXPLAIN VERBOSE SELECT DISTINCT k FROM l;
SELECT DISTINCT k FROM l;

-- propagate_empty_relation: a false filter empties the join and the sort
EXPLAIN VERBOSE SELECT v, w FROM l JOIN r ON l.k = r.k WHERE 1 = 0 ORDER BY v;
SELECT v, w FROM l JOIN r ON l.k = r.k WHERE 1 = 0 ORDER BY v;

-- eliminate_common_subexpressions: (n * (1 - k)) is computed once
EXPLAIN VERBOSE SELECT sum(n * (1 - k)), sum(n * (1 - k) * 2) FROM l;
SELECT sum(n * (1 - k)), sum(n * (1 - k) * 2) FROM l;
