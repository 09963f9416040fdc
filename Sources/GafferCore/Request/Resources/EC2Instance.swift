/// An EC2 instance. Gaffer names it with its `Name` tag.
public enum EC2Instance {
    public static let schema = ResourceSchema(
        identifier: "instanceName",
        awsIdentifiers: ["instanceId"],
        fields: [
            .text(
                "instanceName",
                "Gaffer's name for the instance (its Name tag), 1–255 characters",
                example: "build-runner",
                requiredFor: [.create, .update, .delete],
                rule: Tags.valueRule(minimum: 1)
            ),
            .awsID("instanceId", "the instance", prefix: "i-"),
            .text(
                "instanceType",
                "an instance type such as t3.micro or m7g.large",
                example: "t3.micro",
                requiredFor: [.create],
                rule: instanceTypeRule
            ),
            .text(
                "imageId",
                "an AMI id: ami- and 8 or 17 lowercase hexadecimal digits",
                example: "ami-0abcdef1234567890",
                requiredFor: [.create],
                rule: { TextRules.ec2ID($0, prefix: "ami-") }
            ),
            .text(
                "subnetId",
                "a subnet id: subnet- and 8 or 17 lowercase hexadecimal digits",
                example: "subnet-0abcdef1234567890",
                rule: { TextRules.ec2ID($0, prefix: "subnet-") }
            ),
            .text(
                "rootDeviceName",
                "the AMI's root device: /dev/xvda for Amazon Linux, /dev/sda1 for Ubuntu",
                example: "/dev/xvda",
                rule: { device in
                    TextRules.length(device, 6...32)
                        ?? (device.hasPrefix("/dev/") ? nil : "must be a device path such as /dev/xvda")
                        ?? TextRules.only(device, { TextRules.isAlnum($0) || $0 == "/" }, described: "letters, digits and /")
                }
            ),
            .integer("rootVolumeSize", 1...16_384, "the encrypted root volume in GiB, at least the AMI's size", unit: "GiB", example: 20),
            .text(
                "keyName",
                "an EC2 key pair name, 1–255 ASCII characters",
                example: "ops-key",
                rule: { key in
                    TextRules.length(key, 1...255) ?? TextRules.only(key, { $0.isASCII && $0.value >= 0x20 }, described: "printable ASCII")
                }
            ),
        ]
    )

    /// `family.size`: the family has a letter, then letters, digits and hyphens with a generation digit
    /// (`t3`, `m7i-flex`, `u-6tb1`); the size is a known size word (`large`, `16xlarge`, `metal-24xl`).
    static func instanceTypeRule(_ text: String) -> String? {
        let rule = "must be an instance type such as t3.micro or m7g.large (family.size)"
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2, let family = parts.first, let size = parts.last,
            let first = family.unicodeScalars.first, ("a"..."z").contains(first),
            family.unicodeScalars.allSatisfy({ TextRules.isLowerAlnum($0) || $0 == "-" }),
            family.contains(where: \.isNumber), family.count <= 16
        else { return rule }
        return isSize(String(size)) ? nil : rule
    }

    static func isSize(_ size: String) -> Bool {
        if ["nano", "micro", "small", "medium", "large", "xlarge", "metal"].contains(size) { return true }
        if size.hasSuffix("xlarge") {
            let count = size.dropLast("xlarge".count)
            return (1...3).contains(count.count) && count.allSatisfy(\.isNumber) && count.first != "0"
        }
        if size.hasPrefix("metal-"), size.hasSuffix("xl") {
            let count = size.dropFirst("metal-".count).dropLast(2)
            return (1...3).contains(count.count) && count.allSatisfy(\.isNumber)
        }
        return false
    }
}
