#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Shell-style globs, with the C library's `fnmatch` so they behave as users know them from the shell and udev.
enum Glob {
    /// Whether `string` matches `pattern` (`*`, `?`, `[...]`; `*` also matches `/`).
    static func matches(_ pattern: String, _ string: String) -> Bool {
        fnmatch(pattern, string, 0) == 0
    }
}
