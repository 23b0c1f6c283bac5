/// One-dimensional array literals in PostgreSQL's text format.
enum ArrayText {
    /// `{a,"b c",NULL}` → ["a", "b c", nil]. Nil when the text is not a one-dimensional array.
    static func parse(_ text: String) -> [String?]? {
        var bytes = Array(text.utf8)[...]
        // An optional dimension prefix such as `[0:2]=` precedes non-default lower bounds.
        if bytes.first == UInt8(ascii: "[") {
            guard let equals = bytes.firstIndex(of: UInt8(ascii: "=")) else { return nil }
            bytes = bytes[(equals + 1)...]
        }
        guard bytes.first == UInt8(ascii: "{"), bytes.last == UInt8(ascii: "}") else { return nil }
        bytes = bytes.dropFirst().dropLast()
        var result: [String?] = []
        if bytes.isEmpty { return result }
        var index = bytes.startIndex
        while true {
            var element: [UInt8] = []
            var quoted = false
            if index < bytes.endIndex, bytes[index] == UInt8(ascii: "\"") {
                quoted = true
                index += 1
                while index < bytes.endIndex, bytes[index] != UInt8(ascii: "\"") {
                    if bytes[index] == UInt8(ascii: "\\") { index += 1 }
                    guard index < bytes.endIndex else { return nil }
                    element.append(bytes[index])
                    index += 1
                }
                guard index < bytes.endIndex else { return nil }
                index += 1
            } else {
                while index < bytes.endIndex, bytes[index] != UInt8(ascii: ",") {
                    if bytes[index] == UInt8(ascii: "{") { return nil }  // nested arrays are not supported
                    element.append(bytes[index])
                    index += 1
                }
            }
            let value = String(decoding: element, as: UTF8.self)
            result.append(!quoted && value == "NULL" ? nil : value)
            if index == bytes.endIndex { break }
            guard bytes[index] == UInt8(ascii: ",") else { return nil }
            index += 1
        }
        return result
    }

    /// Every element quoted, so any text survives; nil becomes NULL.
    static func format(_ elements: [String?]) -> String {
        var text = "{"
        for (offset, element) in elements.enumerated() {
            if offset > 0 { text += "," }
            guard let element else {
                text += "NULL"
                continue
            }
            text += "\""
            for character in element {
                if character == "\"" || character == "\\" { text += "\\" }
                text.append(character)
            }
            text += "\""
        }
        return text + "}"
    }
}
