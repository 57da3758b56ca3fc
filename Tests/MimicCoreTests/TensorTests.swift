import Testing
@testable import MimicCore

@Suite struct TensorTests {
    @Test func shapeAndRows() {
        let t = Tensor(shape: [3, 2], float64: [0, 1, 2, 3, 4, 5])
        #expect(t.rows == 3)
        #expect(t.rowWidth == 2)
        #expect(t.count == 6)
        #expect(t.dtypeName == "float64")
        #expect(t.isFloatingPoint)
    }

    @Test func rowSliceKeepsElementType() {
        let t = Tensor(shape: [4, 1, 2], storage: .int16([0, 1, 2, 3, 4, 5, 6, 7]))
        let s = t.rows(1..<3)
        #expect(s.shape == [2, 1, 2])
        #expect(s.storage == .int16([2, 3, 4, 5]))
        #expect(!s.isFloatingPoint)
    }

    @Test func doublesConvertEveryType() {
        let cases: [Tensor.Storage] = [
            .float32([1.5]), .float64([1.5]), .int8([-2]), .int16([-2]), .int32([-2]), .int64([-2]),
            .uint8([2]), .uint16([2]), .uint32([2]), .uint64([2]),
        ]
        for storage in cases {
            let value = Tensor(shape: [1], storage: storage).doubles[0]
            #expect(abs(value) == 1.5 || abs(value) == 2, "\(storage.dtypeName)")
        }
    }

    @Test func scalarHasNoRows() {
        let t = Tensor(shape: [], float64: [7])
        #expect(t.rows == 0)
        #expect(t.count == 1)
    }

    @Test func firstNonFiniteElementAndWhereItIs() {
        let actions = Tensor(shape: [3, 2], float64: [0, 1, 2, .nan, 4, .infinity])
        #expect(actions.firstNonFiniteIndex == 3)
        #expect(actions.position(ofElement: 3) == "row 1, column 1")
        #expect(Tensor(shape: [2], float32: [1, -.infinity]).firstNonFiniteIndex == 1)
        #expect(Tensor(shape: [2], storage: .int64([1, 2])).firstNonFiniteIndex == nil)
        #expect(Tensor(shape: [4], float64: [0, 0, 0, 0]).position(ofElement: 2) == "row 2")
        let poses = Tensor(shape: [2, 4, 4], float64: .init(repeating: 0, count: 32))
        #expect(poses.position(ofElement: 16 + 4 * 2 + 3) == "row 1, element [2, 3]")
        #expect(Tensor(shape: [], float64: [1]).position(ofElement: 0) == "the value")
    }

    @Test func requireFiniteNamesPathRowAndColumn() throws {
        try Tensor(shape: [1, 2], float64: [1, 2]).requireFinite(file: "f.hdf5", path: "/data/demo_0/actions")
        do {
            try Tensor(shape: [20, 7], float64: (0..<140).map { $0 == 12 * 7 + 3 ? .nan : 0 })
                .requireFinite(file: "f.hdf5", path: "/data/demo_0/actions")
            Issue.record("accepted a NaN")
        } catch {
            #expect(error.description == "f.hdf5: /data/demo_0/actions: holds NaN at row 12, column 3; every value must be finite")
        }
        #expect(throws: DatasetError.self) { try Tensor(shape: [1], float32: [.infinity]).requireFinite(file: "f", path: "/x") }
    }
}
