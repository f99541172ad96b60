import Foundation

/// Executables `swift build` puts beside the running one (a test bundle, the demo, the bench): `snbridge`,
/// `snbridge-simdevice`, `snbridge-discovery-probe`.
public enum BuiltProduct {
    /// The path of the product `name` built beside this process. A test binary may sit a few directories down
    /// inside an `.xctest` bundle, so the search walks up from it; when nothing is found, the path beside this
    /// process is returned so the caller's launch fails with a message naming it.
    public static func path(_ name: String) -> String {
        let running = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        var directory = running.deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = directory.appendingPathComponent(name).path
            if FileManager.default.isExecutableFile(atPath: candidate) {
                return candidate
            }
            directory = directory.deletingLastPathComponent()
        }
        return running.deletingLastPathComponent().appendingPathComponent(name).path
    }
}
