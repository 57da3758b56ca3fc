// The MuJoCo calls that can fail, each wrapped once, returning a value or throwing a DatasetError.

import CMuJoCo
import MimicCore

/// Compiles an MJCF file from disk (`mj_loadXML`): its includes and relative asset paths resolve
/// from its directory, as MuJoCo's own tools load it.
func loadModel(mjcfFile: String, file: String, path: String) throws(DatasetError) -> UnsafeMutablePointer<mjModel> {
    var error = [CChar](repeating: 0, count: 1024)
    let model = error.withUnsafeMutableBufferPointer { buffer in
        mj_loadXML(mjcfFile, nil, buffer.baseAddress, Int32(buffer.count))
    }
    guard let model else {
        let message = error.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        throw DatasetError(file: file, path: path, "MuJoCo \(mujocoVersion) cannot compile \(mjcfFile): \(message.isEmpty ? "unknown error" : message)")
    }
    return model
}

/// Compiles an MJCF document held in memory (`mj_addBufferVFS` + `mj_loadXML`).
///
/// Asset files named with absolute paths are read from disk. MuJoCo's compiler message (which
/// names the element and, for a missing mesh, the file) becomes the error's detail.
func loadModel(xml: String, file: String, path: String) throws(DatasetError) -> UnsafeMutablePointer<mjModel> {
    var vfs = mjVFS()
    mj_defaultVFS(&vfs)
    defer { mj_deleteVFS(&vfs) }
    let name = "mimic_scene.xml"
    var bytes = Array(xml.utf8)
    let added = bytes.withUnsafeMutableBytes { buffer in
        mj_addBufferVFS(&vfs, name, buffer.baseAddress, Int32(buffer.count))
    }
    guard added == 0 else {
        throw DatasetError(file: file, path: path, "MuJoCo could not take the MJCF document into its virtual file system (code \(added))")
    }
    var error = [CChar](repeating: 0, count: 1024)
    let model = error.withUnsafeMutableBufferPointer { buffer in
        mj_loadXML(name, &vfs, buffer.baseAddress, Int32(buffer.count))
    }
    guard let model else {
        let message = error.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        throw DatasetError(file: file, path: path, "MuJoCo \(mujocoVersion) cannot compile the MJCF: \(message.isEmpty ? "unknown error" : message)")
    }
    return model
}

/// The version string of the MuJoCo library linked at run time (`mj_versionString`), e.g. "3.3.0".
public var mujocoVersion: String { String(cString: mj_versionString()) }
