/// Small, allocation-free helpers for header values on the request path (Foundation's
/// `trimmingCharacters` goes through NSString and costs more than a whole decision).
extension Substring {
    /// The value without leading and trailing spaces and tabs (the whitespace HTTP allows around values).
    var trimmingHeaderWhitespace: Substring {
        let bytes = utf8
        var start = bytes.startIndex
        var end = bytes.endIndex
        while start < end, bytes[start] == 0x20 || bytes[start] == 0x09 { start = bytes.index(after: start) }
        while start < end {
            let last = bytes.index(before: end)
            guard bytes[last] == 0x20 || bytes[last] == 0x09 else { break }
            end = last
        }
        return self[start..<end]
    }
}
