/// Something that reacts to events: the model of a run.
///
/// The loop is generic over the handler, so the model's `handle` is called directly (specialized),
/// not through an existential.
public protocol EventHandler {
    associatedtype Payload
    /// Handles one event at its time; may schedule more into `queue`.
    mutating func handle(_ payload: Payload, at now: SimTime, queue: inout EventQueue<Payload>)
}

/// The run loop: pops events in order and hands them to the model until the horizon.
public enum EventLoop {
    /// Runs until the queue is empty or the next event lies after `horizon`; returns the number of
    /// events handled. Events exactly at the horizon are handled.
    ///
    /// `progress`, when given, is called every 65,536 events with the current time (cheap enough
    /// to leave on).
    @inlinable
    @discardableResult
    public static func run<Handler: EventHandler>(
        _ handler: inout Handler,
        queue: inout EventQueue<Handler.Payload>,
        until horizon: SimTime,
        progress: ((SimTime) -> Void)? = nil
    ) -> Int {
        var handled = 0
        while let (now, payload) = queue.popNext(notAfter: horizon) {
            handler.handle(payload, at: now, queue: &queue)
            handled += 1
            if handled & 0xFFFF == 0, let progress { progress(now) }
        }
        return handled
    }
}
