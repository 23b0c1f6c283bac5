-- API token changes reach every instance through NOTIFY on channel pacer_tokens (empty payload):
-- each instance reloads its token cache, so a revoked token is refused everywhere within
-- milliseconds rather than at the next periodic reload. Token changes are rare.

-- Trigger function: notifies pacer_tokens once per statement that changed pacer.api_tokens.
CREATE OR REPLACE FUNCTION pacer.notify_token_change()
RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
    PERFORM pg_notify('pacer_tokens', '');
    RETURN NULL;
END;
$$;

CREATE OR REPLACE TRIGGER api_tokens_notify
AFTER INSERT OR UPDATE OR DELETE ON pacer.api_tokens
FOR EACH STATEMENT EXECUTE FUNCTION pacer.notify_token_change();
