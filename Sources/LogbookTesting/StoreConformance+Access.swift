import LogbookCore
import Testing

extension StoreConformance {
    /// What every store that keeps `logbook server --auth`'s users (``AccessStore``) must do.
    public static var accessChecks: [ConformanceCheck] {
        [
            ConformanceCheck("users: unique names, updates, unknown users, delete takes tokens and grants along") {
                fixture in
                let store = try access(fixture.store)
                let alice = try await store.createUser(username: "alice", passwordHash: "$2b$04$a", isAdmin: false)
                await expectError(.resourceAlreadyExists) {
                    _ = try await store.createUser(username: "alice", passwordHash: "x", isAdmin: true)
                }
                _ = try await store.createUser(username: "Alice", passwordHash: "$2b$04$b", isAdmin: true)
                #expect(try await store.users().map(\.username) == ["alice", "Alice"])
                #expect(try await store.user(named: "alice") == alice)
                #expect(try await store.user(named: "bob") == nil)
                try await store.updateUser(named: "alice", passwordHash: "$2b$04$c", isAdmin: nil)
                try await store.updateUser(named: "alice", passwordHash: nil, isAdmin: true)
                let updated = try #require(try await store.user(named: "alice"))
                #expect(updated.passwordHash == "$2b$04$c" && updated.isAdmin && updated.id == alice.id)
                await expectError(.resourceDoesNotExist) {
                    try await store.updateUser(named: "bob", passwordHash: "x", isAdmin: nil)
                }
                _ = try await store.createToken(
                    userID: alice.id, kind: .token, name: "t", digest: "d1", creationTime: 1, expiryTime: nil)
                try await store.setPermission(.edit, experimentID: "0", userID: alice.id)
                try await store.deleteUser(named: "alice")
                #expect(try await store.user(named: "alice") == nil)
                #expect(try await store.token(digest: "d1") == nil)
                #expect(try await store.permissions(userID: alice.id).isEmpty)
                await expectError(.resourceDoesNotExist) { try await store.deleteUser(named: "alice") }
            },
            ConformanceCheck("tokens: found by digest with their user, listed per kind, deleted only by their owner") {
                fixture in
                let store = try access(fixture.store)
                let carol = try await store.createUser(username: "carol", passwordHash: "h", isAdmin: false)
                let dave = try await store.createUser(username: "dave", passwordHash: "h", isAdmin: false)
                let first = try await store.createToken(
                    userID: carol.id, kind: .token, name: "laptop", digest: "a", creationTime: 10, expiryTime: 99)
                let second = try await store.createToken(
                    userID: carol.id, kind: .token, name: "ci", digest: "b", creationTime: 20, expiryTime: nil)
                _ = try await store.createToken(
                    userID: carol.id, kind: .session, name: "web UI", digest: "c", creationTime: 30, expiryTime: 40)
                let found = try #require(try await store.token(digest: "a"))
                #expect(found.token == first && found.user == carol)
                #expect(found.token.isExpired(at: 99) && !found.token.isExpired(at: 98))
                #expect(try await store.tokens(userID: carol.id, kind: .token) == [second, first])
                #expect(try await store.tokens(userID: carol.id, kind: .session).map(\.name) == ["web UI"])
                await expectError(.resourceDoesNotExist) { try await store.deleteToken(id: first.id, userID: dave.id) }
                try await store.deleteToken(id: first.id, userID: carol.id)
                #expect(try await store.token(digest: "a") == nil)
                try await store.deleteToken(digest: "c")
                try await store.deleteToken(digest: "no such digest")
                #expect(try await store.tokens(userID: carol.id, kind: .session).isEmpty)
            },
            ConformanceCheck(
                "permissions: one grant per user and experiment, replaced, revoked; owners of runs and models"
            ) { fixture in
                let store = try access(fixture.store)
                let erin = try await store.createUser(username: "erin", passwordHash: "h", isAdmin: false)
                let experimentID = try await fixture.store.createExperiment(name: "granted")
                #expect(try await store.permission(experimentID: experimentID, userID: erin.id) == nil)
                try await store.setPermission(.read, experimentID: experimentID, userID: erin.id)
                try await store.setPermission(.manage, experimentID: experimentID, userID: erin.id)
                try await store.setPermission(.noPermissions, experimentID: "0", userID: erin.id)
                #expect(try await store.permission(experimentID: experimentID, userID: erin.id) == .manage)
                #expect(try await store.permissions(userID: erin.id) == [experimentID: .manage, "0": .noPermissions])
                try await store.deletePermission(experimentID: experimentID, userID: erin.id)
                await expectError(.resourceDoesNotExist) {
                    try await store.deletePermission(experimentID: experimentID, userID: erin.id)
                }
                #expect(try await store.permission(experimentID: "not a number", userID: erin.id) == nil)
                let run = try await fixture.store.createRun(RunCreation(experimentID: experimentID))
                let model = try await fixture.store.createLoggedModel(LoggedModelCreation(experimentID: experimentID))
                let grant = try #require(try await store.permission(runID: run.info.runID, userID: erin.id))
                #expect(grant.experimentID == experimentID && grant.permission == nil)
                try await store.setPermission(.read, experimentID: experimentID, userID: erin.id)
                #expect(try await store.permission(runID: run.info.runID, userID: erin.id)?.permission == .read)
                #expect(try await store.permission(runID: String(repeating: "0", count: 32), userID: erin.id) == nil)
                #expect(try await store.experimentID(ofLoggedModel: model.modelID) == experimentID)
                #expect(try await store.experimentID(ofLoggedModel: "m-nothing") == nil)
            },
            ConformanceCheck("users and grants are shared by every store instance over the same data") { fixture in
                let store = try access(fixture.store)
                let other = try access(try await fixture.openAnother())
                let frank = try await store.createUser(username: "frank", passwordHash: "h", isAdmin: false)
                try await store.setPermission(.edit, experimentID: "0", userID: frank.id)
                #expect(try await other.user(named: "frank") == frank)
                #expect(try await other.permission(experimentID: "0", userID: frank.id) == .edit)
                await expectError(.resourceAlreadyExists) {
                    _ = try await other.createUser(username: "frank", passwordHash: "x", isAdmin: false)
                }
            },
        ]
    }

    private static func access(_ store: any TrackingStore) throws -> any AccessStore {
        try #require(store as? any AccessStore, "\(type(of: store)) does not keep users (AccessStore)")
    }
}
