import Hummingbird
import NIOCore

/// Hummingbird's basic request context plus the address the request came from, which the
/// sign-in throttle counts failures by.
struct ServerRequestContext: RequestContext, RemoteAddressRequestContext {
    var coreContext: CoreRequestContextStorage
    let remoteAddress: SocketAddress?

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
    }

    /// The peer's IP address, for throttling ("?" when unknown).
    var peer: String { remoteAddress?.ipAddress ?? "?" }
}
