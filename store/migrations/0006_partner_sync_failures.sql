-- 0006_partner_sync_failures: a partner's consecutive failed sync steps,
-- kept so that the retry backoff survives a restart.

ALTER TABLE partners ADD COLUMN sync_failures INTEGER NOT NULL DEFAULT 0;
