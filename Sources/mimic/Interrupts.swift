import Foundation
import MimicHDF5
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// SIGINT and SIGTERM: unlink every partial output of the process and exit with 128 + the signal
/// (130, 143). SIGPIPE is ignored: a write to a pipe whose reader has gone fails with EPIPE
/// instead, which `augment --manifest -` reports as an I/O error.
///
/// The handler runs on whatever thread the signal lands on, maybe while workers are inside
/// MuJoCo or libhdf5 (which holds its global lock). So it only does what is async-signal-safe:
/// atomic loads, unlink(2) of each partial file by name (`PartialFile.removeAllLive`, no HDF5
/// call) and of what a partial directory holds (`PartialDirectory.removeAllLive`), write(2) of a fixed message, `_exit`. It is installed with SA_RESETHAND, so a second
/// Ctrl-C while it runs gets the default action and ends the process anyway; a different second
/// signal exits at once.
enum Interrupts {
    static func install() {
        // What the handler reads is made here, not lazily inside it.
        PartialFile.prepareForSignalHandlers()
        PartialDirectory.prepareForSignalHandlers()
        _ = handling.load(ordering: .relaxed)
        signal(SIGPIPE, SIG_IGN)
        for signal in [SIGINT, SIGTERM] {
            var action = sigaction()
            #if canImport(Glibc)
            action.__sigaction_handler.sa_handler = interrupted
            #else
            action.__sigaction_u.__sa_handler = interrupted
            #endif
            sigemptyset(&action.sa_mask)
            action.sa_flags = Int32(truncatingIfNeeded: Int(SA_RESETHAND) | Int(SA_NODEFER))
            sigaction(signal, &action, nil)
        }
    }

    static func exitStatus(_ signal: Int32) -> Int32 { 128 + signal }
}

/// Set by the first signal.
private let handling = Atomic<Bool>(false)

private func interrupted(_ signal: Int32) {
    if handling.exchange(true, ordering: .acquiringAndReleasing) { _exit(Interrupts.exitStatus(signal)) }
    PartialFile.removeAllLive()
    PartialDirectory.removeAllLive()
    let message: StaticString = "\nmimic: interrupted; partial output removed\n"
    _ = write(2, message.utf8Start, message.utf8CodeUnitCount)
    _exit(Interrupts.exitStatus(signal))
}
