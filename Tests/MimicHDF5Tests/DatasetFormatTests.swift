import Testing
@testable import MimicHDF5

@Suite struct DatasetFormatTests {
    @Test func rawValuesAreWhatInspectPrints() {
        #expect(DatasetFormat.allCases.map(\.rawValue) == ["robomimic", "robomimic+datagen_info", "robosuite-raw", "isaaclab"])
    }
}
