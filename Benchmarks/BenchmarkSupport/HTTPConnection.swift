import Foundation

/// A minimal blocking HTTP/1.1 client over one keep-alive TCP connection, with `TCP_NODELAY`,
/// as a load generator: no framework between the benchmark and the socket.
///
/// `@unchecked Sendable`: a connection is handed to one thread and used only by it.
public final class HTTPConnection: @unchecked Sendable {
    public struct Response: Sendable {
        public var status: Int
        public var body: [UInt8]
        public var bodyLength: Int

        /// Stops the benchmark on anything but a 200: a figure for failed requests means nothing.
        public func expectOK(_ what: String) {
            guard status == 200 else {
                fatalError("\(what): HTTP \(status): \(String(decoding: body, as: UTF8.self))")
            }
        }
    }

    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    private let descriptor: Int32
    private var buffer: [UInt8] = []
    private let host: String
    /// Sent with every request (`Authorization`, say).
    public var headers: [(name: String, value: String)] = []

    /// - Parameter noDelay: set `TCP_NODELAY` on the client's socket (clients such as urllib3 do).
    public init(port: Int, host: String = "127.0.0.1", noDelay: Bool = true) throws {
        self.host = host
        descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var flag: Int32 = noDelay ? 1 : 0
        setsockopt(descriptor, Int32(IPPROTO_TCP), TCP_NODELAY, &flag, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr(host)
        address.sin_port = UInt16(port).bigEndian
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else {
            close(descriptor)
            throw Failure(description: "connect: \(String(cString: strerror(errno)))")
        }
    }

    deinit { close(descriptor) }

    /// Sends one request and reads its response.
    public func request(_ method: String, _ path: String, body: [UInt8] = [], contentType: String = "application/json")
        throws -> Response
    {
        try send(head(method, path, contentLength: body.count, contentType: contentType) + body)
        return try readResponse()
    }

    /// GETs `path` and counts the body's bytes without keeping them (a streamed download).
    public func download(_ path: String) throws -> (status: Int, bytes: Int) {
        try send(head("GET", path, contentLength: 0, contentType: ""))
        let response = try readResponse(keepingBody: false)
        return (response.status, response.bodyLength)
    }

    /// Sends a request whose body `chunks` produces, piece by piece (a streamed upload).
    public func upload(_ path: String, length: Int, chunk: [UInt8]) throws -> Response {
        try send(head("PUT", path, contentLength: length, contentType: "application/octet-stream"))
        var sent = 0
        while sent < length {
            let count = min(chunk.count, length - sent)
            try send(count == chunk.count ? chunk : Array(chunk[0..<count]))
            sent += count
        }
        return try readResponse()
    }

    private func head(_ method: String, _ path: String, contentLength: Int, contentType: String) -> [UInt8] {
        var head = "\(method) \(path) HTTP/1.1\r\nHost: \(host)\r\nContent-Length: \(contentLength)\r\n"
        for header in headers { head += "\(header.name): \(header.value)\r\n" }
        if contentLength > 0 { head += "Content-Type: \(contentType)\r\n" }
        return Array((head + "\r\n").utf8)
    }

    private func send(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress! + offset, bytes.count - offset) }
            guard written > 0 else { throw Failure(description: "write: \(String(cString: strerror(errno)))") }
            offset += written
        }
    }

    private func fill() throws {
        var chunk = [UInt8](repeating: 0, count: 256 * 1024)
        let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress!, $0.count) }
        guard count > 0 else { throw Failure(description: "connection closed by the server") }
        buffer.append(contentsOf: chunk[0..<count])
    }

    private func readResponse(keepingBody: Bool = true) throws -> Response {
        let separator: [UInt8] = [13, 10, 13, 10]
        var headerEnd: Int?
        while headerEnd == nil {
            if buffer.count >= 4 {
                for index in 0...(buffer.count - 4) where buffer[index..<index + 4].elementsEqual(separator) {
                    headerEnd = index
                    break
                }
            }
            if headerEnd == nil { try fill() }
        }
        let head = String(decoding: buffer[0..<headerEnd!], as: UTF8.self)
        let lines = head.split(separator: "\r\n")
        let status = Int(lines.first?.split(separator: " ").dropFirst().first ?? "") ?? 0
        var length = 0
        for line in lines.dropFirst() where line.lowercased().hasPrefix("content-length:") {
            length = Int(line.split(separator: ":")[1].trimmingCharacters(in: .whitespaces)) ?? 0
        }
        buffer.removeFirst(headerEnd! + 4)
        guard keepingBody else {
            var remaining = length
            while remaining > 0 {
                if buffer.isEmpty { try fill() }
                let taken = min(remaining, buffer.count)
                buffer.removeFirst(taken)
                remaining -= taken
            }
            return Response(status: status, body: [], bodyLength: length)
        }
        while buffer.count < length { try fill() }
        let body = Array(buffer[0..<length])
        buffer.removeFirst(length)
        return Response(status: status, body: body, bodyLength: length)
    }
}
