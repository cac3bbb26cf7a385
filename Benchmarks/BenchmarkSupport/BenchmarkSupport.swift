import Foundation

/// Seconds `body` takes.
public func seconds(_ body: () async throws -> Void) async rethrows -> Double {
    let start = ContinuousClock.now
    try await body()
    return (ContinuousClock.now - start).seconds
}

extension Duration {
    /// The duration in seconds, fractions included.
    public var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}

/// Peak resident set size in MiB (VmHWM from /proc/self/status; 0 where there is no /proc).
public func peakRSSMiB() -> Double {
    memoryMiB("VmHWM")
}

/// A memory figure of a process in MiB, from /proc/<pid>/status (`VmRSS` now, `VmHWM` peak);
/// 0 where there is no /proc.
public func memoryMiB(_ field: String, process: String = "self") -> Double {
    guard let status = try? String(contentsOfFile: "/proc/\(process)/status", encoding: .utf8) else { return 0 }
    for line in status.split(separator: "\n") where line.hasPrefix(field + ":") {
        return (line.split(separator: " ").compactMap { Double($0) }.first ?? 0) / 1024
    }
    return 0
}

/// Prints one figure, its name padded to a column.
public func report(_ name: String, _ value: String, width: Int = 62) {
    print(name.padding(toLength: width, withPad: " ", startingAt: 0) + value)
}

/// The benchmark's working directory: the first argument, else a new temporary one.
public func benchmarkDirectory(_ name: String) throws -> String {
    let directory =
        CommandLine.arguments.dropFirst().first ?? (NSTemporaryDirectory() + "logbook-\(name)-\(UUID().uuidString)")
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    return directory
}

/// Runs `body(0)` … `body(count - 1)` at once, each on a thread of its own, and returns when all
/// have. For load from several connections: `DispatchQueue.concurrentPerform` runs no more
/// iterations at a time than there are cores (two here), so four connections would be two.
public func concurrently(_ count: Int, _ body: @escaping @Sendable (Int) -> Void) {
    let group = DispatchGroup()
    for index in 0..<count {
        group.enter()
        Thread {
            body(index)
            group.leave()
        }.start()
    }
    group.wait()
}
