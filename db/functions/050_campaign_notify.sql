-- Campaign changes reach every instance through NOTIFY on channel pacer_campaigns (payload: the
-- campaign id). Campaign edits are rare, so the global lock NOTIFY takes at commit costs nothing.

-- Trigger function: notifies pacer_campaigns with the id of the inserted, updated or deleted row.
CREATE OR REPLACE FUNCTION pacer.notify_campaign_change()
RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
    PERFORM pg_notify('pacer_campaigns', CASE WHEN TG_OP = 'DELETE' THEN OLD.id ELSE NEW.id END::text);
    RETURN NULL;
END;
$$;

CREATE OR REPLACE TRIGGER campaigns_notify
AFTER INSERT OR UPDATE OR DELETE ON pacer.campaigns
FOR EACH ROW EXECUTE FUNCTION pacer.notify_campaign_change();

-- Trigger function: notifies pacer_campaigns with '*' when the global kill switch changes.
CREATE OR REPLACE FUNCTION pacer.notify_global_controls_change()
RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
    PERFORM pg_notify('pacer_campaigns', '*');
    RETURN NULL;
END;
$$;

CREATE OR REPLACE TRIGGER global_controls_notify
AFTER UPDATE ON pacer.global_controls
FOR EACH ROW EXECUTE FUNCTION pacer.notify_global_controls_change();
