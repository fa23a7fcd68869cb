-- One redemption as a pgbench script: the database transaction
-- gongzhi.points.services.shop.order_place sends, statement for statement
-- (the idempotency look-ups, the savepoints of its nested atomic blocks),
-- with a random resident and random goods each time.
-- The idempotency keys are unique, so their look-ups take LIMIT 1 without
-- an ORDER BY, as the service's do.
--
-- bench/points_redeem.py runs it and passes the variables with -D; before
-- running it, it captures one real order_place call and checks that this
-- script has the same shape (verb and table of every statement, in order).
--
--   acc_lo, acc_hi      the residents' account ids (contiguous)
--   user_off            a resident's user id minus her account id
--   goods_lo, goods_hi  the goods' ids (contiguous), all at one price
--   sink_lo, shards     the first of the community's redeemed-points shards
--                       (numbered in a row) and how many there are
--   price, community, run, span, n (starts at 0, counts per client)
--
-- The pickup code is client_id * span + n % span, unique among waiting
-- orders as long as no client places more than span orders.

\set aid random(:acc_lo, :acc_hi)
\set uid :aid + :user_off
\set gid random(:goods_lo, :goods_hi)
\set n :n + 1
\set code :client_id * :span + :n % :span
\set sink :sink_lo + :aid % :shards
BEGIN;
-- replay(Order.objects, ...)
SELECT * FROM points_order
 WHERE idempotency_key = 'pgb-' || :run || '-' || :client_id || '-' || :n
 LIMIT 1;
-- Goods.objects.select_related("community"): read, not locked
SELECT points_goods.*, areas_area.* FROM points_goods
 INNER JOIN areas_area ON (points_goods.community_id = areas_area.id)
 WHERE points_goods.id = :gid LIMIT 21;
-- sink_for: account_open(kind=REDEEMED, shard=...), which finds it opened
SELECT * FROM points_account
 WHERE area_id = :community AND kind = 'redeemed' AND shard = :aid % :shards
 LIMIT 21;
-- accounts_lock: the resident's account and her shard, in key order
SELECT * FROM points_account WHERE id IN (:aid, :sink) ORDER BY id FOR UPDATE;
-- replay again, after the lock
SELECT * FROM points_order
 WHERE idempotency_key = 'pgb-' || :run || '-' || :client_id || '-' || :n
 LIMIT 1;
-- transfer_create, given the locks: no look-up of its own key (the
-- order's, under the locks, stands for it; the unique index backs it)
SAVEPOINT sp1;
SAVEPOINT sp2;
INSERT INTO points_transfer
 (kind, area_id, reason, by_id, idempotency_key, fingerprint, reverses_id, created_at)
 VALUES ('redeem', :community, '压测商品01 × 1', :uid,
  'order:pgb-' || :run || '-' || :client_id || '-' || :n,
  'abc02fadd10046637e976c78ba4f667a94f2d35eea9713e864358f3011af32a8',
  NULL, now())
 RETURNING id AS transfer_id \gset
RELEASE SAVEPOINT sp2;
INSERT INTO points_entry (transfer_id, account_id, amount)
 SELECT * FROM UNNEST(ARRAY[:transfer_id, :transfer_id]::bigint[],
  ARRAY[:aid, :sink]::bigint[], ARRAY[-:price, :price]::bigint[])
 RETURNING id;
-- both balances in one statement
UPDATE points_account SET balance = (balance + CASE WHEN id = :aid THEN -:price
 WHEN id = :sink THEN :price ELSE NULL END) WHERE id IN (:aid, :sink);
RELEASE SAVEPOINT sp1;
-- the stock, taken last by a conditional update: the goods row is locked
-- from here to the commit only
UPDATE points_goods SET stock = (stock - 1) WHERE id = :gid AND stock >= 1;
-- Order.objects.create with a drawn code, in a savepoint (a code taken
-- among the waiting orders fails the unique index and is drawn again)
SAVEPOINT sp3;
INSERT INTO points_order
 (community_id, account_id, goods_id, quantity, points, status, code,
  idempotency_key, fingerprint, transfer_id, refund_id, placed_by_id,
  placed_at, pickup_by, closed_at, closed_by_id, cancel_reason)
 VALUES (:community, :aid, :gid, 1, :price, 'placed',
  lpad(CAST(:code AS text), 6, '0'),
  'pgb-' || :run || '-' || :client_id || '-' || :n,
  '260902f2885ab1eb71fda39b29304bf18e36a793ae23e1d5c3496359724fee61',
  :transfer_id, NULL, :uid, now(), now() + interval '7 days', NULL, NULL, '')
 RETURNING id AS order_id \gset
RELEASE SAVEPOINT sp3;
-- ORDER_FLOW.begin: the order's first step in its history
INSERT INTO points_orderstep
 (action, from_status, to_status, by_id, at, note, extra, order_id)
 VALUES ('place', '', 'placed', :uid, now(), '', '{}'::jsonb, :order_id)
 RETURNING id;
INSERT INTO points_stockmove (goods_id, kind, quantity, order_id, note, by_id, created_at)
 VALUES (:gid, 'redeem', -1, :order_id, '', :uid, now())
 RETURNING id;
COMMIT;
