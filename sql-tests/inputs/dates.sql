-- DATE, TIMESTAMP and INTERVAL literals
SELECT DATE '2024-02-29', TIMESTAMP '2024-02-29 13:45:01', TIMESTAMP '2024-02-29 13:45:01.5', INTERVAL 3 DAY, INTERVAL '2 hours', INTERVAL '1 year 2 months';
SELECT CAST('2024-01-01 10:00' AS TIMESTAMP), TIMESTAMP '2024-01-01T10:00:00', DATE '0001-01-01', INTERVAL '-1 day', INTERVAL '-2 hours';
SELECT CAST('1999-12-31' AS DATE), '2000-01-01 00:00:00'::TIMESTAMP, CAST(TIMESTAMP '2020-05-06 07:08:09' AS DATE), CAST(DATE '2020-05-06' AS TIMESTAMP);

-- date +/- interval, date +/- integer, date - date
SELECT DATE '2024-01-31' + INTERVAL 1 MONTH, DATE '2024-03-31' - INTERVAL 1 MONTH, DATE '2023-12-31' + INTERVAL 1 DAY, DATE '2024-02-28' + INTERVAL '1 year';
SELECT DATE '2024-01-01' + 30, DATE '2024-01-01' - 1, DATE '2024-03-01' - DATE '2024-02-01', DATE '2020-01-01' - DATE '2021-01-01';
SELECT TIMESTAMP '2024-01-01 23:30:00' + INTERVAL 45 MINUTE, TIMESTAMP '2024-01-01 00:00:00' - INTERVAL '1 day 2 hours', DATE '2024-01-01' + INTERVAL 36 HOUR;
SELECT INTERVAL 1 DAY + INTERVAL 2 HOUR, INTERVAL '90 minutes', INTERVAL '1 day' - INTERVAL '1 hour', -INTERVAL '3 days';
SELECT TIMESTAMP '2024-01-02 00:00:00' - TIMESTAMP '2024-01-01 12:00:00';
SELECT INTERVAL 1 MONTH * 3;

-- EXTRACT and date_part
SELECT EXTRACT(YEAR FROM DATE '2024-07-15'), EXTRACT(MONTH FROM DATE '2024-07-15'), EXTRACT(DAY FROM DATE '2024-07-15'), EXTRACT(QUARTER FROM DATE '2024-07-15'), EXTRACT(DOW FROM DATE '2024-07-15'), EXTRACT(DOY FROM DATE '2024-07-15');
SELECT date_part('year', TIMESTAMP '2024-07-15 10:20:30'), date_part('hour', TIMESTAMP '2024-07-15 10:20:30'), date_part('minute', TIMESTAMP '2024-07-15 10:20:30'), EXTRACT(SECOND FROM TIMESTAMP '2024-07-15 10:20:30'), date_part('week', DATE '2024-01-01');
SELECT EXTRACT(YEAR FROM NULL::DATE), date_part('month', NULL::TIMESTAMP);

-- date_trunc
SELECT date_trunc('month', DATE '2024-07-15'), date_trunc('year', DATE '2024-07-15'), date_trunc('quarter', DATE '2024-08-15'), date_trunc('week', DATE '2024-07-17');
SELECT date_trunc('day', TIMESTAMP '2024-07-15 10:20:30'), date_trunc('hour', TIMESTAMP '2024-07-15 10:20:30'), date_trunc('minute', TIMESTAMP '2024-07-15 10:20:30.75');

-- comparisons, BETWEEN and ordering on dates
SELECT DATE '2024-01-01' = TIMESTAMP '2024-01-01 00:00:00', DATE '2024-01-01' < TIMESTAMP '2024-01-01 00:00:01', DATE '2024-01-01' BETWEEN DATE '2023-12-31' AND DATE '2024-01-02';
SELECT d FROM (VALUES (DATE '2024-05-01'), (NULL), (DATE '1970-01-01'), (DATE '2024-04-30')) t(d) ORDER BY d DESC;
SELECT min(d), max(d), count(d) FROM (VALUES (DATE '2024-05-01'), (NULL), (DATE '1970-01-01')) t(d);

-- dates in TPC-H: filtering, grouping by year and month, date arithmetic
SELECT count(*) FROM orders WHERE o_orderdate >= DATE '1995-01-01' AND o_orderdate < DATE '1995-01-01' + INTERVAL 1 MONTH;
SELECT EXTRACT(YEAR FROM o_orderdate) AS y, count(*) AS n, min(o_orderdate) AS first, max(o_orderdate) AS last FROM orders GROUP BY y ORDER BY y;
SELECT date_trunc('month', o_orderdate) AS m, count(*) AS n FROM orders WHERE o_orderdate < DATE '1992-07-01' GROUP BY m ORDER BY m;
SELECT l_orderkey, l_linenumber, l_shipdate, l_receiptdate, l_receiptdate - l_shipdate AS transit, l_shipdate + INTERVAL 90 DAY AS due FROM lineitem WHERE l_orderkey <= 3 ORDER BY l_orderkey, l_linenumber;
SELECT count(*) FROM lineitem WHERE l_shipdate <= DATE '1998-12-01' - INTERVAL 90 DAY;
SELECT o_orderkey, o_orderdate FROM orders WHERE o_orderdate BETWEEN DATE '1998-08-01' AND DATE '1998-08-02' ORDER BY o_orderkey;
SELECT date_part('dow', o_orderdate) AS dow, count(*) FROM orders GROUP BY dow ORDER BY dow;

-- string-to-date casts: implicit in a comparison, and invalid values
SELECT count(*) FROM orders WHERE o_orderdate = '1996-01-02';
SELECT CAST('2024-13-01' AS DATE);
SELECT CAST('not a date' AS TIMESTAMP);
