import Dispatch
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

extension TrackingServer {
    /// Serves on `listener` until the calling task is cancelled, then closes the socket.
    ///
    /// Nothing of the HTTP server starts before a client connects: no event loop thread, no
    /// pipeline. Until then the kernel queues connections on the socket. A command run under
    /// `logbook exec` that never talks to its tracking server (a shell script, a program that logs
    /// nothing) costs no more than the socket; starting SwiftNIO and Hummingbird up front added
    /// 6–7 ms to every such command. Requests are answered as by ``run(onRunning:)``, without the
    /// `Date` header (the date cache is a timer that would run for the server's whole life).
    public func serve(_ listener: LoopbackListener) async throws {
        guard await Self.connectionArrives(on: listener.descriptor) else {
            close(listener.descriptor)
            return
        }
        let logger = Self.logger
        let responder = APIResponder(server: context)
        let http = HTTP1Channel(responder: { request, writer, channel in
            let context = ServerRequestContext(source: .init(channel: channel, logger: logger))
            var response: Response
            do {
                response = try await responder.respond(to: request, context: context)
            } catch let error as HTTPParserError {
                throw error  // answered with 400 and a closed connection
            } catch {
                response = Response(status: .internalServerError)
            }
            response.headers[.server] = ServerEndpoints.serverName
            do {
                try await writer.write(response: response.head, body: response.body)
            } catch is HTTPParserError {
                throw ResponseInterrupted()  // the head is out: close the connection, answer nothing more
            }
        })
        let (connections, accepted) = AsyncStream.makeStream(of: HTTP1Channel.Value.self)
        let channel: any Channel
        do {
            channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .childChannelOption(ChannelOptions.allowRemoteHalfClosure, value: true)
                .childChannelInitializer { channel in
                    http.setup(channel: channel, logger: logger).map { accepted.yield($0) }
                }
                .withBoundSocket(listener.descriptor).get()
        } catch {
            close(listener.descriptor)
            throw error
        }
        await withTaskCancellationHandler {
            await withDiscardingTaskGroup { group in
                for await connection in connections {
                    group.addTask { await http.handle(value: connection, logger: logger) }
                }
            }
        } onCancel: {
            accepted.finish()
            channel.close(promise: nil)
        }
        try? await channel.close()
    }

    /// Waits until a connection is queued on the listening `socket` (`true`) or the task is
    /// cancelled (`false`), with a dispatch source: no thread waits.
    private static func connectionArrives(on socket: CInt) async -> Bool {
        // A dispatch source is thread-safe: cancel() may come from whichever thread cancels the task.
        nonisolated(unsafe) let source = DispatchSource.makeReadSource(fileDescriptor: socket, queue: .global())
        await withTaskCancellationHandler {
            await withCheckedContinuation { (arrived: CheckedContinuation<Void, Never>) in
                source.setEventHandler { source.cancel() }
                source.setCancelHandler { arrived.resume() }
                source.resume()
                if Task.isCancelled { source.cancel() }
            }
        } onCancel: {
            source.cancel()
        }
        return !Task.isCancelled
    }
}

/// Writing a response failed after its head was sent: the connection is closed.
private struct ResponseInterrupted: Error {}
