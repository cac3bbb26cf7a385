/// The names of the tags MLflow (and Logbook) reserve for run metadata.
public enum SystemTag {
    /// The run's name, kept equal to ``RunInfo/runName``.
    public static let runName = "mlflow.runName"
    /// The id of the parent of a nested run.
    public static let parentRunID = "mlflow.parentRunId"
    /// The run's description, shown as its note.
    public static let noteContent = "mlflow.note.content"
    public static let user = "mlflow.user"
    public static let sourceName = "mlflow.source.name"
    public static let sourceType = "mlflow.source.type"
    public static let gitCommit = "mlflow.source.git.commit"
    public static let gitBranch = "mlflow.source.git.branch"
    public static let gitRepoURL = "mlflow.source.git.repoURL"
    public static let gitDirty = "mlflow.source.git.dirty"
    public static let entryPoint = "mlflow.project.entryPoint"
}
