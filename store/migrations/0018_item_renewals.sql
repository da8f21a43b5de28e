-- 0018_item_renewals: an item's own renewal limit. NULL (every existing
-- item) follows the organisation's lending rules; 0 allows no renewal.

ALTER TABLE items ADD COLUMN loan_renewals INTEGER CHECK (loan_renewals BETWEEN 0 AND 100);
