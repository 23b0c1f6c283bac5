-- 0003_click_reservation_days: remember on which days a claimed batch reserved its clicks.
--
-- Why: a claim reserves a batch's clicks (and cost) against the partner's day and the campaign's
-- day, which are local days in two time zones. When the batch later fails, is given back, or its
-- lease expires, the reservation must be returned to the same days even if midnight passed in
-- between; these columns record them. NULL while the batch holds no reservation.

ALTER TABLE pacer.click_batches
    ADD COLUMN partner_day date,
    ADD COLUMN campaign_day date;
COMMENT ON COLUMN pacer.click_batches.partner_day IS 'Partner-local day the leased batch''s clicks are reserved on (partner_delivery_daily); NULL when nothing is reserved.';
COMMENT ON COLUMN pacer.click_batches.campaign_day IS 'Campaign-local day the leased batch''s clicks and cost are reserved on (campaign_delivery_daily); NULL when nothing is reserved.';
