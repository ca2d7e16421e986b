/// The FCFS queue with `c` identical servers as a recursion on its customers (Kiefer and
/// Wolfowitz, "On the theory of queues with many servers", Trans. AMS 78, 1955): a customer
/// starts at the later of its arrival and the earliest moment a server is free, and holds that
/// server for its service time. Whole nanoseconds, so it can be held against the simulator exactly.
final class FCFSServers {
    /// When each server is next free. Raw memory: the tests run this tens of millions of times in
    /// a debug build, where a pointer's subscript costs a fraction of an array's.
    private let free: UnsafeMutablePointer<Int64>
    private let count: Int

    init(servers: Int) {
        count = servers
        free = .allocate(capacity: servers)
        free.initialize(repeating: 0, count: servers)
    }

    deinit { free.deallocate() }

    /// Serves the next customer in arrival order; returns when its service starts.
    /// - Complexity: O(servers).
    func start(arrival: Int64, service: Int64) -> Int64 {
        var server = 0, earliest = free[0], index = 1
        while index < count {
            if free[index] < earliest { (server, earliest) = (index, free[index]) }
            index += 1
        }
        let start = max(arrival, earliest)
        free[server] = start + service
        return start
    }
}
