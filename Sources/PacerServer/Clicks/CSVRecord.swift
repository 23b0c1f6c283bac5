/// Splits one CSV record (RFC 4180: comma-separated, fields optionally double-quoted, `""` for a
/// quote inside quotes, quoted fields may span lines) into its fields.
enum CSVRecord {
    /// The fields of `bytes` (one record, its line break removed), or an error message.
    static func fields(_ bytes: UnsafeBufferPointer<UInt8>) -> Result<[String], CSVError> {
        var fields: [String] = []
        var field: [UInt8] = []
        var index = 0
        var quoted = false
        var fieldStart = true
        var afterQuote = false
        while index < bytes.count {
            let byte = bytes[index]
            if quoted {
                if byte == UInt8(ascii: "\"") {
                    if index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "\"") {
                        field.append(byte)
                        index += 1
                    } else {
                        quoted = false
                        afterQuote = true
                    }
                } else {
                    field.append(byte)
                }
            } else if byte == UInt8(ascii: ",") {
                guard let text = String(validating: field, as: UTF8.self) else { return .failure(CSVError("field \(fields.count + 1) is not valid UTF-8")) }
                fields.append(text)
                field.removeAll(keepingCapacity: true)
                fieldStart = true
                afterQuote = false
                index += 1
                continue
            } else if byte == UInt8(ascii: "\"") && fieldStart {
                quoted = true
            } else if afterQuote {
                return .failure(CSVError("field \(fields.count + 1) has characters after its closing quote"))
            } else if byte == UInt8(ascii: "\"") {
                return .failure(CSVError("field \(fields.count + 1) has a quote inside an unquoted value"))
            } else {
                field.append(byte)
            }
            fieldStart = false
            index += 1
        }
        if quoted { return .failure(CSVError("field \(fields.count + 1) has no closing quote")) }
        guard let text = String(validating: field, as: UTF8.self) else { return .failure(CSVError("field \(fields.count + 1) is not valid UTF-8")) }
        fields.append(text)
        return .success(fields)
    }
}

/// Why a CSV record is malformed.
struct CSVError: Error, Sendable {
    var message: String
    init(_ message: String) { self.message = message }
}
