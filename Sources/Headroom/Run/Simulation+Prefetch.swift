import HeadroomEngine
import HeadroomCPUHints

/// Loading a replica's state before the event that reads it (fleets of hundreds of replicas
/// and more).
///
/// In a fleet of thousands, an engine step's replica was last touched tens of thousands of events
/// ago: its engine, its record, its counters and its engine's buffers are out of the cache, and
/// each read waits for memory in turn (a buffer's address is in the engine, a request's id in a
/// buffer). So the replica whose step is the next event is asked for at the end of the current
/// one, and an engine's buffers all at once as its step starts. A step looks one event further:
/// as it starts, the timer tree's runner-up names the replica that will likely step after it, whose
/// engine is then asked for; by the step's end it has arrived, and its buffers are asked for
/// then, an event ahead (the fleet's first 15 minutes: ~−9 %, 8 of 9 interleaved pairs).
/// Prefetches are hints: results do not depend on them. A fleet whose state fits in a core's
/// cache skips them (they cost ~60 instructions an event).
extension Simulation {
    /// Replica slots from which the state is prefetched (engines, records and buffers of ~1 KB
    /// each: 512 of them fill a core's 512 KB–1 MB L2).
    static let prefetchingSlots = 512
    /// Bytes before an array buffer's first element (its object header, count and capacity).
    static let arrayHeader = 32

    /// The replica whose step is the next event, when the queue knows it. (The test is inlined;
    /// the work is not, so that the event handlers stay small enough to inline. The queue is
    /// passed `inout` only so that it is not copied.)
    @inline(__always)
    mutating func prefetchNext(_ queue: inout EventQueue<SimulationEvent>) {
        if engines.count >= Self.prefetchingSlots { prefetchNextReplica(&queue) }
    }

    /// At a step's start: the replica whose step will likely follow this one's (the timer tree's
    /// runner-up), an event before `prefetchNext` can name it.
    @inline(__always)
    mutating func prefetchFollowing(_ queue: inout EventQueue<SimulationEvent>) {
        if engines.count >= Self.prefetchingSlots { prefetchFollowingReplica(&queue) }
    }

    @inline(never)
    private mutating func prefetchFollowingReplica(_ queue: inout EventQueue<SimulationEvent>) {
        // A replica's step only: the least loaded replica (an arrival's) is guessed better later.
        guard let timer = queue.followingTimerHint(), timer >= deployments.count, let r = slot(awaiting: timer) else { return }
        prefetchEngine(slot: r)
        prefetchedAhead = r
    }

    @inline(never)
    private mutating func prefetchNextReplica(_ queue: inout EventQueue<SimulationEvent>) {
        let ahead = prefetchedAhead
        prefetchedAhead = -1
        guard let timer = queue.nextTimerHint() else { return }
        queue.prefetchTimer(timer)
        guard let r = slot(awaiting: timer) else { return }
        if r == ahead {
            // Its engine was asked for an event ago: its buffers' addresses are (likely) there.
            prefetchBuffers(ofEngine: r)
            return
        }
        prefetchEngine(slot: r)
    }

    /// The replica slot that timer `timer`'s event will likely step: a replica's own step, or
    /// for an arrival the least loaded replica now (the one it would go to, if nothing changes).
    @inline(__always)
    private func slot(awaiting timer: Int) -> Int? {
        let r: Int
        if timer >= deployments.count {
            r = timer &- deployments.count  // a replica's step (`stepTimer`)
        } else {
            guard deployments[timer].routing.picksLeastLoaded,
                  let least = deployments[timer].routing.leastLoaded(),
                  let slot = replicaSlots.slotIfPresent(least) else { return nil }
            r = slot
        }
        return r < engines.count ? r : nil
    }

    /// The hot lines of the engine in slot `r`, its record and its counters.
    @inline(__always)
    private func prefetchEngine(slot r: Int) {
        engines.withUnsafeBufferPointer { buffer in
            let start = UnsafeRawPointer(buffer.baseAddress.unsafelyUnwrapped + r)
            var offset = 0
            // Its hot part: the fields before the prefix cache (ReplicaEngine's layout).
            let hot = MemoryLayout<ReplicaEngine>.offset(of: \.prefixCache)!
            while offset < hot {
                headroom_prefetch(start + offset)
                offset &+= 64
            }
            headroom_prefetch(start + (hot - 1))
        }
        replicas.withUnsafeBufferPointer { headroom_prefetch($0.baseAddress.unsafelyUnwrapped + r) }
        counters.withUnsafeBufferPointer { headroom_prefetch($0.baseAddress.unsafelyUnwrapped + r) }
    }

    /// The first lines (count and first elements) of the buffers of the engine in slot `r`, once
    /// the engine is loaded (arrays and `StateTable`s, whose first word is their buffer, laid out
    /// alike). Their addresses are read as raw bits: a copy of an array or a table would retain
    /// its buffer, a write to its cold header.
    @inline(__always)
    func prefetchEngineBuffers(slot r: Int) {
        if engines.count >= Self.prefetchingSlots { prefetchBuffers(ofEngine: r) }
    }

    @inline(never)
    private func prefetchBuffers(ofEngine r: Int) {
        engines.withUnsafeBufferPointer { buffer in
            let engine = UnsafeRawPointer(buffer.baseAddress.unsafelyUnwrapped + r)
            headroom_prefetch(engine.load(fromByteOffset: MemoryLayout<ReplicaEngine>.offset(of: \.prefilling)!, as: UnsafeRawPointer.self))
            let slots = engine.load(fromByteOffset: MemoryLayout<ReplicaEngine>.offset(of: \.decodingSlots)!, as: UnsafeRawPointer.self)
            headroom_prefetch(slots)
            // The finish-step heap whole (16 bytes a decoding sequence, a removal reads its last
            // and sifts through it), up to four lines.
            let heap = engine.load(fromByteOffset: MemoryLayout<ReplicaEngine>.offset(of: \.finishSteps)!, as: UnsafeRawPointer.self)
            let decoding = engine.load(fromByteOffset: MemoryLayout<ReplicaEngine>.offset(of: \.decoding)!, as: Int.self)
            var line = 0
            repeat {
                headroom_prefetch(heap + line)
                line &+= 64
            } while line < min(Self.arrayHeader &+ decoding &* MemoryLayout<FinishStep>.stride, 256)
            headroom_prefetch(engine.load(fromByteOffset: MemoryLayout<ReplicaEngine>.offset(of: \.waiting)!, as: UnsafeRawPointer.self))
            // The sequence to finish first (at this step's end, in a finish): its slot and its request's row.
            let next = engine.load(fromByteOffset: MemoryLayout<ReplicaEngine>.offset(of: \.nextFinish)!, as: FinishStep.self)
            guard next.slot >= 0 else { return }
            let sequence = slots + Self.arrayHeader + Int(next.slot) &* MemoryLayout<RunningSequence>.stride
            headroom_prefetch(sequence)
            headroom_prefetch(sequence + (MemoryLayout<RunningSequence>.size - 1))
            requests.slots.withUnsafeBufferPointer { rows in
                // A row is 72 bytes: it spans two lines.
                let row = UnsafeRawPointer(rows.baseAddress.unsafelyUnwrapped + Int(next.request))
                headroom_prefetch(row)
                headroom_prefetch(row + (MemoryLayout<RequestSlot>.size - 1))
            }
        }
    }
}
