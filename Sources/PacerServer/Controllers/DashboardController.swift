import Foundation
import Hummingbird
import Logging
import NIOCore

/// The static dashboard: `/` (index.html), `/dashboard/{file}` (its scripts and styles) from
/// `PACER_DASHBOARD_DIR`, and Chart.js at `/vendor/chart.js` from the file Debian's
/// `libjs-chart.js` installs (`PACER_CHARTJS_PATH`). Files are read once at start-up; a missing
/// file is a 404 (the page says so when Chart.js is missing) and never stops the server.
struct DashboardController: Sendable {
    private let files: [String: [UInt8]]
    private let chart: [UInt8]?

    init(directory: String, chartPath: String, logger: Logger) {
        var files: [String: [UInt8]] = [:]
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        for name in names where Self.isServable(name) {
            if let data = FileManager.default.contents(atPath: directory + "/" + name) { files[name] = Array(data) }
        }
        if files["index.html"] == nil {
            logger.warning("no dashboard found; / answers 404", metadata: ["dashboard.directory": "\(directory)"])
        }
        self.files = files
        chart = FileManager.default.contents(atPath: chartPath).map { [UInt8]($0) }
        if chart == nil {
            logger.warning("Chart.js not found (install Debian's libjs-chart.js); the dashboard shows no charts", metadata: ["dashboard.chartjs": "\(chartPath)"])
        }
    }

    /// Plain file names with a known extension: no paths, no hidden files.
    static func isServable(_ name: String) -> Bool {
        guard let dot = name.lastIndex(of: "."), name.first != "." else { return false }
        let stem = name[..<dot]
        return contentTypes[String(name[name.index(after: dot)...])] != nil
            && stem.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }
    }

    static let contentTypes = [
        "html": "text/html; charset=utf-8", "js": "text/javascript; charset=utf-8", "css": "text/css; charset=utf-8",
        "svg": "image/svg+xml", "png": "image/png", "ico": "image/x-icon",
    ]

    func addRoutes(to router: Router<some RequestContext>) {
        router.get("/") { _, _ in try file("index.html") }
        router.get("/dashboard/{file}") { _, context in try file(context.parameters.get("file") ?? "") }
        router.get("/vendor/chart.js") { _, _ in
            guard let chart else { throw Problem.notFound("Chart.js is not installed on this server (Debian package libjs-chart.js)") }
            return Response(
                status: .ok, headers: [.contentType: "text/javascript; charset=utf-8", .cacheControl: "public, max-age=86400"],
                body: .init(byteBuffer: ByteBuffer(bytes: chart)))
        }
    }

    private func file(_ name: String) throws -> Response {
        guard Self.isServable(name), let bytes = files[name], let dot = name.lastIndex(of: "."),
            let type = Self.contentTypes[String(name[name.index(after: dot)...])]
        else { throw Problem.notFound("no such dashboard file") }
        return Response(
            status: .ok, headers: [.contentType: type, .cacheControl: "no-cache"], body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }
}
