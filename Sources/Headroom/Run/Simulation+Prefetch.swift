import HeadroomEngine
import HeadroomPrefetch

/// Loading a replica's state before the event that reads it (fleets of hundreds of replicas
/// and more).
///
/// In a fleet of thousands, an engine step's replica was last touched tens of thousands of events
/// ago: its engine, its record, its counters and its engine's buffers are out of the cache, and
/// each read waits for memory in turn (a buffer's address is in the engine, a request's id in a
/// buffer). So the replica whose step is the next event is asked for at the end of the current
/// one, and an engine's buffers all at once as its step starts. Prefetches are hints: results do
/// not depend on them. A fleet whose state fits in a core's cache skips them (they cost ~60
/// instructions an event).
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
    func prefetchNext(_ queue: inout EventQueue<SimulationEvent>) {
        if engines.count >= Self.prefetchingSlots { prefetchNextReplica(&queue) }
    }

    @inline(never)
    private func prefetchNextReplica(_ queue: inout EventQueue<SimulationEvent>) {
        guard let timer = queue.nextTimerHint() else { return }
        queue.prefetchTimer(timer)
        let r: Int
        if timer >= deployments.count {
            r = timer &- deployments.count  // a replica's step (`stepTimer`)
        } else {
            // An arrival: the replica it will likely go to, the least loaded now (this step may
            // change that).
            guard deployments[timer].routing.picksLeastLoaded,
                  let least = deployments[timer].routing.leastLoaded(),
                  let slot = replicaSlots.slotIfPresent(least) else { return }
            r = slot
        }
        guard r < engines.count else { return }
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
    /// the engine is loaded. Their addresses are read as raw bits: a copy of an array would
    /// retain it, a write to its cold header.
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
