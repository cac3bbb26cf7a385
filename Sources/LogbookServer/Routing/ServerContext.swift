import LogbookCore

/// What every endpoint works with: the store, the artifact directory and the settings.
/// Immutable and `Sendable`; the store does its own synchronisation.
struct ServerContext: Sendable {
    let store: any TrackingStore
    let artifacts: ArtifactDirectory
    let configuration: ServerConfiguration
}
