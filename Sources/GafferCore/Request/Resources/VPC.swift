/// A VPC. Gaffer names it with its `Name` tag.
public enum VPC {
    public static let schema = ResourceSchema(
        identifier: "vpcName",
        awsIdentifiers: ["vpcId"],
        fields: [
            .text(
                "vpcName",
                "Gaffer's name for the VPC (its Name tag), 1–255 characters",
                example: "main",
                requiredFor: [.create, .update, .delete],
                rule: Tags.valueRule(minimum: 1)
            ),
            .awsID("vpcId", "the VPC", prefix: "vpc-"),
            .text(
                "cidrBlock",
                "an IPv4 network from /16 to /28, such as 10.0.0.0/16",
                example: "10.0.0.0/16",
                requiredFor: [.create],
                rule: cidrRule
            ),
            .boolean("enableDnsHostnames", "give instances DNS host names"),
            .boolean("enableDnsSupport", "resolve DNS through the Amazon-provided server"),
        ]
    )

    static func cidrRule(_ text: String) -> String? {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let address = parts.first, let prefixText = parts.last,
            let prefix = Int(prefixText), prefixText.allSatisfy(\.isNumber)
        else { return "must be an IPv4 network in CIDR form, such as 10.0.0.0/16" }
        let octets = address.split(separator: ".", omittingEmptySubsequences: false)
        let values = octets.compactMap { octet -> UInt32? in
            guard (1...3).contains(octet.count), octet.allSatisfy(\.isNumber), let value = UInt32(octet), value <= 255 else { return nil }
            return value
        }
        guard octets.count == 4, values.count == 4 else { return "must start with an IPv4 address such as 10.0.0.0" }
        guard (16...28).contains(prefix) else { return "must have a prefix length from /16 to /28 (AWS's VPC limits)" }
        let bits = values.reduce(UInt32(0)) { $0 << 8 | $1 }
        let hostMask = UInt32.max >> UInt32(prefix)
        if bits & hostMask != 0 {
            let network = bits & ~hostMask
            let dotted = (0..<4).map { String((network >> UInt32(24 - 8 * $0)) & 0xff) }.joined(separator: ".")
            return "has host bits set; the network is \(dotted)/\(prefix)"
        }
        return nil
    }
}
