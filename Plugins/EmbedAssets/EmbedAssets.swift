import Foundation
import PackagePlugin

/// Compiles a target's `UI/Assets` folder into Swift: every file becomes a string constant, so the
/// binary carries its web UI and looks nothing up at run time (no resource bundle to lose when the
/// binary is copied elsewhere).
@main
struct EmbedAssets: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        guard let target = target as? SourceModuleTarget else { return [] }
        let folder = target.directoryURL.appending(path: "UI/Assets")
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path())
            .filter { !$0.hasPrefix(".") }
            .sorted()
        let inputs = names.map { folder.appending(path: $0) }
        let output = context.pluginWorkDirectoryURL.appending(path: "EmbeddedAssets.swift")
        return [
            .buildCommand(
                displayName: "Embedding \(names.count) web UI assets into \(target.name)",
                executable: try context.tool(named: "EmbedAssetsTool").url,
                arguments: [output.path()] + inputs.map { $0.path() },
                inputFiles: inputs,
                outputFiles: [output])
        ]
    }
}
