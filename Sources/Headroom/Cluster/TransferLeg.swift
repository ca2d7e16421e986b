import HeadroomEngine

/// The shared links a transfer can cross: the cluster's registry and object-store egress, and the
/// NIC and local disk of the node it lands on. A replica's own host → GPU copy crosses none.
struct LinkSet: OptionSet, Sendable {
    let rawValue: UInt8
    static let registry = LinkSet(rawValue: 1)
    static let objectStore = LinkSet(rawValue: 2)
    static let nic = LinkSet(rawValue: 4)
    static let disk = LinkSet(rawValue: 8)
}

/// One hop of a cold start's data: `bytes` at up to `cap` bytes/s over `links`, each shared with
/// the other transfers crossing it at the same time.
struct TransferLeg: Sendable, Equatable {
    var bytes: Double
    /// The transfer's own limit (one stream's rate), bytes/s.
    var cap: Double
    var links: LinkSet

    /// A fixed wait that shares nothing (a pipeline fill, a copy already under way).
    static func pause(_ time: SimTime) -> TransferLeg {
        TransferLeg(bytes: Double(time.nanoseconds), cap: 1e9, links: [])
    }
}

extension ImagePull {
    /// Download from the registry through the node's NIC, then unpack onto its disk.
    static func legs(_ image: ImageSpec) -> [TransferLeg] {
        let bytes = image.sizeBytes * image.lazyFraction
        return [
            TransferLeg(bytes: bytes, cap: image.pullBandwidth, links: [.registry, .nic]),
            TransferLeg(bytes: bytes, cap: image.unpackRate, links: [.disk]),
        ]
    }
}

extension WeightLoad {
    /// Object store → the node's disk, through its NIC.
    static func downloadLeg(bytes: Double, _ spec: WeightLoadSpec) -> TransferLeg {
        TransferLeg(bytes: bytes, cap: spec.remoteBandwidth, links: [.objectStore, .nic])
    }

    /// A sequential load from the local copy: disk → host, then host → GPU (the replica's own PCIe).
    static func localLegs(bytes: Double, _ spec: WeightLoadSpec) -> [TransferLeg] {
        [TransferLeg(bytes: bytes, cap: spec.diskBandwidth, links: [.disk]),
         TransferLeg(bytes: bytes, cap: spec.hostToGPUBandwidth, links: [])]
    }

    /// A streamed load: every hop at once at the slowest hop's rate over all their links, then the
    /// pipeline fill as a pause.
    static func streamLegs(bytes: Double, _ spec: WeightLoadSpec, onLocalDisk: Bool) -> [TransferLeg] {
        let slowest = hops(spec, onLocalDisk: onLocalDisk).min() ?? spec.hostToGPUBandwidth
        let links: LinkSet = onLocalDisk ? [.disk] : [.objectStore, .nic, .disk]
        return [TransferLeg(bytes: bytes, cap: slowest, links: links),
                .pause(.seconds(fill(bytes: bytes, spec, onLocalDisk: onLocalDisk)))]
    }
}
