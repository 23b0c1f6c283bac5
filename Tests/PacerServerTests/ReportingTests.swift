import Foundation
import PostgresClient
@testable import PacerServer
import Testing

/// The `reporting` views and the `pacer_reporting` role: it reads every view and nothing else.
@Suite struct ReportingTests {
    @Test func theReportingRoleReadsTheViewsAndIsRefusedEverythingElse() async throws {
        let harness = try APIHarness()
        try await harness.run { client in
            let id = try await client.createCampaign(#"{"name":"Report","daily_budget_cents":1000,"pacing":"EVEN"}"#)
            let spend = try await client.send(
                .post, "/v1/spend", json: #"{"events":[{"event_id":"a","campaign_id":"\#(id)","spend_cents":1.25},{"event_id":"b","campaign_id":"\#(id)","spend_cents":2}]}"#)
            #expect(spend.status == .ok)

            let connection = try harness.connection()
            _ = try connection.query("SET ROLE pacer_reporting")
            let views = try connection.query(
                "SELECT table_name FROM information_schema.views WHERE table_schema = 'reporting' ORDER BY 1"
            ).rows.map { try $0.decode(String.self, at: 0) }
            #expect(Set(views).isSuperset(of: ["spend_daily", "spend_hourly", "pacing_accuracy", "breaker_events", "partner_delivery", "partner_queue", "batch_audit", "decisions_hourly"]))
            for view in views {
                _ = try connection.query("SELECT * FROM reporting.\(BlockingConnection.quoteIdentifier(view)) LIMIT 1")
            }
            let daily = try connection.query("SELECT spent_cents = 3.25, events FROM reporting.spend_daily WHERE campaign_id = $1", [UUID(uuidString: id)!]).single()
            #expect(try daily.decode(Bool.self, at: 0))
            #expect(try daily.decode(Int64.self, at: 1) == 2)
            let accuracy = try connection.query("SELECT count(*) FROM reporting.pacing_accuracy WHERE campaign_id = $1", [UUID(uuidString: id)!]).single()
            #expect(try accuracy.decode(Int64.self, at: 0) == 1)

            _ = try connection.query("RESET ROLE")
            let tables = try connection.query(
                """
                SELECT schemaname || '.' || tablename FROM pg_tables WHERE schemaname IN ('pacer', 'pacer_meta')
                ORDER BY 1
                """
            ).rows.map { try $0.decode(String.self, at: 0) }
            #expect(tables.count > 10)
            _ = try connection.query("SET ROLE pacer_reporting")
            for table in tables {
                do {
                    _ = try connection.query("SELECT 1 FROM \(table) LIMIT 1")
                    Issue.record("pacer_reporting could read \(table)")
                } catch let error as PostgresError {
                    #expect(error.sqlState == "42501", "\(table): \(error)")
                }
            }
            // No writing into the views, no calling Pacer's functions, no creating objects.
            let privileges = try connection.query(
                """
                SELECT bool_and(has_table_privilege('pacer_reporting', c.oid, 'SELECT')),
                       bool_or(has_table_privilege('pacer_reporting', c.oid, 'INSERT, UPDATE, DELETE, TRUNCATE'))
                FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'reporting'
                """
            ).single()
            #expect(try privileges.decode(Bool.self, at: 0))
            #expect(try privileges.decode(Bool.self, at: 1) == false)
            for statement in [
                "SELECT pacer.campaign_spend('\(id)', now())",
                "CREATE TABLE reporting.mine (x int)",
            ] {
                do {
                    _ = try connection.query(statement)
                    Issue.record("pacer_reporting could run \(statement)")
                } catch let error as PostgresError {
                    #expect(error.sqlState == "42501", "\(statement): \(error)")
                }
            }
        }
    }

    @Test func migratingAnotherDatabaseOfTheClusterKeepsTheRole() throws {
        // The role is cluster-wide: a second migrated database must not fail on it.
        let first = try migratedDatabase()
        defer { first.drop() }
        let second = try migratedDatabase()
        defer { second.drop() }
        let connection = try BlockingConnection(second.url)
        let row = try connection.query("SELECT rolcanlogin FROM pg_roles WHERE rolname = 'pacer_reporting'").single()
        #expect(try row.decode(Bool.self, at: 0) == false)
    }
}
