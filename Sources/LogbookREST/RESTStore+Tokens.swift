import LogbookCore
import LogbookWire

extension RESTStore {
    /// Makes an access token for the signed-in user on a `logbook server --auth`
    /// (`/api/2.0/logbook/tokens/create`): the token and its secret, which is shown only now.
    /// - Parameter expiresInDays: `nil` for a token that does not expire.
    public func createAccessToken(name: String, expiresInDays: Int?) async throws -> (
        token: AccessToken, secret: String
    ) {
        var message: [String: JSONValue] = ["name": .string(name)]
        if let expiresInDays { message["expires_in_days"] = .number(String(expiresInDays)) }
        let answer = try await post("/api/2.0/logbook/tokens/create", message, retry: .once)
        guard let token = try answer.message("token") else { throw answer.missing("token") }
        return (try Self.accessToken(token), try answer.requiredString("secret"))
    }

    /// The signed-in user's access tokens, newest first, without their secrets.
    public func accessTokens() async throws -> [AccessToken] {
        try await get("/api/2.0/logbook/tokens/list", []).messages("tokens").map(Self.accessToken)
    }

    /// Revokes one of the signed-in user's access tokens.
    public func revokeAccessToken(id: Int64) async throws {
        try await post("/api/2.0/logbook/tokens/delete", ["id": .number(String(id))])
    }

    static func accessToken(_ message: WireMessage) throws -> AccessToken {
        AccessToken(
            id: try message.requiredInt64("id"), userID: try message.requiredInt64("user_id"), kind: .token,
            name: try message.string("name") ?? "", creationTime: try message.int64("creation_time") ?? 0,
            expiryTime: try message.int64("expiry_time"))
    }
}
