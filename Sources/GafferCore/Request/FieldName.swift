/// How Gaffer matches a name a person wrote ("Bucket name", "bucket_name",
/// "bucketName", "S3 bucket") to a field or a value: letters and digits only,
/// lowercased. Issue-form labels, YAML keys and dropdown answers all meet here,
/// so a form label can never drift from the field it fills.
public enum FieldName {
    public static func normalize(_ text: some StringProtocol) -> String {
        var result = ""
        result.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars where scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) {
            result.unicodeScalars.append(contentsOf: scalar.properties.lowercaseMapping.unicodeScalars)
        }
        return result
    }
}
