-- a table where every column has NULLs
CREATE TABLE n (id INTEGER, a INTEGER, b INTEGER, s VARCHAR, f BOOLEAN);
INSERT INTO n VALUES (1, 1, 1, 'x', true), (2, 1, NULL, NULL, false), (3, NULL, NULL, '', NULL), (4, NULL, 2, 'y', true), (5, 0, 0, 'NULL', NULL);

-- NULL propagates through arithmetic, comparison, string functions and casts
SELECT id, a + b, a * 2, -a, a = b, a < b, s || '!', length(s), upper(s), CAST(a AS VARCHAR) FROM n ORDER BY id;
SELECT NULL + 1, NULL * 0, NULL / 1, NULL % 2, abs(NULL), round(NULL), 1.5 - NULL, NULL || 'a';
SELECT -NULL;
SELECT NULL + NULL, NULL * NULL;

-- NULL in WHERE is not true; comparison with NULL never matches
SELECT id FROM n WHERE a = NULL;
SELECT id FROM n WHERE a <> 1 ORDER BY id;
SELECT id FROM n WHERE NOT (a = 1) ORDER BY id;
SELECT id FROM n WHERE a IS NULL ORDER BY id;
SELECT id FROM n WHERE f ORDER BY id;
SELECT id FROM n WHERE NOT f ORDER BY id;
SELECT id FROM n WHERE f IS NOT TRUE ORDER BY id;

-- three-valued AND / OR with NULL short-circuit results
SELECT id, f AND NULL, f OR NULL, NULL AND false, NULL OR true, NOT NULL FROM n ORDER BY id;

-- IS DISTINCT FROM treats NULLs as equal values
SELECT id, a IS DISTINCT FROM b, a IS NOT DISTINCT FROM b, a = b FROM n ORDER BY id;
SELECT NULL IS DISTINCT FROM NULL, NULL IS NOT DISTINCT FROM NULL, 1 IS DISTINCT FROM NULL;

-- IN / NOT IN with NULLs on either side
SELECT id, a IN (1, 2), a NOT IN (1, 2), a IN (1, NULL), a NOT IN (2, NULL) FROM n ORDER BY id;
SELECT id FROM n WHERE a NOT IN (0, NULL);

-- CASE, COALESCE, NULLIF with NULLs
SELECT id, CASE WHEN a IS NULL THEN 'none' WHEN a = b THEN 'same' ELSE 'diff' END AS cmp FROM n ORDER BY id;
SELECT id, COALESCE(a, b, -1), COALESCE(s, 'missing'), NULLIF(a, 0), NULLIF(s, '') FROM n ORDER BY id;
SELECT id, GREATEST(a, b), LEAST(a, b) FROM n ORDER BY id;

-- NULL groups together in GROUP BY and DISTINCT; aggregates skip NULLs
SELECT a, count(*), count(b), sum(b) FROM n GROUP BY a ORDER BY a NULLS FIRST;
SELECT DISTINCT a FROM n ORDER BY a;
SELECT count(*), count(a), count(DISTINCT a), sum(a), avg(a), min(s), max(s), count(s) FROM n;
SELECT sum(a), max(s), avg(b) FROM n WHERE a IS NULL AND b IS NULL;

-- NULL ordering: ASC puts NULLs last, DESC puts NULLs first unless told otherwise
SELECT id, s FROM n ORDER BY s, id;
SELECT id, s FROM n ORDER BY s DESC, id;
SELECT id, a FROM n ORDER BY a NULLS FIRST, id DESC;

-- UNION removes duplicate NULL rows; UNION ALL keeps them
SELECT a FROM n UNION SELECT NULL;
SELECT a FROM n WHERE a IS NULL UNION ALL SELECT NULL;

-- typed and untyped NULL literals
SELECT NULL AS x, NULL::INTEGER AS y, CAST(NULL AS DATE) AS z;
SELECT x FROM (VALUES (NULL), (1)) t(x) ORDER BY x;

-- BETWEEN and LIKE with NULL
SELECT id, a BETWEEN 0 AND 1, s LIKE '%', s ILIKE NULL FROM n ORDER BY id;
