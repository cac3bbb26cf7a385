/// Where `logbook server --auth` keeps what users may do on registered models (MLflow's
/// `registered_model` resource type), beside the models themselves: a grant follows its model
/// through a rename and goes when the model is deleted.
public protocol RegistryAccessStore: Sendable {
    /// Grants `permission` on a registered model, replacing any grant the user had on it. An
    /// unknown model is `RESOURCE_DOES_NOT_EXIST`.
    func setRegisteredModelPermission(_ permission: Permission, modelName: String, userID: Int64) async throws

    /// The permission the user was granted on a registered model, or `nil` when none was.
    func registeredModelPermission(modelName: String, userID: Int64) async throws -> Permission?

    /// Every grant a user has on registered models, by model name.
    func registeredModelPermissions(userID: Int64) async throws -> [String: Permission]

    /// Revokes a user's grant on a registered model; none is `RESOURCE_DOES_NOT_EXIST`.
    func deleteRegisteredModelPermission(modelName: String, userID: Int64) async throws
}
