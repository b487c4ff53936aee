-- scores per team, with ties, NULL teams and NULL points
CREATE TABLE games (team VARCHAR, player VARCHAR, day DATE, pts INTEGER, bonus DOUBLE);
INSERT INTO games VALUES ('red', 'ann', DATE '2024-01-01', 10, 1.5), ('red', 'bob', DATE '2024-01-02', 20, NULL), ('red', 'cat', DATE '2024-01-04', 20, 2.0), ('red', 'dan', DATE '2024-01-08', NULL, 0.5), ('blue', 'eve', DATE '2024-01-01', 5, 1.0), ('blue', 'fay', DATE '2024-01-03', 15, 3.0), (NULL, 'gus', DATE '2024-01-02', 7, NULL), (NULL, 'hal', DATE '2024-01-05', 7, 4.0);

-- ranking functions with ties and a NULL partition
SELECT team, player, pts, row_number() OVER (PARTITION BY team ORDER BY pts DESC, player) AS rn, rank() OVER (PARTITION BY team ORDER BY pts DESC) AS rk, dense_rank() OVER (PARTITION BY team ORDER BY pts DESC) AS drk FROM games ORDER BY team NULLS FIRST, player;
SELECT player, pts, percent_rank() OVER (ORDER BY pts) AS pr, cume_dist() OVER (ORDER BY pts) AS cd FROM games ORDER BY player;
SELECT player, ntile(3) OVER (ORDER BY player) AS t3, ntile(10) OVER (ORDER BY player) AS t10 FROM games ORDER BY player;

-- NULLS FIRST / LAST in the window order (DuckDB defaults to NULLS LAST)
SELECT player, pts, row_number() OVER (ORDER BY pts, player) AS asc_last, row_number() OVER (ORDER BY pts DESC NULLS FIRST, player) AS desc_first FROM games ORDER BY player;

-- lag and lead with offsets and defaults
SELECT player, pts, lag(pts) OVER (PARTITION BY team ORDER BY player) AS prev, lead(pts, 2, -1) OVER (PARTITION BY team ORDER BY player) AS next2, lag(player, 1, 'none') OVER (ORDER BY player) AS prev_player FROM games ORDER BY player;

-- first_value, last_value and nth_value with the default and explicit frames
SELECT player, first_value(player) OVER (PARTITION BY team ORDER BY day) AS fv, last_value(player) OVER (PARTITION BY team ORDER BY day) AS lv, last_value(player) OVER (PARTITION BY team ORDER BY day ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) AS lv_all, nth_value(player, 2) OVER (PARTITION BY team ORDER BY day) AS second FROM games ORDER BY player;

-- aggregates over the whole partition (no ORDER BY)
SELECT player, team, count(*) OVER (PARTITION BY team) AS n, count(pts) OVER (PARTITION BY team) AS n_pts, sum(pts) OVER (PARTITION BY team) AS total, avg(pts) OVER (PARTITION BY team) AS mean, min(pts) OVER (PARTITION BY team) AS lo, max(player) OVER (PARTITION BY team) AS hi FROM games ORDER BY player;
SELECT player, sum(pts) OVER () AS total, count(*) OVER () AS n FROM games ORDER BY player;
SELECT player, round(stddev_samp(pts) OVER (PARTITION BY team), 6) AS sd, round(var_pop(bonus) OVER (PARTITION BY team), 6) AS vp, round(stddev_pop(pts) OVER (), 6) AS sdp_all, round(variance(bonus) OVER (), 6) AS var_all FROM games ORDER BY player;

-- running aggregates: the default RANGE frame includes peers, ROWS does not
SELECT player, pts, sum(pts) OVER (ORDER BY pts) AS range_sum, sum(pts) OVER (ORDER BY pts ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS rows_sum FROM games ORDER BY pts, player;
SELECT player, day, count(*) OVER (PARTITION BY team ORDER BY day) AS running, avg(bonus) OVER (PARTITION BY team ORDER BY day) AS running_avg FROM games ORDER BY player;

-- sliding ROWS frames
SELECT player, pts, sum(pts) OVER (ORDER BY player ROWS BETWEEN 1 PRECEDING AND 1 FOLLOWING) AS s3, max(pts) OVER (ORDER BY player ROWS 2 PRECEDING) AS m3, count(pts) OVER (ORDER BY player ROWS BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING) AS rest, min(player) OVER (ORDER BY player ROWS BETWEEN 2 FOLLOWING AND 3 FOLLOWING) AS ahead FROM games ORDER BY player;
SELECT player, sum(pts) OVER (ORDER BY player ROWS BETWEEN 3 PRECEDING AND 1 PRECEDING) AS before3, first_value(player) OVER (ORDER BY player ROWS BETWEEN 1 FOLLOWING AND UNBOUNDED FOLLOWING) AS after FROM games ORDER BY player;

-- RANGE frames with offsets over a numeric and a date key
SELECT player, pts, count(*) OVER (ORDER BY pts RANGE BETWEEN 5 PRECEDING AND 5 FOLLOWING) AS near, sum(pts) OVER (ORDER BY pts DESC RANGE BETWEEN 10 PRECEDING AND CURRENT ROW) AS desc_sum FROM games ORDER BY player;
SELECT player, day, count(*) OVER (ORDER BY day RANGE BETWEEN INTERVAL 1 DAY PRECEDING AND CURRENT ROW) AS last2days, sum(pts) OVER (PARTITION BY team ORDER BY day RANGE BETWEEN CURRENT ROW AND INTERVAL 3 DAY FOLLOWING) AS next3 FROM games ORDER BY player;
SELECT player, bonus, sum(bonus) OVER (ORDER BY bonus RANGE BETWEEN 1 PRECEDING AND 0.5 FOLLOWING) AS around FROM games ORDER BY player;

-- FILTER on a window aggregate
SELECT player, count(*) FILTER (WHERE pts > 8) OVER (PARTITION BY team) AS big FROM games ORDER BY player;

-- windows over a grouped query, and ORDER BY a window column
SELECT team, sum(pts) AS total, rank() OVER (ORDER BY sum(pts) DESC) AS place FROM games GROUP BY team ORDER BY place, team;
SELECT team, count(*) AS n, sum(count(*)) OVER () AS all_rows, lag(team) OVER (ORDER BY max(pts)) AS prev FROM games WHERE team IS NOT NULL GROUP BY team ORDER BY team;
SELECT player, pts FROM games ORDER BY row_number() OVER (ORDER BY player DESC) LIMIT 3;

-- expressions around and inside window calls
SELECT player, pts - avg(pts) OVER (PARTITION BY team) AS diff, row_number() OVER (ORDER BY pts * -1, player) + 100 AS shifted FROM games ORDER BY player;
SELECT DISTINCT team, count(*) OVER (PARTITION BY team) AS n FROM games ORDER BY team NULLS LAST;

-- errors
SELECT player FROM games WHERE row_number() OVER () > 1;
SELECT team FROM games GROUP BY team HAVING rank() OVER (ORDER BY team) > 1;
SELECT sum(row_number() OVER ()) FROM games;
SELECT player, pts, rank() OVER (ORDER BY pts) FROM games GROUP BY player;
SELECT ntile(0) OVER () FROM games;
SELECT player, sum(pts) OVER w2 FROM games;
