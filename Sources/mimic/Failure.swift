import ArgumentParser
import Foundation
import MimicCore
import MimicHDF5

/// Exit codes (docs/architecture.md): 0 ok, 64 usage, 65 bad input data, 74 I/O failure, 70 internal error;
/// 130 after SIGINT and 143 after SIGTERM (`Interrupts`).
enum Exit {
    static let usage = ExitCode(64)
    static let badData = ExitCode(65)
    static let internalError = ExitCode(70)
    static let io = ExitCode(74)
}

/// Runs `body`; a `DatasetError` or `HDF5Error` becomes one line on stderr and the matching exit code.
func reportingFailures<T>(_ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch let error as DatasetError {
        Console.error(error.description)
        throw error.kind == .io ? Exit.io : Exit.badData
    } catch let error as HDF5Error {
        Console.error(error.description)
        switch error.kind {
        case .fileNotFound, .io: throw Exit.io
        default: throw Exit.badData
        }
    } catch let error as RunMismatch {
        Console.error(error.description)
        throw Exit.usage
    } catch let error as ExitCode {
        throw error
    } catch let error as ValidationError {
        throw error
    } catch {
        Console.error("internal error: \(error)")
        throw Exit.internalError
    }
}

/// Refuses to write over an input: `output` must not name the same file as `input`.
func requireDistinct(output: String, from input: String) throws {
    let a = URL(fileURLWithPath: input).resolvingSymlinksInPath().standardizedFileURL.path
    let b = URL(fileURLWithPath: output).resolvingSymlinksInPath().standardizedFileURL.path
    if a == b { throw ValidationError("the output \(output) is the input file; Mimic never modifies its input") }
}

/// Reads a whole small file (a task spec, annotations), or fails with an I/O error naming it.
func readSmallFile(_ path: String) throws -> Data {
    guard let data = FileManager.default.contents(atPath: path) else {
        throw DatasetError(.io, file: path, path: "", "cannot read the file (missing or unreadable)")
    }
    return data
}
