/// The experiments a user may read, as a search restricts them: every one, every one but some
/// (the default permission reads; some were set to `NO_PERMISSIONS`), or only some (the default
/// does not read; some were granted).
enum ExperimentScope: Sendable, Hashable {
    case all
    case allExcept(Set<String>)
    case only(Set<String>)

    func contains(_ experimentID: String) -> Bool {
        switch self {
        case .all: true
        case .allExcept(let hidden): !hidden.contains(experimentID)
        case .only(let shown): shown.contains(experimentID)
        }
    }
}
