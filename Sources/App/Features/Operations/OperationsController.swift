import Fluent
import FluentSQL
import Metrics
import Prometheus
import Vapor

extension DatabaseID {
    /// A second pool to the same database, for `/healthz` alone.
    static let health = DatabaseID(string: "health")
}

/// Health and metrics for whoever runs the platform.
struct OperationsController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get(SiteURL.healthz.route, use: health)
        routes.get(SiteURL.metrics.route, use: metrics)
        routes.get(SiteURL.robots.route, use: robots)
        routes.get("assets", ":file", use: stylesheet)
    }

    /// 200 when the database answers, 503 when it does not. Asked over the `.health` connections,
    /// so the answer is about the database, not about the queue in front of the shared pool.
    func health(req: Request) async throws -> Response {
        var healthy = true
        do {
            guard let sql = req.db(.health) as? any SQLDatabase else { throw Abort(.internalServerError) }
            _ = try await sql.raw("SELECT 1 AS ok").first()
        } catch {
            healthy = false
            req.logger.error("health check: database unavailable", metadata: ["error": "\(error)"])
        }
        let body = #"{"status":"\#(healthy ? "ok" : "unavailable")","database":"\#(healthy ? "ok" : "unavailable")"}"#
        var headers = HTTPHeaders()
        headers.contentType = .json
        headers.replaceOrAdd(name: .cacheControl, value: "no-store")
        return Response(status: healthy ? .ok : .serviceUnavailable, headers: headers, body: .init(string: body))
    }

    /// Prometheus text format: requests by route and status, and their latency histogram. For
    /// signed-in admins and for a scraper sending `Authorization: Bearer <CPMG_METRICS_TOKEN>`;
    /// anyone else is told there is nothing here.
    func metrics(req: Request) async throws -> Response {
        guard Access.can(req.viewer, .readMetrics) || Self.hasMetricsToken(req) else { throw Abort(.notFound) }
        var headers = HTTPHeaders()
        headers.replaceOrAdd(name: .contentType, value: "text/plain; version=0.0.4; charset=utf-8")
        headers.replaceOrAdd(name: .cacheControl, value: "no-store")
        return Response(status: .ok, headers: headers, body: .init(string: MetricsRegistry.shared.emitToString()))
    }

    static func hasMetricsToken(_ req: Request) -> Bool {
        guard let expected = req.application.cpmg.settings.metricsToken,
              let header = req.headers.first(name: .authorization) else { return false }
        let parts = header.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return false }
        return Secret.equal(String(parts[1]).trimmingCharacters(in: .whitespaces), expected)
    }

    func robots(req: Request) async throws -> String {
        "User-agent: *\nDisallow: /admin/\nDisallow: /account\nDisallow: /join/confirm\nDisallow: /password/\n"
    }

    func stylesheet(req: Request) async throws -> Response {
        let assets = req.application.cpmg.assets
        guard req.parameters.get("file") == "site.\(assets.cssVersion).css" else { throw Abort(.notFound) }
        return assets.stylesheetResponse()
    }
}

/// The process's metrics registry. The metrics system is process-wide by design (Vapor reports
/// every request to it), so it is bootstrapped once, however many applications a test run makes.
enum MetricsRegistry {
    static let shared: PrometheusCollectorRegistry = {
        let registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.defaultDurationHistogramBuckets = [
            .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(25),
            .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1),
            .seconds(2), .seconds(5), .seconds(10),
        ]
        MetricsSystem.bootstrap(factory)
        return registry
    }()
}
