import LogbookCore
import Hummingbird
import LogbookWire

/// `runs/…` that log data: log-metric, log-parameter, set-tag, delete-tag, log-batch, log-inputs.
///
/// Every one is safe to repeat (reference §6.7): the store keeps one copy of an exact duplicate
/// metric point, accepts an identical param again and upserts tags.
enum LoggingEndpoints {
    static let all: [String: Endpoint] = [
        "runs/log-metric": .post { message, server in
            try await server.store.logMetric(runID: try message.runID(), try message.metric())
            return APIResponse.empty()
        },
        "runs/log-parameter": .post { message, server in
            try await server.store.logParam(runID: try message.runID(), try message.param())
            return APIResponse.empty()
        },
        "runs/set-tag": .post { message, server in
            try await server.store.setTag(runID: try message.runID(), try message.runTag())
            return APIResponse.empty()
        },
        "runs/delete-tag": .post { message, server in
            try await server.store.deleteTag(
                runID: try message.requiredString("run_id"), key: try message.requiredString("key"))
            return APIResponse.empty()
        },
        "runs/log-batch": .post { message, server in
            let batch = RunBatch(
                metrics: try message.messages("metrics").map { try $0.metric() },
                params: try message.messages("params").map { try $0.param() },
                tags: try message.messages("tags").map { try $0.runTag() })
            try await server.store.logBatch(runID: try message.requiredString("run_id"), batch)
            return APIResponse.empty()
        },
        "runs/log-inputs": .post { message, server in
            let runID = try message.requiredString("run_id")
            let inputs = try message.messages("datasets").map { try $0.datasetInput() }
            try await server.store.logInputs(runID: runID, datasets: inputs)
            return APIResponse.empty()
        },
    ]
}
