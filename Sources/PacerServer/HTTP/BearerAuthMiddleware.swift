import Foundation
import Hummingbird

/// Requires `Authorization: Bearer TOKEN` on every route behind it and checks the token's role
/// against the method and the matched route (`Role.allows`). An unknown or revoked token is a 401 problem
/// document, a known token whose role does not cover the route a 403. Tokens are never logged.
struct BearerAuthMiddleware<Context: RequestContext>: RouterMiddleware {
    let tokens: TokenCache

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let header = request.headers[.authorization], header.utf8.count > 7,
            header.prefix(7).lowercased() == "bearer "
        else { throw Problem.unauthorized }
        let token = String(header.dropFirst(7).trimmingHeaderWhitespace)
        guard !token.isEmpty else { throw Problem.unauthorized }
        let role: Role
        switch tokens.cachedRole(of: token) {
        case .found(let cached):
            role = cached
        case .unknown(let digest):
            guard let refreshed = await tokens.refreshedRole(of: digest) else { throw Problem.unauthorized }
            role = refreshed
        }
        // The route the router matched (`/v1/tokens/{id}`), not the raw path: `/v1//tokens` or
        // percent-encoded spellings reach the same route and must meet the same rule.
        let route = context.endpointPath ?? request.uri.path
        guard role.allows(request.method, path: route) else {
            throw Problem.forbidden(role: role, method: request.method, path: route)
        }
        return try await next(request, context)
    }
}
