import LogbookCore
import Hummingbird
import LogbookWire

/// `runs/…` that manage runs: create, get, update, delete, restore and search.
enum RunEndpoints {
    static let all: [String: Endpoint] = [
        "runs/create": .post { message, server in
            // MLflow fails without an experiment id (a foreign-key error); Logbook uses the Default
            // experiment, and the time of the request when no start time is sent (MLflow stores 0).
            let creation = RunCreation(
                experimentID: try message.string("experiment_id") ?? Experiment.defaultID,
                runName: try message.string("run_name"),
                userID: try message.string("user_id") ?? "",
                startTime: try message.int64("start_time") ?? WallClock.nowMilliseconds(),
                tags: try message.messages("tags").map { try $0.runTag() })
            return try APIResponse.json(GetRunResponse(try await server.store.createRun(creation)))
        },
        "runs/get": .get { message, server in
            try APIResponse.json(GetRunResponse(try await server.store.run(id: try message.runID())))
        },
        "runs/update": .post { message, server in
            let update = RunUpdate(
                status: try message.runStatus("status"), endTime: try message.int64("end_time"),
                runName: try message.string("run_name"))
            let info = try await server.store.updateRun(id: try message.runID(), update)
            return try APIResponse.json(UpdateRunResponse(info))
        },
        "runs/delete": .post { message, server in
            try await server.store.deleteRun(id: try message.requiredString("run_id"))
            return APIResponse.empty()
        },
        "runs/restore": .post { message, server in
            try await server.store.restoreRun(id: try message.requiredString("run_id"))
            return APIResponse.empty()
        },
        "runs/search": .post { message, server in
            let page = try await server.store.searchRuns(
                experimentIDs: try message.strings("experiment_ids"), filter: try message.string("filter"),
                viewType: try message.viewType("run_view_type") ?? .activeOnly,
                maxResults: try message.searchMaxResults(), orderBy: try message.strings("order_by"),
                pageToken: try message.string("page_token"))
            return try APIResponse.json(SearchRunsResponse(page.items, nextPageToken: page.nextPageToken))
        },
    ]
}
