// The MuJoCo calls that can fail, each wrapped once, returning a value or throwing a typed error.
// Calls that can raise a MuJoCo error (mju_error) go through CMuJoCoShim's guards, so MuJoCo's
// default handler (print, then exit()) never runs: see `MuJoCoError`.

import CMuJoCo
import CMuJoCoShim
import MimicCore

/// An error MuJoCo raised inside a call (`mju_error`: an allocation that does not fit, a stack
/// overflow in a step), with MuJoCo's message. The `mjData` it happened in must be reset
/// (``SimWorld/restore(state:file:path:)-(UnsafeBufferPointer<Double>,_,_)`` does) before it is
/// used again.
public struct MuJoCoError: Error, CustomStringConvertible, Sendable {
    /// The MuJoCo function that raised it (`mj_step1`, `mj_makeData`, ...).
    public var function: String
    /// MuJoCo's message.
    public var message: String

    /// The error just raised on this thread, with the message Mimic's handler kept.
    init(function: String) {
        self.function = function
        message = Self.lastMessage
    }

    public var description: String { "MuJoCo \(function): \(message)" }

    /// The message of the last MuJoCo error on this thread (installs the handlers on first use).
    static var lastMessage: String {
        installMuJoCoHandlers
        return String(cString: mimic_mj_last_error())
    }
}

/// Installs Mimic's MuJoCo error and warning handlers once per process (CMuJoCoShim). Evaluated
/// before the first model is compiled.
let installMuJoCoHandlers: Void = mimic_mj_install_handlers()

/// Compiles an MJCF file from disk (`mj_loadXML`): its includes and relative asset paths resolve
/// from its directory, as MuJoCo's own tools load it.
func loadModel(mjcfFile: String, file: String, path: String) throws(DatasetError) -> UnsafeMutablePointer<mjModel> {
    installMuJoCoHandlers
    var error = [CChar](repeating: 0, count: 1024)
    let model = error.withUnsafeMutableBufferPointer { buffer in
        mimic_mj_loadXML(mjcfFile, nil, buffer.baseAddress, Int32(buffer.count))
    }
    guard let model else {
        throw DatasetError(file: file, path: path, "MuJoCo \(mujocoVersion) cannot compile \(mjcfFile): \(compilerMessage(error))")
    }
    return model
}

/// Compiles an MJCF document held in memory (`mj_addBufferVFS` + `mj_loadXML`).
///
/// Asset files named with absolute paths are read from disk. MuJoCo's compiler message (which
/// names the element and, for a missing mesh, the file) becomes the error's detail.
func loadModel(xml: String, file: String, path: String) throws(DatasetError) -> UnsafeMutablePointer<mjModel> {
    installMuJoCoHandlers
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
        mimic_mj_loadXML(name, &vfs, buffer.baseAddress, Int32(buffer.count))
    }
    guard let model else {
        throw DatasetError(file: file, path: path, "MuJoCo \(mujocoVersion) cannot compile the MJCF: \(compilerMessage(error))")
    }
    return model
}

/// Copies a compiled model (`mj_copyModel`).
func copyModel(_ model: UnsafePointer<mjModel>, file: String, path: String) throws(DatasetError) -> UnsafeMutablePointer<mjModel> {
    guard let copy = mimic_mj_copyModel(model) else {
        throw DatasetError(file: file, path: path, "MuJoCo cannot copy the scene: \(MuJoCoError.lastMessage)")
    }
    return copy
}

/// The compiler's message in `error`, else the MuJoCo error raised during the compile.
private func compilerMessage(_ error: [CChar]) -> String {
    let message = error.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    if !message.isEmpty { return message }
    let raised = MuJoCoError.lastMessage
    return raised.isEmpty ? "unknown error" : raised
}

/// The version string of the MuJoCo library linked at run time (`mj_versionString`), e.g. "3.3.0".
public var mujocoVersion: String { String(cString: mj_versionString()) }
