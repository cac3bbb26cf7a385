import Foundation
import LogbookCore

/// Samples system metrics into a run while it is open.
///
/// Runs in a task the run owns: it stops when the run ends, whatever the status, and logs a last
/// point from what it sampled since its previous point plus one final reading, so the end is never
/// delayed by more than one reading (its sleep is cancelled). Steps count from 0 per run; a resumed run continues after its largest `system/`
/// step. Timestamps are wall-clock milliseconds. At start it tags the run with a hardware
/// inventory: `logbook.system.cpu_model`, `.cpu_count`, `.memory_total_megabytes`, `.gpu_count`,
/// `.gpu_<i>_name`, `.gpu_<i>_memory_total_megabytes`.
struct SystemMetricsMonitor: Sendable {
    let options: SystemMetricsOptions
    let run: ActiveRun
    let resumed: Bool

    /// NVML for the whole process, loaded on first use; `nil` without NVIDIA's driver.
    static let nvml: NVML? = {
        let library = NVML.load(visibleDevices: ProcessInfo.processInfo.environment["CUDA_VISIBLE_DEVICES"])
        if library == nil { Debug.log("NVML (libnvidia-ml.so.1) not found: no GPU metrics will be logged.") }
        return library
    }()

    func run() async {
        var sampler = SystemSampler(nvml: Self.nvml)
        var step = 0
        if resumed, let data = try? await run.client.store.run(id: run.id).data {
            let previous = data.metrics.filter { $0.key.hasPrefix(options.prefix) }.map(\.step).max()
            step = previous.map { Int($0) + 1 } ?? 0
        } else {
            try? await run.setTags(Self.inventory(nvml: Self.nvml))
        }
        var samples: [[String: Double]] = []
        while true {
            do {
                try await Task.sleep(for: options.samplingInterval)
            } catch {
                break
            }
            samples.append(sampler.sample())
            if samples.count >= options.samplesBeforeLogging {
                await publish(samples, step: step)
                step += 1
                samples = []
            }
        }
        // The run is ending: one last reading, so that even a run shorter than the interval has a
        // point, and the end state is recorded.
        samples.append(sampler.sample())
        await publish(samples, step: step)
    }

    private func publish(_ samples: [[String: Double]], step: Int) async {
        let timestamp = WallClock.nowMilliseconds()
        for (name, value) in SystemSampler.aggregate(samples).sorted(by: { $0.key < $1.key }) {
            try? await run.log(
                Metric(key: options.prefix + name, value: value, timestamp: timestamp, step: Int64(step)))
        }
    }

    /// The hardware inventory tags.
    static func inventory(nvml: NVML?) -> [String: String] {
        var tags = [
            "logbook.system.cpu_model": cpuModel(),
            "logbook.system.cpu_count": String(ProcessInfo.processInfo.activeProcessorCount),
            "logbook.system.memory_total_megabytes": String(Int(Double(ProcessInfo.processInfo.physicalMemory) / 1e6)),
        ]
        let devices = nvml?.devices() ?? []
        tags["logbook.system.gpu_count"] = String(devices.count)
        for device in devices {
            tags["logbook.system.gpu_\(device.index)_name"] = device.name
            tags["logbook.system.gpu_\(device.index)_memory_total_megabytes"] = String(
                Int(device.memoryTotalBytes / 1e6))
        }
        return tags
    }

    private static func cpuModel() -> String {
        #if os(Linux)
            let info = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
            let line = info.split(separator: "\n").first { $0.hasPrefix("model name") }
            return line.flatMap { $0.split(separator: ":", maxSplits: 1).last }
                .map { $0.trimmingCharacters(in: .whitespaces) } ?? "unknown"
        #elseif os(macOS)
            var size = 0
            sysctlbyname("machdep.cpu.brand_string", nil, &size, nil, 0)
            var buffer = [CChar](repeating: 0, count: max(size, 1))
            sysctlbyname("machdep.cpu.brand_string", &buffer, &size, nil, 0)
            return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        #else
            return "unknown"
        #endif
    }
}

/// Debug lines on standard error, when `LOGBOOK_LOG_LEVEL=debug`.
enum Debug {
    static let enabled = ProcessInfo.processInfo.environment["LOGBOOK_LOG_LEVEL"]?.lowercased() == "debug"

    static func log(_ message: String) {
        guard enabled else { return }
        FileHandle.standardError.write(Data("logbook: \(message)\n".utf8))
    }
}

/// One system metrics reading outside a run, for benchmarks and the GPU check.
public enum SystemMetricsProbe {
    /// The metric names (without `system/`) and values of one reading, GPUs included when NVML is
    /// there. CPU percentages cover the time since the previous call.
    public static func sampleOnce() -> [String: Double] {
        state.withLock { sampler in
            if sampler == nil { sampler = SystemSampler(nvml: SystemMetricsMonitor.nvml) }
            return sampler!.sample()
        }
    }

    /// The hardware inventory tags.
    public static func inventory() -> [String: String] {
        SystemMetricsMonitor.inventory(nvml: SystemMetricsMonitor.nvml)
    }

    private static let state = Locked<SystemSampler?>(nil)
}
