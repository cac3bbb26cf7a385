/// One page of a listing, and the token that fetches the next one (`nil` on the last page).
public struct Page<Element: Sendable>: Sendable {
    public var items: [Element]
    /// Opaque; pass it back to get the following page.
    public var nextPageToken: String?

    public init(items: [Element], nextPageToken: String? = nil) {
        self.items = items
        self.nextPageToken = nextPageToken
    }
}

extension Page: Equatable where Element: Equatable {}
