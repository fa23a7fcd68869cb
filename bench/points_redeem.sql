-- One redemption as a pgbench script: the database transaction
-- gongzhi.points.services.shop.order_place sends, statement for statement
-- (the idempotency look-ups, the savepoints of its nested atomic blocks, the
-- pickup-code check), with a random resident and random goods each time.
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
--   price, community, sink, run, span, n (starts at 0, counts per client)
--
-- The pickup code is client_id * span + n % span, unique among waiting
-- orders as long as no client places more than span orders.

\set aid random(:acc_lo, :acc_hi)
\set uid :aid + :user_off
\set gid random(:goods_lo, :goods_hi)
\set n :n + 1
\set code :client_id * :span + :n % :span
BEGIN;
-- replay(Order.objects, ...)
SELECT * FROM points_order
 WHERE idempotency_key = 'pgb-' || :run || '-' || :client_id || '-' || :n
 LIMIT 1;
-- Goods.objects.select_for_update(of=("self",)).select_related("community")
SELECT points_goods.*, areas_area.* FROM points_goods
 INNER JOIN areas_area ON (points_goods.community_id = areas_area.id)
 WHERE points_goods.id = :gid LIMIT 21 FOR UPDATE OF points_goods;
-- replay again, after the lock
SELECT * FROM points_order
 WHERE idempotency_key = 'pgb-' || :run || '-' || :client_id || '-' || :n
 LIMIT 1;
-- account_open(kind=REDEEMED): get_or_create, which finds it opened
SELECT * FROM points_account
 WHERE area_id = :community AND kind = 'redeemed' LIMIT 21;
-- transfer_create
SAVEPOINT sp1;
SELECT * FROM points_transfer
 WHERE idempotency_key = 'order:pgb-' || :run || '-' || :client_id || '-' || :n
 LIMIT 1;
SELECT * FROM points_account WHERE id IN (:aid, :sink) ORDER BY id FOR UPDATE;
SELECT * FROM points_transfer
 WHERE idempotency_key = 'order:pgb-' || :run || '-' || :client_id || '-' || :n
 LIMIT 1;
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
UPDATE points_account SET balance = (balance + -:price) WHERE id = :aid;
UPDATE points_account SET balance = (balance + :price) WHERE id = :sink;
RELEASE SAVEPOINT sp1;
UPDATE points_goods SET stock = (stock - 1) WHERE id = :gid;
-- _new_code and Order.objects.create, in a savepoint
SAVEPOINT sp3;
SELECT 1 AS a FROM points_order
 WHERE code = lpad(CAST(:code AS text), 6, '0') AND community_id = :community
  AND status = 'placed' LIMIT 1;
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
INSERT INTO points_stockmove (goods_id, kind, quantity, order_id, note, by_id, created_at)
 VALUES (:gid, 'redeem', -1, :order_id, '', :uid, now())
 RETURNING id;
COMMIT;
