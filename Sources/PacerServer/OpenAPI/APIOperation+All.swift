extension APIOperation {
    /// Every route the server serves. Routes added to the router must be added here too (a test
    /// names any route missing on either side).
    static let all: [APIOperation] = service + campaigns + hotPath + operations + tokens + partners + datasets + batches

    static let service: [APIOperation] = [
        .init(method: "GET", path: "/healthz", summary: "The process is up.", tag: "service", success: (200, "Health"), secured: false),
        .init(
            method: "GET", path: "/readyz", summary: "The database answers and its schema is current (503 otherwise).", tag: "service",
            success: (200, "Readiness"), secured: false),
        .init(
            method: "GET", path: "/metrics", summary: "Prometheus metrics.", tag: "service", contentType: "text/plain",
            problems: [401, 403]),
        .init(
            method: "GET", path: "/openapi.json", summary: "This document.", tag: "service", success: (200, "OpenAPIDocument"),
            problems: [401]),
        .init(method: "GET", path: "/", summary: "The dashboard (HTML).", tag: "dashboard", contentType: "text/html", secured: false),
        .init(
            method: "GET", path: "/dashboard/{file}", summary: "The dashboard's scripts and styles.", tag: "dashboard",
            contentType: "text/javascript,text/css,text/html,image/svg+xml,image/png,image/x-icon", problems: [404], secured: false),
        .init(
            method: "GET", path: "/vendor/chart.js", summary: "Chart.js as installed by Debian's libjs-chart.js (404 when missing).",
            tag: "dashboard", contentType: "text/javascript", problems: [404], secured: false),
    ]

    static let campaigns: [APIOperation] = [
        .init(
            method: "POST", path: "/v1/campaigns", summary: "Create a campaign.", tag: "campaigns", body: "CampaignInput",
            success: (201, "Campaign"), problems: write),
        .init(
            method: "GET", path: "/v1/campaigns", summary: "List campaigns in creation order, archived ones included.",
            tag: "campaigns", query: paging, success: (200, "CampaignList"), problems: [400, 401, 403]),
        .init(method: "GET", path: "/v1/campaigns/{id}", summary: "Read a campaign (ETag: its version).", tag: "campaigns", success: (200, "Campaign"), problems: read),
        .init(
            method: "PUT", path: "/v1/campaigns/{id}", summary: "Replace a campaign; If-Match or version guards against lost updates (409).",
            tag: "campaigns", body: "CampaignInput", success: (200, "Campaign"), problems: write),
        .init(
            method: "DELETE", path: "/v1/campaigns/{id}", summary: "Archive a campaign: no longer decided, late spend still recorded.",
            tag: "campaigns", success: (200, "Campaign"), problems: read),
        .init(
            method: "POST", path: "/v1/campaigns/{id}/pause", summary: "Pause a campaign (every bid denied: paused).", tag: "campaigns",
            success: (200, "Campaign"), problems: [400, 401, 403, 404, 409, 422]),
        .init(
            method: "POST", path: "/v1/campaigns/{id}/resume", summary: "Resume a paused campaign.", tag: "campaigns",
            success: (200, "Campaign"), problems: [400, 401, 403, 404, 409, 422]),
        .init(
            method: "PUT", path: "/v1/campaigns/{id}/kill-switch",
            summary: "Force the campaign's breaker open (deny all) or closed, or back to automatic (none).", tag: "campaigns",
            body: "KillSwitchInput", success: (200, "Campaign"), problems: write + [422]),
        .init(
            method: "GET", path: "/v1/campaigns/{id}/performance",
            summary: "Spend and decision outcomes over a time range, per local hour or day.", tag: "campaigns",
            query: [
                ("from", #"{"type":"string","format":"date-time"}"#, "Start (inclusive); default: 24 hours before to."),
                ("to", #"{"type":"string","format":"date-time"}"#, "End (exclusive); default: now."),
                ("granularity", #"{"type":"string","enum":["hour","day"],"default":"hour"}"#, "Bucket size, in the campaign's time zone."),
            ],
            success: (200, "Performance"), problems: [400, 401, 403, 404]),
        .init(
            method: "GET", path: "/v1/budget/status/{id}", summary: "Today's budget, spend, target, throttle and breaker from this instance.",
            tag: "campaigns", success: (200, "BudgetStatus"), problems: read),
    ]

    static let hotPath: [APIOperation] = [
        .init(
            method: "POST", path: "/v1/decide", summary: "Bid decisions from memory: one, or a batch in order.", tag: "rtb",
            body: "DecideInput", success: (200, "DecideOutput"), problems: [400, 401, 403, 413, 415]),
        .init(
            method: "POST", path: "/v1/decide/direct",
            summary: "One decision computed in PostgreSQL per request, for the benchmark's comparison only.", tag: "rtb",
            body: "DecideRequest", success: (200, "Decision"), problems: [400, 401, 403, 413, 415]),
        .init(
            method: "POST", path: "/v1/noop", summary: "The benchmark's baseline: authentication and body handling, no decision.",
            tag: "rtb", body: "AnyJSON", success: (200, "Decision"), problems: [401, 403, 413, 415]),
        .init(
            method: "POST", path: "/v1/spend",
            summary: "Win notices, idempotent by event id; 200 means durable in PostgreSQL, 202 on disk in the spend journal while PostgreSQL is unreachable.",
            tag: "rtb", body: "SpendInput", success: (200, "SpendOutput"), alsoSuccess: 202, problems: [400, 401, 403, 404, 413, 415]),
    ]

    static let operations: [APIOperation] = [
        .init(method: "GET", path: "/v1/instances", summary: "Instances sharing the database and their live leases.", tag: "operations", success: (200, "InstanceList"), problems: [401, 403]),
        .init(method: "GET", path: "/v1/kill-switch", summary: "The global kill switch.", tag: "operations", success: (200, "GlobalKillSwitch"), problems: [401, 403]),
        .init(
            method: "PUT", path: "/v1/kill-switch", summary: "Force every breaker open or closed, or back to each campaign's own (none).",
            tag: "operations", body: "KillSwitchInput", success: (200, "GlobalKillSwitch"), problems: [400, 401, 403, 409, 413, 415]),
        .init(method: "GET", path: "/v1/dashboard/clicks", summary: "Click delivery per partner for the dashboard.", tag: "operations", success: (200, "ClickSummary"), problems: [401, 403]),
    ]

    static let tokens: [APIOperation] = [
        .init(
            method: "POST", path: "/v1/tokens", summary: "Create a bearer token (admin only); the token is shown once.", tag: "tokens",
            body: "TokenInput", success: (201, "TokenCreated"), problems: [400, 401, 403, 413, 415]),
        .init(method: "GET", path: "/v1/tokens", summary: "List tokens (never their secrets).", tag: "tokens", query: paging, success: (200, "TokenList"), problems: [400, 401, 403]),
        .init(method: "DELETE", path: "/v1/tokens/{id}", summary: "Revoke a token.", tag: "tokens", success: (200, "Token"), problems: read),
    ]

    static let partners: [APIOperation] = [
        .init(
            method: "POST", path: "/v1/partners", summary: "Create a partner endpoint (header values are never shown again).",
            tag: "clicks", body: "PartnerInput", success: (201, "Partner"), problems: [400, 401, 403, 413, 415]),
        .init(method: "GET", path: "/v1/partners", summary: "List partners.", tag: "clicks", query: paging, success: (200, "AnyObject"), problems: [400, 401, 403]),
        .init(method: "GET", path: "/v1/partners/{id}", summary: "Read a partner (ETag: its version).", tag: "clicks", success: (200, "Partner"), problems: read + [400]),
        .init(
            method: "PUT", path: "/v1/partners/{id}", summary: "Replace a partner; If-Match or version guards against lost updates (409).",
            tag: "clicks", body: "PartnerInput", success: (200, "Partner"), problems: write),
        .init(method: "DELETE", path: "/v1/partners/{id}", summary: "Archive a partner.", tag: "clicks", success: (200, "Partner"), problems: read + [400, 409]),
        .init(
            method: "POST", path: "/v1/partners/{id}/pause", summary: "Pause delivery to a partner.", tag: "clicks", success: (200, "Partner"),
            problems: read + [400, 409]),
        .init(
            method: "POST", path: "/v1/partners/{id}/resume", summary: "Resume delivery to a partner.", tag: "clicks", success: (200, "Partner"),
            problems: read + [400, 409]),
    ]

    static let datasets: [APIOperation] = [
        .init(
            method: "POST", path: "/v1/datasets",
            summary: "Upload a click dataset (NDJSON or CSV with a header row), streamed into the batch queue; malformed rows are reported by line.",
            tag: "clicks", bodyMedia: "application/x-ndjson,text/csv",
            query: [
                ("campaign_id", #"{"type":"string","format":"uuid"}"#, "The campaign the clicks belong to."),
                ("partner_id", #"{"type":"string","format":"uuid"}"#, "The partner they are delivered to."),
                ("format", #"{"type":"string","enum":["ndjson","csv"]}"#, "Body format."),
                ("on_error", #"{"type":"string","enum":["reject","skip"]}"#, "reject: a bad row keeps nothing (422); skip: bad rows are left out."),
            ],
            success: (201, "DatasetUpload"), problems: [400, 401, 403, 404, 409, 413, 415, 422]),
        .init(
            method: "GET", path: "/v1/datasets", summary: "List datasets.", tag: "clicks",
            query: [
                ("campaign_id", #"{"type":"string","format":"uuid"}"#, "Only this campaign's."),
                ("partner_id", #"{"type":"string","format":"uuid"}"#, "Only this partner's."),
            ] + paging,
            success: (200, "AnyObject"), problems: [400, 401, 403]),
        .init(
            method: "GET", path: "/v1/datasets/{id}", summary: "A dataset's progress: rows delivered, batches by state.", tag: "clicks",
            success: (200, "AnyObject"), problems: read + [400]),
        .init(method: "POST", path: "/v1/datasets/{id}/pause", summary: "Pause a dataset's delivery.", tag: "clicks", success: (200, "AnyObject"), problems: read + [400, 409]),
        .init(method: "POST", path: "/v1/datasets/{id}/resume", summary: "Resume a paused dataset.", tag: "clicks", success: (200, "AnyObject"), problems: read + [400, 409]),
        .init(
            method: "POST", path: "/v1/datasets/{id}/cancel", summary: "Cancel a dataset: its undelivered batches are cancelled.", tag: "clicks",
            success: (200, "AnyObject"), problems: read + [400, 409]),
        .init(
            method: "POST", path: "/v1/datasets/{id}/retry", summary: "Put a dataset's dead batches back in the queue.", tag: "clicks",
            success: (200, "AnyObject"), problems: read + [400, 409]),
    ]

    static let batches: [APIOperation] = [
        .init(
            method: "GET", path: "/v1/batches", summary: "List click batches.", tag: "clicks",
            query: [
                ("state", #"{"type":"string","enum":["pending","leased","delivered","retrying","dead","cancelled"]}"#, "Only batches in this state."),
                ("partner_id", #"{"type":"string","format":"uuid"}"#, "Only this partner's."),
                ("dataset_id", #"{"type":"string","format":"uuid"}"#, "Only this dataset's."),
            ] + paging,
            success: (200, "AnyObject"), problems: [400, 401, 403]),
        .init(method: "GET", path: "/v1/batches/{id}", summary: "A batch and its state.", tag: "clicks", success: (200, "AnyObject"), problems: read + [400]),
        .init(
            method: "GET", path: "/v1/batches/{id}/events", summary: "A batch's audit trail: every state change.", tag: "clicks",
            success: (200, "AnyObject"), problems: read + [400]),
        .init(
            method: "POST", path: "/v1/batches/{id}/retry", summary: "Put a dead batch back in the queue.", tag: "clicks", success: (200, "AnyObject"),
            problems: read + [400, 409]),
    ]
}
