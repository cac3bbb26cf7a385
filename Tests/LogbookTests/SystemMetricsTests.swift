import Foundation
import LogbookCore
import LogbookTesting
import Testing

@testable import Logbook

@Suite("System metrics")
struct SystemMetricsTests {
    static let names = [
        "cpu_utilization_percentage", "system_memory_usage_megabytes", "system_memory_usage_percentage",
        "disk_usage_percentage", "disk_usage_megabytes", "disk_available_megabytes", "network_receive_megabytes",
        "network_transmit_megabytes", "process_cpu_utilization_percentage", "process_memory_rss_megabytes",
    ]

    /// Waits (up to 20 s, for a loaded machine) until the run has `count` points of `key`.
    private func waitForPoints(_ run: ActiveRun, _ key: String, count: Int) async throws {
        for _ in 0..<400 {
            try await run.flush()
            if try await run.client.store.metricHistory(runID: run.id, key: key).count >= count { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        Issue.record("no \(count) points of \(key) after 20 s")
    }

    private func fastOptions(nodeID: String? = nil, samples: Int = 1) -> SystemMetricsOptions {
        SystemMetricsOptions(
            enabled: false, samplingInterval: .milliseconds(100), samplesBeforeLogging: samples, nodeID: nodeID)
    }

    @Test func aggregationIsTheRoundedMeanAndNetworkTakesTheLast() {
        let aggregated = SystemSampler.aggregate([
            ["cpu_utilization_percentage": 10.04, "network_receive_megabytes": 1.2345],
            ["cpu_utilization_percentage": 20.0, "network_receive_megabytes": 2.3456],
        ])
        #expect(aggregated["cpu_utilization_percentage"] == 15.0)
        #expect(aggregated["network_receive_megabytes"] == 2.3456)
        #expect(SystemSampler.aggregate([["x": 1.26], ["x": 1.27]])["x"] == 1.3)
    }

    @Test func readingsArePlausibleAndMatchStatvfs() throws {
        var sampler = SystemSampler(nvml: nil)
        var busy = 0.0
        for index in 0..<3_000_000 { busy += Double(index % 7) }  // some CPU to measure
        let values = sampler.sample()
        #expect(busy > 0)
        for percentage in ["cpu_utilization_percentage", "system_memory_usage_percentage", "disk_usage_percentage"] {
            let value = try #require(values[percentage], "\(percentage)")
            #expect((0...100).contains(value), "\(percentage) = \(value)")
        }
        #expect(try #require(values["system_memory_usage_megabytes"]) > 0)
        #expect(try #require(values["process_memory_rss_megabytes"]) > 0)
        #expect(try #require(values["process_cpu_utilization_percentage"]) >= 0)
        #expect(try #require(values["network_receive_megabytes"]) >= 0)
        let attributes = try FileManager.default.attributesOfFileSystem(forPath: "/")
        let free = try #require((attributes[.systemFreeSize] as? NSNumber)?.doubleValue) / 1e6
        let available = try #require(values["disk_available_megabytes"])
        #expect(abs(available - free) / free < 0.05, "disk available \(available) MB vs statvfs \(free) MB")
        #expect(try #require(values["disk_usage_megabytes"]) > 0)
    }

    @Test func aRunOfAboutThreeIntervalsHasEveryNameAtConsecutiveSteps() async throws {
        let client = try makeClient { $0.systemMetrics = fastOptions() }
        let id = try await client.withRun(systemMetrics: true) { run in
            try await waitForPoints(run, "system/cpu_utilization_percentage", count: 3)
            return run.id
        }
        let run = try await client.store.run(id: id)
        for name in Self.names {
            let history = try await client.store.metricHistory(runID: id, key: "system/" + name)
            #expect(history.count >= 3, "\(name): \(history.count) points")
            #expect(history.map(\.step) == Array(0..<Int64(history.count)), "\(name) steps \(history.map(\.step))")
            #expect(history.allSatisfy { $0.timestamp > 1_700_000_000_000 }, "wall-clock milliseconds")
        }
        let cpu = try #require(run.data.metric("system/cpu_utilization_percentage"))
        #expect((0...100).contains(cpu))
        #expect(run.data.tag("logbook.system.cpu_count") == String(ProcessInfo.processInfo.activeProcessorCount))
        #expect(Int(run.data.tag("logbook.system.memory_total_megabytes") ?? "") ?? 0 > 0)
        #expect(run.data.tag("logbook.system.cpu_model")?.isEmpty == false)
    }

    @Test func nodeIDPrefixesTheNames() async throws {
        let client = try makeClient { $0.systemMetrics = fastOptions(nodeID: "node-7") }
        let id = try await client.withRun(systemMetrics: true) { run in
            try await waitForPoints(run, "system/node-7/cpu_utilization_percentage", count: 1)
            return run.id
        }
        let keys = try await client.store.run(id: id).data.metrics.map(\.key)
        #expect(keys.contains("system/node-7/cpu_utilization_percentage"))
        #expect(!keys.contains("system/cpu_utilization_percentage"))
    }

    @Test func samplesAreAveragedBeforeLogging() async throws {
        let client = try makeClient { $0.systemMetrics = fastOptions(samples: 2) }
        let started = ContinuousClock.now
        let id = try await client.withRun(systemMetrics: true) { run in
            try await waitForPoints(run, "system/disk_usage_megabytes", count: 2)
            return run.id
        }
        let samplesTaken = Int((ContinuousClock.now - started) / .milliseconds(100)) + 1
        let history = try await client.store.metricHistory(runID: id, key: "system/disk_usage_megabytes")
        #expect(history.count <= samplesTaken / 2 + 1, "two samples per point: \(history.count) points")
        #expect(history.map(\.step) == Array(0..<Int64(history.count)))
    }

    @Test func aResumedRunContinuesTheSteps() async throws {
        let client = try makeClient { $0.systemMetrics = fastOptions() }
        let id = try await client.withRun(systemMetrics: true) { run in
            try await waitForPoints(run, "system/cpu_utilization_percentage", count: 2)
            return run.id
        }
        let before = try await client.store.metricHistory(runID: id, key: "system/cpu_utilization_percentage")
        let last = try #require(before.last?.step)
        try await client.withRun(resuming: .id(id), systemMetrics: true) { run in
            try await waitForPoints(run, "system/cpu_utilization_percentage", count: before.count + 2)
        }
        let after = try await client.store.metricHistory(runID: id, key: "system/cpu_utilization_percentage")
        #expect(after.count > before.count)
        #expect(after.map(\.step) == Array(0...(after.last?.step ?? 0)), "steps continue without a gap or repeat")
        #expect(after[before.count].step == last + 1)
    }

    @Test func offByDefault() async throws {
        let client = try makeClient()
        let id = try await client.withRun { run in
            try await Task.sleep(for: .milliseconds(150))
            return run.id
        }
        #expect(try await client.store.run(id: id).data.metrics.isEmpty)
    }

    @Test(arguments: ["LOGBOOK_ENABLE_SYSTEM_METRICS_LOGGING", "MLFLOW_ENABLE_SYSTEM_METRICS_LOGGING"])
    func theEnvironmentTurnsItOn(variable: String) async throws {
        let client = try makeClient(environment: [variable: "true", "MLFLOW_SYSTEM_METRICS_SAMPLING_INTERVAL": "0.1"])
        let id = try await client.withRun { run in
            try await waitForPoints(run, "system/disk_usage_percentage", count: 1)
            return run.id
        }
        #expect(try await client.store.run(id: id).data.metric("system/disk_usage_percentage") != nil)
        let off = try await client.withRun(systemMetrics: false) { run in
            try await Task.sleep(for: .milliseconds(300))
            return run.id
        }
        #expect(try await client.store.run(id: off).data.metrics.isEmpty, "a run can turn it off")
    }

    @Test func optionsFromTheEnvironment() throws {
        let options = try SystemMetricsOptions.fromEnvironment([
            "MLFLOW_ENABLE_SYSTEM_METRICS_LOGGING": "1", "MLFLOW_SYSTEM_METRICS_SAMPLING_INTERVAL": "2.5",
            "LOGBOOK_SYSTEM_METRICS_SAMPLES_BEFORE_LOGGING": "3", "MLFLOW_SYSTEM_METRICS_NODE_ID": "n1",
        ])
        #expect(
            options
                == SystemMetricsOptions(
                    enabled: true, samplingInterval: .milliseconds(2500), samplesBeforeLogging: 3, nodeID: "n1"))
        #expect(try SystemMetricsOptions.fromEnvironment([:]) == SystemMetricsOptions())
        #expect(throws: LogbookError.self) {
            try SystemMetricsOptions.fromEnvironment(["MLFLOW_SYSTEM_METRICS_SAMPLING_INTERVAL": "-1"])
        }
        #expect(throws: LogbookError.self) {
            try SystemMetricsOptions.fromEnvironment(["MLFLOW_ENABLE_SYSTEM_METRICS_LOGGING": "yes"])
        }
    }

    @Test func withoutNVMLThereAreNoGPUMetricsAndNoError() async throws {
        #expect(NVML.load(library: "libnvidia-ml-does-not-exist.so.1", visibleDevices: nil) == nil)
        #expect(SystemMetricsMonitor.inventory(nvml: nil)["logbook.system.gpu_count"] == "0")
    }

    @Test func cudaVisibleDevicesSelectsDevices() {
        #expect(NVML.isVisible(index: 3, uuid: "GPU-abc", in: nil))
        #expect(NVML.isVisible(index: 1, uuid: "GPU-abc", in: "0,1"))
        #expect(!NVML.isVisible(index: 2, uuid: "GPU-abc", in: "0, 1"))
        #expect(NVML.isVisible(index: 5, uuid: "GPU-abc123", in: "GPU-abc"))
        #expect(!NVML.isVisible(index: 0, uuid: "GPU-abc", in: ""))
    }
}
