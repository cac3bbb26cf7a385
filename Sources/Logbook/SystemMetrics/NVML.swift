import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// NVIDIA GPUs through NVML, loaded at run time with `dlopen("libnvidia-ml.so.1")`: nothing to
/// link, and machines without the driver simply have no GPU metrics.
///
/// Thread safety: NVML's calls are thread-safe; the loaded library and device handles never change
/// after `load`, so the type is `@unchecked Sendable`.
final class NVML: @unchecked Sendable {
    /// One device's reading.
    struct Reading: Sendable, Equatable {
        /// NVML's index of the device (as `nvidia-smi` numbers it).
        var index: Int
        var utilizationPercent: Double?
        var memoryUsedBytes: Double?
        var memoryTotalBytes: Double?
        var powerWatts: Double?
        var powerLimitWatts: Double?
        var temperatureCelsius: Double?
    }

    /// A device as the inventory tags describe it.
    struct Device: Sendable, Equatable {
        var index: Int
        var name: String
        var memoryTotalBytes: Double
    }

    private typealias InitFunction = @convention(c) () -> Int32
    private typealias CountFunction = @convention(c) (UnsafeMutablePointer<UInt32>) -> Int32
    private typealias HandleFunction = @convention(c) (UInt32, UnsafeMutablePointer<OpaquePointer?>) -> Int32
    private typealias UInt32Function = @convention(c) (OpaquePointer?, UnsafeMutablePointer<UInt32>) -> Int32
    private typealias UInt64sFunction = @convention(c) (OpaquePointer?, UnsafeMutablePointer<UInt64>) -> Int32
    private typealias TemperatureFunction =
        @convention(c) (OpaquePointer?, Int32, UnsafeMutablePointer<UInt32>) -> Int32
    private typealias TextFunction = @convention(c) (OpaquePointer?, UnsafeMutablePointer<CChar>, UInt32) -> Int32

    private let utilization: UInt32Function  // nvmlDeviceGetUtilizationRates: {gpu, memory}
    private let memory: UInt64sFunction  // nvmlDeviceGetMemoryInfo: {total, free, used}
    private let power: UInt32Function  // milliwatts
    private let powerLimit: UInt32Function  // milliwatts
    private let temperature: TemperatureFunction
    private let name: TextFunction
    /// The devices sampled, with their NVML index.
    private let handles: [(index: Int, handle: OpaquePointer?)]

    /// Loads NVML and opens the devices `CUDA_VISIBLE_DEVICES` allows (all when unset); `nil` when
    /// the library or a function is missing or NVML does not start.
    static func load(library: String = "libnvidia-ml.so.1", visibleDevices: String?) -> NVML? {
        guard let library = dlopen(library, RTLD_NOW | RTLD_LOCAL) else { return nil }
        func symbol<T>(_ name: String, as type: T.Type) -> T? {
            dlsym(library, name).map { unsafeBitCast($0, to: type) }
        }
        guard let initialize = symbol("nvmlInit_v2", as: InitFunction.self),
            let count = symbol("nvmlDeviceGetCount_v2", as: CountFunction.self),
            let handle = symbol("nvmlDeviceGetHandleByIndex_v2", as: HandleFunction.self),
            let uuid = symbol("nvmlDeviceGetUUID", as: TextFunction.self),
            let utilization = symbol("nvmlDeviceGetUtilizationRates", as: UInt32Function.self),
            let memory = symbol("nvmlDeviceGetMemoryInfo", as: UInt64sFunction.self),
            let power = symbol("nvmlDeviceGetPowerUsage", as: UInt32Function.self),
            let powerLimit = symbol("nvmlDeviceGetEnforcedPowerLimit", as: UInt32Function.self),
            let temperature = symbol("nvmlDeviceGetTemperature", as: TemperatureFunction.self),
            let name = symbol("nvmlDeviceGetName", as: TextFunction.self),
            initialize() == 0
        else { return nil }
        var total: UInt32 = 0
        guard count(&total) == 0 else { return nil }
        var handles: [(Int, OpaquePointer?)] = []
        for index in 0..<Int(total) {
            var device: OpaquePointer?
            guard handle(UInt32(index), &device) == 0 else { continue }
            let id = Self.text(uuid, device) ?? ""
            if Self.isVisible(index: index, uuid: id, in: visibleDevices) { handles.append((index, device)) }
        }
        return NVML(
            utilization: utilization, memory: memory, power: power, powerLimit: powerLimit, temperature: temperature,
            name: name, handles: handles)
    }

    private init(
        utilization: UInt32Function, memory: UInt64sFunction, power: UInt32Function, powerLimit: UInt32Function,
        temperature: TemperatureFunction, name: TextFunction, handles: [(index: Int, handle: OpaquePointer?)]
    ) {
        self.utilization = utilization
        self.memory = memory
        self.power = power
        self.powerLimit = powerLimit
        self.temperature = temperature
        self.name = name
        self.handles = handles
    }

    /// Whether device `index` (with `uuid`) is among `CUDA_VISIBLE_DEVICES`: a comma-separated
    /// list of indices or UUIDs (or UUID prefixes); unset means every device.
    static func isVisible(index: Int, uuid: String, in visibleDevices: String?) -> Bool {
        guard let visibleDevices else { return true }
        return visibleDevices.split(separator: ",").contains { entry in
            let entry = entry.trimmingCharacters(in: .whitespaces)
            if let number = Int(entry) { return number == index }
            return !entry.isEmpty && uuid.hasPrefix(entry)
        }
    }

    /// The devices, for inventory tags.
    func devices() -> [Device] {
        handles.map { index, handle in
            var info = [UInt64](repeating: 0, count: 3)
            _ = memory(handle, &info)
            return Device(index: index, name: Self.text(name, handle) ?? "unknown", memoryTotalBytes: Double(info[0]))
        }
    }

    /// One reading per device; a value NVML cannot give is `nil`.
    func read() -> [Reading] {
        handles.map { index, handle in
            var reading = Reading(index: index)
            var rates: [UInt32] = [0, 0]
            if utilization(handle, &rates) == 0 { reading.utilizationPercent = Double(rates[0]) }
            var info: [UInt64] = [0, 0, 0]
            if memory(handle, &info) == 0 {
                reading.memoryTotalBytes = Double(info[0])
                reading.memoryUsedBytes = Double(info[2])
            }
            var milliwatts: UInt32 = 0
            if power(handle, &milliwatts) == 0 { reading.powerWatts = Double(milliwatts) / 1000 }
            if powerLimit(handle, &milliwatts) == 0, milliwatts > 0 {
                reading.powerLimitWatts = Double(milliwatts) / 1000
            }
            var celsius: UInt32 = 0
            if temperature(handle, 0, &celsius) == 0 { reading.temperatureCelsius = Double(celsius) }
            return reading
        }
    }

    private static func text(_ function: TextFunction, _ handle: OpaquePointer?) -> String? {
        var buffer = [CChar](repeating: 0, count: 96)
        guard function(handle, &buffer, UInt32(buffer.count)) == 0 else { return nil }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
