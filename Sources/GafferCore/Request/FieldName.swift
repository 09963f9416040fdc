/// How Gaffer matches a name a person wrote ("Bucket name", "bucket_name",
/// "bucketName", "S3 bucket") to a field or a value: letters and digits only,
/// lowercased. Issue-form labels, YAML keys and dropdown answers all meet here,
/// so a form label can never drift from the field it fills.
public enum FieldName {
    public static func normalize(_ text: some StringProtocol) -> String {
        var result = ""
        result.reserveCapacity(text.utf8.count)
        if text.utf8.allSatisfy({ $0 < 0x80 }) {
            // ASCII, nearly always: bytes, without Unicode property lookups.
            var bytes: [UInt8] = []
            bytes.reserveCapacity(text.utf8.count)
            for byte in text.utf8 {
                switch byte {
                case 0x61...0x7a, 0x30...0x39: bytes.append(byte)
                case 0x41...0x5a: bytes.append(byte | 0x20)
                default: continue
                }
            }
            return String(decoding: bytes, as: UTF8.self)
        }
        for scalar in text.unicodeScalars where scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) {
            result.unicodeScalars.append(contentsOf: scalar.properties.lowercaseMapping.unicodeScalars)
        }
        return result
    }
}
