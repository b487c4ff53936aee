CREATE TABLE sales (region VARCHAR, item VARCHAR, qty INTEGER);
INSERT INTO sales VALUES ('east', 'apple', 3), ('east', 'pear', 2), ('west', 'apple', 5), ('west', 'fig', NULL), (NULL, 'apple', 1);

SELECT region, item, sum(qty) AS total FROM sales GROUP BY ROLLUP (region, item) ORDER BY region NULLS LAST, item NULLS LAST;
SELECT region, item, count(*) AS n, grouping(region, item) AS g FROM sales GROUP BY CUBE (region, item) ORDER BY g, region NULLS LAST, item NULLS LAST;
SELECT region, item, sum(qty) AS total FROM sales GROUP BY GROUPING SETS ((region), (item), ()) ORDER BY region NULLS LAST, item NULLS LAST;
SELECT region, grouping(region) AS g, count(*) FROM sales GROUP BY ROLLUP (region) HAVING count(*) > 1 ORDER BY g, region;
SELECT n_regionkey, count(*) AS n FROM nation GROUP BY ROLLUP (n_regionkey) ORDER BY n_regionkey NULLS FIRST;
SELECT region, item, sum(qty) FROM sales GROUP BY region, ROLLUP (item) ORDER BY 1 NULLS LAST, 2 NULLS LAST;
