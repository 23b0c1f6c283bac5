/// `components/schemas` of the OpenAPI document, as JSON text (parsed once when the document is built).
enum OpenAPISchemas {
    static let json = #"""
    {
      "Problem": {"type": "object", "required": ["type", "title", "status"], "properties": {
        "type": {"type": "string"}, "title": {"type": "string"}, "status": {"type": "integer"}, "detail": {"type": "string"},
        "errors": {"type": "array", "description": "Each problem with the input: the field it names, or for an upload the line.",
          "items": {"type": "object", "required": ["message"],
          "properties": {"field": {"type": "string"}, "line": {"type": "integer"}, "message": {"type": "string"}}}}}},
      "AnyJSON": {},
      "AnyObject": {"type": "object"},
      "PartnerInput": {"type": "object", "required": ["name", "endpoint_url", "format", "rate_limit_per_second", "batch_size"], "properties": {
        "name": {"type": "string", "minLength": 1, "maxLength": 200},
        "endpoint_url": {"type": "string", "format": "uri"},
        "format": {"type": "string", "enum": ["json", "ndjson", "csv"]},
        "headers": {"type": "object", "additionalProperties": {"type": "string"}, "description": "Sent with every batch; never shown again."},
        "rate_limit_per_second": {"type": "number", "exclusiveMinimum": 0},
        "daily_cap": {"type": ["integer", "null"], "minimum": 0},
        "batch_size": {"type": "integer", "minimum": 1, "maximum": 100000},
        "timeout_ms": {"type": "integer", "minimum": 1},
        "max_attempts": {"type": "integer", "minimum": 1},
        "timezone": {"type": "string"},
        "version": {"type": "integer", "minimum": 1}}},
      "Partner": {"type": "object", "required": ["id", "name", "endpoint_url", "format"], "properties": {
        "id": {"type": "string", "format": "uuid"}, "name": {"type": "string"}, "endpoint_url": {"type": "string"},
        "format": {"type": "string", "enum": ["json", "ndjson", "csv"]},
        "header_names": {"type": "array", "items": {"type": "string"}}}},
      "DatasetUpload": {"type": "object", "required": ["id", "rows_accepted", "rows_rejected", "errors"], "properties": {
        "id": {"type": "string", "format": "uuid"}, "rows_accepted": {"type": "integer"}, "rows_rejected": {"type": "integer"},
        "errors": {"type": "array", "items": {"type": "object", "properties": {"line": {"type": "integer"}, "message": {"type": "string"}}}}}},
      "Health": {"type": "object", "required": ["status"], "properties": {"status": {"type": "string"}}},
      "Readiness": {"type": "object", "required": ["status", "database", "schema"], "properties": {
        "status": {"type": "string"}, "database": {"type": "string"}, "schema": {"type": "string"},
        "mode": {"type": "string", "enum": ["normal", "degraded"]}, "degraded_since": {"type": "string", "format": "date-time"},
        "journal_pending_events": {"type": "integer"}}},
      "OpenAPIDocument": {"type": "object", "required": ["openapi", "paths"]},
      "Cents": {"type": "number", "description": "An amount in cents with up to 4 decimal places, converted exactly."},
      "BreakerInput": {"type": "object", "properties": {
        "trip_ratio": {"type": "number", "exclusiveMinimum": 0, "maximum": 1},
        "cooldown_seconds": {"type": "number", "exclusiveMinimum": 0},
        "probe_bids": {"type": "integer", "minimum": 0},
        "recovery_throttle": {"type": "number", "minimum": 0, "maximum": 1}}},
      "CampaignInput": {"type": "object", "required": ["name", "daily_budget_cents", "pacing"], "properties": {
        "name": {"type": "string", "minLength": 1, "maxLength": 200},
        "daily_budget_cents": {"$ref": "#/components/schemas/Cents"},
        "total_budget_cents": {"type": ["number", "null"]},
        "pacing": {"type": "string", "enum": ["EVEN", "ASAP", "FRONT_LOADED", "ADAPTIVE"]},
        "timezone": {"type": "string", "description": "IANA time zone name (default UTC)."},
        "currency": {"type": "string", "pattern": "^[A-Z]{3}$", "description": "ISO 4217 (default USD)."},
        "start_date": {"type": ["string", "null"], "format": "date"},
        "end_date": {"type": ["string", "null"], "format": "date"},
        "status": {"type": "string", "enum": ["active", "paused"]},
        "cost_per_click_cents": {"type": ["number", "null"]},
        "front_loaded_shape": {"type": "number"},
        "breaker": {"$ref": "#/components/schemas/BreakerInput"},
        "version": {"type": "integer", "minimum": 1, "description": "The version last read; a stale one is a 409."}}},
      "Campaign": {"type": "object",
        "required": ["id", "name", "daily_budget_cents", "pacing", "timezone", "currency", "status", "breaker", "created_at", "updated_at", "version"],
        "properties": {
          "id": {"type": "string", "format": "uuid"}, "name": {"type": "string"},
          "daily_budget_cents": {"type": "number"}, "total_budget_cents": {"type": ["number", "null"]},
          "pacing": {"type": "string", "enum": ["EVEN", "ASAP", "FRONT_LOADED", "ADAPTIVE"]},
          "timezone": {"type": "string"}, "currency": {"type": "string"},
          "start_date": {"type": ["string", "null"], "format": "date"}, "end_date": {"type": ["string", "null"], "format": "date"},
          "status": {"type": "string", "enum": ["active", "paused", "archived"]},
          "cost_per_click_cents": {"type": ["number", "null"]}, "front_loaded_shape": {"type": "number"},
          "breaker": {"type": "object", "required": ["trip_ratio", "cooldown_seconds", "probe_bids", "recovery_throttle", "override"],
            "properties": {"trip_ratio": {"type": "number"}, "cooldown_seconds": {"type": "number"}, "probe_bids": {"type": "integer"},
              "recovery_throttle": {"type": "number"}, "override": {"type": "string", "enum": ["none", "open", "closed"]}}},
          "created_at": {"type": "string", "format": "date-time"}, "updated_at": {"type": "string", "format": "date-time"},
          "version": {"type": "integer"}}},
      "CampaignList": {"type": "object", "required": ["campaigns", "next_cursor"], "properties": {
        "campaigns": {"type": "array", "items": {"$ref": "#/components/schemas/Campaign"}},
        "next_cursor": {"type": ["string", "null"]}}},
      "KillSwitchInput": {"type": "object", "required": ["override"], "properties": {
        "override": {"type": "string", "enum": ["open", "closed", "none"]},
        "version": {"type": "integer", "minimum": 1}}},
      "GlobalKillSwitch": {"type": "object", "required": ["override", "updated_at", "version"], "properties": {
        "override": {"type": "string", "enum": ["open", "closed", "none"]},
        "updated_at": {"type": "string", "format": "date-time"}, "version": {"type": "integer"}}},
      "Outcomes": {"type": "object", "required": ["spent_cents", "impressions", "clicks", "spend_events", "allowed", "throttled",
          "denied_budget", "denied_breaker", "denied_paused", "denied_not_running", "denied_other"],
        "properties": {"spent_cents": {"type": "number"}, "impressions": {"type": "integer"}, "clicks": {"type": "integer"},
          "spend_events": {"type": "integer"}, "allowed": {"type": "integer"}, "throttled": {"type": "integer"},
          "denied_budget": {"type": "integer"}, "denied_breaker": {"type": "integer"}, "denied_paused": {"type": "integer"},
          "denied_not_running": {"type": "integer"}, "denied_other": {"type": "integer"}}},
      "Performance": {"type": "object", "required": ["campaign_id", "from", "to", "granularity", "series", "totals"], "properties": {
        "campaign_id": {"type": "string", "format": "uuid"}, "from": {"type": "string", "format": "date-time"},
        "to": {"type": "string", "format": "date-time"}, "granularity": {"type": "string", "enum": ["hour", "day"]},
        "series": {"type": "array", "items": {"allOf": [{"$ref": "#/components/schemas/Outcomes"},
          {"type": "object", "required": ["start"], "properties": {"start": {"type": "string", "format": "date-time"}}}]}},
        "totals": {"$ref": "#/components/schemas/Outcomes"}}},
      "BudgetStatus": {"type": "object", "required": ["campaign_id", "day", "daily_budget_cents", "spent_today_cents",
          "remaining_today_cents", "target_spent_cents", "throttle", "breaker", "total_spent_cents"],
        "properties": {"campaign_id": {"type": "string", "format": "uuid"}, "day": {"type": "string", "format": "date"},
          "daily_budget_cents": {"type": "number"}, "spent_today_cents": {"type": "number"}, "remaining_today_cents": {"type": "number"},
          "target_spent_cents": {"type": "number"}, "throttle": {"type": "number"},
          "breaker": {"type": "string", "enum": ["closed", "open", "half_open"]}, "total_spent_cents": {"type": "number"},
          "reserved_cents": {"type": "number"}, "lease_cents": {"type": "number"}, "day_elapsed": {"type": "number"},
          "timezone": {"type": "string"}, "currency": {"type": "string"}, "pacing": {"type": "string"}, "status": {"type": "string"},
          "breaker_override": {"type": "string", "enum": ["none", "open", "closed"]}}},
      "DecideRequest": {"type": "object", "required": ["campaign_id", "bid_cents"], "properties": {
        "campaign_id": {"type": "string", "format": "uuid"}, "bid_cents": {"type": "number", "minimum": 0},
        "request_id": {"type": "string"}}},
      "DecideInput": {"anyOf": [{"$ref": "#/components/schemas/DecideRequest"},
        {"type": "object", "required": ["requests"], "properties": {
          "requests": {"type": "array", "items": {"$ref": "#/components/schemas/DecideRequest"}}}}]},
      "Decision": {"type": "object", "required": ["allow", "reason", "throttle", "breaker"], "properties": {
        "allow": {"type": "boolean"}, "reason": {"type": "string"}, "throttle": {"type": "number"},
        "breaker": {"type": "string", "enum": ["closed", "open", "half_open"]}}},
      "DecideOutput": {"anyOf": [{"$ref": "#/components/schemas/Decision"},
        {"type": "object", "required": ["decisions"], "properties": {
          "decisions": {"type": "array", "items": {"$ref": "#/components/schemas/Decision"}}}}]},
      "SpendEvent": {"type": "object", "required": ["event_id", "campaign_id", "spend_cents"], "properties": {
        "event_id": {"type": "string", "minLength": 1, "maxLength": 200}, "campaign_id": {"type": "string", "format": "uuid"},
        "spend_cents": {"type": "number", "minimum": 0}, "impressions": {"type": "integer", "minimum": 0},
        "clicks": {"type": "integer", "minimum": 0}, "request_id": {"type": "string"}}},
      "SpendInput": {"anyOf": [{"$ref": "#/components/schemas/SpendEvent"},
        {"type": "object", "required": ["events"], "properties": {
          "events": {"type": "array", "items": {"$ref": "#/components/schemas/SpendEvent"}}}}]},
      "SpendResult": {"type": "object", "required": ["recorded", "duplicate"], "properties": {
        "recorded": {"type": "boolean"}, "duplicate": {"type": "boolean"},
        "journaled": {"type": "boolean", "description": "Taken by the spend journal (202) while PostgreSQL is unreachable; recorded exactly once when it is back."}}},
      "SpendOutput": {"anyOf": [{"$ref": "#/components/schemas/SpendResult"},
        {"type": "object", "required": ["results"], "properties": {
          "results": {"type": "array", "items": {"$ref": "#/components/schemas/SpendResult"}}}}]},
      "InstanceList": {"type": "object", "required": ["instances"], "properties": {
        "instances": {"type": "array", "items": {"type": "object", "required": ["id", "status", "last_heartbeat", "leases"], "properties": {
          "id": {"type": "string"}, "host": {"type": "string"}, "pid": {"type": "integer"}, "address": {"type": ["string", "null"]},
          "status": {"type": "string"}, "started_at": {"type": "string", "format": "date-time"},
          "last_heartbeat": {"type": "string", "format": "date-time"}, "heartbeat_age_seconds": {"type": "number"},
          "leases": {"type": "array", "items": {"type": "object", "properties": {
            "campaign_id": {"type": "string", "format": "uuid"}, "day": {"type": "string", "format": "date"},
            "granted_cents": {"type": "number"}, "expires_at": {"type": "string", "format": "date-time"},
            "renewed_at": {"type": "string", "format": "date-time"}}}}}}}}},
      "ClickSummary": {"type": "object", "required": ["partners"], "properties": {
        "partners": {"type": "array", "items": {"type": "object",
          "required": ["partner_id", "name", "status", "batches_waiting", "clicks_waiting", "batches_in_flight", "batches_dead", "delivered_last_minute", "delivered_today"],
          "properties": {"partner_id": {"type": "string", "format": "uuid"}, "name": {"type": "string"}, "status": {"type": "string"},
            "batches_waiting": {"type": "integer"}, "clicks_waiting": {"type": "integer"}, "batches_in_flight": {"type": "integer"},
            "batches_dead": {"type": "integer"}, "delivered_last_minute": {"type": "integer"}, "delivered_today": {"type": "integer"}}}}}},
      "TokenInput": {"type": "object", "required": ["name", "role"], "properties": {
        "name": {"type": "string", "minLength": 1, "maxLength": 200},
        "role": {"type": "string", "enum": ["admin", "read_only", "bidder"]}}},
      "Token": {"type": "object", "required": ["id", "name", "role", "created_at", "revoked_at"], "properties": {
        "id": {"type": "string", "format": "uuid"}, "name": {"type": "string"},
        "role": {"type": "string", "enum": ["admin", "read_only", "bidder"]},
        "created_at": {"type": "string", "format": "date-time"}, "revoked_at": {"type": ["string", "null"], "format": "date-time"}}},
      "TokenCreated": {"type": "object", "required": ["id", "token", "name", "role", "created_at"], "properties": {
        "id": {"type": "string", "format": "uuid"}, "token": {"type": "string", "description": "The bearer token; shown only here."},
        "name": {"type": "string"}, "role": {"type": "string", "enum": ["admin", "read_only", "bidder"]},
        "created_at": {"type": "string", "format": "date-time"}}},
      "TokenList": {"type": "object", "required": ["tokens", "next_cursor"], "properties": {
        "tokens": {"type": "array", "items": {"$ref": "#/components/schemas/Token"}},
        "next_cursor": {"type": ["string", "null"]}}}
    }
    """#
}
