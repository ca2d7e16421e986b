import HeadroomEngine
import HeadroomTestSupport
import Testing
@testable import Headroom

@Suite("Cluster and cold starts")
struct ClusterTests {
    @Test("image pull: download plus unpack of the part fetched before start")
    func imagePull() {
        let image = ImageSpec(sizeBytes: 15e9, pullBandwidth: 250e6, unpackRate: 500e6)
        #expect(ImagePull.duration(image) == .seconds(90))
        var lazy = image
        lazy.lazyFraction = 0.1
        #expect(ImagePull.duration(lazy) == .seconds(9))
    }

    @Test("weight load: sequential sums the hops, streamed pays the slowest plus the pipeline fill")
    func weightLoad() {
        let sequential = WeightLoadSpec(remoteBandwidth: 1e9, diskBandwidth: 2e9, hostToGPUBandwidth: 20e9, mode: .sequential)
        var streamed = sequential
        streamed.mode = .streamed
        #expect(WeightLoad.duration(bytes: 16e9, sequential, onLocalDisk: false) == .seconds(16 + 8 + 0.8))
        #expect(WeightLoad.duration(bytes: 16e9, sequential, onLocalDisk: true) == .seconds(8 + 0.8))
        #expect(WeightLoad.duration(bytes: 16e9, streamed, onLocalDisk: false) == .seconds(16 + 0.256 / 2 + 0.256 / 20))
        #expect(WeightLoad.duration(bytes: 16e9, streamed, onLocalDisk: true) == .seconds(8 + 0.256 / 20))
    }

    /// Two cold replicas on one 8-GPU node: 60 s provisioning, 90 s pull, 24.8 s load, 30 s warm-up.
    static func coldPair(mode: WeightLoadSpec.Mode = .sequential) -> Scenario {
        var replica = ReplicaSpec()
        replica.weights.mode = mode
        return TestScenario.make(duration: .seconds(600), arrivals: .poisson(rate: 1), replicas: 2, warm: false, replica: replica)
    }

    @Test("a cold replica goes through every stage; its node's second replica shares the pull and the download")
    func coldStartStages() throws {
        let result = Simulation.run(Self.coldPair())
        let starts = result.coldStarts
        try #require(starts.count == 2)
        #expect(starts[0] == {
            var expected = ColdStart(requestedAt: .zero)
            expected.pendingSeconds = 60
            expected.pullSeconds = 90
            expected.loadSeconds = 24.8
            expected.warmupSeconds = 30
            expected.waitedForNode = true
            expected.readyAt = .seconds(204.8)
            return expected
        }())
        // Replica 1 waits for replica 0's pull, then for its download (16 s), then reads the local copy (8.8 s).
        #expect(starts[1].imageCached && starts[1].weightsCached)
        #expect(abs(starts[1].loadSeconds - 24.8) < 1e-9)
        #expect(result.nodes.count == 1)
        #expect(result.summary.coldStarts.completed == 2)
    }

    @Test("requests that arrive while the fleet is cold wait in the activator: their TTFT includes the start")
    func firstRequestWaitsOutTheColdStart() throws {
        let result = Simulation.run(Self.coldPair(), options: RunOptions(requestSample: 5))
        let first = try #require(result.requests.first)
        let firstToken = try #require(first.firstToken)
        #expect(firstToken >= 204.8)
        #expect(first.admitted! >= 204.8 && first.admitted! < 204.81)
    }

    @Test("GPU-seconds by state add up to the billed GPU lifetimes, and cost to billed seconds × price")
    func ledgerMatchesBilling() {
        for scenario in [Self.coldPair(), Self.coldPair(mode: .streamed), TestScenario.make(replicas: 3)] {
            let result = Simulation.run(scenario)
            let lifetimes = result.nodes.reduce(0.0) { total, node in
                total + ((node.terminated ?? scenario.duration.seconds) - node.requested) * Double(node.gpus)
            }
            #expect(abs(result.summary.gpuSeconds.total - lifetimes) < 1e-6)
            let billed = result.nodes.reduce(0.0) { $0 + $1.billedSeconds }
            #expect(abs(result.summary.cost.dollars - billed * scenario.nodePools[0].pricePerHour / 3600) < 1e-9)
        }
    }

    @Test("in the cold pair, the GPU-seconds split is provisioning, then starting, then serving or idle")
    func gpuStates() {
        let result = Simulation.run(Self.coldPair())
        let g = result.summary.gpuSeconds
        #expect(abs(g.provisioning - 60 * 8) < 1e-6)
        #expect(abs(g.starting - 2 * 144.8) < 1e-6)
        #expect(abs(g.unallocated - 6 * 540) < 1e-6)
        #expect(abs(g.serving + g.idle - 2 * (600 - 204.8)) < 1e-6)
    }

    @Test("empty nodes are released after the scale-down delay, down to min_nodes, and stop billing")
    func scaleDown() {
        var pool = NodePoolSpec(name: "pool", gpu: "H100", pricePerHour: 36, initialNodes: 3, scaleDownDelay: .minutes(5))
        var result = Simulation.run(TestScenario.make(duration: .hours(1), replicas: 1, pool: pool))
        #expect(result.nodes.map(\.terminated) == [nil, 300, 300])
        #expect(result.summary.cost.nodeSeconds == 3600 + 300 + 300)
        pool.minNodes = 2
        result = Simulation.run(TestScenario.make(duration: .hours(1), replicas: 1, pool: pool))
        #expect(result.nodes.compactMap(\.terminated).count == 1)
    }

    @Test("a stockout delays the node by the retry interval; the run stays deterministic")
    func stockout() {
        var pool = NodePoolSpec(name: "pool", gpu: "H100", gpusPerNode: 1, pricePerHour: 4, provisioning: .constant(60))
        pool.stockoutProbability = 0.6
        pool.stockoutRetry = .seconds(30)
        let scenario = TestScenario.make(duration: .seconds(900), replicas: 4, warm: false, pool: pool, replica: TestScenario.quickStartReplica)
        let result = Simulation.run(scenario)
        #expect(result.coldStarts.count == 4)
        #expect(result.coldStarts.contains { $0.pendingSeconds > 60 })
        #expect(result.coldStarts.allSatisfy { ($0.pendingSeconds - 60).truncatingRemainder(dividingBy: 30) < 1e-9 })
        #expect(result.nodes.count == 4)
        #expect(try! Simulation.run(scenario).jsonData() == (try! result.jsonData()))
    }

    @Test("a pool at max_nodes keeps replicas pending")
    func capacityLimit() {
        let pool = NodePoolSpec(name: "pool", gpu: "H100", gpusPerNode: 2, pricePerHour: 8, provisioning: .constant(10), maxNodes: 1)
        let result = Simulation.run(TestScenario.make(duration: .seconds(300), replicas: 3, warm: false, pool: pool, replica: TestScenario.quickStartReplica))
        #expect(result.coldStarts.filter { $0.outcome == .ready }.count == 2)
        #expect(result.series.last?.replicas.pending == 1)
        #expect(result.summary.coldStarts.started == 3)
        // The one still pending at the end is on record too.
        #expect(result.coldStarts.filter { $0.outcome == .unfinished && $0.stoppedAt == .pending }.count == 1)
        #expect(result.summary.coldStarts.unfinished == 1)
    }
}
