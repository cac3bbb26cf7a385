import Foundation
import LogbookWire

/// A page's query string, read leniently: a value that cannot be used falls back to the default
/// and leaves a note the page shows, instead of an error page.
struct UIQuery: Sendable {
    private(set) var items: [(name: String, value: String)]
    /// What was ignored, in words for the person who followed the link.
    var notes: [String] = []

    init(_ query: String?) {
        items = (query ?? "").split(separator: "&").map { item in
            let parts = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = WireMessage.percentDecode(parts[0], plusIsSpace: true)
            let value = parts.count > 1 ? WireMessage.percentDecode(parts[1], plusIsSpace: true) : ""
            return (name, value)
        }
    }

    /// The last value of `name`, trimmed; `nil` when absent or empty.
    func string(_ name: String) -> String? {
        guard let value = items.last(where: { $0.name == name })?.value.trimmed, !value.isEmpty else { return nil }
        return value
    }

    /// Whether `name` appears at all (an empty value included).
    func contains(_ name: String) -> Bool { items.contains { $0.name == name } }

    /// Every value of `name`, repeated or comma-separated, in order, without duplicates or blanks.
    func list(_ name: String) -> [String] {
        var seen = Set<String>()
        return items.filter { $0.name == name }
            .flatMap { $0.value.split(separator: ",").map { String($0).trimmed } }
            .filter { !$0.isEmpty && seen.insert($0).inserted }
    }

    /// `name` as one of `choices`; anything else falls back to `fallback` with a note.
    mutating func choice(_ name: String, _ choices: [String], default fallback: String) -> String {
        guard let value = string(name) else { return fallback }
        guard choices.contains(value) else {
            notes.append("Ignored \(name)=\(value): use one of \(choices.joined(separator: ", ")).")
            return fallback
        }
        return value
    }
}

extension String {
    var trimmed: String { trimmingCharacters(in: .whitespacesAndNewlines) }
}
