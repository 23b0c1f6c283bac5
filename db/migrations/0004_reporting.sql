-- 0004_reporting: the reporting schema and the pacer_reporting role (SPEC sections 7 and 10).
--
-- Why: analysts query documented views with psql or any BI tool, as a role that can read those
-- views and nothing else. The views themselves live in db/functions/200_reporting_views.sql
-- (CREATE OR REPLACE, re-applied when they change, and granted there); this migration creates
-- the schema they live in and the role.
--
-- The role is cluster-wide while the schema belongs to one database: several Pacer databases of
-- one cluster (staging and production, or many test databases) share the role. It is created only
-- when missing, and a concurrent creation by another database's migration is tolerated. It has
-- no LOGIN: analysts log in as their own roles and are made members (GRANT pacer_reporting TO
-- alice), see docs/reporting.md.

CREATE SCHEMA IF NOT EXISTS reporting;
COMMENT ON SCHEMA reporting IS 'Documented read-only views for analysts (docs/reporting.md); role pacer_reporting reads these and nothing else.';

DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'pacer_reporting') THEN
        CREATE ROLE pacer_reporting NOLOGIN;
    END IF;
EXCEPTION WHEN duplicate_object OR unique_violation THEN
    NULL;  -- created at the same moment by the migration of another database of this cluster
END;
$$;

-- Nothing of Pacer's own schemas, only the reporting one.
REVOKE ALL ON SCHEMA pacer FROM pacer_reporting;
REVOKE ALL ON SCHEMA reporting FROM PUBLIC;
GRANT USAGE ON SCHEMA reporting TO pacer_reporting;

COMMENT ON COLUMN pacer.api_tokens.role IS
    'admin: every endpoint; read_only: GET and HEAD of everything under /v1 except /v1/tokens; bidder: POST /v1/decide and POST /v1/spend only.';
