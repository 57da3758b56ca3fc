import Foundation

/// A coding key for any string, used to list the keys a JSON object really has.
struct AnyKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { return nil }
}

extension Decoder {
    /// Throws when the JSON object being decoded has a key that `Keys` does not name, so a typo
    /// in a task file is an error that names the key and where it is, not a silently ignored setting.
    func rejectUnknownKeys<Keys: CodingKey & CaseIterable>(_ keys: Keys.Type) throws {
        let known = Set(Keys.allCases.map(\.stringValue))
        let container = try container(keyedBy: AnyKey.self)
        for key in container.allKeys where !known.contains(key.stringValue) {
            throw DecodingError.dataCorruptedError(
                forKey: key, in: container,
                debugDescription: "unknown key \"\(key.stringValue)\" (expected one of: \(known.sorted().joined(separator: ", ")))")
        }
    }
}

/// Decodes `T` from JSON `data`, turning decoding failures into one-line `DatasetError`s that
/// name `file` and the JSON path of the problem (`endEffectors[0].poseColumns`).
public func decodeStrictJSON<T: Decodable>(_ type: T.Type, from data: Data, file: String) throws(DatasetError) -> T {
    do {
        return try JSONDecoder().decode(T.self, from: data)
    } catch let error as DecodingError {
        func path(_ codingPath: [any CodingKey]) -> String {
            var out = ""
            for key in codingPath {
                if let i = key.intValue { out += "[\(i)]" } else { out += (out.isEmpty ? "" : ".") + key.stringValue }
            }
            return out.isEmpty ? "(top level)" : out
        }
        switch error {
        case .keyNotFound(let key, let context):
            throw DatasetError(file: file, path: path(context.codingPath + [key]), "missing required key")
        case .typeMismatch(let type, let context), .valueNotFound(let type, let context):
            throw DatasetError(file: file, path: path(context.codingPath), "expected \(type): \(context.debugDescription)")
        case .dataCorrupted(let context):
            // An empty coding path means the text itself did not parse.
            let detail = context.codingPath.isEmpty ? "not valid JSON (\(context.debugDescription))" : context.debugDescription
            throw DatasetError(file: file, path: path(context.codingPath), detail)
        @unknown default:
            throw DatasetError(file: file, path: "(top level)", "\(error)")
        }
    } catch {
        throw DatasetError(file: file, path: "(top level)", "\(error)")
    }
}
