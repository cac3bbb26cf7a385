import ArgumentParser
import LogbookCore
import LogbookWire

/// `logbook runs search`: MLflow's filter language on the command line.
struct SearchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "search",
        abstract: "Find runs with MLflow's filter language.",
        discussion: """
            Examples:
              logbook runs search "metrics.acc > 0.9 and params.lr = '0.01'" --order-by "metrics.acc DESC"
              logbook runs search "tags.team ILIKE 'vision%' OR (status = 'FAILED' AND metrics.loss IS NULL)"
            Fields: metrics.<key>, params.<key>, tags.<key>, attributes (run_id, run_name, user_id, status, \
            artifact_uri, start_time, end_time). Quote keys with special characters in backticks.
            """)

    @OptionGroup var store: StoreOptions
    @OptionGroup var output: OutputOptions
    @Argument(help: "The filter; empty matches every run.") var filter: String = ""
    @Option(name: .customLong("order-by"), help: "A field and ASC or DESC; repeat for more.") var orderBy: [String] = []
    @Option(help: "Experiment id or name; repeat for more (default: every active experiment).") var experiment:
        [String] = []
    @Option(help: "Most runs to print.") var maxResults = Limits.defaultMaxResults
    @Option(help: "Which runs: active, deleted or all.") var view: ViewOption = .active

    func run() async throws {
        try await LogbookCommand.reportingErrors {
            let store = try store.openStore()
            let experimentIDs = try await ExperimentReference.ids(experiment, in: store)
            var runs: [Run] = []
            var token: String?
            repeat {
                let page = try await store.searchRuns(
                    experimentIDs: experimentIDs, filter: filter, viewType: view.viewType,
                    maxResults: min(maxResults - runs.count, Limits.maxResultsThreshold), orderBy: orderBy,
                    pageToken: token)
                runs += page.items
                token = page.nextPageToken
            } while token != nil && runs.count < maxResults
            if output.json {
                print(try WireEncoder.string(SearchRunsResponse(runs), pretty: true))
            } else {
                print(RunTable(runs: runs).rendered)
            }
        }
    }
}
