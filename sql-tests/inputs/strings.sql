-- a small table of strings with NULL, empty, padded and unicode values
CREATE TABLE words (id INTEGER, w VARCHAR);
INSERT INTO words VALUES (1, 'Hello'), (2, ''), (3, NULL), (4, '  padded  '), (5, 'Ünïcödé straße'), (6, '日本語テキスト'), (7, 'a_b%c'), (8, 'MiXeD CaSe');

-- upper, lower, length
SELECT id, upper(w), lower(w), length(w) FROM words ORDER BY id;

-- substring in both syntaxes, including out-of-range and negative starts
SELECT id, substring(w, 2, 3), SUBSTRING(w FROM 1 FOR 4), substring(w, 3) FROM words ORDER BY id;
SELECT substring('hello', 0, 2), substring('hello', -3, 2), substring('hello', 10, 2), substring('hello', 2, 0), SUBSTRING('hello' FROM 3);

-- trim family
SELECT '[' || trim(w) || ']', '[' || ltrim(w) || ']', '[' || rtrim(w) || ']' FROM words WHERE id = 4;
SELECT trim('xxhixx', 'x'), ltrim('xxhixx', 'x'), rtrim('xxhixx', 'x'), trim(''), trim(NULL);

-- replace, position, left, right
SELECT id, replace(w, 'l', 'L'), position('l' IN w), left(w, 2), right(w, 3) FROM words ORDER BY id;
SELECT replace('aaa', 'a', ''), replace('abc', '', 'x'), position('' IN 'abc'), position('z' IN 'abc'), left('abc', -1), right('abc', 10);

-- concatenation: concat skips NULLs, || propagates them
SELECT id, concat(w, '!', id), w || '!' FROM words ORDER BY id;
SELECT concat('a', NULL, 'b'), 'a' || NULL, concat(1, 2.5, true), 'x' || 1 || 'y';

-- starts_with, LIKE, ILIKE (with % and _ wildcards)
SELECT id FROM words WHERE starts_with(w, 'H') OR starts_with(w, '日') ORDER BY id;
SELECT id, w LIKE 'H%', w LIKE '_e%', w ILIKE 'h%', w NOT LIKE '%e%' FROM words ORDER BY id;
SELECT 'abc' LIKE 'abc', 'abc' LIKE 'a%', 'abc' LIKE '_b_', 'abc' LIKE 'A%', 'abc' ILIKE 'A%', '' LIKE '%', 'a.c' LIKE 'a.c', 'abc' LIKE 'a.c', 'ümlaut' ILIKE 'Ü%';
SELECT 'a%c' LIKE 'a\%c' ESCAPE '\', 'abc' LIKE 'a\%c' ESCAPE '\';
SELECT p_name FROM part WHERE p_name LIKE '%green%' AND p_name ILIKE 'ALMOND%' ORDER BY p_name LIMIT 5;

-- string comparison and ordering (byte order; NULLs last)
SELECT w FROM words ORDER BY w;
SELECT w FROM words ORDER BY w DESC NULLS FIRST LIMIT 3;
SELECT min(w), max(w), count(w), count(DISTINCT length(w)) FROM words;

-- string functions on TPC-H columns
SELECT c_custkey, upper(substring(c_name, 10, 9)) AS suffix, length(c_address) AS len, left(c_phone, 2) AS cc FROM customer WHERE c_custkey <= 5 ORDER BY c_custkey;
SELECT left(p_type, position(' ' IN p_type) - 1) AS first_word, count(*) AS n FROM part GROUP BY first_word ORDER BY first_word;
SELECT s_name, replace(s_name, 'Supplier#', 'S-') AS short FROM supplier ORDER BY s_suppkey LIMIT 3;

-- casts between strings and other types
SELECT CAST(42 AS VARCHAR) || 'x', CAST(' 7 ' AS INTEGER), CAST('-1.50' AS DECIMAL(5, 2)), length(CAST(3.25 AS VARCHAR)), CAST(DATE '2024-03-01' AS VARCHAR);

-- quoting
SELECT 'it''s' AS s, length('it''s') AS n, 'a''' || '''b' AS q;

-- LIKE with a custom escape character; a backslash is then an ordinary character
SELECT 'a_c' LIKE 'a#_c' ESCAPE '#', 'abc' LIKE 'a#_c' ESCAPE '#', 'a\b' LIKE 'a\b' ESCAPE '#', '50%' LIKE '50!%' ESCAPE '!';
