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
        let cases: [Tensor.Storage] = [.float32([1.5]), .float64([1.5]), .int8([-2]), .int16([-2]), .int32([-2]), .int64([-2]),
                                       .uint8([2]), .uint16([2]), .uint32([2]), .uint64([2])]
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
}
