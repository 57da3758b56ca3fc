import Testing
@testable import MimicCore

@Suite struct AttributeValueTests {
    @Test func intValueAcceptsIntBoolAndSingleElementArrays() {
        #expect(AttributeValue.int(4).intValue == 4)
        #expect(AttributeValue.bool(true).intValue == 1)
        #expect(AttributeValue.ints([9]).intValue == 9)
        #expect(AttributeValue.ints([1, 2]).intValue == nil)
        #expect(AttributeValue.double(1).intValue == nil)
    }

    @Test func stringValueOnlyForStrings() {
        #expect(AttributeValue.string("x").stringValue == "x")
        #expect(AttributeValue.int(1).stringValue == nil)
        #expect(AttributeValue.doubles([1, 2]).description == "[1.0, 2.0]")
    }
}
