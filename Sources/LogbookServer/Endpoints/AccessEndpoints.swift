import Hummingbird
import LogbookCore
import LogbookWire

/// MLflow's basic-auth API (`users/…`, `experiments/permissions/…` under `/api/2.0/mlflow/`,
/// `users/current` and `users/permissions/…` under `/api/3.0/mlflow/`) and Logbook's access
/// tokens (`/api/2.0/logbook/tokens/…`). Without `--auth` none of them exists.
///
/// Admins manage users; a user reads and changes only themselves (a new password needs the
/// current one); granting on an experiment needs `MANAGE` on it.
enum AccessEndpoints {
    /// Under `/api/2.0/mlflow/` and `/ajax-api/2.0/mlflow/`.
    static let all: [String: Endpoint] = [
        "users/create": .post { message, server in
            let (access, caller) = try signedIn(server)
            try requireAdmin(caller)
            let username = try message.requiredString("username")
            let password = try message.requiredString("password")
            try AccessControl.validate(username: username)
            try AccessControl.validate(password: password)
            let user = try await access.store.createUser(
                username: username, passwordHash: try await access.hash(password), isAdmin: false)
            return try APIResponse.plainJSON(UserResponse(user: WireUser(user)))
        },
        "users/get": .get { message, server in
            let (access, caller) = try signedIn(server)
            let user = try await target(try message.requiredString("username"), access, caller)
            return try APIResponse.plainJSON(UserResponse(user: WireUser(user)))
        },
        "users/list": .get { message, server in
            let (access, caller) = try signedIn(server)
            try requireAdmin(caller)
            return try APIResponse.plainJSON(UsersResponse(users: try await access.store.users().map(WireUser.init)))
        },
        "users/update-password": Endpoint(methods: [.patch]) { message, server in
            let (access, caller) = try signedIn(server)
            let username = try message.requiredString("username")
            let password = try message.requiredString("password")
            let user = try await target(username, access, caller)
            if user.id == caller.id {
                // Changing one's own password takes the current one: a stolen session cannot.
                guard let current = try message.string("current_password"), !current.isEmpty else {
                    throw LogbookError(
                        .invalidParameterValue, "Current password is required when changing your own password.")
                }
                guard
                    try await access.verify(username: username, password: current, address: "update-password")
                        != nil
                else { throw LogbookError(.invalidParameterValue, "Current password does not match.") }
            }
            try AccessControl.validate(password: password)
            try await access.store.updateUser(
                named: username, passwordHash: try await access.hash(password), isAdmin: nil)
            access.forget(username: username)
            return APIResponse.empty()
        },
        "users/update-admin": Endpoint(methods: [.patch]) { message, server in
            let (access, caller) = try signedIn(server)
            try requireAdmin(caller)
            guard let isAdmin = try message.bool("is_admin") else { throw message.missing("is_admin") }
            try await access.store.updateUser(
                named: try message.requiredString("username"), passwordHash: nil, isAdmin: isAdmin)
            return APIResponse.empty()
        },
        "users/delete": Endpoint(methods: [.delete]) { message, server in
            let (access, caller) = try signedIn(server)
            try requireAdmin(caller)
            let username = try message.requiredString("username")
            guard username != caller.username else {
                throw LogbookError(
                    .badRequest,
                    "Users cannot delete their own account. Ask another admin to delete this user instead.")
            }
            try await access.store.deleteUser(named: username)
            access.forget(username: username)
            return APIResponse.empty()
        },
        "experiments/permissions/create": .post { message, server in
            let (experimentID, user, access) = try await grantee(message, server)
            guard try await access.store.permission(experimentID: experimentID, userID: user.id) == nil else {
                throw LogbookError(
                    .resourceAlreadyExists,
                    "User \(user.username) already has a permission on experiment_id=\(experimentID); update it instead."
                )
            }
            let permission = try Permission(named: try message.requiredString("permission"))
            try await access.store.setPermission(permission, experimentID: experimentID, userID: user.id)
            return try APIResponse.plainJSON(
                ExperimentPermissionResponse(experimentPermission: .init(experimentID, user, permission)))
        },
        "experiments/permissions/get": .get { message, server in
            let (experimentID, user, access) = try await grantee(message, server)
            guard let permission = try await access.store.permission(experimentID: experimentID, userID: user.id)
            else { throw LogbookError.permissionNotFound(experimentID) }
            return try APIResponse.plainJSON(
                ExperimentPermissionResponse(experimentPermission: .init(experimentID, user, permission)))
        },
        "experiments/permissions/update": Endpoint(methods: [.patch]) { message, server in
            let (experimentID, user, access) = try await grantee(message, server)
            let permission = try Permission(named: try message.requiredString("permission"))
            guard try await access.store.permission(experimentID: experimentID, userID: user.id) != nil else {
                throw LogbookError.permissionNotFound(experimentID)
            }
            try await access.store.setPermission(permission, experimentID: experimentID, userID: user.id)
            return APIResponse.empty()
        },
        "experiments/permissions/delete": Endpoint(methods: [.delete]) { message, server in
            let (experimentID, user, access) = try await grantee(message, server)
            try await access.store.deletePermission(experimentID: experimentID, userID: user.id)
            return APIResponse.empty()
        },
    ]

    /// Under `/api/3.0/mlflow/` and `/ajax-api/3.0/mlflow/`: what MLflow 3's `AuthServiceClient`
    /// calls. Only the `experiment` resource type exists in Logbook.
    static let v3: [String: Endpoint] = [
        "users/current": .get { _, server in
            let (_, caller) = try signedIn(server)
            return try APIResponse.plainJSON(CurrentUserResponse(user: WireUser(caller), isBasicAuth: true))
        },
        "users/permissions/grant": .post { message, server in
            let permission = try Permission(named: try message.requiredString("permission"))
            if let (model, user, grants) = try await modelGrantee(message, server) {
                guard try await grants.registeredModelPermission(modelName: model, userID: user.id) == nil else {
                    throw LogbookError(
                        .resourceAlreadyExists,
                        "Permission for user=\(user.username) on resource_type=registered_model, resource_id=\(model) already exists."
                    )
                }
                try await grants.setRegisteredModelPermission(permission, modelName: model, userID: user.id)
                return APIResponse.empty()
            }
            let (experimentID, user, access) = try await grantee(message, server, v3: true)
            try await access.store.setPermission(permission, experimentID: experimentID, userID: user.id)
            return APIResponse.empty()
        },
        "users/permissions/revoke": .post { message, server in
            if let (model, user, grants) = try await modelGrantee(message, server) {
                try await grants.deleteRegisteredModelPermission(modelName: model, userID: user.id)
                return APIResponse.empty()
            }
            let (experimentID, user, access) = try await grantee(message, server, v3: true)
            try await access.store.deletePermission(experimentID: experimentID, userID: user.id)
            return APIResponse.empty()
        },
        "users/permissions/get": .get { message, server in
            let (access, caller) = try signedIn(server)
            let username = try message.requiredString("username")
            if try message.requiredString("resource_type") == "registered_model" {
                let model = try message.requiredString("resource_id")
                let registry = try server.registry()
                _ = try await registry.registeredModel(name: model)
                let user: User
                if username == caller.username || caller.isAdmin {
                    user = try await target(username, access, caller)
                } else {
                    try await (registry as? AuthorizedRegistry)?.require(.manage, model: model)
                    guard let found = try await access.store.user(named: username) else {
                        throw LogbookError.userNotFound(username)
                    }
                    user = found
                }
                let permission =
                    user.isAdmin
                    ? .manage
                    : try await (access.store as? any RegistryAccessStore)?.registeredModelPermission(
                        modelName: model, userID: user.id) ?? access.configuration.defaultPermission
                return try APIResponse.plainJSON(
                    UserPermissionResponse(allowed: permission.canRead, permission: permission.rawValue))
            }
            let experimentID = try experiment(message, v3: true)
            let user: User
            if username == caller.username || caller.isAdmin {
                user = try await target(username, access, caller)
            } else {
                try await server.require(.manage, experimentID: experimentID)
                guard let found = try await access.store.user(named: username) else {
                    throw LogbookError.userNotFound(username)
                }
                user = found
            }
            let permission = try await access.permission(of: user, experimentID: experimentID)
            return try APIResponse.plainJSON(
                UserPermissionResponse(allowed: permission.canRead, permission: permission.rawValue))
        },
    ]

    /// Under `/api/2.0/logbook/` and `/ajax-api/2.0/logbook/`: a signed-in user's own access tokens.
    static let tokens: [String: Endpoint] = [
        "tokens/create": .post { message, server in
            let (access, caller) = try signedIn(server)
            let name = try message.string("name") ?? "token"
            guard name.count <= 256 else {
                throw LogbookError(.invalidParameterValue, "A token name must be at most 256 characters.")
            }
            let now = WallClock.nowMilliseconds()
            var expiry: Int64?
            if let days = try message.int64("expires_in_days") {
                guard days > 0, days <= 3650 else {
                    throw LogbookError(
                        .invalidParameterValue, "expires_in_days must be between 1 and 3650, got \(days).")
                }
                expiry = now + days * 86_400_000
            }
            if let time = try message.int64("expiry_time") {
                guard time > now else {
                    throw LogbookError(.invalidParameterValue, "expiry_time \(time) is in the past.")
                }
                expiry = time
            }
            let secret = AccessControl.newSecret()
            let token = try await access.store.createToken(
                userID: caller.id, kind: .token, name: name, digest: AccessControl.digest(secret: secret),
                creationTime: now, expiryTime: expiry)
            return try APIResponse.plainJSON(CreateTokenResponse(token: WireToken(token), secret: secret))
        },
        "tokens/list": .get { _, server in
            let (access, caller) = try signedIn(server)
            let tokens = try await access.store.tokens(userID: caller.id, kind: .token)
            return try APIResponse.plainJSON(TokensResponse(tokens: tokens.map(WireToken.init)))
        },
        "tokens/delete": Endpoint(methods: [.delete, .post]) { message, server in
            let (access, caller) = try signedIn(server)
            try await access.store.deleteToken(id: try message.requiredInt64("id"), userID: caller.id)
            return APIResponse.empty()
        },
    ]

    // MARK: Who may

    static func signedIn(_ server: ServerContext) throws -> (AccessControl, User) {
        guard let access = server.access else {
            throw LogbookError(
                .endpointNotFound, "This server runs without authentication (logbook server --auth turns it on).")
        }
        guard let caller = server.caller else { throw AccessControl.unauthenticated("You must sign in.") }
        return (access, caller)
    }

    static func requireAdmin(_ caller: User) throws {
        guard caller.isAdmin else {
            throw LogbookError(.permissionDenied, "Permission denied: only admins manage users.")
        }
    }

    /// The user `username`, who must be the caller unless the caller is an admin.
    static func target(_ username: String, _ access: AccessControl, _ caller: User) async throws -> User {
        guard caller.isAdmin || caller.username == username else {
            throw LogbookError(.permissionDenied, "Permission denied: only admins read or change other users.")
        }
        guard let user = try await access.store.user(named: username) else { throw LogbookError.userNotFound(username) }
        return user
    }

    static func experiment(_ message: WireMessage, v3: Bool) throws -> String {
        guard v3 else { return try message.requiredString("experiment_id") }
        let type = try message.requiredString("resource_type")
        guard type == "experiment" else {
            throw LogbookError(
                .invalidParameterValue,
                "resource_type '\(type)' is not supported by Logbook; permissions are granted on experiments (resource_type 'experiment') and registered models (resource_type 'registered_model')."
            )
        }
        return try message.requiredString("resource_id")
    }

    /// For a grant on a registered model (`resource_type` `registered_model`): the model, the
    /// user and where grants are kept; the caller must manage the model. `nil` for other types.
    static func modelGrantee(_ message: WireMessage, _ server: ServerContext) async throws
        -> (String, User, any RegistryAccessStore)?
    {
        guard try message.requiredString("resource_type") == "registered_model" else { return nil }
        let (access, _) = try signedIn(server)
        guard let grants = access.store as? any RegistryAccessStore else {
            throw LogbookError(.endpointNotFound, "This server's store keeps no model registry.")
        }
        let model = try message.requiredString("resource_id")
        let registry = try server.registry()
        _ = try await registry.registeredModel(name: model)
        try await (registry as? AuthorizedRegistry)?.require(.manage, model: model)
        let username = try message.requiredString("username")
        guard let user = try await access.store.user(named: username) else { throw LogbookError.userNotFound(username) }
        return (model, user, grants)
    }

    /// The experiment and user a grant is about; the caller must manage the experiment.
    static func grantee(_ message: WireMessage, _ server: ServerContext, v3: Bool = false) async throws
        -> (String, User, AccessControl)
    {
        let (access, _) = try signedIn(server)
        let experimentID = try experiment(message, v3: v3)
        _ = try await server.store.experiment(id: experimentID)
        try await server.require(.manage, experimentID: experimentID)
        let username = try message.requiredString("username")
        guard let user = try await access.store.user(named: username) else { throw LogbookError.userNotFound(username) }
        return (experimentID, user, access)
    }
}

// MARK: Wire shapes (MLflow's `User.to_json`, `ExperimentPermission.to_json`)

struct WireUser: Encodable {
    var id: Int64
    var username: String
    var isAdmin: Bool

    init(_ user: User) {
        id = user.id
        username = user.username
        isAdmin = user.isAdmin
    }

    enum CodingKeys: String, CodingKey {
        case id, username
        case isAdmin = "is_admin"
    }
}

struct UserResponse: Encodable {
    var user: WireUser
}

struct UsersResponse: Encodable {
    var users: [WireUser]
}

struct CurrentUserResponse: Encodable {
    var user: WireUser
    var isBasicAuth: Bool

    enum CodingKeys: String, CodingKey {
        case user
        case isBasicAuth = "is_basic_auth"
    }
}

struct WireExperimentPermission: Encodable {
    var experimentID: String
    var userID: Int64
    var permission: String

    init(_ experimentID: String, _ user: User, _ permission: Permission) {
        self.experimentID = experimentID
        userID = user.id
        self.permission = permission.rawValue
    }

    enum CodingKeys: String, CodingKey {
        case experimentID = "experiment_id"
        case userID = "user_id"
        case permission
    }
}

struct ExperimentPermissionResponse: Encodable {
    var experimentPermission: WireExperimentPermission

    enum CodingKeys: String, CodingKey {
        case experimentPermission = "experiment_permission"
    }
}

struct UserPermissionResponse: Encodable {
    var allowed: Bool
    var permission: String
}

struct WireToken: Encodable {
    var id: Int64
    var userID: Int64
    var name: String
    var creationTime: Int64
    var expiryTime: Int64?

    init(_ token: AccessToken) {
        id = token.id
        userID = token.userID
        name = token.name
        creationTime = token.creationTime
        expiryTime = token.expiryTime
    }

    enum CodingKeys: String, CodingKey {
        case id, name
        case userID = "user_id"
        case creationTime = "creation_time"
        case expiryTime = "expiry_time"
    }
}

struct CreateTokenResponse: Encodable {
    var token: WireToken
    /// Shown this once; the server keeps only its digest.
    var secret: String
}

struct TokensResponse: Encodable {
    var tokens: [WireToken]
}
