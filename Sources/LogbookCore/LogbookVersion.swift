/// Logbook's version, kept in this one place: `logbook --version`, the `Server` header and
/// `server-info` answer of `logbook server`, the web UI's footer and the release packages' names
/// (`scripts/package` asks the built binary) all read it.
public enum LogbookVersion {
    /// The release this source tree builds, as `MAJOR.MINOR.PATCH`.
    public static let current = "0.1.0"
}
