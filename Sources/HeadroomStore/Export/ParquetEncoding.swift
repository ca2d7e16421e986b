import Foundation

/// A Parquet file of one row group, every column OPTIONAL, PLAIN-encoded and uncompressed: the
/// smallest valid subset of the format (no Swift Parquet library exists), read by pyarrow,
/// DuckDB and Spark. Integers are INT64, reals DOUBLE, booleans BOOLEAN, text UTF-8 BYTE_ARRAY.
enum ParquetEncoding {
    // Parquet's enum values (parquet.thrift).
    enum PhysicalType: Int32 { case boolean = 0, int64 = 2, double = 5, byteArray = 6 }
    static let plain: Int32 = 0, rle: Int32 = 3, optional: Int32 = 1, utf8: Int32 = 0, dataPage: Int32 = 0, uncompressed: Int32 = 0

    static func physicalType(_ type: ResultTable.ColumnType) -> PhysicalType {
        switch type {
        case .integer: .int64
        case .real: .double
        case .boolean: .boolean
        case .text: .byteArray
        }
    }

    static func encode(_ table: ResultTable) -> [UInt8] {
        var file: [UInt8] = Array("PAR1".utf8)
        var chunks = ThriftCompact()
        var totalBytes: Int64 = 0
        var chunkCount = 0
        for (index, column) in table.columns.enumerated() {
            let type = physicalType(column.type)
            let page = pageData(table.rows.lazy.map { $0[index] }, type: type, count: table.rows.count)
            var header = ThriftCompact()
            header.structBegin()
            header.i32(field: 1, Self.dataPage)
            header.i32(field: 2, Int32(page.count))
            header.i32(field: 3, Int32(page.count))
            header.fieldStruct(field: 5)
            header.i32(field: 1, Int32(table.rows.count))
            header.i32(field: 2, Self.plain)
            header.i32(field: 3, Self.rle)
            header.i32(field: 4, Self.rle)
            header.structEnd()
            header.structEnd()
            let offset = Int64(file.count)
            file += header.bytes
            file += page
            let size = Int64(header.bytes.count + page.count)
            totalBytes += size
            // ColumnChunk
            chunks.structBegin()
            chunks.i64(field: 2, offset)
            chunks.fieldStruct(field: 3)
            chunks.i32(field: 1, type.rawValue)
            chunks.list(field: 2, i32s: [Self.plain, Self.rle])
            chunks.list(field: 3, strings: [column.name])
            chunks.i32(field: 4, Self.uncompressed)
            chunks.i64(field: 5, Int64(table.rows.count))
            chunks.i64(field: 6, size)
            chunks.i64(field: 7, size)
            chunks.i64(field: 9, offset)
            chunks.structEnd()
            chunks.structEnd()
            chunkCount += 1
        }
        var meta = ThriftCompact()
        meta.structBegin()
        meta.i32(field: 1, 1)
        meta.listHeader(field: 2, count: table.columns.count + 1, elementType: ThriftCompact.structType)
        meta.structBegin()
        meta.string(field: 4, "schema")
        meta.i32(field: 5, Int32(table.columns.count))
        meta.structEnd()
        for column in table.columns {
            meta.structBegin()
            meta.i32(field: 1, physicalType(column.type).rawValue)
            meta.i32(field: 3, Self.optional)
            meta.string(field: 4, column.name)
            if column.type == .text { meta.i32(field: 6, Self.utf8) }
            meta.structEnd()
        }
        meta.i64(field: 3, Int64(table.rows.count))
        meta.listHeader(field: 4, count: 1, elementType: ThriftCompact.structType)
        meta.structBegin()
        meta.listHeader(field: 1, count: chunkCount, elementType: ThriftCompact.structType)
        meta.bytes += chunks.bytes
        meta.i64(field: 2, totalBytes)
        meta.i64(field: 3, Int64(table.rows.count))
        meta.structEnd()
        meta.string(field: 6, "headroom")
        meta.structEnd()
        file += meta.bytes
        withUnsafeBytes(of: UInt32(meta.bytes.count).littleEndian) { file += $0 }
        file += Array("PAR1".utf8)
        return file
    }

    /// Definition levels (4-byte length + bit-packed runs of width 1), then the non-null values.
    static func pageData(_ values: some Collection<ResultTable.Value>, type: PhysicalType, count: Int) -> [UInt8] {
        var levels: [UInt8] = []
        let groups = (count + 7) / 8
        ThriftCompact.varint(UInt64(groups) << 1 | 1, into: &levels)
        var packed = [UInt8](repeating: 0, count: groups)
        var data: [UInt8] = []
        var booleans: [Bool] = []
        for (i, value) in values.enumerated() {
            if value == .null { continue }
            packed[i >> 3] |= 1 << UInt8(i & 7)
            switch (type, value) {
            case (.int64, .integer(let v)): withUnsafeBytes(of: v.littleEndian) { data += $0 }
            case (.double, .real(let v)): withUnsafeBytes(of: v.bitPattern.littleEndian) { data += $0 }
            case (.boolean, .integer(let v)): booleans.append(v != 0)
            case (.byteArray, .text(let s)):
                let utf8 = Array(s.utf8)
                withUnsafeBytes(of: UInt32(utf8.count).littleEndian) { data += $0 }
                data += utf8
            default:
                // `ResultTable.value` converts every cell to its column's type; anything else is
                // written as NULL rather than trapping.
                packed[i >> 3] &= ~(1 << UInt8(i & 7))
            }
        }
        if type == .boolean {
            data = [UInt8](repeating: 0, count: (booleans.count + 7) / 8)
            for (i, b) in booleans.enumerated() where b { data[i >> 3] |= 1 << UInt8(i & 7) }
        }
        levels += packed
        var page: [UInt8] = []
        withUnsafeBytes(of: UInt32(levels.count).littleEndian) { page += $0 }
        return page + levels + data
    }
}

/// Thrift's compact protocol, only the parts Parquet's footer and page headers use.
struct ThriftCompact {
    static let i32Type: UInt8 = 5, i64Type: UInt8 = 6, binaryType: UInt8 = 8, listType: UInt8 = 9, structType: UInt8 = 12

    var bytes: [UInt8] = []
    private var lastField: [Int16] = []

    mutating func structBegin() { lastField.append(0) }
    mutating func structEnd() {
        bytes.append(0)
        lastField.removeLast()
    }

    mutating func fieldHeader(_ id: Int16, _ type: UInt8) {
        let delta = id - (lastField.last ?? 0)
        if delta > 0 && delta <= 15 {
            bytes.append(UInt8(delta) << 4 | type)
        } else {
            bytes.append(type)
            Self.varint(Self.zigzag(Int64(id)), into: &bytes)
        }
        lastField[lastField.count - 1] = id
    }

    mutating func i32(field: Int16, _ value: Int32) {
        fieldHeader(field, Self.i32Type)
        Self.varint(Self.zigzag(Int64(value)), into: &bytes)
    }

    mutating func i64(field: Int16, _ value: Int64) {
        fieldHeader(field, Self.i64Type)
        Self.varint(Self.zigzag(value), into: &bytes)
    }

    mutating func string(field: Int16, _ value: String) {
        fieldHeader(field, Self.binaryType)
        appendString(value)
    }

    mutating func fieldStruct(field: Int16) {
        fieldHeader(field, Self.structType)
        structBegin()
    }

    mutating func listHeader(field: Int16, count: Int, elementType: UInt8) {
        fieldHeader(field, Self.listType)
        if count < 15 {
            bytes.append(UInt8(count) << 4 | elementType)
        } else {
            bytes.append(0xF0 | elementType)
            Self.varint(UInt64(count), into: &bytes)
        }
    }

    mutating func list(field: Int16, i32s: [Int32]) {
        listHeader(field: field, count: i32s.count, elementType: Self.i32Type)
        for v in i32s { Self.varint(Self.zigzag(Int64(v)), into: &bytes) }
    }

    mutating func list(field: Int16, strings: [String]) {
        listHeader(field: field, count: strings.count, elementType: Self.binaryType)
        for s in strings { appendString(s) }
    }

    private mutating func appendString(_ value: String) {
        let utf8 = Array(value.utf8)
        Self.varint(UInt64(utf8.count), into: &bytes)
        bytes += utf8
    }

    static func zigzag(_ v: Int64) -> UInt64 { UInt64(bitPattern: (v << 1) ^ (v >> 63)) }

    static func varint(_ value: UInt64, into out: inout [UInt8]) {
        var v = value
        while v >= 0x80 {
            out.append(UInt8(v & 0x7F) | 0x80)
            v >>= 7
        }
        out.append(UInt8(v))
    }
}
