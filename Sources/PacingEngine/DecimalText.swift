/// The pieces of a JSON number's text, gathered without allocating: sign, significant digits
/// (as an integer plus a count of trailing zeros), fraction length and exponent.
struct DecimalText {
    var negative = false
    /// The significant digits up to the last non-zero one.
    var mantissa: UInt64 = 0
    /// Zero digits after the last non-zero digit, not yet multiplied into `mantissa`.
    var trailingZeros = 0
    /// Whether the significant digits did not fit in `mantissa`.
    var mantissaOverflow = false
    /// How many digits came after the decimal point.
    var fractionDigits = 0
    /// The value of the exponent part, clamped to a range already far outside `Int64`.
    var exponent = 0

    var isZero: Bool { mantissa == 0 && !mantissaOverflow }

    /// Parses `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`.
    static func parse(_ bytes: some Collection<UInt8>) throws(MoneyError) -> DecimalText {
        var result = DecimalText()
        var index = bytes.startIndex
        func peek() -> UInt8? { index < bytes.endIndex ? bytes[index] : nil }
        func isDigit(_ byte: UInt8?) -> Bool { byte.map { $0 >= 0x30 && $0 <= 0x39 } ?? false }

        if peek() == UInt8(ascii: "-") {
            result.negative = true
            bytes.formIndex(after: &index)
        }
        // Integer part: a single 0 or a digit run without a leading zero.
        guard isDigit(peek()) else { throw .malformed }
        if peek() == UInt8(ascii: "0") {
            bytes.formIndex(after: &index)
            if isDigit(peek()) { throw .malformed }
        } else {
            while let byte = peek(), isDigit(byte) {
                result.push(byte - 0x30)
                bytes.formIndex(after: &index)
            }
        }
        if peek() == UInt8(ascii: ".") {
            bytes.formIndex(after: &index)
            guard isDigit(peek()) else { throw .malformed }
            while let byte = peek(), isDigit(byte) {
                result.push(byte - 0x30)
                result.fractionDigits += 1
                bytes.formIndex(after: &index)
            }
        }
        if peek() == UInt8(ascii: "e") || peek() == UInt8(ascii: "E") {
            bytes.formIndex(after: &index)
            var exponentNegative = false
            if peek() == UInt8(ascii: "+") || peek() == UInt8(ascii: "-") {
                exponentNegative = peek() == UInt8(ascii: "-")
                bytes.formIndex(after: &index)
            }
            guard isDigit(peek()) else { throw .malformed }
            var exponent = 0
            while let byte = peek(), isDigit(byte) {
                exponent = min(exponent * 10 + Int(byte - 0x30), 100_000)
                bytes.formIndex(after: &index)
            }
            result.exponent = exponentNegative ? -exponent : exponent
        }
        guard index == bytes.endIndex else { throw .malformed }
        return result
    }

    private mutating func push(_ digit: UInt8) {
        if digit == 0 {
            // Leading zeros carry no value; trailing ones are kept aside so they can be dropped.
            if mantissa != 0 || mantissaOverflow { trailingZeros += 1 }
            return
        }
        for _ in 0..<trailingZeros { multiply(by: 10, adding: 0) }
        trailingZeros = 0
        multiply(by: 10, adding: UInt64(digit))
    }

    private mutating func multiply(by factor: UInt64, adding addend: UInt64) {
        let (product, overflow1) = mantissa.multipliedReportingOverflow(by: factor)
        let (sum, overflow2) = product.addingReportingOverflow(addend)
        if overflow1 || overflow2 { mantissaOverflow = true }
        mantissa = sum
    }
}
