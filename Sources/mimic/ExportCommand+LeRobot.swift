import Foundation
import MimicCore
import MimicHDF5
import MimicLeRobot

extension ExportCommand {
    /// `export --to lerobot`: every demo of the source (a file, or a sharded run's directory
    /// through its index.hdf5) into a LeRobot v2.1 directory, written beside `output` and renamed
    /// onto it when complete.
    func exportLeRobot() throws -> (episodes: Int, frames: Int, videos: Int) {
        var isDirectory: ObjCBool = false
        let file = FileManager.default.fileExists(atPath: source, isDirectory: &isDirectory) && isDirectory.boolValue ? source + "/index.hdf5" : source
        let reader = try RobomimicReader(path: file)
        if reader.format == .robosuiteRaw { throw reader.rawRecordingError() }
        guard let firstName = reader.demoNames.first else { throw DatasetError(file: file, path: "/data", "holds no demos") }
        let first = try reader.demo(firstName)
        let keys = stateKeys.map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }
        let layout = try LeRobotLayout.infer(demo: first, envArgs: reader.envArgs, stateKeys: keys, file: file)
        for note in layout.notes { Console.warning(note) }
        if !layout.cameras.isEmpty { try VideoEncoder.requireFFmpeg() }

        let demos = reader.demoNames.count, cameras = layout.cameras.count
        let chunks = (demos + LeRobotMetadata.chunkSize - 1) / LeRobotMetadata.chunkSize
        // Every path the writer makes: per demo a parquet file and a video per camera; per chunk
        // its data directory and a directory per camera; videos/, data/, meta/ and meta's files.
        let directory = try PartialDirectory(destination: output, capacity: demos * (1 + cameras) + chunks * (2 + cameras) + 8)
        let writer = LeRobotWriter(
            directory: directory.path, layout: layout, fps: fps ?? 20, task: task ?? reader.envArgs?.envName ?? "demo",
            workers: workers ?? ProcessInfo.processInfo.activeProcessorCount, willCreate: directory.register)
        do {
            for name in reader.demoNames {
                let demo = name == firstName ? first : try reader.demo(name)
                try layout.check(demo, file: file)
                try writer.add(demo)
            }
            try writer.finish()
            try directory.commit()
        } catch {
            directory.discard()
            throw error
        }
        return (writer.episodeCount, writer.frameCount, writer.episodeCount * cameras)
    }
}
