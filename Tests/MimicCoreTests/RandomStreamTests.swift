import Testing
@testable import MimicCore

@Suite struct RandomStreamTests {
    @Test func sameSeedAndStreamGiveTheSameSequence() {
        var a = RandomStream(seed: 5, stream: 3), b = RandomStream(seed: 5, stream: 3)
        for _ in 0..<100 { #expect(a.next() == b.next()) }
    }

    @Test func streamsDiffer() {
        var a = RandomStream(seed: 5, stream: 3), b = RandomStream(seed: 5, stream: 4), c = RandomStream(seed: 6, stream: 3)
        let x = a.next()
        #expect(x != b.next())
        #expect(x != c.next())
    }

    @Test func uniformIntegerAndNormalStayInRangeWithTheRightMoments() {
        var rng = RandomStream(seed: 1)
        var sum = 0.0, squares = 0.0
        let n = 20_000
        for _ in 0..<n {
            let u = rng.uniform(-2, 3)
            #expect(u >= -2 && u <= 3)
            let k = rng.integer(4, 6)
            #expect((4...6).contains(k))
            let z = rng.normal()
            sum += z
            squares += z * z
        }
        #expect(abs(sum / Double(n)) < 0.03)
        #expect(abs(squares / Double(n) - 1) < 0.05)
        #expect(rng.uniform(1, 1) == 1)
        #expect(rng.integer(3, 3) == 3)
    }
}
