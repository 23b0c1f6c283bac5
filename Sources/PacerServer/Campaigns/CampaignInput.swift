import Foundation
import PacingEngine

/// Turns a `POST`/`PUT /v1/campaigns` body into a `CampaignConfig`, naming every bad field.
///
/// Money fields are JSON numbers of cents with up to 4 decimals, converted exactly.
struct CampaignInput {
    static let knownFields: Set<String> = [
        "name", "daily_budget_cents", "total_budget_cents", "pacing", "timezone", "currency", "start_date", "end_date",
        "status", "cost_per_click_cents", "breaker", "front_loaded_shape", "id", "created_at", "updated_at", "version",
    ]

    /// Parses `body` into a configuration with the given id; throws a 400 problem listing every bad field.
    static func config(from body: JSONValue, id: UUID) throws -> CampaignConfig {
        guard case .object(let members) = body else {
            throw Problem.badRequest("the body must be a JSON object, not \(body.typeName)")
        }
        var problems: [FieldProblem] = []
        for member in members where !knownFields.contains(member.key) {
            problems.append(FieldProblem(field: member.key, message: "is not a campaign field"))
        }
        var reader = FieldReader(body: body)
        let name = reader.string("name", required: true)
        let daily = reader.cents("daily_budget_cents", required: true)
        let total = reader.cents("total_budget_cents")
        let pacingText = reader.string("pacing", required: true)
        let timezone = reader.string("timezone") ?? "UTC"
        let currency = reader.string("currency") ?? "USD"
        let start = reader.date("start_date")
        let end = reader.date("end_date")
        let statusText = reader.string("status") ?? "active"
        let costPerClick = reader.cents("cost_per_click_cents")
        let shape = reader.number("front_loaded_shape") ?? 2
        var breaker = BreakerSettings.default
        if let breakerValue = body["breaker"], breakerValue != .null {
            if case .object = breakerValue {
                var nested = FieldReader(body: breakerValue, prefix: "breaker.")
                breaker.tripRatio = nested.number("trip_ratio") ?? breaker.tripRatio
                if let seconds = nested.integer("cooldown_seconds") {
                    if (1...86_400).contains(seconds) {
                        breaker.cooldownSeconds = Double(seconds)
                    } else {
                        nested.problems.append(FieldProblem(field: "breaker.cooldown_seconds", message: "must be a whole number of seconds from 1 to 86400"))
                    }
                }
                breaker.probeBids = nested.integer("probe_bids") ?? breaker.probeBids
                breaker.recoveryThrottle = nested.number("recovery_throttle") ?? breaker.recoveryThrottle
                problems += nested.problems
            } else {
                problems.append(FieldProblem(field: "breaker", message: "must be an object"))
            }
        }
        problems += reader.problems

        var pacing = PacingAlgorithm.even
        if let pacingText {
            if let value = PacingAlgorithm(rawValue: pacingText), value.isProduction {
                pacing = value
            } else {
                problems.append(FieldProblem(field: "pacing", message: "must be one of EVEN, ASAP, FRONT_LOADED, ADAPTIVE"))
            }
        }
        var status = CampaignStatus.active
        if let value = CampaignStatus(rawValue: statusText), value != .archived {
            status = value
        } else {
            problems.append(FieldProblem(field: "status", message: "must be active or paused"))
        }
        let config = CampaignConfig(
            id: id, name: name ?? "", dailyBudget: daily ?? 0, totalBudget: total, pacing: pacing,
            timeZoneIdentifier: timezone, currency: currency, startDate: start, endDate: end, status: status,
            costPerClick: costPerClick, breaker: breaker, frontLoadedShape: shape)
        // The engine's own checks, for the fields that parsed (no second message for one field).
        let reported = Set(problems.map(\.field))
        problems += config.problems.filter { !reported.contains($0.field) }
        if let name, name.count > 200 { problems.append(FieldProblem(field: "name", message: "must be at most 200 characters")) }
        if !problems.isEmpty { throw Problem.invalid(problems) }
        return config
    }
}

/// Reads typed fields out of a JSON object, collecting a problem per bad field.
struct FieldReader {
    let body: JSONValue
    var prefix = ""
    var problems: [FieldProblem] = []

    init(body: JSONValue, prefix: String = "") {
        self.body = body
        self.prefix = prefix
    }

    private mutating func value(_ key: String, required: Bool) -> JSONValue? {
        let value = body[key]
        if value == nil || value == .null {
            if required { problems.append(FieldProblem(field: prefix + key, message: "is required")) }
            return nil
        }
        return value
    }

    mutating func string(_ key: String, required: Bool = false) -> String? {
        guard let value = value(key, required: required) else { return nil }
        guard case .string(let text) = value else {
            problems.append(FieldProblem(field: prefix + key, message: "must be a string, not \(value.typeName)"))
            return nil
        }
        return text
    }

    mutating func cents(_ key: String, required: Bool = false) -> Micros? {
        guard let value = value(key, required: required) else { return nil }
        guard case .number(let text) = value else {
            problems.append(FieldProblem(field: prefix + key, message: "must be a number of cents, not \(value.typeName)"))
            return nil
        }
        do {
            return try Money.micros(fromCents: text)
        } catch {
            problems.append(FieldProblem(field: prefix + key, message: error.description))
            return nil
        }
    }

    mutating func number(_ key: String, required: Bool = false) -> Double? {
        guard let value = value(key, required: required) else { return nil }
        guard case .number(let text) = value, let number = Double(text), number.isFinite else {
            problems.append(FieldProblem(field: prefix + key, message: "must be a number"))
            return nil
        }
        return number
    }

    mutating func integer(_ key: String, required: Bool = false) -> Int? {
        guard let value = value(key, required: required) else { return nil }
        guard case .number(let text) = value, let number = Int(text) else {
            problems.append(FieldProblem(field: prefix + key, message: "must be an integer"))
            return nil
        }
        return number
    }

    mutating func date(_ key: String) -> LocalDate? {
        guard let text = string(key) else { return nil }
        guard let date = LocalDate(iso: text) else {
            problems.append(FieldProblem(field: prefix + key, message: "must be a date as YYYY-MM-DD"))
            return nil
        }
        return date
    }
}
