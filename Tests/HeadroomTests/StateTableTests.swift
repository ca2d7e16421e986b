import Testing
@testable import Headroom

/// `StateTable` (Run/StateTable.swift): the records a simulation changes in place.
@Suite("State tables")
struct StateTableTests {
    @Test("a table keeps its elements through growth, removals from either end and clearing")
    func elements() {
        var table = StateTable<Int>()
        #expect(table.isEmpty)
        for value in 0..<100 { table.append(value) }
        #expect(Array(table) == Array(0..<100))
        table[7] += 1000
        #expect(table[7] == 1007)
        #expect(table.removeLast() == 99 && table.count == 99)
        #expect(table.first == 0 && table.last == 98 && table.indices == 0..<99)
        table.removeFirst(3)
        #expect(table.first == 3 && table.count == 96 && table[4] == 1007 && table.last == 98)
        table.removeAll()
        #expect(table.popLast() == nil)
        #expect(table.isEmpty)
        table.append(5)
        #expect(Array(table) == [5])
    }

    @Test("elements holding references are released with the table, its removals and its growth")
    func references() {
        final class Token {}
        weak var first: Token?, last: Token?
        do {
            var table = StateTable<[Token]>()
            for index in 0..<10 {
                let token = Token()
                if index == 0 { first = token }
                if index == 9 { last = token }
                table.append([token])
            }
            #expect(first != nil)
            table.removeLast()
            #expect(last == nil)
        }
        #expect(first == nil)
    }

    @Test("a table's first word is its buffer, whose elements start where an array's do (what prefetching reads)")
    func layout() {
        var table = StateTable<RunningSequence>()
        table.append(RunningSequence(id: 1, outputTokens: 2, prefillRemaining: 3, chunk: 0, ticket: 0, generated: 0, computed: 0, kvHeld: 0))
        let object = withUnsafeBytes(of: table) { $0.load(as: UInt.self) }
        let first = table.withUnsafeBufferPointer { UInt(bitPattern: $0.baseAddress) }
        #expect(first &- object == UInt(Simulation.arrayHeader))
        let array: [RunningSequence] = [table[0]]
        let arrayObject = withUnsafeBytes(of: array) { $0.load(as: UInt.self) }
        #expect(array.withUnsafeBufferPointer { UInt(bitPattern: $0.baseAddress) } &- arrayObject == UInt(Simulation.arrayHeader))
    }
}
