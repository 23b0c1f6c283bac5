/// Splits a SQL script into statements at top-level semicolons, respecting quotes, quoted
/// identifiers, dollar quotes and comments. Used for migrations that run outside a transaction,
/// where each statement has to be sent on its own.
enum SQLSplitter {
    /// The statements with their 0-based character (code point) offsets in `script`.
    static func split(_ script: String) -> [(offset: Int, sql: String)] {
        let scalars = Array(script.unicodeScalars)
        var statements: [(Int, String)] = []
        var start = 0
        var index = 0
        func flush(upTo end: Int) {
            var text = String(String.UnicodeScalarView(scalars[start..<end]))
            let leading = text.prefix { $0.isWhitespace }.unicodeScalars.count
            text = text.trimmingCharacters(in: .whitespacesAndNewlines)
            if !text.isEmpty, !isOnlyComments(text) { statements.append((start + leading, text)) }
        }
        while index < scalars.count {
            let scalar = scalars[index]
            let next: Unicode.Scalar? = index + 1 < scalars.count ? scalars[index + 1] : nil
            switch scalar {
            case "-" where next == "-":
                while index < scalars.count, scalars[index] != "\n" { index += 1 }
            case "/" where next == "*":
                var depth = 1
                index += 2
                while index < scalars.count, depth > 0 {
                    if scalars[index] == "/", index + 1 < scalars.count, scalars[index + 1] == "*" { depth += 1; index += 1 }
                    else if scalars[index] == "*", index + 1 < scalars.count, scalars[index + 1] == "/" { depth -= 1; index += 1 }
                    index += 1
                }
                continue
            case "'", "\"":
                index += 1
                while index < scalars.count {
                    if scalars[index] == scalar {
                        if index + 1 < scalars.count, scalars[index + 1] == scalar { index += 2; continue }
                        break
                    }
                    index += 1
                }
            case "$":
                // A dollar quote: $$ or $tag$ … the same tag.
                var end = index + 1
                while end < scalars.count, scalars[end] == "_" || scalars[end].properties.isAlphabetic
                    || (scalars[end].value >= 48 && scalars[end].value <= 57) { end += 1 }
                if end < scalars.count, scalars[end] == "$" {
                    let tag = Array(scalars[index...end])
                    var search = end + 1
                    var found = scalars.count
                    while search + tag.count <= scalars.count {
                        if Array(scalars[search..<(search + tag.count)]) == tag { found = search; break }
                        search += 1
                    }
                    index = min(scalars.count, found + tag.count)
                    continue
                }
            case ";":
                flush(upTo: index)
                start = index + 1
            default:
                break
            }
            index += 1
        }
        flush(upTo: scalars.count)
        return statements
    }

    private static func isOnlyComments(_ text: String) -> Bool {
        text.split(separator: "\n").allSatisfy { line in
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            return trimmed.isEmpty || trimmed.hasPrefix("--")
        }
    }
}
