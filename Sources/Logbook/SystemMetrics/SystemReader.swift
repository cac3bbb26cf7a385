import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// One reading of the machine's and this process's counters.
struct SystemReading: Sendable {
    /// CPU time of all cores, busy and in total, in clock ticks (Linux) or Mach ticks (macOS).
    var cpuBusy: Double
    var cpuTotal: Double
    var memoryTotalBytes: Double
    var memoryUsedBytes: Double
    var diskUsedBytes: Double
    var diskFreeBytes: Double
    var networkReceivedBytes: Double
    var networkTransmittedBytes: Double
    /// CPU seconds this process and the processes it started have used (on Linux; this process
    /// alone elsewhere).
    var processCPUSeconds: Double
    /// Resident bytes of this process and the processes it started (on Linux; this process alone
    /// elsewhere).
    var processResidentBytes: Double
    var time: ContinuousClock.Instant

    /// A reading with every counter at zero, taken now.
    static func zero() -> SystemReading {
        SystemReading(
            cpuBusy: 0, cpuTotal: 0, memoryTotalBytes: 0, memoryUsedBytes: 0, diskUsedBytes: 0, diskFreeBytes: 0,
            networkReceivedBytes: 0, networkTransmittedBytes: 0, processCPUSeconds: 0, processResidentBytes: 0,
            time: .now)
    }
}

/// Reads the counters without starting any process: /proc and statvfs on Linux, Mach host and
/// task statistics on macOS.
enum SystemReader {
    static func read() -> SystemReading {
        var reading = platformReading()
        var disk = statvfs()
        if statvfs("/", &disk) == 0 {
            // As psutil.disk_usage: used from free blocks, free as available to unprivileged users.
            let blockSize = Double(disk.f_frsize)
            reading.diskUsedBytes = Double(disk.f_blocks - disk.f_bfree) * blockSize
            reading.diskFreeBytes = Double(disk.f_bavail) * blockSize
        }
        return reading
    }

    #if os(Linux)
        private static func platformReading() -> SystemReading {
            var reading = SystemReading.zero()
            // cpu  user nice system idle iowait irq softirq steal guest guest_nice
            if let line = firstLine(of: "/proc/stat", startingWith: "cpu ") {
                let ticks = line.split(separator: " ").dropFirst().compactMap { Double($0) }
                if ticks.count >= 5 {
                    let total = ticks.prefix(8).reduce(0, +)
                    reading.cpuTotal = total
                    reading.cpuBusy = total - ticks[3] - ticks[4]
                }
            }
            if let meminfo = try? String(contentsOfFile: "/proc/meminfo", encoding: .utf8) {
                var values: [Substring: Double] = [:]
                for line in meminfo.split(separator: "\n") {
                    let parts = line.split(separator: " ", omittingEmptySubsequences: true)
                    if parts.count >= 2, let kilobytes = Double(parts[1]) { values[parts[0]] = kilobytes * 1024 }
                }
                reading.memoryTotalBytes = values["MemTotal:"] ?? 0
                reading.memoryUsedBytes =
                    reading.memoryTotalBytes - (values["MemAvailable:"] ?? values["MemFree:"] ?? 0)
            }
            if let netdev = try? String(contentsOfFile: "/proc/net/dev", encoding: .utf8) {
                for line in netdev.split(separator: "\n") where line.contains(":") {
                    let fields = line.split(separator: ":", maxSplits: 1)[1].split(separator: " ").compactMap {
                        Double($0)
                    }
                    if fields.count >= 9 {
                        reading.networkReceivedBytes += fields[0]
                        reading.networkTransmittedBytes += fields[8]
                    }
                }
            }
            let tree = processTree()
            reading.processCPUSeconds = tree.ticks / Double(sysconf(Int32(_SC_CLK_TCK)))
            reading.processResidentBytes = tree.residentPages * Double(sysconf(Int32(_SC_PAGESIZE)))
            reading.time = .now
            return reading
        }

        /// CPU ticks and resident pages of this process and every process it started, at any
        /// depth (a wrapped command, data-loading workers). A process's ticks include those of the
        /// children it has reaped (`cutime`, `cstime`), so a worker that ends takes no CPU time
        /// away from the total.
        private static func processTree() -> (ticks: Double, residentPages: Double) {
            var parents: [Int32: Int32] = [:]
            var figures: [Int32: (ticks: Double, pages: Double)] = [:]
            for entry in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] {
                guard let pid = Int32(entry),
                    let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
                    let close = stat.lastIndex(of: ")")
                else { continue }
                // The fields after the command's closing parenthesis: state, ppid, …; utime, stime,
                // cutime and cstime are fields 14–17, rss field 24.
                let fields = stat[stat.index(after: close)...].split(separator: " ")
                guard fields.count > 21, let parent = Int32(fields[1]) else { continue }
                let ticks = fields[11...14].compactMap { Double($0) }.reduce(0, +)
                parents[pid] = parent
                figures[pid] = (ticks, Double(fields[21]) ?? 0)
            }
            var children: [Int32: [Int32]] = [:]
            for (pid, parent) in parents { children[parent, default: []].append(pid) }
            var total = (ticks: 0.0, residentPages: 0.0)
            var pending = [getpid()]
            while let pid = pending.popLast() {
                if let figure = figures[pid] {
                    total.ticks += figure.ticks
                    total.residentPages += figure.pages
                }
                pending += children[pid] ?? []
            }
            return total
        }

        private static func firstLine(of path: String, startingWith prefix: String) -> Substring? {
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
            return text.split(separator: "\n").first { $0.hasPrefix(prefix) }
        }
    #elseif os(macOS)
        private static func platformReading() -> SystemReading {
            var reading = SystemReading.zero()
            reading.memoryTotalBytes = Double(ProcessInfo.processInfo.physicalMemory)
            var load = host_cpu_load_info()
            var count = mach_msg_type_number_t(MemoryLayout<host_cpu_load_info>.size / MemoryLayout<integer_t>.size)
            let cpuResult = withUnsafeMutablePointer(to: &load) {
                $0.withMemoryRebound(to: integer_t.self, capacity: Int(count)) {
                    host_statistics(mach_host_self(), HOST_CPU_LOAD_INFO, $0, &count)
                }
            }
            if cpuResult == KERN_SUCCESS {
                let user = Double(load.cpu_ticks.0)
                let system = Double(load.cpu_ticks.1)
                let idle = Double(load.cpu_ticks.2)
                let nice = Double(load.cpu_ticks.3)
                reading.cpuBusy = user + system + nice
                reading.cpuTotal = user + system + nice + idle
            }
            var vm = vm_statistics64()
            var vmCount = mach_msg_type_number_t(MemoryLayout<vm_statistics64>.size / MemoryLayout<integer_t>.size)
            let vmResult = withUnsafeMutablePointer(to: &vm) {
                $0.withMemoryRebound(to: integer_t.self, capacity: Int(vmCount)) {
                    host_statistics64(mach_host_self(), HOST_VM_INFO64, $0, &vmCount)
                }
            }
            if vmResult == KERN_SUCCESS {
                let page = Double(vm_kernel_page_size)
                reading.memoryUsedBytes =
                    (Double(vm.active_count) + Double(vm.wire_count) + Double(vm.compressor_page_count)) * page
            }
            var task = mach_task_basic_info()
            var taskCount = mach_msg_type_number_t(
                MemoryLayout<mach_task_basic_info>.size / MemoryLayout<natural_t>.size)
            let taskResult = withUnsafeMutablePointer(to: &task) {
                $0.withMemoryRebound(to: integer_t.self, capacity: Int(taskCount)) {
                    task_info(mach_task_self_, task_flavor_t(MACH_TASK_BASIC_INFO), $0, &taskCount)
                }
            }
            if taskResult == KERN_SUCCESS {
                reading.processResidentBytes = Double(task.resident_size)
                reading.processCPUSeconds =
                    Double(task.user_time.seconds + task.system_time.seconds)
                    + Double(task.user_time.microseconds + task.system_time.microseconds) / 1e6
            }
            reading.time = .now
            return reading
        }
    #else
        private static func platformReading() -> SystemReading {
            SystemReading.zero()
        }
    #endif
}
