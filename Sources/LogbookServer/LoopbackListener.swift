import Foundation
import LogbookCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A socket listening on a free port of 127.0.0.1, bound with plain system calls so the port is
/// known (and connections are queued by the kernel) before any of the HTTP machinery starts.
///
/// ```swift
/// let listener = try LoopbackListener()
/// environment["MLFLOW_TRACKING_URI"] = listener.url
/// try await server.serve(listener)  // SwiftNIO starts when the first client connects
/// ```
///
/// ``TrackingServer/serve(_:)`` owns the socket and closes it.
public struct LoopbackListener: Sendable {
    /// The port the socket is bound to.
    public let port: Int
    let descriptor: CInt

    /// Binds a free port on 127.0.0.1 and listens on it. The socket is closed on exec, so commands
    /// started meanwhile do not inherit it.
    /// - Throws: ``LogbookError`` (`INTERNAL_ERROR`) naming the system call that failed.
    public init() throws {
        #if canImport(Glibc)
            let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        #else
            let descriptor = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard descriptor >= 0 else { throw Self.failure("socket") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let failed: String? = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { address in
                if fcntl(descriptor, F_SETFD, FD_CLOEXEC) != 0 { return "fcntl" }
                if bind(descriptor, address, length) != 0 { return "bind" }
                if listen(descriptor, 256) != 0 { return "listen" }
                if getsockname(descriptor, address, &length) != 0 { return "getsockname" }
                return nil
            }
        }
        if let failed {
            let error = Self.failure(failed)
            close(descriptor)
            throw error
        }
        self.descriptor = descriptor
        port = Int(UInt16(bigEndian: address.sin_port))
    }

    /// The server's URL, `http://127.0.0.1:<port>`.
    public var url: String { "http://127.0.0.1:\(port)" }

    private static func failure(_ call: String) -> LogbookError {
        LogbookError(.internalError, "Cannot listen on a loopback port (\(call)): \(String(cString: strerror(errno))).")
    }
}
