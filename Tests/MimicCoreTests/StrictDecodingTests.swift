import Foundation
import Testing
@testable import MimicCore

@Suite struct StrictDecodingTests {
    struct Point: Decodable, Equatable {
        var x: Int
        var y: Int?
        enum CodingKeys: String, CodingKey, CaseIterable { case x, y }
        init(from decoder: any Decoder) throws {
            try decoder.rejectUnknownKeys(CodingKeys.self)
            let c = try decoder.container(keyedBy: CodingKeys.self)
            x = try c.decode(Int.self, forKey: .x)
            y = try c.decodeIfPresent(Int.self, forKey: .y)
        }
    }

    func error(_ json: String) -> DatasetError? {
        do {
            _ = try decodeStrictJSON([String: [Point]].self, from: Data(json.utf8), file: "spec.json")
            return nil
        } catch {
            return error
        }
    }

    @Test func decodesKnownKeys() throws {
        let value = try decodeStrictJSON([String: [Point]].self, from: Data(#"{"a": [{"x": 1}, {"x": 2, "y": 3}]}"#.utf8), file: "f")
        #expect(value["a"]?.last?.y == 3)
    }

    @Test func unknownKeyIsNamedWithItsPath() throws {
        let e = try #require(error(#"{"a": [{"x": 1}, {"x": 2, "z": 3}]}"#))
        #expect(e.file == "spec.json")
        #expect(e.path == "a[1].z")
        #expect(e.detail.contains("unknown key \"z\""))
    }

    @Test func missingKeyAndWrongTypeAndBadJSON() throws {
        #expect(try #require(error(#"{"a": [{"y": 1}]}"#)).path == "a[0].x")
        #expect(try #require(error(#"{"a": [{"x": "one"}]}"#)).path == "a[0].x")
        #expect(try #require(error(#"{"a": [{"x": 1}"#)).detail.hasPrefix("not valid JSON"))
    }
}
