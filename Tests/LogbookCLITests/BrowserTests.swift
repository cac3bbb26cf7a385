import Foundation
import Testing

/// The web UI in a real browser: Tests/Browser/test_web_ui.py drives Debian's headless Chromium
/// over WebDriver (Selenium, installed into .venv by scripts/test) against `logbook server`, and
/// saves a screenshot per check under .build/ui-screenshots.
@Suite("The web UI in headless Chromium")
struct BrowserTests {
    static let packageRoot = MLflowClientTests.packageRoot

    static func which(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return path.split(separator: ":").map { "\($0)/\(name)" }
            .first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    static var hasSelenium: Bool {
        let lib = packageRoot.appendingPathComponent(".venv/lib").path
        let versions = (try? FileManager.default.contentsOfDirectory(atPath: lib)) ?? []
        return versions.contains { FileManager.default.fileExists(atPath: "\(lib)/\($0)/site-packages/selenium") }
    }

    /// Whether this machine can run the browser tests. In CI they always run (and fail if it cannot).
    static var available: Bool {
        ProcessInfo.processInfo.environment["CI"] == "true"
            || (which("chromium") != nil && which("chromedriver") != nil && hasSelenium)
    }

    @Test(
        .enabled(
            if: available,
            "needs chromium, chromium-driver (apt-get install chromium chromium-driver) and selenium in .venv (scripts/test installs it)"
        ))
    func pagesWorkInChromium() async throws {
        try await runScript("test_web_ui.py")
    }

    /// `logbook server --auth`'s sign-in form, a user who may read nothing, signing out
    /// (Tests/Browser/test_sign_in.py).
    @Test(
        .enabled(
            if: available,
            "needs chromium, chromium-driver (apt-get install chromium chromium-driver) and selenium in .venv (scripts/test installs it)"
        ))
    func signingInWorksInChromium() async throws {
        try await runScript("test_sign_in.py")
    }

    /// Runs Tests/Browser/`name`, which saves its screenshots in .build/ui-screenshots.
    private func runScript(_ name: String) async throws {
        let script = Self.packageRoot.appendingPathComponent("Tests/Browser/\(name)").path
        let shots = Self.packageRoot.appendingPathComponent(".build/ui-screenshots").path
        let result = try await CLI.runProcess(
            MLflowClientTests.python, [script, CLI.executable.path, shots],
            environment: MLflowClientTests.pythonEnvironment)
        #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)")
        #expect(result.stderr.contains("OK"), "\(result.stderr)")
    }
}
