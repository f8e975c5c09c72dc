import CLibFuzzer
import Foundation

/// Runs libFuzzer over one harness: parses libFuzzer's usual command line (corpus directories, `-runs=`,
/// `-max_total_time=`, …) and calls `harness` once per input.
///
/// Why a driver call and not libFuzzer's own `main`: SwiftPM links each executable with `main` aliased to the
/// module's entry point, so a harness needs an `@main` that hands control to libFuzzer.
public enum FuzzDriver {
    public typealias Harness = @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt

    public static func run(_ harness: Harness) -> Never {
        var argc = CommandLine.argc
        var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
        exit(LLVMFuzzerRunDriver(&argc, &argv, harness))
    }
}
