import Foundation
import Testing

@testable import MimicLeRobot

@Suite struct JSONTextTests {
    /// Keys stay in order; strings are escaped; numbers read back as the same Double.
    @Test func rendersOrderedEscapedJSON() throws {
        let value = JSONText.object([
            ("z", .int(1)), ("a", .array([.number(0.1), .number(-3), .number(1e-7), .bool(true), .null])), ("s", .string("a\"b\\c\n\u{1}é")),
            ("empty", .object([])), ("none", .array([])),
        ])
        let text = value.rendered()
        #expect(text == #"{"z": 1, "a": [0.1, -3.0, 1e-07, true, null], "s": "a\"b\\c\n\u0001é", "empty": {}, "none": []}"#)
        let parsed = try #require(try JSONSerialization.jsonObject(with: Data(value.rendered(indent: 4).utf8)) as? [String: Any])
        #expect(parsed["s"] as? String == "a\"b\\c\n\u{1}é")
        #expect(value.rendered(indent: 2).contains("\n  \"z\": 1,\n"))
    }

    /// Random doubles read back exactly with JSONDecoder (JSONSerialization on Linux does not parse doubles exactly).
    @Test func numbersRoundTrip() throws {
        var rng = SystemRandomNumberGenerator()
        let values = (0..<500).map { _ in Double(bitPattern: UInt64.random(in: 0...(0x7FEF_FFFF_FFFF_FFFF), using: &rng)) * (Bool.random(using: &rng) ? 1 : -1) }
        let back = try JSONDecoder().decode([Double].self, from: Data(JSONText.array(values.map(JSONText.number)).rendered().utf8))
        #expect(back == values)
    }
}
