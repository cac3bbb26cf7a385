import LogbookCore
import Hummingbird
import LogbookWire
import NIOCore

/// `runs/…` that log data: log-metric, log-parameter, set-tag, delete-tag, log-batch, log-inputs.
///
/// Every one is safe to repeat (reference §6.7): the store keeps one copy of an exact duplicate
/// metric point, accepts an identical param again and upserts tags.
enum LoggingEndpoints {
    static let all: [String: Endpoint] = [
        "runs/log-metric": .postBody { body, server in
            let (runID, metric) =
                try DirectReader.logMetric(body.readableBytesView)
                ?? {
                    let message = try WireMessage(body: body.readableBytesView)
                    return (try message.runID(), try message.metric())
                }()
            try await server.store.logMetric(runID: runID, metric)
            return APIResponse.empty()
        },
        "runs/log-parameter": .postBody { body, server in
            let (runID, param) =
                try DirectReader.logParam(body.readableBytesView)
                ?? {
                    let message = try WireMessage(body: body.readableBytesView)
                    return (try message.runID(), try message.param())
                }()
            try await server.store.logParam(runID: runID, param)
            return APIResponse.empty()
        },
        "runs/set-tag": .postBody { body, server in
            let (runID, tag) =
                try DirectReader.setTag(body.readableBytesView)
                ?? {
                    let message = try WireMessage(body: body.readableBytesView)
                    return (try message.runID(), try message.runTag())
                }()
            try await server.store.setTag(runID: runID, tag)
            return APIResponse.empty()
        },
        "runs/delete-tag": .post { message, server in
            try await server.store.deleteTag(
                runID: try message.requiredString("run_id"), key: try message.requiredString("key"))
            return APIResponse.empty()
        },
        "runs/log-batch": .postBody { body, server in
            let (runID, batch) =
                try DirectReader.logBatch(body.readableBytesView)
                ?? {
                    try WireMessage(body: body.readableBytesView).logBatch()
                }()
            try await server.store.logBatch(runID: runID, batch)
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
