import Foundation
import PacingEngine

/// One spend event as a record of the spend journal.
///
/// On disk a record is `length (u32 LE) · crc32 (u32 LE) · payload`, where `crc32` covers the
/// payload. The payload holds the event's fields in a fixed order, strings length-prefixed.
/// A record is written whole and fsynced before its event is acknowledged; a record cut short
/// by a crash (a short header, a short payload or a wrong checksum at the end of a segment) was
/// never acknowledged and is skipped when the journal is read.
enum JournalRecord {
    /// Largest payload a valid record can have (two 64 KiB strings and the fixed fields).
    static let maxPayload = 2 * 65_535 + 64

    /// The record bytes of `event`, header included.
    static func encode(_ event: SpendEvent) -> [UInt8] {
        var payload: [UInt8] = []
        payload.reserveCapacity(64 + event.eventID.utf8.count + (event.requestID?.utf8.count ?? 0))
        appendString(event.eventID, to: &payload)
        withUnsafeBytes(of: event.campaignID.uuid) { payload.append(contentsOf: $0) }
        appendInteger(UInt64(bitPattern: event.spend), to: &payload)
        appendInteger(UInt32(bitPattern: event.impressions), to: &payload)
        appendInteger(UInt32(bitPattern: event.clicks), to: &payload)
        if let requestID = event.requestID {
            payload.append(1)
            appendString(requestID, to: &payload)
        } else {
            payload.append(0)
        }
        let microseconds = Int64((event.occurredAt.timeIntervalSince1970 * 1_000_000).rounded())
        appendInteger(UInt64(bitPattern: microseconds), to: &payload)

        var record: [UInt8] = []
        record.reserveCapacity(8 + payload.count)
        appendInteger(UInt32(payload.count), to: &record)
        appendInteger(CRC32.checksum(payload), to: &record)
        record.append(contentsOf: payload)
        return record
    }

    /// What reading a segment found: the events of its valid records, and how many bytes at the
    /// end could not be read as a record (a torn write).
    struct Contents {
        var events: [SpendEvent] = []
        /// Bytes after the last readable record.
        var tornBytes = 0
        /// Whether those bytes are one record cut short at the end of the file (a short header, a
        /// short payload, or a damaged record that ends exactly at the end), as a crash during a
        /// write leaves it; false when more data follows, which a crash cannot explain.
        var tornTail = true
    }

    /// Decodes every whole record of `bytes`; reading stops at the first record that is cut short
    /// or fails its checksum, and the rest is reported as torn.
    static func decodeAll(_ bytes: [UInt8]) -> Contents {
        var contents = Contents()
        var offset = 0
        while offset < bytes.count {
            guard bytes.count - offset >= 8 else { break }
            let length = Int(readInteger(UInt32.self, bytes, at: offset))
            let checksum = readInteger(UInt32.self, bytes, at: offset + 4)
            guard length <= maxPayload else {
                contents.tornTail = false
                break
            }
            guard bytes.count - offset - 8 >= length else { break }
            let payload = bytes[(offset + 8)..<(offset + 8 + length)]
            guard CRC32.checksum(payload) == checksum, let event = decodePayload(Array(payload)) else {
                contents.tornTail = offset + 8 + length == bytes.count
                break
            }
            contents.events.append(event)
            offset += 8 + length
        }
        contents.tornBytes = bytes.count - offset
        return contents
    }

    private static func decodePayload(_ payload: [UInt8]) -> SpendEvent? {
        var reader = Reader(bytes: payload)
        guard let eventID = reader.string(),
            let uuidBytes = reader.bytes(16),
            let spend = reader.integer(UInt64.self),
            let impressions = reader.integer(UInt32.self),
            let clicks = reader.integer(UInt32.self),
            let hasRequestID = reader.bytes(1)
        else { return nil }
        var requestID: String?
        if hasRequestID.first == 1 {
            guard let text = reader.string() else { return nil }
            requestID = text
        }
        guard let microseconds = reader.integer(UInt64.self), reader.atEnd else { return nil }
        let uuid = uuidBytes.withUnsafeBytes { raw in
            UUID(uuid: raw.loadUnaligned(as: uuid_t.self))
        }
        return SpendEvent(
            eventID: eventID, campaignID: uuid, spend: Int64(bitPattern: spend), impressions: Int32(bitPattern: impressions),
            clicks: Int32(bitPattern: clicks), requestID: requestID,
            occurredAt: Date(timeIntervalSince1970: Double(Int64(bitPattern: microseconds)) / 1_000_000))
    }

    private static func appendString(_ text: String, to bytes: inout [UInt8]) {
        // Event and request ids are at most 200 bytes (validated at the API); 65,535 is the format's bound.
        let utf8 = Array(text.utf8.prefix(65_535))
        appendInteger(UInt16(utf8.count), to: &bytes)
        bytes.append(contentsOf: utf8)
    }

    private static func appendInteger<T: FixedWidthInteger>(_ value: T, to bytes: inout [UInt8]) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    private static func readInteger<T: FixedWidthInteger>(_ type: T.Type, _ bytes: [UInt8], at offset: Int) -> T {
        var value: T = 0
        for index in 0..<MemoryLayout<T>.size {
            value |= T(bytes[offset + index]) << (8 * index)
        }
        return value
    }

    private struct Reader {
        let bytes: [UInt8]
        var offset = 0

        var atEnd: Bool { offset == bytes.count }

        mutating func bytes(_ count: Int) -> ArraySlice<UInt8>? {
            guard bytes.count - offset >= count else { return nil }
            defer { offset += count }
            return bytes[offset..<(offset + count)]
        }

        mutating func integer<T: FixedWidthInteger>(_ type: T.Type) -> T? {
            guard bytes.count - offset >= MemoryLayout<T>.size else { return nil }
            defer { offset += MemoryLayout<T>.size }
            return JournalRecord.readInteger(type, bytes, at: offset)
        }

        mutating func string() -> String? {
            guard let length = integer(UInt16.self), let raw = bytes(Int(length)) else { return nil }
            return String(validating: raw, as: UTF8.self)
        }
    }
}

/// CRC-32 (IEEE 802.3, as zlib computes it).
enum CRC32 {
    private static let table: [UInt32] = (0..<256).map { index in
        var value = UInt32(index)
        for _ in 0..<8 {
            value = value & 1 == 1 ? 0xEDB8_8320 ^ (value >> 1) : value >> 1
        }
        return value
    }

    static func checksum(_ bytes: some Sequence<UInt8>) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc = table[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8)
        }
        return crc ^ 0xFFFF_FFFF
    }
}
