import CLibCrypto

/// SHA-256 from the system's OpenSSL libcrypto, the library libpq itself is linked with.
///
/// Migration checksums and the stored digests of API tokens use it.
public enum SHA256 {
    /// Bytes in a digest.
    public static let byteCount = 32

    /// The digest of `bytes`.
    public static func digest(_ bytes: some Sequence<UInt8>) -> [UInt8] {
        let input = Array(bytes)
        var output = [UInt8](repeating: 0, count: byteCount)
        var length: UInt32 = 0
        let status = input.withUnsafeBytes { source in
            output.withUnsafeMutableBufferPointer { target in
                EVP_Digest(source.baseAddress, source.count, target.baseAddress, &length, EVP_sha256(), nil)
            }
        }
        // EVP_Digest fails only when it cannot allocate its context.
        precondition(status == 1 && length == UInt32(byteCount), "libcrypto could not compute a SHA-256 digest")
        return output
    }

    /// The digest of a text's UTF-8 bytes, in lower-case hex.
    public static func hexDigest(_ text: String) -> String {
        hex(digest(text.utf8))
    }

    /// Lower-case hex of bytes, two digits each.
    public static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        text.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: text, as: UTF8.self)
    }
}
