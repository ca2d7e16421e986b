import HeadroomEngine

extension ReplicaEngine {
    /// What vLLM publishes after an iteration as Dynamo's ForwardPassMetrics, read from the batch
    /// as it stands: the iteration under way (its length; 0 when idle, an idle heartbeat), what it
    /// schedules and what waits. Within a decode run the iteration is its first one's length
    /// (the closed form's growth per iteration is not applied).
    func forwardPass(worker: Int, requests: RequestTable) -> DynamoEngineLoad {
        var queuedPrefill = 0, queuedDecodeKV = 0
        for id in waiting {
            let request = requests[id]
            queuedPrefill += Int(request.prefillRemaining)
            queuedDecodeKV += Int(request.transferred)
        }
        let prefillTokens = prefilling.reduce(0) { $0 + Int($1.chunk) }
        let context = decodingComputed + Int64(decoding) * decodeSteps
        var wall = 0.0
        if isBusy {
            wall = runIsDecode ? SimTime(nanoseconds: model.decodeIteration(batch: runBatch, contextTokens: runContext)).seconds
                : (runEnd - runStart).seconds
        }
        return DynamoEngineLoad(
            workerID: worker, wallTime: wall, scheduledPrefillTokens: prefillTokens, scheduledPrefillRequests: prefilling.count,
            scheduledDecodeRequests: decoding, scheduledDecodeKVTokens: Int(min(context, Int64(Int.max / 2))),
            queuedPrefillTokens: queuedPrefill, queuedDecodeKVTokens: queuedDecodeKV)
    }
}
