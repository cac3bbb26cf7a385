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
        "runs/log-metric": write(
            DirectReader.logMetric, { (try $0.runID(), try $0.metric()) }, { try await $0.logMetric(runID: $1, $2) }),
        "runs/log-parameter": write(
            DirectReader.logParam, { (try $0.runID(), try $0.param()) }, { try await $0.logParam(runID: $1, $2) }),
        "runs/set-tag": write(
            DirectReader.setTag, { (try $0.runID(), try $0.runTag()) }, { try await $0.setTag(runID: $1, $2) }),
        "runs/delete-tag": .post { message, server in
            try await server.store.deleteTag(
                runID: try message.requiredString("run_id"), key: try message.requiredString("key"))
            return APIResponse.empty()
        },
        "runs/log-batch": write(DirectReader.logBatch, { try $0.logBatch() }, { try await $0.logBatch(runID: $1, $2) }),
        "runs/log-inputs": .post { message, server in
            let runID = try message.requiredString("run_id")
            let inputs = try message.messages("datasets").map { try $0.datasetInput() }
            let models = try message.messages("models").map { try $0.requiredString("model_id") }
            if !inputs.isEmpty || models.isEmpty { try await server.store.logInputs(runID: runID, datasets: inputs) }
            if !models.isEmpty { try await server.store.logModelInputs(runID: runID, modelIDs: models) }
            return APIResponse.empty()
        },
    ]

    /// A hot write endpoint: the body read by `direct` (``DirectReader``), or — when that steps
    /// aside — as a message by `generic`, which also gives every error; then `store` writes it.
    static func write<Value: Sendable>(
        _ direct: @escaping @Sendable (ByteBufferView) -> (String, Value)?,
        _ generic: @escaping @Sendable (WireMessage) throws -> (String, Value),
        _ store: @escaping @Sendable (any TrackingStore, String, Value) async throws -> Void
    ) -> Endpoint {
        .postBody { body, server in
            let (runID, value) =
                try direct(body.readableBytesView) ?? generic(WireMessage(body: body.readableBytesView))
            try await store(server.store, runID, value)
            return APIResponse.empty()
        }
    }
}
