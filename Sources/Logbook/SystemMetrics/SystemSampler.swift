import Foundation

/// Turns counter readings into MLflow's system metric names (reference §5.2), and samples into
/// logged values.
///
/// Beyond MLflow: `process_cpu_utilization_percentage` (this process and the processes it
/// started, 100 = one core) and `process_memory_rss_megabytes` (the same processes), for jobs on
/// shared nodes and for commands under `logbook exec`; `gpu_<i>_temperature_celsius`.
struct SystemSampler {
    private let start: SystemReading
    private var previous: SystemReading
    private let nvml: NVML?
    /// The last CPU percentages, repeated when a sample comes before the counters moved (they tick
    /// every 10 ms), so that every point has every name.
    private var lastCPU = 0.0
    private var lastProcessCPU = 0.0

    init(nvml: NVML?, baseline: SystemReading = SystemReader.read()) {
        self.nvml = nvml
        start = baseline
        previous = baseline
    }

    /// Names (without the `system/` prefix) and values now; CPU percentages cover the time since
    /// the previous sample (or repeat the last ones when the counters have not moved since).
    mutating func sample(_ reading: SystemReading = SystemReader.read()) -> [String: Double] {
        var values: [String: Double] = [:]
        let busy = reading.cpuBusy - previous.cpuBusy
        let total = reading.cpuTotal - previous.cpuTotal
        if total > 0 { lastCPU = min(100, max(0, busy / total * 100)) }
        values["cpu_utilization_percentage"] = lastCPU
        values["system_memory_usage_megabytes"] = reading.memoryUsedBytes / 1e6
        if reading.memoryTotalBytes > 0 {
            values["system_memory_usage_percentage"] = reading.memoryUsedBytes / reading.memoryTotalBytes * 100
        }
        if reading.diskUsedBytes + reading.diskFreeBytes > 0 {
            values["disk_usage_percentage"] =
                reading.diskUsedBytes / (reading.diskUsedBytes + reading.diskFreeBytes) * 100
        }
        values["disk_usage_megabytes"] = reading.diskUsedBytes / 1e6
        values["disk_available_megabytes"] = reading.diskFreeBytes / 1e6
        values["network_receive_megabytes"] = max(0, reading.networkReceivedBytes - start.networkReceivedBytes) / 1e6
        values["network_transmit_megabytes"] =
            max(0, reading.networkTransmittedBytes - start.networkTransmittedBytes) / 1e6
        let wall = (reading.time - previous.time).seconds
        if wall > 0.01 { lastProcessCPU = max(0, reading.processCPUSeconds - previous.processCPUSeconds) / wall * 100 }
        values["process_cpu_utilization_percentage"] = lastProcessCPU
        values["process_memory_rss_megabytes"] = reading.processResidentBytes / 1e6
        for gpu in nvml?.read() ?? [] {
            let name = "gpu_\(gpu.index)_"
            if let used = gpu.memoryUsedBytes {
                values[name + "memory_usage_megabytes"] = used / 1e6
                if let total = gpu.memoryTotalBytes, total > 0 {
                    values[name + "memory_usage_percentage"] = (used / total * 1000).rounded() / 10
                }
            }
            if let utilization = gpu.utilizationPercent { values[name + "utilization_percentage"] = utilization }
            if let watts = gpu.powerWatts {
                values[name + "power_usage_watts"] = watts
                if let limit = gpu.powerLimitWatts { values[name + "power_usage_percentage"] = watts / limit * 100 }
            }
            if let celsius = gpu.temperatureCelsius { values[name + "temperature_celsius"] = celsius }
        }
        previous = reading
        return values
    }

    /// MLflow's aggregation: the mean of the samples rounded to one decimal, except network
    /// counters, which are cumulative and take the last value.
    static func aggregate(_ samples: [[String: Double]]) -> [String: Double] {
        var sums: [String: (total: Double, count: Int, last: Double)] = [:]
        for sample in samples {
            for (name, value) in sample {
                let current = sums[name] ?? (0, 0, 0)
                sums[name] = (current.total + value, current.count + 1, value)
            }
        }
        return sums.reduce(into: [:]) { result, entry in
            let (name, sum) = entry
            result[name] = name.hasPrefix("network_") ? sum.last : (sum.total / Double(sum.count) * 10).rounded() / 10
        }
    }
}

extension Duration {
    /// The duration in seconds, fractions included.
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
