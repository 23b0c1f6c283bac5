import Crypto
import Foundation
import Hummingbird

/// Requires `Authorization: Bearer TOKEN` on every route behind it; a missing or wrong token is a
/// 401 problem document. Tokens are compared as SHA-256 digests in constant time and never logged.
struct BearerAuthMiddleware<Context: RequestContext>: RouterMiddleware {
    let adminTokenDigest: [UInt8]?

    init(adminToken: String?) {
        adminTokenDigest = adminToken.map { Array(SHA256.hash(data: Data($0.utf8))) }
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let expected = adminTokenDigest,
            let header = request.headers[.authorization],
            header.count > 7, header.prefix(7).lowercased() == "bearer "
        else { throw Problem.unauthorized }
        let presented = Array(SHA256.hash(data: Data(header.dropFirst(7).trimmingCharacters(in: .whitespaces).utf8)))
        var difference: UInt8 = 0
        for (left, right) in zip(presented, expected) { difference |= left ^ right }
        guard difference == 0 else { throw Problem.unauthorized }
        return try await next(request, context)
    }
}
