/// An amount of money as a whole number of micros: millionths of the campaign's currency unit.
///
/// One cent is 10 000 micros; a $2 CPM impression costs 2 000 micros (0.2 cents).
public typealias Micros = Int64

/// Exact conversion between the API's decimal cents and the engine's integer micros.
///
/// Cents arrive as the text of a JSON number (`"12"`, `"12.5"`, `"0.0001"`, `"1e3"`) and are
/// converted digit by digit, never through a `Double`, so every accepted value is exact.
public enum Money {
    /// Micros in one cent.
    public static let microsPerCent: Int64 = 10_000

    /// Parses the text of a JSON number of cents into micros, exactly.
    ///
    /// Accepts the JSON number grammar (`-?int(.frac)?([eE][+-]?exp)?`). The value must be a whole
    /// number of micros, i.e. have at most 4 significant decimal places of cents: `"0.0001"` is 1
    /// micro, `"0.00001"` is rejected, `"1.50000"` is 1.5 cents. An exponent is accepted when the
    /// result is exact (`"1e3"` is 1000 cents, `"1e-5"` is rejected).
    /// - Throws: ``MoneyError`` for malformed text, a negative value, more than 4 decimal places,
    ///   or a value that does not fit in 64 bits of micros.
    public static func micros(fromCents text: some StringProtocol) throws(MoneyError) -> Micros {
        try micros(fromCentsUTF8: text.utf8)
    }

    /// Parses the UTF-8 bytes of a JSON number of cents into micros; see ``micros(fromCents:)``.
    public static func micros(fromCentsUTF8 bytes: some Collection<UInt8>) throws(MoneyError) -> Micros {
        var number = try DecimalText.parse(bytes)
        if number.isZero { return 0 }
        if number.negative { throw .negative }
        // value = significant digits × 10^(trailingZeros + exponent - fractionDigits) cents,
        // and one cent is 10^4 micros.
        var scale = number.exponent - number.fractionDigits + 4
        // Trailing zeros of the digits are dropped first, so "1.50000" is exact.
        let dropped = min(number.trailingZeros, max(0, -scale))
        number.trailingZeros -= dropped
        scale += dropped
        if scale < 0 { throw .tooManyDecimals }
        if number.mantissaOverflow { throw .overflow }
        var value = number.mantissa
        for _ in 0..<(number.trailingZeros + scale) {
            let (times10, overflow) = value.multipliedReportingOverflow(by: 10)
            if overflow { throw .overflow }
            value = times10
        }
        guard value <= UInt64(Int64.max) else { throw .overflow }
        return Int64(value)
    }

    /// Formats micros as canonical decimal cents: `"12.5"`, `"0.0001"`, `"3"`, `"-2.25"`.
    ///
    /// The result is valid JSON number text and parses back to the same micros.
    public static func cents(fromMicros micros: Micros) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(24)
        appendCents(fromMicros: micros, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Appends micros as canonical decimal cents (see ``cents(fromMicros:)``) to a byte buffer,
    /// without allocating a `String`, for writing straight into a JSON body.
    public static func appendCents(
        fromMicros micros: Micros,
        to output: inout some RangeReplaceableCollection<UInt8>
    ) {
        if micros < 0 { output.append(UInt8(ascii: "-")) }
        let magnitude = micros.magnitude
        let whole = magnitude / UInt64(microsPerCent)
        var fraction = magnitude % UInt64(microsPerCent)
        appendDecimal(whole, to: &output)
        guard fraction != 0 else { return }
        output.append(UInt8(ascii: "."))
        var width = 4
        while fraction % 10 == 0 {
            fraction /= 10
            width -= 1
        }
        var divisor: UInt64 = 1
        for _ in 1..<width { divisor *= 10 }
        while divisor > 0 {
            output.append(UInt8(ascii: "0") + UInt8(fraction / divisor % 10))
            divisor /= 10
        }
    }

    private static func appendDecimal(_ value: UInt64, to output: inout some RangeReplaceableCollection<UInt8>) {
        var divisor: UInt64 = 1
        while value / divisor >= 10 { divisor *= 10 }
        while divisor > 0 {
            output.append(UInt8(ascii: "0") + UInt8(value / divisor % 10))
            divisor /= 10
        }
    }
}

/// Why a text of cents was not accepted as an amount of micros.
public enum MoneyError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Not a JSON number.
    case malformed
    /// Below zero; amounts of money in the API are never negative.
    case negative
    /// More than 4 significant decimal places of cents (finer than one micro).
    case tooManyDecimals
    /// Larger than a 64-bit count of micros.
    case overflow

    /// A short machine-readable code.
    public var code: String {
        switch self {
        case .malformed: "malformed"
        case .negative: "negative"
        case .tooManyDecimals: "too_many_decimals"
        case .overflow: "overflow"
        }
    }

    /// A sentence that can go into a problem document.
    public var description: String {
        switch self {
        case .malformed: "must be a decimal number of cents"
        case .negative: "must not be negative"
        case .tooManyDecimals: "must have at most 4 decimal places of cents"
        case .overflow: "is too large"
        }
    }
}
