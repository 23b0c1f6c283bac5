/// Turns an uploaded click file, fed in chunks of any size, into rows of `COPY pacer.click_rows
/// (line_no, click_id, row) FROM STDIN` (text format), checking every record: NDJSON lines must be
/// JSON objects; CSV records must have as many fields as the header row and become objects keyed
/// by it. Malformed records are counted and the first `maxErrors` reported with their line number
/// (1 = the file's first line). Only the current record is held in memory.
struct ClickUploadParser {
    enum Format: String, Sendable { case ndjson, csv }

    /// One malformed record.
    struct RowError: Sendable {
        var line: Int
        var message: String
    }

    let format: Format
    let maxErrors: Int
    /// Longest record accepted, in bytes; longer ones are reported and skipped.
    let maxRecordBytes: Int
    private(set) var accepted = 0
    private(set) var rejected = 0
    private(set) var errors: [RowError] = []
    /// The CSV header, once read.
    private(set) var columns: [String]?
    /// Set when the file cannot be read at all (a bad CSV header).
    private(set) var fatal: RowError?

    private var record: [UInt8] = []
    private var overlong = false
    private var inQuotes = false
    private var line = 1
    private var recordLine = 1

    init(format: Format, maxErrors: Int = 100, maxRecordBytes: Int = 1 << 20) {
        self.format = format
        self.maxErrors = maxErrors
        self.maxRecordBytes = maxRecordBytes
    }

    /// Consumes a chunk, appending COPY rows for its complete, well-formed records to `out`.
    mutating func feed(_ bytes: UnsafeRawBufferPointer, into out: inout [UInt8]) {
        var start = 0
        for index in 0..<bytes.count {
            let byte = bytes[index]
            if format == .csv, byte == UInt8(ascii: "\"") { inQuotes.toggle() }
            guard byte == 0x0A else { continue }
            if format == .csv, inQuotes {
                line += 1
                continue
            }
            append(UnsafeRawBufferPointer(rebasing: bytes[start..<index]))
            endRecord(into: &out)
            line += 1
            recordLine = line
            start = index + 1
        }
        append(UnsafeRawBufferPointer(rebasing: bytes[start..<bytes.count]))
    }

    /// Handles a last record without a final line break.
    mutating func finish(into out: inout [UInt8]) {
        if !record.isEmpty || overlong { endRecord(into: &out) }
    }

    private mutating func append(_ bytes: UnsafeRawBufferPointer) {
        guard !overlong else { return }
        if record.count + bytes.count > maxRecordBytes {
            overlong = true
            record.removeAll()
        } else {
            record.append(contentsOf: bytes)
        }
    }

    private mutating func endRecord(into out: inout [UInt8]) {
        defer {
            record.removeAll(keepingCapacity: record.capacity <= 64 * 1024)
            overlong = false
            inQuotes = false
        }
        guard fatal == nil else { return }
        if overlong {
            reject("the record is longer than \(maxRecordBytes) bytes")
            return
        }
        if record.last == 0x0D { record.removeLast() }
        if record.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) {
            if format == .csv, columns == nil { fatal = RowError(line: recordLine, message: "the CSV header row is empty") }
            return
        }
        switch format {
        case .ndjson: ndjson(into: &out)
        case .csv: csv(into: &out)
        }
    }

    private mutating func ndjson(into out: inout [UInt8]) {
        let value: JSONValue
        do {
            value = try JSONValue.parse(record)
        } catch {
            reject("malformed JSON: \(error)")
            return
        }
        guard case .object = value else {
            reject("a click must be a JSON object, not \(value.typeName)")
            return
        }
        guard String(validating: record, as: UTF8.self) != nil else {
            reject("the line is not valid UTF-8")
            return
        }
        var clickID: String?
        switch value["click_id"] {
        case .string(let text)?: clickID = text
        case .number(let text)?: clickID = text
        default: clickID = nil
        }
        emit(clickID: clickID, row: record, into: &out)
    }

    private mutating func csv(into out: inout [UInt8]) {
        let parsed = record.withUnsafeBufferPointer { CSVRecord.fields($0) }
        guard let columns else {
            switch parsed {
            case .success(let names):
                let trimmed = names.map { $0.trimmingWhitespace }
                if trimmed.contains(where: \.isEmpty) {
                    fatal = RowError(line: recordLine, message: "every column of the CSV header row needs a name")
                } else if Set(trimmed).count != trimmed.count {
                    fatal = RowError(line: recordLine, message: "the CSV header row names a column twice")
                } else {
                    self.columns = trimmed
                }
            case .failure(let error):
                fatal = RowError(line: recordLine, message: "malformed CSV header: \(error.message)")
            }
            return
        }
        switch parsed {
        case .failure(let error):
            reject("malformed CSV: \(error.message)")
        case .success(let fields):
            guard fields.count == columns.count else {
                reject("expected \(columns.count) fields as in the header, found \(fields.count)")
                return
            }
            var json = JSONWriter(capacity: record.count + 16 * fields.count)
            json.beginObject()
            var clickID: String?
            for (name, value) in zip(columns, fields) {
                json.key(name)
                json.string(value)
                if name == "click_id", !value.isEmpty { clickID = value }
            }
            json.endObject()
            emit(clickID: clickID, row: json.bytes, into: &out)
        }
    }

    private mutating func reject(_ message: String) {
        rejected += 1
        if errors.count < maxErrors { errors.append(RowError(line: recordLine, message: message)) }
    }

    /// Appends one COPY text-format row: line number, click id (or NULL), the JSON object.
    private mutating func emit(clickID: String?, row: [UInt8], into out: inout [UInt8]) {
        accepted += 1
        out.append(contentsOf: String(recordLine).utf8)
        out.append(0x09)
        if let clickID { Self.escape(clickID.utf8, into: &out) } else { out.append(contentsOf: [0x5C, UInt8(ascii: "N")]) }
        out.append(0x09)
        Self.escape(row, into: &out)
        out.append(0x0A)
    }

    static func escape(_ bytes: some Sequence<UInt8>, into out: inout [UInt8]) {
        for byte in bytes {
            switch byte {
            case 0x5C: out.append(contentsOf: [0x5C, 0x5C])
            case 0x09: out.append(contentsOf: [0x5C, UInt8(ascii: "t")])
            case 0x0A: out.append(contentsOf: [0x5C, UInt8(ascii: "n")])
            case 0x0D: out.append(contentsOf: [0x5C, UInt8(ascii: "r")])
            default: out.append(byte)
            }
        }
    }
}

extension String {
    /// The string without leading and trailing spaces and tabs.
    var trimmingWhitespace: String {
        var slice = Substring(self)
        while let first = slice.first, first == " " || first == "\t" { slice.removeFirst() }
        while let last = slice.last, last == " " || last == "\t" { slice.removeLast() }
        return String(slice)
    }
}
