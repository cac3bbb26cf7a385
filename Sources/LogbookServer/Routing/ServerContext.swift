import LogbookCore

/// What every endpoint works with: the store, the artifact directory and the settings, and with
/// `--auth` the access control and who is asking. Immutable and `Sendable`; the store does its
/// own synchronisation.
struct ServerContext: Sendable {
    /// With `--auth`, an ``AuthorizedStore`` for the signed-in caller.
    var store: any TrackingStore
    let artifacts: ArtifactDirectory
    let configuration: ServerConfiguration
    /// `nil` when the server runs without `--auth`.
    let access: AccessControl?
    /// Who is asking; `nil` without `--auth` (and before signing in).
    var caller: User?
    /// The model registry the store keeps (both SQL stores do); with `--auth`, an
    /// ``AuthorizedRegistry`` for the signed-in caller.
    private var registryStore: (any ModelRegistry)?

    init(
        store: any TrackingStore, artifacts: ArtifactDirectory, configuration: ServerConfiguration,
        access: AccessControl? = nil, caller: User? = nil
    ) {
        self.store = store
        self.artifacts = artifacts
        self.configuration = configuration
        self.access = access
        self.caller = caller
        registryStore = store as? any ModelRegistry
    }

    /// The model registry, or the error a client gets from a store that keeps none.
    func registry() throws -> any ModelRegistry {
        guard let registryStore else {
            throw LogbookError(.endpointNotFound, "This server's store keeps no model registry.")
        }
        return registryStore
    }

    /// This context for requests of `caller`: every store call checked against their permissions.
    func signedIn(_ caller: User) -> ServerContext {
        guard let access else { return self }
        var context = self
        context.caller = caller
        context.store = AuthorizedStore(base: store, access: access, caller: caller)
        context.registryStore = registryStore.map { AuthorizedRegistry(base: $0, access: access, caller: caller) }
        return context
    }

    /// Checks that the caller may do `needed` on an experiment (no check without `--auth`).
    func require(_ needed: Permission, experimentID: String) async throws {
        guard let store = store as? AuthorizedStore else { return }
        try await store.require(needed, experimentID: experimentID)
    }

    /// Checks that the caller may do `needed` on the run's experiment (no check without `--auth`).
    func require(_ needed: Permission, runID: String) async throws {
        guard let store = store as? AuthorizedStore else { return }
        try await store.require(needed, runID: runID)
    }
}
