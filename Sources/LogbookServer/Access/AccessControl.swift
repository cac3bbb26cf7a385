import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdBcrypt
import LogbookCore
import NIOPosix

/// Who is asking, and what they may do: the credentials of `logbook server --auth`.
///
/// A request proves who it comes from with HTTP Basic (`MLFLOW_TRACKING_USERNAME`/`_PASSWORD`),
/// a bearer access token (`MLFLOW_TRACKING_TOKEN`) or the web UI's sign-in cookie. Passwords are
/// bcrypt hashes, checked on NIO's blocking thread pool, never on an event loop; a verified
/// password is remembered (as a keyed SHA-256, not the password) while the stored hash is
/// unchanged, so a client that sends it with every request pays bcrypt once. Tokens are kept as
/// SHA-256 digests and looked up by digest.
///
/// One per server, shared by all its requests; its mutable state is behind ``Locked``.
public final class AccessControl: Sendable {
    let store: any AccessStore
    let configuration: AccessConfiguration
    let throttle: LoginThrottle

    private struct VerifiedPassword {
        var passwordHash: String
        var digest: SHA256Digest
        var time: ContinuousClock.Instant
    }

    private let verified = Locked<[String: VerifiedPassword]>([:])
    /// Keys the remembered-password digests, so that they are useless outside this process.
    private let cacheKey = SymmetricKey(size: .bits256)
    /// A hash to check unknown usernames' passwords against, so that they take as long to refuse
    /// as known ones (no telling which usernames exist by timing).
    private let decoyHash: String

    /// The cookie the web UI's sign-in sets.
    static let sessionCookie = "logbook_session"
    /// What secrets of access tokens start with, so that they are recognisable in a leak scanner.
    static let tokenPrefix = "lbk_"

    public init(store: any AccessStore, configuration: AccessConfiguration = AccessConfiguration()) {
        self.store = store
        self.configuration = configuration
        throttle = LoginThrottle(freeFailures: configuration.freeFailedSignIns)
        decoyHash = Bcrypt.hash(UUID().uuidString, cost: UInt8(clamping: configuration.bcryptCost))
    }

    // MARK: Starting

    /// Makes sure someone can sign in: creates the admin `username` with `password` when no such
    /// user exists. Without a password, a user database that has no admin yet is refused with a
    /// message that says what to set; one that has an admin starts as it is. An existing admin's
    /// password is never changed here.
    /// - Returns: whether the admin was created.
    @discardableResult
    public func bootstrapAdmin(username: String, password: String?) async throws -> Bool {
        if try await store.user(named: username) != nil { return false }
        guard let password, !password.isEmpty else {
            if try await store.users().contains(where: \.isAdmin) { return false }
            throw LogbookError(
                .invalidParameterValue,
                "Authentication is on and there is no admin yet. Set LOGBOOK_ADMIN_PASSWORD (and LOGBOOK_ADMIN_USERNAME, default \"admin\") for the first start; the admin is created with it. Logbook does not make up a default password."
            )
        }
        try Self.validate(password: password)
        _ = try await store.createUser(username: username, passwordHash: try await hash(password), isAdmin: true)
        return true
    }

    // MARK: Passwords

    /// Passwords are 8 to 72 bytes: fewer is guessable, and bcrypt ignores what follows the 72nd.
    static func validate(password: String) throws {
        let count = password.utf8.count
        guard count >= 8 else {
            throw LogbookError(.invalidParameterValue, "A password must be at least 8 characters long.")
        }
        guard count <= 72 else {
            throw LogbookError(.invalidParameterValue, "A password must be at most 72 bytes long (bcrypt's limit).")
        }
    }

    static func validate(username: String) throws {
        guard !username.isEmpty, username.count <= 256, !username.contains(":"),
            !username.unicodeScalars.contains(where: { $0.properties.generalCategory == .control })
        else {
            throw LogbookError(
                .invalidParameterValue,
                "A username must be 1 to 256 characters, without ':' or control characters.")
        }
    }

    /// bcrypt of `password` at the configured cost, computed on NIO's blocking thread pool.
    public func hash(_ password: String) async throws -> String {
        let cost = UInt8(clamping: configuration.bcryptCost)
        return try await NIOThreadPool.singleton.runIfActive { Bcrypt.hash(password, cost: cost) }
    }

    private func bcryptVerify(_ password: String, _ hash: String) async throws -> Bool {
        try await NIOThreadPool.singleton.runIfActive { Bcrypt.verify(password, hash: hash) }
    }

    private func digest(_ password: String) -> SHA256Digest {
        var hasher = SHA256()
        cacheKey.withUnsafeBytes { hasher.update(bufferPointer: $0) }
        hasher.update(data: Array(password.utf8))
        return hasher.finalize()
    }

    /// The user whose password this is, or `nil`. Throttled per username and address.
    func verify(username: String, password: String, address: String) async throws -> User? {
        try throttle.check(username: username, address: address)
        let user = try await store.user(named: username)
        let digest = digest(password)
        if let user, let known = verified.withLock({ $0[username] }), known.passwordHash == user.passwordHash,
            known.digest == digest,  // (constant-time: swift-crypto compares digests so)
            known.time.duration(to: .now) < configuration.verifiedPasswordLifetime
        {
            return user
        }
        let matches = try await bcryptVerify(password, user?.passwordHash ?? decoyHash)
        guard let user, matches else {
            throttle.recordFailure(username: username, address: address)
            return nil
        }
        throttle.recordSuccess(username: username, address: address)
        verified.withLock { cache in
            if cache.count > 10_000 { cache.removeAll() }
            cache[username] = VerifiedPassword(passwordHash: user.passwordHash, digest: digest, time: .now)
        }
        return user
    }

    /// Forgets a remembered password (it was changed or the user deleted here).
    func forget(username: String) {
        _ = verified.withLock { $0.removeValue(forKey: username) }
    }

    // MARK: Tokens

    /// A new secret: the prefix and 256 random bits, base64url.
    public static func newSecret() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let base64 = Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
        return tokenPrefix + base64
    }

    /// How a secret is kept: its SHA-256, hex. (A 256-bit random secret needs no slow hash.)
    public static func digest(secret: String) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var hex: [UInt8] = []
        hex.reserveCapacity(64)
        for byte in SHA256.hash(data: Array(secret.utf8)) {
            hex.append(digits[Int(byte >> 4)])
            hex.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: hex, as: UTF8.self)
    }

    func user(secret: String, kind: AccessToken.Kind, address: String) async throws -> User? {
        try throttle.check(username: "", address: address)
        guard let (token, user) = try await store.token(digest: Self.digest(secret: secret)), token.kind == kind,
            !token.isExpired(at: WallClock.nowMilliseconds())
        else {
            throttle.recordFailure(username: "", address: address)
            return nil
        }
        return user
    }

    // MARK: Requests

    /// The signed-in user of `request`.
    /// - Throws: `UNAUTHENTICATED` without credentials or with wrong ones; `REQUEST_LIMIT_EXCEEDED`
    ///   while sign-ins from this address for this user are throttled.
    func authenticate(_ request: Request, address: String) async throws -> User {
        if let authorization = request.headers[.authorization] {
            let parts = authorization.split(separator: " ", maxSplits: 1)
            let scheme = parts.first.map { $0.lowercased() } ?? ""
            let credentials = parts.count == 2 ? parts[1].trimmingCharacters(in: .whitespaces) : ""
            switch scheme {
            case "basic":
                guard let decoded = Data(base64Encoded: credentials).flatMap({ String(data: $0, encoding: .utf8) }),
                    let colon = decoded.firstIndex(of: ":")
                else { throw Self.unauthenticated("The Basic credentials are not base64 of username:password.") }
                let username = String(decoded[..<colon])
                let password = String(decoded[decoded.index(after: colon)...])
                guard let user = try await verify(username: username, password: password, address: address) else {
                    throw Self.unauthenticated("Wrong username or password.")
                }
                return user
            case "bearer":
                guard let user = try await user(secret: credentials, kind: .token, address: address) else {
                    throw Self.unauthenticated("The access token is unknown, revoked or expired.")
                }
                return user
            default:
                throw Self.unauthenticated("Unsupported authorization scheme '\(scheme)'; use Basic or Bearer.")
            }
        }
        if let secret = Self.cookie(Self.sessionCookie, in: request) {
            guard let user = try await user(secret: secret, kind: .session, address: address) else {
                throw Self.unauthenticated("Your sign-in has expired; sign in again.")
            }
            return user
        }
        throw Self.unauthenticated(
            "You must sign in: send HTTP Basic credentials (MLFLOW_TRACKING_USERNAME and MLFLOW_TRACKING_PASSWORD) or an access token (MLFLOW_TRACKING_TOKEN)."
        )
    }

    static func cookie(_ name: String, in request: Request) -> String? {
        for header in request.headers[values: .cookie] {
            for pair in header.split(separator: ";") {
                let pair = pair.trimmingCharacters(in: .whitespaces)
                if pair.hasPrefix(name + "=") { return String(pair.dropFirst(name.count + 1)) }
            }
        }
        return nil
    }

    static func unauthenticated(_ message: String) -> LogbookError {
        LogbookError(.unauthenticated, message)
    }

    static func denied(_ needed: Permission, on resource: String, caller: User) -> LogbookError {
        LogbookError(
            .permissionDenied,
            "Permission denied: \(caller.username) needs \(needed.rawValue) on \(resource).")
    }

    // MARK: Permissions

    /// What `user` may do on an experiment: everything for an admin, else their grant, else the
    /// server's default.
    func permission(of user: User, experimentID: String) async throws -> Permission {
        if user.isAdmin { return .manage }
        return try await store.permission(experimentID: experimentID, userID: user.id)
            ?? configuration.defaultPermission
    }

    func readableScope(of user: User) async throws -> ExperimentScope {
        if user.isAdmin { return .all }
        let grants = try await store.permissions(userID: user.id)
        if configuration.defaultPermission.canRead {
            let hidden = Set(grants.filter { !$0.value.canRead }.keys)
            return hidden.isEmpty ? .all : .allExcept(hidden)
        }
        return .only(Set(grants.filter { $0.value.canRead }.keys))
    }
}
