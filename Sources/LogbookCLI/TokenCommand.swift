import ArgumentParser
import Foundation
import LogbookCore
import LogbookREST

/// `logbook token create|list|revoke`: a user's own access tokens on a `logbook server --auth`.
struct TokenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token",
        abstract: "Make, list and revoke your access tokens on a logbook server with --auth.",
        discussion: """
            Sign in with MLFLOW_TRACKING_USERNAME and MLFLOW_TRACKING_PASSWORD (or an existing token in \
            MLFLOW_TRACKING_TOKEN). A new token's secret is printed once; set it as MLFLOW_TRACKING_TOKEN where \
            the password should not be kept (CI, notebooks). The server keeps only a digest of it.
            """,
        subcommands: [Create.self, List.self, Revoke.self]
    )

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "create", abstract: "Make a token; prints its secret once.")

        @OptionGroup var store: StoreOptions
        @Option(help: "What the token is for, to tell your tokens apart.") var name = "token"
        @Option(help: "Days until it stops working (default: never).") var expiresInDays: Int?

        func run() async throws {
            try await LogbookCommand.reportingErrors {
                let (token, secret) = try await TokenCommand.server(store).createAccessToken(
                    name: name, expiresInDays: expiresInDays)
                print(secret)
                FileHandle.standardError.write(
                    Data(
                        "Token \(token.id) '\(token.name)' made\(token.expiryTime.map { ", expires \(Format.time($0))" } ?? ""). Its secret is shown only now.\n"
                            .utf8))
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "list", abstract: "Your tokens (never their secrets).")

        @OptionGroup var store: StoreOptions

        func run() async throws {
            try await LogbookCommand.reportingErrors {
                let tokens = try await TokenCommand.server(store).accessTokens()
                let table = TextTable(
                    header: ["ID", "NAME", "CREATED", "EXPIRES"],
                    rows: tokens.map {
                        [
                            String($0.id), $0.name, Format.time($0.creationTime),
                            $0.expiryTime.map(Format.time) ?? "never",
                        ]
                    })
                print(table.rendered)
            }
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "revoke",
            abstract: "Revoke one of your tokens; it stops working at once.")

        @OptionGroup var store: StoreOptions
        @Argument(help: "The token's id (logbook token list).") var id: Int64

        func run() async throws {
            try await LogbookCommand.reportingErrors {
                try await TokenCommand.server(store).revokeAccessToken(id: id)
                print("Token \(id) revoked.")
            }
        }
    }

    static func server(_ options: StoreOptions) throws -> RESTStore {
        guard let store = try options.openStore() as? RESTStore else {
            throw LogbookError(
                .invalidParameterValue,
                "Tokens live on a tracking server: give --tracking-uri http(s)://… (or MLFLOW_TRACKING_URI).")
        }
        return store
    }
}
