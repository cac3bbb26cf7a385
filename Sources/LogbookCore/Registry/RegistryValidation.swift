import Foundation

/// The registry's checks, with MLflow 3.17.2's messages (shared by every store and the server).
public enum RegistryValidation {
    /// The longest alias.
    public static let maxAliasLength = 255
    /// The longest tag value of a registered model or version.
    public static let maxTagValueLength = 100_000

    /// Checks a registered model's name: not blank, no `/` or `:` (it sits in `models:/` URIs),
    /// and not a path that normalises to something else (`.`, `..`, `a/../b`).
    public static func validateModelName(_ name: String) throws {
        if name.allSatisfy(\.isWhitespace) {
            throw LogbookError(.invalidParameterValue, "Missing value for required parameter 'name'.")
        }
        if name.contains("/") || name.contains(":") {
            throw LogbookError(
                .invalidParameterValue, "Invalid model name '\(name)'. Names cannot contain '/' or ':'.")
        }
        if Validation.normalizePath(name) != name || name == "." || name == ".." {
            throw LogbookError(
                .invalidParameterValue,
                "Invalid model name '\(name)'. Names cannot be '.' or '..' or change when read as a file path.")
        }
    }

    /// A version number sent as text, read as Python's `int()` reads it.
    public static func version(_ text: String) throws -> Int64 {
        guard let version = Int64(text.trimmingCharacters(in: .whitespaces)) else {
            throw LogbookError(.invalidParameterValue, "Parameter 'version' must be an integer, got '\(text)'.")
        }
        return version
    }

    /// Checks an alias: letters, digits, `_` and `-` only, 1–255 characters; when `setting`,
    /// `latest` (any case) and `v<number>` are reserved.
    public static func validateAlias(_ alias: String, setting: Bool) throws {
        let valid =
            !alias.isEmpty
            && alias.unicodeScalars.allSatisfy { scalar in
                scalar == "_" || scalar == "-" || scalar.properties.isAlphabetic
                    || scalar.properties.numericType == .decimal
            }
        guard valid else {
            throw LogbookError(
                .invalidParameterValue,
                "Invalid alias name: '\(alias)'. Names may only contain alphanumerics, underscores (_), and dashes (-)."
            )
        }
        if alias.count > maxAliasLength {
            throw LogbookError(
                .invalidParameterValue,
                "Alias name exceeds the maximum length of \(maxAliasLength) characters (got \(alias.count)).")
        }
        guard setting else { return }
        if alias.lowercased() == "latest" {
            throw LogbookError(.invalidParameterValue, "'latest' alias name (case insensitive) is reserved.")
        }
        if alias.count > 1, alias.first == "v" || alias.first == "V", alias.dropFirst().allSatisfy(\.isASCIIDigit) {
            throw LogbookError(.invalidParameterValue, "Version alias name '\(alias)' is reserved.")
        }
    }

    /// Checks a tag of a registered model or version (keys as run tag keys).
    public static func validate(_ tag: RegistryTag) throws {
        try Validation.validateKey(tag.key, kind: "key")
        if tag.value.count > maxTagValueLength {
            throw LogbookError(
                .invalidParameterValue,
                "Tag value for key '\(tag.key)' exceeds the maximum length of \(maxTagValueLength) characters (got \(tag.value.count))."
            )
        }
    }

    /// The tags of a create request: each checked, the last value of a repeated key kept, by key.
    public static func validated(_ tags: [RegistryTag]) throws -> [RegistryTag] {
        var byKey: [String: String] = [:]
        for tag in tags {
            try validate(tag)
            byKey[tag.key] = tag.value
        }
        return byKey.map { RegistryTag(key: $0.key, value: $0.value) }.sorted { $0.key < $1.key }
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { isASCII && isNumber }
}

extension LogbookError {
    /// The error for a registered model name no model has.
    public static func registeredModelNotFound(_ name: String) -> LogbookError {
        LogbookError(.resourceDoesNotExist, "Registered Model with name=\(name) not found")
    }

    /// The error for a version a model does not have (or had and deleted).
    public static func modelVersionNotFound(_ name: String, _ version: Int64) -> LogbookError {
        LogbookError(.resourceDoesNotExist, "Model Version (name=\(name), version=\(version)) not found")
    }

    /// The error for creating a registered model whose name is taken.
    public static func registeredModelExists(_ name: String) -> LogbookError {
        LogbookError(.resourceAlreadyExists, "Registered Model (name=\(name)) already exists.")
    }

    /// The error for an alias a model does not have.
    public static func aliasNotFound(_ alias: String) -> LogbookError {
        LogbookError(.invalidParameterValue, "Registered model alias \(alias) not found.")
    }

    /// The error for a source that a version may not be registered from.
    public static func invalidVersionSource(_ source: String, _ reason: String) -> LogbookError {
        LogbookError(.invalidParameterValue, "Invalid model version source: '\(source)'. \(reason)")
    }
}
