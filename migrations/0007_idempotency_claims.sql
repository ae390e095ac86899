-- Idempotency claims that survive a crashed server.
--
-- A POST with an Idempotency-Key claims its key before it runs. Until now a claim whose server
-- died before answering stayed "in progress" for 24 hours, and a write that committed just before
-- the crash had no kept answer, so its retries got 409 for a day. Now each claim carries a token
-- and the time it was made: a write records its answer under the token in its own transaction,
-- and a claim left unanswered past the lease may be taken over by a retry (the token changes, so
-- the first request, should it still be running, can no longer commit).

ALTER TABLE idempotency_keys
    ADD COLUMN claim_token uuid NOT NULL DEFAULT gen_random_uuid(),
    ADD COLUMN claimed_at  timestamptz NOT NULL DEFAULT now();
