import Hashing
import Testing

/// SHA-256 from libcrypto against the FIPS 180-2 test vectors; migration checksums and token
/// digests stored by earlier versions depend on it being exactly SHA-256.
@Suite struct SHA256Tests {
    @Test(arguments: [
        ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        ("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"),
        ("påske ✓", "2510ffec4428ef34f569ed800b8c14adf24e963a7954d9779b24b8033cfc3fa6"),
    ])
    func knownDigests(text: String, expected: String) {
        #expect(SHA256.hexDigest(text) == expected)
    }

    @Test func aMillionAs() {
        #expect(SHA256.hex(SHA256.digest(repeatElement(UInt8(ascii: "a"), count: 1_000_000)))
            == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    @Test func hexHasTwoLowerCaseDigitsPerByte() {
        #expect(SHA256.hex([0x00, 0x0f, 0xa0, 0xff]) == "000fa0ff")
        #expect(SHA256.digest("abc".utf8).count == SHA256.byteCount)
    }
}
