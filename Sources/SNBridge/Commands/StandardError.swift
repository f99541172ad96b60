import Foundation

/// Writes a line to stderr, where diagnostics belong so stdout stays parseable.
func printToStandardError(_ line: String) {
    FileHandle.standardError.write(Data((line + "\n").utf8))
}
