import ArgumentParser
import Testing
import MimicCore
import MimicHDF5
@testable import mimic

@Suite struct FailureTests {
    func code(_ error: any Error) -> Int32? {
        do {
            _ = try reportingFailures { () throws -> Int in throw error }
            return nil
        } catch let exit as ExitCode {
            return exit.rawValue
        } catch {
            return nil
        }
    }

    @Test func errorsMapToExitCodes() {
        #expect(code(DatasetError(file: "f", path: "/p", "bad")) == 65)
        #expect(code(DatasetError(.io, file: "f", path: "/p", "unreadable")) == 74)
        #expect(code(HDF5Error(.fileNotFound, file: "f", path: "/", detail: "missing")) == 74)
        #expect(code(HDF5Error(.notHDF5, file: "f", path: "/", detail: "text")) == 65)
        #expect(code(HDF5Error(.typeMismatch, file: "f", path: "/x", detail: "strings")) == 65)
    }

    @Test func sameFileIsRefused() {
        #expect(throws: ValidationError.self) { try requireDistinct(output: "a/../a/x.hdf5", from: "a/x.hdf5") }
        #expect(throws: Never.self) { try requireDistinct(output: "a/y.hdf5", from: "a/x.hdf5") }
    }
}
