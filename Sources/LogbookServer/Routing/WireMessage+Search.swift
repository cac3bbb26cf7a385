import LogbookCore
import LogbookWire

extension WireMessage {
    /// `max_results` for searches: 1…50 000, default 1000.
    func searchMaxResults() throws -> Int {
        let maxResults = try int64("max_results").map { Int(clamping: $0) } ?? Limits.defaultMaxResults
        try Validation.validateMaxResults(maxResults)
        return maxResults
    }
}
