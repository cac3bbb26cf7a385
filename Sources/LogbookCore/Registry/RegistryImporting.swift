/// A registry that takes registered models and versions as they are — names, numbers, times,
/// stages, sources — for `logbook db copy`: a copied `models:/name/4` still names the same files.
public protocol RegistryImporting: Sendable {
    /// Stores `model` (times, description, tags; not its versions or aliases) unless a model of
    /// that name exists. Returns whether it was new.
    func importRegisteredModel(_ model: RegisteredModel) async throws -> Bool

    /// Stores `version` under its number (times, stage, source, download location, run, logged
    /// model, tags, description) unless the model has that number already. Returns whether it
    /// was new. Its registered model must exist.
    func importModelVersion(_ version: ModelVersion) async throws -> Bool
}
