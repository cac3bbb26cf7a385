// Prints what Logbook's system metrics sampler reads, GPUs included, as `name value` lines.
// scripts/check-gpu-metrics.sh runs it next to nvidia-smi.
import Foundation
import Logbook

for (key, value) in SystemMetricsProbe.inventory().sorted(by: { $0.key < $1.key }) {
    print("tag \(key) \(value)")
}
_ = SystemMetricsProbe.sampleOnce()
try await Task.sleep(for: .seconds(1))
for (name, value) in SystemMetricsProbe.sampleOnce().sorted(by: { $0.key < $1.key }) {
    print("system/\(name) \(value)")
}
